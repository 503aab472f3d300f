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
import { compileMapping, createMemoryCache, type Authenticator, type AuthenticatorOptions, type CacheStore, type Mapper } from '@callerid/core';
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
// Async although nothing in it awaits: a configuration or key pair that cannot be used rejects, as callers await it.
// eslint-disable-next-line @typescript-eslint/require-await
export async function createServer(config: ServerConfig | string, options: CreateServerOptions = {}): Promise<CallerIdServer> {
  const settings = typeof config === 'string' ? loadConfig(config) : config;
  const log = loggerFrom(options.logger, settings.logLevel);
  const cache = createMemoryCache({ max: settings.cache.max });
  const metrics = createMetrics(audiencesOf(settings), () => cache.size);
  const tls = settings.tls ? readKeyPair(settings.tls) : undefined;
  const state: ServerState = {
    ...(settings.kubernetes ? { mapping: {} } : {}),
    ...(tls ? { tls: { loadedAt: new Date().toISOString() } } : {}),
    listening: false,
    closing: false,
  };
  const verifierOptions = verifierOptionsOf(settings, cache, options);
  const forward = settings.forwardAuth ? createForwardAuth({ config: settings.forwardAuth, verifierOptions, log, draining: () => state.closing }) : undefined;
  const app = fastifyWith(log, tls, forward);
  const files = new ReloadedFiles(app, settings, state, metrics, log);
  const authenticators = [...registerRoutes(app, settings, verifierOptions, files, state, log), ...(forward?.authenticators ?? [])];
  if (tls) metrics.reloaded('tls', true);
  const isReady = () => state.listening && !state.closing && (!settings.kubernetes || files.mapper !== undefined);
  registerOperations(app, metrics, isReady, state);
  const stopWatching = files.watch();
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
      url = await listenOn(app, settings.listen, tls !== undefined);
      state.listening = true;
      return url;
    },
    reload: () => files.reload(),
    close() {
      closed ??= (() => {
        state.closing = true;
        for (const stop of stopWatching) stop();
        return shutdown(app, settings.shutdownTimeoutMs, authenticators, () => {
          metrics.close();
          cache.clear();
        });
      })();
      return closed;
    },
  };
}

interface ServerState {
  mapping?: FileState;
  tls?: FileState;
  listening: boolean;
  closing: boolean;
}

/** Every audience the configuration verifies tokens for (the metrics' label values). */
function audiencesOf(settings: ServerConfig): Set<string> {
  return new Set([...(settings.kubernetes ? [settings.kubernetes.clusterId] : []), ...(settings.forwardAuth ? forwardAudiences(settings.forwardAuth) : [])]);
}

function fastifyWith(log: Logger, tls: KeyPair | undefined, forward: ForwardAuth | undefined): FastifyInstance {
  return Fastify({
    loggerInstance: log,
    logController: new LogController({ disableRequestLogging: true }),
    // Fastify's default gives every request a child logger (bindings, redaction set-up); the server's
    // lines carry their own route and code, so requests share the server's logger.
    childLoggerFactory: (logger: FastifyBaseLogger) => logger,
    bodyLimit: 64 * 1024,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    serverFactory: (handler: RequestListener, opts: FastifyServerOptions) => httpServer(handler, opts, tls, forward),
  } as FastifyServerOptions);
}

type KeyPair = { cert: Buffer; key: Buffer };

/**
 * The HTTP(S) server Fastify runs on, set up as Fastify sets up its own, except that `/auth` requests
 * go to forward auth before Fastify sees them (see `createForwardAuth` for why).
 */
function httpServer(handler: RequestListener, opts: FastifyServerOptions, tls: KeyPair | undefined, forward: ForwardAuth | undefined): HttpServer {
  const listener: RequestListener = forward ? (request, response) => (forward.handles(request.url) ? forward.answer(request, response) : handler(request, response)) : handler;
  const server = tls ? createHttpsServer(tls, listener) : createHttpServer(listener);
  server.keepAliveTimeout = opts.keepAliveTimeout!;
  server.requestTimeout = opts.requestTimeout!;
  server.setTimeout(opts.connectionTimeout);
  return server;
}

function verifierOptionsOf(settings: ServerConfig, cache: CacheStore, options: CreateServerOptions): Omit<AuthenticatorOptions, 'audience'> {
  return {
    cache,
    allowedPartitions: settings.partitions,
    ...(settings.stsEndpoint ? { stsEndpoint: settings.stsEndpoint } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  };
}

/** The Fastify routes the configuration enables (`/authenticate`); returns their authenticators, for `close()`. */
function registerRoutes(
  app: FastifyInstance,
  settings: ServerConfig,
  verifierOptions: Omit<AuthenticatorOptions, 'audience'>,
  files: ReloadedFiles,
  state: ServerState,
  log: Logger,
): Authenticator<never>[] {
  const authenticators: Authenticator<never>[] = [];
  if (settings.kubernetes) {
    files.loadMapping();
    authenticators.push(registerWebhook(app, { config: settings.kubernetes, verifierOptions, mapping: () => files.mapper, log }));
  }
  // Once shutting down, each answer closes its connection: a keep-alive client moves on at once
  // instead of holding the drain open until the bound. (/auth writes its own answers and checks this itself.)
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (state.closing) reply.header('connection', 'close');
    done(null, payload);
  });
  return authenticators;
}

/**
 * The files the server reloads on change: the mapping (with `kubernetes`) and the TLS key pair. A load
 * that fails keeps the last good version in use and is reported by `/readyz`, the log and the metrics.
 */
class ReloadedFiles {
  /** The compiled mapping, once one has loaded. */
  mapper: Mapper | undefined;
  readonly #app: FastifyInstance;
  readonly #settings: ServerConfig;
  readonly #state: ServerState;
  readonly #metrics: ServerMetrics;
  readonly #log: Logger;

  constructor(app: FastifyInstance, settings: ServerConfig, state: ServerState, metrics: ServerMetrics, log: Logger) {
    this.#app = app;
    this.#settings = settings;
    this.#state = state;
    this.#metrics = metrics;
    this.#log = log;
  }

  loadMapping(): void {
    const k = this.#settings.kubernetes!;
    const state = this.#state;
    try {
      const file = loadMappingFile(k.mapping, { partitions: this.#settings.partitions, matchRoleByName: k.matchRoleByName });
      this.mapper = compileMapping(file.entries);
      for (const warning of file.warnings) this.#log.warn({ file: k.mapping }, warning);
      state.mapping = { loadedAt: new Date().toISOString() };
      this.#metrics.reloaded('mapping', true);
      this.#log.info({ file: k.mapping, entries: file.entries.length }, 'mapping loaded');
    } catch (error) {
      state.mapping = { ...state.mapping, error: error instanceof ConfigError ? error.message : String(error) };
      this.#metrics.reloaded('mapping', false);
      this.#log.error({ file: k.mapping, error: state.mapping.error }, this.mapper ? 'mapping not reloaded; keeping the last good one' : 'mapping not loaded');
    }
  }

  loadTls(): void {
    const files = this.#settings.tls!;
    const state = this.#state;
    try {
      (this.#app.server as HttpsServer).setSecureContext(readKeyPair(files));
      state.tls = { loadedAt: new Date().toISOString() };
      this.#metrics.reloaded('tls', true);
      this.#log.info({ cert: files.cert }, 'TLS key pair reloaded');
    } catch (error) {
      state.tls = { ...state.tls, error: error instanceof Error ? error.message : String(error) };
      this.#metrics.reloaded('tls', false);
      this.#log.error({ cert: files.cert, error: state.tls.error }, 'TLS key pair not reloaded; keeping the last good one');
    }
  }

  /** Re-reads every file now (as a change would; e.g. on SIGHUP). */
  reload(): void {
    if (this.#settings.kubernetes) this.loadMapping();
    if (this.#settings.tls) this.loadTls();
  }

  /** Starts watching the files; returns the functions that stop it. */
  watch(): (() => void)[] {
    const { kubernetes, tls, watchIntervalMs } = this.#settings;
    return [
      kubernetes ? watchFiles([kubernetes.mapping], watchIntervalMs, () => this.loadMapping()) : () => undefined,
      tls ? watchFiles([tls.cert, tls.key], watchIntervalMs, () => this.loadTls()) : () => undefined,
    ];
  }
}

async function listenOn(app: FastifyInstance, listen: ServerConfig['listen'], https: boolean): Promise<string> {
  await app.listen({ host: listen.host, port: listen.port });
  const { port } = app.server.address() as AddressInfo;
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  return `${https ? 'https' : 'http'}://${host}:${port}`;
}

/**
 * Stops accepting and lets in-flight requests finish; a connection still busy after `timeoutMs` is cut.
 * Then the authenticators close (with a short grace) and `release` frees the rest, even if closing failed.
 */
async function shutdown(app: FastifyInstance, timeoutMs: number, authenticators: Authenticator<never>[], release: () => void): Promise<void> {
  const force = setTimeout(() => app.server.closeAllConnections(), timeoutMs);
  try {
    await app.close();
  } finally {
    clearTimeout(force);
    // STS calls of requests that were cut may still be running: their pools get a short grace.
    await Promise.race([Promise.all(authenticators.map((a) => a.close())), delay(CLOSE_GRACE_MS)]);
    release();
  }
}

const CLOSE_GRACE_MS = 1_000;

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
