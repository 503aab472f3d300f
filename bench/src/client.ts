/**
 * client: a cached `getToken()` (in process, tinybench), and requests/s of `withCallerId(fetch)` ÷ bare
 * `fetch(url)` against the same local server (the target). Beside it, without a target, the wrapper ÷
 * bare fetch sending the same `Authorization` header set by hand: the same bytes on the wire, so that
 * ratio is the wrapper's own cost. The server runs in a child process, so the figures are the client's
 * cost; the fetches are driven in alternating legs of equal length (like the middleware group's
 * autocannon legs), each leg counting the 200s it completes.
 */
import { performance } from 'node:perf_hooks';
import { createTokenProvider, withCallerId } from '@callerid/client';
import { AUDIENCE, CREDENTIALS, REGION } from './fixtures.js';
import type { Group, GroupContext } from './group.js';
import { startHost } from './host/index.js';
import { alternate, cpuPerRequest, runTasks, spread, type Leg } from './measure.js';

const CONCURRENCY = 16;
type Fetch = (url: string) => Promise<Response>;

async function getTokenCost(ctx: GroupContext): Promise<void> {
  ctx.progress('cached getToken()');
  const provider = createTokenProvider({ audience: AUDIENCE, region: REGION, credentials: CREDENTIALS });
  await provider.getToken(); // mint once; every later call is the cached path
  const f = (await runTasks(ctx.profile, [{ name: 'getToken', fn: () => provider.getToken(), batch: ctx.profile.batch, async: true }])).get('getToken')!;
  ctx.report({ metric: 'getToken(), cached token', value: f.meanMs * 1_000, unit: 'µs', target: { on: 'value', op: '<=', threshold: 2 }, note: `awaited; ${spread(f)}` });
}

/** `CONCURRENCY` workers sending requests back to back until the leg's time is up; every answer must be a 200. */
function fetchLeg(fetchFn: Fetch, url: string): Leg {
  return async (seconds) => {
    const cpu = process.cpuUsage();
    const start = performance.now();
    const deadline = start + seconds * 1_000;
    let requests = 0;
    const worker = async () => {
      while (performance.now() < deadline) {
        const res = await fetchFn(url);
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`the server answered ${res.status}`);
        requests++;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const elapsed = (performance.now() - start) / 1_000;
    const { user, system } = process.cpuUsage(cpu);
    return { requestsPerSecond: requests / elapsed, requests, seconds: elapsed, cpuMicros: user + system };
  };
}

async function fetchRatio(ctx: GroupContext): Promise<void> {
  ctx.progress('withCallerId(fetch) vs fetch');
  const host = await startHost({ kind: 'plain' });
  try {
    const url = host.url('plain');
    const provider = createTokenProvider({ audience: AUDIENCE, region: REGION, credentials: CREDENTIALS });
    const wrapped: Fetch = withCallerId(fetch, { provider });
    const token = await provider.getToken(); // the one mint, outside the measurement
    const headers = { authorization: `Bearer ${token}` };
    const bare: Fetch = (u) => fetch(u);
    const byHand: Fetch = (u) => fetch(u, { headers });
    const profile = { ...ctx.profile, rounds: ctx.profile.fetchRounds };
    const [b, h, w] = await alternate(profile, fetchLeg(bare, url), fetchLeg(byHand, url), fetchLeg(wrapped, url));
    const legs = `${profile.rounds} × ${profile.legSeconds} s legs each, ${CONCURRENCY} concurrent`;
    ctx.report({
      metric: 'withCallerId(fetch) ÷ fetch',
      value: w.requestsPerSecond,
      unit: 'req/s',
      baseline: { name: 'bare fetch', value: b.requestsPerSecond },
      target: { on: 'ratio', op: '>=', threshold: 0.95 },
      note: `${legs}; client CPU per request ${cpuPerRequest(b)} → ${cpuPerRequest(w)}`,
    });
    ctx.report({
      metric: 'withCallerId(fetch) ÷ fetch, same header',
      value: w.requestsPerSecond,
      unit: 'req/s',
      baseline: { name: `fetch + ${headers.authorization.length}-byte header by hand`, value: h.requestsPerSecond },
      note: `the wrapper's own cost (no target); client CPU per request ${cpuPerRequest(h)} → ${cpuPerRequest(w)}`,
    });
  } finally {
    await host.stop();
  }
}

export const client: Group = {
  async run(ctx) {
    await getTokenCost(ctx);
    await fetchRatio(ctx);
  },
};
