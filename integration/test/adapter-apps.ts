/**
 * One app per framework, identical routes, each listening on loopback port 0:
 *   GET /whoami  → `{ caller }` (after the callerid middleware / plugin)
 *   GET /admin   → `{ caller }` behind `requireGroups('admins')`
 *   GET /public  → `{ ok: true }` without authentication
 * Errors are left to each framework's own idiom (Express: the package's error handler; Fastify: its
 * default error handler; Koa: `ctx.onerror`), and `describeError` reads each one's body back.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AuthenticatorOptions } from '@callerid/core';
import * as calleridExpress from '@callerid/express';
import calleridFastify, { requireGroups as fastifyRequireGroups } from '@callerid/fastify';
import * as calleridKoa from '@callerid/koa';
import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';
import { urlOf } from '@callerid/test-harness';

/** Options every harness takes: the shared adapter options, with `getToken` expressed as "read this header". */
export type HarnessOptions = Omit<AuthenticatorOptions, 'getToken'> & { tokenHeader?: string };

export interface RunningApp {
  readonly url: string;
  close(): Promise<void>;
}

export interface AdapterHarness {
  readonly name: 'express' | 'fastify' | 'koa';
  start(options: HarnessOptions): Promise<RunningApp>;
  /** The error description in the framework's default error body. */
  describeError(body: string): string | undefined;
}


async function listen(server: Server): Promise<void> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
}

async function closeServer(server: Server): Promise<void> {
  const closed = once(server, 'close');
  server.close();
  server.closeAllConnections();
  await closed;
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export const expressHarness: AdapterHarness = {
  name: 'express',
  async start({ tokenHeader, ...options }) {
    const app = express();
    const auth = calleridExpress.callerid({
      ...options,
      ...(tokenHeader ? { getToken: (req: express.Request) => req.get(tokenHeader) } : {}),
    });
    app.get('/public', (_req, res) => { res.json({ ok: true }); });
    app.use(auth);
    app.get('/whoami', (req, res) => { res.json({ caller: req.caller }); });
    app.get('/admin', calleridExpress.requireGroups('admins'), (req, res) => { res.json({ caller: req.caller }); });
    app.use(calleridExpress.callerIdErrorHandler());
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return { url: urlOf(server), close: async () => { await closeServer(server); await auth.close(); } };
  },
  describeError: (body) => (JSON.parse(body) as { error_description?: string }).error_description,
};

export const fastifyHarness: AdapterHarness = {
  name: 'fastify',
  async start({ tokenHeader, ...options }) {
    const app = Fastify();
    await app.register(calleridFastify, {
      ...options,
      ...(tokenHeader ? { getToken: (request) => header(request.headers[tokenHeader]) } : {}),
    });
    app.get('/public', { config: { callerid: false } }, async () => ({ ok: true }));
    app.get('/whoami', async (request) => ({ caller: request.caller }));
    app.get('/admin', { preHandler: fastifyRequireGroups('admins') }, async (request) => ({ caller: request.caller }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { url: urlOf(app.server), close: () => app.close() };
  },
  describeError: (body) => (JSON.parse(body) as { message?: string }).message,
};

export const koaHarness: AdapterHarness = {
  name: 'koa',
  async start({ tokenHeader, ...options }) {
    const app = new Koa();
    const auth = calleridKoa.callerid({
      ...options,
      ...(tokenHeader ? { getToken: (ctx: Koa.Context) => ctx.get(tokenHeader) || undefined } : {}),
    });
    const admin = calleridKoa.requireGroups('admins');
    app.use(async (ctx, next) => {
      if (ctx.path === '/public') ctx.body = { ok: true };
      else await next();
    });
    app.use(auth);
    app.use(async (ctx, next) => {
      if (ctx.path === '/admin') await admin(ctx, next);
      else await next();
    });
    app.use((ctx) => {
      if (ctx.path === '/whoami' || ctx.path === '/admin') ctx.body = { caller: ctx.state.caller };
    });
    const handle = app.callback();
    const server = createServer((req, res) => void handle(req, res));
    await listen(server);
    return { url: urlOf(server), close: async () => { await closeServer(server); await auth.close(); } };
  },
  describeError: (body) => body,
};

export const harnesses: readonly AdapterHarness[] = [expressHarness, fastifyHarness, koaHarness];
