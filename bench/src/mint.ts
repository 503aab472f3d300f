/**
 * mint: `mintToken()` with static credentials (in process), and the wall time of a whole
 * `callerid token` process — what kubectl starts before every command — against bare `node -e 0` and,
 * when it is installed, `aws eks get-token`. Static keys in the environment, no cache, output discarded.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { mintToken } from '@callerid/mint';
import { AUDIENCE, CREDENTIALS, REGION } from './fixtures.js';
import type { Group, GroupContext } from './group.js';
import { runTasks, spread } from './measure.js';

const CLI = fileURLToPath(new URL('../../packages/cli/dist/callerid.cjs', import.meta.url));

// Only what both tools need to sign offline: no profile, config file or IMDS lookups on the way.
const ENV = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: process.env.HOME ?? '/tmp',
  ...(process.env.PYENV_ROOT ? { PYENV_ROOT: process.env.PYENV_ROOT } : {}),
  AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
  AWS_REGION: REGION,
  AWS_DEFAULT_REGION: REGION,
  AWS_CONFIG_FILE: '/nonexistent/callerid-bench/config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/callerid-bench/credentials',
  AWS_EC2_METADATA_DISABLED: 'true',
};

function run(command: string, args: readonly string[]): void {
  const result = spawnSync(command, args, { env: ENV, stdio: ['ignore', 'ignore', 'pipe'] });
  if (result.status !== 0) throw new Error(`${command} ${args[0] ?? ''} exited ${result.status ?? result.signal}: ${String(result.stderr).slice(0, 300)}`);
}

function awsInstalled(): boolean {
  return spawnSync('aws', ['--version'], { env: ENV, stdio: 'ignore' }).status === 0;
}

const NODE = 'node -e 0';
const CALLERID = 'callerid token';
const AWS = 'aws eks get-token';

async function mintThroughput(ctx: GroupContext): Promise<void> {
  ctx.progress('mintToken() with static credentials');
  const name = 'mintToken()';
  const figures = await runTasks(ctx.profile, [
    { name, fn: () => mintToken({ audience: AUDIENCE, region: REGION, credentials: CREDENTIALS }), batch: ctx.profile.batch / 10, async: true },
  ]);
  const f = figures.get(name)!;
  ctx.report({ metric: 'mintToken(), static credentials', value: f.opsPerSecond, unit: 'ops/s', target: { on: 'value', op: '>=', threshold: 20_000 }, note: spread(f) });
}

async function startup(ctx: GroupContext): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: \`pnpm bench\` builds it (turbo run build)`);
  const aws = awsInstalled();
  ctx.progress(`process wall time: ${NODE}, ${CALLERID}${aws ? `, ${AWS}` : ''} (interleaved)`);
  const tasks = [
    { name: NODE, fn: () => run(process.execPath, ['-e', '0']) },
    { name: CALLERID, fn: () => run(process.execPath, [CLI, 'token', '--cluster-name', AUDIENCE]) },
  ];
  if (aws) tasks.push({ name: AWS, fn: () => run('aws', ['eks', 'get-token', '--cluster-name', AUDIENCE, '--region', REGION]) });
  // One spawn of each in turn, so a busy moment of the machine hits all of them alike.
  const f = await runTasks(ctx.profile, tasks, { iterations: ctx.profile.spawns, warmupIterations: ctx.profile.name === 'smoke' ? 0 : 1, interleave: true });
  const ours = f.get(CALLERID)!;
  const metric = 'callerid token, process wall time (p50)';
  const note = `n=${ours.samples} each, interleaved`;
  ctx.report({ metric, value: ours.p50Ms, unit: 'ms', baseline: { name: NODE, value: f.get(NODE)!.p50Ms }, target: { on: 'ratio', op: '<=', threshold: 1.6 }, note });
  if (aws) {
    ctx.report({ metric, value: ours.p50Ms, unit: 'ms', baseline: { name: AWS, value: f.get(AWS)!.p50Ms }, target: { on: 'ratio', op: '<=', threshold: 0.25 }, note });
  } else {
    ctx.report({ metric: `callerid token vs ${AWS}`, value: null, unit: 'ms', note: 'aws is not installed' });
  }
}

export const mint: Group = {
  async run(ctx) {
    await mintThroughput(ctx);
    await startup(ctx);
  },
};
