import type { Server } from 'node:http';
import { describe, expect, it } from 'vitest';
import express from 'express';
import express4 from 'express4';
import { callerid, callerIdErrorHandler, requireCaller } from '../src/index.js';
import { ACCT, alice, AUDIENCE, bearer, describeReadmeServer, listeningForTest, useSts } from '@callerid/test-harness';

const env = useSts();
/** Serves `app` on loopback until the test ends. */
function serve(app: { listen(port: number, host: string): Server }): Promise<string> {
  return listeningForTest(app.listen(0, '127.0.0.1'));
}

describeReadmeServer(new URL('./', import.meta.url), env, () => import('./readme-server.js'), async (anonymous) => {
  expect(await anonymous.json()).toEqual({ error: 'unauthorized', error_description: 'No bearer token was sent.', code: 'token_missing' });
});

describe('Express idioms', () => {
  it("Express's default final handler answers with the error's status and headers", async () => {
    const app = express();
    app.use(callerid({ audience: AUDIENCE, stsEndpoint: env.sts.url, realm: 'payments', allow: { principalTypes: ['assumed-role'] } }));
    app.get('/', (req, res) => { res.json(req.caller); });
    const url = await serve(app);

    const missing = await fetch(url);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="payments"');
    const denied = await fetch(url, { headers: bearer(env.aliceToken) });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('www-authenticate')).toMatch(/^Bearer realm="payments", error="insufficient_scope"/);
    const body = await denied.text();
    expect(body).not.toContain(env.aliceToken.slice(11, 60));
    expect((await fetch(url, { headers: bearer(env.adminToken) })).status).toBe(200);
  });

  it('503 with Retry-After when STS is throttling', async () => {
    const app = express();
    app.use(callerid({ audience: AUDIENCE, stsEndpoint: env.sts.url }));
    app.get('/', (_req, res) => { res.send('ok'); });
    app.use(callerIdErrorHandler());
    const url = await serve(app);
    env.sts.setFaults({ throttle: { fraction: 1 } });
    try {
      const res = await fetch(url, { headers: bearer(env.aliceToken) });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await res.json()).toMatchObject({ error: 'temporarily_unavailable', code: 'sts_throttled' });
    } finally {
      env.sts.setFaults(undefined);
    }
  });

  it('the error handler passes other errors on', async () => {
    const app = express();
    app.get('/', () => { throw new Error('not ours'); });
    app.use(callerIdErrorHandler());
    app.use((_err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => { res.status(418).send('passed on'); });
    const res = await fetch(await serve(app));
    expect(res.status).toBe(418);
  });

  it('a guard without the middleware is a 500, not an anonymous request', async () => {
    const app = express();
    app.get('/', requireCaller(), (_req, res) => { res.send('never'); });
    const res = await fetch(await serve(app));
    expect(res.status).toBe(500);
  });

  it('works with Express 4', async () => {
    const app = express4();
    app.use(callerid({ audience: AUDIENCE, stsEndpoint: env.sts.url, map: [{ accountId: ACCT, username: '{{AccountID}}', groups: ['tenants'] }] }));
    app.get('/', (req: express.Request, res: express.Response) => { res.json(req.caller); });
    app.get('/tenants', requireCaller({ groups: ['tenants'] }), (_req: express.Request, res: express.Response) => { res.send('ok'); });
    app.use(callerIdErrorHandler());
    const url = await serve(app);
    const missing = await fetch(url);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="callerid"');
    expect(await missing.json()).toMatchObject({ code: 'token_missing' });
    const ok = await fetch(url, { headers: bearer(env.aliceToken) });
    expect(await ok.json()).toMatchObject({ arn: alice.arn, username: ACCT, groups: ['tenants'] });
    expect((await fetch(`${url}/tenants`, { headers: bearer(env.aliceToken) })).status).toBe(200);
    expect((await fetch(url, { headers: { authorization: 'Bearer' } })).status).toBe(400);
  });

  it('close() closes the authenticator it owns', async () => {
    const middleware = callerid({ audience: AUDIENCE, stsEndpoint: env.sts.url });
    expect(middleware.authenticator.verifier.audience).toBe(AUDIENCE);
    await expect(middleware.close()).resolves.toBeUndefined();
  });
});
