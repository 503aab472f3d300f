import { randomUUID } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { assumeRole } from './actions/assume-role.js';
import { getCallerIdentity } from './actions/get-caller-identity.js';
import { StsError, stsErrors } from './errors.js';
import { FaultInjector, type Faults } from './faults.js';
import { isGlobalHost } from './hosts.js';
import { actionParams, headerMap } from './http-input.js';
import { loadPrincipals, PrincipalStore, type Principal } from './principals.js';
import { assertKnownOptions, optionKeys } from './options.js';
import { parseQuery } from './query.js';
import { renderError, renderResult, wantsJson, type Rendered } from './responses.js';
import { verifySignedRequest } from './sigv4-verify.js';
import { StatsRecorder, type StsLocalStats } from './stats.js';
import { getWebIdentityToken } from './web-identity/action.js';
import { ISSUER_PATH_PREFIX, WebIdentityIssuer, type WebIdentityIssuerOptions } from './web-identity/issuer.js';

/** Options of {@link startStsLocal}. */
export interface StsLocalOptions {
  /** Port to listen on; default 0 (a free port, see `url`). */
  readonly port?: number | undefined;
  /** Address to listen on; default `127.0.0.1`. Keep it a loopback address: the keys are fake but the identities are not meant for a network. */
  readonly host?: string | undefined;
  /** The principals, or a path to a principals JSON file (see {@link loadPrincipals}). */
  readonly principals: readonly Principal[] | string;
  /** Current time in epoch ms; default `Date.now`. Inject a fixed clock to verify fixtures signed in the past. */
  readonly clock?: (() => number) | undefined;
  /** Faults to inject from the start (see {@link Faults}); change them later with `setFaults`. */
  readonly faults?: Faults | undefined;
  /** Largest accepted request body in bytes; default 65536. Larger bodies get 413 and a closed connection. */
  readonly maxBodyBytes?: number | undefined;
  /** Time a client has to send one whole request, in ms; default 30000. Slower connections are closed. */
  readonly requestTimeoutMs?: number | undefined;
  /** The outbound web identity issuer (GetWebIdentityToken); enabled by default. */
  readonly webIdentity?: WebIdentityIssuerOptions | undefined;
}

const OPTION_KEYS = optionKeys<StsLocalOptions>()(['port', 'host', 'principals', 'clock', 'faults', 'maxBodyBytes', 'requestTimeoutMs', 'webIdentity']);

/** A running sts-local. */
export interface StsLocal {
  /** Base URL, e.g. `http://127.0.0.1:41234` (point `--endpoint-url` or `stsEndpoint` here). */
  readonly url: string;
  /** The port actually listened on. */
  readonly port: number;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
  /** Per-action request counts, the same JSON `GET /_local/stats` returns. */
  stats(): StsLocalStats;
  /** Adds a principal, or replaces the one with the same access key id. Throws `TypeError` if invalid. */
  addPrincipal(principal: Principal): void;
  /** Replaces the injected faults (`undefined` or `{}` turns them off); counters restart. */
  setFaults(faults: Faults | undefined): void;
  /**
   * The web identity issuer URL of an account's tokens: `<url>/issuer/<uuid>`, serving
   * `/.well-known/openid-configuration` and `/.well-known/jwks.json` (plain http, loopback only).
   */
  issuerFor(account: string): string;
  /** Rotates the web identity signing keys (`RSA_<n+1>`, `EC384_<n+1>`); the previous keys stay in the JWKS until the next rotation. */
  rotateKeys(): Promise<void>;
  /** Enables or disables GetWebIdentityToken (disabled → `OutboundWebIdentityFederationDisabledException`). */
  setWebIdentityEnabled(enabled: boolean): void;
  /**
   * Signs arbitrary claims with the issuer's current key, exactly as GetWebIdentityToken signs — for
   * testing a verifier against tokens STS would never issue (a 2-hour lifetime, no `jti`, a foreign
   * `sub`, an unknown `kid`). Nothing is checked.
   */
  signWebIdentityToken(claims: Record<string, unknown>, options?: { algorithm?: 'RS256' | 'ES384'; kid?: string }): Promise<string>;
}

const API_VERSION = '2011-06-15';

interface Context {
  readonly store: PrincipalStore;
  readonly clock: () => number;
  readonly stats: StatsRecorder;
  readonly localHosts: Set<string>;
  readonly maxBodyBytes: number;
  readonly timers: Set<NodeJS.Timeout>;
  readonly issuer: WebIdentityIssuer;
  faults: FaultInjector;
}

/**
 * Starts a local STS on loopback that verifies SigV4 the way AWS STS does and answers
 * `GetCallerIdentity` and `AssumeRole` for the given principals.
 *
 * @example
 * ```ts
 * const sts = await startStsLocal({ principals: 'fixtures/aws-cli-tokens.json' });
 * // … point clients at sts.url …
 * await sts.close();
 * ```
 */
export async function startStsLocal(options: StsLocalOptions): Promise<StsLocal> {
  if (typeof options !== 'object' || options === null) throw new TypeError('startStsLocal needs an options object');
  assertKnownOptions(options, OPTION_KEYS);
  if (typeof options.webIdentity === 'object' && options.webIdentity !== null) assertKnownOptions(options.webIdentity, ['enabled'], 'webIdentity.');
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new TypeError('port must be an integer between 0 and 65535');
  const maxBodyBytes = options.maxBodyBytes ?? 65_536;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1) throw new TypeError('maxBodyBytes must be a positive integer');
  const requestTimeout = options.requestTimeoutMs ?? 30_000;
  if (!Number.isInteger(requestTimeout) || requestTimeout < 1) throw new TypeError('requestTimeoutMs must be a positive integer');
  const principals = typeof options.principals === 'string' ? loadPrincipals(options.principals) : loadPrincipals([...options.principals]);
  const ctx: Context = {
    store: new PrincipalStore(principals),
    clock: options.clock ?? Date.now,
    stats: new StatsRecorder(),
    localHosts: new Set(),
    maxBodyBytes,
    timers: new Set(),
    faults: new FaultInjector(options.faults),
    issuer: new WebIdentityIssuer(options.webIdentity),
  };
  const server = createServer(
    {
      maxHeaderSize: 16_384,
      requestTimeout,
      headersTimeout: Math.min(10_000, requestTimeout),
      keepAliveTimeout: 5_000,
      connectionsCheckingInterval: Math.min(1_000, requestTimeout),
      requireHostHeader: false,
    },
    (req, res) => onRequest(ctx, req, res),
  );
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => onClientError(ctx, err, socket));
  const address = await listen(server, port, options.host ?? '127.0.0.1');
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  ctx.localHosts.add(`${hostForUrl}:${address.port}`);
  const url = `http://${hostForUrl}:${address.port}`;
  ctx.issuer.setBaseUrl(url);
  return {
    url,
    port: address.port,
    close: () => close(server, ctx),
    stats: () => ctx.stats.snapshot(),
    addPrincipal: (principal) => void ctx.store.add(principal),
    setFaults: (faults) => {
      ctx.faults = new FaultInjector(faults ?? {});
    },
    issuerFor: (account) => ctx.issuer.issuerFor(account),
    rotateKeys: () => ctx.issuer.rotateKeys(),
    setWebIdentityEnabled: (enabled) => ctx.issuer.setEnabled(enabled),
    signWebIdentityToken: (claims, signOptions) => ctx.issuer.sign(claims, signOptions?.algorithm ?? 'RS256', signOptions?.kid),
  };
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function close(server: Server, ctx: Context): Promise<void> {
  for (const timer of ctx.timers) clearTimeout(timer);
  ctx.timers.clear();
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function send(res: ServerResponse, rendered: Rendered, requestId: string, closeConnection = false): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string | number> = {
    'content-type': rendered.contentType,
    'content-length': Buffer.byteLength(rendered.body),
    'x-amzn-requestid': requestId,
  };
  if (closeConnection) headers.connection = 'close';
  res.writeHead(rendered.status, headers);
  res.end(rendered.body);
}

function onRequest(ctx: Context, req: IncomingMessage, res: ServerResponse): void {
  const requestId = randomUUID();
  // STS's Date header is its clock: with an injected clock, clients measuring skew see that one.
  res.setHeader('date', new Date(ctx.clock()).toUTCString());
  const json = wantsJson(req.headers.accept);
  const rawUrl = req.url ?? '/';
  const q = rawUrl.indexOf('?');
  const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
  const fail = (error: StsError, closeConnection = false) => {
    ctx.stats.record(undefined, { accepted: false, code: error.code });
    send(res, renderError(error, requestId, json), requestId, closeConnection);
  };
  if (path === '/_local/stats') return serveStats(ctx, req, res, requestId);
  if (path.startsWith(ISSUER_PATH_PREFIX)) return serveIssuer(ctx, req, res, path, requestId);
  if (path !== '/') return fail(stsErrors.notFound());
  if (req.method !== 'GET' && req.method !== 'POST') return fail(stsErrors.methodNotAllowed());
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > ctx.maxBodyBytes) return fail(stsErrors.tooLarge(), true);
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > ctx.maxBodyBytes) {
      if (!res.headersSent) fail(stsErrors.tooLarge(), true);
      req.destroy();
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (size > ctx.maxBodyBytes) return;
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    handleSts(ctx, req, res, q === -1 ? '' : rawUrl.slice(q + 1), body, requestId, json);
  });
  // A half-sent request (client gone, or timed out) just ends here; the server keeps serving.
  req.on('error', () => undefined);
}

function serveStats(ctx: Context, req: IncomingMessage, res: ServerResponse, requestId: string): void {
  req.resume();
  if (req.method !== 'GET') {
    send(res, renderError(stsErrors.methodNotAllowed(), requestId, true), requestId);
    return;
  }
  send(res, { status: 200, contentType: 'application/json', body: JSON.stringify(ctx.stats.snapshot()) }, requestId);
}

// The web identity issuer's well-known documents (GET only; no signature, as on AWS).
function serveIssuer(ctx: Context, req: IncomingMessage, res: ServerResponse, path: string, requestId: string): void {
  req.resume();
  const notFound = () => {
    const error = stsErrors.notFound();
    ctx.stats.record(undefined, { accepted: false, code: error.code });
    send(res, renderError(error, requestId, true), requestId);
  };
  if (req.method !== 'GET') {
    ctx.stats.record(undefined, { accepted: false, code: 'MethodNotAllowed' });
    send(res, renderError(stsErrors.methodNotAllowed(), requestId, true), requestId);
    return;
  }
  ctx.issuer.serveWellKnown(path).then(
    (served) => {
      if (!served) return notFound();
      ctx.stats.record(served.document, { accepted: true });
      send(res, served.rendered, requestId);
    },
    () => {
      ctx.stats.record(undefined, { accepted: false, code: 'InternalFailure' });
      send(res, renderError(stsErrors.internalFailure(), requestId, true), requestId);
    },
  );
}

function handleSts(ctx: Context, req: IncomingMessage, res: ServerResponse, rawQuery: string, body: Buffer, requestId: string, json: boolean): void {
  let action: string | undefined;
  const reply = (rendered: Rendered) => {
    ctx.stats.record(action, { accepted: true });
    send(res, rendered, requestId);
  };
  const refuse = (caught: unknown) => {
    // Anything but an StsError is our bug: answer InternalFailure without echoing its message.
    const error = caught instanceof StsError ? caught : stsErrors.internalFailure();
    ctx.stats.record(action, { accepted: false, code: error.code });
    send(res, renderError(error, requestId, json), requestId);
  };
  try {
    const query = parseQuery(rawQuery);
    const params = actionParams(query, req.method!, req.headers['content-type'], body);
    action = params.get('Action');
    const fault = ctx.faults.next();
    const proceed = () => {
      try {
        if (fault.drop) {
          ctx.stats.record(action, { accepted: false, code: 'Dropped' });
          req.socket.destroy();
          return;
        }
        if (fault.throttle) throw stsErrors.throttling();
        if (fault.serverError) throw fault.serverError === 503 ? stsErrors.serviceUnavailable() : stsErrors.internalFailure();
        const rendered = answer(ctx, req, query, params, body, requestId, json);
        if (rendered instanceof Promise) rendered.then(reply, refuse);
        else reply(rendered);
      } catch (error) {
        refuse(error);
      }
    };
    if (fault.latencyMs > 0) {
      const timer = setTimeout(() => {
        ctx.timers.delete(timer);
        proceed();
      }, fault.latencyMs);
      ctx.timers.add(timer);
    } else {
      proceed();
    }
  } catch (error) {
    refuse(error);
  }
}

function answer(
  ctx: Context,
  req: IncomingMessage,
  query: ReturnType<typeof parseQuery>,
  params: Map<string, string>,
  body: Buffer,
  requestId: string,
  json: boolean,
): Rendered | Promise<Rendered> {
  const now = ctx.clock();
  const { principal, region } = verifySignedRequest(
    { method: req.method!, query, headers: headerMap(req), body },
    { now, lookup: (id) => ctx.store.get(id), localHosts: ctx.localHosts },
  );
  const action = params.get('Action');
  if (action === undefined) throw stsErrors.missingAction();
  const version = params.get('Version') ?? API_VERSION;
  switch (version === API_VERSION ? action : undefined) {
    case 'GetCallerIdentity':
      return renderResult(action, getCallerIdentity(principal), requestId, json);
    case 'AssumeRole': {
      const outcome = assumeRole(
        principal,
        { RoleArn: params.get('RoleArn'), RoleSessionName: params.get('RoleSessionName'), DurationSeconds: params.get('DurationSeconds') },
        now,
      );
      ctx.store.addSession(outcome.session, now);
      return renderResult(action, outcome.result, requestId, json);
    }
    case 'GetWebIdentityToken': {
      const globalEndpoint = isGlobalHost(req.headers.host ?? '');
      return getWebIdentityToken(ctx.issuer, { caller: principal, params, region, globalEndpoint, now }).then((result) =>
        renderResult(action, result, requestId, json),
      );
    }
    default:
      throw stsErrors.invalidAction(action, version);
  }
}

function onClientError(ctx: Context, err: NodeJS.ErrnoException, socket: Duplex): void {
  // A response already under way on this socket cannot be followed by another: just close it.
  if (err.code === 'ECONNRESET' || !socket.writable || Reflect.get(socket, '_httpMessage')) {
    socket.destroy();
    return;
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const error =
    status === 431
      ? new StsError(431, 'RequestHeaderSectionTooLarge', 'The request headers are too large.')
      : status === 408
        ? new StsError(408, 'RequestTimeout', 'The request was not received in time.')
        : stsErrors.badRequest('The request is not valid HTTP.');
  const requestId = randomUUID();
  const rendered = renderError(error, requestId, false);
  ctx.stats.record(undefined, { accepted: false, code: error.code });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: ${rendered.contentType}\r\n` +
      `content-length: ${Buffer.byteLength(rendered.body)}\r\nx-amzn-requestid: ${requestId}\r\nconnection: close\r\n\r\n${rendered.body}`,
  );
}
