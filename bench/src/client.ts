/**
 * client: a cached `getToken()` (in process, tinybench), and requests/s of `withCallerId(fetch)` ÷ bare
 * `fetch` against the same local server. The server runs in a child process, so the figure is the
 * client's cost; the two fetches are driven in alternating legs of equal length (like the middleware
 * group's autocannon legs), each leg counting the 200s it completes.
 */
import { performance } from 'node:perf_hooks';
import { createTokenProvider, withCallerId } from '@callerid/client';
import { AUDIENCE, CREDENTIALS, REGION } from './fixtures.js';
import type { Group, GroupContext } from './group.js';
import { startHost } from './host/index.js';
import { alternate, runTasks, spread, type Leg } from './measure.js';

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
    return { requestsPerSecond: requests / elapsed, requests, seconds: elapsed };
  };
}

async function fetchRatio(ctx: GroupContext): Promise<void> {
  ctx.progress('withCallerId(fetch) vs fetch');
  const host = await startHost({ kind: 'plain' });
  try {
    const url = host.url('plain');
    const bare: Fetch = (u) => fetch(u);
    const wrapped: Fetch = withCallerId(fetch, { audience: AUDIENCE, region: REGION, credentials: CREDENTIALS });
    await (await wrapped(url)).arrayBuffer(); // the one mint, outside the measurement
    const [b, w] = await alternate(ctx.profile, fetchLeg(bare, url), fetchLeg(wrapped, url));
    ctx.report({
      metric: 'withCallerId(fetch) ÷ fetch',
      value: w.requestsPerSecond,
      unit: 'req/s',
      baseline: { name: 'bare fetch', value: b.requestsPerSecond },
      target: { on: 'ratio', op: '>=', threshold: 0.95 },
      note: `${ctx.profile.rounds} × ${ctx.profile.legSeconds} s legs each, ${CONCURRENCY} concurrent`,
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
