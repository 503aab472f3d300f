/**
 * JWT: AWS web identity tokens (RS256 and ES384) minted by sts-local's issuer through the AWS SDK's
 * `GetWebIdentityToken`, verified by callerid — cached (the verifier's cache) and uncached (`cache:
 * false`: every call checks header, claims and signature) — next to bare `jose.jwtVerify` with a local
 * JWKS holding the same keys. callerid fetches the JWKS once, before the measurement.
 */
import { GetWebIdentityTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { createVerifier, type Verifier } from '@callerid/core';
import { startStsLocal, type StsLocal } from '@callerid/sts-local';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { ACCOUNT, AUDIENCE, CREDENTIALS, JWT_AUDIENCE, PRINCIPALS, REGION } from './fixtures.js';
import type { Group, GroupContext } from './group.js';
import { runTasks, spread, type TaskFigures, type TaskSpec } from './measure.js';

const ALGORITHMS = ['RS256', 'ES384'] as const;
/** A B B A rounds of uncached callerid vs bare jose per algorithm. */
const ROUNDS = 2;
type Algorithm = (typeof ALGORITHMS)[number];

async function mintJwts(sts: StsLocal): Promise<Record<Algorithm, string>> {
  const client = new STSClient({ region: REGION, endpoint: sts.url, credentials: CREDENTIALS });
  try {
    const mint = async (alg: Algorithm) => {
      const out = await client.send(new GetWebIdentityTokenCommand({ Audience: [JWT_AUDIENCE], SigningAlgorithm: alg, DurationSeconds: 900 }));
      if (!out.WebIdentityToken) throw new Error(`GetWebIdentityToken (${alg}) returned no token`);
      return out.WebIdentityToken;
    };
    return { RS256: await mint('RS256'), ES384: await mint('ES384') };
  } finally {
    client.destroy();
  }
}

async function measure(ctx: GroupContext, sts: StsLocal, cached: Verifier, uncached: Verifier): Promise<void> {
  const issuer = sts.issuerFor(ACCOUNT);
  const tokens = await mintJwts(sts);
  const jwks = createLocalJWKSet((await (await fetch(`${issuer}/.well-known/jwks.json`)).json()) as JSONWebKeySet);
  for (const alg of ALGORITHMS) {
    // Outside the measurement: both verifiers fetch the JWKS (the cached one also remembers the
    // verdict), and jose imports the key on its first use.
    await cached.verify(tokens[alg]);
    await uncached.verify(tokens[alg]);
    await jwtVerify(tokens[alg], jwks, { issuer, audience: JWT_AUDIENCE, algorithms: [alg] });
  }

  ctx.progress('web identity JWTs: cached, uncached and bare jose');
  const { batch } = ctx.profile;
  const specs: TaskSpec[] = [];
  for (const alg of ALGORITHMS) {
    const token = tokens[alg];
    // A signature check costs ~0.05 ms (RS256) to ~1 ms (ES384): a small batch is enough.
    const slow = alg === 'RS256' ? Math.max(1, batch / 50) : 1;
    const bare = () => jwtVerify(token, jwks, { issuer, audience: JWT_AUDIENCE, algorithms: [alg] });
    const ours = () => uncached.verify(token);
    // A B B A, twice: whichever task runs first pays for the garbage and JIT state the one before
    // left, so each side runs equally often in each position; its figure is the mean of its runs.
    specs.push({ name: `cached ${alg}`, fn: () => cached.verify(token), batch, async: true });
    for (let round = 0; round < ROUNDS; round++) {
      specs.push(
        { name: `jose ${alg} #${2 * round + 1}`, fn: bare, batch: slow, async: true },
        { name: `uncached ${alg} #${2 * round + 1}`, fn: ours, batch: slow, async: true },
        { name: `uncached ${alg} #${2 * round + 2}`, fn: ours, batch: slow, async: true },
        { name: `jose ${alg} #${2 * round + 2}`, fn: bare, batch: slow, async: true },
      );
    }
  }
  const f = await runTasks(ctx.profile, specs);
  for (const alg of ALGORITHMS) {
    const hit = f.get(`cached ${alg}`)!;
    ctx.report({ metric: `${alg} verify(), cached`, value: hit.opsPerSecond, unit: 'ops/s', target: { on: 'value', op: '>=', threshold: 300_000 }, note: spread(hit) });
  }
  for (const alg of ALGORITHMS) {
    const runs = (name: string) => Array.from({ length: 2 * ROUNDS }, (_, i) => f.get(`${name} ${alg} #${i + 1}`)!);
    const ours = runs('uncached');
    const bare = runs('jose');
    const meanMicros = (runs: readonly TaskFigures[]) => (runs.reduce((sum, run) => sum + run.meanMs, 0) / runs.length) * 1_000;
    ctx.report({
      metric: `${alg} verify(), uncached (mean)`,
      value: meanMicros(ours),
      unit: 'µs',
      baseline: { name: 'jose.jwtVerify', value: meanMicros(bare) },
      // The issue's target is on RS256; ES384's ratio is shown for information.
      ...(alg === 'RS256' ? { target: { on: 'ratio', op: '<=', threshold: 1.1 } as const } : {}),
      note: `A B B A × ${ROUNDS}, ${2 * ROUNDS} runs each; ${spread(ours[0]!)}`,
    });
  }
}

export const jwt: Group = {
  async run(ctx) {
    const sts = await startStsLocal({ principals: [...PRINCIPALS] });
    const webIdentity = { issuers: [sts.issuerFor(ACCOUNT)], audiences: [JWT_AUDIENCE] };
    const cached = createVerifier({ audience: AUDIENCE, stsEndpoint: sts.url, webIdentity });
    const uncached = createVerifier({ audience: AUDIENCE, stsEndpoint: sts.url, webIdentity, cache: false });
    try {
      await measure(ctx, sts, cached, uncached);
    } finally {
      await Promise.all([cached.close(), uncached.close()]);
      await sts.close();
    }
  },
};
