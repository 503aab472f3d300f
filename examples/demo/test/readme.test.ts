/**
 * The root README's first screen is real: the two set-up commands, then the server and client snippets,
 * which are `examples/express-api/src/quickstart.ts` and `examples/client-fetch/src/quickstart.ts` byte
 * for byte — and this test runs those two files against each other and a real sts-local. The only help
 * they get is the test's: the server's `listen(8080)` is moved to a free loopback port, and the client's
 * `http://localhost:8080` is sent there.
 */
import { readFileSync } from 'node:fs';
import { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { mintToken } from '@callerid/mint';
import { startStsLocal, type StsLocal } from '@callerid/sts-local';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EXPECTED_STEPS } from './expected-steps.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const README = readFileSync(`${ROOT}README.md`, 'utf8');

/** The snippets marked `<!-- readme-snippet: <file> -->`, in order. */
const SNIPPETS = [...README.matchAll(/<!-- readme-snippet: (\S+) -->\n```ts\n([\s\S]*?)```\n/g)].map(([, file, code]) => ({ file: file!, code: code! }));
const FIRST_SCREEN = README.slice(0, README.indexOf('\n## '));

const alice = {
  accessKeyId: 'AKIAEXAMPLEREADME001',
  secretAccessKey: 'example/readme/alice/secret/for/tests/00',
  arn: 'arn:aws:iam::111122223333:user/alice',
  userId: 'AIDAEXAMPLEREADME001',
  account: '111122223333',
};
const adminSession = {
  accessKeyId: 'ASIAEXAMPLEREADME002',
  secretAccessKey: 'example/readme/admin/secret/for/tests/00',
  sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLEreadmeAdminSession',
  arn: 'arn:aws:sts::111122223333:assumed-role/payments-admin/ops-oncall',
  userId: 'AROAEXAMPLEREADME002:ops-oncall',
  account: '111122223333',
};

describe('README first screen', () => {
  it('is one sentence, the two set-up commands, then the server and client snippets', () => {
    expect(FIRST_SCREEN.startsWith('# callerid\n\n**callerid ')).toBe(true);
    const commands = /```sh\n([\s\S]*?)```/.exec(FIRST_SCREEN)?.[1]?.trimEnd().split('\n').map((line) => line.replace(/\s+#.*$/, ''));
    expect(commands).toEqual(['npm i -g pnpm@10 && pnpm install && pnpm demo', 'npm i -g pnpm@10 && pnpm install && pnpm test']);
    expect(SNIPPETS.map((s) => s.file)).toEqual(['examples/express-api/src/quickstart.ts', 'examples/client-fetch/src/quickstart.ts']);
    for (const { code } of SNIPPETS) expect(FIRST_SCREEN).toContain(code);
    expect(SNIPPETS[0]!.code.trimEnd().split('\n').length).toBeLessThanOrEqual(10);
    expect(SNIPPETS[1]!.code.trimEnd().split('\n').length).toBeLessThanOrEqual(5);
  });

  it('shows snippets that are the example files, byte for byte', () => {
    for (const { file, code } of SNIPPETS) expect(code, file).toBe(readFileSync(ROOT + file, 'utf8'));
  });

  it("shows the demo's six steps as the demo prints them, and has a Performance section", () => {
    expect(README.split('\n').filter((line) => /^[✔✘] \d\. /.test(line))).toEqual(EXPECTED_STEPS);
    expect(README).toMatch(/\n## Performance\n/);
  });
});

describe('README snippets, run', () => {
  let sts: StsLocal;
  let server: Server | undefined;
  let url: string;

  beforeAll(async () => {
    sts = await startStsLocal({ principals: [alice, adminSession] });
    vi.stubEnv('CALLERID_STS_ENDPOINT', sts.url);
    const listen = Server.prototype.listen as (this: Server, port: number, host: string) => Server;
    const started: Server[] = [];
    const spy = vi.spyOn(Server.prototype, 'listen').mockImplementation(function (this: Server) {
      started.push(this);
      return listen.call(this, 0, '127.0.0.1');
    });
    try {
      await import('../../express-api/src/quickstart.js');
    } finally {
      spy.mockRestore();
    }
    server = started[0];
    if (!server) throw new Error('the server snippet did not listen');
    if (!server.listening) await new Promise((resolve) => server!.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    vi.unstubAllGlobals();
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await sts?.close();
  });

  const get = async (path: string, principal?: typeof alice) => {
    const headers: Record<string, string> = principal ? { authorization: `Bearer ${(await mintToken({ audience: 'payments-api', region: 'us-east-1', credentials: principal })).token}` } : {};
    const res = await fetch(url + path, { headers });
    return { status: res.status, challenge: res.headers.get('www-authenticate'), body: (await res.json()) as { caller?: { arn: string } } };
  };

  it('the server snippet: /public for anyone, /whoami for any caller, /admin for the role', async () => {
    expect(await get('/public')).toMatchObject({ status: 200, body: { hello: 'anyone' } });
    expect(await get('/whoami')).toMatchObject({ status: 401, challenge: 'Bearer realm="callerid"' });
    expect(await get('/whoami', alice)).toMatchObject({ status: 200, body: { caller: { arn: alice.arn } } });
    expect((await get('/admin', alice)).status).toBe(403);
    expect(await get('/admin', adminSession)).toMatchObject({ status: 200, body: { caller: { canonicalArn: 'arn:aws:iam::111122223333:role/payments-admin', sessionName: 'ops-oncall' } } });
  });

  it('the client snippet, with credentials from the environment, calls the server snippet', async () => {
    vi.stubEnv('AWS_PROFILE', undefined);
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', alice.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', alice.secretAccessKey);
    vi.stubEnv('AWS_SESSION_TOKEN', undefined);
    const realFetch = globalThis.fetch;
    const seen: string[] = [];
    vi.stubGlobal('fetch', (input: string | URL, init?: RequestInit) => {
      seen.push(String(input));
      return realFetch(String(input).replace('http://localhost:8080', url), init);
    });
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await import('../../client-fetch/src/quickstart.js');
      expect(seen).toEqual(['http://localhost:8080/whoami']);
      expect(log).toHaveBeenCalledTimes(1);
      const [status, body] = log.mock.calls[0]! as [number, { caller: { arn: string; principalType: string } }];
      expect(status).toBe(200);
      expect(body.caller).toMatchObject({ arn: alice.arn, principalType: 'user' });
    } finally {
      log.mockRestore();
    }
  });
});
