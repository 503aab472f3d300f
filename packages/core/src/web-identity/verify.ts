/**
 * Verification of AWS web identity JWTs (`sts:GetWebIdentityToken`), offline against the issuer's
 * JWKS. Order, cheapest first and network last: size and shape → header allow-list → issuer
 * allow-list (an unknown issuer never causes a request) → claims → signature with the issuer's keys
 * (jose's `compactVerify`).
 */
import { hash } from 'node:crypto';
import { compactVerify } from 'jose';
import { Agent, type Dispatcher } from 'undici';
import { CallerIdError, isCallerIdError } from '../errors.js';
import type { Identity } from '../authz/identity.js';
import { toIdentity } from './claims.js';
import { isAllowedFetchUrl, DEFAULT_MAX_JWKS_BYTES } from './jwks-fetch.js';
import { IssuerKeys, type JwksOptions } from './jwks.js';
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
  /** The `realm` of `WWW-Authenticate` challenges. Default `"callerid"`. */
  realm?: string | undefined;
}

/** Verifies web identity tokens; see {@link createWebIdentityVerifier}. */
export interface WebIdentityVerifier {
  /** Verifies one token; resolves to its `Identity` or throws a `CallerIdError`. */
  verify(token: string): Promise<Identity>;
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
  const ownDispatcher = context.dispatcher ? undefined : createJwksAgent(options.jwks);
  const dispatcher = context.dispatcher ?? ownDispatcher;
  const keys = new Map(settings.issuers.map((issuer) => [issuer, new IssuerKeys(issuer, options.jwks, dispatcher)]));
  const verifyOptions = { algorithms: [...settings.algorithms] };
  const { realm } = context;
  const verify =
    realm === undefined
      ? verifyToken
      : (token: string) => verifyToken(token).catch((err: unknown) => {
          throw inRealm(err, realm);
        });

  const trusted = (iss: string) => keys.has(iss);

  async function verifyToken(token: string): Promise<Identity> {
    const nowMs = clock();
    const { claims } = checkLocally(token, settings, trusted, nowMs);
    const issuer = keys.get(claims.iss)!;
    try {
      // jose checks the signature over exactly the bytes whose claims `checkLocally` read (algorithm
      // allow-list, key-type binding, `crit`). The claims need no second pass through jose's
      // `jwtVerify`: ours are a strict superset of its registered-claim checks (issuer, audience,
      // exp/iat/nbf with tolerance, plus jti, lifetime and subject), and the second JSON parse and
      // claim walk would be a sizeable share of an RS256 verification (figure: the README).
      await compactVerify(token, issuer.getKey, verifyOptions);
    } catch (err) {
      throw toCallerIdError(err);
    }
    return toIdentity(claims);
  }

  return {
    verify,
    fingerprint: fingerprintOf(settings),
    close: async () => {
      await ownDispatcher?.close();
    },
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

// Errors are built with the default realm; a verifier with its own realm re-issues them in it.
function inRealm(err: unknown, realm: string): Error {
  if (!(err instanceof CallerIdError)) return err instanceof Error ? err : new CallerIdError('jwt_signature');
  const retryAfter = err.headers['Retry-After'];
  return new CallerIdError(err.code, { realm, ...(retryAfter ? { retryAfterSeconds: Number(retryAfter) } : {}) });
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

function createJwksAgent(jwks: JwksOptions | undefined): Agent {
  const timeout = jwks?.timeoutMs ?? 5_000;
  return new Agent({
    connect: { timeout },
    headersTimeout: timeout,
    bodyTimeout: timeout,
    maxResponseSize: jwks?.maxBytes ?? DEFAULT_MAX_JWKS_BYTES,
  });
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
