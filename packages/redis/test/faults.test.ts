/**
 * Redis in trouble costs STS calls, never a wrong answer: killed mid-run (every request still
 * answered, by STS per instance; one-time mode fails closed with 503), restarted (sharing resumes on
 * its own), hung (a bounded added latency, then an open circuit that costs nothing), or never
 * answering at all. Store trouble is published on the `callerid:store` diagnostics channel.
 */
import diagnostics from 'node:diagnostics_channel';
import { DIAGNOSTICS_CHANNELS, createVerifier, isCallerIdError, type StoreEvent, type Verifier } from '@callerid/core';
import { mintToken } from '@callerid/mint';
import type { StsLocal } from '@callerid/sts-local';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createRedisStore, type RedisStore } from '../src/index.js';
import { hasRedis, startFreezableProxy, startRedis, startSilentServer } from './support/redis-server.js';
import { alice, startSts, stsCalls } from './support/sts.js';

let sts: StsLocal;
beforeAll(async () => {
  sts = await startSts();
});
afterAll(() => sts?.close());

let tokens = 0;
/** A new token for `audience`, never seen before (each has its own X-Amz-Expires, which STS ignores). */
async function newToken(audience: string): Promise<string> {
  const { token } = await mintToken({ audience, region: 'eu-west-1', credentials: alice, expiresInSeconds: 61 + (++tokens % 840) });
  return token;
}

interface Instance {
  verifier: Verifier;
  store: RedisStore;
}

/** One API instance: its own client, store and verifier. The client's `error` events are expected here. */
async function instance(url: string, audience: string, options: { replay?: 'once'; connect?: boolean; operationTimeoutMs?: number } = {}): Promise<Instance> {
  const client = createClient({ url, socket: { reconnectStrategy: () => 50 } });
  client.on('error', () => undefined);
  if (options.connect === false) void client.connect().catch(() => undefined);
  else await client.connect();
  // Outages here are refused connections, which fail at once: a generous deadline keeps a busy machine
  // from adding timeouts of its own, except where the deadline is what a test is about.
  const store = createRedisStore({ client, cooldownMs: 200, operationTimeoutMs: options.operationTimeoutMs ?? 1_000 });
  const verifier = createVerifier({ audience, stsEndpoint: sts.url, sharedCache: store, replay: options.replay ?? 'allow' });
  onTestFinished(async () => {
    await verifier.close();
    client.destroy();
  });
  return { verifier, store };
}

const outcome = (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted',
    (e: unknown) => (isCallerIdError(e) ? e.code : `crash: ${String(e)}`),
  );

function recordStoreEvents(): StoreEvent[] {
  const events: StoreEvent[] = [];
  const listener = (message: unknown) => events.push(message as StoreEvent);
  diagnostics.subscribe(DIAGNOSTICS_CHANNELS.store, listener);
  onTestFinished(() => void diagnostics.unsubscribe(DIAGNOSTICS_CHANNELS.store, listener));
  return events;
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Both instances verify one new token; resolves to their outcomes and the STS calls it took. */
async function bothVerify(a: Instance, b: Instance, audience: string): Promise<{ outcomes: string[]; calls: number }> {
  const token = await newToken(audience);
  const before = stsCalls(sts);
  const outcomes = [await outcome(a.verifier.verify(token)), await outcome(b.verifier.verify(token))];
  return { outcomes, calls: stsCalls(sts) - before };
}

describe.skipIf(!hasRedis)('Redis faults', () => {
  it('killed mid-run: every request is still answered (by STS, per instance); restarted: sharing resumes', async () => {
    const redis = await startRedis();
    onTestFinished(() => redis.stop());
    const events = recordStoreEvents();
    const a = await instance(redis.url, 'faults-kill');
    const b = await instance(redis.url, 'faults-kill');
    expect(await bothVerify(a, b, 'faults-kill')).toEqual({ outcomes: ['accepted', 'accepted'], calls: 1 });

    // Requests keep coming while Redis dies.
    const running = Array.from({ length: 20 }, async (_, i) => {
      await new Promise((resolve) => setTimeout(resolve, i * 10));
      return (await bothVerify(a, b, 'faults-kill')).outcomes;
    });
    setTimeout(() => void redis.kill(), 50);
    expect(new Set((await Promise.all(running)).flat())).toEqual(new Set(['accepted']));

    const down = await bothVerify(a, b, 'faults-kill');
    expect(down).toEqual({ outcomes: ['accepted', 'accepted'], calls: 2 });
    expect(events.map((e) => e.outcome)).toContain('circuit_open');

    await redis.restart();
    await eventually(async () => (await bothVerify(a, b, 'faults-kill')).calls === 1);
    expect(await bothVerify(a, b, 'faults-kill')).toEqual({ outcomes: ['accepted', 'accepted'], calls: 1 });
    expect(events.map((e) => e.outcome)).toContain('recovered');
    for (const event of events) expect(JSON.stringify(event)).not.toContain('k8s-aws-v1.');
  }, 60_000);

  it("replay: 'once' fails closed (503 replay_check_unavailable) while Redis is down, and never admits a token twice", async () => {
    const redis = await startRedis();
    onTestFinished(() => redis.stop());
    const a = await instance(redis.url, 'faults-once', { replay: 'once' });
    const b = await instance(redis.url, 'faults-once', { replay: 'once' });
    const used = await newToken('faults-once');
    expect(await outcome(a.verifier.verify(used))).toBe('accepted');

    await redis.kill();
    const token = await newToken('faults-once');
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => outcome((i % 2 ? a : b).verifier.verify(token))));
    expect(new Set(outcomes)).toEqual(new Set(['replay_check_unavailable']));

    await redis.restart(); // empty: no persistence, so only tokens used after the restart are known
    await eventually(async () => (await outcome(b.verifier.verify(token))) === 'accepted');
    // a's own connection may still be reconnecting (503 for a moment); it must never accept the token.
    let second = '';
    await eventually(async () => {
      second = await outcome(a.verifier.verify(token));
      expect(second).not.toBe('accepted');
      return second !== 'replay_check_unavailable';
    });
    expect(second).toBe('token_replayed');
  }, 60_000);

  it('a Redis that stops answering adds a bounded latency, then nothing (open circuit); it recovers when Redis answers again', async () => {
    const redis = await startRedis();
    const proxy = await startFreezableProxy(redis.port);
    onTestFinished(async () => {
      await proxy.close();
      await redis.stop();
    });
    const events = recordStoreEvents();
    const a = await instance(proxy.url, 'faults-hang', { operationTimeoutMs: 50 });
    const b = await instance(proxy.url, 'faults-hang', { operationTimeoutMs: 50 });
    await eventually(async () => (await bothVerify(a, b, 'faults-hang')).calls === 1);

    proxy.freeze();
    const durations: number[] = [];
    for (let i = 0; i < 10; i++) {
      const started = performance.now();
      expect((await bothVerify(a, b, 'faults-hang')).outcomes).toEqual(['accepted', 'accepted']);
      durations.push(performance.now() - started);
    }
    // Each operation's deadline is 50 ms and the circuit opens after 3 failures: a few hundred ms at
    // most in all, never a hang (the bound here is generous: this is a liveness check, not a benchmark).
    expect(Math.max(...durations)).toBeLessThan(2_000);
    expect(a.store.circuitOpen && b.store.circuitOpen).toBe(true);
    expect(events.filter((e) => e.outcome === 'timeout').length).toBeGreaterThan(0);
    expect(events.find((e) => e.outcome === 'timeout')).toMatchObject({ store: 'redis', cause: 'StoreUnavailableError (ETIMEDOUT)' });

    proxy.thaw();
    await eventually(async () => (await bothVerify(a, b, 'faults-hang')).calls === 1);
    expect(events.map((e) => e.outcome)).toContain('recovered');
  }, 60_000);

  it('a server that accepts connections and never answers costs nothing: the client never gets ready', async () => {
    const silent = await startSilentServer();
    onTestFinished(() => silent.close());
    const a = await instance(silent.url, 'faults-silent', { connect: false, operationTimeoutMs: 50 });
    const started = performance.now();
    for (let i = 0; i < 5; i++) expect(await outcome(a.verifier.verify(await newToken('faults-silent')))).toBe('accepted');
    expect(performance.now() - started).toBeLessThan(2_000);
  }, 30_000);
});
