/**
 * Client-side costs, measured side by side in one process:
 * - a cached `getToken()` (target: ≤ 2 µs);
 * - requests/s of the wrapped fetch vs bare fetch against the same loopback server (target: ≥ 0.95×),
 *   alternating the two in rounds so machine load hits both alike.
 *
 * Run: `pnpm --filter @callerid/client bench` (after `pnpm build`, which builds @callerid/core).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Bench } from 'tinybench';
import { createTokenProvider, withCallerId } from '../src/index.js';

const credentials = { accessKeyId: 'AKIACALLERIDBENCH001', secretAccessKey: 'bench-secret-access-key' };
// Many short alternating rounds: on a shared, loaded machine a load spike then hits both variants alike.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 80);
const REQUESTS_PER_ROUND = Number(process.env.BENCH_REQUESTS ?? 500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);

async function benchGetToken(): Promise<{ rawNs: number; awaitedNs: number }> {
  const provider = createTokenProvider({ audience: 'bench-api', credentials });
  await provider.getToken();

  // The hot path itself: a clock read, a comparison, a resolved promise handed back.
  const n = 2_000_000;
  for (let i = 0; i < n / 10; i++) void provider.getToken(); // warm-up
  const start = performance.now();
  for (let i = 0; i < n; i++) void provider.getToken();
  const rawNs = ((performance.now() - start) * 1e6) / n;

  const bench = new Bench({ name: 'getToken', time: 1_000, warmupTime: 200 });
  bench.add('await getToken() (cached)', async () => {
    await provider.getToken();
  });
  await bench.run();
  const task = bench.tasks[0]!.result as { latency?: { mean: number } } | undefined;
  const awaitedNs = (task?.latency?.mean ?? Number.NaN) * 1e6;
  return { rawNs, awaitedNs };
}

type Fetch = (url: string) => Promise<Response>;

/** What the wrapper itself adds per call, with a fetch that answers at once (no network, no load noise). */
async function benchWrapperOverhead(): Promise<number> {
  const response = new Response('ok');
  const instant = (_url: string, _init?: RequestInit) => Promise.resolve(response);
  const wrapped = withCallerId(instant, { audience: 'bench-api', credentials });
  const bench = new Bench({ name: 'wrapper', time: 1_000, warmupTime: 200 });
  bench.add('instant fetch', async () => {
    await instant('http://127.0.0.1/');
  });
  bench.add('withCallerId(instant fetch)', async () => {
    await wrapped('http://127.0.0.1/');
  });
  await bench.run();
  const [bare, withToken] = bench.tasks.map((task) => ((task.result as { latency?: { mean: number } } | undefined)?.latency?.mean ?? Number.NaN) * 1e6);
  return withToken! - bare!;
}

/** Sends REQUESTS_PER_ROUND requests with CONCURRENCY in flight; returns the elapsed milliseconds. */
async function round(fetchFn: Fetch, url: string): Promise<number> {
  let remaining = REQUESTS_PER_ROUND;
  const worker = async () => {
    while (remaining-- > 0) {
      const res = await fetchFn(url);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`unexpected status ${res.status}`);
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return performance.now() - start;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

interface FetchResults {
  /** Requests/s of each round, per variant. */
  bare: number[];
  wrapped: number[];
  /** Total requests / total time, per variant. */
  bareTotal: number;
  wrappedTotal: number;
}

async function benchFetch(): Promise<FetchResults> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const wrapped = withCallerId(fetch, { audience: 'bench-api', credentials });
  const bare: Fetch = (u) => fetch(u);
  for (let i = 0; i < 4; i++) await round(i % 2 ? bare : wrapped, url); // warm-up: connections, JIT

  const times = { bare: [] as number[], wrapped: [] as number[] };
  for (let i = 0; i < ROUNDS; i++) {
    // Alternate which goes first, so neither always runs on a warmer (or busier) machine.
    const order = i % 2 === 0 ? (['bare', 'wrapped'] as const) : (['wrapped', 'bare'] as const);
    for (const variant of order) times[variant].push(await round(variant === 'bare' ? bare : wrapped, url));
  }
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  const rate = (ms: number) => REQUESTS_PER_ROUND / (ms / 1_000);
  const total = (ms: number[]) => (REQUESTS_PER_ROUND * ms.length) / (ms.reduce((a, b) => a + b, 0) / 1_000);
  return { bare: times.bare.map(rate), wrapped: times.wrapped.map(rate), bareTotal: total(times.bare), wrappedTotal: total(times.wrapped) };
}

const { rawNs, awaitedNs } = await benchGetToken();
const overheadNs = await benchWrapperOverhead();
const fetchResults = await benchFetch();
const ratios = fetchResults.bare.map((b, i) => fetchResults.wrapped[i]! / b);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))]!;

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`cached getToken(): ${rawNs.toFixed(0)} ns/call (hot path loop), ${awaitedNs.toFixed(0)} ns/call awaited (tinybench mean)`);
console.log(`withCallerId's own cost per request (instant fetch): ${overheadNs.toFixed(0)} ns`);
console.log(`fetch vs withCallerId(fetch), ${ROUNDS} alternating rounds × ${REQUESTS_PER_ROUND} requests each, concurrency ${CONCURRENCY}:`);
console.log(`  bare fetch:    ${fmt(fetchResults.bareTotal)} req/s overall, median round ${fmt(median(fetchResults.bare))}`);
console.log(`  withCallerId:  ${fmt(fetchResults.wrappedTotal)} req/s overall, median round ${fmt(median(fetchResults.wrapped))}`);
console.log(
  `  wrapped/bare:  ${(fetchResults.wrappedTotal / fetchResults.bareTotal).toFixed(3)} overall; per round median ${median(ratios).toFixed(3)}, ` +
    `p10 ${quantile(ratios, 0.1).toFixed(3)}, p90 ${quantile(ratios, 0.9).toFixed(3)}`,
);
