/**
 * Runs the demo exactly as `pnpm demo` does after its build (the package's `demo` script, as a child
 * process resolving @callerid/* to their built dist/), and checks it printed six passing steps, exited 0
 * on its own (so it left no server, socket or timer behind) and printed no token.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXPECTED_STEPS } from './expected-steps.js';

const DEMO_DIR = fileURLToPath(new URL('..', import.meta.url));
const PACKAGES = fileURLToPath(new URL('../../../packages/', import.meta.url));

describe('pnpm demo', () => {
  it('prints the six steps, all passing, and exits 0 by itself', async () => {
    for (const pkg of ['core', 'client', 'express', 'sts-local']) {
      if (!existsSync(`${PACKAGES}${pkg}/dist/index.js`)) throw new Error(`packages/${pkg}/dist is missing: run \`pnpm build\` first (\`pnpm test\` and \`pnpm demo\` do)`);
    }
    const script = (JSON.parse(readFileSync(`${DEMO_DIR}package.json`, 'utf8')) as { scripts: { demo: string } }).scripts.demo;
    const [command, ...args] = script.split(' ');
    expect(command).toBe('node');
    const child = spawn(process.execPath, args, { cwd: DEMO_DIR, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    // No kill: the demo must end by itself, which it only does when nothing is left running.
    const [code, signal] = (await once(child, 'close')) as [number | null, string | null];

    expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: '' });
    const steps = stdout.split('\n').filter((line) => /^[✔✘] \d\. /.test(line));
    expect(steps).toEqual(EXPECTED_STEPS);
    expect(stdout).toContain('WWW-Authenticate: Bearer realm="callerid"\n');
    expect(stdout).toContain('caller: arn:aws:iam::111122223333:user/alice');
    expect(stdout).toContain('canonical ARN: arn:aws:iam::111122223333:role/payments-admin   session name: demo-session');
    expect(stdout).toMatch(/1,000 × 200 .*GetCallerIdentity calls: 1\n/);
    expect(stdout).toContain('All 6 steps behaved as described.');
    expect(stdout).not.toMatch(/k8s-aws-v1\.|X-Amz-Signature|IQoJb3JpZ2lu/);
  }, 60_000);
});
