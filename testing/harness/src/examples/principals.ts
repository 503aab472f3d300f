/**
 * The identities the example tests sign as: throwaway keys that only the test's sts-local knows. The API
 * examples let in account `ACCOUNT` and map sessions of `ADMIN_ROLE` to the `admins` group.
 */
import type { Principal } from '@callerid/sts-local';

/** The audience every example API is configured with and every client example mints for. */
export const AUDIENCE = 'payments-api';
/** The one account the API examples let in (when configured with `accounts`). */
export const ACCOUNT = '111122223333';
/** Sessions of this role are the admins. */
export const ADMIN_ROLE = 'arn:aws:iam::111122223333:role/payments-admin';

/** An IAM user of `ACCOUNT`. */
export const alice = {
  accessKeyId: 'AKIAEXAMPLEALICE0001',
  secretAccessKey: 'example/alice/secret/key/for/tests/only0',
  arn: 'arn:aws:iam::111122223333:user/alice',
  userId: 'AIDAEXAMPLEALICE0001',
  account: '111122223333',
} as const satisfies Principal;

/** A session (`ops-oncall`) of `ADMIN_ROLE`, with temporary keys and a session token. */
export const adminSession = {
  accessKeyId: 'ASIAEXAMPLEADMIN0001',
  secretAccessKey: 'example/admin/session/secret/for/tests/0',
  sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLEadminSessionToken',
  arn: 'arn:aws:sts::111122223333:assumed-role/payments-admin/ops-oncall',
  userId: 'AROAEXAMPLEPAYADMIN1:ops-oncall',
  account: '111122223333',
} as const satisfies Principal;

/** An IAM user of another account, which `accounts: [ACCOUNT]` keeps out. */
export const outsider = {
  accessKeyId: 'AKIAEXAMPLEOUTSIDER1',
  secretAccessKey: 'example/outsider/secret/key/for/tests/00',
  arn: 'arn:aws:iam::444455556666:user/mallory',
  userId: 'AIDAEXAMPLEOUTSIDER1',
  account: '444455556666',
} as const satisfies Principal;

/** What a caller signs with: the keys, and the session token of temporary ones. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}
