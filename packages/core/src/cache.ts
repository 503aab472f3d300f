import { hash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { CallerIdErrorCode } from './errors.js';
import type { Identity } from './identity.js';
import { assertKnownOptions } from './options.js';

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
 */
export interface CacheStore {
  /** The entry under `key`, or `undefined`. */
  get(key: string): CacheEntry | undefined | Promise<CacheEntry | undefined>;
  /** Stores `entry` for `ttlMs` milliseconds (the store may evict it earlier). */
  set(key: string, entry: CacheEntry, ttlMs: number): void | Promise<void>;
  /** Forgets `key`. */
  delete(key: string): void | Promise<void>;
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
  readonly size: number;
  clear(): void;
}

/**
 * A bounded in-memory LRU store (on `lru-cache`), the default of `createVerifier`.
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
  return {
    get: (key) => lru.get(key),
    set: (key, entry, ttlMs) => {
      lru.set(key, entry, { ttl: Math.max(1, Math.ceil(ttlMs)) });
    },
    delete: (key) => {
      lru.delete(key);
    },
    get size() {
      return lru.size;
    },
    clear: () => lru.clear(),
  };
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
