/**
 * footprint: what a server pays for adding callerid before it verifies anything.
 *
 * - Cold import: fresh Node processes, one per import, round-robin between `express` alone and
 *   `express` + `@callerid/express` (CJS `require`, then ESM `import()`); each child times its own
 *   imports with `performance.now()` (Node's start-up, the same for both, is left out) and the
 *   medians are compared.
 * - Install size: `npm install` into two empty projects — express alone, and express with the packed
 *   `@callerid/express` and `@callerid/core` tarballs (`pnpm pack`, as they would be published) — and
 *   the bytes of every file under `node_modules` compared; plus the `@aws-sdk/*` packages installed.
 *   Skipped in `--smoke` (it needs the npm registry).
 */
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Group, GroupContext } from './group.js';

const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
const PACKAGES = fileURLToPath(new URL('../../packages/', import.meta.url));
const MB = 1_000_000;

// Each child prints how long its imports took, and (CJS) how many modules they loaded.
const CHILDREN = {
  'cjs express': ['-e', `const t=performance.now();require('express');process.stdout.write(JSON.stringify({ms:performance.now()-t,modules:Object.keys(require.cache).length}))`],
  'cjs express + @callerid/express': [
    '-e',
    `const t=performance.now();require('express');require('@callerid/express');const m=Object.keys(require.cache);` +
      `process.stdout.write(JSON.stringify({ms:performance.now()-t,modules:m.length,lazy:m.filter((p)=>/node_modules[\\/](undici|jose)[\\/]/.test(p)).length}))`,
  ],
  'esm express': ['--input-type=module', '-e', `const t=performance.now();await import('express');process.stdout.write(JSON.stringify({ms:performance.now()-t}))`],
  'esm express + @callerid/express': ['--input-type=module', '-e', `const t=performance.now();await import('express');await import('@callerid/express');process.stdout.write(JSON.stringify({ms:performance.now()-t}))`],
} as const;
type Child = keyof typeof CHILDREN;

interface Sample {
  ms: number;
  modules?: number;
  /** Modules of undici or jose among them: what only a cache miss needs, so none. */
  lazy?: number;
}

function spawnChild(name: Child): Sample {
  const result = spawnSync(process.execPath, CHILDREN[name], { cwd: BENCH_DIR, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  if (result.status !== 0) throw new Error(`${name} exited ${result.status ?? result.signal}: ${result.stderr.slice(0, 300)}`);
  return JSON.parse(result.stdout) as Sample;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function coldImport(ctx: GroupContext): Promise<void> {
  const rounds = ctx.profile.name === 'smoke' ? 2 : 30;
  ctx.progress(`cold import: ${rounds} rounds of 4 fresh processes, round-robin`);
  const names = Object.keys(CHILDREN) as Child[];
  const samples = new Map<Child, Sample[]>(names.map((n) => [n, []]));
  for (let round = 0; round < rounds; round++) {
    // Each round starts with a different child, so none is always first after a pause.
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length]!;
      samples.get(name)!.push(spawnChild(name));
    }
  }
  for (const kind of ['cjs', 'esm'] as const) {
    const base = samples.get(`${kind} express`)!;
    const ours = samples.get(`${kind} express + @callerid/express`)!;
    const extra = kind === 'cjs' ? `, +${ours[0]!.modules! - base[0]!.modules!} modules` : '';
    ctx.report({
      metric: `cold import, ${kind.toUpperCase()}: express + @callerid/express (p50)`,
      value: median(ours.map((s) => s.ms)),
      unit: 'ms',
      baseline: { name: 'express alone', value: median(base.map((s) => s.ms)) },
      target: { on: 'ratio', op: '<=', threshold: 1.3 },
      note: `n=${rounds} each, fresh processes, round-robin${extra}`,
    });
  }
  const ours = samples.get('cjs express + @callerid/express')!;
  ctx.report({
    metric: 'cold import, CJS: undici and jose modules loaded',
    value: Math.max(...ours.map((s) => s.lazy!)),
    unit: '',
    target: { on: 'value', op: '==', threshold: 0 },
    note: 'they load with the first cache miss',
  });
}

function run(command: string, args: readonly string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 300_000 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status ?? result.signal}: ${(result.stderr || result.stdout).slice(0, 300)}`);
  return result.stdout;
}

/** Bytes of every file under `dir` (symlinks counted as links, never followed). */
function bytesUnder(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? bytesUnder(path) : lstatSync(path).size;
  }
  return total;
}

/** The names of the installed packages under a scope (e.g. `@aws-sdk`), at any depth. */
function scopePackages(nodeModules: string, scope: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const path = join(dir, entry.name);
      if (entry.name === scope) found.push(...readdirSync(path).map((name) => `${scope}/${name}`));
      if (entry.name === 'node_modules' || entry.name.startsWith('@') || dir.endsWith('node_modules')) walk(path);
    }
  };
  walk(nodeModules);
  return [...new Set(found)].sort();
}

function npmInstall(dir: string, specs: readonly string[]): string {
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), '{ "name": "footprint", "private": true }\n');
  run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', '--loglevel=error', ...specs], dir);
  return join(dir, 'node_modules');
}

async function installSize(ctx: GroupContext): Promise<void> {
  const express = (createRequire(join(BENCH_DIR, 'package.json'))('express/package.json') as { version: string }).version;
  const work = mkdtempSync(join(tmpdir(), 'callerid-footprint-'));
  try {
    ctx.progress('pnpm pack @callerid/core and @callerid/express');
    for (const name of ['core', 'express']) run('pnpm', ['pack', '--pack-destination', work], join(PACKAGES, name));
    const tarballs = readdirSync(work).filter((f) => f.endsWith('.tgz')).map((f) => join(work, f));
    ctx.progress(`npm install express@${express}, alone and with the packed tarballs`);
    const baseModules = npmInstall(join(work, 'alone'), [`express@${express}`]);
    const ourModules = npmInstall(join(work, 'with-callerid'), [`express@${express}`, ...tarballs]);
    const base = bytesUnder(baseModules);
    const ours = bytesUnder(ourModules);
    ctx.report({
      metric: 'npm install: @callerid/express + express, added over express alone',
      value: (ours - base) / MB,
      unit: 'MB',
      target: { on: 'value', op: '<=', threshold: 6 },
      note: `express@${express} alone ${(base / MB).toFixed(2)} MB, with callerid ${(ours / MB).toFixed(2)} MB (bytes of files)`,
    });
    const aws = scopePackages(ourModules, '@aws-sdk');
    const smithy = scopePackages(ourModules, '@smithy');
    ctx.report({
      metric: 'npm install: @callerid/express + express, @aws-sdk packages',
      value: aws.length,
      unit: '',
      target: { on: 'value', op: '==', threshold: 0 },
      note: aws.length > 0 ? aws.join(' ').slice(0, 120) : `@smithy packages: ${smithy.length}`,
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export const footprint: Group = {
  async run(ctx) {
    await coldImport(ctx);
    if (ctx.profile.name === 'smoke') {
      ctx.report({ metric: 'npm install: @callerid/express + express, added over express alone', value: null, unit: 'MB', note: 'skipped in --smoke (needs the npm registry)' });
      return;
    }
    await installSize(ctx);
  },
};
