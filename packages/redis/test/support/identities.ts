/** A verified identity as core builds it, for tests that store and read verdicts without verifying. */
import type { PresignedIdentity } from '@callerid/core';

/** Alice, an IAM user, as a presigned token verifies her. */
export const aliceIdentity: PresignedIdentity = {
  arn: 'arn:aws:iam::123456789012:user/alice',
  canonicalArn: 'arn:aws:iam::123456789012:user/alice',
  accountId: '123456789012',
  partition: 'aws',
  principalType: 'user',
  userId: 'AIDAEXAMPLEALICE0001',
  userName: 'alice',
  tokenType: 'presigned',
  stsHost: 'sts.eu-west-1.amazonaws.com',
  accessKeyId: 'AKIAEXAMPLEALICEKEY1',
  region: 'eu-west-1',
  expiresAt: '2026-12-04T16:00:00.000Z',
};
