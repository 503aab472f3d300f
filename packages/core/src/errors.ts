/**
 * One error class for every way callerid can refuse or fail, in the style of panva/jose and
 * auth0/node-oauth2-jwt-bearer: a stable machine-readable `code`, the HTTP `status` an adapter should
 * answer with, and the facts an RFC 6750 `WWW-Authenticate` challenge (or a `Retry-After`) is rendered
 * from. Whoever throws an error states facts only; the realm is the business of the boundary that
 * hands the error to HTTP (the verifier or authenticator that owns a `realm` option, through
 * {@link inRealm}), so the parsers, the STS client and the policy never hear of it.
 *
 * Messages and descriptions come from the fixed table below: they say what was wrong, never what was
 * sent. Nothing here ever embeds a token, a signature, a session token or a secret.
 */

/** The OAuth 2.0 bearer-token error a code maps to (RFC 6750 §3.1), or `null` for "no credentials". */
export type BearerError = 'invalid_request' | 'invalid_token' | 'insufficient_scope' | null;

interface CodeSpec {
  readonly status: 400 | 401 | 403 | 500 | 503;
  readonly bearer: BearerError;
  readonly description: string;
}

/**
 * Every code callerid uses, with its HTTP status and fixed description. Codes are part of the public
 * API: they never change meaning once released.
 */
export const ERROR_CODES = {
  // --- the request itself (400 invalid_request) ---
  request_malformed: { status: 400, bearer: 'invalid_request', description: 'The Authorization header is malformed.' },
  request_multiple_tokens: { status: 400, bearer: 'invalid_request', description: 'The request carries more than one token.' },

  // --- no credentials at all (401 with a bare challenge) ---
  token_missing: { status: 401, bearer: null, description: 'No bearer token was sent.' },

  // --- local parsing of presigned tokens (401 invalid_token) ---
  token_too_large: { status: 401, bearer: 'invalid_token', description: 'The token is too large.' },
  token_format: { status: 401, bearer: 'invalid_token', description: 'The token is not in a supported format.' },
  token_encoding: { status: 401, bearer: 'invalid_token', description: 'The token is not valid base64url.' },
  url_malformed: { status: 401, bearer: 'invalid_token', description: 'The token does not hold a valid URL.' },
  url_scheme: { status: 401, bearer: 'invalid_token', description: 'The token URL must use https.' },
  url_userinfo: { status: 401, bearer: 'invalid_token', description: 'The token URL must not carry user information.' },
  url_port: { status: 401, bearer: 'invalid_token', description: 'The token URL must not carry a port.' },
  url_fragment: { status: 401, bearer: 'invalid_token', description: 'The token URL must not carry a fragment.' },
  url_path: { status: 401, bearer: 'invalid_token', description: 'The token URL path must be /.' },
  host_not_allowed: { status: 401, bearer: 'invalid_token', description: 'The token URL host is not an allowed STS endpoint.' },
  partition_not_allowed: { status: 401, bearer: 'invalid_token', description: 'The token was signed for a partition this server does not accept.' },
  query_malformed: { status: 401, bearer: 'invalid_token', description: 'The token URL query is malformed.' },
  query_duplicate_key: { status: 401, bearer: 'invalid_token', description: 'The token URL query repeats a parameter.' },
  query_unknown_key: { status: 401, bearer: 'invalid_token', description: 'The token URL query has an unexpected parameter.' },
  query_missing_key: { status: 401, bearer: 'invalid_token', description: 'The token URL query lacks a required parameter.' },
  action_invalid: { status: 401, bearer: 'invalid_token', description: 'The token must call GetCallerIdentity.' },
  version_invalid: { status: 401, bearer: 'invalid_token', description: 'The token names an unsupported STS API version.' },
  algorithm_invalid: { status: 401, bearer: 'invalid_token', description: 'The token must be signed with AWS4-HMAC-SHA256.' },
  credential_invalid: { status: 401, bearer: 'invalid_token', description: 'The token credential scope is malformed.' },
  credential_scope_mismatch: { status: 401, bearer: 'invalid_token', description: 'The token credential scope does not match its endpoint or date.' },
  signed_headers_invalid: { status: 401, bearer: 'invalid_token', description: 'The token must sign the host and x-k8s-aws-id headers.' },
  signature_format: { status: 401, bearer: 'invalid_token', description: 'The token signature is malformed.' },
  security_token_invalid: { status: 401, bearer: 'invalid_token', description: 'The token session token is malformed.' },
  expires_invalid: { status: 401, bearer: 'invalid_token', description: 'The token expiry parameter is invalid.' },
  date_invalid: { status: 401, bearer: 'invalid_token', description: 'The token signing date is malformed.' },
  token_expired: { status: 401, bearer: 'invalid_token', description: 'The token has expired.' },
  token_not_yet_valid: { status: 401, bearer: 'invalid_token', description: 'The token is dated in the future.' },
  token_replayed: { status: 401, bearer: 'invalid_token', description: 'The token has already been used.' },

  // --- STS's verdict on a presigned token ---
  sts_signature_mismatch: {
    status: 401,
    bearer: 'invalid_token',
    description: 'STS says the signature does not match: was the token minted for this audience, and sent unmodified?',
  },
  sts_unknown_key: { status: 401, bearer: 'invalid_token', description: 'STS does not know the access key that signed the token: is it deleted, inactive, or from another partition?' },
  sts_expired: { status: 401, bearer: 'invalid_token', description: 'STS says the token or the credentials that signed it have expired: mint a fresh token.' },
  sts_rejected: { status: 401, bearer: 'invalid_token', description: 'STS rejected the token.' },
  sts_throttled: { status: 503, bearer: null, description: 'STS is throttling requests; try again later.' },
  sts_unavailable: { status: 503, bearer: null, description: 'STS could not be reached; try again later.' },
  sts_timeout: { status: 503, bearer: null, description: 'STS did not answer in time; try again later.' },
  sts_response_invalid: { status: 503, bearer: null, description: 'STS returned an answer that could not be trusted.' },

  // --- one-time tokens (`replay: 'once'`): the shared store could not say whether a token was used ---
  replay_check_unavailable: { status: 503, bearer: null, description: 'Whether the token was already used could not be checked; try again later.' },

  // --- web identity JWTs ---
  jwt_malformed: { status: 401, bearer: 'invalid_token', description: 'The token is not a well-formed JWT.' },
  jwt_algorithm: { status: 401, bearer: 'invalid_token', description: 'The token is signed with an algorithm that is not allowed.' },
  jwt_header: { status: 401, bearer: 'invalid_token', description: 'The token header carries a parameter that is not allowed.' },
  jwt_issuer: { status: 401, bearer: 'invalid_token', description: 'The token issuer is not trusted.' },
  jwt_audience: { status: 401, bearer: 'invalid_token', description: 'The token audience does not match.' },
  jwt_signature: { status: 401, bearer: 'invalid_token', description: 'The token signature is invalid.' },
  jwt_claims: { status: 401, bearer: 'invalid_token', description: 'The token claims are missing or invalid.' },
  jwt_expired: { status: 401, bearer: 'invalid_token', description: 'The token has expired.' },
  jwt_not_yet_valid: { status: 401, bearer: 'invalid_token', description: 'The token is issued in the future.' },
  jwt_lifetime: { status: 401, bearer: 'invalid_token', description: 'The token lifetime is too long.' },
  jwt_subject: { status: 401, bearer: 'invalid_token', description: 'The token subject is not a valid IAM principal.' },
  jwt_key_unknown: { status: 401, bearer: 'invalid_token', description: 'The token is signed with an unknown key.' },
  jwks_unavailable: { status: 503, bearer: null, description: 'The issuer keys could not be fetched; try again later.' },
  web_identity_disabled: { status: 401, bearer: 'invalid_token', description: 'Web identity tokens are not accepted by this server.' },

  // --- authorization (403 insufficient_scope) ---
  caller_not_allowed: { status: 403, bearer: 'insufficient_scope', description: 'The caller is not allowed to access this resource.' },
  caller_not_mapped: { status: 403, bearer: 'insufficient_scope', description: 'The caller is not mapped to a user.' },

  // --- minting, on the calling side (never rendered by a server) ---
  credentials_unavailable: { status: 500, bearer: null, description: 'AWS credentials could not be loaded.' },
  mint_failed: { status: 500, bearer: null, description: 'The token could not be minted.' },
  mint_options_invalid: { status: 500, bearer: null, description: 'The token options are invalid.' },
  outbound_federation_disabled: { status: 500, bearer: null, description: 'Outbound web identity federation is not enabled for this account.' },
  session_duration_escalation: { status: 500, bearer: null, description: 'The requested token duration exceeds what the session allows.' },
  jwt_payload_too_large: { status: 500, bearer: null, description: 'The requested web identity token would be too large.' },
} as const satisfies Record<string, CodeSpec>;

/** A stable, machine-readable reason for a rejection or failure. */
export type CallerIdErrorCode = keyof typeof ERROR_CODES;

/** Options for constructing a {@link CallerIdError}. */
export interface CallerIdErrorOptions {
  /** The underlying error (an AWS SDK error, a socket error, …). Never a token. */
  cause?: unknown;
  /** Seconds for `Retry-After` on 503 answers. Default 1. */
  retryAfterSeconds?: number;
  /** A more specific fixed message; defaults to the code's description. Must never hold request data. */
  message?: string;
}

const DEFAULT_REALM = 'callerid';

// The one way to set an error's realm from outside the class (see `inRealm`); bound in the static block.
let setRealm: (error: CallerIdError, realm: string) => void;

/**
 * The error every callerid API throws. Express's final handler, Fastify's error handler and Koa's
 * `ctx.onerror` all read `status`/`statusCode`, `headers` and `expose`, so adapters can hand it to the
 * framework as it is.
 *
 * @example
 * ```ts
 * try { await verifier.verify(token) }
 * catch (err) { if (err instanceof CallerIdError && err.code === 'token_expired') { … } }
 * ```
 */
export class CallerIdError extends Error {
  override readonly name = 'CallerIdError';
  /** Stable machine-readable reason. */
  readonly code: CallerIdErrorCode;
  /** HTTP status an HTTP server should answer with (400, 401, 403, 500 or 503). */
  readonly status: number;
  /** Same as `status`, for frameworks that read `statusCode`. */
  readonly statusCode: number;
  /** The RFC 6750 error, or `null` for a missing token and for server-side failures. */
  readonly bearerError: BearerError;
  /** Seconds a client should wait before trying again, on 503 answers; `undefined` otherwise. */
  readonly retryAfterSeconds: number | undefined;
  /** Whether the message is safe to show to the client (it always is: messages are fixed text). */
  readonly expose: boolean;
  // The realm of the challenge: set by the verifier or authenticator that hands the error to HTTP.
  #realm = DEFAULT_REALM;

  static {
    setRealm = (error, realm) => {
      error.#realm = realm;
    };
  }

  constructor(code: CallerIdErrorCode, options: CallerIdErrorOptions = {}) {
    const spec: CodeSpec = ERROR_CODES[code];
    super(options.message ?? spec.description, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = spec.status;
    this.statusCode = spec.status;
    this.bearerError = spec.bearer;
    this.retryAfterSeconds = spec.status === 503 ? (options.retryAfterSeconds ?? 1) : undefined;
    this.expose = spec.status < 500 || spec.status === 503;
  }

  /**
   * Response headers, rendered from the facts above: an RFC 6750 `WWW-Authenticate` challenge on
   * 400/401/403 (in the realm of the verifier or authenticator that refused, default `"callerid"`),
   * `Retry-After` on 503, none on 500.
   */
  get headers(): Readonly<Record<string, string>> {
    if (this.retryAfterSeconds !== undefined) return { 'Retry-After': String(this.retryAfterSeconds) };
    if (this.status === 500) return {};
    return { 'WWW-Authenticate': bearerChallenge(this.#realm, this.bearerError, this.message) };
  }

  /** Whether trying again later may succeed (STS or JWKS unavailable, throttled, timed out). */
  get retryable(): boolean {
    return this.status === 503;
  }

  /** A small JSON body for HTTP answers: `{ error, error_description, code }`. */
  toJSON(): { error: string; error_description: string; code: CallerIdErrorCode } {
    return {
      error: this.bearerError ?? (this.status === 503 ? 'temporarily_unavailable' : this.status === 401 ? 'unauthorized' : 'server_error'),
      error_description: this.message,
      code: this.code,
    };
  }
}

/**
 * Internal (not exported by the package): puts `error` in `realm`, the realm its challenge will name,
 * and returns it. Called by the boundaries that own a `realm` option — `createVerifier`'s `verify`,
 * the authenticator, guards, `createWebIdentityVerifier` — when they hand an error on. `undefined`
 * leaves the error as it is; so does anything that is not a CallerIdError of this module copy.
 */
export function inRealm<E>(error: E, realm: string | undefined): E {
  if (realm !== undefined && error instanceof CallerIdError) setRealm(error, realm);
  return error;
}

/**
 * An RFC 6750 §3 challenge. A request without credentials gets only the realm (§3.1: no error code
 * when the request lacked authentication information).
 */
export function bearerChallenge(realm: string, error: BearerError, description?: string): string {
  const parts = [`Bearer realm="${quote(realm)}"`];
  if (error) {
    parts.push(`error="${error}"`);
    if (description) parts.push(`error_description="${quote(description)}"`);
  }
  return parts.join(', ');
}

// Quoted-string per RFC 9110; our own fixed texts never need it, but a configured realm might.
function quote(value: string): string {
  return value.replace(/[\\"]/g, '\\$&').replace(/[^\x20-\x7e]/g, '');
}

/** Whether `err` is a {@link CallerIdError}, across module copies (ESM/CJS dual package hazard). */
export function isCallerIdError(err: unknown): err is CallerIdError {
  return err instanceof CallerIdError || (err instanceof Error && err.name === 'CallerIdError' && typeof (err as { code?: unknown }).code === 'string');
}

/**
 * What a custom `allow` predicate, `map` function or `getToken` threw, as an Error (internal: every
 * refusal of the authenticator and its fast path goes through it, since adapters hand what they get to
 * a framework's `next(error)`, which must never receive a falsy error). A thrown `undefined`, or
 * a promise rejected without a reason, must never reach a framework's `next(err)` as "no error" and
 * let the request in: it becomes a TypeError, which frameworks answer with a 500.
 */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new TypeError('callerid: a custom allow or getToken threw a value that is not an Error');
}
