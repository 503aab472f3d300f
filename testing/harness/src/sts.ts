/** The local STS, its principals, and tokens minted the way a real client mints them. */
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mintToken } from '@callerid/mint';
import { startStsLocal, type StsLocal, type StsLocalOptions } from '@callerid/sts-local';
import { afterAll, beforeAll } from 'vitest';
import { once } from './cleanup.js';
import { admin, alice, AUDIENCE, type Credentials } from './principals.js';

/** sts-local with `alice` and the `admin` session (the adapters' own tests). */
export function startSts(): Promise<StsLocal> {
  return startStsLocal({ principals: [alice, admin] });
}

/**
 * For a test file: sts-local started with `options` (default: alice and the admin session) before its
 * tests and stopped after them. `fixture.sts.close()` may be called by an outage test; the file's
 * cleanup then has nothing left to do (the close is idempotent).
 */
export function useStsLocal(options: StsLocalOptions = { principals: [alice, admin] }): { readonly sts: StsLocal } {
  const fixture = {} as { sts: StsLocal };
  beforeAll(async () => {
    const sts = await startStsLocal(options);
    fixture.sts = { ...sts, close: once(() => sts.close()) };
  });
  afterAll(async () => {
    await fixture.sts?.close();
  });
  return fixture;
}

/** What {@link useSts} provides to a test file, filled in before its first test. */
export interface StsFixture {
  readonly sts: StsLocal;
  readonly aliceToken: string;
  readonly adminToken: string;
}

/**
 * For a test file: {@link useStsLocal} with alice and the admin session, and a token minted for each
 * before the first test.
 */
export function useSts(): StsFixture {
  const local = useStsLocal();
  const fixture = {
    get sts() {
      return local.sts;
    },
  } as { readonly sts: StsLocal; aliceToken: string; adminToken: string };
  beforeAll(async () => {
    [fixture.aliceToken, fixture.adminToken] = await Promise.all([tokenFor(alice), tokenFor(admin)]);
  });
  return fixture;
}

/** `Authorization: Bearer <token>` as a headers object. */
export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
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
