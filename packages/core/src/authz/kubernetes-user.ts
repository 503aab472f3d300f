/**
 * The Kubernetes `UserInfo` of a mapped caller, in the exact shape aws-iam-authenticator answers a
 * TokenReview with, so RBAC bindings and audit pipelines written for it keep working unchanged.
 */
import type { Identity } from './identity.js';

/** `status.user` of a TokenReview: `extra` values are lists of strings, as the Kubernetes API defines them. */
export interface KubernetesUserInfo {
  username: string;
  uid: string;
  groups: string[];
  extra: Record<string, string[]>;
}

/** Options for {@link kubernetesUserInfo}. */
export interface KubernetesUserInfoOptions {
  /** The first part of `uid` (`<prefix>:<account>:<principal id>`). Default `aws-iam-authenticator`. */
  uidPrefix?: string;
}

/** The `extra` key aws-iam-authenticator also sets, besides its short ones. */
export const AIA_PRINCIPAL_ID_EXTRA = 'sigs.k8s.io/aws-iam-authenticator/principalId';

/**
 * The Kubernetes user of a caller that the mapping gave a `username` (throws a `TypeError` otherwise:
 * an unmapped caller is not a Kubernetes user). The principal id is STS's `UserId` without the session
 * part for roles (`AROA…`), whole for users, root and federated users — as aws-iam-authenticator does.
 *
 * @example
 * ```ts
 * const user = kubernetesUserInfo(mapped);
 * // { username: 'admin:jane', uid: 'aws-iam-authenticator:111122223333:AROA…', groups: [...], extra: { arn: [...], … } }
 * ```
 */
export function kubernetesUserInfo(identity: Identity, options: KubernetesUserInfoOptions = {}): KubernetesUserInfo {
  const { username } = identity;
  if (typeof username !== 'string' || username === '') throw new TypeError('kubernetesUserInfo needs a mapped identity (with a username)');
  const uidPrefix = options.uidPrefix ?? 'aws-iam-authenticator';
  const principalId = principalIdOf(identity);
  return {
    username,
    uid: `${uidPrefix}:${identity.accountId}:${principalId}`,
    groups: [...(identity.groups ?? [])],
    extra: {
      arn: [identity.arn],
      canonicalArn: [identity.canonicalArn],
      sessionName: [identity.sessionName ?? ''],
      accessKeyId: [identity.tokenType === 'presigned' ? identity.accessKeyId : ''],
      principalId: [principalId],
      [AIA_PRINCIPAL_ID_EXTRA]: [principalId],
    },
  };
}

function principalIdOf(identity: Identity): string {
  if (identity.principalType !== 'assumed-role' && identity.principalType !== 'role') return identity.userId;
  const colon = identity.userId.indexOf(':');
  return colon === -1 ? identity.userId : identity.userId.slice(0, colon);
}
