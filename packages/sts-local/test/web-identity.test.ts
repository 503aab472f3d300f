import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWK } from 'jose';
import { startStsLocal, type Principal, type StsLocal } from '@callerid/sts-local';
import { errorCode, send, type Answer } from './helpers/http.js';
import { signPost, type Keys } from './helpers/signer.js';
import { alice } from './helpers/principals.js';

const root: Principal = {
  accessKeyId: 'AKIAXCALLERIDROOT001',
  secretAccessKey: 'root/secret/Key+0123456789abcdefghijklmn',
  arn: 'arn:aws:iam::111122223333:root',
  userId: '111122223333',
  account: '111122223333',
};
const HOST = 'sts.eu-west-1.amazonaws.com';
const REGION = 'eu-west-1';
let sts: StsLocal;

beforeAll(async () => {
  sts = await startStsLocal({ principals: [alice, root] });
});
afterAll(async () => {
  await sts.close();
});

async function call(keys: Keys, params: Record<string, string>, options: { host?: string; region?: string; accept?: string } = {}): Promise<Answer> {
  const body = new URLSearchParams({ Action: 'GetWebIdentityToken', Version: '2011-06-15', ...params }).toString();
  const signed = await signPost(keys, { host: options.host ?? HOST, region: options.region ?? REGION, body });
  return send(sts.url, { method: 'POST', path: '/', headers: { ...signed.headers, ...(options.accept ? { accept: options.accept } : {}) }, body });
}

function tokenOf(answer: Answer): string {
  expect(answer.status).toBe(200);
  const match = /<WebIdentityToken>([^<]+)<\/WebIdentityToken>/.exec(answer.body);
  expect(match).not.toBeNull();
  return match![1]!;
}

async function verify(token: string, audience: string | string[] = 'https://api.example.com') {
  const iss = sts.issuerFor('111122223333');
  return jwtVerify(token, createRemoteJWKSet(new URL(`${iss}/.well-known/jwks.json`)), { issuer: iss, audience, algorithms: ['RS256', 'ES384'] });
}

describe('GetWebIdentityToken', () => {
  it.each([
    ['RS256', 'RSA_0'],
    ['ES384', 'EC384_0'],
  ])('issues a %s token signed with kid %s that verifies against the issuer JWKS', async (alg, kid) => {
    const answer = await call(alice, { 'Audience.member.1': 'https://api.example.com', SigningAlgorithm: alg });
    expect(answer.body).toContain('<GetWebIdentityTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">');
    expect(answer.body).toMatch(/<Expiration>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<\/Expiration>/);
    const token = tokenOf(answer);
    expect(decodeProtectedHeader(token)).toEqual({ alg, kid, typ: 'JWT' });
    const { payload } = await verify(token);
    expect(payload).toMatchObject({
      iss: sts.issuerFor('111122223333'),
      sub: alice.arn,
      aud: 'https://api.example.com',
      'https://sts.amazonaws.com/': { aws_account: '111122223333', source_region: REGION, principal_id: alice.userId },
    });
    expect(payload.exp! - payload.iat!).toBe(300);
    expect(typeof payload.jti).toBe('string');
    const expiration = /<Expiration>([^<]+)<\/Expiration>/.exec(answer.body)![1]!;
    expect(Date.parse(expiration) / 1000).toBe(payload.exp);
  });

  it('puts several audiences, the duration and request tags in the token; answers JSON when asked', async () => {
    const answer = await call(
      alice,
      {
        'Audience.member.1': 'https://api.example.com',
        'Audience.member.2': 'https://other.example.com',
        SigningAlgorithm: 'ES384',
        DurationSeconds: '3600',
        'Tags.member.1.Key': 'job',
        'Tags.member.1.Value': 'nightly-42',
        'Tags.member.2.Key': 'team',
        'Tags.member.2.Value': 'data',
      },
      { accept: 'application/json' },
    );
    expect(answer.status).toBe(200);
    const result = JSON.parse(answer.body).GetWebIdentityTokenResponse.GetWebIdentityTokenResult;
    const { payload } = await verify(result.WebIdentityToken, ['https://api.example.com']);
    expect(payload.aud).toEqual(['https://api.example.com', 'https://other.example.com']);
    expect(payload.exp! - payload.iat!).toBe(3600);
    expect(payload['https://sts.amazonaws.com/']).toMatchObject({ request_tags: { job: 'nightly-42', team: 'data' } });
  });

  it('gives a role session the role ARN (with its path) as sub', async () => {
    const assume = await signPost(alice, {
      host: HOST,
      region: REGION,
      body: new URLSearchParams({ Action: 'AssumeRole', Version: '2011-06-15', RoleArn: 'arn:aws:iam::111122223333:role/team/Reader', RoleSessionName: 'worker-1' }).toString(),
    });
    const answer = await send(sts.url, { method: 'POST', path: '/', headers: { ...assume.headers, accept: 'application/json' }, body: assume.body });
    const credentials = JSON.parse(answer.body).AssumeRoleResponse.AssumeRoleResult.Credentials;
    const session: Keys = { accessKeyId: credentials.AccessKeyId, secretAccessKey: credentials.SecretAccessKey, sessionToken: credentials.SessionToken };
    const { payload } = await verify(tokenOf(await call(session, { 'Audience.member.1': 'https://api.example.com', SigningAlgorithm: 'RS256' })));
    expect(payload.sub).toBe('arn:aws:iam::111122223333:role/team/Reader');
    const ns = payload['https://sts.amazonaws.com/'] as Record<string, string>;
    expect(ns.principal_id).toMatch(/^AROA[A-Z2-7]+:worker-1$/);
    expect(ns.original_session_exp).toBe(new Date(credentials.Expiration * 1000).toISOString().replace('.000Z', 'Z'));
  });

  it('refuses a duration that outlives the calling session', async () => {
    const assume = await signPost(alice, {
      host: HOST,
      region: REGION,
      body: new URLSearchParams({ Action: 'AssumeRole', Version: '2011-06-15', RoleArn: 'arn:aws:iam::111122223333:role/Reader', RoleSessionName: 'short', DurationSeconds: '900' }).toString(),
    });
    const answer = await send(sts.url, { method: 'POST', path: '/', headers: { ...assume.headers, accept: 'application/json' }, body: assume.body });
    const c = JSON.parse(answer.body).AssumeRoleResponse.AssumeRoleResult.Credentials;
    const session: Keys = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
    const refused = await call(session, { 'Audience.member.1': 'a', SigningAlgorithm: 'RS256', DurationSeconds: '3600' });
    expect(refused.status).toBe(403);
    expect(errorCode(refused)).toBe('SessionDurationEscalationException');
    expect((await call(session, { 'Audience.member.1': 'a', SigningAlgorithm: 'RS256', DurationSeconds: '600' })).status).toBe(200);
  });

  it.each([
    ['no audience', { SigningAlgorithm: 'RS256' }],
    ['11 audiences', { SigningAlgorithm: 'RS256', ...Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`Audience.member.${i + 1}`, `a${i}`])) }],
    ['an empty audience', { SigningAlgorithm: 'RS256', 'Audience.member.1': '' }],
    ['a 1001-character audience', { SigningAlgorithm: 'RS256', 'Audience.member.1': 'a'.repeat(1001) }],
    ['a gap in the audience list', { SigningAlgorithm: 'RS256', 'Audience.member.2': 'a' }],
    ['no signing algorithm', { 'Audience.member.1': 'a' }],
    ['HS256', { 'Audience.member.1': 'a', SigningAlgorithm: 'HS256' }],
    ['none', { 'Audience.member.1': 'a', SigningAlgorithm: 'none' }],
    ['59 seconds', { 'Audience.member.1': 'a', SigningAlgorithm: 'RS256', DurationSeconds: '59' }],
    ['3601 seconds', { 'Audience.member.1': 'a', SigningAlgorithm: 'RS256', DurationSeconds: '3601' }],
    ['a non-numeric duration', { 'Audience.member.1': 'a', SigningAlgorithm: 'RS256', DurationSeconds: '1e3' }],
    ['51 tags', { 'Audience.member.1': 'a', SigningAlgorithm: 'RS256', ...Object.fromEntries(Array.from({ length: 51 }, (_, i) => [[`Tags.member.${i + 1}.Key`, `k${i}`], [`Tags.member.${i + 1}.Value`, 'v']]).flat()) }],
    ['a tag without a value', { 'Audience.member.1': 'a', SigningAlgorithm: 'RS256', 'Tags.member.1.Key': 'k' }],
    ['a tag key with forbidden characters', { 'Audience.member.1': 'a', SigningAlgorithm: 'RS256', 'Tags.member.1.Key': 'k<', 'Tags.member.1.Value': 'v' }],
    ['tag keys equal but for case', { 'Audience.member.1': 'a', SigningAlgorithm: 'RS256', 'Tags.member.1.Key': 'Team', 'Tags.member.1.Value': 'v', 'Tags.member.2.Key': 'team', 'Tags.member.2.Value': 'w' }],
  ])('answers ValidationError for %s', async (_name, params: Record<string, string>) => {
    const answer = await call(alice, params);
    expect(answer.status).toBe(400);
    expect(errorCode(answer)).toBe('ValidationError');
  });

  it('answers JWTPayloadSizeExceededException for a token that would be too large', async () => {
    const tags = Object.fromEntries(
      Array.from({ length: 50 }, (_, i) => [[`Tags.member.${i + 1}.Key`, `key-${i}`], [`Tags.member.${i + 1}.Value`, 'v'.repeat(256)]]).flat(),
    );
    const answer = await call(alice, { 'Audience.member.1': 'a', SigningAlgorithm: 'ES384', ...tags });
    expect(answer.status).toBe(400);
    expect(errorCode(answer)).toBe('JWTPayloadSizeExceededException');
  });

  it('is not available on the global endpoint', async () => {
    const answer = await call(alice, { 'Audience.member.1': 'a', SigningAlgorithm: 'RS256' }, { host: 'sts.amazonaws.com', region: 'us-east-1' });
    expect(answer.status).toBe(400);
    expect(errorCode(answer)).toBe('InvalidAction');
  });

  it('refuses root, and unsigned or badly signed requests', async () => {
    const answer = await call(root, { 'Audience.member.1': 'a', SigningAlgorithm: 'RS256' });
    expect(answer.status).toBe(403);
    expect(errorCode(answer)).toBe('AccessDenied');
    const forged = await call({ ...alice, secretAccessKey: 'wrong' }, { 'Audience.member.1': 'a', SigningAlgorithm: 'RS256' });
    expect(errorCode(forged)).toBe('SignatureDoesNotMatch');
  });

  it('answers OutboundWebIdentityFederationDisabledException while the feature is switched off', async () => {
    sts.setWebIdentityEnabled(false);
    try {
      const answer = await call(alice, { 'Audience.member.1': 'a', SigningAlgorithm: 'RS256' });
      expect(answer.status).toBe(403);
      expect(errorCode(answer)).toBe('OutboundWebIdentityFederationDisabledException');
    } finally {
      sts.setWebIdentityEnabled(true);
    }
    expect((await call(alice, { 'Audience.member.1': 'a', SigningAlgorithm: 'RS256' })).status).toBe(200);
  });
});

describe('the issuer documents', () => {
  it('serves a discovery document without response_types_supported, and a JWKS shaped like AWS', async () => {
    const iss = sts.issuerFor('111122223333');
    expect(iss).toMatch(new RegExp(`^${sts.url}/issuer/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`));
    const discovery = JSON.parse((await send(sts.url, { path: new URL(`${iss}/.well-known/openid-configuration`).pathname })).body);
    expect(discovery).toMatchObject({ issuer: iss, jwks_uri: `${iss}/.well-known/jwks.json`, id_token_signing_alg_values_supported: ['RS256', 'ES384'] });
    expect(discovery).not.toHaveProperty('response_types_supported');
    const jwks = JSON.parse((await send(sts.url, { path: new URL(`${iss}/.well-known/jwks.json`).pathname })).body) as { keys: JWK[] };
    const rsa = jwks.keys.find((k) => k.kid === 'RSA_0')!;
    const ec = jwks.keys.find((k) => k.kid === 'EC384_0')!;
    expect(rsa).toMatchObject({ kty: 'RSA', use: 'sig', e: 'AQAB' });
    expect(rsa).not.toHaveProperty('alg');
    expect(Buffer.from(rsa.n!, 'base64url').length).toBe(256);
    expect(ec).toMatchObject({ kty: 'EC', crv: 'P-384', alg: 'ES384' });
    for (const key of jwks.keys) expect(key).not.toHaveProperty('d');
    // Another account has another issuer; unknown issuer ids and other paths are 404.
    expect(sts.issuerFor('444455556666')).not.toBe(iss);
    expect((await send(sts.url, { path: '/issuer/00000000-0000-0000-0000-000000000000/.well-known/jwks.json' })).status).toBe(404);
    expect((await send(sts.url, { path: `${new URL(iss).pathname}/.well-known/other` })).status).toBe(404);
    expect((await send(sts.url, { method: 'POST', path: `${new URL(iss).pathname}/.well-known/jwks.json`, body: '' })).status).toBe(405);
  });

  it('rotates keys on demand, keeping the previous ones published', async () => {
    const before = tokenOf(await call(alice, { 'Audience.member.1': 'https://api.example.com', SigningAlgorithm: 'RS256' }));
    await sts.rotateKeys();
    const after = tokenOf(await call(alice, { 'Audience.member.1': 'https://api.example.com', SigningAlgorithm: 'ES384' }));
    expect(decodeProtectedHeader(after).kid).toBe('EC384_1');
    await expect(verify(before)).resolves.toBeDefined();
    await expect(verify(after)).resolves.toBeDefined();
  });

  it('signs arbitrary claims for verifier tests, with the real keys', async () => {
    const iss = sts.issuerFor('111122223333');
    const token = await sts.signWebIdentityToken({ iss, sub: 'x', aud: 'https://api.example.com', iat: 1, exp: 2 }, { algorithm: 'ES384' });
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'ES384', typ: 'JWT' });
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(`${iss}/.well-known/jwks.json`)), { currentDate: new Date(1500) });
    expect(payload.sub).toBe('x');
    expect(decodeProtectedHeader(await sts.signWebIdentityToken({}, { kid: 'nope' })).kid).toBe('nope');
  });

  it('counts token requests and document fetches in the stats', async () => {
    const start = sts.stats();
    await call(alice, { 'Audience.member.1': 'a', SigningAlgorithm: 'RS256' });
    await send(sts.url, { path: `${new URL(sts.issuerFor('111122223333')).pathname}/.well-known/jwks.json` });
    const end = sts.stats();
    expect(end.actions.GetWebIdentityToken!.accepted - (start.actions.GetWebIdentityToken?.accepted ?? 0)).toBe(1);
    expect(end.actions.JWKS!.accepted - (start.actions.JWKS?.accepted ?? 0)).toBe(1);
  });
});
