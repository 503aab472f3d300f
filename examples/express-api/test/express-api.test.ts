/**
 * Smoke test: the example API against a real sts-local, over loopback. `createApp` is tested in-process;
 * `server.ts` is started as a child process (with PORT=0) to prove the runnable entry point works too.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { mintToken } from '@callerid/core';
import { startStsLocal, type StsLocal } from '@callerid/sts-local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type Api } from '../src/app.js';

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
const outsider = {
  accessKeyId: 'AKIAEXAMPLEOUTSIDER1',
  secretAccessKey: 'example/outsider/secret/key/for/tests/00',
  arn: 'arn:aws:iam::444455556666:user/mallory',
  userId: 'AIDAEXAMPLEOUTSIDER1',
  account: '444455556666',
};

const tokenFor = async (principal: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }, audience = AUDIENCE) =>
  (await mintToken({ audience, region: 'us-east-1', credentials: principal })).token;

let sts: StsLocal;
let api: Api;
let server: Server;
let url: string;

beforeAll(async () => {
  sts = await startStsLocal({ principals: [alice, adminSession, outsider] });
  api = createApp({ audience: AUDIENCE, stsEndpoint: sts.url, accounts: ['111122223333'], adminRoles: [ADMIN_ROLE] });
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

async function get(path: string, token?: string) {
  const res = await fetch(url + path, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  return { status: res.status, challenge: res.headers.get('www-authenticate'), body: (await res.json()) as Record<string, unknown> };
}

describe('express-api', () => {
  it('serves /public to anyone', async () => {
    expect(await get('/public')).toMatchObject({ status: 200, body: { hello: 'anyone' } });
  });

  it('answers 401 with a bare Bearer challenge when there is no token', async () => {
    const res = await get('/whoami');
    expect(res.status).toBe(401);
    expect(res.challenge).toBe('Bearer realm="callerid"');
    expect(res.body).toMatchObject({ code: 'token_missing' });
  });

  it('returns the verified caller on /whoami', async () => {
    const res = await get('/whoami', await tokenFor(alice));
    expect(res.status).toBe(200);
    expect(res.body.caller).toMatchObject({ arn: alice.arn, canonicalArn: alice.arn, accountId: '111122223333', principalType: 'user', userName: 'alice' });
  });

  it('keeps /admin for sessions of the admin role (map → group admins)', async () => {
    expect((await get('/admin', await tokenFor(alice))).status).toBe(403);
    const res = await get('/admin', await tokenFor(adminSession));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ admin: 'admin:ops-oncall', caller: { canonicalArn: ADMIN_ROLE, sessionName: 'ops-oncall', groups: ['admins'] } });
  });

  it('refuses other accounts (allow) with 403, and tokens for another audience with 401', async () => {
    const denied = await get('/whoami', await tokenFor(outsider));
    expect(denied.status).toBe(403);
    expect(denied.challenge).toContain('error="insufficient_scope"');
    const wrongAudience = await get('/whoami', await tokenFor(alice, 'another-api'));
    expect(wrongAudience.status).toBe(401);
    expect(wrongAudience.challenge).toContain('error="invalid_token"');
  });

  it('runs as a server from src/server.ts, configured by the environment', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../src/server.ts', import.meta.url))], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', CALLERID_AUDIENCE: AUDIENCE, CALLERID_STS_ENDPOINT: sts.url, CALLERID_ADMIN_ROLES: ADMIN_ROLE },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = once(child, 'exit');
    try {
      const [line] = (await once(child.stdout, 'data')) as [Buffer];
      const base = /listening on (http:\/\/\S+)/.exec(line.toString())?.[1];
      expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${base}/admin`, { headers: { authorization: `Bearer ${await tokenFor(adminSession)}` } });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ admin: 'admin:ops-oncall' });
    } finally {
      child.kill('SIGTERM');
    }
    const [code, signal] = (await exited) as [number | null, string | null];
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  }, 60_000);
});
