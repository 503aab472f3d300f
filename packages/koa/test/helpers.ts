/** sts-local with two principals, and tokens minted by core, for this adapter's tests. */
import { mintToken } from '@callerid/core';
import { startStsLocal, type Principal, type StsLocal } from '@callerid/sts-local';

export const AUDIENCE = 'payments-api';
export const ACCT = '111122223333';

export const alice: Principal = {
  accessKeyId: 'AKIAALICEEXAMPLE0001',
  secretAccessKey: 'alice/secret+key/for/tests/only/00000000',
  arn: `arn:aws:iam::${ACCT}:user/alice`,
  userId: 'AIDAALICEEXAMPLE0001',
  account: ACCT,
};

/** An assumed-role session of `payments-admin`, as AssumeRole would have issued it. */
export const admin: Principal = {
  accessKeyId: 'ASIAADMINSESSION0001',
  secretAccessKey: 'admin/session/secret/for/tests/only/00000',
  sessionToken: 'FwoGZXIvYXdzEAdminSessionTokenForTestsOnly0000=',
  arn: `arn:aws:sts::${ACCT}:assumed-role/payments-admin/jane@example.com`,
  userId: 'AROAADMINROLEEXAMPLE:jane@example.com',
  account: ACCT,
};

export function startSts(): Promise<StsLocal> {
  return startStsLocal({ principals: [alice, admin] });
}

export async function tokenFor(principal: Principal, audience = AUDIENCE): Promise<string> {
  const { accessKeyId, secretAccessKey, sessionToken } = principal;
  const credentials = sessionToken === undefined ? { accessKeyId, secretAccessKey } : { accessKeyId, secretAccessKey, sessionToken };
  return (await mintToken({ audience, region: 'us-east-1', credentials })).token;
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}
