import type { Partition, PresignedIdentity, WebIdentity } from '../src/index.js';

// Where a presigned token of these fixtures was signed (the fields only presigned identities have).
const SIGNED = { stsHost: 'sts.amazonaws.com', region: 'us-east-1' } as const;

/** Identities as the verifier builds them from STS answers, for policy and mapping tests. */
export function userIdentity(name: string, { accountId = '111122223333', partition = 'aws', path = '' }: { accountId?: string; partition?: Partition; path?: string } = {}): PresignedIdentity {
  const arn = `arn:${partition}:iam::${accountId}:user/${path}${name}`;
  return {
    arn,
    canonicalArn: arn,
    accountId,
    partition,
    principalType: 'user',
    userId: 'AIDAEXAMPLEUSERID0001',
    userName: name,
    tokenType: 'presigned',
    ...SIGNED,
    accessKeyId: 'AKIAEXAMPLEUSERKEY01',
    expiresAt: '2030-01-01T00:14:00.000Z',
  };
}

export function assumedRoleIdentity(role: string, session: string, { accountId = '111122223333', partition = 'aws' }: { accountId?: string; partition?: Partition } = {}): PresignedIdentity {
  return {
    arn: `arn:${partition}:sts::${accountId}:assumed-role/${role}/${session}`,
    canonicalArn: `arn:${partition}:iam::${accountId}:role/${role}`,
    accountId,
    partition,
    principalType: 'assumed-role',
    userId: `AROAEXAMPLEROLEID0001:${session}`,
    roleName: role,
    sessionName: session,
    tokenType: 'presigned',
    ...SIGNED,
    accessKeyId: 'ASIAEXAMPLEROLEKEY01',
    expiresAt: '2030-01-01T00:14:00.000Z',
  };
}

/** A web identity caller: `sub` is the role ARN, which does carry the IAM path. */
export function webIdentityRole(path: string, role: string, { accountId = '111122223333' } = {}): WebIdentity {
  const arn = `arn:aws:iam::${accountId}:role/${path}${role}`;
  return {
    arn,
    canonicalArn: arn,
    accountId,
    partition: 'aws',
    principalType: 'role',
    userId: 'AROAEXAMPLEROLEID0002',
    roleName: role,
    tokenType: 'web-identity',
    expiresAt: '2030-01-01T00:14:00.000Z',
    issuer: 'https://example.tokens.sts.global.api.aws',
    claims: { aws_account: accountId },
  };
}

export function rootIdentity(accountId = '111122223333'): PresignedIdentity {
  const arn = `arn:aws:iam::${accountId}:root`;
  return { arn, canonicalArn: arn, accountId, partition: 'aws', principalType: 'root', userId: accountId, tokenType: 'presigned', ...SIGNED, accessKeyId: 'AKIAEXAMPLEROOTKEY01', expiresAt: '2030-01-01T00:14:00.000Z' };
}
