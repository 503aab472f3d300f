import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Resolved from core's sources by the workspace vitest aliases (and tsconfig `paths` for typechecking).
import { CallerIdError, createVerifier, type Verifier } from '@callerid/core';
import { mintToken } from '@callerid/mint';
import { startStsLocal, type StsLocal } from '@callerid/sts-local';
import { FIXTURE_FILE, fixtures, principalNamed, signedAtOfUrl } from './helpers/fixtures.js';
import { send } from './helpers/http.js';
import { signPost } from './helpers/signer.js';

// Issue 3, proof 4: @callerid/core's verifier pointed at sts-local.
const AUDIENCE = 'payments-api';
let sts: StsLocal;
let now = Date.now();
const verifiers: Verifier[] = [];

function verifier(audience = AUDIENCE): Verifier {
  const v = createVerifier({ audience, stsEndpoint: sts.url, clock: () => now, cache: false, timeoutMs: 5_000, allowedPartitions: ['aws', 'aws-cn', 'aws-us-gov'] });
  verifiers.push(v);
  return v;
}

async function rejection(promise: Promise<unknown>): Promise<CallerIdError> {
  const error = await promise.then(
    () => expect.unreachable('verify should have failed'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CallerIdError);
  return error as CallerIdError;
}

beforeAll(async () => {
  sts = await startStsLocal({ principals: FIXTURE_FILE, clock: () => now });
});
afterAll(async () => {
  await Promise.all(verifiers.map((v) => v.close()));
  await sts.close();
});

describe('core verifier → sts-local', () => {
  const alice = principalNamed('alice');
  const keys = { accessKeyId: alice.accessKeyId, secretAccessKey: alice.secretAccessKey };

  it('accepts a core-minted token and answers the principal', async () => {
    now = Date.now();
    const { token } = await mintToken({ audience: AUDIENCE, region: 'us-west-2', credentials: keys });
    const identity = await verifier().verify(token);
    expect(identity).toMatchObject({ arn: alice.arn, accountId: alice.account, userId: alice.userId, principalType: 'user', tokenType: 'presigned' });
    expect(sts.stats().actions.GetCallerIdentity?.accepted).toBeGreaterThanOrEqual(1);
  });

  it('rejects a token minted for another audience with 401 (STS says SignatureDoesNotMatch)', async () => {
    now = Date.now();
    const before = sts.stats().actions.GetCallerIdentity?.errors.SignatureDoesNotMatch ?? 0;
    const { token } = await mintToken({ audience: 'orders', region: 'us-west-2', credentials: keys });
    const error = await rejection(verifier().verify(token));
    expect(error.status).toBe(401);
    expect(error.message).not.toContain(token.slice(11, 60));
    expect(sts.stats().actions.GetCallerIdentity?.errors.SignatureDoesNotMatch).toBe(before + 1);
  });

  it('rejects a token signed with a wrong secret with 401', async () => {
    now = Date.now();
    const { token } = await mintToken({ audience: AUDIENCE, region: 'us-west-2', credentials: { ...keys, secretAccessKey: 'wrong/secret/Key+0123456789abcdefghijklm' } });
    expect((await rejection(verifier().verify(token))).status).toBe(401);
  });

  it('accepts the AWS CLI fixture tokens at their signing time', async () => {
    for (const t of fixtures.eksTokens.filter((x) => x.audience === AUDIENCE)) {
      now = signedAtOfUrl(t.presignedUrl);
      const identity = await verifier().verify(t.token);
      expect(identity.arn).toBe(principalNamed(t.principal).arn);
    }
  });

  it('verifies tokens minted with AssumeRole credentials from sts-local as the role', async () => {
    now = Date.now();
    const signed = await signPost(alice, {
      host: 'sts.us-west-2.amazonaws.com',
      region: 'us-west-2',
      body: 'Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fplatform%2FAdmin&RoleSessionName=verify-me',
    });
    const answer = JSON.parse((await send(sts.url, { ...signed, headers: { ...signed.headers, accept: 'application/json' } })).body);
    const c = answer.AssumeRoleResponse.AssumeRoleResult.Credentials;
    const { token } = await mintToken({
      audience: AUDIENCE,
      region: 'eu-west-1',
      credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken },
    });
    const identity = await verifier().verify(token);
    expect(identity).toMatchObject({
      arn: 'arn:aws:sts::111122223333:assumed-role/Admin/verify-me',
      canonicalArn: 'arn:aws:iam::111122223333:role/Admin',
      principalType: 'assumed-role',
      sessionName: 'verify-me',
    });
  });

  it('treats sts-local throttling as "unavailable", not "unauthorized"', async () => {
    now = Date.now();
    const { token } = await mintToken({ audience: AUDIENCE, region: 'us-west-2', credentials: keys });
    sts.setFaults({ throttle: { count: 1 } });
    try {
      const error = await rejection(verifier().verify(token));
      expect(error.status).toBe(503);
      expect(error.code).toBe('sts_throttled');
    } finally {
      sts.setFaults(undefined);
    }
  });
});
