/**
 * `pnpm bench` cannot rot: run it with `--smoke` (tiny counts, a few hundred ms per autocannon leg) as a
 * child process against the built packages, and check that it measures every group, prints the table
 * and writes its results. No figure is asserted — speed is not a test's business (CONTRIBUTING) —
 * only the single-flight invariant, which is correctness.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Results } from '../src/table.js';

const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
const GROUPS = ['mint', 'verify', 'middleware', 'client', 'jwt', 'shared-cache', 'serve', 'sts-local', 'footprint'];

const dir = mkdtempSync(join(tmpdir(), 'callerid-bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bench(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/run.ts', ...args], { cwd: BENCH_DIR, timeout: 120_000, maxBuffer: 8 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('pnpm bench --smoke', () => {
  it('measures every group, prints one table and writes the results JSON', { timeout: 150_000 }, async () => {
    const out = join(dir, 'smoke.json');
    const { code, stdout, stderr } = await bench(['--smoke', '--out', out]);
    expect(code, stderr).toBe(0);

    const header = stdout.split('\n').find((line) => line.startsWith('| group'));
    expect(header).toMatch(/\| group +\| metric +\| +value \| baseline +\| +ratio \| target +\| result +\| note +\|/);
    for (const group of GROUPS) expect(stdout).toMatch(new RegExp(`^\\| ${group} +\\|`, 'm'));
    expect(stdout).toContain(`written to ${out}`);

    const results = JSON.parse(readFileSync(out, 'utf8')) as Results;
    expect(results.profile).toBe('smoke');
    expect(results.node).toBe(process.version);
    expect(results.cpus).toBeGreaterThan(0);
    expect(Number.isNaN(Date.parse(results.date))).toBe(false);
    for (const group of GROUPS) expect(results.rows.some((r) => r.group === group && r.value !== null)).toBe(true);
    expect(results.rows.filter((r) => r.metric === 'measurement failed')).toEqual([]);
    // Every figure with a baseline carries its ratio; every target has a verdict.
    for (const r of results.rows.filter((r) => r.value !== null)) {
      if (r.baseline) expect(r.ratio).toBeTypeOf('number');
      if (r.target) expect(r.pass).toBeTypeOf('boolean');
    }
    const invariants = results.rows.filter((r) => r.invariant);
    expect(invariants.length).toBeGreaterThanOrEqual(1);
    for (const r of invariants) expect(r.value, r.metric).toBe(1);
  });

  it('runs only the groups named by --only and rejects unknown ones', { timeout: 60_000 }, async () => {
    const out = join(dir, 'only.json');
    const only = await bench(['--smoke', '--only', 'sts-local', '--out', out]);
    expect(only.code, only.stderr).toBe(0);
    const results = JSON.parse(readFileSync(out, 'utf8')) as Results;
    expect(new Set(results.rows.map((r) => r.group))).toEqual(new Set(['sts-local']));

    const unknown = await bench(['--smoke', '--only', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown group: nope');
  });
});
