/**
 * The adapters' README servers (`packages/<adapter>/test/readme-server.ts`): each README embeds the
 * file verbatim, and each runs the same documented flow against sts-local. Only how the framework
 * renders a 401 differs, so that check is the caller's.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { urlOf } from './ports.js';
import { alice } from './principals.js';
import { bearer, type StsFixture } from './sts.js';

/** What a README server module exports: the listening `server` (Express, Koa), or the Fastify `app`. */
export type ReadmeServerModule = { server: Server } | { app: { server: Server; close(): Promise<unknown> } };

/** A README module listening with sts-local as its STS: its base URL, and how to stop it. */
export interface RunningReadmeModule {
  readonly url: string;
  close(): Promise<unknown>;
}

/** Checks that the package's README (next to `testDir`) holds `testDir/<file>` verbatim. */
export function expectEmbeddedInReadme(testDir: URL, file: string): void {
  const readme = readFileSync(new URL('../README.md', testDir), 'utf8');
  const source = readFileSync(new URL(`./${file}`, testDir), 'utf8');
  expect(readme).toContain(source.trim());
}

/** Loads a README module (`PORT=0`, sts-local as its STS) and waits until it listens. */
export async function startReadmeModule(env: StsFixture, load: () => Promise<ReadmeServerModule>): Promise<RunningReadmeModule> {
  process.env.CALLERID_STS_ENDPOINT = env.sts.url;
  process.env.PORT = '0';
  const loaded = await load();
  const server = 'server' in loaded ? loaded.server : loaded.app.server;
  const close =
    'app' in loaded
      ? () => loaded.app.close()
      : async () => {
          server.closeAllConnections();
          server.close();
        };
  if (!server.listening) await once(server, 'listening');
  return { url: urlOf(server), close };
}

/**
 * The `README server` suite of an adapter's tests (`testDir`: its `test/` folder):
 * - the package's README holds `./readme-server.ts` verbatim;
 * - loaded (`load`, an `import()` of that file) with sts-local as its STS, it runs the documented
 *   flow: `/healthz` answers without a token; `/whoami` answers 401 with a bare challenge (its body
 *   checked by `expectMissingTokenBody`), then the caller for alice; `POST /refunds` refuses alice with
 *   403 `insufficient_scope` and lets the admin session (mapped to `admin:{{SessionName}}`) through
 *   with 201.
 */
export function describeReadmeServer(
  testDir: URL,
  env: StsFixture,
  load: () => Promise<ReadmeServerModule>,
  expectMissingTokenBody: (response: Response) => Promise<void>,
): void {
  describeReadmeModule({ suite: 'README server', file: 'readme-server.ts', flow: 'runs as documented' }, testDir, env, load, async (url) => {
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const anonymous = await fetch(`${url}/whoami`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="callerid"');
    await expectMissingTokenBody(anonymous);
    expect(await (await fetch(`${url}/whoami`, { headers: bearer(env.aliceToken) })).json()).toEqual({ arn: alice.arn, username: null });
    const refusal = await fetch(`${url}/refunds`, { method: 'POST', headers: bearer(env.aliceToken) });
    expect(refusal.status).toBe(403);
    expect(refusal.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);
    const refund = await fetch(`${url}/refunds`, { method: 'POST', headers: bearer(env.adminToken) });
    expect(refund.status).toBe(201);
    expect(await refund.json()).toEqual({ approvedBy: 'admin:jane-example.com' });
  });
}

/** Names of a README module suite: the `describe`, the embedded file in `test/`, the flow's `it`. */
export interface ReadmeModuleSuite {
  suite: string;
  file: string;
  flow: string;
}

/**
 * A suite for one README module: the package's README holds `testDir/<file>` verbatim, and the module,
 * loaded with sts-local as its STS, passes `run` (given its base URL); it is closed after the suite.
 */
export function describeReadmeModule(
  names: ReadmeModuleSuite,
  testDir: URL,
  env: StsFixture,
  load: () => Promise<ReadmeServerModule>,
  run: (url: string) => Promise<void>,
): void {
  describe(names.suite, () => {
    let running: RunningReadmeModule | undefined;
    afterAll(async () => {
      await running?.close();
    });

    it('is the file the README embeds', () => {
      expectEmbeddedInReadme(testDir, names.file);
    });

    it(names.flow, async () => {
      running = await startReadmeModule(env, load);
      await run(running.url);
    });
  });
}
