/**
 * Runs the example API. Configuration comes from the environment:
 *   PORT                    port to listen on (default 8080; 0 picks a free one)
 *   HOST                    address to listen on (default 127.0.0.1; 0.0.0.0 in a container)
 *   CALLERID_AUDIENCE       the audience tokens must be minted for (default payments-api)
 *   CALLERID_STS_ENDPOINT   replay tokens here (a VPC endpoint, or sts-local); default: AWS STS
 *   CALLERID_ACCOUNTS       comma-separated account ids allowed in (default: any account)
 *   CALLERID_ADMIN_ROLES    comma-separated role ARNs whose sessions may call /admin
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';

const env = process.env;
const audience = env.CALLERID_AUDIENCE || 'payments-api';
const list = (value: string | undefined) => value?.split(',').map((s) => s.trim()).filter(Boolean);

const { app, close } = createApp({
  audience,
  stsEndpoint: env.CALLERID_STS_ENDPOINT || undefined,
  accounts: list(env.CALLERID_ACCOUNTS),
  adminRoles: list(env.CALLERID_ADMIN_ROLES),
});
const server = app.listen(Number(env.PORT || 8080), env.HOST || '127.0.0.1');
await once(server, 'listening');
const { address, port } = server.address() as AddressInfo;
console.log(`koa-api listening on http://${address.includes(':') ? `[${address}]` : address}:${port} (audience "${audience}")`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    void close();
  });
}
