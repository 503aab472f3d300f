/**
 * The verifier: tells the token kind, consults the cache of verdicts, and sends a miss to the checker
 * of its kind (`presigned/` or `web-identity/`). Its `realm` is applied here, at its boundary: the
 * checkers below throw errors that carry facts only.
 */

import type { Dispatcher } from 'undici';
import { cacheKeyFunction, createMemoryCache, type CacheStore, type MemoryCache } from './cache/cache.js';
import { VerdictCache, type Probe } from './cache/verdicts.js';
import { channels, since, type VerifyEvent } from './diagnostics.js';
import { CallerIdError, type CallerIdErrorCode } from './errors.js';
import { isPartition } from './presigned/hosts.js';
import type { Identity, Partition } from './authz/identity.js';
import { assertKnownOptions, optionKeys } from './options.js';
import type { PresignedOptions } from './presigned/options.js';
import { parseToken } from './presigned/parse.js';
import type { StsReplayConfig } from './presigned/sts-client.js';
import { checkWithSts } from './presigned/sts-check.js';
import { createStsPool, DEFAULT_STS_TIMEOUT_MS, parseStsEndpoint } from './presigned/sts-endpoint.js';
import { AUDIENCE_PATTERN, MAX_PRESIGNED_TOKEN_LENGTH, MAX_TOKEN_LENGTH, tokenKind } from './token-format.js';
import { createWebIdentityVerifier, type WebIdentityOptions, type WebIdentityVerifier } from './web-identity/verify.js';

/**
 * Options for {@link createVerifier}: those of every token kind here, the presigned-token ones from
 * {@link PresignedOptions}, the web identity ones under `webIdentity`.
 */
export interface VerifierOptions extends PresignedOptions {
  /** This server's audience (for EKS, the cluster name). Only tokens signed for it verify. */
  audience: string;
  /** The current time in epoch ms. Default `Date.now`. */
  clock?: () => number;
  /** Where verified tokens are remembered. Default: a `createMemoryCache()` of 10,000 entries; `false` disables caching. */
  cache?: CacheStore | false;
  /**
   * A store shared by every instance (`@callerid/redis`), behind `cache`: a token verified by one
   * instance is not sent to STS by another, concurrent verifications of one token across instances
   * make one STS call (when the store has `lock`/`waitFor`), and STS rejections are shared for
   * `negativeCacheTtlMs`. A local hit never touches it; its trouble only costs STS calls.
   */
  sharedCache?: CacheStore;
  /**
   * `'allow'` (default): a token may be used until it expires. `'once'`: each token is accepted once
   * across every verifier that shares the store (`sharedCache`, else `cache`); a second use is refused
   * with `token_replayed` (401), and when the store cannot tell, with `replay_check_unavailable` (503).
   */
  replay?: 'allow' | 'once';
  /** The undici dispatcher for STS calls. Default: a keep-alive `Agent` owned (and closed) by the verifier. */
  dispatcher?: Dispatcher;
  /** The `realm` of `WWW-Authenticate` challenges. Default `"callerid"`. */
  realm?: string;
  /** How long an STS rejection is remembered, in ms, so a flood of one bad token costs one STS call per window. Default 5000. */
  negativeCacheTtlMs?: number;
  /**
   * Also accept AWS web identity JWTs (`sts:GetWebIdentityToken`), verified offline against the
   * trusted issuers' JWKS. Without it, a JWT is refused with `web_identity_disabled`.
   */
  webIdentity?: WebIdentityOptions;
}

/** Every option of {@link createVerifier}, for strict option checking (a missing name is a compile error). */
export const VERIFIER_OPTION_KEYS: readonly string[] = optionKeys<VerifierOptions>()([
  'audience', 'stsEndpoint', 'allowedPartitions', 'clock', 'cache', 'timeoutMs', 'dispatcher', 'realm', 'negativeCacheTtlMs', 'webIdentity',
  'sharedCache', 'replay',
]);

/** Verifies bearer tokens; see {@link createVerifier}. */
export interface Verifier {
  /** The audience this verifier accepts. */
  readonly audience: string;
  /** Resolves to the verified caller, or rejects with a {@link CallerIdError}. */
  verify(token: string): Promise<Identity>;
  /** Closes the connection pool (when the verifier created it) and drops the cache it created. */
  close(): Promise<void>;
}

const DEFAULT_NEGATIVE_TTL_MS = 5_000;
// Clock skew between instances that one-time tokens tolerate (clocks are expected to be NTP-synchronised).
const REPLAY_MARK_MARGIN_MS = 5 * 60_000;

/**
 * Creates a verifier for EKS-style presigned tokens (`k8s-aws-v1.…`). `verify(token)` validates the
 * token locally (no network for a token that fails), replays it to STS with this server's audience,
 * checks STS's answer strictly and returns the caller's {@link Identity}. Verified tokens are cached
 * until they expire; concurrent verifications of one token share one STS call; STS rejections are
 * remembered for a few seconds.
 *
 * With `webIdentity`, AWS web identity JWTs (a compact JWS) are accepted too, verified offline against
 * the configured issuers' JWKS, and share the same cache; anything that is neither is refused locally.
 *
 * @example
 * ```ts
 * const verifier = createVerifier({ audience: 'payments-api' });
 * const identity = await verifier.verify(token); // identity.canonicalArn, identity.accountId, …
 * await verifier.close();
 * ```
 */
export function createVerifier(options: VerifierOptions): Verifier {
  return new TokenVerifier(options);
}

/**
 * The verifier behind {@link createVerifier} and `createAuthenticator`. Besides `verify`, it offers the
 * authenticator the two steps of `verify` (internal; not part of the {@link Verifier} type): computing
 * a token's cache key (`keyOf`), and the verdict for a token under a key (`resolve`) — synchronous on a
 * cache hit, so a request with a cached token costs no promise.
 */
export class TokenVerifier implements Verifier {
  readonly audience: string;
  readonly #clock: () => number;
  readonly #verdicts: VerdictCache;
  readonly #checkers: TokenCheckers;
  /** The cache key of an admitted token (the token itself without a cache: it then only coalesces flights). */
  readonly keyOf: (token: string) => string;
  readonly #replay: { store: CacheStore; key: (token: string) => string } | undefined;
  readonly #ownCache: MemoryCache | undefined;

  constructor(options: VerifierOptions) {
    const settings = checkOptions(options);
    const { audience, clock, sharedCache } = settings;
    this.audience = audience;
    this.#clock = clock;
    this.#ownCache = options.cache === undefined ? createMemoryCache() : undefined;
    const cache = options.cache === false ? undefined : (options.cache ?? this.#ownCache);
    this.#checkers = new TokenCheckers(options, settings);
    const verify = (token: string) => this.#checkers.verify(token);
    this.#verdicts = new VerdictCache({ clock, cache, sharedCache, negativeCacheTtlMs: settings.negativeCacheTtlMs, waitMs: settings.timeoutMs, verify, realm: settings.realm });
    // Without a cache the key only coalesces concurrent calls in this process, for as long as they are
    // in flight: the token itself will do, and saves the SHA-256.
    this.keyOf = cache || sharedCache ? cacheKeyFunction(audience, this.#checkers.keySettings) : (token) => token;
    const replayStore = settings.replay === 'once' ? (sharedCache ?? cache) : undefined;
    // A used token is marked under a key of its own: once per audience, whatever else the settings are.
    this.#replay = replayStore && { store: replayStore, key: cacheKeyFunction(audience, ['used']) };
  }

  /** Resolves to the verified caller, or rejects with a {@link CallerIdError} in this verifier's realm. */
  verify(token: string): Promise<Identity> {
    const refused = refusal(token);
    if (refused) {
      const failed = this.#verdicts.fail(refused);
      if (!channels.verify.hasSubscribers) return failed;
      return this.#observed(token, performance.now(), { missed: true }, failed);
    }
    const verdict = this.resolve(token, this.keyOf(token));
    return verdict instanceof Promise ? verdict : Promise.resolve(verdict);
  }

  /** Whether `verify` would even look at `token` (internal, for the authenticator); when not, `verify` refuses it. */
  admits(token: string): boolean {
    return refusal(token) === undefined;
  }

  /**
   * The verdict for an admitted token whose key is `key` (internal, for the authenticator): the
   * identity (a copy) on a synchronous cache hit, else a promise. Publishes the `callerid:verify` event
   * when the channel has subscribers — on a hit, at once and without a closure.
   */
  resolve(token: string, key: string): Identity | Promise<Identity> {
    if (!channels.verify.hasSubscribers) return this.#decide(token, key);
    const start = performance.now();
    const probe: Probe = { missed: !this.#verdicts.enabled };
    const verdict = this.#decide(token, key, probe);
    if (verdict instanceof Promise) return this.#observed(token, start, probe, verdict);
    channels.verify.publish(verifyEvent(this.audience, token, start, 'hit', 'accepted', undefined, verdict.arn));
    return verdict;
  }

  /** Closes the connection pool (when the verifier created it) and drops the cache it created. */
  async close(): Promise<void> {
    this.#verdicts.clear();
    this.#ownCache?.clear();
    await this.#checkers.close();
  }

  /** Publishes the {@link VerifyEvent} of a verification when it settles; the verdict passes through unchanged. */
  #observed(token: unknown, start: number, probe: Probe, verdict: Promise<Identity>): Promise<Identity> {
    const { audience } = this;
    const cacheState = (): VerifyEvent['cache'] => (!this.#verdicts.enabled ? 'off' : probe.missed ? 'miss' : 'hit');
    return verdict.then(
      (identity) => {
        channels.verify.publish(verifyEvent(audience, token, start, cacheState(), 'accepted', undefined, identity.arn));
        return identity;
      },
      (err: unknown) => {
        const code = err instanceof CallerIdError ? err.code : undefined;
        const outcome = err instanceof CallerIdError && err.status < 500 ? 'rejected' : 'unavailable';
        channels.verify.publish(verifyEvent(audience, token, start, cacheState(), outcome, code));
        throw err;
      },
    );
  }

  /** The verdict: the cache (or a verification), then, for one-time tokens, the claim. */
  #decide(token: string, key: string, probe?: Probe): Identity | Promise<Identity> {
    const verdict = this.#verdicts.lookup(token, key, probe);
    if (!this.#replay) return verdict;
    return verdict instanceof Promise ? verdict.then((identity) => this.#claimOnce(token, identity)) : this.#claimOnce(token, verdict);
  }

  // One-time tokens: every use, cached or not, must claim the token in the store; only the first wins.
  #claimOnce(token: string, identity: Identity): Promise<Identity> {
    const { store, key } = this.#replay!;
    // The mark outlives the token by a margin: an instance whose clock runs behind may still hold the
    // token's verdict in its cache after the mark would have expired by this instance's clock.
    const ttl = Math.max(1_000, Date.parse(identity.expiresAt) - this.#clock()) + REPLAY_MARK_MARGIN_MS;
    let claimed: boolean | Promise<boolean>;
    try {
      claimed = store.claim!(key(token), ttl);
    } catch {
      return this.#verdicts.fail('replay_check_unavailable');
    }
    return Promise.resolve(claimed).then(
      (first) => (first === true ? identity : this.#verdicts.fail(first === false ? 'token_replayed' : 'replay_check_unavailable')),
      () => this.#verdicts.fail('replay_check_unavailable'),
    );
  }
}

/**
 * How each kind of token is verified, uncached: a presigned token is parsed and replayed to STS, a JWT
 * goes to the web identity verifier; this is the only dispatch on the token format.
 */
class TokenCheckers {
  readonly #clock: () => number;
  readonly #allowedPartitions: readonly Partition[];
  readonly #sts: StsReplayConfig;
  readonly #webIdentity: WebIdentityVerifier | undefined;
  /** What, beside the audience, decides a verdict: part of every cache key. */
  readonly keySettings: readonly string[];

  constructor(options: VerifierOptions, settings: Settings) {
    this.#clock = settings.clock;
    this.#allowedPartitions = settings.allowedPartitions;
    this.#sts = {
      audience: settings.audience,
      endpoint: options.stsEndpoint === undefined ? undefined : parseStsEndpoint(options.stsEndpoint),
      pool: createStsPool(settings.timeoutMs, options.dispatcher),
    };
    this.#webIdentity = options.webIdentity && createWebIdentityVerifier(options.webIdentity, { clock: settings.clock, dispatcher: options.dispatcher });
    // The JWT settings are part of the key, so a shared store never serves a JWT verdict across configurations.
    // So is where STS is dialled: a verdict of sts-local must never be served to a verifier that asks AWS.
    const keySettings = [...this.#allowedPartitions, this.#sts.endpoint?.origin ?? 'sts'];
    this.keySettings = this.#webIdentity ? [...keySettings, this.#webIdentity.fingerprint] : keySettings;
  }

  /** Verifies one token, uncached; the identity's `expiresAt` bounds how long it is cached. */
  verify(token: string): Promise<Identity> {
    const kind = tokenKind(token);
    if (kind === 'presigned') return this.#verifyPresigned(token);
    if (kind === 'jwt') return this.#webIdentity ? this.#webIdentity.verify(token) : Promise.reject(new CallerIdError('web_identity_disabled'));
    // What parseToken says of it too: the size is checked before the format.
    return Promise.reject(new CallerIdError(token.length > MAX_PRESIGNED_TOKEN_LENGTH ? 'token_too_large' : 'token_format'));
  }

  async close(): Promise<void> {
    await Promise.all([this.#sts.pool.close(), this.#webIdentity?.close()]);
  }

  async #verifyPresigned(token: string): Promise<Identity> {
    const parsed = parseToken(token, { now: this.#clock(), allowedPartitions: this.#allowedPartitions });
    return checkWithSts(parsed, this.#sts);
  }
}

// Why `verify` would not even look at a token (no hash, no cache), or `undefined` when it would.
function refusal(token: unknown): CallerIdErrorCode | undefined {
  if (typeof token !== 'string' || token.length === 0) return 'token_format';
  return token.length > MAX_TOKEN_LENGTH ? 'token_too_large' : undefined;
}

/** The {@link VerifyEvent} of one settled verification. Built as one literal per shape: no spread. */
function verifyEvent(
  audience: string,
  token: unknown,
  start: number,
  cache: VerifyEvent['cache'],
  outcome: VerifyEvent['outcome'],
  code: CallerIdErrorCode | undefined,
  arn?: string,
): VerifyEvent {
  const kind = typeof token === 'string' ? (tokenKind(token) ?? 'unknown') : 'unknown';
  const durationMs = since(start);
  if (arn !== undefined) return { audience, kind, outcome, cache, durationMs, arn };
  if (code !== undefined) return { audience, kind, outcome, code, cache, durationMs };
  return { audience, kind, outcome, cache, durationMs };
}

interface Settings {
  audience: string;
  allowedPartitions: readonly Partition[];
  clock: () => number;
  realm: string | undefined;
  timeoutMs: number;
  negativeCacheTtlMs: number;
  sharedCache: CacheStore | undefined;
  replay: 'allow' | 'once';
}

function checkOptions(options: VerifierOptions): Settings {
  if (typeof options !== 'object' || options === null) throw new TypeError('createVerifier needs an options object.');
  assertKnownOptions(options, VERIFIER_OPTION_KEYS);
  const { audience, allowedPartitions = ['aws'], clock = Date.now, realm, timeoutMs = DEFAULT_STS_TIMEOUT_MS } = options;
  const negativeCacheTtlMs = options.negativeCacheTtlMs ?? DEFAULT_NEGATIVE_TTL_MS;
  if (typeof audience !== 'string' || !AUDIENCE_PATTERN.test(audience)) throw new TypeError('audience must be 1-256 printable ASCII characters without spaces.');
  if (!Array.isArray(allowedPartitions) || allowedPartitions.length === 0 || !allowedPartitions.every(isPartition)) {
    throw new TypeError('allowedPartitions must list known AWS partitions.');
  }
  if (typeof clock !== 'function') throw new TypeError('clock must be a function returning epoch milliseconds.');
  if (realm !== undefined && typeof realm !== 'string') throw new TypeError('realm must be a string.');
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > 60_000) throw new TypeError('timeoutMs must be between 1 and 60000.');
  if (!Number.isFinite(negativeCacheTtlMs) || negativeCacheTtlMs < 0 || negativeCacheTtlMs > 60_000) {
    throw new TypeError('negativeCacheTtlMs must be between 0 and 60000.');
  }
  const { sharedCache, replay } = checkStoreOptions(options);
  return { audience, allowedPartitions: [...new Set(allowedPartitions)].sort(), clock, realm, timeoutMs, negativeCacheTtlMs, sharedCache, replay };
}

function isStore(store: unknown): store is CacheStore {
  return typeof store === 'object' && store !== null && ['get', 'set', 'delete'].every((m) => typeof (store as Record<string, unknown>)[m] === 'function');
}

function checkStoreOptions(options: VerifierOptions): Pick<Settings, 'sharedCache' | 'replay'> {
  const { cache, sharedCache, replay = 'allow' } = options;
  if (cache !== undefined && cache !== false && !isStore(cache)) throw new TypeError('cache must be a CacheStore (get, set, delete) or false.');
  if (sharedCache !== undefined && !isStore(sharedCache)) throw new TypeError('sharedCache must be a CacheStore (get, set, delete).');
  if (replay !== 'allow' && replay !== 'once') throw new TypeError("replay must be 'allow' or 'once'.");
  // Where used tokens are marked: the shared store, else the cache (the default memory cache can).
  const claimStore = sharedCache ?? (cache === undefined ? createMemoryCache : cache || undefined);
  if (replay === 'once' && typeof claimStore !== 'function' && typeof claimStore?.claim !== 'function') {
    throw new TypeError("replay: 'once' needs a store with claim() (sharedCache, or cache).");
  }
  return { sharedCache, replay };
}
