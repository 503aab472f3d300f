/**
 * Web identity tokens end to end: minted through `@aws-sdk/client-sts` (GetWebIdentityTokenCommand)
 * against the real sts-local, verified by `createVerifier` against sts-local's issuer JWKS.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startStsLocal, type StsLocal } from '@callerid/sts-local';
import { CallerIdError, compileAllow, createMemoryCache, createVerifier, type CacheEntry, type CacheStore, type Verifier, type VerifierOptions } from '../../src/index.js';
import { mintToken, mintWebIdentityToken } from '@callerid/mint';

const ACCT = '111122223333';
const OTHER_ACCT = '444455556666';
const AUDIENCE = 'https://api.example.com';
const alice = {
  accessKeyId: 'AKIAALICEWEBIDENT001',
  secretAccessKey: 'alice-secret-key-for-web-identity-tests-0',
  arn: `arn:aws:iam::${ACCT}:user/alice`,
  userId: 'AIDAALICEWEBIDENT001',
  account: ACCT,
};
const deployer = {
  accessKeyId: 'ASIADEPLOYERSESSION1',
  secretAccessKey: 'deployer-session-secret-for-tests-only-00',
  sessionToken: 'FwoGZXIvYXdzEDeployerSessionTokenForTestsOnly+0000=',
  arn: `arn:aws:sts::${ACCT}:assumed-role/Deployer/ci-run-42`,
  userId: 'AROADEPLOYERROLE0001:ci-run-42',
  account: ACCT,
  roleArn: `arn:aws:iam::${ACCT}:role/ci/Deployer`,
  expiresAt: Date.now() + 3_600_000,
};
const mallory = {
  accessKeyId: 'AKIAMALLORYWEBIDENT1',
  secretAccessKey: 'mallory-secret-key-for-web-identity-tests',
  arn: `arn:aws:iam::${OTHER_ACCT}:user/mallory`,
  userId: 'AIDAMALLORYWEBIDENT1',
  account: OTHER_ACCT,
};
const REGION = 'eu-west-1';

let sts: StsLocal;
const verifiers: Verifier[] = [];

beforeAll(async () => {
  sts = await startStsLocal({ principals: [alice, deployer, mallory] });
});
afterAll(async () => {
  await Promise.all(verifiers.map((v) => v.close()));
  await sts.close();
});

function verifier(overrides: Partial<VerifierOptions> = {}): Verifier {
  const v = createVerifier({
    audience: 'presigned-audience',
    stsEndpoint: sts.url,
    webIdentity: { issuers: [sts.issuerFor(ACCT)], audiences: [AUDIENCE] },
    ...overrides,
  });
  verifiers.push(v);
  return v;
}

const mint = (options: Partial<Parameters<typeof mintWebIdentityToken>[0]> = {}) =>
  mintWebIdentityToken({ audience: AUDIENCE, signingAlgorithm: 'RS256', region: REGION, endpoint: sts.url, credentials: alice, ...options });

async function rejection(promise: Promise<unknown>): Promise<CallerIdError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(CallerIdError);
  return err as CallerIdError;
}

describe('mint with the AWS SDK, verify offline', () => {
  it.each(['RS256', 'ES384'] as const)('%s: an IAM user', async (signingAlgorithm) => {
    const { token, expiresAt } = await mint({ signingAlgorithm, durationSeconds: 900, tags: { job: 'nightly' } });
    expect(expiresAt.getTime() - Date.now()).toBeGreaterThan(890_000);
    const identity = await verifier().verify(token);
    expect(identity).toEqual({
      tokenType: 'web-identity',
      arn: alice.arn,
      canonicalArn: alice.arn,
      accountId: ACCT,
      partition: 'aws',
      principalType: 'user',
      userName: 'alice',
      userId: alice.userId,
      region: REGION,
      issuer: sts.issuerFor(ACCT),
      expiresAt: new Date(Math.floor(expiresAt.getTime() / 1000) * 1000).toISOString(),
      claims: { aws_account: ACCT, source_region: REGION, principal_id: alice.userId, request_tags: { job: 'nightly' } },
    });
  });

  it('a role session: sub is the role ARN, the session name comes from principal_id; policies apply unchanged', async () => {
    const { token } = await mint({ credentials: deployer, signingAlgorithm: 'ES384', audience: [AUDIENCE] });
    const identity = await verifier().verify(token);
    expect(identity).toMatchObject({
      arn: `arn:aws:iam::${ACCT}:role/ci/Deployer`,
      canonicalArn: `arn:aws:iam::${ACCT}:role/ci/Deployer`,
      principalType: 'role',
      roleName: 'Deployer',
      sessionName: 'ci-run-42',
      claims: { original_session_exp: expect.stringMatching(/Z$/) as unknown },
    });
    expect(compileAllow({ principals: [`arn:aws:iam::${ACCT}:role/ci/*`] })(identity)).toBe(true);
    expect(compileAllow({ accounts: [OTHER_ACCT] })(identity)).toBe(false);
  });

  it('one verifier takes both kinds of token, and refuses anything else locally', async () => {
    const v = verifier();
    const presigned = await mintToken({ audience: 'presigned-audience', region: REGION, credentials: alice });
    await expect(v.verify(presigned.token)).resolves.toMatchObject({ tokenType: 'presigned', arn: alice.arn });
    await expect(v.verify((await mint()).token)).resolves.toMatchObject({ tokenType: 'web-identity', arn: alice.arn });
    const before = sts.stats().totals.requests;
    expect((await rejection(v.verify('not-a-token'))).code).toBe('token_format');
    expect((await rejection(v.verify('a.b'))).code).toBe('token_format');
    expect(sts.stats().totals.requests).toBe(before);
  });

  it('without webIdentity a JWT is refused with web_identity_disabled', async () => {
    const { token } = await mint();
    const err = await rejection(verifier({ webIdentity: undefined }).verify(token));
    expect(err.code).toBe('web_identity_disabled');
    expect(err.status).toBe(401);
  });

  it('an unknown issuer causes no request at all', async () => {
    const { token } = await mint({ credentials: mallory });
    const v = verifier();
    const before = sts.stats().totals.requests;
    const err = await rejection(v.verify(token));
    expect(err.code).toBe('jwt_issuer');
    expect(sts.stats().totals.requests).toBe(before);
  });

  it('a wrong or extra audience is refused', async () => {
    expect((await rejection(verifier().verify((await mint({ audience: 'https://other.example.com' })).token))).code).toBe('jwt_audience');
    expect((await rejection(verifier().verify((await mint({ audience: [AUDIENCE, 'https://other.example.com'] })).token))).code).toBe('jwt_audience');
  });

  it('errors carry the verifier realm', async () => {
    const err = await rejection(verifier({ realm: 'payments' }).verify((await mint({ audience: 'https://other.example.com' })).token));
    expect(err.headers['WWW-Authenticate']).toContain('realm="payments"');
    expect(err.headers['WWW-Authenticate']).toContain('error="invalid_token"');
  });

  it('shares the verified-token cache: keyed by a SHA-256, kept until exp, no second verification', async () => {
    const memory = createMemoryCache();
    const sets: { key: string; entry: CacheEntry; ttlMs: number }[] = [];
    let hits = 0;
    const cache: CacheStore = {
      get: (key) => {
        const entry = memory.get(key);
        if (entry) hits++;
        return entry;
      },
      set: (key, entry, ttlMs) => {
        sets.push({ key, entry, ttlMs });
        memory.set(key, entry, ttlMs);
      },
      delete: (key) => memory.delete(key),
    };
    const v = verifier({ cache });
    const { token, expiresAt } = await mint({ signingAlgorithm: 'ES384', durationSeconds: 120 });
    await v.verify(token);
    await v.verify(token);
    expect(hits).toBe(1);
    expect(sets).toHaveLength(1);
    expect(sets[0]!.key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sets[0]!.ttlMs).toBeLessThanOrEqual(expiresAt.getTime() - Date.now() + 1_000);
    expect(sets[0]!.ttlMs).toBeGreaterThan(100_000);
    // Another configuration never shares a key with this one, even over the same store.
    const other = verifier({ cache, webIdentity: { issuers: [sts.issuerFor(ACCT)], audiences: [AUDIENCE], algorithms: ['ES384'] } });
    await other.verify(token);
    expect(sets).toHaveLength(2);
    expect(sets[1]!.key).not.toBe(sets[0]!.key);
  });
});

describe('JWKS trouble with the real issuer', () => {
  it('an unknown-kid storm costs at most one JWKS fetch', async () => {
    const v = verifier();
    const now = Math.floor(Date.now() / 1000);
    const claims = (kid: string) => ({
      iss: sts.issuerFor(ACCT), sub: alice.arn, aud: AUDIENCE, iat: now, exp: now + 300, jti: kid,
      'https://sts.amazonaws.com/': { aws_account: ACCT },
    });
    const tokens = await Promise.all(Array.from({ length: 100 }, (_, i) => sts.signWebIdentityToken(claims(`storm-${i}`), { kid: `RSA_storm_${i}` })));
    const before = sts.stats().actions.JWKS?.requests ?? 0;
    const results = await Promise.allSettled(tokens.map((t) => v.verify(t)));
    expect(results.every((r) => r.status === 'rejected' && (r.reason as CallerIdError).code === 'jwt_key_unknown')).toBe(true);
    expect((sts.stats().actions.JWKS?.requests ?? 0) - before).toBeLessThanOrEqual(1);
    // The real keys still work, without another fetch inside the cooldown.
    await expect(v.verify((await mint()).token)).resolves.toMatchObject({ tokenType: 'web-identity' });
    expect((sts.stats().actions.JWKS?.requests ?? 0) - before).toBeLessThanOrEqual(1);
  });


  it('keeps verifying with the last good keys while sts-local is gone, then answers 503', async () => {
    const local = await startStsLocal({ principals: [alice] });
    onTestFinished(() => local.close()); // the backstop: the test closes it mid-way (sts-local's close may run twice)
    const v = createVerifier({
      audience: 'unused',
      webIdentity: { issuers: [local.issuerFor(ACCT)], audiences: [AUDIENCE], jwks: { cacheMaxAgeMs: 200, staleIfErrorMs: 600, cooldownMs: 100 } },
    });
    verifiers.push(v);
    const mintHere = (signingAlgorithm: 'RS256' | 'ES384') =>
      mintWebIdentityToken({ audience: AUDIENCE, signingAlgorithm, region: REGION, endpoint: local.url, credentials: alice });
    const [first, second, third] = await Promise.all([mintHere('RS256'), mintHere('ES384'), mintHere('RS256')]);
    await v.verify(first.token);
    await local.close();
    await new Promise((r) => setTimeout(r, 300));
    // Past cacheMaxAge and the issuer is gone: the last good keys still serve (each token is new to the cache).
    await expect(v.verify(second.token)).resolves.toMatchObject({ tokenType: 'web-identity' });
    await new Promise((r) => setTimeout(r, 700));
    const err = await rejection(v.verify(third.token));
    expect(err.code).toBe('jwks_unavailable');
    expect(err.status).toBe(503);
  });
});

describe('mint errors', () => {
  it('maps OutboundWebIdentityFederationDisabledException', async () => {
    sts.setWebIdentityEnabled(false);
    try {
      const err = await rejection(mint());
      expect(err.code).toBe('outbound_federation_disabled');
      expect(err.status).toBe(500);
    } finally {
      sts.setWebIdentityEnabled(true);
    }
  });

  it('maps SessionDurationEscalationException', async () => {
    const shortSession = { ...deployer, accessKeyId: 'ASIASHORTSESSION0001', expiresAt: Date.now() + 120_000 };
    sts.addPrincipal(shortSession);
    expect((await rejection(mint({ credentials: shortSession, durationSeconds: 3600 }))).code).toBe('session_duration_escalation');
  });

  it('maps JWTPayloadSizeExceededException', async () => {
    const tags = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`tag-${i}`, 'v'.repeat(256)]));
    expect((await rejection(mint({ tags }))).code).toBe('jwt_payload_too_large');
  });

  it('refuses bad options before any request', async () => {
    const before = sts.stats().totals.requests;
    for (const options of [
      { audience: [] as string[] },
      { audience: Array.from({ length: 11 }, (_, i) => `a${i}`) },
      { audience: 'a'.repeat(1001) },
      { signingAlgorithm: 'HS256' as 'RS256' },
      { durationSeconds: 30 },
      { durationSeconds: 7200 },
      { region: 'aws-global' },
      { region: '' },
      { endpoint: 'http://sts.example.com' },
      { tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) },
    ]) {
      expect((await rejection(mint(options))).code).toBe('mint_options_invalid');
    }
    expect(sts.stats().totals.requests).toBe(before);
  });

  it('reports bad credentials without echoing them', async () => {
    const wrong = { ...alice, secretAccessKey: 'not-the-right-secret-key-for-alice-00000' };
    const err = await rejection(mint({ credentials: wrong }));
    expect(err.code).toBe('mint_failed');
    expect(JSON.stringify(err.toJSON())).not.toContain(wrong.secretAccessKey);
    expect((await rejection(mint({ credentials: { accessKeyId: 'bad', secretAccessKey: '' } }))).code).toBe('credentials_unavailable');
  });
});
