/**
 * Fastify 5 glue for @callerid/core: every decision is made by `createAuthenticator` and `createGuard`;
 * this file only registers the hook, decorates `request.caller` and throws their errors to Fastify.
 */
import {
  assertKnownOptions,
  createAuthenticator,
  createGuard,
  type AllowOption,
  type Authenticator,
  type AuthenticatorOptions,
  type GuardOptions,
  type Identity,
} from '@callerid/core';
import { AUTHENTICATOR_OPTION_KEYS, fastPath, type FastAnswer } from '@callerid/core/internal';
import type { FastifyInstance, FastifyPluginCallback, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified caller; `null` for an anonymous request or a route that opted out. */
    caller: Identity | null;
  }
  interface FastifyContextConfig {
    /** `false`: this route skips authentication; `true`: it authenticates even when `global` is `false`. */
    callerid?: boolean;
  }
  interface FastifyInstance {
    /** The authenticator the plugin owns (closed with the app). */
    callerid: Authenticator<FastifyRequest>;
  }
}

/** Options of the plugin: the core authenticator options plus `global`. */
export interface CallerIdFastifyOptions extends AuthenticatorOptions<FastifyRequest> {
  /**
   * `true` (default): every route authenticates unless its `config.callerid` is `false` (opt-out).
   * `false`: only routes whose `config.callerid` is `true` authenticate (opt-in).
   */
  global?: boolean;
}

// What Fastify itself may pass along with a plugin's options (`register(plugin, { prefix, logLevel })`).
const FASTIFY_REGISTER_KEYS = ['prefix', 'logLevel', 'logSerializers'];
const OPTION_KEYS = [...AUTHENTICATOR_OPTION_KEYS, 'global', ...FASTIFY_REGISTER_KEYS];

const plugin: FastifyPluginCallback<CallerIdFastifyOptions> = (fastify: FastifyInstance, { global = true, ...rest }, done) => {
  if (fastify.hasDecorator('callerid')) return done(new Error('@callerid/fastify is already registered on this instance'));
  let auth: Authenticator<FastifyRequest>;
  try {
    assertKnownOptions(rest, OPTION_KEYS);
    const options: Record<string, unknown> = { ...rest };
    for (const key of FASTIFY_REGISTER_KEYS) delete options[key];
    auth = createAuthenticator<FastifyRequest>(options as unknown as AuthenticatorOptions<FastifyRequest>);
  } catch (error) {
    return done(error as Error); // bad configuration fails `ready()`, not the process
  }
  fastify.decorate('callerid', auth);
  fastify.decorateRequest('caller', null);
  fastify.addHook('onClose', () => auth.close());
  // A callback hook, not an async one, and the fast path, which answers a cached token at once: no
  // promise and no closure of ours per request on the hot path.
  const check = fastPath<FastifyRequest>(auth);
  fastify.addHook('onRequest', (request, _reply, next) => {
    const route = request.routeOptions.config.callerid;
    if (route === false || (!global && route !== true)) return next();
    let caller: FastAnswer;
    try {
      caller = check(request.raw.rawHeaders, request, request.raw.socket);
    } catch (error) {
      return next(error as Error);
    }
    if (caller instanceof Promise) {
      caller.then((known) => {
        request.caller = known;
        next();
      }, next);
      return;
    }
    request.caller = caller;
    next();
  });
  done();
};

/**
 * The plugin: verifies the bearer token in `onRequest` and sets `request.caller`; refusals are thrown
 * as `CallerIdError` (Fastify answers with its `statusCode` and `headers`).
 *
 * @example
 * ```ts
 * await app.register(callerid, { audience: 'payments-api' });
 * app.get('/whoami', async (request) => request.caller);
 * app.get('/health', { config: { callerid: false } }, async () => 'ok');
 * ```
 */
export const callerid = fp(plugin, { fastify: '5.x', name: '@callerid/fastify' });
export default callerid;

/**
 * Route guard for `onRequest`/`preHandler`: the caller must satisfy `allow` (403 otherwise; 401 for an
 * anonymous request).
 *
 * @example
 * ```ts
 * app.delete('/payments/:id', { preHandler: requireCaller({ accounts: ['111122223333'] }) }, handler);
 * ```
 */
export function requireCaller(allow: AllowOption = {}, options?: GuardOptions): (request: FastifyRequest) => Promise<void> {
  const guard = createGuard(allow, options);
  return async (request) => {
    await guard(request.caller, request);
  };
}

/** Route guard: the caller (after `map`) must hold at least one of these groups. */
export function requireGroups(...groups: string[]): (request: FastifyRequest) => Promise<void> {
  return requireCaller({ groups });
}

// What a user of the adapter needs from core, without installing it separately: the error class and
// guard to catch refusals by, and the identity types.
export { CallerIdError, isCallerIdError } from '@callerid/core';
export type { CallerIdErrorCode, Identity, IdentityBase, PresignedIdentity, WebIdentity } from '@callerid/core';
