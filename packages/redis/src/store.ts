/**
 * `createRedisStore`: core's {@link CacheStore} on a Redis, Valkey or Redis Cluster deployment, over a
 * node-redis client the application created and connected. It holds no decisions: the verifier
 * decides when to read, lock, wait and claim; this module only says how in Redis.
 */
import type { CacheEntry, CacheStore } from '@callerid/core';
import { Circuit } from './circuit.js';
import { decodeEntry, encodeEntry } from './entry-codec.js';
import { keyLayout } from './keys.js';
import { checkRedisStoreOptions, type RedisStoreOptions } from './options.js';

/**
 * The commands the store sends, as node-redis v5/v6 spells them: a `createClient()`,
 * `createCluster()` or `createSentinel()` client fits.
 */
export interface RedisCommandClient {
  /** `false` while the client is (re)connecting: the store then fails fast instead of queueing. */
  readonly isReady: boolean;
  get(key: string): Promise<unknown>;
  set(key: string, value: string, options: { expiration: { type: 'PX'; value: number }; condition?: 'NX' }): Promise<unknown>;
  del(key: string): Promise<unknown>;
  mGet(keys: string[]): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/** A {@link CacheStore} on Redis, with everything a fleet of verifiers needs. */
export interface RedisStore extends Required<CacheStore> {
  get(key: string): Promise<CacheEntry | undefined>;
  set(key: string, entry: CacheEntry, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  lock(key: string, owner: string, ttlMs: number): Promise<boolean>;
  unlock(key: string, owner: string): Promise<void>;
  waitFor(key: string, timeoutMs: number): Promise<CacheEntry | undefined>;
  claim(key: string, ttlMs: number): Promise<boolean>;
  /** Whether the circuit breaker is open (Redis is being left alone after failures). */
  readonly circuitOpen: boolean;
}

// Deletes the lock only if it is still ours: a lock that expired may have been taken by another flight.
const UNLOCK_SCRIPT = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

/**
 * A shared store for `createVerifier({ sharedCache })` and every adapter, on a node-redis client
 * (`createClient`, `createCluster` or `createSentinel`) that the application has configured and
 * connected — and closes. Each operation has a short deadline (`operationTimeoutMs`), and a circuit
 * breaker stops calling a Redis that keeps failing until it answers again, so an outage costs the
 * verifier nothing but its STS calls.
 *
 * @example
 * ```ts
 * const client = await createClient({ url: 'redis://127.0.0.1:6379' }).connect();
 * const verifier = createVerifier({ audience: 'payments-api', sharedCache: createRedisStore({ client }) });
 * ```
 */
export function createRedisStore(options: RedisStoreOptions): RedisStore {
  const { client, prefix, operationTimeoutMs, failureThreshold, cooldownMs, pollIntervalMs } = checkRedisStoreOptions(options);
  const keys = keyLayout(prefix);
  const circuit = new Circuit('redis', { operationTimeoutMs, failureThreshold, cooldownMs });
  const run = <T, R = T>(operation: string, call: () => Promise<T>, map?: (value: T) => R): Promise<R> => circuit.run(operation, client.isReady, call, map);
  const px = (ttlMs: number) => ({ type: 'PX' as const, value: Math.max(1, Math.ceil(ttlMs)) });

  /** One poll of a waiter: the verdict, `null` while the lock is held, `undefined` once it is gone. */
  async function poll(key: string): Promise<CacheEntry | null | undefined> {
    const [verdict, lock] = await run('poll', () => client.mGet([keys.verdict(key), keys.lock(key)]) as Promise<[unknown, unknown]>);
    const entry = decodeEntry(verdict);
    if (entry) return entry;
    return lock === null ? undefined : null;
  }

  return {
    get: (key) => run('get', () => client.get(keys.verdict(key)), decodeEntry),
    set: async (key, entry, ttlMs) => {
      const value = encodeEntry(entry);
      if (value !== undefined) await run('set', () => client.set(keys.verdict(key), value, { expiration: px(ttlMs) }));
    },
    delete: async (key) => {
      await run('delete', () => client.del(keys.verdict(key)));
    },
    lock: async (key, owner, ttlMs) => (await run('lock', () => client.set(keys.lock(key), owner, { expiration: px(ttlMs), condition: 'NX' }))) === 'OK',
    unlock: async (key, owner) => {
      await run('unlock', () => client.eval(UNLOCK_SCRIPT, { keys: [keys.lock(key)], arguments: [owner] }));
    },
    // Bounded polling rather than pub/sub: no second connection per client, works the same on a
    // Cluster, and a waiter's cost ends with its deadline.
    waitFor: async (key, timeoutMs) => {
      const deadline = performance.now() + timeoutMs;
      for (let interval = pollIntervalMs; ; interval = Math.min(interval * 2, pollIntervalMs * 8)) {
        const found = await poll(key);
        if (found !== null) return found;
        const left = deadline - performance.now();
        if (left <= 0) return undefined;
        await sleep(Math.min(interval, left));
      }
    },
    claim: async (key, ttlMs) => (await run('claim', () => client.set(keys.used(key), '1', { expiration: px(ttlMs), condition: 'NX' }))) === 'OK',
    get circuitOpen() {
      return circuit.open;
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
