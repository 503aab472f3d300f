/**
 * middleware: requests/s of the same route protected by callerid's adapter ÷ unprotected, for Express,
 * Fastify and Koa, with a cached token (one STS call per server, then the verifier's cache). The servers
 * run in a child process and autocannon here, so neither steals the other's core; the two variants of a
 * framework are loaded in alternating legs of equal length and carry the same `Authorization` header.
 */
import { mintToken } from '@callerid/core';
import { startStsLocal, type StsLocal } from '@callerid/sts-local';
import { FRAMEWORKS, type Framework } from './apps.js';
import { AUDIENCE, CREDENTIALS, PRINCIPALS, REGION } from './fixtures.js';
import type { Group, GroupContext } from './group.js';
import { startHost, type Host } from './host/index.js';
import { alternate, cannonLeg } from './measure.js';

const stsCalls = (sts: StsLocal) => sts.stats().actions.GetCallerIdentity?.requests ?? 0;

async function measure(ctx: GroupContext, host: Host, sts: StsLocal, framework: Framework, token: string): Promise<void> {
  ctx.progress(`${framework}: protected vs unprotected`);
  const headers = { authorization: `Bearer ${token}` };
  const protectedUrl = host.url(`${framework}:protected`);
  const before = stsCalls(sts);
  // The first protected request verifies the token against sts-local; it must be accepted.
  const first = await fetch(protectedUrl, { headers });
  await first.arrayBuffer();
  if (first.status !== 200) throw new Error(`${framework}: the protected route answered ${first.status} to a valid token`);
  const [unprotected, guarded] = await alternate(
    ctx.profile,
    cannonLeg(ctx.profile, { url: host.url(`${framework}:unprotected`), headers }),
    cannonLeg(ctx.profile, { url: protectedUrl, headers }),
  );
  const calls = stsCalls(sts) - before;
  ctx.report({
    metric: `${framework}: protected ÷ unprotected`,
    value: guarded.requestsPerSecond,
    unit: 'req/s',
    baseline: { name: 'unprotected', value: unprotected.requestsPerSecond },
    target: { on: 'ratio', op: '>=', threshold: 0.9 },
    note: `${ctx.profile.rounds} × ${ctx.profile.legSeconds} s legs each, ${ctx.profile.connections} connections; STS calls: ${calls}`,
  });
}

export const middleware: Group = {
  async run(ctx) {
    const sts = await startStsLocal({ principals: [...PRINCIPALS] });
    let host: Host | undefined;
    try {
      host = await startHost({ kind: 'frameworks', stsUrl: sts.url });
      const { token } = await mintToken({ audience: AUDIENCE, region: REGION, credentials: CREDENTIALS });
      for (const framework of FRAMEWORKS) await measure(ctx, host, sts, framework, token);
    } finally {
      await host?.stop();
      await sts.close();
    }
  },
};
