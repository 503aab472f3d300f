/** The README's authorization example is code that runs: the block marked `policy-example` is extracted verbatim and executed. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'callerid-policy-readme-'));

afterAll(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

describe('README: authorization and mapping', () => {
  it('runs the example and prints what it says', async () => {
    const blocks = [...README.matchAll(/<!-- policy-example[^>]*-->\n```ts\n([\s\S]*?)\n```/g)].map((m) => m[1]!);
    expect(blocks).toHaveLength(1);
    const file = join(dir, 'policy-example.ts');
    writeFileSync(file, blocks[0]!);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    await import(/* @vite-ignore */ pathToFileURL(file).href);
    const printed = log.mock.calls.map((args) => args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    expect(printed).toEqual(['arn:aws:iam::123456789012:role/deployer deploy:ci-example.com ["deployers"]', '401 Bearer realm="callerid"']);
    // The comments in the block say the same.
    expect(blocks[0]).toContain("// → arn:aws:iam::123456789012:role/deployer deploy:ci-example.com [ 'deployers' ]");
  });

  it('documents the role-path rule that the policy tests check', () => {
    expect(README).toMatch(/matchRoleByName: true`, a role pattern whose name is literal matches/);
    expect(README).toContain('aws-iam-authenticator#268');
  });
});
