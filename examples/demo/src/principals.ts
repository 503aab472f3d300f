/**
 * The demo's identities in sts-local: an IAM user with long-term keys, and a role that user may assume.
 * The keys are fake; they are valid only against this local STS.
 */
import type { Principal } from '@callerid/sts-local';

export const ACCOUNT = '111122223333';

/** The role alice may assume; its sessions are the API's admins. */
export const ADMIN_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/payments-admin`;

/** An IAM user. `canAssume` lets her call AssumeRole on the admin role (and nothing else). */
export const ALICE: Principal = {
  accessKeyId: 'AKIADEMOALICE0000001',
  secretAccessKey: 'demo/alice/secret/valid/only/at/sts-local0',
  arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
  userId: 'AIDADEMOALICE0000001',
  account: ACCOUNT,
  canAssume: [ADMIN_ROLE_ARN],
};

/** Alice's keys, as a client holds them. */
export const ALICE_CREDENTIALS = { accessKeyId: ALICE.accessKeyId, secretAccessKey: ALICE.secretAccessKey };
