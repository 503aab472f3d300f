import { describe, expect, it } from 'vitest';
import { CallerIdError, ERROR_CODES } from '@callerid/core';
import { TOKEN_CLIENT_LIFETIME_MS } from '@callerid/mint';
import { createTokenProvider, createTokenProviders } from '@callerid/client';
import { ALICE, SESSION, aliceCredentials, countingMint, useProtectedService } from './support/servers.js';

const audience = 'payments-api';

function fakeClock(start = Date.now()) {
  let now = start;
  return { clock: () => now, advance: (ms: number) => (now += ms), set: (ms: number) => (now = ms), get now() { return now; } };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('createTokenProvider: caching', () => {
  it('mints once for 100 sequential calls and reuses the token', async () => {
    const counter = countingMint();
    const provider = createTokenProvider({ audience, credentials: aliceCredentials, mint: counter.mint });
    const first = await provider.getToken();
    expect(first.startsWith('k8s-aws-v1.')).toBe(true);
    for (let i = 0; i < 99; i++) expect(await provider.getToken()).toBe(first);
    expect(counter.count).toBe(1);
  });

  it('mints once for 100 concurrent calls (single flight)', async () => {
    const counter = countingMint();
    const provider = createTokenProvider({ audience, credentials: aliceCredentials, mint: counter.mint });
    const tokens = await Promise.all(Array.from({ length: 100 }, () => provider.getToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(counter.count).toBe(1);
  });

  it('refreshes in the background once the clock passes the refresh point, exactly once', async () => {
    const time = fakeClock();
    const counter = countingMint();
    const provider = createTokenProvider({ audience, credentials: aliceCredentials, mint: counter.mint, clock: time.clock });
    const first = await provider.getToken();
    const refreshPoint = TOKEN_CLIENT_LIFETIME_MS - 60_000;

    time.advance(refreshPoint - 1_000);
    expect(await provider.getToken()).toBe(first);
    expect(counter.count).toBe(1);

    time.advance(2_000); // inside the refresh window: the old token is still served, a new one is minted behind it
    const during = await Promise.all(Array.from({ length: 50 }, () => provider.getToken()));
    expect(new Set(during)).toEqual(new Set([first]));
    await flush();
    expect(counter.count).toBe(2);

    const second = await provider.getToken();
    expect(second).not.toBe(first);
    for (let i = 0; i < 100; i++) expect(await provider.getToken()).toBe(second);
    expect(counter.count).toBe(2);
  });

  it('waits for a new token once the old one has expired, minting once for all waiters', async () => {
    const time = fakeClock();
    const counter = countingMint();
    const provider = createTokenProvider({ audience, credentials: aliceCredentials, mint: counter.mint, clock: time.clock });
    const first = await provider.getToken();
    time.advance(TOKEN_CLIENT_LIFETIME_MS + 1);
    const tokens = await Promise.all(Array.from({ length: 100 }, () => provider.getToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(first);
    expect(counter.count).toBe(2);
  });

  it('never lets a token outlive its credentials: expiring credentials shorten the token life', async () => {
    const time = fakeClock();
    const counter = countingMint();
    let expiration = new Date(time.now + 3 * 60_000);
    const credentials = async () => ({ ...sessionCredentials(), expiration });
    const provider = createTokenProvider({ audience, credentials, mint: counter.mint, clock: time.clock });
    const first = await provider.getToken();

    time.advance(2 * 60_000 - 1_000); // 1 s before (credentials expiry - refreshBeforeMs)
    expect(await provider.getToken()).toBe(first);
    expect(counter.count).toBe(1);

    time.advance(2_000); // past the refresh point of the shortened token; far before 14 minutes
    expiration = new Date(time.now + 60 * 60_000); // the credentials were renewed meanwhile
    expect(await provider.getToken()).toBe(first);
    await flush();
    expect(counter.count).toBe(2);
    expect(await provider.getToken()).not.toBe(first);

    time.advance(TOKEN_CLIENT_LIFETIME_MS - 61_000); // the renewed credentials no longer shorten anything
    await provider.getToken();
    expect(counter.count).toBe(2);
  });

  it('clamps even when the minting function ignores the credentials expiry', async () => {
    const time = fakeClock();
    let mints = 0;
    const provider = createTokenProvider({
      audience,
      credentials: async () => ({ ...sessionCredentials(), expiration: new Date(time.now + 5 * 60_000) }),
      clock: time.clock,
      mint: async () => ({ token: `k8s-aws-v1.fake-${++mints}`, expiresAt: new Date(time.now + 60 * 60_000) }),
    });
    expect(await provider.getToken()).toBe('k8s-aws-v1.fake-1');
    time.advance(5 * 60_000); // the first credentials (and so the first token) have expired
    expect(await provider.getToken()).toBe('k8s-aws-v1.fake-2');
  });

  it('refuses credentials that are already expired', async () => {
    const time = fakeClock();
    const provider = createTokenProvider({
      audience,
      credentials: { ...sessionCredentials(), expiration: new Date(time.now - 1) },
      clock: time.clock,
    });
    await expect(provider.getToken()).rejects.toMatchObject({ code: 'credentials_unavailable' });
  });

  it('does not refresh short-lived tokens on every call (at most half-way through their life)', async () => {
    const time = fakeClock();
    const counter = countingMint();
    const credentials = async () => ({ ...sessionCredentials(), expiration: new Date(time.now + 40_000) });
    const provider = createTokenProvider({ audience, credentials, mint: counter.mint, clock: time.clock });
    await provider.getToken();
    time.advance(19_000);
    for (let i = 0; i < 20; i++) await provider.getToken();
    expect(counter.count).toBe(1);
  });

  it('invalidate() forgets the token; invalidate(token) only if it is still the cached one', async () => {
    const counter = countingMint();
    const time = fakeClock();
    const provider = createTokenProvider({ audience, credentials: aliceCredentials, mint: counter.mint, clock: time.clock });
    const first = await provider.getToken();
    provider.invalidate('k8s-aws-v1.some-other-token');
    expect(await provider.getToken()).toBe(first);
    expect(counter.count).toBe(1);
    time.advance(1_000); // tokens are deterministic per second of signing
    provider.invalidate(first);
    provider.invalidate(first); // a second refusal of the same token changes nothing more
    const second = await provider.getToken();
    expect(counter.count).toBe(2);
    provider.invalidate(first);
    expect(await provider.getToken()).toBe(second);
    provider.invalidate();
    await provider.getToken();
    expect(counter.count).toBe(3);
  });
});

describe('createTokenProvider: failures', () => {
  it('reports unavailable credentials as credentials_unavailable with the SDK error as cause', async () => {
    const sdkError = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    const provider = createTokenProvider({ audience, credentials: async () => Promise.reject(sdkError) });
    const err = await provider.getToken().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CallerIdError);
    expect(err).toMatchObject({ code: 'credentials_unavailable', cause: sdkError });
  });

  it('reports a failing mint as mint_failed with the cause, and shares one failure between concurrent callers', async () => {
    // Even when the underlying error quotes a token, the CallerIdError's message is the fixed description.
    const cause = Object.assign(new Error('signer exploded on k8s-aws-v1.aHR0cHM6Ly9zdHM'), { name: 'SignatureError' });
    let calls = 0;
    const provider = createTokenProvider({
      audience,
      credentials: aliceCredentials,
      mint: async () => {
        calls++;
        throw cause;
      },
    });
    const errors = await Promise.all(Array.from({ length: 10 }, () => provider.getToken().catch((e: unknown) => e)));
    expect(calls).toBe(1);
    for (const err of errors) expect(err).toMatchObject({ name: 'CallerIdError', code: 'mint_failed', message: ERROR_CODES.mint_failed.description, cause });
    await provider.getToken().catch(() => undefined); // a failure is not cached: the next call tries again
    expect(calls).toBe(2);
  });

  it('passes core errors through and never puts a token or secret in the message', async () => {
    const provider = createTokenProvider({ audience, credentials: { accessKeyId: 'not valid', secretAccessKey: ALICE.secretAccessKey } });
    const err = await provider.getToken().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'credentials_unavailable' });
    expect(String((err as Error).message)).not.toContain(ALICE.secretAccessKey);
    expect(JSON.stringify(err)).not.toContain(ALICE.secretAccessKey);
  });

  it('keeps serving the cached token when a background refresh fails', async () => {
    const time = fakeClock();
    let fail = false;
    let mints = 0;
    const counter = countingMint();
    const provider = createTokenProvider({
      audience,
      credentials: aliceCredentials,
      clock: time.clock,
      mint: async (o) => {
        mints++;
        if (fail) throw new Error('sts down');
        return counter.mint(o);
      },
    });
    const first = await provider.getToken();
    fail = true;
    time.advance(TOKEN_CLIENT_LIFETIME_MS - 30_000);
    expect(await provider.getToken()).toBe(first);
    await flush();
    expect(mints).toBe(2);
    expect(await provider.getToken()).toBe(first); // no new attempt right after a failure
    expect(mints).toBe(2);
    fail = false;
    time.advance(1_500);
    expect(await provider.getToken()).toBe(first);
    await flush();
    expect(await provider.getToken()).not.toBe(first);
    expect(mints).toBe(3);
  });

  it('validates its options', () => {
    expect(() => createTokenProvider({ audience: '' })).toThrow(CallerIdError);
    expect(() => createTokenProvider({ audience, refreshBeforeMs: -1 })).toThrow(/refreshBeforeMs/);
    expect(() => createTokenProvider({ audience, refreshBeforeMs: Number.NaN })).toThrow(CallerIdError);
  });
});

describe('token providers against sts-local', () => {
  const env = useProtectedService(audience);

  async function whoAmI(token: string) {
    const res = await fetch(env.service.url, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as { arn: string };
  }

  it('mints tokens the server accepts, with temporary credentials too', async () => {
    expect(await whoAmI(await createTokenProvider({ audience, credentials: aliceCredentials }).getToken())).toMatchObject({ arn: ALICE.arn });
    const temporary = async () => ({ ...sessionCredentials(), expiration: new Date(Date.now() + 10 * 60_000) });
    expect(await whoAmI(await createTokenProvider({ audience, credentials: temporary }).getToken())).toMatchObject({ arn: SESSION.arn });
  });

  it('createTokenProviders keeps one provider per audience', async () => {
    const counter = countingMint();
    let now = Date.now();
    const tokens = createTokenProviders({ credentials: aliceCredentials, mint: counter.mint, clock: () => now });
    expect(tokens.get(audience)).toBe(tokens.get(audience));
    const a = await tokens.getToken(audience);
    const b = await tokens.getToken('other-api');
    expect(a).not.toBe(b);
    await Promise.all(Array.from({ length: 20 }, () => tokens.getToken(audience)));
    expect(counter.count).toBe(2);
    expect(await whoAmI(a)).toMatchObject({ arn: ALICE.arn });
    now += 1_000; // tokens are deterministic per second of signing
    tokens.invalidate(audience);
    expect(await tokens.getToken(audience)).not.toBe(a);
    expect(await tokens.getToken('other-api')).toBe(b);
    tokens.invalidate();
    expect(await tokens.getToken('other-api')).not.toBe(b);
  });

  it('roleArn assumes the role once (memoized) and signs as the session', async () => {
    const saved = process.env.AWS_ENDPOINT_URL_STS;
    process.env.AWS_ENDPOINT_URL_STS = env.sts.url;
    try {
      const before = env.sts.stats().actions.AssumeRole?.requests ?? 0;
      const roleArn = `arn:aws:iam::${ALICE.account}:role/reader`;
      const tokens = createTokenProviders({ credentials: aliceCredentials, roleArn, roleSessionName: 'client-test', region: 'us-east-1' });
      const a = await tokens.getToken(audience);
      tokens.invalidate();
      await tokens.getToken(audience);
      await tokens.getToken('other-api');
      expect((env.sts.stats().actions.AssumeRole?.requests ?? 0) - before).toBe(1);
      expect(await whoAmI(a)).toMatchObject({ arn: `arn:aws:sts::${ALICE.account}:assumed-role/reader/client-test` });
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_STS;
      else process.env.AWS_ENDPOINT_URL_STS = saved;
    }
  });
});

function sessionCredentials() {
  return { accessKeyId: SESSION.accessKeyId, secretAccessKey: SESSION.secretAccessKey, sessionToken: SESSION.sessionToken };
}
