/**
 * Smoke test: `src/main.ts` run as a real process (default credential chain from the environment)
 * against the Express example API and a real sts-local, over loopback.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStsLocal, type StsLocal } from '@callerid/sts-local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The API this client calls: the Express example, imported by path (vitest maps @callerid/* to packages/).
import { createApp, type Api } from '../../express-api/src/app.js';

const EXAMPLE = 'client-fetch';
const AUDIENCE = 'payments-api';
const ADMIN_ROLE = 'arn:aws:iam::111122223333:role/payments-admin';
const alice = {
  accessKeyId: 'AKIAEXAMPLEALICE0001',
  secretAccessKey: 'example/alice/secret/key/for/tests/only0',
  arn: 'arn:aws:iam::111122223333:user/alice',
  userId: 'AIDAEXAMPLEALICE0001',
  account: '111122223333',
};
const adminSession = {
  accessKeyId: 'ASIAEXAMPLEADMIN0001',
  secretAccessKey: 'example/admin/session/secret/for/tests/0',
  sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLEadminSessionToken',
  arn: 'arn:aws:sts::111122223333:assumed-role/payments-admin/ops-oncall',
  userId: 'AROAEXAMPLEPAYADMIN1:ops-oncall',
  account: '111122223333',
};

let sts: StsLocal;
let api: Api;
let server: Server;
let url: string;

beforeAll(async () => {
  sts = await startStsLocal({ principals: [alice, adminSession] });
  api = createApp({ audience: AUDIENCE, stsEndpoint: sts.url, adminRoles: [ADMIN_ROLE] });
  server = createServer(api.app).listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await api?.close();
  await sts?.close();
});

const home = mkdtempSync(join(tmpdir(), `callerid-${EXAMPLE}-`));

/** Runs `src/main.ts` with `credentials` in the environment, as a user would with their own keys. */
async function runMain(credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: {
      PATH: process.env.PATH,
      HOME: home,
      AWS_CONFIG_FILE: join(home, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      ...(credentials.sessionToken ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
      CALLERID_API_URL: url,
      CALLERID_AUDIENCE: AUDIENCE,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

const stsCalls = () => sts.stats().actions.GetCallerIdentity?.requests ?? 0;

describe(EXAMPLE, () => {
  it('calls the API as an IAM user: one token, one STS call for both protected routes', async () => {
    const before = stsCalls();
    const { code, stdout, stderr } = await runMain(alice);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.trimEnd().split('\n')).toEqual([
      'GET /public → 200 {"hello":"anyone"}',
      `GET /whoami → 200 ${alice.arn}`,
      'GET /admin → 403 caller_not_allowed',
    ]);
    expect(stsCalls() - before).toBe(1);
    expect(stdout).not.toContain('k8s-aws-v1.');
  }, 60_000);

  it('calls the admin route as a session of the admin role', async () => {
    const { code, stdout } = await runMain(adminSession);
    expect(code).toBe(0);
    expect(stdout).toContain(`GET /whoami → 200 ${adminSession.arn}`);
    expect(stdout).toContain('GET /admin → 200 admin:ops-oncall');
  }, 60_000);
});
