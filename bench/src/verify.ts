/**
 * verify: local parsing, a cached verification, a first (uncached) verification against a real
 * sts-local, and the single-flight proof: 1,000 concurrent requests carrying one fresh token reach a
 * protected Express server, and sts-local counts how many `GetCallerIdentity` calls it answered.
 */
import { createVerifier, parseToken } from '@callerid/core';
import { mintToken } from '@callerid/mint';
import { startStsLocal, type StsLocal } from '@callerid/sts-local';
import { Agent, request } from 'undici';
import { startExpress } from './apps.js';
import { AUDIENCE, CREDENTIALS, PRINCIPALS, REGION } from './fixtures.js';
import type { Group, GroupContext } from './group.js';
import { runTasks, spread } from './measure.js';

/** How long sts-local holds each answer during the single-flight proof, so every request overlaps the first STS call. */
const STS_DELAY_MS = 100;

async function hotPaths(ctx: GroupContext, sts: StsLocal): Promise<void> {
  const { token } = await mintToken({ audience: AUDIENCE, region: REGION, credentials: CREDENTIALS });
  const cached = createVerifier({ audience: AUDIENCE, stsEndpoint: sts.url });
  const uncached = createVerifier({ audience: AUDIENCE, stsEndpoint: sts.url, cache: false });
  try {
    await cached.verify(token); // the one STS call; every later verify() is answered from the cache
    ctx.progress('parseToken(), cached verify(), first verification');
    const { batch } = ctx.profile;
    const f = await runTasks(ctx.profile, [
      { name: 'parse', fn: () => parseToken(token), batch },
      { name: 'cached', fn: () => cached.verify(token), batch, async: true },
      { name: 'first', fn: () => uncached.verify(token), async: true },
    ]);
    const parse = f.get('parse')!;
    const hit = f.get('cached')!;
    const first = f.get('first')!;
    ctx.report({ metric: 'parseToken()', value: parse.opsPerSecond, unit: 'ops/s', target: { on: 'value', op: '>=', threshold: 100_000 }, note: spread(parse) });
    ctx.report({ metric: 'verify(), cached token', value: hit.opsPerSecond, unit: 'ops/s', target: { on: 'value', op: '>=', threshold: 300_000 }, note: spread(hit) });
    ctx.report({ metric: 'first verification via sts-local (p50)', value: first.p50Ms, unit: 'ms', note: `cache off, keep-alive; ${spread(first)}` });
  } finally {
    await Promise.all([cached.close(), uncached.close()]);
  }
}

async function singleFlight(ctx: GroupContext, sts: StsLocal): Promise<void> {
  const n = ctx.profile.concurrentRequests;
  ctx.progress(`${n} concurrent requests with one fresh token`);
  // Signed two seconds ago: a token no verifier in this run has seen.
  const { token } = await mintToken({ audience: AUDIENCE, region: REGION, credentials: CREDENTIALS, signingDate: new Date(Date.now() - 2_000) });
  const app = await startExpress({ stsUrl: sts.url });
  const agent = new Agent({ connections: n, connectTimeout: 30_000, headersTimeout: 60_000 });
  sts.setFaults({ latencyMs: STS_DELAY_MS });
  try {
    const before = sts.stats().actions.GetCallerIdentity?.requests ?? 0;
    const statuses = await Promise.all(
      Array.from({ length: n }, async () => {
        const res = await request(app.url, { dispatcher: agent, headers: { authorization: `Bearer ${token}` } });
        await res.body.dump();
        return res.statusCode;
      }),
    );
    const calls = (sts.stats().actions.GetCallerIdentity?.requests ?? 0) - before;
    const ok = statuses.filter((s) => s === 200).length;
    if (ok !== n) throw new Error(`${n - ok} of ${n} concurrent requests were not answered 200`);
    ctx.report({
      metric: `STS calls for ${n.toLocaleString('en-US')} concurrent requests, one fresh token`,
      value: calls,
      unit: 'calls',
      target: { on: 'value', op: '==', threshold: 1 },
      invariant: true,
      note: `Express; ${ok} × 200; sts-local stats()`,
    });
  } finally {
    sts.setFaults(undefined);
    await agent.close();
    await app.close();
  }
}

export const verify: Group = {
  async run(ctx) {
    const sts = await startStsLocal({ principals: [...PRINCIPALS] });
    try {
      await hotPaths(ctx, sts);
      await singleFlight(ctx, sts);
    } finally {
      await sts.close();
    }
  },
};
