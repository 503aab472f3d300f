/** What the server tests share: sts-local with test principals, a server on a free port, log capture. */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { mintToken } from '@callerid/mint';
import type { Principal, StsLocal } from '@callerid/sts-local';
import { useStsLocal as useSts, useTempDir } from '@callerid/test-harness';
import { afterAll } from 'vitest';
import { createServer, type CallerIdServer, type CreateServerOptions } from '../src/index.js';

export const ACCT = '111122223333';
export const PARTNER = '444455556666';

const principal = (name: string, arn: string, userId: string, temporary = false, account = ACCT): Principal => ({
  accessKeyId: `${temporary ? 'ASIA' : 'AKIA'}${name.toUpperCase().padEnd(16, '0').slice(0, 16)}`,
  secretAccessKey: `${name}/secret/key/for/tests/only/0000000000`.slice(0, 40),
  ...(temporary ? { sessionToken: `FwoGZXIvYXdzE${name}SessionTokenForTestsOnly=` } : {}),
  arn,
  userId,
  account,
});

/** Principals shaped after aws-iam-authenticator's own mapping tests. */
export const P = {
  admin: principal('adminuser', `arn:aws:iam::${ACCT}:user/admin`, 'AIDAADMINUSEREXAMPLE1'),
  bob: principal('bobuser', `arn:aws:iam::${ACCT}:user/bob`, 'AIDABOBUSEREXAMPLE001'),
  kubeAdmin: principal('kubeadmin', `arn:aws:sts::${ACCT}:assumed-role/KubernetesAdmin/alice@example.com`, 'AROAKUBEADMINEXAMPLE:alice@example.com', true),
  node: principal('kubenode', `arn:aws:sts::${ACCT}:assumed-role/KubernetesNode/i-0123456789abcdef0`, 'AROAKUBENODEEXAMPLE1:i-0123456789abcdef0', true),
  pathed: principal('pathedadmin', `arn:aws:sts::${ACCT}:assumed-role/PlatformAdmin/jane`, 'AROAPLATFORMADMIN001:jane', true),
  partner: principal('partner', `arn:aws:iam::${PARTNER}:user/eve`, 'AIDAPARTNEREVE000001', false, PARTNER),
};

/** A temporary folder, removed after the file's tests. */
export function tempDir(prefix = 'callerid-server-'): string {
  return useTempDir(prefix);
}

/** sts-local with {@link P}, stopped after the file's tests. */
export function useStsLocal(): { readonly sts: StsLocal } {
  return useSts({ principals: Object.values(P) });
}

/** A token minted the way `aws eks get-token` mints one, for `audience`. */
export async function tokenOf(p: Principal, audience: string, signingDate?: Date): Promise<string> {
  const credentials = { accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey, ...(p.sessionToken ? { sessionToken: p.sessionToken } : {}) };
  return (await mintToken({ audience, region: 'us-east-1', credentials, ...(signingDate ? { signingDate } : {}) })).token;
}

/** A token printed by the real AWS CLI (`aws eks get-token`), over `p`'s keys. */
export async function awsCliToken(p: Principal, clusterName: string): Promise<string> {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: tmpdir(),
    AWS_ACCESS_KEY_ID: p.accessKeyId,
    AWS_SECRET_ACCESS_KEY: p.secretAccessKey,
    ...(p.sessionToken ? { AWS_SESSION_TOKEN: p.sessionToken } : {}),
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_STS_REGIONAL_ENDPOINTS: 'regional',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  };
  const child = spawn('aws', ['eks', 'get-token', '--cluster-name', clusterName, '--output', 'json'], { env });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(`aws eks get-token failed (${code}): ${err}`);
  return (JSON.parse(out) as { status: { token: string } }).status.token;
}

/** Whether the real AWS CLI is installed (CI installs it; a machine without it skips those cases). */
export const HAS_AWS_CLI = spawnSync('aws', ['--version'], { stdio: 'ignore' }).status === 0;

/** A writable stream that keeps the JSON log lines written to it. */
export function logCapture(): { stream: Writable; lines: Record<string, unknown>[]; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return {
    stream,
    get lines() {
      return chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    text: () => chunks.join(''),
  };
}

/** Writes `callerid.yaml` into `dir`, creates the server, starts it on a free port; closed after the file's tests. */
export async function startServer(dir: string, yaml: string, options: CreateServerOptions = {}): Promise<{ server: CallerIdServer; url: string }> {
  const file = join(dir, 'callerid.yaml');
  writeFileSync(file, yaml);
  const server = await createServer(file, options);
  afterAll(() => server.close());
  const url = await server.listen();
  return { server, url };
}
