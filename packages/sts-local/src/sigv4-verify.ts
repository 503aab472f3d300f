import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { stsErrors } from './errors.js';
import { REGION_PATTERN, regionRuleForHost } from './hosts.js';
import type { Principal } from './principals.js';
import { uriEncode, type QueryPair } from './query.js';

/** A request as it arrived, reduced to what SigV4 covers. */
export interface SignedRequest {
  readonly method: string;
  /** Decoded query pairs in arrival order. */
  readonly query: readonly QueryPair[];
  /** Lower-case header name → every value that arrived for it, in order. */
  readonly headers: ReadonlyMap<string, readonly string[]>;
  readonly body: Buffer;
}

export interface VerifyContext {
  /** Epoch ms. */
  readonly now: number;
  readonly lookup: (accessKeyId: string) => Principal | undefined;
  /** `host[:port]` values that count as sts-local itself (any region accepted). */
  readonly localHosts?: ReadonlySet<string>;
}

/** What a verified request proved. */
export interface Verified {
  readonly principal: Principal;
  readonly region: string;
  readonly presigned: boolean;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const SKEW_MS = 15 * 60 * 1000;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const SIGNATURE = /^[0-9a-f]{64}$/;
const SIGNED_HEADERS = /^[a-z0-9!#$%&'*+.^_`|~-]+(?:;[a-z0-9!#$%&'*+.^_`|~-]+)*$/;
const EMPTY_SHA256 = createHash('sha256').digest('hex');

/** The query keys SigV4 presigning uses, spelled as every signer spells them. */
export const AUTH_QUERY_KEYS = new Set([
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
  'X-Amz-Security-Token',
]);

interface AuthParts {
  readonly presigned: boolean;
  readonly credential: string;
  readonly signedHeaders: string;
  readonly signature: string;
  readonly amzDate: string | undefined;
  readonly securityToken: string | undefined;
}

/**
 * Verifies a SigV4-signed STS request the way STS does and returns the principal that signed it.
 * Rebuilds the canonical request from what arrived (method, path `/`, query, the signed headers, the
 * payload hash), derives the signing key (cached) and compares signatures in constant time.
 *
 * @throws StsError `MissingAuthenticationToken`, `IncompleteSignature`, `SignatureDoesNotMatch`,
 *   `InvalidClientTokenId` or `ExpiredToken`.
 */
export function verifySignedRequest(req: SignedRequest, ctx: VerifyContext): Verified {
  const auth = authParts(req);
  const [accessKeyId, scopeDate, scopeRegion, scopeService, terminator, ...rest] = auth.credential.split('/');
  if (!accessKeyId || !scopeDate || !scopeRegion || !scopeService || !terminator || rest.length > 0) {
    throw stsErrors.incompleteSignature('Credential must have the form <access key id>/<date>/<region>/<service>/aws4_request.');
  }
  const amzDate = auth.amzDate;
  const signedAt = amzDate === undefined ? undefined : parseAmzDate(amzDate);
  if (amzDate === undefined || signedAt === undefined) {
    throw stsErrors.incompleteSignature('The request must carry a valid X-Amz-Date (yyyymmddThhmmssZ).');
  }
  checkClock(amzDate, signedAt, ctx.now);
  checkScope(req, amzDate, scopeDate, scopeRegion, scopeService, terminator, ctx);
  if (!SIGNED_HEADERS.test(auth.signedHeaders)) throw stsErrors.incompleteSignature('SignedHeaders is malformed.');
  const signedHeaderNames = auth.signedHeaders.split(';');
  if (!isStrictlySorted(signedHeaderNames)) throw stsErrors.incompleteSignature('SignedHeaders must be sorted and unique.');
  if (!signedHeaderNames.includes('host')) throw stsErrors.signatureMismatch();

  const principal = ctx.lookup(accessKeyId);
  if (!principal) throw stsErrors.invalidClientTokenId();
  if (!sameSecret(principal.sessionToken, auth.securityToken)) throw stsErrors.invalidClientTokenId();
  if (principal.expiresAt !== undefined && principal.expiresAt <= ctx.now) throw stsErrors.expiredToken();
  if (!SIGNATURE.test(auth.signature)) throw stsErrors.signatureMismatch();

  const canonical = canonicalRequest(req, signedHeaderNames, auth);
  const scope = `${scopeDate}/${scopeRegion}/${scopeService}/${terminator}`;
  const stringToSign = `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`;
  const key = signingKey(principal.secretAccessKey, scopeDate, scopeRegion, scopeService);
  const expected = createHmac('sha256', key).update(stringToSign, 'utf8').digest();
  if (!timingSafeEqual(expected, Buffer.from(auth.signature, 'hex'))) throw stsErrors.signatureMismatch();
  return { principal, region: scopeRegion, presigned: auth.presigned };
}

function single(headers: ReadonlyMap<string, readonly string[]>, name: string): string | undefined {
  const values = headers.get(name);
  if (values === undefined) return undefined;
  if (values.length !== 1) throw stsErrors.incompleteSignature(`The request repeats the ${name} header.`);
  return values[0];
}

function authParts(req: SignedRequest): AuthParts {
  const authorization = single(req.headers, 'authorization');
  const authQuery = new Map<string, string>();
  for (const { key, value } of req.query) {
    if (!key.toLowerCase().startsWith('x-amz-')) continue;
    // A decoy spelling (x-amz-credential beside X-Amz-Credential) or a repeat is refused outright.
    if (!AUTH_QUERY_KEYS.has(key) || authQuery.has(key)) {
      throw stsErrors.incompleteSignature('The query repeats or misspells an X-Amz-* parameter.');
    }
    authQuery.set(key, value);
  }
  if (authorization !== undefined) {
    if (authQuery.size > 0) throw stsErrors.incompleteSignature('A request is signed either in its query or in its Authorization header, not both.');
    return headerAuthParts(authorization, req.headers);
  }
  if (authQuery.size === 0) throw stsErrors.missingAuthentication();
  const algorithm = authQuery.get('X-Amz-Algorithm');
  const credential = authQuery.get('X-Amz-Credential');
  const signedHeaders = authQuery.get('X-Amz-SignedHeaders');
  const signature = authQuery.get('X-Amz-Signature');
  const amzDate = authQuery.get('X-Amz-Date');
  if (algorithm === undefined || credential === undefined || signedHeaders === undefined || signature === undefined || amzDate === undefined) {
    throw stsErrors.incompleteSignature(
      "AWS query-string parameters must include 'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders'. Re-examine the query-string parameters.",
    );
  }
  if (algorithm !== ALGORITHM) throw stsErrors.incompleteSignature('X-Amz-Algorithm only supports AWS4-HMAC-SHA256.');
  const expires = authQuery.get('X-Amz-Expires');
  if (expires !== undefined && (!/^\d{1,6}$/.test(expires) || Number(expires) > 604_800)) {
    throw stsErrors.incompleteSignature('X-Amz-Expires must be a number of seconds no greater than 604800.');
  }
  if (single(req.headers, 'x-amz-security-token') !== undefined) {
    throw stsErrors.incompleteSignature('A presigned request carries its session token in the query.');
  }
  return { presigned: true, credential, signedHeaders, signature, amzDate, securityToken: authQuery.get('X-Amz-Security-Token') };
}

function headerAuthParts(authorization: string, headers: ReadonlyMap<string, readonly string[]>): AuthParts {
  if (!authorization.startsWith(`${ALGORITHM} `)) {
    throw stsErrors.incompleteSignature('Authorization header must use AWS4-HMAC-SHA256.');
  }
  const fields = new Map<string, string>();
  for (const part of authorization.slice(ALGORITHM.length + 1).split(',')) {
    const item = part.trim();
    const eq = item.indexOf('=');
    if (eq <= 0) throw stsErrors.incompleteSignature('Authorization header is not a list of key=value pairs.');
    const name = item.slice(0, eq);
    if (fields.has(name)) throw stsErrors.incompleteSignature('Authorization header repeats a parameter.');
    fields.set(name, item.slice(eq + 1));
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (credential === undefined || signedHeaders === undefined || signature === undefined || fields.size !== 3) {
    throw stsErrors.incompleteSignature("Authorization header requires exactly the 'Credential', 'SignedHeaders' and 'Signature' parameters.");
  }
  return {
    presigned: false,
    credential,
    signedHeaders,
    signature,
    amzDate: single(headers, 'x-amz-date'),
    securityToken: single(headers, 'x-amz-security-token'),
  };
}

/** Epoch ms of a `yyyymmddThhmmssZ` stamp, or `undefined` when it is not a real instant. */
export function parseAmzDate(text: string): number | undefined {
  const m = AMZ_DATE.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    return undefined;
  }
  return ms;
}

/** `yyyymmddThhmmssZ` of an epoch ms. */
export function formatAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function checkClock(amzDate: string, signedAt: number, now: number): void {
  if (signedAt < now - SKEW_MS) {
    throw stsErrors.signatureExpired(
      `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(now - SKEW_MS)} (${formatAmzDate(now)} - 15 min.)`,
    );
  }
  if (signedAt > now + SKEW_MS) {
    throw stsErrors.signatureExpired(
      `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(now + SKEW_MS)} (${formatAmzDate(now)} + 15 min.)`,
    );
  }
}

function checkScope(
  req: SignedRequest,
  amzDate: string,
  scopeDate: string,
  region: string,
  service: string,
  terminator: string,
  ctx: VerifyContext,
): void {
  if (scopeDate !== amzDate.slice(0, 8)) {
    throw stsErrors.scopeMismatch(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate.slice(0, 8)}' != '${amzDate.slice(0, 8)}'.`,
    );
  }
  if (terminator !== 'aws4_request') throw stsErrors.scopeMismatch("Credential should be scoped with a valid terminator: 'aws4_request'.");
  if (service !== 'sts') throw stsErrors.scopeMismatch("Credential should be scoped to correct service: 'sts'.");
  const host = single(req.headers, 'host');
  const rule = host === undefined ? undefined : regionRuleForHost(host.toLowerCase(), ctx.localHosts);
  if (rule === undefined) throw stsErrors.scopeMismatch('The request Host is not an STS endpoint.');
  const ok = rule === 'any' ? REGION_PATTERN.test(region) : rule.region === region;
  if (!ok) throw stsErrors.scopeMismatch('Credential should be scoped to a valid region.');
}

function isStrictlySorted(names: readonly string[]): boolean {
  for (let i = 1; i < names.length; i++) if (names[i - 1]! >= names[i]!) return false;
  return true;
}

/** Constant-time equality of two optional secrets (both absent is equal). */
function sameSecret(expected: string | undefined, provided: string | undefined): boolean {
  if (expected === undefined || provided === undefined) return expected === provided;
  const a = createHash('sha256').update(expected, 'utf8').digest();
  const b = createHash('sha256').update(provided, 'utf8').digest();
  return timingSafeEqual(a, b);
}

function canonicalRequest(req: SignedRequest, signedHeaderNames: readonly string[], auth: AuthParts): string {
  const query = req.query
    .filter((p) => !(auth.presigned && p.key === 'X-Amz-Signature'))
    .map((p) => [uriEncode(p.key), uriEncode(p.value)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  let headers = '';
  for (const name of signedHeaderNames) {
    const values = req.headers.get(name);
    if (values === undefined) throw stsErrors.signatureMismatch();
    headers += `${name}:${values.map((v) => v.trim().replace(/\s+/g, ' ')).join(',')}\n`;
  }
  const payloadHash = req.body.length === 0 ? EMPTY_SHA256 : sha256Hex(req.body);
  return `${req.method}\n/\n${query}\n${headers}\n${auth.signedHeaders}\n${payloadHash}`;
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

const KEY_CACHE_LIMIT = 1024;
const keyCache = new Map<string, Buffer>();

/**
 * The SigV4 signing key for (secret, date, region, service), cached: the four-HMAC chain only changes
 * once a day per principal and region, so recomputing it per request would be waste.
 */
export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const id = `${date}\n${region}\n${service}\n${secret}`;
  let key = keyCache.get(id);
  if (key === undefined) {
    const kDate = createHmac('sha256', `AWS4${secret}`).update(date).digest();
    const kRegion = createHmac('sha256', kDate).update(region).digest();
    const kService = createHmac('sha256', kRegion).update(service).digest();
    key = createHmac('sha256', kService).update('aws4_request').digest();
    if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
    keyCache.set(id, key);
  }
  return key;
}
