import { afterAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import callerid, { requireCaller, requireGroups } from '../src/index.js';
import { alice, AUDIENCE, bearer, closeWhenTestEnds, describeReadmeServer, useSts } from '@callerid/test-harness';

const env = useSts();
const apps: FastifyInstance[] = [];

afterAll(async () => {
  for (const app of apps) await app.close();
});

function newApp(): FastifyInstance {
  const app = Fastify();
  apps.push(app);
  return app;
}

describeReadmeServer(new URL('./', import.meta.url), env, () => import('./readme-server.js'), async (anonymous) => {
  expect(await anonymous.json()).toMatchObject({ statusCode: 401, code: 'token_missing' });
});

describe('Fastify idioms', () => {
  it('per-route opt-out with config.callerid: false (inject)', async () => {
    const app = newApp();
    await app.register(callerid, { audience: AUDIENCE, stsEndpoint: env.sts.url });
    app.get('/open', { config: { callerid: false } }, async (request) => ({ caller: request.caller }));
    app.get('/closed', async (request) => ({ arn: request.caller?.arn }));
    expect((await app.inject('/open')).json()).toEqual({ caller: null });
    const closed = await app.inject('/closed');
    expect(closed.statusCode).toBe(401);
    expect(closed.headers['www-authenticate']).toBe('Bearer realm="callerid"');
    expect((await app.inject({ url: '/closed', headers: bearer(env.aliceToken) })).json()).toEqual({ arn: alice.arn });
  });

  it('opt-in mode: global: false authenticates only routes with config.callerid: true', async () => {
    const app = newApp();
    await app.register(callerid, { audience: AUDIENCE, stsEndpoint: env.sts.url, global: false });
    app.get('/open', async (request) => ({ caller: request.caller }));
    app.get('/closed', { config: { callerid: true } }, async (request) => ({ arn: request.caller?.arn }));
    expect((await app.inject('/open')).json()).toEqual({ caller: null });
    expect((await app.inject({ url: '/open', headers: bearer(env.aliceToken) })).json()).toEqual({ caller: null });
    expect((await app.inject('/closed')).statusCode).toBe(401);
    expect((await app.inject({ url: '/closed', headers: bearer(env.aliceToken) })).json()).toEqual({ arn: alice.arn });
  });

  it('guards work as onRequest and preHandler hooks, and are encapsulation-safe', async () => {
    const app = newApp();
    await app.register(callerid, { audience: AUDIENCE, stsEndpoint: env.sts.url, realm: 'payments' });
    await app.register(async (child) => {
      child.get('/roles', { onRequest: requireCaller({ principalTypes: ['assumed-role'] }) }, async () => 'role');
      child.get('/admins', { preHandler: requireGroups('admins') }, async () => 'admins');
    });
    expect((await app.inject({ url: '/roles', headers: bearer(env.adminToken) })).body).toBe('role');
    const denied = await app.inject({ url: '/roles', headers: bearer(env.aliceToken) });
    expect(denied.statusCode).toBe(403);
    expect(denied.headers['www-authenticate']).toMatch(/^Bearer realm="payments", error="insufficient_scope"/);
    expect((await app.inject({ url: '/admins', headers: bearer(env.adminToken) })).statusCode).toBe(403);
  });

  it('a guard on a route that opted out answers 401 (the caller is null)', async () => {
    const app = newApp();
    await app.register(callerid, { audience: AUDIENCE, stsEndpoint: env.sts.url });
    app.get('/odd', { config: { callerid: false }, preHandler: requireCaller() }, async () => 'never');
    expect((await app.inject({ url: '/odd', headers: bearer(env.aliceToken) })).statusCode).toBe(401);
  });

  it('decorates the instance with the authenticator and closes it with the app', async () => {
    const app = Fastify();
    closeWhenTestEnds(app);
    await app.register(callerid, { audience: AUDIENCE, stsEndpoint: env.sts.url });
    await app.ready();
    expect(app.callerid.verifier.audience).toBe(AUDIENCE);
  });

  it('refuses a second registration and bad configuration at ready()', async () => {
    const twice = newApp();
    await twice.register(callerid, { audience: AUDIENCE, stsEndpoint: env.sts.url });
    await expect(twice.register(callerid, { audience: AUDIENCE, stsEndpoint: env.sts.url }).ready()).rejects.toThrow(/already registered/);
    const bad = newApp();
    await expect(bad.register(callerid, { audience: AUDIENCE, allow: { accounts: ['12'] } }).ready()).rejects.toThrow(TypeError);
  });
});
