/**
 * Runs a README's TypeScript examples as they are written: the blocks under a marker comment are
 * extracted verbatim, written to a temporary module and imported; what they `console.log` is returned.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, vi } from 'vitest';

/** The ```ts blocks that follow `<!-- <marker> … -->` comments in the README at `readmeUrl`. */
export function readmeBlocks(readmeUrl: URL, marker: string): string[] {
  const readme = readFileSync(readmeUrl, 'utf8');
  const pattern = new RegExp(`<!-- ${marker}[^>]*-->\\n\`\`\`ts\\n([\\s\\S]*?)\\n\`\`\``, 'g');
  return [...readme.matchAll(pattern)].map((m) => m[1]!);
}

/**
 * A runner for blocks, with its temporary folder removed after the file's tests (call it at module
 * level). `run(name, code)` imports `code` as a module and returns its console.log lines (strings as
 * they are, other values as JSON).
 */
export function blockRunner(prefix: string): (name: string, code: string) => Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterEach(() => {
    vi.restoreAllMocks();
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return async (name, code) => {
    const file = join(dir, `${name}.ts`);
    writeFileSync(file, code);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    await import(/* @vite-ignore */ pathToFileURL(file).href);
    return log.mock.calls.map((args) => args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
  };
}
