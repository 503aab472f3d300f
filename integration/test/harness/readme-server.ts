/**
 * The adapters' README servers (`packages/<adapter>/test/readme-server.ts`): each README embeds the
 * file verbatim, and each runs the same documented flow against sts-local. Only how the framework
 * renders a 401 differs, so that check is the caller's.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { alice, bearer, type StsFixture } from './sts.js';

/** Asserts that the package's README (`../README.md` from `testDir`) holds `./readme-server.ts` verbatim. */
export function expectReadmeEmbedsServer(testDir: URL): void {
  const readme = readFileSync(new URL('../README.md', testDir), 'utf8');
  const source = readFileSync(new URL('./readme-server.ts', testDir), 'utf8');
  expect(readme).toContain(source.trim());
}

/**
 * The documented flow against a running README server at `url`: `/healthz` answers without a token;
 * `/whoami` answers 401 with a bare challenge (its body checked by `expectMissingTokenBody`), then the
 * caller for alice; `POST /refunds` refuses alice with 403 `insufficient_scope` and lets the admin
 * session (mapped to `admin:{{SessionName}}`) through with 201.
 */
export async function expectReadmeServerFlow(
  url: string,
  { aliceToken, adminToken }: StsFixture,
  expectMissingTokenBody: (response: Response) => Promise<void>,
): Promise<void> {
  expect((await fetch(`${url}/healthz`)).status).toBe(200);
  const anonymous = await fetch(`${url}/whoami`);
  expect(anonymous.status).toBe(401);
  expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="callerid"');
  await expectMissingTokenBody(anonymous);
  expect(await (await fetch(`${url}/whoami`, { headers: bearer(aliceToken) })).json()).toEqual({ arn: alice.arn, username: null });
  const refusal = await fetch(`${url}/refunds`, { method: 'POST', headers: bearer(aliceToken) });
  expect(refusal.status).toBe(403);
  expect(refusal.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);
  const refund = await fetch(`${url}/refunds`, { method: 'POST', headers: bearer(adminToken) });
  expect(refund.status).toBe(201);
  expect(await refund.json()).toEqual({ approvedBy: 'admin:jane-example.com' });
}
