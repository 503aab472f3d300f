/**
 * Runs `src/main.cjs` with plain `node` (no loader, no TypeScript): every @callerid package must load
 * through require() from its built dist/*.cjs and one call must verify. This is the only example test
 * that needs the build; `pnpm test` builds everything before vitest runs.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DIR = fileURLToPath(new URL('..', import.meta.url));
const PACKAGES = fileURLToPath(new URL('../../../packages/', import.meta.url));
const BUILT = ['core/dist/index.cjs', 'mint/dist/index.cjs', 'sts-local/dist/index.cjs', 'express/dist/index.cjs', 'fastify/dist/index.cjs', 'koa/dist/index.cjs',
  'client/dist/index.cjs', 'client/dist/undici.cjs', 'client/dist/axios.cjs', 'cli/dist/callerid.cjs', 'redis/dist/index.cjs'];

describe('cjs-consumer', () => {
  it('finds every CommonJS build', () => {
    const missing = BUILT.filter((file) => !existsSync(PACKAGES + file));
    expect(missing, 'missing builds: run `pnpm build` first (`pnpm test` does)').toEqual([]);
  });

  it('require()s every package and makes a verified call on this Node', async () => {
    const child = spawn(process.execPath, ['src/main.cjs'], { cwd: DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const [code] = (await once(child, 'close')) as [number | null];
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    for (const name of ['core', 'mint', 'sts-local', 'express', 'fastify', 'koa', 'client', 'client/undici', 'client/axios', 'redis']) {
      expect(stdout).toMatch(new RegExp(`require\\('@callerid/${name}'\\) → .*dist/[a-z]+\\.cjs\\n`));
    }
    expect(stdout).toMatch(/callerid --version → \d+\.\d+\.\d+/);
    expect(stdout).toContain('verified call → 200 arn:aws:iam::111122223333:user/alice');
    expect(stdout).toContain('withCallerId call → 200 arn:aws:iam::111122223333:user/alice');
  }, 60_000);
});
