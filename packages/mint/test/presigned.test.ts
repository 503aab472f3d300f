import { describe, expect, it } from 'vitest';
import { CallerIdError } from '@callerid/core';
import { mintToken } from '../src/index.js';
import { awsCli, credentialsOf, fixturePrincipal as principal, golden, queryParam, signedAtOfUrl as signedAtOf } from '../../../testing/harness/src/fixtures.js';

function urlOf(token: string): string {
  expect(token.startsWith('k8s-aws-v1.')).toBe(true);
  const body = token.slice('k8s-aws-v1.'.length);
  expect(body).toMatch(/^[A-Za-z0-9_-]+$/); // base64url, no padding
  return Buffer.from(body, 'base64url').toString('latin1');
}

describe('mintToken interop', () => {
  it('reproduces the aws-iam-authenticator golden vector byte for byte', async () => {
    const { token, expiresAt } = await mintToken({
      audience: golden.audience,
      region: golden.region,
      credentials: credentialsOf(golden),
      signingDate: new Date(golden.signingDate),
    });
    expect(urlOf(token)).toBe(golden.expectedUrl);
    expect(token).toBe(golden.expectedToken);
    expect(expiresAt.toISOString().replace('.000Z', 'Z')).toBe(golden.expectedExpiration);
  });

  for (const fixture of awsCli.eksTokens) {
    const host = new URL(fixture.presignedUrl).host;
    it(`matches ${fixture.minter} for ${fixture.principal} at ${host} (${fixture.audience})`, async () => {
      const { token, expiresAt } = await mintToken({
        audience: fixture.audience,
        region: fixture.region,
        endpoint: host === 'sts.amazonaws.com' ? 'global' : 'regional',
        credentials: credentialsOf(principal(fixture.principal)),
        signingDate: new Date(signedAtOf(fixture.presignedUrl)),
      });
      const url = urlOf(token);
      expect(new URL(url).host).toBe(host);
      expect(queryParam(url, 'X-Amz-Signature')).toBe(queryParam(fixture.presignedUrl, 'X-Amz-Signature'));
      if (fixture.minter.startsWith('aws-cli')) {
        // Same parameter order as the AWS CLI: the whole token is identical.
        expect(url).toBe(fixture.presignedUrl);
        expect(token).toBe(fixture.token);
        expect(expiresAt.toISOString().replace('.000Z', 'Z')).toBe(fixture.execCredential!.status.expirationTimestamp);
      }
    });
  }
});

describe('mintToken endpoints', () => {
  const credentials = credentialsOf(principal('alice'));
  const signingDate = new Date('2026-01-01T00:00:00Z');
  const hostOf = async (options: Partial<Parameters<typeof mintToken>[0]>) =>
    new URL(urlOf((await mintToken({ audience: 'a', credentials, signingDate, ...options })).token)).host;

  it('uses the regional endpoint by default and the global one on request', async () => {
    expect(await hostOf({ region: 'eu-central-1' })).toBe('sts.eu-central-1.amazonaws.com');
    expect(await hostOf({ region: 'eu-central-1', endpoint: 'global' })).toBe('sts.amazonaws.com');
  });

  it('knows every partition and FIPS', async () => {
    expect(await hostOf({ region: 'cn-northwest-1' })).toBe('sts.cn-northwest-1.amazonaws.com.cn');
    expect(await hostOf({ region: 'us-gov-east-1' })).toBe('sts.us-gov-east-1.amazonaws.com');
    expect(await hostOf({ region: 'us-iso-east-1' })).toBe('sts.us-iso-east-1.c2s.ic.gov');
    expect(await hostOf({ region: 'us-isob-east-1' })).toBe('sts.us-isob-east-1.sc2s.sgov.gov');
    expect(await hostOf({ region: 'eu-isoe-west-1' })).toBe('sts.eu-isoe-west-1.cloud.adc-e.uk');
    expect(await hostOf({ region: 'us-isof-south-1' })).toBe('sts.us-isof-south-1.csp.hci.ic.gov');
    expect(await hostOf({ region: 'eusc-de-east-1' })).toBe('sts.eusc-de-east-1.amazonaws.eu');
    expect(await hostOf({ region: 'us-east-2', fips: true })).toBe('sts-fips.us-east-2.amazonaws.com');
    // GovCloud's regular STS hosts are its FIPS endpoints (the SDK's rule).
    expect(await hostOf({ region: 'us-gov-west-1', fips: true })).toBe('sts.us-gov-west-1.amazonaws.com');
  });

  it('signs the region of the host into the credential scope', async () => {
    const { token } = await mintToken({ audience: 'a', credentials, signingDate, endpoint: 'global', region: 'eu-west-1' });
    expect(queryParam(urlOf(token), 'X-Amz-Credential')).toBe('AKIAXCALLERIDALICE01/20260101/us-east-1/sts/aws4_request');
  });

  it('takes the region from AWS_REGION when none is given', async () => {
    const saved = process.env.AWS_REGION;
    process.env.AWS_REGION = 'ap-south-2';
    try {
      expect(await hostOf({})).toBe('sts.ap-south-2.amazonaws.com');
    } finally {
      if (saved === undefined) delete process.env.AWS_REGION;
      else process.env.AWS_REGION = saved;
    }
  });
});

describe('mintToken credentials and expiry', () => {
  const alice = credentialsOf(principal('alice'));
  const signingDate = new Date('2026-01-01T00:00:00.750Z');

  it('expires 14 minutes after the (whole-second) signing time', async () => {
    const { expiresAt } = await mintToken({ audience: 'a', region: 'us-east-1', credentials: alice, signingDate });
    expect(expiresAt.toISOString()).toBe('2026-01-01T00:14:00.000Z');
  });

  it('clamps the expiry to the credentials’ own expiration', async () => {
    const expiration = new Date('2026-01-01T00:05:00Z');
    const { expiresAt } = await mintToken({ audience: 'a', region: 'us-east-1', credentials: { ...alice, expiration }, signingDate });
    expect(expiresAt.toISOString()).toBe('2026-01-01T00:05:00.000Z');
  });

  it('accepts a credentials provider', async () => {
    const deployer = principal('deployer-session');
    let calls = 0;
    const provider = async () => {
      calls++;
      return credentialsOf(deployer);
    };
    const { token } = await mintToken({ audience: 'a', region: 'us-east-1', credentials: provider, signingDate });
    expect(calls).toBe(1);
    expect(queryParam(urlOf(token), 'X-Amz-Security-Token')).toBe(deployer.sessionToken);
  });

  it('falls back to the default provider chain (environment variables here)', async () => {
    const keys = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;
    const saved = keys.map((k) => process.env[k]);
    process.env.AWS_ACCESS_KEY_ID = alice.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = alice.secretAccessKey;
    delete process.env.AWS_SESSION_TOKEN;
    try {
      const { token } = await mintToken({ audience: 'a', region: 'us-east-1', signingDate });
      expect(queryParam(urlOf(token), 'X-Amz-Credential')).toMatch(/^AKIAXCALLERIDALICE01\//);
    } finally {
      keys.forEach((k, i) => (saved[i] === undefined ? delete process.env[k] : (process.env[k] = saved[i])));
    }
  });

  it('reports a failing provider as credentials_unavailable without leaking secrets', async () => {
    const secret = 'SECRET-in-the-provider-error';
    const err = await mintToken({
      audience: 'a',
      region: 'us-east-1',
      credentials: () => Promise.reject(new Error('no profile')),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CallerIdError);
    expect((err as CallerIdError).code).toBe('credentials_unavailable');
    expect((err as CallerIdError).status).toBe(500);
    const bad = await mintToken({ audience: 'a', region: 'us-east-1', credentials: { accessKeyId: 'lower-case-key-id', secretAccessKey: secret } }).catch((e: unknown) => e);
    expect((bad as CallerIdError).code).toBe('credentials_unavailable');
    expect((bad as Error).message).not.toContain(secret);
  });
});

describe('mintToken options', () => {
  const credentials = credentialsOf(principal('alice'));
  it('expiresInSeconds changes X-Amz-Expires, and so the token, and nothing else', async () => {
    const signingDate = new Date('2026-03-01T12:00:00Z');
    const usual = await mintToken({ audience: 'a', region: 'us-east-1', credentials, signingDate });
    const other = await mintToken({ audience: 'a', region: 'us-east-1', credentials, signingDate, expiresInSeconds: 300 });
    expect(other.token).not.toBe(usual.token);
    expect(other.expiresAt).toEqual(usual.expiresAt);
    const expires = (token: string) => new URL(Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString()).searchParams.get('X-Amz-Expires');
    expect([expires(usual.token), expires(other.token)]).toEqual(['60', '300']);
  });

  const cases: [string, Record<string, unknown>][] = [
    ['an empty audience', { audience: '' }],
    ['an audience with a space', { audience: 'a b' }],
    ['an audience with a newline', { audience: 'a\nb' }],
    ['a too long audience', { audience: 'a'.repeat(257) }],
    ['an unknown region', { audience: 'a', region: 'mars-north-1' }],
    ['a region spoof', { audience: 'a', region: 'us-east-1.evil.com' }],
    ['global with FIPS', { audience: 'a', endpoint: 'global', fips: true }],
    ['an unknown endpoint kind', { audience: 'a', endpoint: 'local' }],
    ['an invalid signing date', { audience: 'a', signingDate: new Date('nope') }],
    ['an X-Amz-Expires below 60', { audience: 'a', expiresInSeconds: 59 }],
    ['an X-Amz-Expires above 900', { audience: 'a', expiresInSeconds: 901 }],
    ['a fractional X-Amz-Expires', { audience: 'a', expiresInSeconds: 60.5 }],
  ];
  for (const [name, options] of cases) {
    it(`rejects ${name}`, async () => {
      const err = await mintToken({ region: 'us-east-1', credentials, ...options } as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CallerIdError);
      expect((err as CallerIdError).code).toBe('mint_options_invalid');
    });
  }
});
