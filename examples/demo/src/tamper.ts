/** Forgeries for the demo's refusal steps. */
import { PRESIGNED_TOKEN_PREFIX } from '@callerid/core';

/** The same token with the last hex digit of its SigV4 signature changed: well-formed, but forged. */
export function tamperSignature(token: string): string {
  const url = Buffer.from(token.slice(PRESIGNED_TOKEN_PREFIX.length), 'base64url').toString('utf8');
  const forged = url.replace(/(X-Amz-Signature=[0-9a-f]{63})([0-9a-f])/, (_m, head: string, last: string) => head + (last === '0' ? '1' : '0'));
  if (forged === url) throw new Error('the token carries no signature to tamper with');
  return PRESIGNED_TOKEN_PREFIX + Buffer.from(forged, 'utf8').toString('base64url');
}
