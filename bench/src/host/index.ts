/** Starts the server host child process (see `server-host.ts`) and stops it. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { HostCpu, HostJob, HostReady } from './protocol.js';

export interface Host {
  /** Server name → URL. */
  url(name: string): string;
  /** The host process's CPU time so far (user + system), µs. */
  cpuMicros(): Promise<number>;
  stop(): Promise<void>;
}

const ENTRY = fileURLToPath(new URL('./server-host.ts', import.meta.url));
const START_TIMEOUT_MS = 30_000;

export function startHost(job: HostJob): Promise<Host> {
  // The parent's own flags (`--import tsx`) let the child load TypeScript too.
  const child = fork(ENTRY, [], {
    execArgv: process.execArgv,
    env: { ...process.env, CALLERID_BENCH_HOST: JSON.stringify(job) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      if (child.connected) child.send('stop');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`server host (${job.kind}) did not start in ${START_TIMEOUT_MS} ms`));
      void stop();
    }, START_TIMEOUT_MS);
    child.once('message', (message: HostReady) => {
      clearTimeout(timer);
      resolve({
        url: (name) => {
          const url = message.urls[name];
          if (url === undefined) throw new Error(`server host (${job.kind}) has no ${name}`);
          return url;
        },
        cpuMicros: () => askCpu(child),
        stop,
      });
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server host (${job.kind}) exited before it was ready (${signal ?? code})`));
    });
  });
}

function askCpu(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: HostCpu | HostReady) => {
      if (!('cpuMicros' in message)) return;
      child.off('message', onMessage);
      resolve(message.cpuMicros);
    };
    child.on('message', onMessage);
    if (!child.send('cpu')) {
      child.off('message', onMessage);
      reject(new Error('server host: IPC channel is full'));
    }
  });
}
