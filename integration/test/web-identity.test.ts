/**
 * AWS web identity JWTs through every adapter: tokens minted with the AWS SDK's
 * GetWebIdentityTokenCommand against the real sts-local, verified offline against its issuer's JWKS,
 * by Express, Fastify and Koa apps on loopback. Forged tokens are built from real ones (or signed with
 * sts-local's real keys for shapes STS never issues).
 */
import { createHmac, createPublicKey, randomUUID, type JsonWebKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { ERROR_CODES, type CallerIdErrorCode, type Identity } from '@callerid/core';
import { mintWebIdentityToken } from '@callerid/mint';
import { startStsLocal, type StsLocal } from '@callerid/sts-local';
import { harnesses, type HarnessOptions } from './adapter-apps.js';
import { ACCT, alice, assumeRole, AUDIENCE, ci, closedPortUrl, tokenFor } from '@callerid/test-harness';

const JWT_AUDIENCE = 'https://payments.example.com';
const OTHER_ACCT = '444455556666';
const ROLE = `arn:aws:iam::${ACCT}:role/team/Deployer`;
const REGION = 'eu-west-1';
const mallory = { ...alice, accessKeyId: 'AKIAMALLORYEXAMPLE01', arn: `arn:aws:iam::${OTHER_ACCT}:user/mallory`, userId: 'AIDAMALLORYEXAMPLE01', account: OTHER_ACCT };

let sts: StsLocal;
let issuer: string;
let deployer: Awaited<ReturnType<typeof assumeRole>>;
let deadIssuer: string;
const jwt = {} as Record<string, string>;

const enc = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const parts = (token: string) => token.split('.') as [string, string, string];
const payloadOf = (token: string) => JSON.parse(Buffer.from(parts(token)[1], 'base64url').toString()) as Record<string, unknown>;

beforeAll(async () => {
  sts = await startStsLocal({ principals: [alice, ci, mallory] });
  issuer = sts.issuerFor(ACCT);
  deployer = await assumeRole(sts, ci, ROLE, 'ci-run-7');
  const mint = (options: Partial<Parameters<typeof mintWebIdentityToken>[0]>) =>
    mintWebIdentityToken({ audience: JWT_AUDIENCE, signingAlgorithm: 'RS256', region: REGION, endpoint: sts.url, credentials: deployer, ...options }).then((m) => m.token);
  jwt.RS256 = await mint({ signingAlgorithm: 'RS256' });
  jwt.ES384 = await mint({ signingAlgorithm: 'ES384' });
  jwt.wrongAudience = await mint({ audience: 'https://other.example.com' });
  jwt.extraAudience = await mint({ audience: [JWT_AUDIENCE, 'https://other.example.com'] });
  jwt.unknownIssuer = await mint({ credentials: mallory });
  const real = jwt.RS256;
  const [, body, signature] = parts(real);
  jwt.algNone = `${enc({ alg: 'none', typ: 'JWT' })}.${body}.${signature}`;
  jwt.jku = `${enc({ alg: 'RS256', kid: 'RSA_0', typ: 'JWT', jku: 'http://127.0.0.1:9/.well-known/jwks.json' })}.${body}.${signature}`;
  // The classic key-confusion forgery: HS256 keyed with the issuer's public RSA key.
  const jwks = (await (await request(`${issuer}/.well-known/jwks.json`)).body.json()) as { keys: (JsonWebKey & { kid: string })[] };
  const pem = createPublicKey({ key: jwks.keys.find((k) => k.kid === 'RSA_0')!, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
  const hsHeader = enc({ alg: 'HS256', kid: 'RSA_0', typ: 'JWT' });
  jwt.hs256 = `${hsHeader}.${body}.${createHmac('sha256', pem).update(`${hsHeader}.${body}`).digest('base64url')}`;
  // Over the 4 KiB cap the apps below configure (Node itself refuses headers over 16 KiB).
  jwt.oversized = await sts.signWebIdentityToken({ ...payloadOf(real), padding: 'x'.repeat(5_000) });
  // Shapes STS never issues, signed with the issuer's real key.
  const claims = payloadOf(real);
  const now = Math.floor(Date.now() / 1000);
  jwt.lifetime7200 = await sts.signWebIdentityToken({ ...claims, iat: now, exp: now + 7200, jti: randomUUID() });
  jwt.noJti = await sts.signWebIdentityToken({ ...claims, jti: undefined });
  jwt.accountMismatch = await sts.signWebIdentityToken({ ...claims, sub: `arn:aws:iam::${OTHER_ACCT}:role/Deployer`, jti: randomUUID() });
  jwt.unknownKid = await sts.signWebIdentityToken({ ...claims, jti: randomUUID() }, { kid: 'RSA_99' });
  deadIssuer = `${await closedPortUrl()}/issuer/gone`;
  jwt.deadIssuer = await sts.signWebIdentityToken({ ...claims, iss: deadIssuer, jti: randomUUID() });
});
afterAll(async () => {
  await sts.close();
});

interface Case {
  name: string;
  token: () => string;
  options?: () => Partial<HarnessOptions>;
  status: number;
  code?: CallerIdErrorCode;
  caller?: () => Partial<Identity>;
  /** Assert that verifying caused no request to sts-local. */
  offline?: boolean;
}

const expectedCaller = (): Partial<Identity> => ({
  tokenType: 'web-identity',
  arn: ROLE,
  canonicalArn: ROLE,
  accountId: ACCT,
  principalType: 'role',
  roleName: 'Deployer',
  sessionName: 'ci-run-7',
  region: REGION,
  issuer: sts.issuerFor(ACCT),
});

const cases: Case[] = [
  { name: 'RS256 token → 200', token: () => jwt.RS256!, status: 200, caller: expectedCaller },
  { name: 'ES384 token → 200', token: () => jwt.ES384!, status: 200, caller: expectedCaller },
  { name: 'allow by role ARN pattern (with its path)', token: () => jwt.ES384!, options: () => ({ allow: { principals: [`arn:aws:iam::${ACCT}:role/team/*`] } }), status: 200 },
  { name: 'allow by another account → 403', token: () => jwt.ES384!, options: () => ({ allow: { accounts: [OTHER_ACCT] } }), status: 403, code: 'caller_not_allowed' },
  { name: 'alg none → 401', token: () => jwt.algNone!, status: 401, code: 'jwt_algorithm', offline: true },
  { name: 'HS256 signed with the RSA public key → 401', token: () => jwt.hs256!, status: 401, code: 'jwt_algorithm', offline: true },
  { name: 'jku header → 401', token: () => jwt.jku!, status: 401, code: 'jwt_header', offline: true },
  { name: 'unknown issuer → 401, and no request reaches sts-local', token: () => jwt.unknownIssuer!, status: 401, code: 'jwt_issuer', offline: true },
  { name: 'wrong audience → 401', token: () => jwt.wrongAudience!, status: 401, code: 'jwt_audience', offline: true },
  { name: 'extra audience → 401', token: () => jwt.extraAudience!, status: 401, code: 'jwt_audience', offline: true },
  { name: 'expired (server clock an hour on) → 401', token: () => jwt.RS256!, options: () => ({ clock: () => Date.now() + 3_600_000 }), status: 401, code: 'jwt_expired', offline: true },
  { name: 'future iat (server clock 10 minutes back) → 401', token: () => jwt.RS256!, options: () => ({ clock: () => Date.now() - 600_000 }), status: 401, code: 'jwt_not_yet_valid', offline: true },
  { name: 'lifetime 7200 s → 401', token: () => jwt.lifetime7200!, status: 401, code: 'jwt_lifetime', offline: true },
  { name: 'missing jti → 401', token: () => jwt.noJti!, status: 401, code: 'jwt_claims', offline: true },
  { name: 'sub/aws_account mismatch → 401', token: () => jwt.accountMismatch!, status: 401, code: 'jwt_subject', offline: true },
  {
    name: 'oversized token → 401',
    token: () => jwt.oversized!,
    options: () => ({ webIdentity: { issuers: [issuer], audiences: [JWT_AUDIENCE], maxTokenBytes: 4096 } }),
    status: 401,
    code: 'token_too_large',
    offline: true,
  },
  { name: 'unknown kid → 401', token: () => jwt.unknownKid!, status: 401, code: 'jwt_key_unknown' },
  {
    name: 'JWKS unreachable and no keys yet → 503',
    token: () => jwt.deadIssuer!,
    options: () => ({ webIdentity: { issuers: [deadIssuer], audiences: [JWT_AUDIENCE] } }),
    status: 503,
    code: 'jwks_unavailable',
  },
];

describe.each(harnesses)('$name adapter with web identity tokens', (harness) => {
  const start = (options: Partial<HarnessOptions> = {}) =>
    harness.start({ audience: AUDIENCE, stsEndpoint: sts.url, realm: 'payments', webIdentity: { issuers: [issuer], audiences: [JWT_AUDIENCE] }, ...options });

  it.each(cases)('$name', async (c) => {
    const token = c.token();
    const app = await start(c.options?.());
    try {
      const before = sts.stats().totals.requests;
      const res = await request(`${app.url}/whoami`, { headers: { authorization: `Bearer ${token}` } });
      const body = await res.body.text();
      expect(res.statusCode).toBe(c.status);
      if (c.offline) expect(sts.stats().totals.requests).toBe(before);
      if (c.code) expect(harness.describeError(body)).toBe(ERROR_CODES[c.code].description);
      if (c.status === 401) expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="payments", error="invalid_token"/);
      if (c.status === 503) expect(res.headers['retry-after']).toMatch(/^\d+$/);
      if (c.caller) expect((JSON.parse(body) as { caller: Identity }).caller).toMatchObject(c.caller());
      // Nothing a server answers ever echoes a token.
      expect(body + JSON.stringify(res.headers)).not.toContain(parts(token)[2].slice(0, 40));
    } finally {
      await app.close();
    }
  });

  it('takes presigned tokens and JWTs side by side, each verified once', async () => {
    const app = await start();
    try {
      const presigned = await tokenFor(alice, { signingDate: new Date(Date.now() - 2000 * (1 + harnesses.indexOf(harness))) });
      const fresh = await mintWebIdentityToken({ audience: JWT_AUDIENCE, signingAlgorithm: 'ES384', region: REGION, endpoint: sts.url, credentials: alice });
      const before = sts.stats();
      for (let i = 0; i < 5; i++) {
        for (const [token, type] of [[presigned, 'presigned'], [fresh.token, 'web-identity']] as const) {
          const res = await request(`${app.url}/whoami`, { headers: { authorization: `Bearer ${token}` } });
          expect(res.statusCode).toBe(200);
          expect(((await res.body.json()) as { caller: Identity }).caller.tokenType).toBe(type);
        }
      }
      const after = sts.stats();
      expect((after.actions.GetCallerIdentity?.requests ?? 0) - (before.actions.GetCallerIdentity?.requests ?? 0)).toBe(1);
      expect((after.actions.JWKS?.requests ?? 0) - (before.actions.JWKS?.requests ?? 0)).toBe(1);
    } finally {
      await app.close();
    }
  });
});
