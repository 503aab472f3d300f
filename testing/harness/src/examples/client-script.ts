/**
 * The smoke cases of the three client examples (fetch, axios, undici), which print the same lines: each
 * runs its `src/main.ts` as a real process (default credential chain from the environment) against the
 * Express example API (which the test passes in) and a real sts-local, over loopback.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type RequestListener } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StsLocal } from '@callerid/sts-local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childOutput, type ChildOutput } from './child-output.js';
import { ADMIN_ROLE, AUDIENCE, adminSession, alice, type Credentials } from './principals.js';
import { listening, type Listening } from '../servers.js';
import { startDemoSts } from './sts.js';

export interface ClientScriptRun {
  /** The API the script calls (`CALLERID_API_URL`). */
  apiUrl: string;
  /** Put in the environment as `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN`. */
  credentials: Credentials;
  /** `HOME` for the script: an empty folder, so no AWS config or credentials file is found there. */
  home: string;
}

/**
 * Runs `src/main.ts` of the example in `exampleDir` with `credentials` in the environment, as a user would
 * with their own keys. Of this process's environment only PATH is passed on.
 */
export function runClientScript(exampleDir: URL, { apiUrl, credentials, home }: ClientScriptRun): Promise<ChildOutput> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: fileURLToPath(exampleDir),
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
      CALLERID_API_URL: apiUrl,
      CALLERID_AUDIENCE: AUDIENCE,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return childOutput(child);
}

/** The API the clients call: the Express example's `createApp` (its app is a Node request listener). */
export type CreateNodeApi = (options: { audience: string; stsEndpoint: string; adminRoles: readonly string[] }) => {
  app: RequestListener;
  close(): Promise<void>;
};

/**
 * Runs the shared client cases as `describe(name)` for the example in `exampleDir`
 * (`new URL('..', import.meta.url)` from its test), calling the API `createApp` builds.
 */
export function describeClientScript(name: string, exampleDir: URL, createApp: CreateNodeApi): void {
  describe(name, () => {
    let sts: StsLocal;
    let api: Listening;

    beforeAll(async () => {
      sts = await startDemoSts([alice, adminSession]);
      const { app, close } = createApp({ audience: AUDIENCE, stsEndpoint: sts.url, adminRoles: [ADMIN_ROLE] });
      api = await listening(createServer(app).listen(0, '127.0.0.1'), close);
    });

    afterAll(async () => {
      await api?.close();
      await sts?.close();
    });

    const home = mkdtempSync(join(tmpdir(), `callerid-${name}-`));
    const runMain = (credentials: Credentials) => runClientScript(exampleDir, { apiUrl: api.url, credentials, home });
    const stsCalls = () => sts.stats().actions.GetCallerIdentity?.requests ?? 0;

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
}
