/**
 * `pnpm --filter @callerid/core bench`: the hot paths of @callerid/core, measured with tinybench.
 *
 * Each task iteration runs a batch of operations, so the figure is the library's cost rather than
 * tinybench's per-iteration overhead. Targets (issue 2): cached verify() ≥ 300k ops/s, parseToken()
 * ≥ 100k ops/s, mintToken() with static credentials ≥ 20k ops/s.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startStsLocal } from '@callerid/sts-local';
import { Bench } from 'tinybench';
import { createVerifier, mintToken, parseToken } from '../src/index.js';

interface Principal {
  name: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string | null;
}

const FIXTURES = fileURLToPath(new URL('../../../fixtures/aws-cli-tokens.json', import.meta.url));
const { principals } = JSON.parse(readFileSync(FIXTURES, 'utf8')) as { principals: Principal[] };
const credentialsOf = (name: string) => {
  const p = principals.find((q) => q.name === name)!;
  return { accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey, ...(p.sessionToken ? { sessionToken: p.sessionToken } : {}) };
};

const BATCH = 1_000;
const loadBefore = loadavg().map((l) => l.toFixed(2)).join(' ');
const TARGETS: Record<string, number> = {
  'verify() cached (session token)': 300_000,
  'parseToken() (session token)': 100_000,
  'parseToken() (IAM user)': 100_000,
  'mintToken() static credentials': 20_000,
};

const signingDate = new Date();
const now = signingDate.getTime() + 1_000;
const sts = await startStsLocal({ principals: FIXTURES, clock: () => now });
const verifier = createVerifier({ audience: 'bench', stsEndpoint: sts.url, clock: () => now });
const alice = credentialsOf('alice');
const deployer = credentialsOf('deployer-session');
const { token: userToken } = await mintToken({ audience: 'bench', region: 'us-west-2', credentials: alice, signingDate });
const { token: sessionToken } = await mintToken({ audience: 'bench', region: 'us-west-2', credentials: deployer, signingDate });
await verifier.verify(sessionToken); // prime the cache: one STS call

// Besides wall-clock ops/s, count ops per CPU-second of this process: on a machine shared with other
// work the wall figure mostly measures the neighbours, the CPU figure what one core of ours does.
const cpu = new Map<string, { micros: number; batches: number }>();
function measured(name: string, batch: () => unknown): () => Promise<void> {
  const stats = { micros: 0, batches: 0 };
  cpu.set(name, stats);
  return async () => {
    const start = process.cpuUsage();
    await batch();
    const used = process.cpuUsage(start);
    stats.micros += used.user + used.system;
    stats.batches++;
  };
}

const bench = new Bench({ time: Number(process.env.BENCH_TIME_MS ?? 2_000), warmupTime: 500 });
const tasks: Record<string, () => unknown> = {
  'verify() cached (session token)': async () => {
    for (let i = 0; i < BATCH; i++) await verifier.verify(sessionToken);
  },
  'parseToken() (session token)': () => {
    for (let i = 0; i < BATCH; i++) parseToken(sessionToken, { now });
  },
  'parseToken() (IAM user)': () => {
    for (let i = 0; i < BATCH; i++) parseToken(userToken, { now });
  },
  'mintToken() static credentials': async () => {
    for (let i = 0; i < BATCH; i++) await mintToken({ audience: 'bench', region: 'us-west-2', credentials: alice });
  },
};
for (const [name, batch] of Object.entries(tasks)) bench.add(name, measured(name, batch));

await bench.run();
await verifier.close();
await sts.close();

const rows = bench.tasks.map((task) => {
  const result = task.result;
  if (result.state !== 'completed') return { task: task.name, 'ops/s': result.state, met: false };
  const opsPerSecond = Math.round((BATCH * 1_000) / result.latency.mean);
  const used = cpu.get(task.name)!;
  const opsPerCpuSecond = Math.round((used.batches * BATCH * 1e6) / used.micros);
  const target = TARGETS[task.name] ?? 0;
  return {
    task: task.name,
    'ops/s': opsPerSecond.toLocaleString('en-US'),
    '±%': result.latency.rme.toFixed(1),
    'ops/CPU-s': opsPerCpuSecond.toLocaleString('en-US'),
    target: target.toLocaleString('en-US'),
    met: opsPerSecond >= target,
  };
});
console.table(rows);
console.log(`Node ${process.version}, ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} (before: ${loadBefore})`);
if (process.env.BENCH_STRICT === '1' && rows.some((r) => !r.met)) process.exitCode = 1;
