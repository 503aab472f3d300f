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
import { createAuthenticator, type Authenticator, type AuthenticatorOptions, type CallerIdError, type Identity } from '@callerid/core';
import { fastPath, type FastAnswer, type FastCheck } from '@callerid/core/internal';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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

/** Registers `/auth` and `/auth/*`; returns the authenticators (one per audience, closed by the server). */
export async function registerForwardAuth(app: FastifyInstance, deps: ForwardAuthDeps): Promise<Authenticator[]> {
  const { config, log } = deps;
  const byAudience = new Map<string, Authenticator>();
  for (const audience of forwardAudiences(config)) byAudience.set(audience, authenticatorFor(audience, config.audiences[audience] ?? config.policy, deps));
  const pick = chooser(config, new Map([...byAudience].map(([audience, auth]) => [audience, fastPath(auth)])));

  await app.register((scope, _options, done) => {
    // A proxy may forward a request with any body and type; the decision never reads it.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, parsed) => {
      payload.resume();
      parsed(null);
    });
    const handler = (request: FastifyRequest, reply: FastifyReply): void => {
      const check = pick(request.headers[config.hostHeader]);
      if (!check) {
        log.warn({ route: 'auth', code: 'host_not_configured' }, 'refused');
        void reply.code(403).send({ error: 'host_not_configured', error_description: 'No audience is configured for this host.' });
        return;
      }
      // The fast path answers a cached token at once, with no promise and no closure of ours.
      let caller: FastAnswer;
      try {
        caller = check(request.raw.rawHeaders, undefined, request.raw.socket);
      } catch (error) {
        answerError(reply, error as Error, deps.draining());
        return;
      }
      if (caller instanceof Promise) {
        caller.then(
          (known) => answerCaller(reply, known!, deps.draining()),
          (error: unknown) => answerError(reply, error as Error, deps.draining()),
        );
        return;
      }
      answerCaller(reply, caller!, deps.draining());
    };
    scope.all('/auth', handler);
    scope.all('/auth/*', handler);
    done();
  });
  return [...byAudience.values()];
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

// Answers are written to the raw response (`reply.hijack()`): an empty 200 with a few headers needs
// none of Fastify's reply pipeline (serializers, onSend hooks), which is most of this route's cost.
function answerCaller(reply: FastifyReply, caller: Identity, draining: boolean): void {
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
  reply.hijack();
  reply.raw.writeHead(200, headers);
  reply.raw.end();
}

function answerError(reply: FastifyReply, error: Error, draining: boolean): void {
  const e = error as Partial<CallerIdError>;
  const known = typeof e.status === 'number' && typeof e.toJSON === 'function';
  const body = JSON.stringify(known ? e.toJSON!() : { error: 'server_error' });
  const headers: Record<string, string | number> = { ...(known ? e.headers : {}), 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) };
  if (draining) headers.connection = 'close';
  reply.hijack();
  reply.raw.writeHead(known ? e.status : 500, headers);
  reply.raw.end(body);
}
