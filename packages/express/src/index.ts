/**
 * Express (5 and 4) glue for @callerid/core: every decision is made by `createAuthenticator` and
 * `createGuard`; this file only moves their answers into `req.caller` and their errors into `next(err)`.
 */
import {
  createAuthenticator,
  createGuard,
  isCallerIdError,
  type AllowOption,
  type Authenticator,
  type AuthenticatorOptions,
  type GuardOptions,
  type Identity,
} from '@callerid/core';
import { fastPath, type FastAnswer } from '@callerid/core/internal';
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The verified caller set by `callerid()`; `null` for an anonymous request when `credentialsRequired` is `false`. */
      caller: Identity | null;
    }
  }
}

/** Options of {@link callerid}: the core authenticator options; `getToken` receives the Express request. */
export type CallerIdExpressOptions = AuthenticatorOptions<Request>;

/** The middleware, with the authenticator it owns (close it when the app shuts down). */
export interface CallerIdMiddleware extends RequestHandler {
  readonly authenticator: Authenticator<Request>;
  close(): Promise<void>;
}

/**
 * Authenticates every request it sees and sets `req.caller`; refusals go to `next(err)` as a
 * `CallerIdError` (status, `WWW-Authenticate`/`Retry-After` in `err.headers`).
 *
 * @example
 * ```ts
 * app.use(callerid({ audience: 'payments-api', allow: { accounts: ['111122223333'] } }));
 * app.get('/whoami', (req, res) => res.json(req.caller));
 * ```
 */
export function callerid(options: CallerIdExpressOptions): CallerIdMiddleware {
  const auth = createAuthenticator<Request>(options);
  // The fast path answers a cached token at once: Express serves a request markedly faster when
  // `next()` is called synchronously than from a promise. No closure of ours is made on that path.
  const check = fastPath<Request>(auth);
  const middleware = (req: Request, _res: Response, next: NextFunction): void => {
    let caller: FastAnswer;
    try {
      caller = check(req.rawHeaders, req, req.socket);
    } catch (error) {
      next(error);
      return;
    }
    if (caller instanceof Promise) {
      caller.then((known) => {
        req.caller = known;
        next();
      }, next);
      return;
    }
    req.caller = caller;
    next();
  };
  return Object.assign(middleware, { authenticator: auth, close: () => auth.close() });
}

/**
 * Route guard: lets the request through only when `req.caller` satisfies `allow` (403 otherwise; 401
 * for an anonymous request). Mount it after {@link callerid}.
 *
 * @example
 * ```ts
 * app.delete('/payments/:id', requireCaller({ principals: ['arn:aws:iam::111122223333:role/payments-admin'] }), handler);
 * ```
 */
export function requireCaller(allow: AllowOption = {}, options?: GuardOptions): RequestHandler {
  const guard = createGuard(allow, options);
  return (req, _res, next) => {
    guard(req.caller, req).then(() => next(), next);
  };
}

/** Route guard: the caller (after `map`) must hold at least one of these groups. */
export function requireGroups(...groups: string[]): RequestHandler {
  return requireCaller({ groups });
}

/**
 * An error handler that answers a `CallerIdError` with its status, headers and a small JSON body
 * (`{ error, error_description, code }`), and passes anything else on. Optional: Express's default
 * handler already uses the status and headers.
 */
export function callerIdErrorHandler(): ErrorRequestHandler {
  return (err: unknown, _req, res, next) => {
    if (!isCallerIdError(err) || res.headersSent) return next(err);
    res.status(err.status).set(err.headers).json(err.toJSON());
  };
}

// What a user of the adapter needs from core, without installing it separately: the error class and
// guard to catch refusals by, and the identity types.
export { CallerIdError, isCallerIdError } from '@callerid/core';
export type { CallerIdErrorCode, Identity, IdentityBase, PresignedIdentity, WebIdentity } from '@callerid/core';
