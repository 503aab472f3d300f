/**
 * Middleware overhead: for each framework, the same route (answering `{"ok":true}`) with and without
 * callerid, under autocannon, with a token that is already cached (one STS call during warm-up, none
 * while measuring).
 *
 *   pnpm turbo run build --filter @callerid/integration^...   # the adapters' dist
 *   pnpm --filter @callerid/integration bench:middleware      # BENCH_SECONDS=5 BENCH_ROUNDS=4 BENCH_CONNECTIONS=50
 *
 * The servers run in a child process, autocannon in this one, so the load generator does not share an
 * event loop with the server it measures. Rounds alternate unprotected/protected (A B B A …) so drift in
 * machine load hits both sides alike. Two ratios, protected ÷ unprotected: requests per wall-clock
 * second, and requests per CPU-second of the server process (steady even when other processes load the
 * machine).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { mintToken } from '@callerid/core';
import { callerid as expressCallerid } from '@callerid/express';
import fastifyCallerid from '@callerid/fastify';
import { callerid as koaCallerid } from '@callerid/koa';
import { startStsLocal, type Principal } from '@callerid/sts-local';
import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';

const FRAMEWORKS = ['express', 'fastify', 'koa'] as const;
type Framework = (typeof FRAMEWORKS)[number];
type Ports = Record<`${Framework}:${'open' | 'protected'}`, number>;

const AUDIENCE = 'bench-api';
const principal: Principal = {
  accessKeyId: 'AKIABENCHEXAMPLE0001',
  secretAccessKey: 'bench/secret+key/for/benchmarks/only/0000',
  arn: 'arn:aws:iam::111122223333:user/bench',
  userId: 'AIDABENCHEXAMPLE0001',
  account: '111122223333',
};

// ---------------------------------------------------------------- child: the servers under test
async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

async function serve(stsEndpoint: string): Promise<void> {
  const options = { audience: AUDIENCE, stsEndpoint, allow: { accounts: ['111122223333'] } };
  const ports = {} as Ports;
  for (const secured of [false, true]) {
    const suffix = secured ? 'protected' : 'open';

    const e = express();
    if (secured) e.use(expressCallerid(options));
    e.get('/', (_req, res) => { res.json({ ok: true }); });
    ports[`express:${suffix}`] = await listen(createServer(e));

    const f = Fastify();
    if (secured) await f.register(fastifyCallerid, options);
    f.get('/', (_request, reply) => {
      void reply.send({ ok: true });
    });
    await f.listen({ port: 0, host: '127.0.0.1' });
    ports[`fastify:${suffix}`] = (f.server.address() as AddressInfo).port;

    const k = new Koa();
    if (secured) k.use(koaCallerid(options));
    k.use((ctx) => { ctx.body = { ok: true }; });
    const handle = k.callback();
    ports[`koa:${suffix}`] = await listen(createServer((req, res) => void handle(req, res)));
  }
  process.send!(ports);
  // The parent asks for our CPU time around each run: requests per server CPU-second is the figure that
  // other processes on a shared machine cannot distort.
  process.on('message', () => {
    const { user, system } = process.cpuUsage();
    process.send!(user + system);
  });
}

// ---------------------------------------------------------------- parent: load and report
interface Run {
  /** Requests per wall-clock second. */
  rps: number;
  /** Requests per CPU-second of the server process. */
  perCpuSecond: number;
}

async function serverCpuMicros(child: ChildProcess): Promise<number> {
  child.send('cpu');
  const [micros] = (await once(child, 'message')) as [number];
  return micros;
}

async function run(child: ChildProcess, url: string, token: string, seconds: number, connections: number): Promise<Run> {
  const before = await serverCpuMicros(child);
  const result = await autocannon({ url, connections, duration: seconds, headers: { authorization: `Bearer ${token}` } });
  const cpuSeconds = ((await serverCpuMicros(child)) - before) / 1e6;
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return { rps: result.requests.average, perCpuSecond: result.requests.total / cpuSeconds };
}

async function main(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 4);
  const sts = await startStsLocal({ principals: [principal] });
  const { token } = await mintToken({ audience: AUDIENCE, region: 'us-east-1', credentials: principal });
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--serve', sts.url], { execArgv: ['--import', 'tsx'] });
  try {
    const [ports] = (await once(child, 'message')) as [Ports];
    const url = (key: keyof Ports) => `http://127.0.0.1:${ports[key]}/`;
    for (const fw of FRAMEWORKS) {
      // Warm-up: fills the verified-token cache, JITs both paths.
      await run(child, url(`${fw}:open`), token, 2, connections);
      await run(child, url(`${fw}:protected`), token, 2, connections);
    }
    const stsCalls = sts.stats().actions.GetCallerIdentity?.requests ?? 0;
    console.log(`autocannon: ${connections} connections, ${seconds} s per run, ${rounds * 2} runs per side (A B B A …);`);
    console.log(`load average at start ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs (a shared machine)`);
    console.log('| framework | unprotected req/s | protected req/s | ratio (wall clock) | ratio (per server CPU-second) |');
    console.log('|---|---:|---:|---:|---:|');
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    for (const fw of FRAMEWORKS) {
      const open: Run[] = [];
      const secured: Run[] = [];
      for (let round = 0; round < rounds; round++) {
        open.push(await run(child, url(`${fw}:open`), token, seconds, connections));
        secured.push(await run(child, url(`${fw}:protected`), token, seconds, connections));
        secured.push(await run(child, url(`${fw}:protected`), token, seconds, connections));
        open.push(await run(child, url(`${fw}:open`), token, seconds, connections));
      }
      const [o, p] = [mean(open.map((r) => r.rps)), mean(secured.map((r) => r.rps))];
      const [oc, pc] = [mean(open.map((r) => r.perCpuSecond)), mean(secured.map((r) => r.perCpuSecond))];
      console.log(`| ${fw} | ${Math.round(o)} | ${Math.round(p)} | ${(p / o).toFixed(2)} | ${(pc / oc).toFixed(2)} |`);
    }
    const extra = (sts.stats().actions.GetCallerIdentity?.requests ?? 0) - stsCalls;
    console.log(`STS calls while measuring: ${extra}; load average at end ${loadavg()[0]!.toFixed(1)}`);
  } finally {
    child.kill();
    await sts.close();
  }
}

if (process.argv[2] === '--serve') await serve(process.argv[3]!);
else await main();
