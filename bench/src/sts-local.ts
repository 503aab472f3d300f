/**
 * sts-local: requests/s of presigned `GetCallerIdentity` — exactly the request a callerid verifier
 * replays — over keep-alive connections. sts-local runs in a child process and autocannon here, so the
 * figure is sts-local's; every answer must be a 200 (the signature really is checked each time).
 */
import { mintToken } from '@callerid/mint';
import { AUDIENCE, CREDENTIALS, REGION, presignedRequest } from './fixtures.js';
import type { Group } from './group.js';
import { startHost } from './host/index.js';
import { load } from './measure.js';

export const stsLocal: Group = {
  async run(ctx) {
    const host = await startHost({ kind: 'sts-local' });
    try {
      const { token } = await mintToken({ audience: AUDIENCE, region: REGION, credentials: CREDENTIALS });
      const spec = { url: host.url('sts-local'), ...presignedRequest(token) };
      ctx.progress('sts-local presigned GetCallerIdentity');
      await load(ctx.profile, { ...spec, seconds: ctx.profile.warmupSeconds });
      const seconds = ctx.profile.legSeconds * 2;
      const f = await load(ctx.profile, { ...spec, seconds });
      ctx.report({
        metric: 'presigned GetCallerIdentity, keep-alive',
        value: f.requestsPerSecond,
        unit: 'req/s',
        target: { on: 'value', op: '>=', threshold: 5_000 },
        note: `${f.requests.toLocaleString('en-US')} × 200 in ${f.seconds} s, ${ctx.profile.connections} connections`,
      });
    } finally {
      await host.stop();
    }
  },
};
