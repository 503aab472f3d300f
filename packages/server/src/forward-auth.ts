/**
 * `/auth`: forward authentication for reverse proxies (nginx `auth_request`, Traefik ForwardAuth, Envoy
 * `ext_authz` in HTTP mode, Caddy `forward_auth`). The proxy forwards the client's request headers; core
 * verifies the bearer token for the configured audience and applies that audience's `map` and `allow`;
 * this route answers 200 with identity headers for the proxy to copy upstream, or core's 401/403 (with
 * `WWW-Authenticate`) or 503 (with `Retry-After`).
 *
 * The audience is configuration: one, or chosen by the forwarded host from a configured map — never
 * named by the client. Any method and any path under `/auth/` is accepted (Envoy appends the original
 * path); request bodies are ignored.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createAuthenticator, isCallerIdError, type Authenticator, type AuthenticatorOptions, type Identity } from '@callerid/core';
import { fastPath, type FastAnswer, type FastCheck } from '@callerid/core/internal';
import type { Logger } from 'pino';
import type { AudiencePolicy, ForwardAuthConfig } from './config.js';

/** The headers a 200 carries (lower-case, as sent). */
export const IDENTITY_HEADERS = {
  arn: 'x-callerid-arn',
  canonicalArn: 'x-callerid-canonical-arn',
  account: 'x-callerid-account',
  principalType: 'x-callerid-principal-type',
  sessionName: 'x-callerid-session-name',
  username: 'x-callerid-username',
  groups: 'x-callerid-groups',
} as const;

/** What the route needs from the server. */
export interface ForwardAuthDeps {
  config: ForwardAuthConfig;
  verifierOptions: Omit<AuthenticatorOptions, 'audience'>;
  log: Logger;
  /** Whether the server is shutting down (answers then close their connections). */
  draining: () => boolean;
}

/** The audiences `/auth` may verify for. */
export function forwardAudiences(config: ForwardAuthConfig): Set<string> {
  return new Set(typeof config.audience === 'string' ? [config.audience] : Object.values(config.audience));
}

/** `/auth`, answered from the HTTP server's request event, ahead of Fastify (see {@link createForwardAuth}). */
export interface ForwardAuth {
  /** Whether a request target is `/auth`, or a path under `/auth/` (with or without a query). */
  handles(url: string | undefined): boolean;
  /** Answers one request; never throws. */
  answer(request: IncomingMessage, response: ServerResponse): void;
  /** One authenticator per audience, closed by the server. */
  readonly authenticators: Authenticator[];
}

/**
 * The `/auth` route. It runs on `node:http`'s request and response, not as a Fastify route: every
 * proxied request of every protected service passes through it, and Fastify's per-request work
 * (router, request and reply objects, hooks) would cost more than the decision itself, which core
 * makes. What Fastify would have done for this route is done here: any method, the body never read
 * (Node discards it after the answer), and `connection: close` while the server drains.
 */
export function createForwardAuth(deps: ForwardAuthDeps): ForwardAuth {
  const { config, log } = deps;
  const byAudience = new Map<string, Authenticator>();
  for (const audience of forwardAudiences(config)) byAudience.set(audience, authenticatorFor(audience, config.audiences[audience] ?? config.policy, deps));
  const pick = chooser(config, new Map([...byAudience].map(([audience, auth]) => [audience, fastPath(auth)])));
  const hostHeader = config.hostHeader;

  const decide = (request: IncomingMessage, response: ServerResponse): void => {
    const check = pick(request.headers[hostHeader]);
    if (!check) {
      log.warn({ route: 'auth', code: 'host_not_configured' }, 'refused');
      answerJson(response, 403, { error: 'host_not_configured', error_description: 'No audience is configured for this host.' }, {}, deps.draining());
      return;
    }
    // The fast path answers a cached token at once, with no promise and no closure of ours.
    let caller: FastAnswer;
    try {
      caller = check(request.rawHeaders, undefined, request.socket);
    } catch (error) {
      answerError(response, error, deps.draining());
      return;
    }
    if (caller instanceof Promise) {
      caller
        .then(
          (known) => answerCaller(response, known!, deps.draining()),
          (error: unknown) => answerError(response, error, deps.draining()),
        )
        .catch((error: unknown) => failed(response, error));
      return;
    }
    answerCaller(response, caller!, deps.draining());
  };
  // No Fastify around this route: whatever escapes (e.g. a mapped username that is no valid header
  // value) is answered 500 here, never left to crash the process.
  const failed = (response: ServerResponse, error: unknown): void => {
    log.error({ route: 'auth', error: error instanceof Error ? error.message : String(error) }, 'failed');
    if (!response.headersSent) answerJson(response, 500, { error: 'server_error' }, {}, deps.draining());
    else response.destroy();
  };
  const answer = (request: IncomingMessage, response: ServerResponse): void => {
    try {
      decide(request, response);
    } catch (error) {
      failed(response, error);
    }
  };
  return { handles: isForwardAuthTarget, answer, authenticators: [...byAudience.values()] };
}

/** `/auth`, `/auth?…` and `/auth/…` (Envoy appends the original path); nothing else, not even `/authx`. */
function isForwardAuthTarget(url: string | undefined): boolean {
  if (url === undefined || !url.startsWith('/auth')) return false;
  const next = url.charCodeAt(5);
  return Number.isNaN(next) || next === 0x2f /* / */ || next === 0x3f /* ? */;
}

function authenticatorFor(audience: string, policy: AudiencePolicy, deps: ForwardAuthDeps): Authenticator {
  const { log } = deps;
  return createAuthenticator({
    ...deps.verifierOptions,
    audience,
    realm: deps.config.realm,
    ...(policy.allow ? { allow: policy.allow } : {}),
    ...(policy.map ? { map: policy.map, requireMapping: policy.requireMapping } : {}),
    onRejected: ({ error, identity }) => log.warn({ route: 'auth', audience, code: error.code, ...(identity ? { principal: identity.arn } : {}) }, 'refused'),
  });
}

/** The fast path of the authenticator for a request's forwarded host (`*` is the fallback), or `undefined`. */
function chooser(config: ForwardAuthConfig, byAudience: Map<string, FastCheck<unknown>>) {
  if (typeof config.audience === 'string') {
    const only = byAudience.get(config.audience)!;
    return () => only;
  }
  const hosts = new Map(Object.entries(config.audience).map(([host, audience]) => [host, byAudience.get(audience)!]));
  const fallback = hosts.get('*');
  return (header: string | string[] | undefined): FastCheck<unknown> | undefined => {
    // A repeated header is ambiguous: refuse rather than guess which one the proxy meant.
    if (typeof header !== 'string') return header === undefined ? fallback : undefined;
    const host = header.trim().toLowerCase();
    return hosts.get(host) ?? hosts.get(host.replace(/:\d+$/, '')) ?? fallback;
  };
}

function answerCaller(response: ServerResponse, caller: Identity, draining: boolean): void {
  const headers: string[] = [
    IDENTITY_HEADERS.arn, caller.arn,
    IDENTITY_HEADERS.canonicalArn, caller.canonicalArn,
    IDENTITY_HEADERS.account, caller.accountId,
    IDENTITY_HEADERS.principalType, caller.principalType,
    'content-length', '0',
  ];
  if (caller.sessionName !== undefined) headers.push(IDENTITY_HEADERS.sessionName, caller.sessionName);
  if (caller.username !== undefined) headers.push(IDENTITY_HEADERS.username, caller.username);
  if (caller.groups !== undefined && caller.groups.length > 0) headers.push(IDENTITY_HEADERS.groups, caller.groups.join(','));
  if (draining) headers.push('connection', 'close');
  response.writeHead(200, headers);
  response.end();
}

function answerError(response: ServerResponse, error: unknown, draining: boolean): void {
  if (isCallerIdError(error)) answerJson(response, error.status, error.toJSON(), error.headers, draining);
  else answerJson(response, 500, { error: 'server_error' }, {}, draining);
}

function answerJson(response: ServerResponse, status: number, payload: object, extra: Readonly<Record<string, string>>, draining: boolean): void {
  const body = JSON.stringify(payload);
  const headers: Record<string, string | number> = { ...extra, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) };
  if (draining) headers.connection = 'close';
  response.writeHead(status, headers);
  response.end(body);
}
