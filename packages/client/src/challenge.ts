/**
 * Reading a server's refusal: only a 401 whose challenge says `invalid_token` (RFC 6750 §3.1) means "this
 * token was refused, a fresh one may work". A bare challenge (no token sent) or `insufficient_scope`
 * would fail the same way again, so neither is retried.
 */

// `error="invalid_token"` or the unquoted `error=invalid_token`, as its own auth-param.
const INVALID_TOKEN = /(?:^|[\s,])error\s*=\s*(?:"invalid_token"|invalid_token)(?=\s*(?:,|$))/i;

/** Whether a `WWW-Authenticate` value (or values) carries `error="invalid_token"`. */
export function isInvalidTokenChallenge(value: string | readonly string[] | null | undefined): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'string') return INVALID_TOKEN.test(value);
  return value.some((item) => INVALID_TOKEN.test(item));
}

/** Whether a response status and challenge say the token itself was refused. */
export function isTokenRefused(status: number, challenge: string | readonly string[] | null | undefined): boolean {
  return status === 401 && isInvalidTokenChallenge(challenge);
}

/** The `Authorization` value for a token. */
export function bearer(token: string): string {
  return `Bearer ${token}`;
}

/**
 * A {@link bearer} that remembers its last answer, one per wrapper: while the token stays the same,
 * every request is handed the same flat string instead of a fresh ~500-byte concatenation for fetch
 * or undici to flatten, validate and copy.
 */
export function bearerValues(): (token: string) => string {
  let last: { token: string; value: string } | undefined;
  return (token) => {
    if (last?.token !== token) last = { token, value: bearer(token) };
    return last.value;
  };
}

// RFC 9110 token characters: what a header name may hold.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Validates and lower-cases the header option (default `authorization`). */
export function headerName(header: string | undefined): string {
  if (header === undefined) return 'authorization';
  if (typeof header !== 'string' || !HEADER_NAME.test(header)) throw new TypeError('callerid: `header` must be a valid HTTP header name.');
  return header.toLowerCase();
}
