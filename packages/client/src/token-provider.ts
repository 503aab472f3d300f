/**
 * A cached, single-flight source of tokens for one audience: requests reuse one token until shortly
 * before it expires, a request inside the refresh window starts the next mint in the background, and
 * concurrent callers never mint twice.
 */
import { randomInt } from 'node:crypto';
import { assertKnownOptions, CallerIdError, isCallerIdError, type WebIdentityAlgorithm } from '@callerid/core';
import { optionKeys } from '@callerid/core/internal';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { credentialSource, mintWebIdentityToken, type CredentialSourceOptions } from '@callerid/mint';
import { defaultMint, type MintFunction, type MintResult } from './mint.js';

/** Options of {@link createTokenProvider}. */
export interface TokenProviderOptions extends CredentialSourceOptions {
  /** The audience (the `x-k8s-aws-id` value) the server expects, e.g. `"payments-api"`. */
  audience: string;
  /** The signing region. Default: core's default (`AWS_REGION`, else `us-east-1`). */
  region?: string;
  /** Sign for the regional (default) or the global STS endpoint. */
  endpoint?: 'regional' | 'global';
  /** Sign for the FIPS STS endpoint. */
  fips?: boolean;
  /**
   * Start minting the next token this long before the current one expires (default 60 000 ms). A
   * token is never refreshed earlier than half-way through its life, so short-lived credentials do not
   * turn every request into a mint.
   */
  refreshBeforeMs?: number;
  /** The time source, epoch milliseconds (default `Date.now`). When set, tokens are signed at its time too. */
  clock?: () => number;
  /** The minting function (default: `mintToken` from `@callerid/mint`), e.g. to instrument it. Presigned tokens only. */
  mint?: MintFunction;
  /**
   * `'presigned'` (default): `k8s-aws-v1.` tokens, signed locally, verified by the server through STS.
   * `'web-identity'`: AWS web identity JWTs from `sts:GetWebIdentityToken` (one STS call per token),
   * verified offline by the server; reused, like presigned tokens, until shortly before `exp`.
   */
  tokenType?: 'presigned' | 'web-identity';
  /** Web identity tokens: `'RS256'` (default; cheapest to verify) or `'ES384'`. */
  signingAlgorithm?: WebIdentityAlgorithm;
  /**
   * Web identity tokens: their lifetime, 60–3600 s (default 300). Shortened to what is left of
   * expiring credentials, since STS refuses a token that would outlive its session.
   */
  durationSeconds?: number;
  /** Web identity tokens: request tags, added to the token as `request_tags`. */
  tags?: Record<string, string>;
  /** Web identity tokens: an STS origin to call instead of `https://sts.<region>.amazonaws.com` (a VPC endpoint, sts-local). */
  stsEndpoint?: string;
  /**
   * Mint a new token for every `getToken()` instead of reusing one: for servers that accept each
   * token once (`replay: 'once'`). Presigned tokens are signed locally (no AWS call) and are distinct
   * even within one second (their `X-Amz-Expires` varies; STS ignores it); web identity tokens cost
   * one STS call each. Default `false`.
   */
  freshTokenPerRequest?: boolean;
}

/** A cached token source for one audience. */
export interface TokenProvider {
  /** The audience this provider mints for. */
  readonly audience: string;
  /**
   * A token that is valid now. Cached tokens cost a clock read; a missing or expired token is minted
   * (once, however many callers wait). Rejects with a `CallerIdError` (`credentials_unavailable` or
   * `mint_failed`, with the underlying error as `cause`).
   */
  getToken(): Promise<string>;
  /**
   * Forgets the cached token so the next `getToken()` mints a new one (after a server refused it).
   * With `token`, only forgets if that is still the cached token, so many requests refused for the
   * same token cause one mint.
   */
  invalidate(token?: string): void;
}

const DEFAULT_REFRESH_BEFORE_MS = 60_000;
// GetWebIdentityToken's own default lifetime, and a margin against clock skew with STS.
const DEFAULT_WEB_IDENTITY_SECONDS = 300;
const SESSION_MARGIN_SECONDS = 10;
// After a failed background refresh the cached token is still good; wait a little before trying again.
const BACKGROUND_RETRY_MS = 1_000;

/**
 * Creates a {@link TokenProvider} for one audience.
 *
 * @example
 * ```ts
 * const provider = createTokenProvider({ audience: 'payments-api', region: 'eu-west-1' });
 * const res = await fetch(url, { headers: { authorization: `Bearer ${await provider.getToken()}` } });
 * ```
 */
export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  const settings = providerSettings(options);
  const mintNow = minter(options, settings.mint, credentialSource(options));
  if (options.freshTokenPerRequest === true) return freshTokenProvider(options.audience, mintNow, settings.clock);
  const cache = new CachedToken(mintNow, settings.clock, settings.refreshBeforeMs);
  // Plain functions, not methods: a caller may pass `provider.getToken` around unbound.
  return {
    audience: options.audience,
    getToken: () => cache.get(),
    invalidate: (refused?: string) => cache.invalidate(refused),
  };
}

/** One audience's token: reused until its refresh window, then refreshed in the background; one mint at a time. */
class CachedToken {
  readonly #mintNow: (now: number) => Promise<MintResult>;
  readonly #clock: () => number;
  readonly #refreshBeforeMs: number;
  #cached: Promise<string> | undefined; // an already-resolved promise of `#token`
  #token: string | undefined;
  #refreshAt = Number.NEGATIVE_INFINITY;
  #expiresAt = Number.NEGATIVE_INFINITY;
  #inflight: Promise<string> | undefined;
  #backgroundAfter = Number.NEGATIVE_INFINITY;

  constructor(mintNow: (now: number) => Promise<MintResult>, clock: () => number, refreshBeforeMs: number) {
    this.#mintNow = mintNow;
    this.#clock = clock;
    this.#refreshBeforeMs = refreshBeforeMs;
  }

  get(): Promise<string> {
    const now = this.#clock();
    return now < this.#refreshAt ? this.#cached! : this.#slowPath(now);
  }

  invalidate(refused?: string): void {
    if (refused !== undefined && refused !== this.#token) return;
    this.#cached = undefined;
    this.#token = undefined;
    this.#refreshAt = Number.NEGATIVE_INFINITY;
    this.#expiresAt = Number.NEGATIVE_INFINITY;
  }

  // Everything but the hot path: no token, an expired one, or one inside the refresh window.
  #slowPath(now: number): Promise<string> {
    if (this.#cached !== undefined && now < this.#expiresAt) {
      this.#refreshInBackground(now);
      return this.#cached;
    }
    return this.#inflight ?? this.#mint();
  }

  #refreshInBackground(now: number): void {
    if (this.#inflight !== undefined || now < this.#backgroundAfter) return;
    this.#mint().catch(() => {
      this.#backgroundAfter = this.#clock() + BACKGROUND_RETRY_MS;
    });
  }

  #mint(): Promise<string> {
    const mintedAt = this.#clock();
    const pending = this.#mintNow(mintedAt).then(
      (result) => {
        this.#inflight = undefined;
        return this.#store(result, mintedAt);
      },
      (err: unknown) => {
        this.#inflight = undefined;
        throw err;
      },
    );
    this.#inflight = pending;
    return pending;
  }

  #store(result: MintResult, mintedAt: number): string {
    const token = result.token;
    this.#token = token;
    this.#cached = Promise.resolve(token);
    this.#expiresAt = result.expiresAt.getTime();
    this.#refreshAt = Math.max(this.#expiresAt - this.#refreshBeforeMs, mintedAt + (this.#expiresAt - mintedAt) / 2);
    return token;
  }
}

// Presigned tokens signed within one second differ only by X-Amz-Expires, which STS ignores: fresh
// tokens take 61..900 (840 per second; 60 is what cached tokens use), from a random start so that two
// processes sharing credentials rarely pick the same. Past 840 in one second, the next ones are dated
// a second later (the verifier accepts up to a minute of clock skew).
const FRESH_EXPIRES_MIN = 61;
const FRESH_EXPIRES_SPAN = 840;

/** A provider that mints a token for every request (one-time tokens): nothing cached, nothing shared. */
function freshTokenProvider(audience: string, mintNow: (now: number, expiresInSeconds?: number) => Promise<MintResult>, clock: () => number): TokenProvider {
  let second = Number.NEGATIVE_INFINITY;
  let used = 0;
  let offset = 0;
  return {
    audience,
    getToken(): Promise<string> {
      const current = Math.floor(clock() / 1000);
      if (current > second || used === FRESH_EXPIRES_SPAN) {
        second = Math.max(current, second + 1);
        used = 0;
        offset = randomInt(FRESH_EXPIRES_SPAN);
      }
      const expiresIn = FRESH_EXPIRES_MIN + ((offset + used++) % FRESH_EXPIRES_SPAN);
      return mintNow(second * 1000, expiresIn).then((result) => result.token);
    },
    invalidate(): void {},
  };
}

interface ProviderSettings {
  clock: () => number;
  refreshBeforeMs: number;
  mint: MintFunction;
}

/** Every option of {@link createTokenProvider} (a missing name is a compile error). */
export const TOKEN_PROVIDER_OPTION_KEYS: readonly string[] = optionKeys<TokenProviderOptions>()([
  'audience', 'region', 'endpoint', 'fips', 'refreshBeforeMs', 'clock', 'mint', 'tokenType', 'signingAlgorithm', 'durationSeconds', 'tags',
  'stsEndpoint', 'credentials', 'roleArn', 'roleSessionName', 'freshTokenPerRequest',
]);

function providerSettings(options: TokenProviderOptions): ProviderSettings {
  if (typeof options === 'object' && options !== null) assertKnownOptions(options, TOKEN_PROVIDER_OPTION_KEYS);
  if (typeof options?.audience !== 'string' || options.audience.length === 0) {
    throw new CallerIdError('mint_options_invalid', { message: 'The audience must be a non-empty string.' });
  }
  checkTokenType(options);
  if (options.freshTokenPerRequest !== undefined && typeof options.freshTokenPerRequest !== 'boolean') {
    throw new CallerIdError('mint_options_invalid', { message: 'freshTokenPerRequest must be a boolean.' });
  }
  const refreshBeforeMs = options.refreshBeforeMs ?? DEFAULT_REFRESH_BEFORE_MS;
  if (typeof refreshBeforeMs !== 'number' || !Number.isFinite(refreshBeforeMs) || refreshBeforeMs < 0) {
    throw new CallerIdError('mint_options_invalid', { message: 'refreshBeforeMs must be a non-negative number.' });
  }
  return { clock: options.clock ?? Date.now, refreshBeforeMs, mint: options.mint ?? defaultMint };
}

const WEB_IDENTITY_ONLY = ['signingAlgorithm', 'durationSeconds', 'tags', 'stsEndpoint'] as const;
const PRESIGNED_ONLY = ['endpoint', 'fips', 'mint'] as const;

// Options of the other kind of token are a configuration mistake, not something to ignore silently.
function checkTokenType(options: TokenProviderOptions): void {
  const { tokenType = 'presigned' } = options;
  if (tokenType !== 'presigned' && tokenType !== 'web-identity') {
    throw new CallerIdError('mint_options_invalid', { message: "tokenType must be 'presigned' or 'web-identity'." });
  }
  const foreign = tokenType === 'presigned' ? WEB_IDENTITY_ONLY : PRESIGNED_ONLY;
  for (const name of foreign) {
    if (options[name] !== undefined) {
      throw new CallerIdError('mint_options_invalid', { message: `The ${name} option does not apply to ${tokenType} tokens.` });
    }
  }
}

/**
 * One mint: resolve credentials (their failure is `credentials_unavailable`), mint (anything but a
 * `CallerIdError` becomes `mint_failed`), and clamp the expiry to the credentials' own.
 */
function minter(
  options: TokenProviderOptions,
  mint: MintFunction,
  credentials: AwsCredentialIdentityProvider,
): (now: number, expiresInSeconds?: number) => Promise<MintResult> {
  const signWithClock = options.clock !== undefined;
  const mintOne = options.tokenType === 'web-identity' ? webIdentityMinter(options) : undefined;
  return async (now, expiresInSeconds) => {
    let identity: AwsCredentialIdentity;
    try {
      identity = await credentials();
    } catch (err) {
      throw new CallerIdError('credentials_unavailable', { cause: err });
    }
    let result: MintResult;
    try {
      result = mintOne ? await mintOne(identity, now) : await mint({
        audience: options.audience,
        credentials: identity,
        ...(options.region === undefined ? {} : { region: options.region }),
        ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
        ...(options.fips === undefined ? {} : { fips: options.fips }),
        ...(signWithClock || expiresInSeconds !== undefined ? { signingDate: new Date(now) } : {}),
        ...(expiresInSeconds === undefined ? {} : { expiresInSeconds }),
      });
    } catch (err) {
      throw isCallerIdError(err) ? err : new CallerIdError('mint_failed', { cause: err });
    }
    return checked(result, identity, now);
  };
}

// A web identity token from GetWebIdentityToken, for the credentials already resolved. Its life is cut
// to what is left of expiring credentials (STS refuses to outlive the session), and at least 60 s.
function webIdentityMinter(options: TokenProviderOptions): (identity: AwsCredentialIdentity, now: number) => Promise<MintResult> {
  const requested = options.durationSeconds ?? DEFAULT_WEB_IDENTITY_SECONDS;
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  return (identity, now) => {
    const left = identity.expiration === undefined ? Infinity : Math.floor((identity.expiration.getTime() - now) / 1000) - SESSION_MARGIN_SECONDS;
    if (left < 60) throw new CallerIdError('credentials_unavailable', { message: 'The AWS credentials expire too soon to mint a token.' });
    return mintWebIdentityToken({
      audience: options.audience,
      signingAlgorithm: options.signingAlgorithm ?? 'RS256',
      durationSeconds: Math.min(requested, left),
      region,
      credentials: identity,
      ...(options.tags === undefined ? {} : { tags: options.tags }),
      ...(options.stsEndpoint === undefined ? {} : { endpoint: options.stsEndpoint }),
    });
  };
}

// A token is never trusted to outlive the credentials that signed it, whatever the minting function said.
function checked(result: MintResult, identity: AwsCredentialIdentity, now: number): MintResult {
  const valid = typeof result?.token === 'string' && result.token.length > 0 && result.expiresAt instanceof Date;
  let expiresAt = valid ? result.expiresAt.getTime() : Number.NaN;
  if (identity.expiration !== undefined) expiresAt = Math.min(expiresAt, identity.expiration.getTime());
  if (!Number.isFinite(expiresAt)) throw new CallerIdError('mint_failed', { message: 'The minting function returned no usable token.' });
  if (expiresAt <= now) throw new CallerIdError('credentials_unavailable', { message: 'The AWS credentials expire too soon to mint a token.' });
  return expiresAt === result.expiresAt.getTime() ? result : { token: result.token, expiresAt: new Date(expiresAt) };
}
