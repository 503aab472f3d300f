/**
 * The one framework-agnostic request authenticator every adapter calls: read the bearer token, verify
 * it, map it, check the policy. Adapters only move its answer (`Identity | null`) or its error
 * (`CallerIdError`, which carries status and headers) into their framework's idiom.
 */
import { extractBearerCandidate, isB64Token, type HeadersInput } from './bearer.js';
import { asError, CallerIdError, isCallerIdError } from '../errors.js';
import type { Identity } from '../authz/identity.js';
import { compileMapping, type Mapper, type MappingEntry } from '../authz/mapping.js';
import { assertKnownOptions, optionKeys } from '../options.js';
import { compileAllow, rememberRealm, type AllowOption } from '../authz/policy.js';
import { createVerifierCore, VERIFIER_OPTION_KEYS, type Verifier, type VerifierOptions } from '../verifier.js';

/** What `onVerified` receives: the allowed caller. Never the token. */
export interface VerifiedEvent {
  identity: Identity;
}

/** What `onRejected` receives: the error answered, and the caller when it was known (policy denial). Never the token. */
export interface RejectedEvent {
  error: CallerIdError;
  identity?: Identity;
}

/** Reads the token from a request; `null`/`undefined` (or `''`) means the request carries none. */
export type GetToken<Req> = (request: Req) => string | null | undefined | Promise<string | null | undefined>;

/**
 * Options shared by `createAuthenticator` and every adapter (Express, Fastify, Koa), under the same
 * names: everything `createVerifier` takes, plus these.
 */
export interface AuthenticatorOptions<Req = unknown> extends VerifierOptions {
  /** Who may call (see `AllowRules`); failing it answers 403 `insufficient_scope`. Default: anyone authenticated. */
  allow?: AllowOption;
  /**
   * aws-auth style mapping that sets `username`/`groups` on the identity; applied before `allow`.
   * Entries, or a {@link Mapper} (e.g. one that delegates to the latest `compileMapping` of a file
   * that is reloaded).
   */
  map?: readonly MappingEntry[] | Mapper;
  /**
   * `true`: a caller that `map` does not map (no `username`) is refused with 403 `caller_not_mapped`,
   * as aws-iam-authenticator refuses an unmapped caller. Needs `map`. Default `false`.
   */
  requireMapping?: boolean;
  /**
   * `true` (default): a request without a token is answered 401. `false`: it passes with caller `null`;
   * a token that is present but bad is still refused.
   */
  credentialsRequired?: boolean;
  /** Where the token comes from. Default: `Authorization: Bearer <token>` (scheme case-insensitive). */
  getToken?: GetToken<Req>;
  /** Called for each allowed caller (logging, metrics). Exceptions are ignored. */
  onVerified?: (event: VerifiedEvent) => void;
  /** Called for each refused request, before the error is thrown. Exceptions are ignored. */
  onRejected?: (event: RejectedEvent) => void;
  /** The `realm` of the `WWW-Authenticate` challenge. Default `"callerid"`. */
  realm?: string;
}

/** What {@link Authenticator.checkCallback} calls: `(error, null)`, or `(null, caller)` (`caller` is `null` when anonymous). */
export type CheckCallback = (error: Error | null, caller: Identity | null) => void;

/** A configured authenticator. Create one per app (it owns the verifier and its cache), not per request. */
export interface Authenticator<Req = unknown> {
  /**
   * Authenticates one request: resolves to the allowed caller, or `null` for an anonymous request when
   * `credentialsRequired` is `false`; rejects with a {@link CallerIdError} otherwise.
   *
   * @param headers the request headers (`req.rawHeaders` is best: it keeps repeated fields).
   * @param request the framework's request, handed to `getToken`.
   * @param connection the request's connection (`req.socket`), when known: while it stays open, it
   *   remembers the last header token it carried and that token's cache key, so a keep-alive client
   *   sending the same token again skips the SHA-256 of the key (the cache is still consulted).
   */
  authenticate(headers: HeadersInput, request?: Req, connection?: object): Promise<Identity | null>;
  /**
   * {@link authenticate} for adapters, answering at once when it can: returns the caller (or `null`)
   * for a cached token with synchronous `allow` rules, throws the {@link CallerIdError} for a request
   * refused without I/O (no token, a malformed header, a denied cached caller), and returns a promise
   * only when it must wait (STS, an asynchronous store or predicate, a custom `getToken`). Express,
   * for one, serves a request markedly faster when its middleware calls `next()` synchronously.
   *
   * @example
   * ```ts
   * const caller = auth.check(req.rawHeaders, req, req.socket); // may throw
   * if (caller instanceof Promise) caller.then(proceed, fail); else proceed(caller);
   * ```
   */
  check(headers: HeadersInput, request?: Req, connection?: object): Identity | null | Promise<Identity | null>;
  /**
   * {@link check} for callback-style hooks (Express middleware, Fastify's `onRequest`): calls
   * `done(null, caller)` or `done(error)` exactly once — synchronously when the answer is known at once.
   *
   * @example
   * ```ts
   * auth.checkCallback(req.rawHeaders, req, req.socket, (error, caller) => {
   *   if (error) return next(error);
   *   req.caller = caller;
   *   next();
   * });
   * ```
   */
  checkCallback(headers: HeadersInput, request: Req | undefined, connection: object | undefined, done: CheckCallback): void;
  /** The realm used in challenges (for route guards). */
  readonly realm: string | undefined;
  /** The verifier this authenticator owns. */
  readonly verifier: Verifier;
  /** Closes the verifier (its connections and cache). */
  close(): Promise<void>;
}

/**
 * Every option of {@link createAuthenticator} (the verifier's and its own), for strict option checking;
 * adapters with options of their own check against this list plus theirs.
 */
export const AUTHENTICATOR_OPTION_KEYS: readonly string[] = [
  ...VERIFIER_OPTION_KEYS,
  ...optionKeys<Omit<AuthenticatorOptions, keyof VerifierOptions>>()(['allow', 'map', 'requireMapping', 'credentialsRequired', 'getToken', 'onVerified', 'onRejected']),
];

/**
 * Builds the request authenticator that every adapter calls. Configuration errors (a bad pattern, a
 * bad mapping entry) throw a `TypeError` here, at start-up.
 *
 * @example
 * ```ts
 * const auth = createAuthenticator({ audience: 'payments-api', allow: { accounts: ['111122223333'] } });
 * const caller = await auth.authenticate(req.rawHeaders); // Identity, or throws CallerIdError
 * ```
 */
export function createAuthenticator<Req = unknown>(options: AuthenticatorOptions<Req>): Authenticator<Req> {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  assertKnownOptions(options, AUTHENTICATOR_OPTION_KEYS);
  const { allow, map, requireMapping = false, credentialsRequired = true, getToken, onVerified, onRejected, realm, ...rest } = options;
  if (typeof credentialsRequired !== 'boolean') throw new TypeError('credentialsRequired must be a boolean');
  if (typeof requireMapping !== 'boolean') throw new TypeError('requireMapping must be a boolean');
  if (requireMapping && map === undefined) throw new TypeError('requireMapping needs map');
  for (const [name, fn] of [['getToken', getToken], ['onVerified', onVerified], ['onRejected', onRejected]] as const) {
    if (fn !== undefined && typeof fn !== 'function') throw new TypeError(`${name} must be a function`);
  }
  const authorize = allow === undefined ? undefined : compileAllow(allow);
  const mapIdentity = map === undefined ? undefined : typeof map === 'function' ? map : compileMapping(map);
  const { verifier, admits, keyOf, resolve } = createVerifierCore({ ...rest, realm });
  const lastOnConnection = new WeakMap<object, { token: string; key: string }>();

  // Everything below is built once per authenticator: a request allocates no closures of ours, and a
  // cached token with declarative rules is answered without a promise (see `check`).
  const notify = <E>(error: E, identity?: Identity): E => {
    if (onRejected && isCallerIdError(error)) safely(() => onRejected(identity ? { error, identity } : { error }));
    return error;
  };
  const reject = (error: unknown, identity?: Identity): never => {
    throw notify(asError(error), identity);
  };
  const rejectVerification = (error: unknown): never => reject(error);

  const allowed = (verdict: unknown, identity: Identity): Identity => {
    if (verdict !== true) return reject(new CallerIdError('caller_not_allowed', { realm }), identity);
    if (onVerified) safely(() => onVerified({ identity }));
    return identity;
  };

  const accept = (verified: Identity): Identity | Promise<Identity> => {
    const identity = mapIdentity ? mapIdentity(verified) : verified;
    if (requireMapping && identity.username === undefined) return reject(new CallerIdError('caller_not_mapped', { realm }), identity);
    if (!authorize) return allowed(true, identity);
    let verdict: boolean | Promise<boolean>;
    try {
      verdict = authorize(identity);
    } catch (error) {
      return reject(error, identity);
    }
    // Declarative rules answer synchronously: only a custom async predicate costs another tick.
    if (typeof verdict === 'boolean') return allowed(verdict, identity);
    return Promise.resolve(verdict).then((v) => allowed(v, identity), (error: unknown) => reject(error, identity));
  };

  type Answer = Identity | null | Promise<Identity | null>;

  const verifyToken = (token: string | null | undefined): Answer => {
    if (!token) {
      if (!credentialsRequired) return null;
      throw notify(new CallerIdError('token_missing', { realm }));
    }
    return verifier.verify(token).then(accept, rejectVerification);
  };

  // The cache key of a header token. A keep-alive connection remembers its last token and key: an
  // exact repeat skips the hash, the largest share of a cached request. The token is kept only while
  // the connection lives. `===` is an ordinary comparison: behind a proxy that reuses one connection
  // for many callers, its time depends on how long a prefix two callers' tokens share, by a fraction
  // of a nanosecond per byte — far below anything measurable across a network.
  const keyFor = (token: string, connection: object | undefined): string => {
    if (typeof connection !== 'object' || connection === null) return keyOf(token);
    const last = lastOnConnection.get(connection);
    if (last?.token === token) return last.key;
    const key = keyOf(token);
    if (last) {
      last.token = token;
      last.key = key;
    } else {
      lastOnConnection.set(connection, { token, key });
    }
    return key;
  };

  // A header token whose characters were not checked up front (see `extractBearerCandidate`): only a
  // failed verification pays for the check, and answers 400 for a token that is not a b64token.
  const verifyHeaderToken = (token: string | undefined, connection: object | undefined): Answer => {
    if (!token) return verifyToken(token);
    const verdict = admits(token) ? resolve(token, keyFor(token, connection)) : verifier.verify(token);
    if (verdict instanceof Promise) {
      return verdict.then(accept, (error: unknown) =>
        rejectVerification(isB64Token(token) ? error : new CallerIdError('request_malformed', { realm })),
      );
    }
    // A cache hit: mapping and declarative rules answer synchronously too.
    return accept(verdict);
  };

  const readCustomToken = async (request: Req | undefined): Promise<string | null | undefined> => {
    if (request === undefined) throw new TypeError('authenticate(headers, request): getToken needs the request');
    const token = await getToken!(request);
    if (token !== null && token !== undefined && typeof token !== 'string') throw new TypeError('getToken must return a string, null or undefined');
    return token;
  };

  function check(headers: HeadersInput, request?: Req, connection?: object): Answer {
    if (realm !== undefined) rememberRealm(request, realm);
    if (getToken) return readCustomToken(request).then(verifyToken, rejectVerification);
    let token: string | undefined;
    try {
      token = extractBearerCandidate(headers, realm);
    } catch (error) {
      throw notify(error);
    }
    return verifyHeaderToken(token, connection);
  }

  function authenticate(headers: HeadersInput, request?: Req, connection?: object): Promise<Identity | null> {
    try {
      const answer = check(headers, request, connection);
      return answer instanceof Promise ? answer : Promise.resolve(answer);
    } catch (error) {
      // Exactly what `check` threw: a CallerIdError, or a TypeError for a misuse.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      return Promise.reject(error);
    }
  }

  function checkCallback(headers: HeadersInput, request: Req | undefined, connection: object | undefined, done: CheckCallback): void {
    let answer: Answer;
    try {
      answer = check(headers, request, connection);
    } catch (error) {
      done(asError(error), null);
      return;
    }
    // `asError` again, though every refusal is one already: a falsy error here would read as a pass.
    if (answer instanceof Promise) answer.then((caller) => done(null, caller), (error: unknown) => done(asError(error), null));
    else done(null, answer);
  }

  return { authenticate, check, checkCallback, realm, verifier, close: () => verifier.close() };
}

// Hooks are for logging and metrics: a bug there must neither fail nor admit a request.
function safely(hook: () => unknown): void {
  try {
    const result = hook();
    if (result instanceof Promise) result.catch(() => undefined);
  } catch {
    // ignored on purpose
  }
}
