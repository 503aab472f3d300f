/**
 * The CLI and AWS web identity JWTs: `callerid token --type web-identity` (GetWebIdentityToken against
 * the real sts-local), `callerid verify --issuer`, and `callerid decode` of a JWT.
 */
import { startStsLocal, type StsLocal } from '@callerid/sts-local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeWhenTestEnds } from '@callerid/test-harness';
import { FIXTURES, ensureBuilt, runCli } from './helpers/cli.js';
import { envFor, principal } from './helpers/fixtures.js';

const AUDIENCE = 'https://payments.example.com';
const ACCOUNT = '111122223333';
let sts: StsLocal;
let issuer: string;

beforeAll(async () => {
  await ensureBuilt();
  sts = await startStsLocal({ principals: FIXTURES });
  issuer = sts.issuerFor(ACCOUNT);
});
afterAll(() => sts.close());

const header = (token: string) => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as Record<string, unknown>;
const payload = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

async function mintJwt(args: string[], who = 'alice'): Promise<string> {
  const result = await runCli(['token', '--type', 'web-identity', '--audience', AUDIENCE, '--region', 'eu-west-1', '--sts-endpoint', sts.url, '--format', 'token', ...args], { env: envFor(who) });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout.trimEnd();
}

describe('callerid token --type web-identity', () => {
  it('mints an ES384 JWT with GetWebIdentityToken, with duration and tags', async () => {
    const before = sts.stats().actions.GetWebIdentityToken?.accepted ?? 0;
    const token = await mintJwt(['--signing-algorithm', 'ES384', '--duration-seconds', '900', '--tag', 'job=nightly', '--tag', 'team=data']);
    expect(header(token)).toEqual({ alg: 'ES384', kid: 'EC384_0', typ: 'JWT' });
    const claims = payload(token);
    expect(claims).toMatchObject({ iss: issuer, sub: principal('alice').arn, aud: AUDIENCE });
    expect((claims.exp as number) - (claims.iat as number)).toBe(900);
    expect(claims['https://sts.amazonaws.com/']).toMatchObject({ aws_account: ACCOUNT, source_region: 'eu-west-1', request_tags: { job: 'nightly', team: 'data' } });
    expect((sts.stats().actions.GetWebIdentityToken?.accepted ?? 0) - before).toBe(1);
  });

  it('prints an ExecCredential by default (RS256), and reads the endpoint from CALLERID_STS_ENDPOINT', async () => {
    const result = await runCli(['token', '--type', 'web-identity', '--audience', AUDIENCE, '--region', 'eu-west-1'], {
      env: { ...envFor('deployer-session'), CALLERID_STS_ENDPOINT: sts.url },
    });
    expect(result.code).toBe(0);
    const credential = JSON.parse(result.stdout) as { kind: string; status: { token: string; expirationTimestamp: string } };
    expect(credential.kind).toBe('ExecCredential');
    expect(header(credential.status.token)).toMatchObject({ alg: 'RS256', kid: 'RSA_0' });
    expect(payload(credential.status.token).sub).toBe(`arn:aws:iam::${ACCOUNT}:role/Deployer`);
    expect(Date.parse(credential.status.expirationTimestamp) / 1000).toBe(payload(credential.status.token).exp);
  });

  it('refuses presigned-only and web-identity-only options in the wrong mode', async () => {
    for (const [args, message] of [
      [['--signing-algorithm', 'ES384'], '--signing-algorithm needs --type web-identity'],
      [['--tag', 'a=b'], '--tag needs --type web-identity'],
      [['--type', 'web-identity', '--global-endpoint'], '--global-endpoint does not apply'],
      [['--type', 'jwt'], '--type must be one of presigned, web-identity'],
      [['--type', 'web-identity', '--tag', 'novalue'], '--tag must be key=value'],
      [['--type', 'web-identity', '--duration-seconds', '7200', '--sts-endpoint', 'http://127.0.0.1:9'], 'durationSeconds must be an integer from 60 to 3600'],
      [['--type', 'web-identity', '--signing-algorithm', 'HS256', '--sts-endpoint', 'http://127.0.0.1:9'], 'signingAlgorithm must be RS256 or ES384'],
    ] as const) {
      const result = await runCli(['token', '--audience', AUDIENCE, '--region', 'eu-west-1', ...args], { env: envFor('alice') });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(message);
    }
  });

  it('reports GetWebIdentityToken refusals with their codes (exit 1)', async () => {
    sts.setWebIdentityEnabled(false);
    try {
      const result = await runCli(['token', '--type', 'web-identity', '--audience', AUDIENCE, '--region', 'eu-west-1', '--sts-endpoint', sts.url], { env: envFor('alice') });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('(outbound_federation_disabled)');
    } finally {
      sts.setWebIdentityEnabled(true);
    }
  });
});

describe('callerid verify and decode with JWTs', () => {
  it('verify --issuer checks a JWT offline against the issuer JWKS', async () => {
    const token = await mintJwt([]);
    const before = sts.stats().actions.GetCallerIdentity?.requests ?? 0;
    const result = await runCli(['verify', '-', '--audience', AUDIENCE, '--issuer', issuer, '--json'], { input: token });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ tokenType: 'web-identity', arn: principal('alice').arn, issuer, accountId: ACCOUNT });
    expect(sts.stats().actions.GetCallerIdentity?.requests ?? 0).toBe(before);
    const text = await runCli(['verify', '-', '--audience', AUDIENCE, '--issuer', issuer], { input: token });
    expect(text.stdout).toMatch(/^token\s+web-identity$/m);
    expect(text.stdout).not.toContain(token.split('.')[2]);
  });

  it('verify rejects a JWT without --issuer, for an untrusted issuer, or for another audience (exit 1)', async () => {
    const token = await mintJwt([]);
    const without = await runCli(['verify', '-', '--audience', AUDIENCE], { input: token });
    expect(without.code).toBe(1);
    expect(without.stderr).toContain('(web_identity_disabled) — pass --issuer <url>');
    const other = await runCli(['verify', '-', '--audience', AUDIENCE, '--issuer', sts.issuerFor('444455556666'), '--json'], { input: token });
    expect(other.code).toBe(1);
    expect(JSON.parse(other.stdout)).toEqual({ error: { code: 'jwt_issuer', message: 'The token issuer is not trusted.' } });
    const audience = await runCli(['verify', '-', '--audience', 'https://orders.example.com', '--issuer', issuer, '--json'], { input: token });
    expect(JSON.parse(audience.stdout).error.code).toBe('jwt_audience');
    for (const r of [without, other, audience]) expect(r.stdout + r.stderr).not.toContain(token);
  });

  it('verify exits 3 when the issuer keys cannot be fetched', async () => {
    const gone = await startStsLocal({ principals: FIXTURES });
    const closeGone = closeWhenTestEnds(gone);
    const goneIssuer = gone.issuerFor(ACCOUNT);
    const token = (await runCli(['token', '--type', 'web-identity', '--audience', AUDIENCE, '--region', 'eu-west-1', '--sts-endpoint', gone.url, '--format', 'token'], { env: envFor('alice') })).stdout.trim();
    await closeGone();
    const result = await runCli(['verify', '-', '--audience', AUDIENCE, '--issuer', goneIssuer], { input: token });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('issuer keys unavailable');
  });

  it('decode shows what a JWT says and its local checks, never the signature', async () => {
    const token = await mintJwt(['--signing-algorithm', 'ES384']);
    const result = await runCli(['decode', '-', '--json'], { input: token });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Record<string, unknown> & { checks: { name: string; status: string }[] };
    expect(report).toMatchObject({ type: 'web-identity', algorithm: 'ES384', keyId: 'EC384_0', issuer, subject: principal('alice').arn, audience: [AUDIENCE], lifetimeSeconds: 300, valid: true, fresh: true });
    expect(report.checks.map((c) => [c.name, c.status])).toEqual([
      ['size', 'pass'], ['shape', 'pass'], ['header', 'pass'], ['issuer', 'pass'], ['claims', 'pass'], ['freshness', 'pass'], ['signature', 'not checked'],
    ]);
    const text = await runCli(['decode', token]);
    expect(text.stdout).toMatch(/^algorithm\s+ES384 \(kid EC384_0\)$/m);
    for (const out of [result.stdout, text.stdout]) expect(out).not.toContain(token.split('.')[2]);
  });

  it('decode of an expired JWT still shows it, and fails freshness (exit 1)', async () => {
    const token = await mintJwt(['--duration-seconds', '60']);
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const result = await runCli(['decode', '-', '--json', '--now', later], { input: token });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { subject: string; fresh: boolean; checks: { name: string; status: string; code?: string }[] };
    expect(report.subject).toBe(principal('alice').arn);
    expect(report.fresh).toBe(false);
    expect(report.checks.find((c) => c.name === 'freshness')).toMatchObject({ status: 'fail', code: 'jwt_expired' });
  });

  it('decode of a forged JWT names the failing check and shows the unverified contents', async () => {
    const [, body, signature] = (await mintJwt([])).split('.');
    const forged = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${body!}.${signature!}`;
    const result = await runCli(['decode', forged]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^ {2}fail\s+header\s+jwt_algorithm: /m);
    expect(result.stdout).toMatch(/^ {2}header\s+\{"alg":"none","typ":"JWT"\}$/m);
    expect(result.stdout).not.toContain(signature);
  });
});
