/**
 * Koa 3 glue for @callerid/core: every decision is made by `createAuthenticator` and `createGuard`;
 * this file only moves their answers into `ctx.state.caller` and throws their errors for `ctx.onerror`.
 */
import {
  createAuthenticator,
  createGuard,
  type AllowOption,
  type Authenticator,
  type AuthenticatorOptions,
  type GuardOptions,
  type Identity,
} from '@callerid/core';
import { fastPath } from '@callerid/core/internal';
import type { Context, Middleware } from 'koa';

declare module 'koa' {
  interface DefaultState {
    /** The verified caller set by `callerid()`; `null` for an anonymous request when `credentialsRequired` is `false`. */
    caller: Identity | null;
  }
}

/** Options of {@link callerid}: the core authenticator options; `getToken` receives the Koa context. */
export type CallerIdKoaOptions = AuthenticatorOptions<Context>;

/** The middleware, with the authenticator it owns (close it when the app shuts down). */
export interface CallerIdMiddleware extends Middleware {
  readonly authenticator: Authenticator<Context>;
  close(): Promise<void>;
}

/**
 * Authenticates every request it sees and sets `ctx.state.caller`; refusals are thrown as
 * `CallerIdError`, which Koa's `ctx.onerror` renders with its `status`, `headers` and message.
 *
 * @example
 * ```ts
 * app.use(callerid({ audience: 'payments-api' }));
 * app.use((ctx) => { ctx.body = ctx.state.caller; });
 * ```
 */
export function callerid(options: CallerIdKoaOptions): CallerIdMiddleware {
  const auth = createAuthenticator<Context>(options);
  // Not an async function, and the fast path, which answers a cached token at once: no promise of
  // ours on the hot path. What it throws, koa-compose hands to Koa's `ctx.onerror` like any middleware error.
  const check = fastPath<Context>(auth);
  const middleware: Middleware = (ctx, next) => {
    const caller = check(ctx.req.rawHeaders, ctx, ctx.req.socket);
    if (caller instanceof Promise) {
      return caller.then((known) => {
        ctx.state.caller = known;
        return next();
      });
    }
    ctx.state.caller = caller;
    return next();
  };
  return Object.assign(middleware, { authenticator: auth, close: () => auth.close() });
}

/**
 * Route guard: continues only when `ctx.state.caller` satisfies `allow` (403 otherwise; 401 for an
 * anonymous request). Mount it after {@link callerid}.
 *
 * @example
 * ```ts
 * router.delete('/payments/:id', requireCaller({ principals: ['arn:aws:iam::111122223333:role/payments-admin'] }), handler);
 * ```
 */
export function requireCaller(allow: AllowOption = {}, options?: GuardOptions): Middleware {
  const guard = createGuard(allow, options);
  return async (ctx, next) => {
    await guard(ctx.state.caller, ctx);
    await next();
  };
}

/** Route guard: the caller (after `map`) must hold at least one of these groups. */
export function requireGroups(...groups: string[]): Middleware {
  return requireCaller({ groups });
}

// What a user of the adapter needs from core, without installing it separately: the error class and
// guard to catch refusals by, and the identity types.
export { CallerIdError, isCallerIdError } from '@callerid/core';
export type { CallerIdErrorCode, Identity, IdentityBase, PresignedIdentity, WebIdentity } from '@callerid/core';
