/**
 * `pnpm --filter @callerid/example-multi-instance start`: one Redis, three instances of the Express
 * example API sharing it, and a walk-through that sends one token's requests to all three at once.
 *
 *   REDIS_URL               use this Redis (default: start a throwaway redis-server)
 *   CALLERID_STS_ENDPOINT   use this STS (default: start sts-local with the demo user alice)
 *   CALLERID_REPLAY=once    one-time tokens across the fleet
 *   --once                  stop everything after the walk-through instead of serving until Ctrl-C
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createTokenProvider } from '@callerid/client';
import { startStsLocal, type StsLocal } from '@callerid/sts-local';
import { startLocalRedis, type LocalRedis } from './redis-server.js';

const INSTANCES = 3;
const REQUESTS = 300;
const audience = process.env.CALLERID_AUDIENCE || 'payments-api';
const replay = process.env.CALLERID_REPLAY === 'once' ? 'once' : 'allow';
const alice = {
  accessKeyId: 'AKIADEMOALICE0000001',
  secretAccessKey: 'demo/alice/secret/valid/only/at/sts-local0',
  arn: 'arn:aws:iam::111122223333:user/alice',
  userId: 'AIDADEMOALICE0000001',
  account: '111122223333',
};

const redis: LocalRedis | undefined = process.env.REDIS_URL ? undefined : await startLocalRedis();
const redisUrl = process.env.REDIS_URL || redis!.url;
const sts: StsLocal | undefined = process.env.CALLERID_STS_ENDPOINT ? undefined : await startStsLocal({ principals: [alice], faults: { latencyMs: 20 } });
const stsEndpoint = process.env.CALLERID_STS_ENDPOINT || sts!.url;

const instances: ChildProcess[] = [];
const urls: string[] = [];
for (let i = 0; i < INSTANCES; i++) {
  const child = fork(fileURLToPath(new URL('./instance.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, PORT: '0', REDIS_URL: redisUrl, CALLERID_STS_ENDPOINT: stsEndpoint, CALLERID_AUDIENCE: audience, CALLERID_REPLAY: replay },
  });
  instances.push(child);
  const [message] = (await once(child, 'message')) as [{ url: string }];
  urls.push(message.url);
}
console.log(`Redis ${redisUrl}, STS ${stsEndpoint}, replay: ${replay}`);
for (const url of urls) console.log(`instance ${url}`);

// One token sent to all three instances at once (or, with one-time tokens, a fresh token per request).
// One provider of fresh tokens for the whole walk-through: tokens minted within one second are
// distinct within a provider (see @callerid/client's freshTokenPerRequest).
const tokens = createTokenProvider({ audience, region: 'eu-west-1', credentials: alice });
const fresh = createTokenProvider({ audience, region: 'eu-west-1', credentials: alice, freshTokenPerRequest: true });
// A first request per instance, so that the burst below meets warm processes: a cold one may miss
// Redis's deadline, which costs an STS call of its own (never a wrong answer).
for (const url of urls) await (await fetch(`${url}/whoami`, { headers: { authorization: `Bearer ${await fresh.getToken()}` } })).arrayBuffer();
const shared = await tokens.getToken();
const before = sts?.stats().actions.GetCallerIdentity?.requests ?? 0;
const statuses = await Promise.all(
  Array.from({ length: REQUESTS }, async (_, i) => {
    const token = replay === 'once' ? await fresh.getToken() : shared;
    const res = await fetch(`${urls[i % INSTANCES]}/whoami`, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    return res.status;
  }),
);
const ok = statuses.filter((s) => s === 200).length;
const calls = sts ? String((sts.stats().actions.GetCallerIdentity?.requests ?? 0) - before) : 'not counted (your STS)';
console.log(`${REQUESTS} requests over ${INSTANCES} instances: ${ok} × 200, GetCallerIdentity calls: ${calls}`);

if (replay === 'once') {
  // One token, sent to the first instance and then to the second: the second use is refused.
  const token = await fresh.getToken();
  const [first, second] = [urls[0], urls[1]].map((url) => () => fetch(`${url}/whoami`, { headers: { authorization: `Bearer ${token}` } }));
  const used = await first!();
  await used.arrayBuffer();
  const again = await second!();
  console.log(`a token used twice: ${used.status}, then ${again.status} ${((await again.json()) as { code: string }).code}`);
}

async function stop(): Promise<void> {
  await Promise.all(instances.map(async (child) => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    await once(child, 'exit');
  }));
  await sts?.close();
  await redis?.stop();
}

if (process.argv.includes('--once')) await stop();
else {
  console.log('Serving; call any instance with a token (see README). Ctrl-C stops everything.');
  process.once('SIGINT', () => void stop());
}
