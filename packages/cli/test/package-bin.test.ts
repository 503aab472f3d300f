/**
 * The `callerid` bin must exist before the build: `pnpm install` of a fresh clone links it into every
 * workspace package that depends on the CLI, and warns "Failed to create bin" when the target is
 * missing. Published, it points at the built file directly.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  bin: Record<string, string>;
  files: string[];
  publishConfig: { bin?: Record<string, string> };
};

describe('package bin', () => {
  it('points at a source file (not a build output), inside the published files', () => {
    for (const target of Object.values(pkg.bin)) {
      const path = target.replace(/^\.\//, '');
      expect(path.startsWith('dist/')).toBe(false);
      expect(existsSync(join(packageDir, path))).toBe(true);
      expect(pkg.files.some((f) => path.startsWith(`${f}/`))).toBe(true);
    }
  });

  it('is published pointing at the built CLI, so start-up pays no launcher', () => {
    expect(pkg.publishConfig.bin).toEqual({ callerid: './dist/callerid.cjs' });
  });
});
