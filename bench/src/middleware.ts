/**
 * middleware: requests/s of the same route protected by callerid's adapter ÷ unprotected, for Express,
 * Fastify and Koa, with a cached token (one STS call per server, then the verifier's cache). Each app
 * runs in a child process of its own and autocannon here, so neither steals the other's core and the
 * two apps share no heap or JIT state; they are loaded in alternating legs of equal length and carry
 * the same `Authorization` header.
 */
import { mintToken } from '@callerid/mint';
import { startStsLocal, type StsLocal } from '@callerid/sts-local';
import { FRAMEWORKS, type Framework } from './apps.js';
import { AUDIENCE, CREDENTIALS, PRINCIPALS, REGION } from './fixtures.js';
import type { Group, GroupContext } from './group.js';
import { startHost, type Host } from './host/index.js';
import { alternate, cannonLeg, cpuPerRequest } from './measure.js';

const stsCalls = (sts: StsLocal) => sts.stats().actions.GetCallerIdentity?.requests ?? 0;

async function measure(ctx: GroupContext, hosts: { bare: Host; guarded: Host }, sts: StsLocal, framework: Framework, token: string): Promise<void> {
  ctx.progress(`${framework}: protected vs unprotected`);
  const headers = { authorization: `Bearer ${token}` };
  const protectedUrl = hosts.guarded.url('app');
  const before = stsCalls(sts);
  // The first protected request verifies the token against sts-local; it must be accepted.
  const first = await fetch(protectedUrl, { headers });
  await first.arrayBuffer();
  if (first.status !== 200) throw new Error(`${framework}: the protected route answered ${first.status} to a valid token`);
  const [unprotected, guarded] = await alternate(
    ctx.profile,
    cannonLeg(ctx.profile, { url: hosts.bare.url('app'), headers }, hosts.bare.cpuMicros),
    cannonLeg(ctx.profile, { url: protectedUrl, headers }, hosts.guarded.cpuMicros),
  );
  const calls = stsCalls(sts) - before;
  ctx.report({
    metric: `${framework}: protected ÷ unprotected`,
    value: guarded.requestsPerSecond,
    unit: 'req/s',
    baseline: { name: 'unprotected', value: unprotected.requestsPerSecond },
    target: { on: 'ratio', op: '>=', threshold: 0.9 },
    note: `${ctx.profile.rounds} × ${ctx.profile.legSeconds} s legs each, ${ctx.profile.connections} connections; server CPU per request ${cpuPerRequest(unprotected)} → ${cpuPerRequest(guarded)}; STS calls: ${calls}`,
  });
}

/** The framework's app unprotected and protected, each in its own host process. */
async function startApps(framework: Framework, stsUrl: string): Promise<{ bare: Host; guarded: Host }> {
  const started = await Promise.allSettled([startHost({ kind: 'app', framework }), startHost({ kind: 'app', framework, stsUrl })]);
  const hosts = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.all(hosts.map((h) => h.stop()));
    throw failed.reason;
  }
  return { bare: hosts[0]!, guarded: hosts[1]! };
}

export const middleware: Group = {
  async run(ctx) {
    const sts = await startStsLocal({ principals: [...PRINCIPALS] });
    try {
      const { token } = await mintToken({ audience: AUDIENCE, region: REGION, credentials: CREDENTIALS });
      for (const framework of FRAMEWORKS) {
        const hosts = await startApps(framework, sts.url);
        try {
          await measure(ctx, hosts, sts, framework, token);
        } finally {
          await Promise.all([hosts.bare.stop(), hosts.guarded.stop()]);
        }
      }
    } finally {
      await sts.close();
    }
  },
};
