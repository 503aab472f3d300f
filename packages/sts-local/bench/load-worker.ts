/**
 * The load generator of `throughput.ts`, in its own process so it does not share sts-local's event loop:
 * `connections` keep-alive connections, each sending its next request as soon as the last is answered.
 */
import { Agent, request } from 'node:http';

export interface LoadJob {
  url: string;
  connections: number;
  durationMs: number;
  requests: { method: string; path: string; headers: Record<string, string>; body?: string }[];
}

export interface LoadResult {
  sent: number;
  byStatus: Record<string, number>;
  errors: number;
  elapsedMs: number;
  latencyMs: { p50: number; p99: number };
}

const job = JSON.parse(process.env.STS_LOCAL_LOAD_JOB ?? '{}') as LoadJob;
const base = new URL(job.url);
const agent = new Agent({ keepAlive: true, maxSockets: job.connections });
const byStatus: Record<string, number> = {};
const latencies: number[] = [];
let sent = 0;
let errors = 0;

function once(i: number): Promise<void> {
  const r = job.requests[i % job.requests.length]!;
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request({ host: base.hostname, port: base.port, method: r.method, path: r.path, headers: r.headers, agent, setHost: false }, (res) => {
      res.resume();
      res.on('end', () => {
        byStatus[res.statusCode ?? 0] = (byStatus[res.statusCode ?? 0] ?? 0) + 1;
        if (latencies.length < 200_000) latencies.push(performance.now() - started);
        resolve();
      });
    });
    req.on('error', () => {
      errors++;
      resolve();
    });
    req.end(r.body);
  });
}

async function connection(offset: number, deadline: number): Promise<void> {
  for (let i = offset; performance.now() < deadline; i += job.connections) {
    sent++;
    await once(i);
  }
}

const started = performance.now();
const deadline = started + job.durationMs;
await Promise.all(Array.from({ length: job.connections }, (_, c) => connection(c, deadline)));
const elapsedMs = performance.now() - started;
latencies.sort((a, b) => a - b);
const pct = (p: number) => Math.round((latencies[Math.floor((latencies.length - 1) * p)] ?? 0) * 100) / 100;
agent.destroy();
process.send!({ sent, byStatus, errors, elapsedMs, latencyMs: { p50: pct(0.5), p99: pct(0.99) } } satisfies LoadResult);
