/**
 * `createServer`: one Fastify server holding the routes the configuration enables — `POST
 * /authenticate` (kubernetes), `/auth` (forwardAuth) — and `/healthz`, `/readyz`, `/metrics`. It owns
 * the reloaded files (mapping, TLS key pair) and the graceful shutdown; every verdict comes from core.
 */
import { createSecureContext } from 'node:tls';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { compileMapping, createMemoryCache, type Authenticator, type AuthenticatorOptions, type Mapper } from '@callerid/core';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Registry } from 'prom-client';
import { loadConfig, type ServerConfig } from './config.js';
import { createForwardAuth, forwardAudiences, type ForwardAuth } from './forward-auth.js';
import { loadMappingFile } from './mapping-file.js';
import { createMetrics, type ServerMetrics } from './metrics.js';
import { watchFiles } from './watch.js';
import { registerWebhook } from './webhook.js';
import { ConfigError } from './yaml-reader.js';

/** Options for embedding (and testing) the server, beyond its configuration. */
export interface CreateServerOptions {
  /** The verifiers' clock in epoch ms (e.g. to verify recorded tokens). Default `Date.now`. */
  clock?: () => number;
  /** A pino logger, or the stream JSON log lines are written to. Default: stdout. */
  logger?: Logger | DestinationStream;
}

/** A configured authenticator server. */
export interface CallerIdServer {
  /** The validated configuration. */
  readonly config: ServerConfig;
  /** Starts listening; resolves to the base URL (`https://127.0.0.1:21362`). */
  listen(): Promise<string>;
  /** The base URL once listening. */
  readonly url: string | undefined;
  /** `/readyz`'s verdict: listening, not shutting down, and a mapping loaded (when `kubernetes` is on). */
  readonly ready: boolean;
  /** Re-reads the mapping and the TLS key pair now (as a file change would; e.g. on SIGHUP). */
  reload(): void;
  /** The Prometheus registry `/metrics` serves. */
  readonly metrics: Registry;
  /**
   * Stops accepting, lets in-flight requests finish (closing connections still busy after
   * `shutdownTimeoutMs`), then releases everything. Idempotent.
   */
  close(): Promise<void>;
}

interface FileState {
  /** The last load's error, when it failed (the last good version stays in use). */
  error?: string;
  loadedAt?: string;
}

/**
 * Creates the server from a validated configuration (see `loadConfig`/`parseConfig`) or a path to
 * `callerid.yaml`. Throws `ConfigError` when the configuration or the TLS key pair cannot be used; a
 * mapping file that does not load is reported by `/readyz` and retried on every change instead.
 *
 * @example
 * ```ts
 * const server = await createServer('./callerid.yaml');
 * const url = await server.listen();
 * process.once('SIGTERM', () => void server.close());
 * ```
 */
export async function createServer(config: ServerConfig | string, options: CreateServerOptions = {}): Promise<CallerIdServer> {
  const settings = typeof config === 'string' ? loadConfig(config) : config;
  const log = loggerFrom(options.logger, settings.logLevel);
  const cache = createMemoryCache({ max: settings.cache.max });
  const audiences = new Set([...(settings.kubernetes ? [settings.kubernetes.clusterId] : []), ...(settings.forwardAuth ? forwardAudiences(settings.forwardAuth) : [])]);
  const metrics = createMetrics(audiences, () => cache.size);
  const tls = settings.tls ? readKeyPair(settings.tls) : undefined;

  const verifierOptions: Omit<AuthenticatorOptions, 'audience'> = {
    cache,
    allowedPartitions: settings.partitions,
    ...(settings.stsEndpoint ? { stsEndpoint: settings.stsEndpoint } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  };
  const state: { mapping?: FileState; tls?: FileState; listening: boolean; closing: boolean } = {
    ...(settings.kubernetes ? { mapping: {} } : {}),
    ...(tls ? { tls: { loadedAt: new Date().toISOString() } } : {}),
    listening: false,
    closing: false,
  };

  const forward = settings.forwardAuth ? createForwardAuth({ config: settings.forwardAuth, verifierOptions, log, draining: () => state.closing }) : undefined;
  const app = Fastify({
    loggerInstance: log,
    logController: new LogController({ disableRequestLogging: true }),
    // Fastify's default gives every request a child logger (bindings, redaction set-up); the server's
    // lines carry their own route and code, so requests share the server's logger.
    childLoggerFactory: (logger: FastifyBaseLogger) => logger,
    bodyLimit: 64 * 1024,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    serverFactory: (handler: RequestListener, opts: FastifyServerOptions) => httpServer(handler, opts, tls, forward),
  } as FastifyServerOptions) as unknown as FastifyInstance;
  let mapper: Mapper | undefined;
  const authenticators: Authenticator<never>[] = [];

  const loadMapping = (): void => {
    const k = settings.kubernetes!;
    try {
      const file = loadMappingFile(k.mapping, { partitions: settings.partitions, matchRoleByName: k.matchRoleByName });
      mapper = compileMapping(file.entries);
      for (const warning of file.warnings) log.warn({ file: k.mapping }, warning);
      state.mapping = { loadedAt: new Date().toISOString() };
      metrics.reloaded('mapping', true);
      log.info({ file: k.mapping, entries: file.entries.length }, 'mapping loaded');
    } catch (error) {
      state.mapping = { ...state.mapping, error: error instanceof ConfigError ? error.message : String(error) };
      metrics.reloaded('mapping', false);
      log.error({ file: k.mapping, error: state.mapping.error }, mapper ? 'mapping not reloaded; keeping the last good one' : 'mapping not loaded');
    }
  };
  const loadTls = (): void => {
    try {
      (app.server as HttpsServer).setSecureContext(readKeyPair(settings.tls!));
      state.tls = { loadedAt: new Date().toISOString() };
      metrics.reloaded('tls', true);
      log.info({ cert: settings.tls!.cert }, 'TLS key pair reloaded');
    } catch (error) {
      state.tls = { ...state.tls, error: error instanceof Error ? error.message : String(error) };
      metrics.reloaded('tls', false);
      log.error({ cert: settings.tls!.cert, error: state.tls.error }, 'TLS key pair not reloaded; keeping the last good one');
    }
  };

  if (settings.kubernetes) {
    loadMapping();
    authenticators.push(registerWebhook(app, { config: settings.kubernetes, verifierOptions, mapping: () => mapper, log }));
  }
  if (tls) metrics.reloaded('tls', true);
  if (forward) authenticators.push(...forward.authenticators);
  // Once shutting down, each answer closes its connection: a keep-alive client moves on at once
  // instead of holding the drain open until the bound. (/auth writes its own answers and checks this itself.)
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (state.closing) reply.header('connection', 'close');
    done(null, payload);
  });
  const isReady = () => state.listening && !state.closing && (!settings.kubernetes || mapper !== undefined);
  registerOperations(app, metrics, isReady, state);

  const stopWatching = [
    settings.kubernetes ? watchFiles([settings.kubernetes.mapping], settings.watchIntervalMs, loadMapping) : () => undefined,
    settings.tls ? watchFiles([settings.tls.cert, settings.tls.key], settings.watchIntervalMs, loadTls) : () => undefined,
  ];
  let url: string | undefined;
  let closed: Promise<void> | undefined;

  return {
    config: settings,
    metrics: metrics.registry,
    get url() {
      return url;
    },
    get ready() {
      return isReady();
    },
    async listen() {
      await app.listen({ host: settings.listen.host, port: settings.listen.port });
      const { port } = app.server.address() as AddressInfo;
      const host = settings.listen.host.includes(':') ? `[${settings.listen.host}]` : settings.listen.host;
      url = `${tls ? 'https' : 'http'}://${host}:${port}`;
      state.listening = true;
      return url;
    },
    reload() {
      if (settings.kubernetes) loadMapping();
      if (settings.tls) loadTls();
    },
    close() {
      closed ??= (async () => {
        state.closing = true;
        for (const stop of stopWatching) stop();
        // In-flight requests finish; a connection still busy after the bound is cut.
        const force = setTimeout(() => app.server.closeAllConnections(), settings.shutdownTimeoutMs);
        try {
          await app.close();
        } finally {
          clearTimeout(force);
          // STS calls of requests that were cut may still be running: their pools get a short grace.
          await Promise.race([Promise.all(authenticators.map((a) => a.close())), delay(CLOSE_GRACE_MS)]);
          metrics.close();
          cache.clear();
        }
      })();
      return closed;
    },
  };
}

const CLOSE_GRACE_MS = 1_000;

/**
 * The HTTP(S) server Fastify runs on, set up as Fastify sets up its own, except that `/auth` requests
 * go to forward auth before Fastify sees them (see `createForwardAuth` for why).
 */
function httpServer(handler: RequestListener, opts: FastifyServerOptions, tls: { cert: Buffer; key: Buffer } | undefined, forward: ForwardAuth | undefined): HttpServer {
  const listener: RequestListener = forward ? (request, response) => (forward.handles(request.url) ? forward.answer(request, response) : handler(request, response)) : handler;
  const server = tls ? createHttpsServer(tls, listener) : createHttpServer(listener);
  server.keepAliveTimeout = opts.keepAliveTimeout!;
  server.requestTimeout = opts.requestTimeout!;
  server.setTimeout(opts.connectionTimeout!);
  return server;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function registerOperations(app: FastifyInstance, metrics: ServerMetrics, isReady: () => boolean, state: { mapping?: FileState; tls?: FileState }): void {
  app.get('/healthz', (_request, reply) => reply.send({ status: 'ok' }));
  app.get('/readyz', (_request, reply) => {
    const ready = isReady();
    return reply.code(ready ? 200 : 503).send({ ready, mapping: state.mapping, tls: state.tls });
  });
  app.get('/metrics', async (_request, reply) => reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics()));
}

/** Reads a key pair and checks that it is usable (the key matches the certificate). */
function readKeyPair(files: { cert: string; key: string }): { cert: Buffer; key: Buffer } {
  let pair: { cert: Buffer; key: Buffer };
  try {
    pair = { cert: readFileSync(files.cert), key: readFileSync(files.key) };
  } catch (error) {
    throw new ConfigError(`tls: cannot read the key pair (${(error as NodeJS.ErrnoException).code ?? 'error'})`, 'tls', undefined);
  }
  try {
    createSecureContext(pair);
  } catch (error) {
    throw new ConfigError(`tls: the key pair is not usable (${(error as { code?: string }).code ?? 'invalid'})`, 'tls', undefined);
  }
  return pair;
}

function loggerFrom(logger: Logger | DestinationStream | undefined, level: ServerConfig['logLevel']): Logger {
  if (logger && 'child' in logger && typeof logger.child === 'function') return logger;
  // Nothing we log holds a token; `redact` is the second line of defence should a header ever be logged.
  const settings = { level, base: { service: 'callerid' }, redact: ['req.headers.authorization', 'headers.authorization', '*.token'] };
  return logger ? pino(settings, logger as DestinationStream) : pino(settings);
}
