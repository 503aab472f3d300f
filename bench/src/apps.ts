/**
 * The same small API in Express, Fastify and Koa: `GET /` answers `{"ok":true}`. Protected, callerid's
 * adapter guards it (cached token: one STS call, then the verifier's cache); unprotected, it does not.
 * Nothing else differs between the two, so their requests/s ratio is callerid's cost.
 */
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { callerid as expressCallerId } from '@callerid/express';
import { callerid as fastifyCallerId } from '@callerid/fastify';
import { callerid as koaCallerId } from '@callerid/koa';
import express from 'express';
import Fastify from 'fastify';
import { createServer as createCallerIdServer, parseConfig } from '@callerid/server';
import Koa from 'koa';
import { AUDIENCE } from './fixtures.js';

export const FRAMEWORKS = ['express', 'fastify', 'koa'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/** A listening app. */
export interface RunningApp {
  url: string;
  close(): Promise<void>;
}

/** `stsUrl` set: protected by callerid, verifying against that sts-local. Unset: unprotected. */
export interface AppOptions {
  stsUrl?: string | undefined;
}

const BODY = { ok: true };

function urlOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    // A deep backlog: the single-flight proof opens 1,000 connections at once.
    server.listen({ port: 0, host: '127.0.0.1', backlog: 2_048 }, () => resolve());
  });
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

function verifierOptions(stsUrl: string) {
  return { audience: AUDIENCE, stsEndpoint: stsUrl };
}

export async function startExpress({ stsUrl }: AppOptions): Promise<RunningApp> {
  const app = express();
  const guard = stsUrl === undefined ? undefined : expressCallerId(verifierOptions(stsUrl));
  if (guard) app.use(guard);
  app.get('/', (_req, res) => {
    res.json(BODY);
  });
  const server = createServer(app);
  await listen(server);
  return {
    url: urlOf(server),
    close: async () => {
      await closeServer(server);
      await guard?.close();
    },
  };
}

export async function startFastify({ stsUrl }: AppOptions): Promise<RunningApp> {
  const app = Fastify({ logger: false });
  if (stsUrl !== undefined) await app.register(fastifyCallerId, verifierOptions(stsUrl));
  app.get('/', async () => BODY);
  await app.listen({ port: 0, host: '127.0.0.1', backlog: 2_048 });
  return { url: urlOf(app.server), close: () => app.close() };
}

export async function startKoa({ stsUrl }: AppOptions): Promise<RunningApp> {
  const app = new Koa();
  const guard = stsUrl === undefined ? undefined : koaCallerId(verifierOptions(stsUrl));
  if (guard) app.use(guard);
  app.use((ctx) => {
    ctx.body = BODY;
  });
  const handle = app.callback();
  const server = createServer((req, res) => void handle(req, res));
  await listen(server);
  return {
    url: urlOf(server),
    close: async () => {
      await closeServer(server);
      await guard?.close();
    },
  };
}

export const START: Record<Framework, (options: AppOptions) => Promise<RunningApp>> = {
  express: startExpress,
  fastify: startFastify,
  koa: startKoa,
};

/** `callerid serve` as a library: forwardAuth for the bench audience; `/auth` answers 200 with identity headers. */
export async function startServe(stsUrl: string): Promise<RunningApp> {
  const server = await createCallerIdServer(parseConfig({ listen: '127.0.0.1:0', stsEndpoint: stsUrl, logLevel: 'silent', forwardAuth: { audience: AUDIENCE } }));
  const url = await server.listen();
  return { url: `${url}/auth`, close: () => server.close() };
}

/** The same framework (Fastify 5) answering an empty 200 on `/auth`: the baseline of `/auth`. */
export async function startFastify200(): Promise<RunningApp> {
  const app = Fastify({ logger: false });
  app.get('/auth', (_request, reply) => {
    void reply.code(200).send();
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/auth`, close: () => app.close() };
}

/** `node:http` answering an empty 200 on `/auth`, as `/auth` itself writes its answers: the floor under both. */
export async function startNode200(): Promise<RunningApp> {
  const server = createServer((_request, response) => {
    response.writeHead(200, ['content-length', '0']);
    response.end();
  });
  // Fastify's default, which the server keeps: autocannon's connections stay open between legs.
  server.keepAliveTimeout = 72_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/auth`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
