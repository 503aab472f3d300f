/** The local STS, its principals, and tokens minted the way a real client mints them. */
import { once } from 'node:events';
import { createServer } from 'node:net';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mintToken } from '@callerid/mint';
import { startStsLocal, type Principal, type StsLocal } from '@callerid/sts-local';
import { afterAll, beforeAll } from 'vitest';

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

/** sts-local with `alice` and the `admin` session (the adapters' own tests). */
export function startSts(): Promise<StsLocal> {
  return startStsLocal({ principals: [alice, admin] });
}

/** What {@link useSts} provides to a test file, filled in before its first test. */
export interface StsFixture {
  readonly sts: StsLocal;
  readonly aliceToken: string;
  readonly adminToken: string;
}

/**
 * For a test file: starts {@link startSts} before its tests and mints a token each for alice and the
 * admin session; stops sts-local after them.
 */
export function useSts(): StsFixture {
  const fixture = {} as { sts: StsLocal; aliceToken: string; adminToken: string };
  beforeAll(async () => {
    fixture.sts = await startSts();
    [fixture.aliceToken, fixture.adminToken] = await Promise.all([tokenFor(alice), tokenFor(admin)]);
  });
  afterAll(async () => {
    await fixture.sts?.close();
  });
  return fixture;
}

/** `Authorization: Bearer <token>` as a headers object. */
export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Real AssumeRole against sts-local, through the AWS SDK. */
export async function assumeRole(sts: StsLocal, caller: Credentials, roleArn: string, sessionName: string): Promise<Credentials> {
  const client = new STSClient({ region: 'us-east-1', endpoint: sts.url, credentials: caller });
  try {
    const out = await client.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName }));
    const c = out.Credentials!;
    return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
  } finally {
    client.destroy();
  }
}

/** A token as `aws eks get-token` would mint it (regional us-east-1 endpoint). */
export async function tokenFor(credentials: Credentials, { audience = AUDIENCE, signingDate }: { audience?: string; signingDate?: Date } = {}): Promise<string> {
  return (await mintToken({ audience, region: 'us-east-1', credentials, ...(signingDate ? { signingDate } : {}) })).token;
}

/** The same token with one hex digit of its SigV4 signature changed. */
export function forgeSignature(token: string): string {
  const prefix = 'k8s-aws-v1.';
  const url = Buffer.from(token.slice(prefix.length), 'base64url').toString('utf8');
  const forged = url.replace(/(X-Amz-Signature=[0-9a-f]{63})([0-9a-f])/, (_m, head: string, last: string) => head + (last === '0' ? '1' : '0'));
  if (forged === url) throw new Error('no signature to forge');
  return prefix + Buffer.from(forged, 'utf8').toString('base64url');
}

/** A loopback URL nothing listens on (a port that was just free). */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return `http://127.0.0.1:${port}`;
}
