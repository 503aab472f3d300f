/**
 * The child process that serves what a load generator measures, so that the server and autocannon (or
 * the fetch client under test) do not share one event loop and one core, and two servers compared
 * with each other share no heap and no JIT state (each runs as it would in its own deployment). Started by `startHost()`; the
 * job arrives in `CALLERID_BENCH_HOST` and the URLs go back over IPC; a `stop` message (or the parent
 * going away) closes everything.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startStsLocal } from '@callerid/sts-local';
import { START, startFastify200, startNode200, startServe, type RunningApp } from '../apps.js';
import { PRINCIPALS } from '../fixtures.js';
import type { HostCpu, HostJob, HostReady } from './protocol.js';

async function startPlain(): Promise<RunningApp> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function start(job: HostJob): Promise<{ urls: Record<string, string>; apps: RunningApp[] }> {
  const named: [string, RunningApp][] = [];
  if (job.kind === 'app') {
    named.push(['app', await START[job.framework]({ stsUrl: job.stsUrl })]);
  } else if (job.kind === 'plain') {
    named.push(['plain', await startPlain()]);
  } else if (job.kind === 'serve') {
    named.push(['serve', await startServe(job.stsUrl)]);
  } else if (job.kind === 'fastify-200') {
    named.push(['fastify-200', await startFastify200()]);
  } else if (job.kind === 'node-200') {
    named.push(['node-200', await startNode200()]);
  } else {
    const sts = await startStsLocal({ principals: [...PRINCIPALS] });
    named.push(['sts-local', { url: sts.url, close: () => sts.close() }]);
  }
  return { urls: Object.fromEntries(named.map(([name, app]) => [name, app.url])), apps: named.map(([, app]) => app) };
}

const job = JSON.parse(process.env.CALLERID_BENCH_HOST ?? 'null') as HostJob;
const { urls, apps } = await start(job);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.allSettled(apps.map((app) => app.close()));
  process.disconnect?.();
  process.exit(0);
}
process.on('message', (message) => {
  if (message === 'stop') void stop();
  if (message === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send!({ cpuMicros: user + system } satisfies HostCpu);
  }
});
process.on('disconnect', () => void stop());
process.send!({ ready: true, urls } satisfies HostReady);
