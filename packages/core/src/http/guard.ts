/**
 * Route guards (every adapter's `requireCaller` / `requireGroups`): the `allow` rules of `authz/policy`
 * applied to a caller the authentication middleware already set, answered as HTTP refusals. A guard's
 * challenge names the realm of the authenticator that handled the request: the authenticator leaves
 * it on the request (`noteRealm`), and the guard reads it back from there.
 */
import { asError, CallerIdError, inRealm } from '../errors.js';
import type { Identity } from '../authz/identity.js';
import { assertKnownOptions, optionKeys } from '../options.js';
import { compileAllow, type AllowOption } from '../authz/policy.js';

/** Options for {@link createGuard}. */
export interface GuardOptions {
  /**
   * The `realm` of the `WWW-Authenticate` challenge. Default: the realm of the authenticator that
   * handled this request (when the guard is given the request), else `"callerid"`.
   */
  realm?: string;
}

/**
 * A route guard: resolves to the caller when allowed, rejects with a {@link CallerIdError} otherwise.
 * `request` is the object the adapter handed to `authenticate` (it carries the authenticator's realm).
 */
export type Guard = (caller: Identity | null | undefined, request?: object) => Promise<Identity>;

const GUARD_OPTION_KEYS = optionKeys<GuardOptions>()(['realm']);

// The realm an authenticator answered a request in, kept on the request itself: it lives exactly as
// long as the request, and a symbol of this module is no name an application or framework can clash with.
const REALM = Symbol('callerid.realm');

/**
 * Records on `request` the realm its authenticator used (internal: called by the authenticator when it
 * has a `realm` of its own). A request that cannot take a property (frozen, or no object) keeps none.
 */
export function noteRealm(request: unknown, realm: string): void {
  if (typeof request === 'object' && request !== null) Reflect.set(request, REALM, realm);
}

function realmOf(request: object | undefined): string | undefined {
  const realm: unknown = request === undefined ? undefined : (request as { [REALM]?: unknown })[REALM];
  return typeof realm === 'string' ? realm : undefined;
}

/**
 * Builds the decision behind every adapter's `requireCaller` / `requireGroups`: no caller → 401
 * `token_missing` (a route that allowed anonymous requests); not allowed → 403 `caller_not_allowed`;
 * `undefined` (the authentication middleware never ran) → a plain `Error`, i.e. a 500, because that is
 * a wiring mistake that must not look like an anonymous request.
 */
export function createGuard(allow: AllowOption, options: GuardOptions = {}): Guard {
  assertKnownOptions(options, GUARD_OPTION_KEYS);
  const authorize = compileAllow(allow);
  return async (caller, request) => {
    if (caller === undefined) throw new Error('callerid: a route guard ran before the callerid middleware set the caller');
    const realm = options.realm ?? realmOf(request);
    if (caller === null) throw inRealm(new CallerIdError('token_missing'), realm);
    let verdict: boolean;
    try {
      verdict = await authorize(caller);
    } catch (error) {
      throw asError(error);
    }
    if (verdict !== true) throw inRealm(new CallerIdError('caller_not_allowed'), realm);
    return caller;
  };
}
