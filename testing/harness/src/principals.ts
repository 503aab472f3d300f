/**
 * The principals the package and integration tests sign as: throwaway keys that only the test's
 * sts-local knows. (The examples' own identities are in `examples/principals.ts`.)
 */
import type { Principal } from '@callerid/sts-local';

export const AUDIENCE = 'payments-api';
export const ACCT = '111122223333';

export const alice: Principal = {
  accessKeyId: 'AKIAALICEEXAMPLE0001',
  secretAccessKey: 'alice/secret+key/for/tests/only/00000000',
  arn: `arn:aws:iam::${ACCT}:user/alice`,
  userId: 'AIDAALICEEXAMPLE0001',
  account: ACCT,
};

/** An IAM user allowed to assume every role of the account (sts-local's default). */
export const ci: Principal = {
  accessKeyId: 'AKIACIEXAMPLEUSER001',
  secretAccessKey: 'ci/secret+key/for/tests/only/0000000000000',
  arn: `arn:aws:iam::${ACCT}:user/ci`,
  userId: 'AIDACIEXAMPLEUSER001',
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

/** What a caller signs with: the keys, and the session token of temporary ones. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}
