/**
 * sts-local throughput: presigned GetCallerIdentity (what every callerid verifier sends) and
 * header-signed POST, over keep-alive connections. The load runs in a child process so the figure is
 * sts-local's, not the load generator's. Run: `pnpm --filter @callerid/sts-local bench`
 * (env: BENCH_SECONDS, default 10; BENCH_CONNECTIONS, default 16).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startStsLocal, type Principal } from '../src/index.js';
import { presign, signPost, type Signed } from '../test/helpers/signer.js';
import type { LoadJob, LoadResult } from './load-worker.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);

const principals: Principal[] = Array.from({ length: 4 }, (_, i) => ({
  accessKeyId: `AKIAXBENCHPRINCIPAL${i}`,
  secretAccessKey: `bench/secret/${i}/Key+0123456789abcdefghij`,
  arn: `arn:aws:iam::111122223333:user/bench-${i}`,
  userId: `AIDAXBENCHPRINCIPAL0${i}`,
  account: '111122223333',
}));

function load(url: string, requests: Signed[]): Promise<LoadResult> {
  const job: LoadJob = { url, connections, durationMs: seconds * 1000, requests };
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL('./load-worker.ts', import.meta.url)), {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, STS_LOCAL_LOAD_JOB: JSON.stringify(job) },
    });
    child.once('message', (result) => resolve(result as LoadResult));
    child.once('error', reject);
    child.once('exit', (code) => code === 0 || reject(new Error(`load generator exited with ${code}`)));
  });
}

async function scenario(name: string, requests: Signed[]): Promise<void> {
  const sts = await startStsLocal({ principals });
  try {
    // Warm up (JIT, signing-key cache), then measure.
    await load(sts.url, requests).catch(() => undefined);
    const before = sts.stats().totals;
    const result = await load(sts.url, requests);
    const after = sts.stats().totals;
    const ok = result.byStatus['200'] ?? 0;
    const rps = Math.round((ok / result.elapsedMs) * 1000);
    console.log(
      `${name.padEnd(34)} ${String(rps).padStart(7)} req/s  (${ok} × 200 in ${(result.elapsedMs / 1000).toFixed(1)} s, ` +
        `${connections} connections, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, ` +
        `other statuses ${JSON.stringify({ ...result.byStatus, 200: undefined })}, errors ${result.errors}, ` +
        `sts-local accepted ${after.accepted - before.accepted})`,
    );
  } finally {
    await sts.close();
  }
}

// Presigned URLs stay valid for 15 minutes after signing, longer than any run.
const host = 'sts.us-west-2.amazonaws.com';
const presigned = await Promise.all(
  principals.map(async (p) => {
    const s = await presign(p, { host, region: 'us-west-2', audience: 'bench' });
    return { ...s, headers: { ...s.headers, accept: 'application/json' } };
  }),
);
const posts = await Promise.all(principals.map((p) => signPost(p, { host, region: 'us-west-2', body: 'Action=GetCallerIdentity&Version=2011-06-15' })));

console.log(`sts-local throughput on Node ${process.version}, ${seconds} s per scenario`);
await scenario('presigned GetCallerIdentity (JSON)', presigned);
await scenario('header-signed POST (XML)', posts);
