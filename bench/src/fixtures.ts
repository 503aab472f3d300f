/**
 * The identities, keys and names every group shares. The keys are fake: they only sign requests that go
 * to sts-local on loopback (or nowhere at all).
 */
import type { Principal } from '@callerid/sts-local';

export const ACCOUNT = '111122223333';
export const REGION = 'us-west-2';
/** The presigned tokens' audience (`x-k8s-aws-id`). */
export const AUDIENCE = 'bench-api';
/** The web identity tokens' `aud`. */
export const JWT_AUDIENCE = 'https://bench-api.example.com';

/** An IAM user sts-local knows; every token in the bench is signed with its keys. */
export const USER: Principal = {
  accessKeyId: 'AKIAXCALLERIDBENCH01',
  secretAccessKey: 'bench/secret/Key+0123456789abcdefghijklmn',
  arn: `arn:aws:iam::${ACCOUNT}:user/bench-user`,
  userId: 'AIDAXCALLERIDBENCH01',
  account: ACCOUNT,
};

export const PRINCIPALS: readonly Principal[] = [USER];

/** Static credentials for `mintToken` and the client (what the AWS SDK calls an `AwsCredentialIdentity`). */
export const CREDENTIALS = { accessKeyId: USER.accessKeyId, secretAccessKey: USER.secretAccessKey };

const TOKEN_PREFIX = 'k8s-aws-v1.';

/**
 * The presigned `GetCallerIdentity` request inside a token, as a load generator sends it to sts-local:
 * the path and query, and the headers a verifier adds (`Host` is the real STS host the URL was signed for).
 */
export function presignedRequest(token: string): { path: string; headers: Record<string, string> } {
  const url = new URL(Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url').toString('utf8'));
  return {
    path: `${url.pathname}${url.search}`,
    headers: { host: url.host, 'x-k8s-aws-id': AUDIENCE, accept: 'application/json' },
  };
}
