/**
 * One verifier instance in its own process (forked by `fleet.ts`): connects to Redis (one server or
 * a Cluster), waits for "go", verifies one token `concurrency` times at once, reports what each
 * verification answered, and exits. Runs under tsx and loads the built packages.
 */
import { createVerifier, isCallerIdError } from '@callerid/core';
import { createClient, createCluster } from 'redis';
import { createRedisStore } from '../../src/index.js';

export interface ProcessJob {
  redis: { url: string } | { rootNodes: { url: string }[] };
  stsUrl: string;
  audience: string;
  token: string;
  concurrency: number;
  replay: 'allow' | 'once';
}

/** What a process reports: how many verifications ended with each outcome (`accepted` or a code). */
export type ProcessReport = Record<string, number>;

const job = JSON.parse(process.env.CALLERID_FLEET_JOB!) as ProcessJob;
const client = 'url' in job.redis ? createClient({ url: job.redis.url }) : createCluster({ rootNodes: job.redis.rootNodes });
await client.connect();
// A generous deadline: this test counts STS calls on a busy 2-core machine, not Redis latency.
const store = createRedisStore({ client, operationTimeoutMs: 2_000 });
const verifier = createVerifier({ audience: job.audience, stsEndpoint: job.stsUrl, sharedCache: store, replay: job.replay });

async function verifyAll(): Promise<void> {
  const outcomes = await Promise.all(
    Array.from({ length: job.concurrency }, () =>
      verifier.verify(job.token).then(
        () => 'accepted',
        (error: unknown) => (isCallerIdError(error) ? error.code : 'crash'),
      ),
    ),
  );
  const report: ProcessReport = {};
  for (const outcome of outcomes) report[outcome] = (report[outcome] ?? 0) + 1;
  await verifier.close();
  await client.close();
  process.send!(report, () => process.exit(0));
}

process.once('message', () => void verifyAll());
process.send!('ready');
