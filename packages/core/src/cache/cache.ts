import { hash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { CallerIdErrorCode } from '../errors.js';
import type { Identity } from '../authz/identity.js';
import { assertKnownOptions } from '../options.js';

/**
 * The verified-token cache: what a verifier remembers so that a busy API asks STS once per token, not
 * once per request. Keys are SHA-256 digests — no raw token is ever retained — and include the
 * verifier's audience and settings, so an entry can never be served to a verifier that would not
 * have accepted the token itself.
 */

/** One remembered verdict. Plain JSON, so a shared store (Redis, …) can hold it. */
export interface CacheEntry {
  /** Epoch ms, by the verifier's clock, from which the entry must no longer be used. */
  expiresAt: number;
  /** A positive verdict: the caller. */
  identity?: Identity;
  /** A negative verdict (an STS rejection), kept only for a few seconds. */
  error?: CallerIdErrorCode;
}

/**
 * A pluggable store for verified tokens. Methods may be synchronous (the in-memory store, which keeps
 * cache hits allocation-light) or return promises (a shared store). A store that fails is treated as
 * a miss: the verifier asks STS instead.
 *
 * A store shared by many verifiers (`sharedCache`, e.g. `@callerid/redis`) also offers what lets them
 * act as one: a lock per key so that one of them asks STS while the others wait for its verdict
 * (`lock`, `unlock`, `waitFor`), and an atomic set-if-absent for one-time tokens (`claim`). They are
 * optional so that a plain get/set store keeps working; the verifier decides how to use them.
 *
 * A store reports its own trouble (errors, timeouts, an open circuit) on the `callerid:store`
 * diagnostics channel; the verifier only sees a rejection, and verifies on its own.
 */
export interface CacheStore {
  /** The entry under `key`, or `undefined`. */
  get(key: string): CacheEntry | undefined | Promise<CacheEntry | undefined>;
  /** Stores `entry` for `ttlMs` milliseconds (the store may evict it earlier). */
  set(key: string, entry: CacheEntry, ttlMs: number): void | Promise<void>;
  /** Forgets `key`. */
  delete(key: string): void | Promise<void>;
  /**
   * Takes the lock of `key` for `ttlMs` unless someone holds it: `true` when this call took it. The
   * holder verifies the token and stores the verdict; if it dies, the lock expires on its own.
   */
  lock?(key: string, owner: string, ttlMs: number): boolean | Promise<boolean>;
  /** Releases the lock of `key` if `owner` still holds it (a lock that expired may be someone else's). */
  unlock?(key: string, owner: string): void | Promise<void>;
  /**
   * Waits for the verdict of the lock's holder: resolves to the entry under `key` once there is one,
   * or to `undefined` when the lock is gone without a verdict (an outage is never stored) or after
   * `timeoutMs`, whichever comes first.
   */
  waitFor?(key: string, timeoutMs: number): Promise<CacheEntry | undefined>;
  /**
   * Marks `key` as used for `ttlMs`, atomically: `true` for the first call, `false` for every later
   * one until it expires. One-time tokens (`replay: 'once'`) rest on it.
   */
  claim?(key: string, ttlMs: number): boolean | Promise<boolean>;
}

/** Options for {@link createMemoryCache}. */
export interface MemoryCacheOptions {
  /** Most entries kept; the least recently used go first. Default 10,000. */
  max?: number;
}

/** The in-process store: a synchronous {@link CacheStore} plus size and clear, for tests and metrics. */
export interface MemoryCache extends CacheStore {
  get(key: string): CacheEntry | undefined;
  set(key: string, entry: CacheEntry, ttlMs: number): void;
  delete(key: string): void;
  lock(key: string, owner: string, ttlMs: number): boolean;
  unlock(key: string, owner: string): void;
  waitFor(key: string, timeoutMs: number): Promise<CacheEntry | undefined>;
  claim(key: string, ttlMs: number): boolean;
  readonly size: number;
  clear(): void;
}

/**
 * A bounded in-memory LRU store (on `lru-cache`), the default of `createVerifier`. It implements the
 * whole {@link CacheStore} interface, so verifiers in one process can share one as they would share
 * Redis (one STS call per token between them, one-time tokens across them).
 *
 * @example
 * ```ts
 * const verifier = createVerifier({ audience: 'payments-api', cache: createMemoryCache({ max: 50_000 }) });
 * ```
 */
export function createMemoryCache(options: MemoryCacheOptions = {}): MemoryCache {
  assertKnownOptions(options, ['max'] satisfies (keyof MemoryCacheOptions)[]);
  const max = options.max ?? 10_000;
  if (!Number.isInteger(max) || max < 1) throw new TypeError('max must be a positive integer.');
  const lru = new LRUCache<string, CacheEntry>({ max, ttlAutopurge: false, ttlResolution: 1_000 });
  const flights = createMemoryFlights();
  // Used one-time tokens are never evicted before they expire (that would allow a replay); only
  // verified tokens reach `claim`, so their number is bounded by the valid tokens of a token's life.
  const claims = new ExpiringSet();
  return {
    get: (key) => lru.get(key),
    set: (key, entry, ttlMs) => {
      lru.set(key, entry, { ttl: Math.max(1, Math.ceil(ttlMs)) });
      flights.settle(key, entry);
    },
    delete: (key) => {
      lru.delete(key);
    },
    lock: (key, owner, ttlMs) => flights.lock(key, owner, ttlMs),
    unlock: (key, owner) => flights.unlock(key, owner),
    waitFor: (key, timeoutMs) => {
      const entry = lru.get(key);
      return entry ? Promise.resolve(entry) : flights.waitFor(key, timeoutMs);
    },
    claim: (key, ttlMs) => claims.add(key, ttlMs),
    get size() {
      return lru.size;
    },
    clear: () => {
      lru.clear();
      claims.clear();
    },
  };
}

/** The locks and waiters of an in-memory store. */
function createMemoryFlights() {
  const locks = new Map<string, { owner: string; expiresAt: number }>();
  const waiters = new Map<string, Set<(entry: CacheEntry | undefined) => void>>();
  const wake = (key: string, entry: CacheEntry | undefined): void => {
    const set = waiters.get(key);
    if (!set) return;
    waiters.delete(key);
    for (const resolve of set) resolve(entry);
  };
  const held = (key: string): { owner: string; expiresAt: number } | undefined => {
    const lock = locks.get(key);
    if (lock && lock.expiresAt <= performance.now()) {
      locks.delete(key);
      return undefined;
    }
    return lock;
  };
  return {
    lock(key: string, owner: string, ttlMs: number): boolean {
      if (held(key)) return false;
      locks.set(key, { owner, expiresAt: performance.now() + ttlMs });
      return true;
    },
    unlock(key: string, owner: string): void {
      if (locks.get(key)?.owner !== owner) return;
      locks.delete(key);
      wake(key, undefined);
    },
    settle: (key: string, entry: CacheEntry): void => wake(key, entry),
    waitFor(key: string, timeoutMs: number): Promise<CacheEntry | undefined> {
      const lock = held(key);
      if (!lock) return Promise.resolve(undefined);
      return new Promise((resolve) => {
        let set = waiters.get(key);
        if (!set) waiters.set(key, (set = new Set()));
        const done = (entry: CacheEntry | undefined): void => {
          clearTimeout(timer);
          set.delete(done);
          if (set.size === 0 && waiters.get(key) === set) waiters.delete(key);
          resolve(entry);
        };
        // An expired lock (its holder gone) ends the wait like the timeout does.
        const timer = setTimeout(done, Math.max(0, Math.min(timeoutMs, lock.expiresAt - performance.now())), undefined);
        set.add(done);
      });
    },
  };
}

/** Keys that expire; expired ones are swept when the set has doubled since the last sweep. */
class ExpiringSet {
  #expiries = new Map<string, number>();
  #sweepAt = 1_024;

  add(key: string, ttlMs: number): boolean {
    const now = performance.now();
    const expiry = this.#expiries.get(key);
    if (expiry !== undefined && expiry > now) return false;
    this.#expiries.set(key, now + ttlMs);
    if (this.#expiries.size >= this.#sweepAt) this.#sweep(now);
    return true;
  }

  clear(): void {
    this.#expiries.clear();
  }

  #sweep(now: number): void {
    for (const [key, expiry] of this.#expiries) if (expiry <= now) this.#expiries.delete(key);
    this.#sweepAt = Math.max(1_024, this.#expiries.size * 2);
  }
}

/**
 * Builds the key function of one verifier: SHA-256 over a prefix (format version, audience, the
 * verifier's settings) and the token. The audience cannot contain the separator, so prefixes cannot
 * collide.
 */
export function cacheKeyFunction(audience: string, settings: readonly string[]): (token: string) => string {
  const prefix = `callerid/v1\n${audience}\n${settings.join(',')}\n`;
  return (token) => hash('sha256', prefix + token, 'base64url');
}
