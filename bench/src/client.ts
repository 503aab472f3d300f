/**
 * client: a cached `getToken()` (in process), and requests/s of `withCallerId(fetch)` ÷ bare `fetch`
 * against the same local server. The server runs in a child process, so the figure is the client's
 * cost; each tinybench iteration is a batch of requests at a fixed concurrency, so a sample is the
 * batch's time per request.
 */
import { createTokenProvider, withCallerId } from '@callerid/client';
import { AUDIENCE, CREDENTIALS, REGION } from './fixtures.js';
import type { Group, GroupContext } from './group.js';
import { startHost } from './host/index.js';
import { runTasks, spread } from './measure.js';

const CONCURRENCY = 16;
type Fetch = (url: string) => Promise<Response>;

async function getTokenCost(ctx: GroupContext): Promise<void> {
  ctx.progress('cached getToken()');
  const provider = createTokenProvider({ audience: AUDIENCE, region: REGION, credentials: CREDENTIALS });
  await provider.getToken(); // mint once; every later call is the cached path
  const f = (await runTasks(ctx.profile, [{ name: 'getToken', fn: () => provider.getToken(), batch: ctx.profile.batch, async: true }])).get('getToken')!;
  ctx.report({ metric: 'getToken(), cached token', value: f.meanMs * 1_000, unit: 'µs', target: { on: 'value', op: '<=', threshold: 2 }, note: spread(f) });
}

/** `n` requests, `CONCURRENCY` at a time; every answer must be a 200. */
function requests(fetchFn: Fetch, url: string, n: number): () => Promise<void> {
  return async () => {
    let remaining = n;
    const worker = async () => {
      while (remaining-- > 0) {
        const res = await fetchFn(url);
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`the server answered ${res.status}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  };
}

async function fetchRatio(ctx: GroupContext): Promise<void> {
  ctx.progress('withCallerId(fetch) vs fetch');
  const host = await startHost({ kind: 'plain' });
  try {
    const url = host.url('plain');
    const bare: Fetch = (u) => fetch(u);
    const wrapped: Fetch = withCallerId(fetch, { audience: AUDIENCE, region: REGION, credentials: CREDENTIALS });
    await wrapped(url); // mints the token once, outside the measurement
    const n = ctx.profile.requestBatch;
    const f = await runTasks(
      ctx.profile,
      [
        { name: 'bare', fn: requests(bare, url, n), ops: n, async: true },
        { name: 'wrapped', fn: requests(wrapped, url, n), ops: n, async: true },
      ],
      { timeMs: ctx.profile.taskMs * 2 },
    );
    const b = f.get('bare')!;
    const w = f.get('wrapped')!;
    ctx.report({
      metric: 'withCallerId(fetch) ÷ fetch',
      value: w.opsPerSecond,
      unit: 'req/s',
      baseline: { name: 'bare fetch', value: b.opsPerSecond },
      target: { on: 'ratio', op: '>=', threshold: 0.95 },
      note: `${CONCURRENCY} concurrent; ${spread(w)}`,
    });
  } finally {
    await host.stop();
  }
}

export const client: Group = {
  name: 'client',
  description: 'cached getToken() µs; withCallerId(fetch) ÷ bare fetch requests/s',
  async run(ctx) {
    await getTokenCost(ctx);
    await fetchRatio(ctx);
  },
};
