/**
 * Verification of AWS web identity JWTs (`sts:GetWebIdentityToken`), offline against the issuer's
 * JWKS. Order, cheapest first and network last: size and shape → header allow-list → issuer
 * allow-list (an unknown issuer never causes a request) → claims → signature with the issuer's keys
 * (jose's `compactVerify`).
 */
import { hash } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { CallerIdError, inRealm, isCallerIdError } from '../errors.js';
import type { WebIdentity } from '../authz/identity.js';
import { isAllowedFetchUrl } from '../outbound/https-or-loopback.js';
import { toIdentity } from './claims.js';
import { createJwksPool } from './jwks-fetch.js';
import type { JwksOptions } from './jwks.js';
import type { SignatureCheck } from './signature.js';
import { assertKnownOptions, optionKeys } from '../options.js';
import { checkLocally, localRules, type LocalCheckOptions, type LocalRules } from './local-checks.js';

/** The `webIdentity` option of `createVerifier`: which AWS web identity tokens to accept. */
export interface WebIdentityOptions extends LocalCheckOptions {
  /**
   * Trusted issuers, compared exactly with `iss` (e.g. `https://<id>.tokens.sts.global.api.aws`, from
   * `aws iam get-outbound-web-identity-federation-info`). https only; http only for loopback addresses.
   */
  issuers: string[];
  /** Audiences this server answers to. A token must name at least one, and (by default) no others. */
  audiences: string[];
  /** JWKS fetching and caching. */
  jwks?: JwksOptions;
}

/** What the web identity verifier needs from the verifier that hosts it. */
export interface WebIdentityContext {
  /** Current time in epoch ms. Default `Date.now`. */
  clock?: () => number;
  /** undici dispatcher for JWKS fetches; by default one is created (and closed by `close()`). */
  dispatcher?: Dispatcher | undefined;
  /** The `realm` of `WWW-Authenticate` challenges, when this verifier stands alone. Default `"callerid"`. */
  realm?: string | undefined;
}

/** Verifies web identity tokens; see {@link createWebIdentityVerifier}. */
export interface WebIdentityVerifier {
  /** Verifies one token; resolves to its `WebIdentity` or throws a `CallerIdError`. */
  verify(token: string): Promise<WebIdentity>;
  /** A digest of the settings that decide acceptance, for verified-token cache keys. */
  readonly fingerprint: string;
  /** Releases the JWKS connection pool (when this verifier created it). */
  close(): Promise<void>;
}


/**
 * Creates a verifier for AWS web identity JWTs. `createVerifier({ webIdentity })` uses this for
 * every compact-JWS token; it is exported for servers that accept only web identity tokens.
 *
 * @example
 * ```ts
 * const jwt = createWebIdentityVerifier({ issuers: [issuer], audiences: ['https://api.example.com'] });
 * const identity = await jwt.verify(token); // identity.tokenType === 'web-identity'
 * ```
 */
export function createWebIdentityVerifier(options: WebIdentityOptions, context: WebIdentityContext = {}): WebIdentityVerifier {
  const settings = normalizeOptions(options);
  const clock = context.clock ?? Date.now;
  const pool = createJwksPool(options.jwks, context.dispatcher);
  const { realm } = context;
  const verify =
    realm === undefined
      ? verifyToken
      : (token: string) => verifyToken(token).catch((err: unknown) => {
          throw inRealm(err instanceof Error ? err : new CallerIdError('jwt_signature'), realm);
        });

  const issuers = new Set(settings.issuers);
  const trusted = (iss: string) => issuers.has(iss);
  // jose and the JWKS code are loaded with the first token that needs a signature check.
  let signatureCheck: SignatureCheck | undefined;
  let loading: Promise<SignatureCheck> | undefined;
  const loadSignatureCheck = () =>
    (loading ??= import('./signature.js').then(({ createSignatureCheck }) => {
      signatureCheck = createSignatureCheck(settings.issuers, settings.algorithms, options.jwks, pool);
      return signatureCheck;
    }));

  async function verifyToken(token: string): Promise<WebIdentity> {
    const nowMs = clock();
    const { claims } = checkLocally(token, settings, trusted, nowMs);
    const check = signatureCheck ?? (await loadSignatureCheck());
    try {
      await check(token, claims.iss);
    } catch (err) {
      throw toCallerIdError(err);
    }
    return toIdentity(claims);
  }

  return {
    verify,
    fingerprint: fingerprintOf(settings),
    close: () => pool.close(),
  };
}

interface Settings extends LocalRules {
  issuers: string[];
  audiences: ReadonlySet<string>;
}

const WEB_IDENTITY_OPTION_KEYS = optionKeys<WebIdentityOptions>()([
  'issuers', 'audiences', 'jwks', 'algorithms', 'maxLifetimeSeconds', 'clockToleranceSeconds', 'allowExtraAudiences', 'maxTokenBytes',
]);
const JWKS_OPTION_KEYS = optionKeys<JwksOptions>()(['timeoutMs', 'cooldownMs', 'cacheMaxAgeMs', 'staleIfErrorMs', 'maxBytes']);

function normalizeOptions(options: WebIdentityOptions): Settings {
  if (typeof options !== 'object' || options === null) throw new TypeError('webIdentity must be an object');
  assertKnownOptions(options, WEB_IDENTITY_OPTION_KEYS, 'webIdentity.');
  if (typeof options.jwks === 'object' && options.jwks !== null) assertKnownOptions(options.jwks, JWKS_OPTION_KEYS, 'webIdentity.jwks.');
  const { issuers } = options;
  if (!Array.isArray(issuers) || issuers.length === 0) throw new TypeError('webIdentity.issuers must be a non-empty array');
  for (const issuer of issuers) checkIssuer(issuer);
  const rules = localRules(options, options.audiences ?? []);
  return { ...rules, audiences: rules.audiences!, issuers: [...new Set(issuers)] };
}

function fingerprintOf(settings: Settings): string {
  const canonical = JSON.stringify([
    [...settings.issuers].sort(), [...settings.audiences].sort(), [...settings.algorithms].sort(),
    settings.maxLifetimeSeconds, settings.toleranceSeconds, settings.allowExtraAudiences, settings.maxTokenBytes,
  ]);
  return `jwt:${hash('sha256', canonical, 'base64url')}`;
}

function checkIssuer(issuer: unknown): void {
  let url: URL | undefined;
  try {
    url = typeof issuer === 'string' ? new URL(issuer) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || !isAllowedFetchUrl(url) || url.search || url.hash) {
    throw new TypeError('webIdentity.issuers must be https URLs without query or fragment (http only for loopback addresses)');
  }
}

// jose's verdicts, as callerid codes. No cause is attached: keep jose's errors (and what they quote) out.
function toCallerIdError(err: unknown): CallerIdError {
  if (isCallerIdError(err)) return err;
  switch ((err as { code?: unknown } | null)?.code) {
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return new CallerIdError('jwt_algorithm');
    case 'ERR_JWS_INVALID':
      return new CallerIdError('jwt_malformed');
    default:
      // Signature mismatch, and key/algorithm mismatches jose reports as TypeErrors.
      return new CallerIdError('jwt_signature');
  }
}
