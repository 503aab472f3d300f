import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CallerIdError } from '../../src/errors.js';
import { createWebIdentityVerifier, type WebIdentityOptions, type WebIdentityVerifier } from '../../src/web-identity/index.js';
import { rawJwt, startTestIssuer, type TestIssuer } from './test-issuer.js';

let issuer: TestIssuer;
const verifiers: WebIdentityVerifier[] = [];

beforeAll(async () => {
  issuer = await startTestIssuer();
});
afterEach(async () => {
  issuer.setMode('ok');
  await Promise.all(verifiers.splice(0).map((v) => v.close()));
});
afterAll(async () => {
  await issuer.close();
});

function verifier(overrides: Partial<WebIdentityOptions> = {}): WebIdentityVerifier {
  const v = createWebIdentityVerifier({ issuers: [issuer.issuer], audiences: [issuer.audience], ...overrides });
  verifiers.push(v);
  return v;
}

async function rejection(promise: Promise<unknown>): Promise<CallerIdError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(CallerIdError);
  return err as CallerIdError;
}

async function expectCode(v: WebIdentityVerifier, token: string, code: string): Promise<CallerIdError> {
  const err = await rejection(v.verify(token));
  expect(err.code).toBe(code);
  // Errors say what was wrong, never what was sent.
  for (const part of token.split('.').filter((p) => p.length >= 8)) {
    expect(err.message).not.toContain(part);
    expect(JSON.stringify(err.toJSON())).not.toContain(part);
  }
  return err;
}

const now = () => Math.floor(Date.now() / 1000);

describe('web identity verification: accepted tokens', () => {
  it.each(['RS256', 'ES384'] as const)('verifies an AWS-shaped %s token into an Identity', async (alg) => {
    const identity = await verifier().verify(await issuer.sign({ alg }));
    expect(identity).toMatchObject({
      tokenType: 'web-identity',
      arn: 'arn:aws:iam::123456789012:role/Reader',
      canonicalArn: 'arn:aws:iam::123456789012:role/Reader',
      accountId: '123456789012',
      partition: 'aws',
      principalType: 'role',
      roleName: 'Reader',
      sessionName: 'worker-1',
      userId: 'AROAEXAMPLEROLEID:worker-1',
      region: 'eu-west-1',
      issuer: issuer.issuer,
      claims: { aws_account: '123456789012', org_id: 'o-abc1234567', principal_tags: { team: 'data' } },
    });
    expect(Date.parse(identity.expiresAt)).toBeGreaterThan(Date.now());
  });

  it('accepts IAM users, role paths, ou_path as a string, and an audience array', async () => {
    const token = await issuer.sign({
      claims: {
        sub: 'arn:aws:iam::123456789012:user/ops/alice',
        aud: [issuer.audience],
        'https://sts.amazonaws.com/': { aws_account: '123456789012', ou_path: 'o-abc/r-ab12/' },
      },
    });
    const identity = await verifier().verify(token);
    expect(identity).toMatchObject({ principalType: 'user', userName: 'alice', userId: '', claims: { ou_path: 'o-abc/r-ab12/' } });
    expect(identity.roleName).toBeUndefined();
  });

  it('follows the injected clock for token times', async () => {
    const token = await issuer.sign({ claims: { iat: now() - 4000, exp: now() - 3700 } });
    const v = verifier();
    await expectCode(v, token, 'jwt_expired');
    const past = createWebIdentityVerifier({ issuers: [issuer.issuer], audiences: [issuer.audience] }, { clock: () => (now() - 3800) * 1000 });
    verifiers.push(past);
    await expect(past.verify(token)).resolves.toMatchObject({ tokenType: 'web-identity' });
  });
});

describe('web identity verification: header and algorithm', () => {
  it('rejects alg none, with or without a signature segment, without any fetch', async () => {
    const before = issuer.requests();
    const payload = { iss: issuer.issuer, sub: 'arn:aws:iam::123456789012:role/Reader', aud: issuer.audience, iat: now(), exp: now() + 60, jti: 'x' };
    await expectCode(verifier(), rawJwt({ alg: 'none', typ: 'JWT' }, payload), 'jwt_malformed');
    await expectCode(verifier(), rawJwt({ alg: 'none', kid: 'RSA_0' }, payload, 'c2ln'), 'jwt_algorithm');
    expect(issuer.requests()).toBe(before);
  });

  it('rejects HS256 signed with the RSA public key as the HMAC secret', async () => {
    const before = issuer.requests();
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', kid: 'RSA_0', typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ iss: issuer.issuer, sub: 'arn:aws:iam::123456789012:role/Reader', aud: issuer.audience, iat: now(), exp: now() + 60, jti: 'x', 'https://sts.amazonaws.com/': { aws_account: '123456789012' } })).toString('base64url');
    const signature = createHmac('sha256', await issuer.publicKeyPem('RS256')).update(`${header}.${payload}`).digest('base64url');
    await expectCode(verifier(), `${header}.${payload}.${signature}`, 'jwt_algorithm');
    expect(issuer.requests()).toBe(before);
  });

  it('rejects an algorithm outside the configured allow-list', async () => {
    await expectCode(verifier({ algorithms: ['ES384'] }), await issuer.sign({ alg: 'RS256' }), 'jwt_algorithm');
  });

  it('binds the algorithm to the key type: an ES384 token naming the RSA kid finds no key', async () => {
    await expectCode(verifier(), await issuer.sign({ alg: 'ES384', kid: 'RSA_0' }), 'jwt_key_unknown');
    await expectCode(verifier(), await issuer.sign({ alg: 'RS256', kid: 'EC384_0' }), 'jwt_key_unknown');
  });

  it.each(['jku', 'x5u', 'jwk', 'x5c', 'crit'])('rejects a token with a %s header and never follows it', async (name) => {
    const elsewhere = await startTestIssuer();
    try {
      const value = name === 'jwk' ? { kty: 'oct', k: 'AAAA' } : name === 'x5c' || name === 'crit' ? ['exp'] : `${elsewhere.issuer}/.well-known/jwks.json`;
      // jose refuses to sign an unknown crit, so that one is assembled by hand (it never gets to the signature).
      const token = name === 'crit'
        ? `${Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'RSA_0', crit: value, exp: 1 })).toString('base64url')}.${(await issuer.sign()).split('.').slice(1).join('.')}`
        : await issuer.sign({ header: { [name]: value } });
      await expectCode(verifier(), token, 'jwt_header');
      expect(elsewhere.requests()).toBe(0);
    } finally {
      await elsewhere.close();
    }
  });

  it('requires a kid and a JWT typ', async () => {
    await expectCode(verifier(), await issuer.sign({ kid: '' }), 'jwt_header');
    await expectCode(verifier(), await issuer.sign({ header: { typ: 'at+jwt' } }), 'jwt_header');
  });
});

describe('web identity verification: size and shape', () => {
  it('caps the size before anything else, and makes no request', async () => {
    const before = issuer.requests();
    const token = await issuer.sign({ claims: { filler: 'x'.repeat(20_000) } });
    await expectCode(verifier(), token, 'token_too_large');
    await expectCode(verifier({ maxTokenBytes: 512 }), await issuer.sign(), 'token_too_large');
    expect(issuer.requests()).toBe(before);
  });

  it.each([
    ['two segments', 'eyJhbGciOiJSUzI1NiJ9.e30'],
    ['four segments', 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln.c2ln'],
    ['padding', 'eyJhbGciOiJSUzI1NiJ9.e30=.c2ln'],
    ['whitespace', 'eyJhbGciOiJSUzI1NiJ9. e30.c2ln'],
    ['standard base64', 'eyJhbGciOiJSUzI1NiJ9.e30+.c2ln'],
    ['impossible length', 'eyJhbGciOiJSUzI1NiJ9.e.c2ln'],
    ['non-JSON header', `${Buffer.from('alg').toString('base64url')}.e30.c2ln`],
    ['array payload', `eyJhbGciOiJSUzI1NiJ9.${Buffer.from('[1]').toString('base64url')}.c2ln`],
    ['empty', ''],
  ])('rejects %s as jwt_malformed', async (_name, token) => {
    await expectCode(verifier(), token, 'jwt_malformed');
  });
});

describe('web identity verification: one token, one string', () => {
  const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

  it('accepts the canonical spelling and refuses a signature whose unused bits are set, without any fetch', async () => {
    const token = await issuer.sign({ alg: 'RS256' });
    await expect(verifier().verify(token)).resolves.toBeDefined();
    // 256 signature bytes are 342 characters: the last one carries 4 unused bits, which decoders ignore.
    const last = ALPHABET.indexOf(token.at(-1)!);
    expect(last & 0b1111).toBe(0);
    const twin = token.slice(0, -1) + ALPHABET[last | 0b0001]!;
    expect(Buffer.from(twin.split('.')[2]!, 'base64url')).toEqual(Buffer.from(token.split('.')[2]!, 'base64url'));
    const before = issuer.requests();
    await expectCode(verifier(), twin, 'jwt_malformed');
    expect(issuer.requests()).toBe(before);
  });

  it('refuses duplicate member names in the payload or the header, even under a valid signature', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = (sub: string) =>
      `"iss":${JSON.stringify(issuer.issuer)},"sub":${JSON.stringify(sub)},"aud":${JSON.stringify(issuer.audience)},"iat":${now},"exp":${now + 300},"jti":"j-1",` +
      `"https://sts.amazonaws.com/":{"aws_account":"${issuer.account}"}`;
    const good = `{${claims(`arn:aws:iam::${issuer.account}:role/Reader`)}}`;
    const header = '{"alg":"RS256","kid":"RSA_0","typ":"JWT"}';
    await expect(verifier().verify(issuer.signRaw(header, good))).resolves.toMatchObject({ arn: `arn:aws:iam::${issuer.account}:role/Reader` });
    // JSON.parse (and jose) keep the last "sub"; another reader would keep the first.
    const twoSubjects = `{"sub":"arn:aws:iam::${issuer.account}:role/Admin",${claims(`arn:aws:iam::${issuer.account}:role/Reader`)}}`;
    await expectCode(verifier(), issuer.signRaw(header, twoSubjects), 'jwt_malformed');
    const nested = `{${claims(`arn:aws:iam::${issuer.account}:role/Reader`).replace('"aws_account"', '"aws_account":"999999999999","aws_account"')}}`;
    await expectCode(verifier(), issuer.signRaw(header, nested), 'jwt_malformed');
    await expectCode(verifier(), issuer.signRaw('{"alg":"RS256","kid":"RSA_0","kid":"RSA_0","typ":"JWT"}', good), 'jwt_malformed');
  });
});

describe('web identity verification: issuer', () => {
  it('rejects an unknown issuer before any network request', async () => {
    const other = await startTestIssuer();
    try {
      const before = issuer.requests();
      const token = await other.sign();
      await expectCode(verifier(), token, 'jwt_issuer');
      expect(other.requests()).toBe(0);
      expect(issuer.requests()).toBe(before);
      // A near miss (trailing slash) is not the issuer either: comparison is exact.
      await expectCode(verifier(), await issuer.sign({ claims: { iss: `${issuer.issuer}/` } }), 'jwt_issuer');
      await expectCode(verifier(), await issuer.sign({ claims: { iss: undefined } }), 'jwt_issuer');
    } finally {
      await other.close();
    }
  });

  it('refuses issuers it could not fetch safely', () => {
    expect(() => createWebIdentityVerifier({ issuers: ['http://example.com/issuer'], audiences: ['a'] })).toThrow(TypeError);
    expect(() => createWebIdentityVerifier({ issuers: ['https://user:pw@example.com'], audiences: ['a'] })).toThrow(TypeError);
    expect(() => createWebIdentityVerifier({ issuers: ['https://example.com/?x=1'], audiences: ['a'] })).toThrow(TypeError);
    expect(() => createWebIdentityVerifier({ issuers: [], audiences: ['a'] })).toThrow(TypeError);
    expect(() => createWebIdentityVerifier({ issuers: ['https://example.com'], audiences: [] })).toThrow(TypeError);
    expect(() => createWebIdentityVerifier({ issuers: ['https://example.com'], audiences: ['a'], algorithms: ['HS256' as 'RS256'] })).toThrow(TypeError);
    expect(() => createWebIdentityVerifier({ issuers: ['https://example.com'], audiences: ['a'], maxLifetimeSeconds: 7200 })).toThrow(TypeError);
  });
});

describe('web identity verification: claims', () => {
  it('requires the audience, and rejects wrong and extra audiences', async () => {
    const v = verifier();
    await expectCode(v, await issuer.sign({ claims: { aud: 'https://other.example.com' } }), 'jwt_audience');
    await expectCode(v, await issuer.sign({ claims: { aud: [issuer.audience, 'https://other.example.com'] } }), 'jwt_audience');
    await expectCode(v, await issuer.sign({ claims: { aud: undefined } }), 'jwt_audience');
    await expectCode(v, await issuer.sign({ claims: { aud: [] } }), 'jwt_audience');
    const lenient = verifier({ allowExtraAudiences: true });
    await expect(lenient.verify(await issuer.sign({ claims: { aud: [issuer.audience, 'https://other.example.com'] } }))).resolves.toBeDefined();
    await expectCode(lenient, await issuer.sign({ claims: { aud: ['https://other.example.com'] } }), 'jwt_audience');
  });

  it('rejects expired tokens, allowing the configured skew', async () => {
    await expectCode(verifier(), await issuer.sign({ claims: { iat: now() - 400, exp: now() - 100 } }), 'jwt_expired');
    await expect(verifier().verify(await issuer.sign({ claims: { iat: now() - 400, exp: now() - 10 } }))).resolves.toBeDefined();
    await expectCode(verifier({ clockToleranceSeconds: 0 }), await issuer.sign({ claims: { iat: now() - 400, exp: now() - 10 } }), 'jwt_expired');
  });

  it('rejects a future iat beyond the tolerance', async () => {
    await expectCode(verifier(), await issuer.sign({ claims: { iat: now() + 300, exp: now() + 600 } }), 'jwt_not_yet_valid');
    await expect(verifier().verify(await issuer.sign({ claims: { iat: now() + 30, exp: now() + 330 } }))).resolves.toBeDefined();
    await expectCode(verifier(), await issuer.sign({ claims: { nbf: now() + 300 } }), 'jwt_not_yet_valid');
  });

  it('caps the lifetime at 3600 s and at the configured maximum', async () => {
    await expectCode(verifier(), await issuer.sign({ claims: { iat: now(), exp: now() + 7200 } }), 'jwt_lifetime');
    await expect(verifier().verify(await issuer.sign({ claims: { iat: now(), exp: now() + 3600 } }))).resolves.toBeDefined();
    await expectCode(verifier({ maxLifetimeSeconds: 600 }), await issuer.sign({ claims: { iat: now(), exp: now() + 900 } }), 'jwt_lifetime');
  });

  it.each(['jti', 'exp', 'iat'])('requires %s', async (claim) => {
    await expectCode(verifier(), await issuer.sign({ claims: { [claim]: undefined } }), 'jwt_claims');
  });

  it('rejects malformed time and namespace claims', async () => {
    await expectCode(verifier(), await issuer.sign({ claims: { exp: '9999999999' } }), 'jwt_claims');
    await expectCode(verifier(), await issuer.sign({ claims: { jti: 42 } }), 'jwt_claims');
    const ns = (extra: Record<string, unknown>) => ({ 'https://sts.amazonaws.com/': { aws_account: '123456789012', ...extra } });
    await expectCode(verifier(), await issuer.sign({ claims: ns({ ou_path: 42 }) }), 'jwt_claims');
    await expectCode(verifier(), await issuer.sign({ claims: ns({ principal_tags: { a: 1 } }) }), 'jwt_claims');
    await expectCode(verifier(), await issuer.sign({ claims: ns({ source_region: ['us-east-1'] }) }), 'jwt_claims');
  });

  it('requires sub to be an IAM role or user of the account in aws_account', async () => {
    const v = verifier();
    await expectCode(v, await issuer.sign({ claims: { sub: 'arn:aws:iam::210987654321:role/Reader' } }), 'jwt_subject');
    await expectCode(v, await issuer.sign({ claims: { 'https://sts.amazonaws.com/': { aws_account: '210987654321' } } }), 'jwt_subject');
    await expectCode(v, await issuer.sign({ claims: { 'https://sts.amazonaws.com/': undefined } }), 'jwt_subject');
    await expectCode(v, await issuer.sign({ claims: { sub: 'arn:aws:sts::123456789012:assumed-role/Reader/s' } }), 'jwt_subject');
    await expectCode(v, await issuer.sign({ claims: { sub: 'arn:aws:iam::123456789012:root' } }), 'jwt_subject');
    await expectCode(v, await issuer.sign({ claims: { sub: 'arn:evil:iam::123456789012:role/Reader' } }), 'jwt_subject');
    await expectCode(v, await issuer.sign({ claims: { sub: undefined } }), 'jwt_subject');
  });

  it('rejects a token whose payload was changed after signing', async () => {
    const [header, , signature] = (await issuer.sign()).split('.');
    const forged = Buffer.from(JSON.stringify({
      iss: issuer.issuer, sub: 'arn:aws:iam::123456789012:role/Admin', aud: issuer.audience, iat: now(), exp: now() + 300, jti: randomUUID(),
      'https://sts.amazonaws.com/': { aws_account: '123456789012' },
    })).toString('base64url');
    await expectCode(verifier(), `${header}.${forged}.${signature}`, 'jwt_signature');
  });
});

describe('web identity verification: JWKS', () => {
  it('an unknown-kid storm costs at most one JWKS fetch per cooldown', async () => {
    // Tokens are signed up front so that signing time (on a loaded machine) cannot eat the cooldown.
    const batches = await Promise.all([0, 1, 2].map(() => Promise.all(Array.from({ length: 100 }, () => issuer.sign({ kid: randomUUID() })))));
    const v = verifier({ jwks: { cooldownMs: 1_500 } });
    const before = issuer.requests();
    const storm = async (tokens: string[]) => {
      const results = await Promise.allSettled(tokens.map((t) => v.verify(t)));
      for (const r of results) expect(r.status === 'rejected' && (r.reason as CallerIdError).code).toBe('jwt_key_unknown');
    };
    await storm(batches[0]!);
    expect(issuer.requests() - before).toBe(1);
    await storm(batches[1]!);
    expect(issuer.requests() - before).toBe(1);
    await new Promise((r) => setTimeout(r, 1_600));
    await storm(batches[2]!);
    expect(issuer.requests() - before).toBe(2);
    // Good tokens still work throughout.
    await expect(v.verify(await issuer.sign())).resolves.toBeDefined();
  });

  it('picks up rotated keys with one refetch', async () => {
    const other = await startTestIssuer();
    try {
      const v = createWebIdentityVerifier({ issuers: [other.issuer], audiences: [other.audience] }, {});
      verifiers.push(v);
      await v.verify(await other.sign());
      await other.rotate();
      // Within the default 30 s cooldown the new kid is not fetched yet…
      await expect(v.verify(await other.sign({ alg: 'ES384' }))).rejects.toMatchObject({ code: 'jwt_key_unknown' });
      expect(other.requests()).toBe(1);
      const quick = createWebIdentityVerifier({ issuers: [other.issuer], audiences: [other.audience], jwks: { cooldownMs: 0 } });
      verifiers.push(quick);
      await other.rotate();
      await quick.verify(await other.sign()); // fetch 2
      await other.rotate();
      await expect(quick.verify(await other.sign({ alg: 'ES384' }))).resolves.toBeDefined(); // refetch 3
      expect(other.requests()).toBe(3);
    } finally {
      await other.close();
    }
  });

  it('serves stale keys while the JWKS endpoint is down, then fails with 503', async () => {
    const v = verifier({ jwks: { cacheMaxAgeMs: 200, staleIfErrorMs: 600, cooldownMs: 100 } });
    const token = await issuer.sign({ alg: 'ES384' });
    await v.verify(token);
    issuer.setMode('down');
    await new Promise((r) => setTimeout(r, 250));
    const before = issuer.requests();
    // Stale keys, and a failed refetch is not repeated for every request.
    const results = await Promise.all(Array.from({ length: 20 }, () => v.verify(token)));
    expect(results).toHaveLength(20);
    expect(issuer.requests() - before).toBe(1);
    await new Promise((r) => setTimeout(r, 700));
    const err = await expectCode(v, token, 'jwks_unavailable');
    expect(err.status).toBe(503);
    expect(err.retryable).toBe(true);
    expect(err.headers['Retry-After']).toMatch(/^\d+$/);
    issuer.setMode('ok');
    await new Promise((r) => setTimeout(r, 150));
    await expect(v.verify(token)).resolves.toBeDefined();
  });

  it.each([
    ['down', 'down'],
    ['oversized', 'oversized'],
    ['redirecting', 'redirect'],
    ['slow', 'slow'],
  ] as const)('answers 503 when the JWKS endpoint is %s and no keys are cached', async (_name, mode) => {
    issuer.setMode(mode);
    const v = verifier({ jwks: { timeoutMs: 300 } });
    const err = await expectCode(v, await issuer.sign(), 'jwks_unavailable');
    expect(err.status).toBe(503);
  });

  it('never follows a redirect from the JWKS endpoint', async () => {
    issuer.setMode('redirect');
    const before = issuer.requests();
    await expectCode(verifier(), await issuer.sign(), 'jwks_unavailable');
    expect(issuer.requests() - before).toBe(1);
  });
});
