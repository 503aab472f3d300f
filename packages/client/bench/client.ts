/**
 * Client-side costs, measured side by side in one run:
 * - a cached `getToken()` (target: ≤ 2 µs);
 * - requests/s of `withCallerId(fetch)` vs bare `fetch` against the same loopback server (target:
 *   ≥ 0.95×). The server runs in a child process; the two variants alternate in many short rounds so a
 *   load spike on a shared machine hits both alike. Besides wall-clock requests/s, the client process's
 *   own CPU time per request is reported: it is what the wrapper can add to, and it is far less
 *   disturbed by other processes than wall-clock time.
 *
 * Run: `pnpm --filter @callerid/client bench` (after `pnpm build`, which builds @callerid/core).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Bench } from 'tinybench';
import { createTokenProvider, withCallerId } from '../src/index.js';

const credentials = { accessKeyId: 'AKIACALLERIDBENCH001', secretAccessKey: 'bench-secret-access-key' };
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 80);
const REQUESTS_PER_ROUND = Number(process.env.BENCH_REQUESTS ?? 500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);

type Fetch = (url: string) => Promise<Response>;

function meanNs(bench: Bench, index: number): number {
  const result = bench.tasks[index]?.result as { latency?: { mean: number } } | undefined;
  return (result?.latency?.mean ?? Number.NaN) * 1e6;
}

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
  return { rawNs, awaitedNs: meanNs(bench, 0) };
}

/** What the wrapper itself adds per call, with a fetch that answers at once (no network, no server). */
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
  return meanNs(bench, 1) - meanNs(bench, 0);
}

const SERVER = `
const server = require('node:http').createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
  res.end('ok');
});
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
process.on('disconnect', () => process.exit(0));
`;

async function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  return { url: `http://127.0.0.1:${chunk.toString().trim()}/`, child };
}

interface RoundResult {
  wallMs: number;
  cpuMs: number;
}

/** Sends REQUESTS_PER_ROUND requests with CONCURRENCY in flight. */
async function round(fetchFn: Fetch, url: string): Promise<RoundResult> {
  let remaining = REQUESTS_PER_ROUND;
  const worker = async () => {
    while (remaining-- > 0) {
      const res = await fetchFn(url);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`unexpected status ${res.status}`);
    }
  };
  const cpu = process.cpuUsage();
  const start = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1_000 };
}

interface VariantResult {
  /** Requests/s of each round. */
  rounds: number[];
  /** All requests / all wall-clock time. */
  wall: number;
  /** All requests / the client process's CPU time. */
  cpu: number;
}

/**
 * Sequential requests, alternating bare and wrapped one request at a time, so both see exactly the
 * same machine; returns the mean latency of each (sequential requests/s is its inverse).
 */
async function interleaved(variants: Record<'bare' | 'wrapped', Fetch>, url: string, requests: number): Promise<{ bareMs: number; wrappedMs: number }> {
  const sums = { bare: 0, wrapped: 0 };
  for (let i = 0; i < requests; i++) {
    for (const variant of i % 2 === 0 ? (['bare', 'wrapped'] as const) : (['wrapped', 'bare'] as const)) {
      const start = performance.now();
      const res = await variants[variant](url);
      await res.arrayBuffer();
      sums[variant] += performance.now() - start;
    }
  }
  return { bareMs: sums.bare / requests, wrappedMs: sums.wrapped / requests };
}

async function benchFetch(): Promise<{ bare: VariantResult; wrapped: VariantResult; sequential: { bareMs: number; wrappedMs: number } }> {
  const { url, child } = await startServer();
  const variants: Record<'bare' | 'wrapped', Fetch> = {
    bare: (u) => fetch(u),
    wrapped: withCallerId(fetch, { audience: 'bench-api', credentials }),
  };
  for (let i = 0; i < 6; i++) await round(i % 2 ? variants.bare : variants.wrapped, url); // warm-up: connections, JIT

  const results: Record<'bare' | 'wrapped', RoundResult[]> = { bare: [], wrapped: [] };
  for (let i = 0; i < ROUNDS; i++) {
    // Alternate which goes first, so neither always runs on a warmer (or busier) machine.
    const order = i % 2 === 0 ? (['bare', 'wrapped'] as const) : (['wrapped', 'bare'] as const);
    for (const variant of order) results[variant].push(await round(variants[variant], url));
  }
  const sequential = await interleaved(variants, url, ROUNDS * 100);
  child.disconnect();
  const summarize = (rounds: RoundResult[]): VariantResult => {
    const total = REQUESTS_PER_ROUND * rounds.length;
    const sum = (pick: (r: RoundResult) => number) => rounds.reduce((acc, r) => acc + pick(r), 0) / 1_000;
    return { rounds: rounds.map((r) => REQUESTS_PER_ROUND / (r.wallMs / 1_000)), wall: total / sum((r) => r.wallMs), cpu: total / sum((r) => r.cpuMs) };
  };
  return { bare: summarize(results.bare), wrapped: summarize(results.wrapped), sequential };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))]!;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

const load = loadavg();
const { rawNs, awaitedNs } = await benchGetToken();
const overheadNs = await benchWrapperOverhead();
const { bare, wrapped, sequential } = await benchFetch();
const ratios = bare.rounds.map((b, i) => wrapped.rounds[i]! / b);

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, load average at start ${load.map((l) => l.toFixed(2)).join(' ')}, at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`cached getToken(): ${rawNs.toFixed(0)} ns/call (hot path loop), ${awaitedNs.toFixed(0)} ns/call awaited (tinybench mean)`);
console.log(`withCallerId's own cost per request (instant fetch): ${overheadNs.toFixed(0)} ns`);
console.log(`fetch vs withCallerId(fetch), ${ROUNDS} alternating rounds × ${REQUESTS_PER_ROUND} requests, concurrency ${CONCURRENCY}, server in a child process:`);
console.log(`  wall clock:  bare ${fmt(bare.wall)} req/s, wrapped ${fmt(wrapped.wall)} req/s → ratio ${(wrapped.wall / bare.wall).toFixed(3)}`);
console.log(`               per-round ratio median ${median(ratios).toFixed(3)}, p10 ${quantile(ratios, 0.1).toFixed(3)}, p90 ${quantile(ratios, 0.9).toFixed(3)}`);
console.log(
  `  sequential, alternating request by request (${ROUNDS * 100} each): bare ${fmt(1_000 / sequential.bareMs)} req/s, ` +
    `wrapped ${fmt(1_000 / sequential.wrappedMs)} req/s → ratio ${(sequential.bareMs / sequential.wrappedMs).toFixed(3)}`,
);
console.log(`  client CPU:  bare ${fmt(bare.cpu)} req/CPU-s, wrapped ${fmt(wrapped.cpu)} req/CPU-s → ratio ${(wrapped.cpu / bare.cpu).toFixed(3)}`);
