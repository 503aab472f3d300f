import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import Koa from 'koa';
import { callerid, requireCaller } from '../src/index.js';
import { AUDIENCE, bearer, describeReadmeServer, listeningForTest, useSts } from '@callerid/test-harness';

const env = useSts();
/** Serves `app` on loopback until the test ends. */
function serve(app: Koa): Promise<string> {
  const handle = app.callback();
  return listeningForTest(createServer((req, res) => void handle(req, res)).listen(0, '127.0.0.1'));
}

describeReadmeServer(new URL('./', import.meta.url), env, () => import('./readme-server.js'), async (anonymous) => {
  expect(await anonymous.text()).toBe('No bearer token was sent.');
});

describe('Koa idioms', () => {
  it("ctx.onerror renders the thrown error: status, headers, message; exposed, so Koa's default logger stays quiet", async () => {
    const app = new Koa();
    const appErrors: unknown[] = [];
    app.on('error', (err) => appErrors.push(err));
    app.use(callerid({ audience: AUDIENCE, stsEndpoint: env.sts.url, realm: 'payments', allow: { principalTypes: ['assumed-role'] } }));
    app.use((ctx) => { ctx.body = ctx.state.caller; });
    const url = await serve(app);

    const denied = await fetch(url, { headers: bearer(env.aliceToken) });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('www-authenticate')).toMatch(/^Bearer realm="payments", error="insufficient_scope"/);
    expect(await denied.text()).toBe('The caller is not allowed to access this resource.');
    env.sts.setFaults({ throttle: { fraction: 1 } });
    try {
      const throttled = await fetch(url, { headers: bearer(env.adminToken) });
      expect(throttled.status).toBe(503);
      expect(throttled.headers.get('retry-after')).toMatch(/^\d+$/);
    } finally {
      env.sts.setFaults(undefined);
    }
    expect(await (await fetch(url, { headers: bearer(env.adminToken) })).json()).toMatchObject({ roleName: 'payments-admin' });
    // Koa emits every error on the app, but its default logger skips `expose`d ones: these all are.
    expect(appErrors.map((e) => [(e as { code: string }).code, (e as { expose: boolean }).expose])).toEqual([['caller_not_allowed', true], ['sts_throttled', true]]);
  });

  it('a downstream middleware can catch the CallerIdError (a custom JSON body)', async () => {
    const app = new Koa();
    app.use(async (ctx, next) => {
      try {
        await next();
      } catch (err) {
        const e = err as { status: number; headers: Record<string, string>; toJSON(): unknown };
        ctx.status = e.status;
        ctx.set(e.headers);
        ctx.body = e.toJSON();
      }
    });
    app.use(callerid({ audience: AUDIENCE, stsEndpoint: env.sts.url }));
    const res = await fetch(await serve(app), { headers: { authorization: 'Bearer a b' } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'invalid_request', error_description: 'The Authorization header is malformed.', code: 'request_malformed' });
  });

  it('a guard without the middleware is a 500, not an anonymous request', async () => {
    const app = new Koa();
    app.silent = true;
    app.use(requireCaller());
    expect((await fetch(await serve(app))).status).toBe(500);
  });

  it('close() closes the authenticator it owns', async () => {
    const middleware = callerid({ audience: AUDIENCE, stsEndpoint: env.sts.url });
    expect(middleware.authenticator.verifier.audience).toBe(AUDIENCE);
    await expect(middleware.close()).resolves.toBeUndefined();
  });
});
