/** Forks verifier processes (`verifier-process.ts`), starts them together and collects their reports. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ProcessJob, ProcessReport } from './verifier-process.js';

const ENTRY = fileURLToPath(new URL('./verifier-process.ts', import.meta.url));

export interface Fleet {
  /** Sends "go" to every process at once; resolves to the sum of their reports. */
  run(): Promise<ProcessReport>;
  /** Kills whatever is still running. */
  stop(): Promise<void>;
}

export async function startFleet(size: number, job: ProcessJob): Promise<Fleet> {
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(
      children.map((child) => {
        if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        return exited;
      }),
    );
  };
  const ready = (child: ChildProcess) =>
    new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`verifier process exited before it was ready (${code})`)));
    });
  for (let i = 0; i < size; i++) {
    children.push(fork(ENTRY, [], { execArgv: ['--import', 'tsx'], env: { ...process.env, CALLERID_FLEET_JOB: JSON.stringify(job) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  }
  try {
    await Promise.all(children.map(ready));
  } catch (error) {
    await stop();
    throw error;
  }
  const run = async () => {
    const reports = await Promise.all(
      children.map(
        (child) =>
          new Promise<ProcessReport>((resolve, reject) => {
            child.once('message', (report: ProcessReport) => resolve(report));
            child.once('exit', (code) => reject(new Error(`verifier process exited without a report (${code})`)));
            child.send('go');
          }),
      ),
    );
    const total: ProcessReport = {};
    for (const report of reports) for (const [outcome, n] of Object.entries(report)) total[outcome] = (total[outcome] ?? 0) + n;
    return total;
  };
  return { run, stop };
}
