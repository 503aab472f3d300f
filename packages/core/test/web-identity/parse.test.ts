import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallerIdError, parseWebIdentityToken } from '../../src/index.js';
import { startTestIssuer, type TestIssuer } from './test-issuer.js';

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await startTestIssuer();
});
afterAll(async () => {
  await issuer.close();
});

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CallerIdError);
    return (err as CallerIdError).code;
  }
  return 'parsed';
};
const now = () => Math.floor(Date.now() / 1000);

describe('parseWebIdentityToken', () => {
  it('returns what a token says after every local check, without any request', async () => {
    const token = await issuer.sign({ alg: 'ES384', claims: { aud: ['a', 'b'] } });
    const before = issuer.requests();
    const parsed = parseWebIdentityToken(token);
    expect(parsed).toMatchObject({
      algorithm: 'ES384',
      keyId: 'EC384_0',
      issuer: issuer.issuer,
      subject: 'arn:aws:iam::123456789012:role/Reader',
      audience: ['a', 'b'],
      lifetimeSeconds: 300,
      accountId: '123456789012',
      partition: 'aws',
      principalType: 'role',
      claims: { aws_account: '123456789012', source_region: 'eu-west-1' },
    });
    expect(parsed.expiresAt.getTime() - parsed.issuedAt.getTime()).toBe(300_000);
    expect(issuer.requests()).toBe(before);
  });

  it('checks issuer and audience only when given', async () => {
    const token = await issuer.sign();
    expect(codeOf(() => parseWebIdentityToken(token, { issuers: ['https://other.example.com'] }))).toBe('jwt_issuer');
    expect(codeOf(() => parseWebIdentityToken(token, { issuers: [issuer.issuer], audiences: [issuer.audience] }))).toBe('parsed');
    expect(codeOf(() => parseWebIdentityToken(token, { audiences: ['https://other.example.com'] }))).toBe('jwt_audience');
  });

  it('reports the first failing check, in a fixed order', async () => {
    expect(codeOf(() => parseWebIdentityToken('a.b'))).toBe('jwt_malformed');
    expect(codeOf(() => parseWebIdentityToken(`${'a'.repeat(20_000)}.b.c`))).toBe('token_too_large');
    const jku = await issuer.sign({ header: { jku: 'https://x' } });
    expect(codeOf(() => parseWebIdentityToken(jku))).toBe('jwt_header');
    // Lifetime is checked before the time window: a 2-hour token long expired reports its lifetime.
    const old = await issuer.sign({ claims: { iat: now() - 90_000, exp: now() - 82_800 } });
    expect(codeOf(() => parseWebIdentityToken(old))).toBe('jwt_lifetime');
    const expired = await issuer.sign({ claims: { iat: now() - 900, exp: now() - 600 } });
    expect(codeOf(() => parseWebIdentityToken(expired))).toBe('jwt_expired');
    expect(codeOf(() => parseWebIdentityToken(expired, { now: (now() - 700) * 1000 }))).toBe('parsed');
  });

  it('does not check the signature', async () => {
    const [header, payload] = (await issuer.sign()).split('.');
    expect(codeOf(() => parseWebIdentityToken(`${header}.${payload}.AAAA`))).toBe('parsed');
  });
});
