import type { Dispatcher } from 'undici';
import { cacheKeyFunction, createMemoryCache, type CacheEntry, type CacheStore } from './cache/cache.js';
import { causeOf, channels, since, type VerifyEvent } from './diagnostics.js';
import { CallerIdError, type CallerIdErrorCode } from './errors.js';
import { isPartition } from './presigned/hosts.js';
import type { Identity, Partition } from './authz/identity.js';
import { assertKnownOptions, optionKeys } from './options.js';
import { parseToken } from './presigned/parse.js';
import { createSharedFlight, type SharedFlight } from './cache/shared-flight.js';
import type { StsReplayConfig } from './presigned/sts-client.js';
import { checkWithSts } from './presigned/sts-check.js';
import { createStsPool, DEFAULT_STS_TIMEOUT_MS, parseStsEndpoint } from './presigned/sts-endpoint.js';
import { AUDIENCE_PATTERN, MAX_PRESIGNED_TOKEN_LENGTH, MAX_TOKEN_LENGTH, tokenKind, type TokenKind } from './token-format.js';
import { createWebIdentityVerifier, type WebIdentityOptions } from './web-identity/verify.js';

/** Options for {@link createVerifier}. */
export interface VerifierOptions {
  /** This server's audience (for EKS, the cluster name). Only tokens signed for it verify. */
  audience: string;
  /**
   * Dial STS here instead of the token's own host — a VPC endpoint, or sts-local at
   * `http://127.0.0.1:PORT`. The original `Host` is kept so the signature still holds. https, or http
   * to a loopback address only.
   */
  stsEndpoint?: string | URL;
  /** Partitions whose STS hosts are accepted. Default `['aws']`. */
  allowedPartitions?: readonly Partition[];
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
  /** Bound on one STS round trip (connect, headers, body), in ms. Default 5000. */
  timeoutMs?: number;
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

/** Verifies one kind of token, uncached. The identity's `expiresAt` bounds how long it is cached. */
type TokenPath = (token: string) => Promise<Identity>;

const DEFAULT_NEGATIVE_TTL_MS = 5_000;
// Clock skew between instances that one-time tokens tolerate (clocks are expected to be NTP-synchronised).
const REPLAY_MARK_MARGIN_MS = 5 * 60_000;
// Verdicts about the token itself that are worth remembering briefly; never "STS unavailable".
// A JWT whose signature does not verify never will, and an ES384 check costs about 1 ms of CPU.
const NEGATIVE_CACHE_CODES: ReadonlySet<CallerIdErrorCode> = new Set([
  'sts_signature_mismatch', 'sts_unknown_key', 'sts_expired', 'sts_rejected', 'jwt_signature',
]);

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
  return createVerifierCore(options).verifier;
}

/**
 * A verifier and the two steps of its `verify`, for `createAuthenticator` (internal): computing a
 * token's cache key, and answering for a token under a key — synchronously on a cache hit, so an
 * authenticated request with a cached token costs no promise of ours but the one it returns.
 */
export interface VerifierCore {
  readonly verifier: Verifier;
  /** Whether the verifier would even look at `token`; when not, `verifier.verify` refuses it. */
  admits: (token: string) => boolean;
  /** The cache key of an admitted token (the token itself without a cache: it only coalesces flights). */
  keyOf: (token: string) => string;
  /** The verdict for an admitted token whose key is `key`: the identity (a copy) on a synchronous cache hit, else a promise. */
  resolve: (token: string, key: string) => Identity | Promise<Identity>;
}

/** See {@link VerifierCore}. */
export function createVerifierCore(options: VerifierOptions): VerifierCore {
  const settings = checkOptions(options);
  const { audience, allowedPartitions, clock, realm, negativeCacheTtlMs } = settings;
  const sts: StsReplayConfig = {
    audience,
    endpoint: options.stsEndpoint === undefined ? undefined : parseStsEndpoint(options.stsEndpoint),
    pool: createStsPool(settings.timeoutMs, options.dispatcher),
    realm,
  };
  const ownCache = options.cache === undefined ? createMemoryCache() : undefined;
  const cache = options.cache === false ? undefined : (options.cache ?? ownCache);
  const { sharedCache, replay } = settings;
  const webIdentity = options.webIdentity && createWebIdentityVerifier(options.webIdentity, { clock, dispatcher: options.dispatcher, realm });
  // The JWT settings are part of the key, so a shared store never serves a JWT verdict across configurations.
  // So is where STS is dialled: a verdict of sts-local must never be served to a verifier that asks AWS.
  const keySettings = [...allowedPartitions, sts.endpoint?.origin ?? 'sts'];
  const hashKey = cacheKeyFunction(audience, webIdentity ? [...keySettings, webIdentity.fingerprint] : keySettings);
  // A used token is marked under a key of its own: once per audience, whatever else the settings are.
  const replayKey = cacheKeyFunction(audience, ['used']);
  const replayStore = replay === 'once' ? (sharedCache ?? cache) : undefined;
  const inflight = new Map<string, Promise<Identity>>();
  const errorOptions = realm === undefined ? {} : { realm };
  const fail = (code: CallerIdErrorCode) => Promise.reject(new CallerIdError(code, errorOptions));

  const paths: Record<TokenKind, TokenPath | undefined> = {
    presigned: async (token) => {
      const parsed = parseToken(token, { now: clock(), allowedPartitions, ...errorOptions });
      return checkWithSts(parsed, sts);
    },
    jwt: webIdentity && ((token) => webIdentity.verify(token)),
  };

  /** The only dispatch on the token format. */
  function verifyUncached(token: string): Promise<Identity> {
    const kind = tokenKind(token);
    const path = kind && paths[kind];
    if (path) return path(token);
    if (kind === 'jwt') return fail('web_identity_disabled');
    // What parseToken says of it too: the size is checked before the format.
    return fail(token.length > MAX_PRESIGNED_TOKEN_LENGTH ? 'token_too_large' : 'token_format');
  }

  /**
   * A cached verdict as the caller's answer (each caller gets its own copy of the identity: adapters
   * may decorate it), or `undefined` when there is none (or it has lapsed).
   */
  function answer(entry: CacheEntry | undefined): Identity | Promise<Identity> | undefined {
    if (!entry || !(clock() < entry.expiresAt)) return undefined;
    if (entry.identity) return { ...entry.identity };
    if (entry.error) return fail(entry.error);
    return undefined;
  }

  // `answer` for an entry just read from a shared store: its identity is nobody else's, so no copy.
  function answerStored(entry: CacheEntry | undefined): Identity | Promise<Identity> | undefined {
    if (!entry || !(clock() < entry.expiresAt)) return undefined;
    return entry.identity ?? (entry.error ? fail(entry.error) : undefined);
  }

  // The entry that records a verdict: the identity until it expires, or a rejection worth remembering.
  function entryOf(verdict: { identity: Identity } | { error: unknown }): CacheEntry | undefined {
    if ('identity' in verdict) return { expiresAt: Date.parse(verdict.identity.expiresAt), identity: verdict.identity };
    const { error } = verdict;
    if (error instanceof CallerIdError && NEGATIVE_CACHE_CODES.has(error.code)) return { expiresAt: clock() + negativeCacheTtlMs, error: error.code };
    return undefined;
  }

  const sharedFlight: SharedFlight | undefined =
    sharedCache &&
    createSharedFlight({ store: sharedCache, waitMs: settings.timeoutMs, answer: answerStored, verify: verifyUncached, entryOf, ttlOf: (entry) => entry.expiresAt - clock() });

  function remember(key: string, entry: CacheEntry): void {
    if (!cache) return;
    const ttl = entry.expiresAt - clock();
    if (ttl <= 0) return;
    try {
      const done = cache.set(key, entry, ttl);
      if (done instanceof Promise) done.catch(storeFailed('set'));
    } catch (err) {
      // A failing store only costs us the cache.
      storeFailed('set')(err);
    }
  }

  function miss(token: string, key: string): Promise<Identity> {
    let pending = inflight.get(key);
    if (!pending) {
      // The flight ends in the same reaction that settles it (no extra finally/catch promises: this is
      // the path of every new token, and each promise costs on a JWT verification of ~50 µs).
      pending = (sharedFlight ? sharedFlight(token, key) : verifyUncached(token)).then(
        (identity) => {
          inflight.delete(key);
          if (cache) remember(key, { expiresAt: Date.parse(identity.expiresAt), identity: Object.freeze(identity) });
          return identity;
        },
        (err: unknown) => {
          inflight.delete(key);
          const entry = cache && entryOf({ error: err });
          if (entry) remember(key, entry);
          throw err;
        },
      );
      inflight.set(key, pending);
    }
    // Each caller gets its own copy: adapters may decorate the identity (mapping sets username/groups).
    return pending.then((identity) => ({ ...identity }));
  }

  // Why `verify` would not even look at a token (no hash, no cache), or `undefined` when it would.
  const refusal = (token: unknown): CallerIdErrorCode | undefined => {
    if (typeof token !== 'string' || token.length === 0) return 'token_format';
    return token.length > MAX_TOKEN_LENGTH ? 'token_too_large' : undefined;
  };
  const admits = (token: string): boolean => refusal(token) === undefined;
  // Without a cache the key only coalesces concurrent calls in this process, for as long as they are
  // in flight: the token itself will do, and saves the SHA-256.
  const keyOf = cache || sharedCache ? hashKey : (token: string) => token;

  /** Looks `key` up, then verifies on a miss; `probe.missed` records whether the cache answered. */
  function lookup(token: string, key: string, probe?: { missed: boolean }): Identity | Promise<Identity> {
    const onMiss = () => {
      if (probe) probe.missed = true;
      return miss(token, key);
    };
    if (!cache) return onMiss();
    let cached: CacheEntry | undefined | Promise<CacheEntry | undefined>;
    try {
      cached = cache.get(key);
    } catch (err) {
      storeFailed('get')(err);
      return onMiss();
    }
    if (cached instanceof Promise) {
      return cached.then(
        (entry) => answer(entry) ?? onMiss(),
        (err: unknown) => {
          storeFailed('get')(err);
          return onMiss();
        },
      );
    }
    return answer(cached) ?? onMiss();
  }

  // One-time tokens: every use, cached or not, must claim the token in the store; only the first wins.
  function claimOnce(token: string, identity: Identity): Promise<Identity> {
    // The mark outlives the token by a margin: an instance whose clock runs behind may still hold the
    // token's verdict in its cache after the mark would have expired by this instance's clock.
    const ttl = Math.max(1_000, Date.parse(identity.expiresAt) - clock()) + REPLAY_MARK_MARGIN_MS;
    let claimed: boolean | Promise<boolean>;
    try {
      claimed = replayStore!.claim!(replayKey(token), ttl);
    } catch {
      return fail('replay_check_unavailable');
    }
    return Promise.resolve(claimed).then(
      (first) => (first === true ? identity : fail(first === false ? 'token_replayed' : 'replay_check_unavailable')),
      () => fail('replay_check_unavailable'),
    );
  }

  /** The verdict: `lookup`, then (one-time tokens) the claim. */
  const decide = replayStore
    ? (token: string, key: string, probe?: { missed: boolean }): Promise<Identity> => {
        const verdict = lookup(token, key, probe);
        return verdict instanceof Promise ? verdict.then((identity) => claimOnce(token, identity)) : claimOnce(token, verdict);
      }
    : lookup;

  // Without subscribers to `callerid:verify`, one property read is all the diagnostics cost here.
  function resolve(token: string, key: string): Identity | Promise<Identity> {
    if (!channels.verify.hasSubscribers) return decide(token, key);
    const start = performance.now();
    const probe = { missed: !cache };
    return observed(token, start, probe, decide(token, key, probe));
  }

  function verify(token: string): Promise<Identity> {
    const refused = refusal(token);
    if (refused) {
      if (!channels.verify.hasSubscribers) return fail(refused);
      return observed(token, performance.now(), { missed: true }, fail(refused)) as Promise<Identity>;
    }
    const verdict = resolve(token, keyOf(token));
    return verdict instanceof Promise ? verdict : Promise.resolve(verdict);
  }

  /** Publishes the {@link VerifyEvent} of one verification when it settles; the verdict passes through unchanged. */
  function observed(token: unknown, start: number, probe: { missed: boolean }, verdict: Identity | Promise<Identity>): Identity | Promise<Identity> {
    const publish = (outcome: VerifyEvent['outcome'], extra: Pick<VerifyEvent, 'arn' | 'code'>) => {
      const kind = typeof token === 'string' ? (tokenKind(token) ?? 'unknown') : 'unknown';
      const event: VerifyEvent = { audience, kind, outcome, cache: !cache ? 'off' : probe.missed ? 'miss' : 'hit', durationMs: since(start), ...extra };
      channels.verify.publish(event);
    };
    if (!(verdict instanceof Promise)) {
      publish('accepted', { arn: verdict.arn });
      return verdict;
    }
    return verdict.then(
      (identity) => {
        publish('accepted', { arn: identity.arn });
        return identity;
      },
      (err: unknown) => {
        const code = err instanceof CallerIdError ? err.code : undefined;
        publish(err instanceof CallerIdError && err.status < 500 ? 'rejected' : 'unavailable', code === undefined ? {} : { code });
        throw err;
      },
    );
  }

  /** Publishes a failed store operation (`callerid:store`); the verifier carries on without the cache. */
  function storeFailed(operation: string): (err: unknown) => void {
    return (err) => {
      if (!channels.store.hasSubscribers) return;
      const name = (cache as { name?: unknown } | undefined)?.name;
      channels.store.publish({ store: typeof name === 'string' ? name : 'custom', operation, outcome: 'error', cause: causeOf(err) });
    };
  }

  async function close(): Promise<void> {
    inflight.clear();
    ownCache?.clear();
    await Promise.all([sts.pool.close(), webIdentity?.close()]);
  }

  return { verifier: { audience, verify, close }, admits, keyOf, resolve };
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
