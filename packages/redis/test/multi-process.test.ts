/**
 * The fleet, for real: 4 verifier processes, each with its own in-memory cache, share one Redis (or
 * a 3-master Cluster) and verify one fresh token 250 times at once. sts-local counts the
 * GetCallerIdentity calls that reach it; one-time mode counts acceptances.
 */
import type { StsLocal } from '@callerid/sts-local';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startFleet } from './support/fleet.js';
import { hasRedis, startRedis, startRedisCluster, type RedisCluster, type RedisServer } from './support/redis-server.js';
import { freshToken, startSts, stsCalls } from './support/sts.js';
import type { ProcessJob } from './support/verifier-process.js';

const PROCESSES = 4;
const CONCURRENCY = 250;

describe.skipIf(!hasRedis)('4 processes × 250 concurrent verifications of one token', () => {
  let sts: StsLocal;
  let redis: RedisServer;
  let cluster: RedisCluster;
  beforeAll(async () => {
    // STS answers after 50 ms, so every process misses and races for the lock.
    [sts, redis, cluster] = await Promise.all([startSts(50), startRedis(), startRedisCluster()]);
  }, 60_000);
  afterAll(() => Promise.all([sts?.close(), redis?.stop(), cluster?.stop()]));

  async function runFleet(target: ProcessJob['redis'], replay: ProcessJob['replay']) {
    const { audience, token } = await freshToken();
    const fleet = await startFleet(PROCESSES, { redis: target, stsUrl: sts.url, audience, token, concurrency: CONCURRENCY, replay });
    onTestFinished(() => fleet.stop());
    const before = stsCalls(sts);
    const outcomes = await fleet.run();
    return { outcomes, calls: stsCalls(sts) - before };
  }

  it('one Redis: exactly one GetCallerIdentity call in total', async () => {
    const { outcomes, calls } = await runFleet({ url: redis.url }, 'allow');
    expect(outcomes).toEqual({ accepted: PROCESSES * CONCURRENCY });
    expect(calls).toBe(1);
  }, 60_000);

  it('a 3-master Redis Cluster: exactly one GetCallerIdentity call in total', async () => {
    const { outcomes, calls } = await runFleet({ rootNodes: cluster.rootNodes }, 'allow');
    expect(outcomes).toEqual({ accepted: PROCESSES * CONCURRENCY });
    expect(calls).toBe(1);
  }, 60_000);

  it("replay: 'once': 1,000 requests with one token over 4 processes → exactly one accepted", async () => {
    const { outcomes, calls } = await runFleet({ url: redis.url }, 'once');
    expect(outcomes).toEqual({ accepted: 1, token_replayed: PROCESSES * CONCURRENCY - 1 });
    expect(calls).toBe(1);
  }, 60_000);

  it("replay: 'once' on the Cluster: exactly one accepted", async () => {
    const { outcomes } = await runFleet({ rootNodes: cluster.rootNodes }, 'once');
    expect(outcomes).toEqual({ accepted: 1, token_replayed: PROCESSES * CONCURRENCY - 1 });
  }, 60_000);
});
