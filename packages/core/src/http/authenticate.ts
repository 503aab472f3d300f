/**
 * The one framework-agnostic request authenticator every adapter calls: read the bearer token, verify
 * it, map it, check the policy. Adapters only move its answer (`Identity | null`) or its error
 * (`CallerIdError`, which renders its status and headers) into their framework's idiom. This is the
 * boundary that hands errors to HTTP: every refusal leaves it in the authenticator's `realm`.
 */
import { extractBearerCandidate, isB64Token, type HeadersInput } from './bearer.js';
import { asError, CallerIdError, inRealm, isCallerIdError } from '../errors.js';
import type { Identity } from '../authz/identity.js';
import { compileMapping, type Mapper, type MappingEntry } from '../authz/mapping.js';
import { assertKnownOptions, optionKeys } from '../options.js';
import { compileAllow, type AllowOption, type Authorizer } from '../authz/policy.js';
import { FAST_PATH, type FastAnswer, type HasFastPath } from './fast-path.js';
import { noteRealm } from './guard.js';
import { TokenVerifier, VERIFIER_OPTION_KEYS, type Verifier, type VerifierOptions } from '../verifier.js';

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
  return new RequestAuthenticator(options);
}

/** The hooks and rules of an authenticator, checked. */
interface Policy<Req> {
  authorize: Authorizer | undefined;
  mapIdentity: Mapper | undefined;
  requireMapping: boolean;
  credentialsRequired: boolean;
  getToken: GetToken<Req> | undefined;
  onVerified: ((event: VerifiedEvent) => void) | undefined;
  onRejected: ((event: RejectedEvent) => void) | undefined;
}

function checkOptions<Req>(options: AuthenticatorOptions<Req>): { policy: Policy<Req>; verifierOptions: VerifierOptions } {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  assertKnownOptions(options, AUTHENTICATOR_OPTION_KEYS);
  const { allow, map, requireMapping = false, credentialsRequired = true, getToken, onVerified, onRejected, ...verifierOptions } = options;
  if (typeof credentialsRequired !== 'boolean') throw new TypeError('credentialsRequired must be a boolean');
  if (typeof requireMapping !== 'boolean') throw new TypeError('requireMapping must be a boolean');
  if (requireMapping && map === undefined) throw new TypeError('requireMapping needs map');
  for (const [name, fn] of [['getToken', getToken], ['onVerified', onVerified], ['onRejected', onRejected]] as const) {
    if (fn !== undefined && typeof fn !== 'function') throw new TypeError(`${name} must be a function`);
  }
  const authorize = allow === undefined ? undefined : compileAllow(allow);
  const mapIdentity = map === undefined ? undefined : typeof map === 'function' ? map : compileMapping(map);
  return { policy: { authorize, mapIdentity, requireMapping, credentialsRequired, getToken, onVerified, onRejected }, verifierOptions };
}

/**
 * The authenticator behind {@link createAuthenticator}. Its steps are built once per authenticator (the
 * callbacks it hands to promises are fields, not closures made per request), and a cached token with
 * declarative rules is answered without a promise through the fast path (`[FAST_PATH]`, which only
 * `@callerid/core/internal`'s `fastPath` names).
 */
class RequestAuthenticator<Req> implements Authenticator<Req>, HasFastPath<Req> {
  readonly realm: string | undefined;
  readonly #verifier: TokenVerifier;
  readonly #policy: Policy<Req>;
  // A keep-alive connection's last header token and its cache key (see `#keyFor`).
  readonly #lastOnConnection = new WeakMap<object, { token: string; key: string }>();

  constructor(options: AuthenticatorOptions<Req>) {
    const { policy, verifierOptions } = checkOptions(options);
    this.#policy = policy;
    this.realm = verifierOptions.realm;
    this.#verifier = new TokenVerifier(verifierOptions);
  }

  get verifier(): Verifier {
    return this.#verifier;
  }

  authenticate(headers: HeadersInput, request?: Req, connection?: object): Promise<Identity | null> {
    try {
      const answer = this[FAST_PATH](headers, request, connection);
      return answer instanceof Promise ? answer : Promise.resolve(answer);
    } catch (error) {
      // Exactly what the fast path threw: a CallerIdError, or a TypeError for a misuse.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      return Promise.reject(error);
    }
  }

  close(): Promise<void> {
    return this.#verifier.close();
  }

  /** See `FastCheck` in `http/fast-path.ts`. */
  [FAST_PATH](headers: HeadersInput, request: Req | undefined, connection: object | undefined): FastAnswer {
    if (this.realm !== undefined) noteRealm(request, this.realm);
    if (this.#policy.getToken) return this.#readCustomToken(request).then(this.#verifyToken, this.#rejectVerification);
    let token: string | undefined;
    try {
      token = extractBearerCandidate(headers);
    } catch (error) {
      throw this.#notify(error as Error);
    }
    return this.#verifyHeaderToken(token, connection);
  }

  // A header token whose characters were not checked up front (see `extractBearerCandidate`): only a
  // failed verification pays for the check, and answers 400 for a token that is not a b64token.
  #verifyHeaderToken(token: string | undefined, connection: object | undefined): FastAnswer {
    if (!token) return this.#verifyToken(token);
    const verifier = this.#verifier;
    const verdict = verifier.admits(token) ? verifier.resolve(token, this.#keyFor(token, connection)) : verifier.verify(token);
    if (verdict instanceof Promise) {
      return verdict.then(this.#accept, (error: unknown) =>
        this.#rejectVerification(isB64Token(token) ? error : new CallerIdError('request_malformed')),
      );
    }
    // A cache hit: mapping and declarative rules answer synchronously too.
    return this.#accept(verdict);
  }

  readonly #verifyToken = (token: string | null | undefined): FastAnswer => {
    if (!token) {
      if (!this.#policy.credentialsRequired) return null;
      throw this.#notify(new CallerIdError('token_missing'));
    }
    return this.#verifier.verify(token).then(this.#accept, this.#rejectVerification);
  };

  // The cache key of a header token. A keep-alive connection remembers its last token and key: an
  // exact repeat skips the hash, the largest share of a cached request. The token is kept only while
  // the connection lives. `===` is an ordinary comparison: behind a proxy that reuses one connection
  // for many callers, its time depends on how long a prefix two callers' tokens share, by far less per
  // byte than anything measurable across a network (see the README's hot paths).
  #keyFor(token: string, connection: object | undefined): string {
    if (typeof connection !== 'object' || connection === null) return this.#verifier.keyOf(token);
    const last = this.#lastOnConnection.get(connection);
    if (last?.token === token) return last.key;
    const key = this.#verifier.keyOf(token);
    if (last) {
      last.token = token;
      last.key = key;
    } else {
      this.#lastOnConnection.set(connection, { token, key });
    }
    return key;
  }

  async #readCustomToken(request: Req | undefined): Promise<string | null | undefined> {
    if (request === undefined) throw new TypeError('authenticate(headers, request): getToken needs the request');
    const token = await this.#policy.getToken!(request);
    if (token !== null && token !== undefined && typeof token !== 'string') throw new TypeError('getToken must return a string, null or undefined');
    return token;
  }

  // A verified caller, mapped, then judged by `allow`: synchronously unless a predicate is async.
  readonly #accept = (verified: Identity): Identity | Promise<Identity> => {
    const { mapIdentity, requireMapping, authorize } = this.#policy;
    let identity: Identity;
    let verdict: boolean | Promise<boolean> = true;
    try {
      identity = mapIdentity ? mapIdentity(verified) : verified;
    } catch (error) {
      return this.#reject(error);
    }
    if (requireMapping && identity.username === undefined) return this.#reject(new CallerIdError('caller_not_mapped'), identity);
    try {
      if (authorize) verdict = authorize(identity);
    } catch (error) {
      return this.#reject(error, identity);
    }
    // Declarative rules answer synchronously: only a custom async predicate costs another tick.
    if (typeof verdict === 'boolean') return this.#allowed(verdict, identity);
    return Promise.resolve(verdict).then((v) => this.#allowed(v, identity), (error: unknown) => this.#reject(error, identity));
  };

  #allowed(verdict: unknown, identity: Identity): Identity {
    if (verdict !== true) return this.#reject(new CallerIdError('caller_not_allowed'), identity);
    const { onVerified } = this.#policy;
    if (onVerified) safely(() => onVerified({ identity }));
    return identity;
  }

  readonly #rejectVerification = (error: unknown): never => this.#reject(error);

  #reject(error: unknown, identity?: Identity): never {
    throw this.#notify(asError(error), identity);
  }

  // Every refusal passes here: it is put in this authenticator's realm and reported to `onRejected`.
  #notify(error: Error, identity?: Identity): Error {
    inRealm(error, this.realm);
    const { onRejected } = this.#policy;
    if (onRejected && isCallerIdError(error)) safely(() => onRejected(identity ? { error, identity } : { error }));
    return error;
  }
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
