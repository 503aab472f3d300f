/**
 * The verifier's memory of verdicts: a token's cache key looked up in the `cache` store (answered
 * synchronously when the store is), concurrent misses of one key sharing one verification (through
 * the shared store's flight when there is one), and each verdict remembered — an identity until it
 * expires, an STS or signature refusal for a few seconds, an outage never.
 */
import type { Identity } from '../authz/identity.js';
import { causeOf, channels } from '../diagnostics.js';
import { CallerIdError, inRealm, type CallerIdErrorCode } from '../errors.js';
import type { CacheEntry, CacheStore } from './cache.js';
import { createSharedFlight, type SharedFlight } from './shared-flight.js';

/** What {@link VerdictCache} needs from its verifier. */
export interface VerdictCacheConfig {
  clock: () => number;
  /** The local store, or `undefined` without a cache (misses are then only coalesced while in flight). */
  cache: CacheStore | undefined;
  /** The store shared by every instance (`sharedCache`), behind `cache`. */
  sharedCache: CacheStore | undefined;
  /** How long a refusal worth remembering is remembered, in ms. */
  negativeCacheTtlMs: number;
  /** The longest wait for another instance's verdict: the verifier's timeout. */
  waitMs: number;
  /** Verifies a token without any cache. */
  verify: (token: string) => Promise<Identity>;
  /** The realm of the refusals this cache answers with. */
  realm: string | undefined;
}

/** Records whether a lookup missed (for the `cache` field of the `callerid:verify` event). */
export interface Probe {
  missed: boolean;
}

// Verdicts about the token itself that are worth remembering briefly; never "STS unavailable".
// A JWT whose signature does not verify never will, and checking it again costs a signature
// verification each time (see the README's hot paths).
const NEGATIVE_CACHE_CODES: ReadonlySet<CallerIdErrorCode> = new Set([
  'sts_signature_mismatch', 'sts_unknown_key', 'sts_expired', 'sts_rejected', 'jwt_signature',
]);

/** See the module comment. One per verifier. */
export class VerdictCache {
  readonly #clock: () => number;
  readonly #cache: CacheStore | undefined;
  readonly #negativeTtlMs: number;
  readonly #verify: (token: string) => Promise<Identity>;
  readonly #realm: string | undefined;
  readonly #sharedFlight: SharedFlight | undefined;
  readonly #inflight = new Map<string, Promise<Identity>>();

  constructor(config: VerdictCacheConfig) {
    this.#clock = config.clock;
    this.#cache = config.cache;
    this.#negativeTtlMs = config.negativeCacheTtlMs;
    this.#verify = config.verify;
    this.#realm = config.realm;
    const { sharedCache: store, clock } = config;
    this.#sharedFlight =
      store &&
      createSharedFlight({
        store,
        waitMs: config.waitMs,
        answer: (key, entry) => this.#answerStored(key, entry),
        coalesce: (key, start) => this.#coalesce(key, start),
        verify: this.#verify,
        entryOf: (verdict) => this.#entryOf(verdict),
        ttlOf: (entry) => entry.expiresAt - clock(),
      });
  }

  /** Whether there is a local cache (else every verification is a miss). */
  get enabled(): boolean {
    return this.#cache !== undefined;
  }

  /**
   * The verdict for `token` under `key`: the identity (each caller its own copy) at once on a
   * synchronous hit, else a promise. `probe.missed` records whether the cache answered.
   */
  lookup(token: string, key: string, probe?: Probe): Identity | Promise<Identity> {
    const cache = this.#cache;
    if (!cache) return this.#miss(token, key, probe);
    let cached: CacheEntry | undefined | Promise<CacheEntry | undefined>;
    try {
      cached = cache.get(key);
    } catch (err) {
      this.#storeFailed('get', err);
      return this.#miss(token, key, probe);
    }
    if (cached instanceof Promise) {
      return cached.then(
        (entry) => this.#answer(entry) ?? this.#miss(token, key, probe),
        (err: unknown) => {
          this.#storeFailed('get', err);
          return this.#miss(token, key, probe);
        },
      );
    }
    return this.#answer(cached) ?? this.#miss(token, key, probe);
  }

  /** A refusal in the verifier's realm. */
  fail(code: CallerIdErrorCode): Promise<never> {
    return Promise.reject(inRealm(new CallerIdError(code), this.#realm));
  }

  /** Forgets the flights in progress (their callers still get their verdicts). */
  clear(): void {
    this.#inflight.clear();
  }

  // A cached verdict as the caller's answer (each caller gets its own copy of the identity: adapters
  // may decorate it), or `undefined` when there is none (or it has lapsed).
  #answer(entry: CacheEntry | undefined): Identity | Promise<Identity> | undefined {
    if (!entry || !(this.#clock() < entry.expiresAt)) return undefined;
    if (entry.identity) return { ...entry.identity };
    if (entry.error) return this.fail(entry.error);
    return undefined;
  }

  // `#answer` for an entry read from the shared store under `key`, which the local cache then keeps
  // (the next request with this token is a local hit).
  #answerStored(key: string, entry: CacheEntry | undefined): Identity | Promise<Identity> | undefined {
    const answer = this.#answer(entry);
    if (answer !== undefined) this.#remember(key, entry!);
    return answer;
  }

  // The entry that records a verdict: the identity until it expires, or a rejection worth remembering.
  #entryOf(verdict: { identity: Identity } | { error: unknown }): CacheEntry | undefined {
    if ('identity' in verdict) return { expiresAt: Date.parse(verdict.identity.expiresAt), identity: verdict.identity };
    const { error } = verdict;
    if (error instanceof CallerIdError && NEGATIVE_CACHE_CODES.has(error.code)) return { expiresAt: this.#clock() + this.#negativeTtlMs, error: error.code };
    return undefined;
  }

  #miss(token: string, key: string, probe: Probe | undefined): Promise<Identity> {
    if (probe) probe.missed = true;
    // The shared flight reads the store first and coalesces only its misses (see shared-flight.ts).
    if (this.#sharedFlight) return this.#sharedFlight(token, key);
    return this.#coalesce(key, () => this.#verify(token));
  }

  // Concurrent misses of one key share one flight, remembered when it ends. Each caller gets its own
  // copy of the identity: adapters may decorate it (mapping sets username/groups).
  #coalesce(key: string, start: () => Promise<Identity>): Promise<Identity> {
    const joined = this.#inflight.get(key);
    if (joined) {
      return joined.then(copy, (err: unknown) => {
        throw inRealm(err, this.#realm);
      });
    }
    const flight = start();
    this.#inflight.set(key, flight);
    // The flight ends in the reaction that hands the first caller its copy (no extra then/finally
    // promises: this is the path of every new token, and each promise counts on a JWT verification).
    return flight.then(
      (identity) => {
        this.#inflight.delete(key);
        // Kept unfrozen: callers get copies of it, and copying a frozen object takes V8's slow path.
        if (this.#cache) this.#remember(key, { expiresAt: Date.parse(identity.expiresAt), identity });
        return copy(identity);
      },
      (err: unknown) => {
        this.#inflight.delete(key);
        const entry = this.#cache && this.#entryOf({ error: err });
        if (entry) this.#remember(key, entry);
        throw inRealm(err, this.#realm);
      },
    );
  }

  #remember(key: string, entry: CacheEntry): void {
    const cache = this.#cache;
    if (!cache) return;
    const ttl = entry.expiresAt - this.#clock();
    if (ttl <= 0) return;
    try {
      const done = cache.set(key, entry, ttl);
      if (done instanceof Promise) done.catch((err: unknown) => this.#storeFailed('set', err));
    } catch (err) {
      // A failing store only costs us the cache.
      this.#storeFailed('set', err);
    }
  }

  /** Publishes a failed store operation (`callerid:store`); the verifier carries on without the cache. */
  #storeFailed(operation: string, err: unknown): void {
    if (!channels.store.hasSubscribers) return;
    const name = (this.#cache as { name?: unknown } | undefined)?.name;
    channels.store.publish({ store: typeof name === 'string' ? name : 'custom', operation, outcome: 'error', cause: causeOf(err) });
  }
}

function copy(identity: Identity): Identity {
  return { ...identity };
}
