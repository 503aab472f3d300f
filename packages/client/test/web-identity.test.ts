/**
 * `tokenType: 'web-identity'`: the provider hands out AWS web identity JWTs minted by sts-local's
 * GetWebIdentityToken, reuses them until shortly before `exp`, and a real Express service protected by
 * `@callerid/express` (with `webIdentity`) accepts them.
 */
import { readFileSync } from 'node:fs';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { closeWhenTestEnds, listening } from '@callerid/test-harness';
import { CallerIdError, createVerifier, type Identity } from '@callerid/core';
import { callerid, callerIdErrorHandler } from '@callerid/express';
import type { StsLocal } from '@callerid/sts-local';
import { createTokenProvider, withCallerId, type TokenProviderOptions } from '@callerid/client';
import { ACCOUNT, ALICE, SESSION, aliceCredentials, startSts } from './support/servers.js';

const AUDIENCE = 'https://payments.example.com';
let sts: StsLocal;

beforeAll(async () => {
  sts = await startSts();
});
afterAll(async () => {
  await sts.close();
});

const jwtProvider = (options: Partial<TokenProviderOptions> = {}) =>
  createTokenProvider({ audience: AUDIENCE, tokenType: 'web-identity', stsEndpoint: sts.url, region: 'eu-west-1', credentials: aliceCredentials, ...options });
const mints = () => sts.stats().actions.GetWebIdentityToken?.accepted ?? 0;
const payloadOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number; iat: number; aud: string };

function fakeClock(start = Date.now()) {
  let now = start;
  return { clock: () => now, advance: (ms: number) => (now += ms) };
}

describe("createTokenProvider({ tokenType: 'web-identity' })", () => {
  it('hands out a web identity JWT that the verifier accepts, minted once for many callers', async () => {
    const before = mints();
    const provider = jwtProvider({ signingAlgorithm: 'ES384' });
    const tokens = await Promise.all(Array.from({ length: 50 }, () => provider.getToken()));
    expect(new Set(tokens).size).toBe(1);
    for (let i = 0; i < 50; i++) expect(await provider.getToken()).toBe(tokens[0]);
    expect(mints() - before).toBe(1);
    const token = tokens[0]!;
    expect(token.split('.')).toHaveLength(3);
    expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())).toMatchObject({ alg: 'ES384' });
    expect(payloadOf(token).exp - payloadOf(token).iat).toBe(300);
    const verifier = createVerifier({ audience: 'unused', webIdentity: { issuers: [sts.issuerFor(ACCOUNT)], audiences: [AUDIENCE] } });
    closeWhenTestEnds(verifier);
    await expect(verifier.verify(token)).resolves.toMatchObject({ tokenType: 'web-identity', arn: ALICE.arn });
  });

  it('reuses the token until shortly before exp, then mints the next one in the background', async () => {
    const time = fakeClock();
    const provider = jwtProvider({ durationSeconds: 120, refreshBeforeMs: 30_000, clock: time.clock });
    const before = mints();
    const first = await provider.getToken();
    time.advance(85_000); // before exp - 30 s
    expect(await provider.getToken()).toBe(first);
    expect(mints() - before).toBe(1);
    time.advance(10_000); // inside the refresh window: the current token is served, the next one minted
    expect(await provider.getToken()).toBe(first);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const second = await provider.getToken();
    expect(second).not.toBe(first);
    expect(mints() - before).toBe(2);
  });

  it('never asks for a token that would outlive expiring credentials', async () => {
    const now = Date.now();
    const credentials = async () => ({
      accessKeyId: SESSION.accessKeyId,
      secretAccessKey: SESSION.secretAccessKey,
      sessionToken: SESSION.sessionToken,
      expiration: new Date(now + 200_000),
    });
    const token = await jwtProvider({ credentials, durationSeconds: 3600 }).getToken();
    const { exp, iat } = payloadOf(token);
    expect(exp - iat).toBeGreaterThanOrEqual(180);
    expect(exp - iat).toBeLessThanOrEqual(190);
    const tooShort = async () => ({ ...(await credentials()), expiration: new Date(Date.now() + 30_000) });
    await expect(jwtProvider({ credentials: tooShort }).getToken()).rejects.toMatchObject({ code: 'credentials_unavailable' });
  });

  it('reports GetWebIdentityToken refusals with their own codes', async () => {
    sts.setWebIdentityEnabled(false);
    try {
      const err = await jwtProvider().getToken().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CallerIdError);
      expect((err as CallerIdError).code).toBe('outbound_federation_disabled');
    } finally {
      sts.setWebIdentityEnabled(true);
    }
  });

  it('refuses options of the other kind of token', () => {
    const invalid = (options: Partial<TokenProviderOptions>) => {
      try {
        createTokenProvider({ audience: AUDIENCE, credentials: aliceCredentials, ...options });
      } catch (err) {
        return (err as CallerIdError).code;
      }
      return 'accepted';
    };
    expect(invalid({ signingAlgorithm: 'ES384' })).toBe('mint_options_invalid');
    expect(invalid({ tokenType: 'presigned', durationSeconds: 300 })).toBe('mint_options_invalid');
    expect(invalid({ tokenType: 'web-identity', endpoint: 'global' })).toBe('mint_options_invalid');
    expect(invalid({ tokenType: 'web-identity', fips: true })).toBe('mint_options_invalid');
    expect(invalid({ tokenType: 'jwt' as 'web-identity' })).toBe('mint_options_invalid');
    expect(invalid({ tokenType: 'web-identity', signingAlgorithm: 'ES384' })).toBe('accepted');
  });
});

async function jwtService(): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  const middleware = callerid({ audience: 'payments-api', stsEndpoint: sts.url, webIdentity: { issuers: [sts.issuerFor(ACCOUNT)], audiences: [AUDIENCE] } });
  app.use(middleware);
  app.use((req, res) => {
    res.json(req.caller);
  });
  app.use(callerIdErrorHandler());
  return listening(app.listen(0, '127.0.0.1'), () => middleware.close());
}

describe('README: web identity provider', () => {
  it('shows the example file verbatim, and it gets 200 with a web identity caller', async () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const [, file, code] = /<!-- web-identity-snippet: (\S+) -->\n```ts\n([\s\S]*?)```/.exec(readme)!;
    expect(code).toBe(readFileSync(new URL(`../${file!}`, import.meta.url), 'utf8'));
    const service = await jwtService();
    const saved = { ...process.env };
    for (const key of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_DEFAULT_REGION']) delete process.env[key];
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: ALICE.accessKeyId, AWS_SECRET_ACCESS_KEY: ALICE.secretAccessKey, PAYMENTS_URL: service.url, AWS_ENDPOINT_URL_STS: sts.url });
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await import('./readme-web-identity/provider.js');
      expect(log.mock.calls[0]).toEqual([200, expect.objectContaining({ tokenType: 'web-identity', arn: ALICE.arn })]);
    } finally {
      log.mockRestore();
      process.env = saved;
      await service.close();
    }
  });
});

describe('withCallerId with web identity tokens', () => {
  it('calls a service that accepts web identity tokens', async () => {
    const service = await jwtService();
    try {
      const payments = withCallerId(fetch, { audience: AUDIENCE, tokenType: 'web-identity', stsEndpoint: sts.url, region: 'eu-west-1', credentials: aliceCredentials });
      const before = sts.stats();
      for (let i = 0; i < 3; i++) {
        const res = await payments(`${service.url}/whoami`);
        expect(res.status).toBe(200);
        expect((await res.json()) as Identity).toMatchObject({ tokenType: 'web-identity', arn: ALICE.arn, region: 'eu-west-1' });
      }
      const after = sts.stats();
      // One mint, one JWKS fetch, no GetCallerIdentity at all.
      expect((after.actions.GetWebIdentityToken?.requests ?? 0) - (before.actions.GetWebIdentityToken?.requests ?? 0)).toBe(1);
      expect((after.actions.JWKS?.requests ?? 0) - (before.actions.JWKS?.requests ?? 0)).toBe(1);
      expect(after.actions.GetCallerIdentity?.requests ?? 0).toBe(before.actions.GetCallerIdentity?.requests ?? 0);
    } finally {
      await service.close();
    }
  });
});
