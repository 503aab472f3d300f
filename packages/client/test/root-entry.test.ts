import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const hook = join(packageDir, 'test/fixtures/optional-peers-hook.mjs');

/** Every bare specifier imported (statically or dynamically, types included) by `entry` and the local files it reaches. */
function bareImports(entry: string): Set<string> {
  const found = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)) {
      const specifier = match[1]!;
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else found.add(specifier);
    }
  };
  visit(entry);
  return found;
}

describe('optional peers', () => {
  it('the root entry reaches neither undici nor axios in its sources', () => {
    const imports = bareImports(join(packageDir, 'src/index.ts'));
    expect(imports.has('@callerid/core')).toBe(true);
    expect([...imports].filter((s) => /^(undici|axios)(\/|$)/.test(s))).toEqual([]);
  });

  it('the root entry loads and works when undici and axios cannot be resolved', async () => {
    const script = `
      const client = await import(${JSON.stringify(join(packageDir, 'src/index.ts'))});
      const api = client.withCallerId(fetch, { audience: 'a', credentials: { accessKeyId: 'AKIAROOTENTRYTEST001', secretAccessKey: 's' } });
      const token = await client.createTokenProvider({ audience: 'a', credentials: { accessKeyId: 'AKIAROOTENTRYTEST001', secretAccessKey: 's' } }).getToken();
      let undiciRefused = false;
      try { await import(${JSON.stringify(join(packageDir, 'src/undici.ts'))}); await import(${JSON.stringify(join(packageDir, 'test/fixtures/imports-undici.ts'))}); } catch (err) { undiciRefused = err.code === 'ERR_MODULE_NOT_FOUND'; }
      console.log(JSON.stringify({ exports: Object.keys(client).sort(), wrapped: typeof api, minted: token.startsWith('k8s-aws-v1.'), undiciRefused }));
    `;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--import', hook, '--input-type=module', '-e', script], { cwd: packageDir });
    expect(JSON.parse(stdout)).toEqual({
      exports: ['createTokenProvider', 'createTokenProviders', 'isInvalidTokenChallenge', 'withCallerId'],
      wrapped: 'function',
      minted: true,
      undiciRefused: true,
    });
  });

  it.skipIf(!existsSync(join(packageDir, 'dist/index.js')))('the built root entry (ESM and CJS) neither imports nor requires undici or axios', () => {
    for (const file of ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts']) {
      const text = readFileSync(join(packageDir, file), 'utf8');
      expect(text, file).not.toMatch(/(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"](?:undici|axios)(?:\/[^'"]*)?['"]/);
    }
  });
});
