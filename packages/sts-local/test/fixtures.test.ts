import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStsLocal, type StsLocal } from '@callerid/sts-local';
import { errorCode, replayPresigned, send } from './helpers/http.js';
import { amzDateMs, FIXTURE_FILE, fixtures, principalNamed, signedAtOfUrl, tokenUrl } from './helpers/fixtures.js';

// The clock is read per request, so one server serves every fixture by moving `now`.
let now = 0;
let sts: StsLocal;

beforeAll(async () => {
  sts = await startStsLocal({ principals: FIXTURE_FILE, clock: () => now });
});
afterAll(async () => {
  await sts.close();
});

describe('AWS CLI v2 and botocore presigned tokens', () => {
  it.each(fixtures.eksTokens.map((t) => [`${t.principal} ${t.region} (${t.minter})`, t] as const))('accepts %s', async (_name, t) => {
    expect(tokenUrl(t.token)).toBe(t.presignedUrl);
    now = signedAtOfUrl(t.presignedUrl);
    const answer = await replayPresigned(sts.url, t.presignedUrl, { 'x-k8s-aws-id': t.audience, accept: 'application/json' });
    expect(answer.status).toBe(200);
    const p = principalNamed(t.principal);
    expect(JSON.parse(answer.body)).toEqual({
      GetCallerIdentityResponse: {
        GetCallerIdentityResult: { Account: p.account, Arn: p.arn, UserId: p.userId },
        ResponseMetadata: { RequestId: expect.stringMatching(/^[0-9a-f-]{36}$/) },
      },
    });
  });
});

describe('botocore-signed POST requests', () => {
  it.each(fixtures.signedPostRequests.map((r) => [`${r.principal} ${r.region}`, r] as const))('accepts %s', async (_name, r) => {
    now = amzDateMs(r.headers['X-Amz-Date']!);
    const answer = await send(sts.url, { method: 'POST', path: '/', headers: { host: new URL(r.url).host, ...r.headers }, body: r.body });
    expect(answer.status).toBe(200);
    const p = principalNamed(r.principal);
    expect(answer.headers['content-type']).toBe('text/xml');
    expect(answer.body).toContain('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">');
    expect(answer.body).toContain(`<Arn>${p.arn}</Arn>`);
    expect(answer.body).toContain(`<UserId>${p.userId}</UserId>`);
    expect(answer.body).toContain(`<Account>${p.account}</Account>`);
  });

  it('refuses them 16 minutes later with "Signature expired"', async () => {
    const r = fixtures.signedPostRequests[0]!;
    now = amzDateMs(r.headers['X-Amz-Date']!) + 16 * 60_000;
    const answer = await send(sts.url, { method: 'POST', path: '/', headers: { host: new URL(r.url).host, ...r.headers }, body: r.body });
    expect(answer.status).toBe(403);
    expect(errorCode(answer)).toBe('SignatureDoesNotMatch');
    expect(answer.body).toContain('Signature expired');
  });
});
