/**
 * Runs the built `dist/callerid.cjs` as a real process. The first test file to need it builds it (under
 * a lock, since vitest runs files in parallel) when it is missing or older than any source it bundles,
 * so `pnpm vitest run --project cli` works on its own; `pnpm test` has built it already.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI_DIR = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(CLI_DIR, 'dist/callerid.cjs');
export { AWS_CLI_FIXTURE_FILE as FIXTURES } from '@callerid/test-harness';
const SOURCES = ['src', 'tsup.config.ts', 'package.json', '../core/src', '../sts-local/src', '../server/src'].map((p) => join(CLI_DIR, p));
const LOCK = join(tmpdir(), `callerid-cli-build-${createHash('sha256').update(CLI_DIR).digest('hex').slice(0, 12)}.lock`);

function newestMtime(path: string): number {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

function isFresh(): boolean {
  const built = statSync(CLI, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  return built > 0 && built >= Math.max(...SOURCES.map(newestMtime));
}

/** Builds dist/callerid.cjs unless it is up to date with everything it bundles. */
export async function ensureBuilt(): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!isFresh()) {
    try {
      mkdirSync(LOCK);
    } catch {
      // Another test file is building; a lock older than two minutes is a crashed build.
      if (Date.now() - (statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? 0) > 120_000) rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error('timed out waiting for another test file to build dist/callerid.cjs');
      await new Promise((resolve) => setTimeout(resolve, 250));
      continue;
    }
    try {
      if (!isFresh()) build();
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  }
}

// Built beside dist and renamed in file by file, so a test already running the CLI never finds it gone.
function build(): void {
  const out = join(CLI_DIR, 'dist', `.build-${process.pid}`);
  try {
    const result = spawnSync('pnpm', ['exec', 'tsup', '--silent', '--out-dir', out], { cwd: CLI_DIR, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`building the CLI failed:\n${result.stdout}\n${result.stderr}`);
    for (const name of readdirSync(out)) renameSync(join(out, name), join(CLI_DIR, 'dist', name));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** What a finished `callerid` run produced. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Extra environment on top of {@link baseEnv}. `undefined` values remove a variable. */
  env?: Record<string, string | undefined>;
  /** Text written to stdin (stdin is closed either way). */
  input?: string;
  cwd?: string;
}

const emptyHome = mkdtempSync(join(tmpdir(), 'callerid-cli-home-'));

/**
 * A clean environment: no AWS variables from the machine, a HOME without ~/.aws, IMDS off (so a
 * missing-credentials test fails fast instead of probing 169.254.169.254).
 */
export function baseEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: emptyHome,
    XDG_CACHE_HOME: join(emptyHome, '.cache'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: join(emptyHome, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(emptyHome, 'no-aws-credentials'),
  };
}

function mergeEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string | undefined> = { ...baseEnv(), ...extra };
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** Runs `callerid <args>` to completion (asynchronously: in-process servers keep answering meanwhile). */
export function runCli(args: string[], options: RunOptions = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI, ...args], { env: mergeEnv(options.env), cwd: options.cwd ?? CLI_DIR, stdio: 'pipe' });
  child.stdin.end(options.input ?? '');
  return collect(child);
}

export function collect(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** A `callerid sts-local` child process, started and its URL read from the first stdout line. */
export interface CliStsLocal {
  url: string;
  child: ChildProcess;
  /** Sends a signal and waits for the process to end. */
  stop(signal?: NodeJS.Signals): Promise<CliResult>;
}

export async function startCliStsLocal(args: string[], options: RunOptions = {}): Promise<CliStsLocal> {
  const child = spawn(process.execPath, [CLI, 'sts-local', ...args], { env: mergeEnv(options.env), cwd: options.cwd ?? CLI_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
  const done = collect(child);
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const newline = buffered.indexOf('\n');
      if (newline !== -1) {
        child.stdout?.off('data', onData);
        resolve(buffered.slice(0, newline));
      }
    };
    child.stdout?.on('data', onData);
    void done.then((result) => reject(new Error(`sts-local exited before printing its URL: ${result.stderr}`)));
  });
  return {
    url,
    child,
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return done;
    },
  };
}
