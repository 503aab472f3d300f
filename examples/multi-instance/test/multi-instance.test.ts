/**
 * Runs the example's one command (`start.ts --once`, as the package's `start` script does, against
 * the built packages): a throwaway redis-server, sts-local, three Express instances as processes, and
 * the walk-through, which must end by itself with every request answered 200.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DIR = fileURLToPath(new URL('..', import.meta.url));
const hasRedis = spawnSync('redis-server', ['--version']).status === 0;

async function start(env: Record<string, string> = {}): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/start.ts', '--once'], { cwd: DIR, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code] = (await once(child, 'close')) as [number | null];
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  expect(stdout).not.toMatch(/k8s-aws-v1\.|X-Amz-Signature/);
  return stdout;
}

describe.skipIf(!hasRedis)('examples/multi-instance', () => {
  it('three instances behind one Redis answer one token with one STS call between them', async () => {
    const stdout = await start();
    expect(stdout.match(/^instance http:\/\/127\.0\.0\.1:\d+$/gm)).toHaveLength(3);
    const [, calls] = /^300 requests over 3 instances: 300 × 200, GetCallerIdentity calls: (\d+)$/m.exec(stdout) ?? [];
    // One, unless a cold process missed Redis's 50 ms deadline, which costs its own STS call: never
    // more than one per instance. The exact count is @callerid/redis's multi-process test.
    expect(Number(calls)).toBeGreaterThanOrEqual(1);
    expect(Number(calls)).toBeLessThanOrEqual(3);
  }, 90_000);

  it('with CALLERID_REPLAY=once: fresh tokens all pass, a reused one is refused', async () => {
    const stdout = await start({ CALLERID_REPLAY: 'once' });
    expect(stdout).toMatch(/^300 requests over 3 instances: 300 × 200, GetCallerIdentity calls: 300$/m);
    expect(stdout).toContain('a token used twice: 200, then 401 token_replayed');
  }, 90_000);
});
