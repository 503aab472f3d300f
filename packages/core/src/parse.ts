import { CallerIdError, type CallerIdErrorCode } from './errors.js';
import { lookupStsHost, type StsHost } from './hosts.js';
import type { Partition } from './identity.js';
import { decodeBase64UrlStrict, MAX_PRESIGNED_TOKEN_LENGTH, PRESIGNED_TOKEN_PREFIX } from './token-format.js';

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
  /** The `realm` of the `WWW-Authenticate` challenge carried by thrown errors. */
  realm?: string;
}

/**
 * A locally valid presigned token. Only STS can say whether its signature holds and whom it names:
 * nothing here is an identity. `url` holds the signature and any session token, so it is kept off
 * the enumerable fields (`JSON.stringify` and `console.log` of a parsed token do not show it).
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

class ParsedPresignedToken implements ParsedToken {
  readonly #url: string;
  readonly stsHost: string;
  readonly partition: Partition;
  readonly region: string;
  readonly fips: boolean;
  readonly dualStack: boolean;
  readonly global: boolean;
  readonly accessKeyId: string;
  readonly hasSessionToken: boolean;
  readonly signedHeaders: readonly string[];
  readonly signedAt: Date;
  readonly expiresAt: Date;
  readonly expiresInSeconds: number;

  constructor(url: string, sts: StsHost, accessKeyId: string, hasSessionToken: boolean, signedAtMs: number, expiresInSeconds: number) {
    this.#url = url;
    this.stsHost = sts.host;
    this.partition = sts.partition;
    this.region = sts.region;
    this.fips = sts.fips;
    this.dualStack = sts.dualStack;
    this.global = sts.global;
    this.accessKeyId = accessKeyId;
    this.hasSessionToken = hasSessionToken;
    this.signedHeaders = SIGNED_HEADERS_LIST;
    this.signedAt = new Date(signedAtMs);
    this.expiresAt = new Date(signedAtMs + PRESIGNED_URL_LIFETIME_MS);
    this.expiresInSeconds = expiresInSeconds;
  }

  get url(): string {
    return this.#url;
  }
}

const DEFAULT_PARTITIONS: readonly Partition[] = ['aws'];

// The only parameters a GetCallerIdentity presigned URL has; each at most once.
const KNOWN_KEYS = new Set([
  'Action', 'Version', 'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date',
  'X-Amz-Expires', 'X-Amz-Security-Token', 'X-Amz-Signature', 'X-Amz-SignedHeaders',
]);
const REQUIRED_KEYS = [
  'Action', 'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date',
  'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature',
] as const;

// Exactly what every client signs. Our replay sends only these two headers, so a token signing any
// other header could never verify; refusing it here saves the STS call.
const SIGNED_HEADERS = 'host;x-k8s-aws-id';
const SIGNED_HEADERS_LIST: readonly string[] = Object.freeze(['host', 'x-k8s-aws-id']);

// RFC 3986 characters; anything else (space, `\`, `"`, `<`, `{`, non-ASCII …) is not a URL.
const URL_CHARS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+$/;
// What a SigV4 signer emits in a query: unreserved characters and %-escapes. This also refuses `;`
// (a separator for some parsers) and `+` (a space for some, a plus for others).
const QUERY_CHARS = /^[A-Za-z0-9\-._~%=&]*$/;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/;
const SCOPE_DATE = /^\d{8}$/;
const SCOPE_REGION = /^[a-z0-9-]{1,64}$/;
const SIGNATURE = /^[0-9a-f]{64}$/;
const EXPIRES = /^(?:0|[1-9]\d{0,2})$/;
const SESSION_TOKEN = /^[A-Za-z0-9+/=]{1,4096}$/;
const BAD_ESCAPE = /%(?![0-9A-Fa-f]{2})/;

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
  const realm = options.realm;
  const fail = (code: CallerIdErrorCode): never => {
    throw new CallerIdError(code, realm === undefined ? {} : { realm });
  };

  // 1. Size, before anything else.
  if (typeof token !== 'string') return fail('token_format');
  if (token.length > MAX_PRESIGNED_TOKEN_LENGTH) return fail('token_too_large');

  // 2. Prefix and strict base64url.
  if (!token.startsWith(PRESIGNED_TOKEN_PREFIX)) return fail('token_format');
  const bytes = decodeBase64UrlStrict(token.slice(PRESIGNED_TOKEN_PREFIX.length));
  if (!bytes) return fail('token_encoding');
  const url = bytes.toString('latin1');
  if (!URL_CHARS.test(url)) return fail('url_malformed');

  // 3. The URL: https, bare host on the allow-list, path `/`.
  const { sts, query } = splitUrl(url, options.allowedPartitions ?? DEFAULT_PARTITIONS, fail);

  // 4. The query: well-formed, known keys, each once (case-insensitively).
  const params = parseQuery(query, fail);

  // 5. Every parameter's value.
  for (const key of REQUIRED_KEYS) if (params.get(key) === undefined) return fail('query_missing_key');
  if (params.get('Action') !== 'GetCallerIdentity') return fail('action_invalid');
  const version = params.get('Version');
  if (version !== undefined && version !== '2011-06-15') return fail('version_invalid');
  if (params.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') return fail('algorithm_invalid');

  const amzDate = params.get('X-Amz-Date')!;
  const signedAt = parseAmzDate(amzDate);
  if (signedAt === undefined) return fail('date_invalid');

  const accessKeyId = checkCredential(params.get('X-Amz-Credential')!, amzDate, sts, fail);
  if (params.get('X-Amz-SignedHeaders') !== SIGNED_HEADERS) return fail('signed_headers_invalid');
  if (!SIGNATURE.test(params.get('X-Amz-Signature')!)) return fail('signature_format');

  const expires = params.get('X-Amz-Expires')!;
  if (!EXPIRES.test(expires) || Number(expires) > 900) return fail('expires_invalid');

  const sessionToken = params.get('X-Amz-Security-Token');
  if (sessionToken !== undefined && !SESSION_TOKEN.test(sessionToken)) return fail('security_token_invalid');

  const now = options.now === undefined ? Date.now() : typeof options.now === 'number' ? options.now : options.now.getTime();
  if (now >= signedAt + PRESIGNED_URL_LIFETIME_MS) return fail('token_expired');
  if (signedAt - now > MAX_FUTURE_SKEW_MS) return fail('token_not_yet_valid');

  return new ParsedPresignedToken(url, sts, accessKeyId, sessionToken !== undefined, signedAt, Number(expires));
}

type Fail = (code: CallerIdErrorCode) => never;

function splitUrl(url: string, allowedPartitions: readonly Partition[], fail: Fail): { sts: StsHost; query: string } {
  if (!url.startsWith('https://')) return fail(SCHEME.test(url) ? 'url_scheme' : 'url_malformed');
  if (url.includes('#')) return fail('url_fragment');
  const authorityEnd = firstOf(url, '/', '?', 8);
  if (authorityEnd === -1) return fail('url_path');
  const authority = url.slice(8, authorityEnd);
  if (authority.includes('@')) return fail('url_userinfo');
  if (authority.startsWith('[')) return fail('host_not_allowed'); // an IPv6 literal
  if (authority.includes(':')) return fail('url_port');
  // Exact lookup: case, trailing dots, IPs, punycode and look-alike suffixes all miss.
  const sts = lookupStsHost(authority);
  if (!sts) return fail('host_not_allowed');
  if (!allowedPartitions.includes(sts.partition)) return fail('partition_not_allowed');
  const queryStart = url.indexOf('?', authorityEnd);
  const path = url.slice(authorityEnd, queryStart === -1 ? url.length : queryStart);
  if (path !== '/') return fail('url_path');
  return { sts, query: queryStart === -1 ? '' : url.slice(queryStart + 1) };
}

function firstOf(text: string, a: string, b: string, from: number): number {
  const i = text.indexOf(a, from);
  const j = text.indexOf(b, from);
  return i === -1 ? j : j === -1 ? i : Math.min(i, j);
}

function parseQuery(query: string, fail: Fail): Map<string, string> {
  if (query === '') return fail('query_missing_key');
  if (!QUERY_CHARS.test(query) || BAD_ESCAPE.test(query)) return fail('query_malformed');
  const params = new Map<string, string>();
  const seen = new Set<string>();
  let unknown = false;
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    if (eq <= 0 || pair.indexOf('=', eq + 1) !== -1) return fail('query_malformed');
    const key = decode(pair.slice(0, eq), fail);
    const value = decode(pair.slice(eq + 1), fail);
    // CVE-2022-2385: a decoy `x-amz-credential` beside `X-Amz-Credential` must not slip through.
    const folded = key.toLowerCase();
    if (seen.has(folded)) return fail('query_duplicate_key');
    seen.add(folded);
    // Report duplicates in preference to unknown keys whatever their order, so the decoy is named.
    if (KNOWN_KEYS.has(key)) params.set(key, value);
    else unknown = true;
  }
  if (unknown) return fail('query_unknown_key');
  return params;
}

function decode(text: string, fail: Fail): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return fail('query_malformed'); // an escape that is not UTF-8
  }
}

/** `yyyymmddThhmmssZ` → epoch ms, or `undefined` when malformed or not a real instant. */
function parseAmzDate(value: string): number | undefined {
  const m = AMZ_DATE.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const date = new Date(ms);
  // Date.UTC rolls 2026-02-30 over to March; a real date survives the round trip.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  return ms;
}

/** `<key id>/<yyyymmdd>/<region>/sts/aws4_request`, its day and region those of the token. */
function checkCredential(credential: string, amzDate: string, sts: StsHost, fail: Fail): string {
  const parts = credential.split('/');
  if (parts.length !== 5) return fail('credential_invalid');
  const [accessKeyId, day, region, service, terminator] = parts as [string, string, string, string, string];
  if (!ACCESS_KEY_ID.test(accessKeyId) || !SCOPE_DATE.test(day) || !SCOPE_REGION.test(region) || terminator !== 'aws4_request') {
    return fail('credential_invalid');
  }
  if (service !== 'sts' || day !== amzDate.slice(0, 8) || region !== sts.region) return fail('credential_scope_mismatch');
  return accessKeyId;
}
