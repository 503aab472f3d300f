/**
 * serve: the authenticator server's `/auth` (forward authentication).
 *
 * - `/auth` with a cached token ÷ the same framework (Fastify) answering an empty 200, and ÷ `node:http`
 *   answering one (the server answers `/auth` from node:http, ahead of Fastify's router, so the second
 *   ratio is the decision's own cost). All run in child processes; autocannon here; alternating legs.
 * - nginx → `auth_request` → callerid ÷ nginx → `auth_request` → nginx's own `return 200` (a second
 *   server block, so both take the same proxy hop): the cost of asking callerid, as a user deploys it.
 *   Both then proxy the request itself to that `return 200` block.
 *   Skipped when nginx is not installed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintToken } from '@callerid/mint';
import { startStsLocal, type StsLocal } from '@callerid/sts-local';
import { freePort, NGINX, startNginx, waitForPort } from '@callerid/test-harness';
import { AUDIENCE, CREDENTIALS, PRINCIPALS, REGION } from './fixtures.js';
import type { Group, GroupContext } from './group.js';
import { startHost, type Host } from './host/index.js';
import { alternate, cannonLeg, cpuPerRequest } from './measure.js';

async function authVersusBare(ctx: GroupContext, serve: Host, headers: Record<string, string>): Promise<void> {
  const fastify = await startHost({ kind: 'fastify-200' });
  const node = await startHost({ kind: 'node-200' });
  try {
    ctx.progress('/auth vs Fastify empty 200 vs node:http empty 200');
    const [baseline, floor, auth] = await alternate(
      ctx.profile,
      cannonLeg(ctx.profile, { url: fastify.url('fastify-200'), headers }, fastify.cpuMicros),
      cannonLeg(ctx.profile, { url: node.url('node-200'), headers }, node.cpuMicros),
      cannonLeg(ctx.profile, { url: serve.url('serve'), headers }, serve.cpuMicros),
    );
    const legs = `${ctx.profile.rounds} × ${ctx.profile.legSeconds} s legs each, ${ctx.profile.connections} connections`;
    ctx.report({
      metric: '/auth, cached token ÷ Fastify empty 200',
      value: auth.requestsPerSecond,
      unit: 'req/s',
      baseline: { name: 'Fastify 200', value: baseline.requestsPerSecond },
      target: { on: 'ratio', op: '>=', threshold: 0.9 },
      note: `${legs}; server CPU per request ${cpuPerRequest(baseline)} → ${cpuPerRequest(auth)}`,
    });
    // /auth is answered from node:http ahead of Fastify's router: this row is the cost of the decision alone.
    ctx.report({
      metric: '/auth, cached token ÷ node:http empty 200',
      value: auth.requestsPerSecond,
      unit: 'req/s',
      baseline: { name: 'node:http 200', value: floor.requestsPerSecond },
      note: `same legs; server CPU per request ${cpuPerRequest(floor)} → ${cpuPerRequest(auth)}`,
    });
  } finally {
    await Promise.all([fastify.stop(), node.stop()]);
  }
}

function nginxConf(ports: { callerid: number; viaCallerId: number; viaNginx: number; ok: number }, calleridUrl: URL): string {
  const auth = (upstream: string) => `
    # Content by proxy_pass: a \`return\` would answer in the rewrite phase, before auth_request runs.
    location / { auth_request /_auth; proxy_pass http://ok/; proxy_http_version 1.1; proxy_set_header Connection ""; }
    location = /_auth {
      internal;
      proxy_pass ${upstream};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
    }`;
  return `worker_processes 1;
events { worker_connections 1024; }
http {
  access_log off;
  # nginx closes a client connection after 1000 requests by default; mid-leg that counts as an error.
  keepalive_requests 1000000;
  upstream callerid { server 127.0.0.1:${calleridUrl.port}; keepalive 32; keepalive_requests 1000000; }
  upstream ok { server 127.0.0.1:${ports.ok}; keepalive 32; keepalive_requests 1000000; }
  server { listen 127.0.0.1:${ports.viaCallerId}; ${auth('http://callerid/auth')} }
  server { listen 127.0.0.1:${ports.viaNginx}; ${auth('http://ok/')} }
  server { listen 127.0.0.1:${ports.ok}; location / { return 200; } }
}
`;
}

async function nginxHop(ctx: GroupContext, serve: Host, headers: Record<string, string>): Promise<void> {
  if (!NGINX) {
    ctx.progress('nginx is not installed: skipping nginx → auth_request');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'callerid-bench-nginx-'));
  const ports = { callerid: 0, viaCallerId: await freePort(), viaNginx: await freePort(), ok: await freePort() };
  const nginx = startNginx(dir, nginxConf(ports, new URL(serve.url('serve'))));
  try {
    await Promise.all([waitForPort(ports.viaCallerId, 'nginx'), waitForPort(ports.viaNginx, 'nginx')]);
    ctx.progress('nginx → auth_request → callerid vs → nginx return 200');
    const [viaNginx, viaCallerId] = await alternate(
      ctx.profile,
      cannonLeg(ctx.profile, { url: `http://127.0.0.1:${ports.viaNginx}/`, headers }),
      cannonLeg(ctx.profile, { url: `http://127.0.0.1:${ports.viaCallerId}/`, headers }, serve.cpuMicros),
    );
    ctx.report({
      metric: 'nginx auth_request → callerid ÷ → nginx return 200',
      value: viaCallerId.requestsPerSecond,
      unit: 'req/s',
      baseline: { name: 'nginx return 200', value: viaNginx.requestsPerSecond },
      note: `one nginx worker; callerid CPU per request ${cpuPerRequest(viaCallerId)}; ${ctx.profile.connections} connections`,
    });
  } finally {
    await nginx.stop('SIGQUIT');
    rmSync(dir, { recursive: true, force: true });
  }
}

export const serve: Group = {
  async run(ctx) {
    const sts: StsLocal = await startStsLocal({ principals: [...PRINCIPALS] });
    const host = await startHost({ kind: 'serve', stsUrl: sts.url });
    try {
      const { token } = await mintToken({ audience: AUDIENCE, region: REGION, credentials: CREDENTIALS });
      const headers = { authorization: `Bearer ${token}` };
      const first = await fetch(host.url('serve'), { headers });
      if (first.status !== 200) throw new Error(`/auth answered ${first.status} to a valid token`);
      await authVersusBare(ctx, host, headers);
      await nginxHop(ctx, host, headers);
    } finally {
      await host.stop();
      await sts.close();
    }
  },
};
