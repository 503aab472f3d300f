/**
 * Start-up benchmark of `callerid token` and `callerid eks get-token` (what kubectl runs before every
 * command), measured in one run against `aws eks get-token` (when `aws` is installed) and bare
 * `node -e 0`. Static credentials in the environment, no region set anywhere (the default applies, with
 * no network request), token cache off, stdout read through a pipe as kubectl does.
 * Run: `pnpm --filter @callerid/cli bench` (builds first).
 *
 * Wall time of a whole process per iteration. The commands run round-robin — one run of each, then the
 * next round, each round starting one command later — so drift on a shared machine (other work starting or stopping) lands on all of them
 * alike instead of on whichever ran during it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/callerid.cjs', import.meta.url));
if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`pnpm --filter @callerid/cli build\` first.`);

// Fake static keys: nothing is sent anywhere (both tools sign offline). No AWS_REGION: the region
// comes from the (absent) config file, then the default — the path a kubeconfig without --region takes.
// The instance metadata service is left enabled: callerid must not ask it. HOME is empty but for the
// code cache callerid writes on its first run (a warm-up run): what every later kubectl command uses.
const home = mkdtempSync(join(tmpdir(), 'callerid-bench-home-'));
const env = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: home,
  AWS_ACCESS_KEY_ID: 'AKIAXCALLERIDALICE01',
  AWS_SECRET_ACCESS_KEY: 'alice/secret/Key+0123456789abcdefghijklmn',
};

interface Task {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
}

const NODE = 'node -e 0';
const CALLERID = 'callerid token --format token';
const EKS = 'callerid eks get-token';
const COLD = 'callerid token, no code cache';
const AWS = 'aws eks get-token';
const tokenArgs = [cli, 'token', '--cluster-name', 'payments-api', '--format', 'token'];
const tasks: Task[] = [
  { name: NODE, command: process.execPath, args: ['-e', '0'] },
  { name: CALLERID, command: process.execPath, args: tokenArgs },
  { name: EKS, command: process.execPath, args: [cli, 'eks', 'get-token', '--cluster-name', 'payments-api', '--output', 'json'] },
  // What the first run after an install or a Node upgrade costs (it then writes the cache).
  { name: COLD, command: process.execPath, args: tokenArgs, env: { CALLERID_CODE_CACHE: 'off' } },
];
if (spawnSync('aws', ['--version'], { env, stdio: 'ignore' }).status === 0) {
  tasks.push({ name: AWS, command: 'aws', args: ['eks', 'get-token', '--cluster-name', 'payments-api', '--output', 'json'] });
} else {
  console.log('aws is not installed: skipping `aws eks get-token`');
}

// stdout is a pipe, as under kubectl (a process writing to a pipe pays for it; /dev/null is cheaper).
function timeRun({ command, args, env: extra }: Task): number {
  const start = performance.now();
  const result = spawnSync(command, args, { env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
  const elapsed = performance.now() - start;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${String(result.stderr)}`);
  return elapsed;
}

function quantile(sorted: number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  return sorted[low]! + (sorted[Math.ceil(at)]! - sorted[low]!) * (at - low);
}

const iterations = Number(process.env.BENCH_ITERATIONS ?? 20);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const warmups = 3;
const load = () => loadavg().map((n) => n.toFixed(2)).join(' ');
const ms = (n: number) => `${n.toFixed(1)} ms`;

// Several rounds, each a full round-robin measurement, show how much a shared machine moves the ratios.
for (let round = 1; round <= rounds; round++) {
  const samples = new Map<string, number[]>(tasks.map((task) => [task.name, []]));
  const loadBefore = load();
  for (let i = 0; i < warmups + iterations; i++) {
    // The order rotates each run, so every command follows every other (`aws` leaves the machine
    // slower for whatever runs right after it) as often as the rest do.
    for (const task of [...tasks.slice(i % tasks.length), ...tasks.slice(0, i % tasks.length)]) {
      const elapsed = timeRun(task);
      if (i >= warmups) samples.get(task.name)!.push(elapsed);
    }
  }
  console.log(`\nround ${round} of ${rounds}: ${iterations} runs of each, round-robin; Node ${process.version}, ${process.platform}/${process.arch}, ${availableParallelism()} CPUs, load average ${loadBefore} before and ${load()} after`);
  const median = new Map<string, number>();
  console.table(
    tasks.map(({ name }) => {
      const sorted = samples.get(name)!.sort((a, b) => a - b);
      median.set(name, quantile(sorted, 0.5));
      return { command: name, p25: ms(quantile(sorted, 0.25)), median: ms(quantile(sorted, 0.5)), p75: ms(quantile(sorted, 0.75)), min: ms(sorted[0]!), max: ms(sorted.at(-1)!) };
    }),
  );
  const node = median.get(NODE)!;
  const ours = median.get(CALLERID)!;
  console.log(`ratio to ${NODE} (medians): token ${(ours / node).toFixed(2)}x, eks get-token ${(median.get(EKS)! / node).toFixed(2)}x (target <= 1.25x); token without code cache ${(median.get(COLD)! / node).toFixed(2)}x`);
  const aws = median.get(AWS);
  if (aws !== undefined) console.log(`ratio to ${AWS}: ${(ours / aws).toFixed(2)}x (target <= 0.25x)`);
}
