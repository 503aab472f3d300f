/**
 * shared cache (@callerid/redis): what a shared-cache hit costs — a verifier whose local cache misses
 * and whose Redis has the verdict — against a bare `GET` of the same key on the same client; and the
 * STS calls of N instances (each its own verifier, local cache and Redis connection) verifying one
 * fresh token at once.
 */
import { createVerifier } from '@callerid/core';
import { mintToken } from '@callerid/mint';
import { createRedisStore, FORMAT_VERSION } from '@callerid/redis';
import { startStsLocal, type StsLocal } from '@callerid/sts-local';
import { createClient } from 'redis';
import { AUDIENCE, CREDENTIALS, PRINCIPALS, REGION } from './fixtures.js';
import type { Group, GroupContext } from './group.js';
import { interleaved } from './measure.js';
import { hasRedisServer, startRedisServer } from './redis-server.js';

/** Instances and concurrent verifications per instance for the fleet's single-flight proof. */
const INSTANCES = 8;
const PER_INSTANCE = 125;
const STS_DELAY_MS = 100;

async function connect(url: string) {
  const client = createClient({ url });
  client.on('error', () => undefined);
  return client.connect();
}

async function sharedHit(ctx: GroupContext, sts: StsLocal, url: string): Promise<void> {
  const client = await connect(url);
  // Every call a hit: a deadline long enough that a busy machine never turns one into an STS call
  // (the deadline's timer is paid all the same).
  const verifier = createVerifier({ audience: AUDIENCE, stsEndpoint: sts.url, cache: false, sharedCache: createRedisStore({ client, operationTimeoutMs: 1_000 }) });
  try {
    const { token } = await mintToken({ audience: AUDIENCE, region: REGION, credentials: CREDENTIALS });
    await verifier.verify(token); // the one STS call: the verdict is in Redis from now on
    const verdicts = await client.keys(`callerid:v${FORMAT_VERSION}:*:verdict`);
    const [key] = verdicts;
    if (key === undefined || verdicts.length !== 1) throw new Error('expected exactly one verdict in Redis');
    ctx.progress('shared-cache hit vs bare GET (one connection, calls interleaved)');
    const calls = ctx.profile.name === 'smoke' ? 200 : 20_000;
    const mean = await interleaved({ get: () => client.get(key), shared: () => verifier.verify(token) }, calls, calls / 10);
    ctx.report({
      metric: 'verify(), local miss + Redis hit (mean)',
      value: mean.shared! * 1_000,
      unit: 'µs',
      baseline: { name: 'bare GET, same key and client', value: mean.get! * 1_000 },
      target: { on: 'ratio', op: '<=', threshold: 1.2 },
      note: `${calls.toLocaleString('en-US')} sequential calls each, interleaved one by one (cache: false, so every verify() reads Redis)`,
    });
  } finally {
    await verifier.close();
    await client.close();
  }
}

async function fleet(ctx: GroupContext, sts: StsLocal, url: string): Promise<void> {
  ctx.progress(`${INSTANCES} instances × ${PER_INSTANCE} concurrent verifications of one fresh token`);
  const clients = await Promise.all(Array.from({ length: INSTANCES }, () => connect(url)));
  // A generous deadline: this counts STS calls, and a busy machine must not turn a slow Redis answer
  // into an instance verifying on its own (the latency is the other row's business).
  const verifiers = clients.map((client) =>
    createVerifier({ audience: AUDIENCE, stsEndpoint: sts.url, sharedCache: createRedisStore({ client, operationTimeoutMs: 1_000 }) }),
  );
  // An X-Amz-Expires no other token of this run has: a token no verifier has seen.
  const { token } = await mintToken({ audience: AUDIENCE, region: REGION, credentials: CREDENTIALS, expiresInSeconds: 899 });
  sts.setFaults({ latencyMs: STS_DELAY_MS });
  try {
    const before = sts.stats().actions.GetCallerIdentity?.requests ?? 0;
    const settled = await Promise.allSettled(verifiers.flatMap((v) => Array.from({ length: PER_INSTANCE }, () => v.verify(token))));
    const calls = (sts.stats().actions.GetCallerIdentity?.requests ?? 0) - before;
    const ok = settled.filter((s) => s.status === 'fulfilled').length;
    if (ok !== settled.length) throw new Error(`${settled.length - ok} of ${settled.length} verifications failed`);
    ctx.report({
      metric: `STS calls for ${INSTANCES} instances × one fresh token`,
      value: calls,
      unit: 'calls',
      target: { on: 'value', op: '==', threshold: 1 },
      invariant: true,
      note: `N = ${INSTANCES} verifiers sharing one Redis, ${PER_INSTANCE} concurrent each; sts-local stats()`,
    });
  } finally {
    sts.setFaults(undefined);
    await Promise.all(verifiers.map((v) => v.close()));
    await Promise.all(clients.map((c) => c.close()));
  }
}

export const sharedCache: Group = {
  async run(ctx) {
    if (!hasRedisServer) {
      ctx.report({ metric: 'shared cache (redis-server not installed)', value: null, unit: '' });
      return;
    }
    const [sts, redis] = await Promise.all([startStsLocal({ principals: [...PRINCIPALS] }), startRedisServer()]);
    try {
      await sharedHit(ctx, sts, redis.url);
      await fleet(ctx, sts, redis.url);
    } finally {
      await sts.close();
      await redis.stop();
    }
  },
};
