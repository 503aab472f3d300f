import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The README's examples are files under test/ that it quotes verbatim; this suite checks the quotes
// match and runs the files.
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');

describe('README examples', () => {
  const quoted = [...readme.matchAll(/<!-- file: (\S+) -->\n```ts\n([\s\S]*?)\n```/g)].map((m) => [m[1]!, m[2]!] as const);

  it('quotes three example files', () => {
    expect(quoted.map(([file]) => file)).toEqual([
      'test/vitest-global-setup/sts-local.global-setup.ts',
      'test/vitest-global-setup/whoami.spec.ts',
      'test/readme-examples/api-tour.ts',
    ]);
  });

  it.each(quoted)('%s is quoted verbatim', (file, text) => {
    expect(text).toBe(readFileSync(join(packageDir, file), 'utf8').trimEnd());
  });

  it('the API tour runs', async () => {
    const { stats } = await import('./readme-examples/api-tour.js');
    expect(stats).toEqual({ actions: {}, totals: { requests: 0, accepted: 0, rejected: 0 } });
  });

  it('the vitest globalSetup example passes under vitest', async () => {
    const vitestBin = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
    const config = join(packageDir, 'test/vitest-global-setup/vitest.config.ts');
    // A clean environment: the outer vitest's worker variables must not leak into the inner run.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_OPTIONS' && k !== 'TEST'));
    const result = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(process.execPath, [vitestBin, 'run', '--config', config], { cwd: dirname(config), env, timeout: 120_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, out: `${stdout}${stderr}` });
      });
    });
    expect(result.out).toMatch(/1 passed/);
    expect(result.code).toBe(0);
  }, 130_000);
});
