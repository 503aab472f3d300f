/** sts-local with one IAM user, and fresh tokens for it; STS calls counted from sts-local's stats. */
import { mintToken } from '@callerid/mint';
import { startStsLocal, type StsLocal } from '@callerid/sts-local';

export const alice = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  arn: 'arn:aws:iam::123456789012:user/alice',
  userId: 'AIDAEXAMPLEALICE0001',
  account: '123456789012',
};

export function startSts(latencyMs = 0): Promise<StsLocal> {
  return startStsLocal({ principals: [alice], ...(latencyMs ? { faults: { latencyMs } } : {}) });
}

let audiences = 0;
/** A token for a new audience: never seen by any cache. */
export async function freshToken(): Promise<{ audience: string; token: string }> {
  const audience = `api-${process.pid}-${++audiences}-${Date.now()}`;
  const { token } = await mintToken({ audience, region: 'eu-west-1', credentials: alice });
  return { audience, token };
}

/** `GetCallerIdentity` requests sts-local has answered so far. */
export function stsCalls(sts: StsLocal): number {
  return sts.stats().actions.GetCallerIdentity?.requests ?? 0;
}
