import { CallerIdError, type CallerIdErrorCode } from '../errors.js';
import { lookupStsHost, type StsHost } from './hosts.js';
import type { Partition } from '../authz/identity.js';
import { ACCESS_KEY_ID_PATTERN, decodeBase64UrlStrict, MAX_PRESIGNED_TOKEN_LENGTH, PRESIGNED_TOKEN_PREFIX } from '../token-format.js';

/**
 * Local, offline validation of a `k8s-aws-v1.` token: steps 1–5 of the verification rules in
 * `token-formats.md` §1, cheapest first. Nothing here touches the network; a token that fails here
 * never reaches STS.
 */

/** How long STS honours a presigned GetCallerIdentity URL after its `X-Amz-Date`, whatever `X-Amz-Expires` says. */
export const PRESIGNED_URL_LIFETIME_MS = 15 * 60_000;

/** How far in the future a token's `X-Amz-Date` may lie (clock skew between client and server). */
export const MAX_FUTURE_SKEW_MS = 60_000;

/** Options for {@link parseToken}. */
export interface ParseTokenOptions {
  /** The current time in epoch milliseconds (or a Date). Default: `Date.now()`. */
  now?: number | Date;
  /** Partitions whose STS hosts are accepted. Default: `['aws']` only. */
  allowedPartitions?: readonly Partition[];
}

/**
 * A locally valid presigned token. Only STS can say whether its signature holds and whom it names:
 * nothing here is an identity. `url` holds the signature and any session token, so it is a getter
 * over a private field, not a property: `JSON.stringify`, `console.log` and `util.inspect` (even with
 * `showHidden`) of a parsed token do not show it.
 */
export interface ParsedToken {
  /** The presigned URL exactly as carried. A bearer secret: never log it. */
  readonly url: string;
  /** The STS host the token was signed for. */
  readonly stsHost: string;
  readonly partition: Partition;
  /** The signing region (the host's region; `us-east-1` for the global host). */
  readonly region: string;
  readonly fips: boolean;
  readonly dualStack: boolean;
  /** Signed for the legacy global endpoint `sts.amazonaws.com`. */
  readonly global: boolean;
  /** The access key id from the credential scope: informational only, never an identity. */
  readonly accessKeyId: string;
  /** Whether the token carries an `X-Amz-Security-Token` (temporary credentials). */
  readonly hasSessionToken: boolean;
  /** The signed headers, e.g. `['host', 'x-k8s-aws-id']`. */
  readonly signedHeaders: readonly string[];
  /** `X-Amz-Date`. */
  readonly signedAt: Date;
  /** When STS stops honouring the URL: `signedAt` + 15 minutes. */
  readonly expiresAt: Date;
  /** `X-Amz-Expires` as sent (STS ignores it for this call; clients send 60, old ones 0). */
  readonly expiresInSeconds: number;
}

/**
 * A parsed token. The URL — which holds the signature and any session token — lives in a private
 * field behind a prototype getter, so it is no own property at all, and the token prints as its public
 * fields only: `JSON.stringify`, `console.log` and `util.inspect(parsed, { showHidden: true })` never
 * show it.
 */
// The public fields are declared once, by `ParsedToken`; the class adds only the private URL behind
// its getter. (The merge is safe: the constructor assigns every field of the interface.)
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
interface PresignedToken extends Omit<ParsedToken, 'url'> {}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
class PresignedToken implements ParsedToken {
  readonly #url: string;

  constructor(url: string, sts: StsHost, accessKeyId: string, hasSessionToken: boolean, signedAtMs: number, expiresInSeconds: number) {
    this.#url = url;
    const fields = this as Writable<Omit<ParsedToken, 'url'>>;
    fields.stsHost = sts.host;
    fields.partition = sts.partition;
    fields.region = sts.region;
    fields.fips = sts.fips;
    fields.dualStack = sts.dualStack;
    fields.global = sts.global;
    fields.accessKeyId = accessKeyId;
    fields.hasSessionToken = hasSessionToken;
    fields.signedHeaders = SIGNED_HEADERS_LIST;
    fields.signedAt = new Date(signedAtMs);
    fields.expiresAt = new Date(signedAtMs + PRESIGNED_URL_LIFETIME_MS);
    fields.expiresInSeconds = expiresInSeconds;
  }

  get url(): string {
    return this.#url;
  }

  // `util.inspect` lists prototype getters with `showHidden` (and calls them with `getters: true`):
  // printed, a parsed token is its public fields only, whatever the options.
  [Symbol.for('nodejs.util.inspect.custom')](_depth: number, options: object, inspect: (value: unknown, options: object) => string): string {
    return `PresignedToken ${inspect({ ...this }, options)}`;
  }
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

const DEFAULT_PARTITIONS: readonly Partition[] = ['aws'];

// The only parameters a GetCallerIdentity presigned URL has; each at most once. The slot numbers
// index the parsed values.
const ACTION = 0, VERSION = 1, ALGORITHM = 2, CREDENTIAL = 3, DATE = 4, EXPIRES = 5, SECURITY_TOKEN = 6, SIGNATURE = 7, SIGNED_HEADERS = 8;
const KEYS = ['Action', 'Version', 'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-Security-Token', 'X-Amz-Signature', 'X-Amz-SignedHeaders'];
const SLOT_OF_KEY: ReadonlyMap<string, number> = new Map(KEYS.map((key, slot) => [key, slot]));
const SLOT_OF_FOLDED_KEY: ReadonlyMap<string, number> = new Map(KEYS.map((key, slot) => [key.toLowerCase(), slot]));
const REQUIRED_SLOTS = [ACTION, ALGORITHM, CREDENTIAL, DATE, EXPIRES, SIGNED_HEADERS, SIGNATURE];

// Exactly what every client signs. Our replay sends only these two headers, so a token signing any
// other header could never verify; refusing it here saves the STS call.
const SIGNED_HEADERS_VALUE = 'host;x-k8s-aws-id';
const SIGNED_HEADERS_ENCODED = 'host%3Bx-k8s-aws-id';
const SIGNED_HEADERS_LIST: readonly string[] = Object.freeze(['host', 'x-k8s-aws-id']);

// RFC 3986 characters; anything else (space, `\`, `"`, `<`, `{`, non-ASCII …) is not a URL.
const URL_CHARS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+$/;
// What a SigV4 signer emits in a query: unreserved characters and %-escapes. This also refuses `;`
// (a separator for some parsers) and `+` (a space for some, a plus for others).
const QUERY_CHARS = /^[A-Za-z0-9\-._~%=&]*$/;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
const AMZ_DATE = /^\d{8}T\d{6}Z$/;
const SCOPE_DATE = /^\d{8}$/;
const SCOPE_REGION = /^[a-z0-9-]{1,64}$/;
const SIGNATURE_HEX = /^[0-9a-f]{64}$/;
const EXPIRES_SECONDS = /^(?:0|[1-9]\d{0,2})$/;
const SESSION_TOKEN = /^[A-Za-z0-9+/=]{1,4096}$/;
// A session token as signers escape it (`+`, `/`, `=` as %2B, %2F, %3D): checked without decoding.
const SESSION_TOKEN_ESCAPED = /^(?:[A-Za-z0-9]|%2[BbFf]|%3[Dd]){1,4096}$/;

/**
 * Validates a `k8s-aws-v1.` token offline and returns what it claims, or throws a {@link CallerIdError}
 * whose `code` says which rule failed. Passing this does **not** authenticate anyone: only STS can
 * check the signature (see `createVerifier`).
 *
 * @example
 * ```ts
 * const parsed = parseToken(token, { allowedPartitions: ['aws', 'aws-us-gov'] });
 * console.log(parsed.stsHost, parsed.region, parsed.expiresAt);
 * ```
 */
export function parseToken(token: string, options: ParseTokenOptions = {}): ParsedToken {
  // 1. Size, before anything else (`verify` refuses an over-long token of no known format the same way).
  if (typeof token !== 'string') return reject('token_format');
  if (token.length > MAX_PRESIGNED_TOKEN_LENGTH) return reject('token_too_large');

  // 2. Prefix and strict base64url.
  if (!token.startsWith(PRESIGNED_TOKEN_PREFIX)) return reject('token_format');
  const bytes = decodeBase64UrlStrict(token.slice(PRESIGNED_TOKEN_PREFIX.length));
  if (!bytes) return reject('token_encoding');
  const url = bytes.toString('latin1');

  // 3. The URL: https, bare host on the allow-list, path `/`.
  const queryStart = url.indexOf('?');
  if (!URL_CHARS.test(queryStart === -1 ? url : url.slice(0, queryStart))) return reject('url_malformed');
  const sts = checkUrl(url, queryStart, options.allowedPartitions ?? DEFAULT_PARTITIONS);

  // 4. The query: well-formed, known keys, each once (case-insensitively).
  const values = parseQuery(queryStart === -1 ? '' : url.slice(queryStart + 1));

  // 5. Every parameter's value.
  for (const slot of REQUIRED_SLOTS) if (values[slot] === undefined) return reject('query_missing_key');
  if (decoded(values[ACTION]!) !== 'GetCallerIdentity') return reject('action_invalid');
  if (values[VERSION] !== undefined && decoded(values[VERSION]) !== '2011-06-15') return reject('version_invalid');
  if (decoded(values[ALGORITHM]!) !== 'AWS4-HMAC-SHA256') return reject('algorithm_invalid');

  const amzDate = decoded(values[DATE]!);
  const signedAt = parseAmzDate(amzDate);
  if (signedAt === undefined) return reject('date_invalid');

  const accessKeyId = checkCredential(decoded(values[CREDENTIAL]!), amzDate, sts);
  const signedHeaders = values[SIGNED_HEADERS]!;
  if (signedHeaders !== SIGNED_HEADERS_ENCODED && decoded(signedHeaders) !== SIGNED_HEADERS_VALUE) return reject('signed_headers_invalid');
  if (!SIGNATURE_HEX.test(decoded(values[SIGNATURE]!))) return reject('signature_format');

  const expires = decoded(values[EXPIRES]!);
  if (!EXPIRES_SECONDS.test(expires) || Number(expires) > 900) return reject('expires_invalid');

  const sessionToken = values[SECURITY_TOKEN];
  if (sessionToken !== undefined && !SESSION_TOKEN_ESCAPED.test(sessionToken) && !SESSION_TOKEN.test(decoded(sessionToken))) {
    return reject('security_token_invalid');
  }

  const now = options.now === undefined ? Date.now() : typeof options.now === 'number' ? options.now : options.now.getTime();
  if (now >= signedAt + PRESIGNED_URL_LIFETIME_MS) return reject('token_expired');
  if (signedAt - now > MAX_FUTURE_SKEW_MS) return reject('token_not_yet_valid');

  return new PresignedToken(url, sts, accessKeyId, sessionToken !== undefined, signedAt, Number(expires));
}

function reject(code: CallerIdErrorCode): never {
  throw new CallerIdError(code);
}

function checkUrl(url: string, queryStart: number, allowedPartitions: readonly Partition[]): StsHost {
  if (!url.startsWith('https://')) return reject(SCHEME.test(url) ? 'url_scheme' : 'url_malformed');
  if (url.includes('#')) return reject('url_fragment');
  const slash = url.indexOf('/', 8);
  const authorityEnd = slash === -1 || (queryStart !== -1 && queryStart < slash) ? queryStart : slash;
  if (authorityEnd === -1) return reject('url_path');
  const authority = url.slice(8, authorityEnd);
  if (authority.includes('@')) return reject('url_userinfo');
  if (authority.startsWith('[')) return reject('host_not_allowed'); // an IPv6 literal
  if (authority.includes(':')) return reject('url_port');
  // Exact lookup: case, trailing dots, IPs, punycode and look-alike suffixes all miss.
  const sts = lookupStsHost(authority);
  if (!sts) return reject('host_not_allowed');
  if (!allowedPartitions.includes(sts.partition)) return reject('partition_not_allowed');
  if (authorityEnd !== slash || (queryStart === -1 ? url.length : queryStart) !== slash + 1) return reject('url_path');
  return sts;
}

/** The raw (still escaped) value of each known parameter, by slot. */
function parseQuery(query: string): (string | undefined)[] {
  if (query === '') return reject('query_missing_key');
  if (!QUERY_CHARS.test(query)) return reject(URL_CHARS.test(query) ? 'query_malformed' : 'url_malformed');
  if (hasBadEscape(query)) return reject('query_malformed');
  const values: (string | undefined)[] = new Array<string | undefined>(KEYS.length);
  // Keys that differ from a known key only by case, by slot: a CVE-2022-2385 decoy.
  let decoys = 0;
  let unknown = false;
  let start = 0;
  while (start <= query.length) {
    let end = query.indexOf('&', start);
    if (end === -1) end = query.length;
    const eq = query.indexOf('=', start);
    const secondEq = eq === -1 ? -1 : query.indexOf('=', eq + 1);
    if (eq <= start || eq >= end || (secondEq !== -1 && secondEq < end)) return reject('query_malformed');
    const key = decoded(query.slice(start, eq));
    const slot = SLOT_OF_KEY.get(key);
    if (slot !== undefined) {
      if (values[slot] !== undefined || (decoys & (1 << slot)) !== 0) return reject('query_duplicate_key');
      values[slot] = query.slice(eq + 1, end);
    } else {
      const folded = SLOT_OF_FOLDED_KEY.get(key.toLowerCase());
      if (folded === undefined) unknown = true;
      else if (values[folded] !== undefined || (decoys & (1 << folded)) !== 0) return reject('query_duplicate_key');
      else decoys |= 1 << folded;
    }
    start = end + 1;
  }
  // Duplicates win over unknown keys whatever their order, so the decoy is named as such.
  for (let slot = 0; slot < KEYS.length; slot++) if ((decoys & (1 << slot)) !== 0 && values[slot] !== undefined) return reject('query_duplicate_key');
  if (unknown || decoys !== 0) return reject('query_unknown_key');
  return values;
}

/** A `%` not followed by two hex digits. */
function hasBadEscape(query: string): boolean {
  for (let i = query.indexOf('%'); i !== -1; i = query.indexOf('%', i + 1)) {
    if (!isHex(query.charCodeAt(i + 1)) || !isHex(query.charCodeAt(i + 2))) return true;
  }
  return false;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** A query component with its %-escapes decoded; an escape that is not UTF-8 is malformed. */
function decoded(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return reject('query_malformed');
  }
}

/** `yyyymmddThhmmssZ` → epoch ms, or `undefined` when malformed or not a real instant. */
function parseAmzDate(value: string): number | undefined {
  if (!AMZ_DATE.test(value)) return undefined;
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(4, 6));
  const day = Number(value.slice(6, 8));
  const hour = Number(value.slice(9, 11));
  const minute = Number(value.slice(11, 13));
  const second = Number(value.slice(13, 15));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** `<key id>/<yyyymmdd>/<region>/sts/aws4_request`, its day and region those of the token. */
function checkCredential(credential: string, amzDate: string, sts: StsHost): string {
  const parts = credential.split('/');
  if (parts.length !== 5) return reject('credential_invalid');
  const [accessKeyId, day, region, service, terminator] = parts as [string, string, string, string, string];
  if (!ACCESS_KEY_ID_PATTERN.test(accessKeyId) || !SCOPE_DATE.test(day) || !SCOPE_REGION.test(region) || terminator !== 'aws4_request') {
    return reject('credential_invalid');
  }
  if (service !== 'sts' || day !== amzDate.slice(0, 8) || region !== sts.region) return reject('credential_scope_mismatch');
  return accessKeyId;
}
