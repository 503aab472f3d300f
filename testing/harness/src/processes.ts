/** Real processes the tests start on loopback (nginx, `callerid serve`, a Python upstream), and their ports. */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';

/** A started child process and what it printed so far. */
export interface Running {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with the exit code (or the signal name) once it has exited. */
  readonly exited: Promise<number | string>;
  /** Sends `signal` (default SIGTERM) unless it has exited, and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/** Starts `command`; the caller stops it (in `afterAll`/`onTestFinished`). */
export function start(command: string, args: readonly string[], options: SpawnOptions = {}): Running {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | string>((resolve) => {
    child.once('error', () => resolve('spawn-error'));
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  let done = false;
  void exited.then(() => (done = true));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    stop: (signal = 'SIGTERM') => {
      if (!done) child.kill(signal);
      return exited;
    },
  };
}

/** Polls `check` until it returns a value (not `undefined`), or throws after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Resolves once something accepts TCP connections on `port`. */
export function waitForPort(port: number, what: string): Promise<true> {
  return waitFor(
    () => new Promise<true | undefined>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(undefined));
    }),
    what,
  );
}

const runs = (command: string, args: string[]) => spawnSync(command, args, { stdio: 'ignore' }).status === 0;

/** Debian's nginx, or `undefined` (CI installs it when missing). */
export const NGINX: string | undefined = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', 'nginx'].find((c) => runs(c, ['-v']));

/** python3, or `undefined`. */
export const PYTHON: string | undefined = ['python3'].find((c) => runs(c, ['--version']));

/**
 * Runs nginx in the foreground with `config` (an nginx.conf), its prefix, temp and log paths in `dir`,
 * so it needs no root and touches nothing outside `dir`.
 */
export function startNginx(dir: string, config: string): Running {
  for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, sub), { recursive: true });
  const temps = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${join(dir, t === 'client_body' ? 'body' : t)};`).join('\n');
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, config.replace(/^http \{$/m, `http {\n${temps}\n  error_log ${join(dir, 'error.log')} warn;`));
  return start(NGINX!, ['-p', dir, '-c', conf, '-e', join(dir, 'error.log'), '-g', `daemon off; pid ${join(dir, 'nginx.pid')};`]);
}
