/**
 * Reading the bearer token from request headers (RFC 6750 §2.1, RFC 9110 §11.6.2), strictly: a
 * request either carries exactly one well-formed bearer credential, carries none, or is refused.
 */
import { CallerIdError } from '../errors.js';

/**
 * Request headers in any of the shapes servers hand out: Node's `req.headers` object (or any record),
 * Node's flat `req.rawHeaders` list (`[name, value, name, value, …]`, which keeps repeated
 * `Authorization` fields that `req.headers` silently drops), or a fetch `Headers`.
 */
export type HeadersInput =
  | Readonly<Record<string, string | readonly string[] | undefined>>
  | readonly string[]
  | { get(name: string): string | null };

// RFC 9110 token (the auth-scheme), then optional credentials; RFC 6750 b64token for bearer.
const CREDENTIALS = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?: +(.*))?$/;
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
// The common case in one pass: `Bearer <b64token>`; anything else takes the careful path below.
const SIMPLE_BEARER = /^[Bb][Ee][Aa][Rr][Ee][Rr] [A-Za-z0-9\-._~+/]+=*$/;
const BEARER_START = /^ *bearer(?: |$)/i;
const CREDENTIAL_START = /^ *[!#$%&'*+.^_`|~0-9A-Za-z-]+ +[^ =]/;

/**
 * Returns the bearer token of a request, or `undefined` when it carries no bearer credentials (no
 * `Authorization` field, or another scheme such as `Basic`).
 *
 * @throws CallerIdError `request_multiple_tokens` (400) for two `Authorization` fields or two bearer
 * credentials in one field; `request_malformed` (400) for an empty or malformed field.
 */
export function extractBearerToken(headers: HeadersInput): string | undefined {
  return readBearer(headers, false);
}

/**
 * The authenticator's hot path (internal): like {@link extractBearerToken}, except that a plain
 * `Bearer <credentials>` field is returned without the character check of its credentials (a regex
 * pass over the whole token, a sizeable share of a cached request). The verifier only ever accepts
 * b64token characters, so such a token can only fail verification; `createAuthenticator` then runs
 * {@link isB64Token} to answer exactly what {@link extractBearerToken} would have (400, not 401).
 */
export function extractBearerCandidate(headers: HeadersInput): string | undefined {
  return readBearer(headers, true);
}

/** Whether `token` is an RFC 6750 b64token. */
export function isB64Token(token: string): boolean {
  return B64TOKEN.test(token);
}

function readBearer(headers: HeadersInput, lazy: boolean): string | undefined {
  const values = authorizationFields(headers);
  if (values === undefined) return undefined;
  if (typeof values !== 'string') {
    if (values.length === 0) return undefined;
    if (values.length > 1) throw new CallerIdError('request_multiple_tokens');
    return parseAuthorization(values[0]!, lazy);
  }
  return parseAuthorization(values, lazy);
}

function parseAuthorization(value: string, lazy: boolean): string | undefined {
  if (lazy ? isPlainBearer(value) : SIMPLE_BEARER.test(value)) return value.slice(7);
  // A b64token never holds a comma: a list is either another scheme's parameters or several credentials.
  if (value.includes(',')) return parseList(value);
  const m = CREDENTIALS.exec(value);
  if (!m) throw new CallerIdError('request_malformed');
  if (m[1]!.toLowerCase() !== 'bearer') return undefined;
  const credentials = m[2];
  if (credentials !== undefined && B64TOKEN.test(credentials)) return credentials;
  throw new CallerIdError('request_malformed');
}

// `Bearer ` (any case) then one run without spaces or commas: a few compares and two memchr scans.
function isPlainBearer(value: string): boolean {
  return (
    value.length > 7 &&
    (value.charCodeAt(0) | 0x20) === 0x62 && // b
    (value.charCodeAt(1) | 0x20) === 0x65 && // e
    (value.charCodeAt(2) | 0x20) === 0x61 && // a
    (value.charCodeAt(3) | 0x20) === 0x72 && // r
    (value.charCodeAt(4) | 0x20) === 0x65 && // e
    (value.charCodeAt(5) | 0x20) === 0x72 && // r
    value.charCodeAt(6) === 0x20 &&
    value.charCodeAt(7) !== 0x20 &&
    value.indexOf(' ', 8) === -1 &&
    value.indexOf(',', 8) === -1
  );
}

// `Digest username="a", realm="b"` is someone else's; `Bearer a, Bearer b` (how a fetch `Headers` joins
// two fields) or `Basic x, Bearer y` is two credentials; `Bearer a,` is malformed.
function parseList(value: string): undefined {
  const parts = value.split(',');
  if (!parts.some((part) => BEARER_START.test(part))) return undefined;
  const credentials = parts.filter((part) => CREDENTIAL_START.test(part)).length;
  throw new CallerIdError(credentials > 1 ? 'request_multiple_tokens' : 'request_malformed');
}

function authorizationFields(headers: HeadersInput): string | readonly string[] | undefined {
  if (Array.isArray(headers)) {
    const raw = headers as readonly string[];
    let found: string[] | undefined;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i]!;
      if (name.length === 13 && name.toLowerCase() === 'authorization') (found ??= []).push(raw[i + 1]!);
    }
    return found;
  }
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get('authorization') ?? undefined;
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  // Records built by hand may keep the original case (even two spellings): look at every key.
  let found: string[] | undefined;
  for (const key of Object.keys(record)) {
    if (key.length !== 13 || key.toLowerCase() !== 'authorization') continue;
    const v = record[key];
    if (typeof v === 'string') (found ??= []).push(v);
    else if (Array.isArray(v)) (found ??= []).push(...(v as readonly string[]));
  }
  return found;
}
