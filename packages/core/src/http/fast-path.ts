/**
 * The adapters' synchronous path into an authenticator (`@callerid/core/internal`, not semver). A
 * framework serves a request faster when the authentication step continues at once rather than from
 * a promise (Express markedly so), so adapters need what `authenticate` cannot give: the answer at once
 * when it is known. Users have one verb, `authenticate()`; this is not a second one for them.
 *
 * This module holds no code of the authenticator: only the key of its fast-path method. The key is a
 * registry symbol because this module is bundled twice (core's main and internal entries are built
 * apart, and an application may load both the ESM and the CJS build); a local `Symbol()` would be two.
 */
import type { Identity } from '../authz/identity.js';
import type { HeadersInput } from './bearer.js';

/** The key of an authenticator's synchronous check (see {@link fastPath}). */
export const FAST_PATH: unique symbol = Symbol.for('callerid.authenticator.fastPath');

/** An answer of the fast path: the caller (or `null` when anonymous) at once, or a promise of it. */
export type FastAnswer = Identity | null | Promise<Identity | null>;

/**
 * `authenticate`, answering at once when it can: returns the caller (or `null`) for a cached token with
 * synchronous `allow` rules, throws the error (always an `Error`; a `CallerIdError` for every refusal)
 * for a request refused without I/O (no token, a malformed header, a denied cached caller), and returns
 * a promise only when it must wait (STS, an asynchronous store or predicate, a custom `getToken`).
 */
export type FastCheck<Req> = (headers: HeadersInput, request?: Req, connection?: object) => FastAnswer;

/** What carries a fast path: an authenticator made by `createAuthenticator`. */
export interface HasFastPath<Req> {
  [FAST_PATH](headers: HeadersInput, request: Req | undefined, connection: object | undefined): FastAnswer;
}

/**
 * The fast path of an authenticator made by `createAuthenticator`, for adapters.
 *
 * @example
 * ```ts
 * const check = fastPath(auth);
 * let caller; try { caller = check(req.rawHeaders, req, req.socket); } catch (error) { return next(error); }
 * if (caller instanceof Promise) caller.then(proceed, next); else proceed(caller);
 * ```
 */
export function fastPath<Req>(authenticator: object): FastCheck<Req> {
  const holder = authenticator as Partial<HasFastPath<Req>>;
  const check = holder[FAST_PATH];
  if (typeof check !== 'function') throw new TypeError('fastPath needs an authenticator made by createAuthenticator');
  return check.bind(holder);
}
