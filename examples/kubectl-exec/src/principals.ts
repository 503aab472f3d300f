/**
 * The example's fake AWS principals (sts-local accepts their signatures; AWS never would) and the
 * aws-auth style mapping the stand-in API server applies: the IAM user alice, and any session of the
 * payments-admin role.
 */
import type { MappingEntry } from '@callerid/core';

export const alice = {
  accessKeyId: 'AKIAEXAMPLEKUBEALICE',
  secretAccessKey: 'example/kubectl/alice/secret/for/tests/00',
  arn: 'arn:aws:iam::111122223333:user/alice',
  userId: 'AIDAEXAMPLEKUBEALICE',
  account: '111122223333',
};

export const adminSession = {
  accessKeyId: 'ASIAEXAMPLEKUBEADMIN',
  secretAccessKey: 'example/kubectl/admin/secret/for/tests/00',
  sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLEkubectlAdminSession',
  arn: 'arn:aws:sts::111122223333:assumed-role/payments-admin/ops-oncall',
  userId: 'AROAEXAMPLEKUBEADMIN:ops-oncall',
  account: '111122223333',
};

/** What EKS's aws-auth ConfigMap would say (mapUsers / mapRoles). */
export const MAP: MappingEntry[] = [
  { arn: alice.arn, username: 'alice', groups: ['developers'] },
  { arn: 'arn:aws:iam::111122223333:role/payments-admin', username: 'admin:{{SessionName}}', groups: ['system:masters'] },
];

/** The environment variables that make the AWS tools (and callerid) sign as `principal`. */
export function envOf(principal: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: principal.accessKeyId,
    AWS_SECRET_ACCESS_KEY: principal.secretAccessKey,
    ...(principal.sessionToken ? { AWS_SESSION_TOKEN: principal.sessionToken } : {}),
  };
}
