/**
 * The smoke cases of the three example APIs (Express, Fastify, Koa), which serve the same routes with the
 * same answers: each example's test names its app and how to start it, and runs these against a real
 * sts-local over loopback. `src/server.ts` is also started as a child process (with PORT=0) to prove the
 * runnable entry point works too.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { StsLocal } from '@callerid/sts-local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT, ADMIN_ROLE, AUDIENCE, adminSession, alice, outsider } from './principals.js';
import type { Listening } from '../servers.js';
import { startDemoSts, tokenFor } from './sts.js';

/** What every example's `createApp` takes (its `ApiOptions`). */
export interface ExampleApiOptions {
  audience: string;
  stsEndpoint: string;
  accounts: readonly string[];
  adminRoles: readonly string[];
}

/** Builds the example's app with `options` and has it listen on port 0 of 127.0.0.1. */
export type StartExampleApi = (options: ExampleApiOptions) => Promise<Pick<Listening, 'url' | 'close'>>;

/**
 * Runs the shared smoke cases as `describe(name)`: `start` builds the app in-process; `exampleDir` (the
 * example's folder, `new URL('..', import.meta.url)` from its test) holds the `src/server.ts` run as a process.
 */
export function describeExampleApi(name: string, exampleDir: URL, start: StartExampleApi): void {
  describe(name, () => {
    let sts: StsLocal;
    let api: Pick<Listening, 'url' | 'close'>;

    beforeAll(async () => {
      sts = await startDemoSts();
      api = await start({ audience: AUDIENCE, stsEndpoint: sts.url, accounts: [ACCOUNT], adminRoles: [ADMIN_ROLE] });
    });

    afterAll(async () => {
      await api?.close();
      await sts?.close();
    });

    async function get(path: string, token?: string) {
      const res = await fetch(api.url + path, token ? { headers: { authorization: `Bearer ${token}` } } : {});
      return { status: res.status, challenge: res.headers.get('www-authenticate'), body: (await res.json()) as Record<string, unknown> };
    }

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
      const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('src/server.ts', exampleDir))], {
        cwd: fileURLToPath(exampleDir),
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
}
