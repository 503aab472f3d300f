/** The store's operations against a real redis-server and a real 3-master Cluster. */
import type { CacheEntry, Identity } from '@callerid/core';
import { createClient, createCluster } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore, FORMAT_VERSION, type RedisCommandClient, type RedisStore } from '../src/index.js';
import { aliceIdentity } from './support/identities.js';
import { hasRedis, startRedis, startRedisCluster, type RedisCluster, type RedisServer } from './support/redis-server.js';

const identity: Identity = aliceIdentity;
const entry: CacheEntry = { expiresAt: Date.parse(identity.expiresAt), identity };
let keys = 0;
const newKey = () => `k${process.pid}x${++keys}x${Date.now()}`;

function storeContract(name: string, connect: () => Promise<{ client: RedisCommandClient; raw: (args: string[]) => Promise<unknown> }>) {
  describe.skipIf(!hasRedis)(name, () => {
    let store: RedisStore;
    let raw: (args: string[]) => Promise<unknown>;
    beforeAll(async () => {
      const connected = await connect();
      raw = connected.raw;
      store = createRedisStore({ client: connected.client, operationTimeoutMs: 2_000 });
    }, 60_000);

    it('stores a verdict as a versioned JSON array under a versioned, hash-tagged key, with its TTL', async () => {
      const key = newKey();
      await store.set(key, entry, 60_000);
      expect(await store.get(key)).toEqual(entry);
      const stored = `callerid:v${FORMAT_VERSION}:{${key}}:verdict`;
      expect(JSON.parse((await raw(['GET', stored])) as string)).toEqual(expect.arrayContaining([FORMAT_VERSION, entry.expiresAt, identity.arn, identity.userId]));
      const ttl = (await raw(['PTTL', stored])) as number;
      expect(ttl).toBeGreaterThan(58_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
      await store.delete(key);
      expect(await store.get(key)).toBeUndefined();
    });

    it('reads a value of another format version, or a foreign value, as a miss', async () => {
      const key = newKey();
      const stored = `callerid:v${FORMAT_VERSION}:{${key}}:verdict`;
      const foreign = [
        JSON.stringify({ v: 1, expiresAt: 1, identity }), // what version 1 stored
        JSON.stringify([FORMAT_VERSION + 1, 1, 'error', 'sts_rejected']),
        'not json',
        JSON.stringify([FORMAT_VERSION, 1, 'presigned', 'arn:x']),
        JSON.stringify([FORMAT_VERSION, 1, 'error', 'no_such_code']),
        '[]',
      ];
      for (const value of foreign) {
        await raw(['SET', stored, value]);
        expect(await store.get(key), value).toBeUndefined();
      }
      await raw(['SET', stored, JSON.stringify([FORMAT_VERSION, 5, 'error', 'sts_rejected'])]);
      expect(await store.get(key)).toEqual({ expiresAt: 5, error: 'sts_rejected' });
    });

    it('does not store an identity it could not read back whole', async () => {
      const key = newKey();
      await store.set(key, { expiresAt: entry.expiresAt, identity: { ...identity, username: 'alice', groups: [] } }, 60_000);
      expect(await raw(['GET', `callerid:v${FORMAT_VERSION}:{${key}}:verdict`])).toBeNull();
    });

    it('lock: one holder at a time; unlock only by its owner; waiters get the verdict or learn the lock is gone', async () => {
      const key = newKey();
      expect(await store.lock(key, 'a', 5_000)).toBe(true);
      expect(await store.lock(key, 'b', 5_000)).toBe(false);
      await store.unlock(key, 'b'); // not b's
      expect(await store.lock(key, 'b', 5_000)).toBe(false);

      const waiting = store.waitFor(key, 5_000);
      setTimeout(() => void store.set(key, entry, 60_000), 30);
      expect(await waiting).toEqual(entry);

      const other = newKey();
      await store.lock(other, 'a', 5_000);
      const released = store.waitFor(other, 5_000);
      setTimeout(() => void store.unlock(other, 'a'), 30);
      expect(await released).toBeUndefined();
    });

    it('a wait ends with the lock of a holder that died, and never outlasts its timeout', async () => {
      const key = newKey();
      await store.lock(key, 'dead', 100);
      let started = performance.now();
      expect(await store.waitFor(key, 5_000)).toBeUndefined();
      expect(performance.now() - started).toBeLessThan(1_000);

      await store.lock(key, 'slow', 5_000);
      started = performance.now();
      expect(await store.waitFor(key, 100)).toBeUndefined();
      expect(performance.now() - started).toBeLessThan(1_000);
    });

    it('claim: true once, then false until it expires', async () => {
      const key = newKey();
      const claims = await Promise.all(Array.from({ length: 50 }, () => store.claim(key, 60_000)));
      expect(claims.filter(Boolean)).toHaveLength(1);
      const short = newKey();
      expect(await store.claim(short, 50)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 120));
      expect(await store.claim(short, 50)).toBe(true);
    });
  });
}

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(() => Promise.all(cleanups.map((c) => c())));

storeContract('one redis-server', async () => {
  const server: RedisServer = await startRedis();
  const client = await createClient({ url: server.url }).connect();
  cleanups.push(async () => {
    await client.close();
    await server.stop();
  });
  return { client, raw: (args) => client.sendCommand(args) };
});

storeContract('a 3-master Redis Cluster', async () => {
  const cluster: RedisCluster = await startRedisCluster();
  const client = await createCluster({ rootNodes: cluster.rootNodes }).connect();
  cleanups.push(async () => {
    await client.close();
    await cluster.stop();
  });
  return { client, raw: (args) => client.sendCommand(args[1], args[0] === 'GET' || args[0] === 'PTTL', args) };
});

describe('options', () => {
  const client = { isReady: true, get: async () => null, set: async () => null, del: async () => 0, mGet: async () => [], eval: async () => 0 };
  it('refuses unknown keys, a missing client and out-of-range numbers', () => {
    expect(() => createRedisStore({ client, ttl: 1 } as never)).toThrow(/unknown option "ttl"/);
    expect(() => createRedisStore({ client, operationTimeout: 1 } as never)).toThrow('unknown option "operationTimeout"; did you mean "operationTimeoutMs"?');
    expect(() => createRedisStore({} as never)).toThrow(/client/);
    expect(() => createRedisStore({ client, operationTimeoutMs: 0 })).toThrow(/operationTimeoutMs/);
    expect(() => createRedisStore({ client, prefix: 'a b' })).toThrow(/prefix/);
  });
});
