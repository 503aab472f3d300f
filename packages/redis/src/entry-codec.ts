/**
 * Cache entries as Redis values: a JSON array that starts with the format version, each field in a
 * fixed place. Reading a value back is most of what a shared-cache hit costs beyond its `GET`, and
 * an array of strings parses in about half the time of the same fields as an object (no property
 * names to read). Whatever does not read back as an entry of this version — a value written by
 * another version, a truncated or foreign value — is a miss, never an error and never half an
 * identity.
 *
 * - a verdict that admits: `[2, expiresAt, tokenType, arn, canonicalArn, accountId, partition,
 *   principalType, userId, expiresAtIso, region, sessionName, roleName, userName, …]`, absent
 *   optional fields as `null`, then a presigned identity's `stsHost, accessKeyId` or a web
 *   identity's `issuer, claims`;
 * - a remembered refusal: `[2, expiresAt, "error", code]`.
 */
import { ERROR_CODES, type CacheEntry, type CallerIdErrorCode, type Identity, type Partition, type PrincipalType, type WebIdentityClaims } from '@callerid/core';
import { FORMAT_VERSION } from './keys.js';

// Every identity's fields, in their places from index 3 on (index 2 holds the token type).
const REQUIRED = ['arn', 'canonicalArn', 'accountId', 'partition', 'principalType', 'userId', 'expiresAt'] as const;
const OPTIONAL = ['region', 'sessionName', 'roleName', 'userName'] as const;
// The fields of one kind of token, after the optional ones.
const KIND_FIELDS = { presigned: ['stsHost', 'accessKeyId'], 'web-identity': ['issuer', 'claims'] } as const;

const REGION = 3 + REQUIRED.length;
const KIND = REGION + OPTIONAL.length;
const ROW_LENGTH = KIND + 2;
const COMMON_FIELDS: ReadonlySet<string> = new Set(['tokenType', ...REQUIRED, ...OPTIONAL]);

/** A row as {@link decodeEntry} reads it, once its common fields have been checked. */
type Row = [number, number, string, string, string, string, Partition, PrincipalType, string, string, string | null, ...unknown[]];

/**
 * The value stored for `entry`, or `undefined` for an identity with a field this format has no place
 * for (storing it would hand other instances less than this one verified).
 */
export function encodeEntry(entry: CacheEntry): string | undefined {
  const { identity, error } = entry;
  if (error !== undefined) return JSON.stringify([FORMAT_VERSION, entry.expiresAt, 'error', error]);
  if (identity === undefined) return undefined;
  const kindFields: readonly string[] = KIND_FIELDS[identity.tokenType];
  if (Object.keys(identity).some((field) => !COMMON_FIELDS.has(field) && !kindFields.includes(field))) return undefined;
  const fields = identity as unknown as Record<string, unknown>;
  const row: unknown[] = [FORMAT_VERSION, entry.expiresAt, identity.tokenType];
  for (const field of REQUIRED) row.push(fields[field]);
  for (const field of OPTIONAL) row.push(fields[field] ?? null);
  for (const field of kindFields) row.push(fields[field]);
  return JSON.stringify(row);
}

/** The entry a stored value holds, or `undefined` for anything else. */
export function decodeEntry(value: unknown): CacheEntry | undefined {
  if (typeof value !== 'string') return undefined;
  let row: unknown;
  try {
    row = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (!Array.isArray(row) || row[0] !== FORMAT_VERSION) return undefined;
  const expiresAt: unknown = row[1];
  if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) return undefined;
  if (row[2] === 'error') return row.length === 4 && isErrorCode(row[3]) ? { expiresAt, error: row[3] } : undefined;
  const identity = row.length === ROW_LENGTH && hasCommonFields(row) ? identityOf(row) : undefined;
  return identity && { expiresAt, identity };
}

function hasCommonFields(row: unknown[]): row is Row {
  for (let i = 3; i < REGION; i++) if (typeof row[i] !== 'string') return false;
  for (let i = REGION; i < KIND; i++) if (row[i] !== null && typeof row[i] !== 'string') return false;
  return true;
}

// The identity of a row whose common fields are checked, or `undefined` when its kind's are wrong.
// One object literal per kind, in the layout's index order, as core builds identities: each kind gets
// one shape from its first property (this runs on every shared-cache hit), and absent optional
// fields stay absent properties.
function identityOf(row: Row): Identity | undefined {
  const tokenType = row[2];
  const region = row[REGION] as string | null;
  const first = row[KIND];
  const second = row[KIND + 1];
  let identity: Identity;
  if (tokenType === 'presigned' && region !== null && typeof first === 'string' && typeof second === 'string') {
    identity = { tokenType, arn: row[3], canonicalArn: row[4], accountId: row[5], partition: row[6], principalType: row[7], userId: row[8], expiresAt: row[9], region, stsHost: first, accessKeyId: second };
  } else if (tokenType === 'web-identity' && (row[7] === 'role' || row[7] === 'user') && typeof first === 'string' && isPlainObject(second)) {
    identity = { tokenType, arn: row[3], canonicalArn: row[4], accountId: row[5], partition: row[6], principalType: row[7], userId: row[8], expiresAt: row[9], issuer: first, claims: second };
    if (region !== null) identity.region = region;
  } else {
    return undefined;
  }
  if (row[REGION + 1] !== null) identity.sessionName = row[REGION + 1] as string;
  if (row[REGION + 2] !== null) identity.roleName = row[REGION + 2] as string;
  if (row[REGION + 3] !== null) identity.userName = row[REGION + 3] as string;
  return identity;
}

function isPlainObject(value: unknown): value is WebIdentityClaims {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isErrorCode(value: unknown): value is CallerIdErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}
