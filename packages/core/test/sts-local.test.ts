/**
 * The verifier against the real local STS (@callerid/sts-local), which checks SigV4 for real: the
 * AWS CLI fixture tokens and core-minted tokens verify, other audiences and tampered tokens do not.
 */
import { startStsLocal, type StsLocal } from '@callerid/sts-local';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CallerIdError, PARTITION_IDS, createVerifier, mintToken, type Verifier, type VerifierOptions } from '../src/index.js';
import { AWS_CLI_FIXTURE_FILE as FIXTURE_FILE, awsCli, credentialsOf, principal, signedAtOf } from './fixtures.js';


let sts: StsLocal;
let now = 0;
const verifiers: Verifier[] = [];

function verifier(options: Partial<VerifierOptions> & { audience: string }): Verifier {
  const v = createVerifier({ stsEndpoint: sts.url, clock: () => now, allowedPartitions: PARTITION_IDS, ...options });
  verifiers.push(v);
  return v;
}

const gciRequests = () => sts.stats().actions.GetCallerIdentity?.requests ?? 0;

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => expect.unreachable('verify should have failed'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CallerIdError);
  return (err as CallerIdError).code;
}

beforeAll(async () => {
  sts = await startStsLocal({ principals: FIXTURE_FILE, clock: () => now });
});
afterAll(async () => {
  await Promise.all(verifiers.map((v) => v.close()));
  await sts.close();
});
beforeEach(() => sts.setFaults(undefined));

describe('verify against sts-local: AWS CLI and botocore tokens', () => {
  for (const fixture of awsCli.eksTokens) {
    const host = new URL(fixture.presignedUrl).host;
    it(`${fixture.principal} via ${host} (${fixture.minter.split(' ')[0]})`, async () => {
      now = signedAtOf(fixture.presignedUrl) + 2_000;
      const p = principal(fixture.principal);
      const identity = await verifier({ audience: fixture.audience }).verify(fixture.token);
      expect(identity).toMatchObject({ arn: p.arn, accountId: p.account, userId: p.userId, stsHost: host, tokenType: 'presigned' });
      if (p.arn.includes(':assumed-role/')) {
        expect(identity.principalType).toBe('assumed-role');
        expect(identity.canonicalArn).toBe(p.arn.replace(':sts::', ':iam::').replace(/assumed-role\/([^/]+)\/.*$/, 'role/$1'));
      } else {
        expect(identity).toMatchObject({ principalType: 'user', canonicalArn: p.arn });
      }
    });
  }

  it('refuses a token for another audience with 401 (STS: SignatureDoesNotMatch)', async () => {
    const fixture = awsCli.eksTokens[0]!;
    now = signedAtOf(fixture.presignedUrl);
    const err = await verifier({ audience: 'orders' })
      .verify(fixture.token)
      .catch((e: unknown) => e as CallerIdError);
    expect(err).toMatchObject({ code: 'sts_signature_mismatch', status: 401 });
  });

  it('refuses a token with one signature digit changed', async () => {
    const fixture = awsCli.eksTokens[0]!;
    now = signedAtOf(fixture.presignedUrl);
    const url = fixture.presignedUrl.replace(/(X-Amz-Signature=)(.)/, (_m, k: string, c: string) => k + (c === '0' ? '1' : '0'));
    const tampered = 'k8s-aws-v1.' + Buffer.from(url).toString('base64url');
    expect(await codeOf(verifier({ audience: fixture.audience }).verify(tampered))).toBe('sts_signature_mismatch');
  });
});

describe('verify against sts-local: core-minted tokens', () => {
  const signingDate = new Date('2026-05-05T10:00:00Z');
  beforeEach(() => {
    now = signingDate.getTime() + 1_000;
  });

  it('an IAM user and an assumed-role session', async () => {
    for (const name of ['alice', 'deployer-session']) {
      const { token } = await mintToken({ audience: 'inventory', region: 'eu-central-1', credentials: credentialsOf(principal(name)), signingDate });
      await expect(verifier({ audience: 'inventory' }).verify(token)).resolves.toMatchObject({ arn: principal(name).arn, region: 'eu-central-1' });
    }
  });

  it('another audience → 401', async () => {
    const { token } = await mintToken({ audience: 'inventory', region: 'eu-central-1', credentials: credentialsOf(principal('alice')), signingDate });
    expect(await codeOf(verifier({ audience: 'billing' }).verify(token))).toBe('sts_signature_mismatch');
  });

  it('an unknown access key → 401', async () => {
    const { token } = await mintToken({
      audience: 'inventory',
      region: 'eu-central-1',
      credentials: { accessKeyId: 'AKIAXCALLERIDNOBODY1', secretAccessKey: 'nobody/secret' },
      signingDate,
    });
    expect(await codeOf(verifier({ audience: 'inventory' }).verify(token))).toBe('sts_unknown_key');
  });

  it('200 concurrent verifications → one STS request; another within the TTL → none', async () => {
    const { token } = await mintToken({ audience: 'inventory', region: 'us-west-1', credentials: credentialsOf(principal('alice')), signingDate });
    sts.setFaults({ latencyMs: 50 });
    const v = verifier({ audience: 'inventory' });
    const before = gciRequests();
    const identities = await Promise.all(Array.from({ length: 200 }, () => v.verify(token)));
    expect(identities.every((i) => i.arn === principal('alice').arn)).toBe(true);
    expect(gciRequests() - before).toBe(1);
    now += 10 * 60_000;
    await v.verify(token);
    expect(gciRequests() - before).toBe(1);
  });

  it('a locally invalid token never reaches STS', async () => {
    const { token } = await mintToken({ audience: 'inventory', region: 'us-west-1', credentials: credentialsOf(principal('alice')), signingDate });
    const before = sts.stats().totals.requests;
    now += 20 * 60_000;
    expect(await codeOf(verifier({ audience: 'inventory' }).verify(token))).toBe('token_expired');
    expect(await codeOf(verifier({ audience: 'inventory' }).verify(`${token}=`))).toBe('token_encoding');
    expect(sts.stats().totals.requests).toBe(before);
  });
});

describe('verify against sts-local: faults', () => {
  const signingDate = new Date('2026-05-06T10:00:00Z');
  let n = 0;
  // A fresh token per case, so no verdict is cached.
  const freshToken = async () =>
    (await mintToken({ audience: 'inventory', region: 'us-east-1', credentials: credentialsOf(principal('alice')), signingDate: new Date(signingDate.getTime() + ++n * 1000) })).token;
  beforeEach(() => {
    now = signingDate.getTime() + 60_000;
  });

  it('throttling → sts_throttled (503), not 401', async () => {
    sts.setFaults({ throttle: { count: 1 } });
    const err = await verifier({ audience: 'inventory' })
      .verify(await freshToken())
      .catch((e: unknown) => e as CallerIdError);
    expect(err).toMatchObject({ code: 'sts_throttled', status: 503 });
  });

  it('5xx → sts_unavailable; a dropped connection → sts_unavailable', async () => {
    sts.setFaults({ serverError: { count: 1 } });
    expect(await codeOf(verifier({ audience: 'inventory' }).verify(await freshToken()))).toBe('sts_unavailable');
    sts.setFaults({ drop: { count: 1 } });
    expect(await codeOf(verifier({ audience: 'inventory' }).verify(await freshToken()))).toBe('sts_unavailable');
  });

  it('latency beyond the timeout → sts_timeout', async () => {
    sts.setFaults({ latencyMs: 1_000 });
    expect(await codeOf(verifier({ audience: 'inventory', timeoutMs: 200 }).verify(await freshToken()))).toBe('sts_timeout');
  });
});
