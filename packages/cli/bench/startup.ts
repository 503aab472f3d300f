/**
 * Start-up benchmark of `callerid token` and `callerid eks get-token` (what kubectl runs before every
 * command), measured in one run against `aws eks get-token` (when `aws` is installed) and bare
 * `node -e 0`. Static credentials in the environment, no region set anywhere (the default applies, with
 * no network request), cache off, stdout read through a pipe as kubectl does.
 * Run: `pnpm --filter @callerid/cli bench` (builds first).
 *
 * Wall time of a whole process per iteration; tinybench computes the statistics.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';

const cli = fileURLToPath(new URL('../dist/callerid.cjs', import.meta.url));
if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`pnpm --filter @callerid/cli build\` first.`);

// Fake static keys: nothing is sent anywhere (both tools sign offline). No AWS_REGION: the region
// comes from the (absent) config file, then the default — the path a kubeconfig without --region takes.
// The instance metadata service is left enabled: callerid must not ask it.
const home = mkdtempSync(join(tmpdir(), 'callerid-bench-home-'));
const env = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: home,
  AWS_ACCESS_KEY_ID: 'AKIAXCALLERIDALICE01',
  AWS_SECRET_ACCESS_KEY: 'alice/secret/Key+0123456789abcdefghijklmn',
};

// stdout is a pipe, as under kubectl (a process writing to a pipe pays for it; /dev/null is cheaper).
function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${String(result.stderr)}`);
}

function hasAws(): boolean {
  return spawnSync('aws', ['--version'], { env, stdio: 'ignore' }).status === 0;
}

const NODE = 'node -e 0';
const CALLERID = 'callerid token --format token';
const EKS = 'callerid eks get-token';
const AWS = 'aws eks get-token';
const aws = hasAws();
if (!aws) console.log('aws is not installed: skipping `aws eks get-token`');

const iterations = Number(process.env.BENCH_ITERATIONS ?? 20);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const load = () => loadavg().map((n) => n.toFixed(2)).join(' ');

// Tasks run one after another, so other work on a shared machine can land on one task more than the
// others. Several short rounds, each measuring all three, show how much that moves the ratios.
for (let round = 1; round <= rounds; round++) {
  const bench = new Bench({ name: `kubectl exec plugin start-up, round ${round}`, time: 0, iterations, warmupIterations: 3 });
  bench.add(NODE, () => run(process.execPath, ['-e', '0']));
  bench.add(CALLERID, () => run(process.execPath, [cli, 'token', '--cluster-name', 'payments-api', '--format', 'token']));
  bench.add(EKS, () => run(process.execPath, [cli, 'eks', 'get-token', '--cluster-name', 'payments-api', '--output', 'json']));
  if (aws) bench.add(AWS, () => run('aws', ['eks', 'get-token', '--cluster-name', 'payments-api', '--output', 'json']));

  const loadBefore = load();
  await bench.run();
  console.log(`\nround ${round} of ${rounds}: Node ${process.version}, ${process.platform}/${process.arch}, ${availableParallelism()} CPUs, load average ${loadBefore} before and ${load()} after`);
  console.table(bench.table());

  const median = (name: string): number => {
    const result = bench.getTask(name)?.result;
    if (!result || !('latency' in result)) throw new Error(`${name} did not complete`);
    return result.latency.p50;
  };
  const ours = median(CALLERID);
  const eks = median(EKS);
  console.log(`median wall time: ${CALLERID} ${ours.toFixed(1)} ms; ${EKS} ${eks.toFixed(1)} ms; ${NODE} ${median(NODE).toFixed(1)} ms${aws ? `; ${AWS} ${median(AWS).toFixed(1)} ms` : ''}`);
  console.log(`ratio to ${NODE}: token ${(ours / median(NODE)).toFixed(2)}x, eks get-token ${(eks / median(NODE)).toFixed(2)}x (target <= 1.25x)`);
  if (aws) console.log(`ratio to ${AWS}: ${(ours / median(AWS)).toFixed(2)}x (target <= 0.25x)`);
}
