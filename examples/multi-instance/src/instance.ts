/**
 * One instance of the Express example API, sharing verdicts through Redis. Run three of these (as
 * `start.ts` does) behind any load balancer. Configuration comes from the environment:
 *   PORT                    port to listen on (default 8080; 0 picks a free one)
 *   REDIS_URL               the shared Redis (default redis://127.0.0.1:6379)
 *   CALLERID_AUDIENCE       the audience tokens must be minted for (default payments-api)
 *   CALLERID_STS_ENDPOINT   replay tokens here (a VPC endpoint, or sts-local); default: AWS STS
 *   CALLERID_REPLAY         "once": each token is accepted once across the fleet
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRedisStore } from '@callerid/redis';
import { createApp } from '@callerid/example-express-api/app';
import { createClient } from 'redis';

const env = process.env;
const client = createClient({ url: env.REDIS_URL || 'redis://127.0.0.1:6379' });
// node-redis emits 'error' while Redis is unreachable; the store falls back to STS on its own.
client.on('error', () => undefined);
await client.connect();

const { app, close } = createApp({
  audience: env.CALLERID_AUDIENCE || 'payments-api',
  stsEndpoint: env.CALLERID_STS_ENDPOINT || undefined,
  // A deadline above the default 50 ms: here all instances, Redis and STS share one machine (a laptop,
  // CI), and a burst starves them of CPU; across a network, the default is the better bound.
  sharedCache: createRedisStore({ client, operationTimeoutMs: 250 }),
  replay: env.CALLERID_REPLAY === 'once' ? 'once' : 'allow',
});
const server = createServer(app);
server.listen(Number(env.PORT || 8080), '127.0.0.1');
await once(server, 'listening');
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
if (process.send) process.send({ url });
else console.log(`instance listening on ${url}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    void close().then(() => client.close());
  });
}
