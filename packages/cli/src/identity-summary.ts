/** The readable (non-JSON) rendering of a verified `Identity`. */
import type { Identity, PresignedIdentity, WebIdentity } from '@callerid/core';

/** A field of any kind of identity (the kinds differ: only presigned ones have `stsHost`, only web identities `issuer`). */
type Field = keyof PresignedIdentity | keyof WebIdentity;

const LABELS: ReadonlyArray<[Field, string]> = [
  ['arn', 'arn'],
  ['canonicalArn', 'canonical arn'],
  ['accountId', 'account'],
  ['partition', 'partition'],
  ['principalType', 'type'],
  ['userId', 'user id'],
  ['userName', 'user'],
  ['roleName', 'role'],
  ['sessionName', 'session'],
  ['username', 'username'],
  ['groups', 'groups'],
  ['tokenType', 'token'],
  ['stsHost', 'sts host'],
  ['region', 'region'],
  ['issuer', 'issuer'],
  ['expiresAt', 'expires'],
];

/** One `label  value` line per field that is set. */
export function formatIdentity(identity: Identity): string {
  const lines: string[] = [];
  for (const [key, label] of LABELS) {
    const value = (identity as Partial<Record<Field, string | string[] | object>>)[key];
    if (value === undefined || value === null) continue;
    lines.push(`${label.padEnd(14)}${Array.isArray(value) ? value.join(', ') : typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
  }
  if (identity.tokenType === 'web-identity') lines.push(`${'claims'.padEnd(14)}${JSON.stringify(identity.claims)}`);
  return `${lines.join('\n')}\n`;
}
