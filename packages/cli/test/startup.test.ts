/**
 * What keeps `callerid token` and `callerid eks get-token` fast to start (their speed itself is
 * measured by `pnpm bench`, never here): signing a token loads no `node:crypto` (nor the streams it
 * brings), and runs nothing hot enough for V8 to start an optimising compile — which the process would
 * wait for at exit (src/token/sha256.ts).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, baseEnv, collect, ensureBuilt } from './helpers/cli.js';
import { envFor } from './helpers/fixtures.js';

beforeAll(ensureBuilt);

// Prints, at exit, the built-in modules loaded after start-up, one per line on stderr.
const listModules = join(mkdtempSync(join(tmpdir(), 'callerid-startup-')), 'list-modules.cjs');
writeFileSync(listModules, "const before = new Set(process.moduleLoadList);\nprocess.on('exit', () => require('node:fs').writeSync(2, process.moduleLoadList.filter((m) => !before.has(m)).join('\\n') + '\\n'));\n");

async function run(nodeArgs: string[], args: string[]) {
  const child = spawn(process.execPath, [...nodeArgs, CLI, ...args], { env: { ...baseEnv(), ...envFor('alice') }, stdio: ['ignore', 'pipe', 'pipe'] });
  const result = await collect(child);
  expect(result.code).toBe(0);
  expect(result.stdout).toContain('k8s-aws-v1.');
  return result;
}

const COMMANDS = {
  'callerid token': ['token', '--cluster-name', 'payments-api', '--format', 'token'],
  'callerid eks get-token': ['eks', 'get-token', '--cluster-name', 'payments-api', '--output', 'json'],
};

describe.each(Object.entries(COMMANDS))('%s', (_, args) => {
  it('loads no node:crypto and no streams', async () => {
    const { stderr } = await run(['--require', listModules], args);
    const loaded = stderr.trim().split('\n');
    expect(loaded.filter((m) => /\bcrypto\b|streams?\b/.test(m))).toEqual([]);
  });

  it('starts no optimising compile', async () => {
    const { stdout } = await run(['--trace-opt'], args);
    expect(stdout.split('\n').filter((line) => line.includes('for optimization'))).toEqual([]);
  });
});
