import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startStsLocal, type StsLocal } from '@callerid/sts-local';
import { errorCode, send } from './helpers/http.js';
import { presign, signPost } from './helpers/signer.js';
import { alice, HOST } from './helpers/principals.js';


async function whoami(sts: StsLocal) {
  const s = await presign(alice, { host: HOST, region: 'us-west-2', audience: 'a' });
  return send(sts.url, { path: s.path, headers: s.headers });
}

describe('faults', () => {
  let sts: StsLocal;
  beforeAll(async () => {
    sts = await startStsLocal({ principals: [alice], faults: { throttle: { count: 2 } } });
  });
  afterEach(() => sts.setFaults(undefined));
  afterAll(async () => {
    await sts.close();
  });

  it('throttles a count of requests given at start, with 400 Throttling "Rate exceeded"', async () => {
    const answers = [await whoami(sts), await whoami(sts), await whoami(sts)];
    expect(answers.map((a) => a.status)).toEqual([400, 400, 200]);
    expect(errorCode(answers[0]!)).toBe('Throttling');
    expect(answers[0]!.body).toContain('<Message>Rate exceeded</Message>');
    expect(answers[0]!.body).toContain('<Type>Sender</Type>');
  });

  it('throttles an exact fraction of requests, set at run time', async () => {
    sts.setFaults({ throttle: { fraction: 0.25 } });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await whoami(sts)).status);
    expect(statuses).toEqual([200, 200, 200, 400, 200, 200, 200, 400]);
  });

  it('answers 5xx in the STS error format', async () => {
    sts.setFaults({ serverError: { count: 1 } });
    const a = await whoami(sts);
    expect([a.status, errorCode(a)]).toEqual([500, 'InternalFailure']);
    expect(a.body).toContain('<Type>Receiver</Type>');
    sts.setFaults({ serverError: { count: 1, status: 503 } });
    const b = await whoami(sts);
    expect([b.status, errorCode(b)]).toEqual([503, 'ServiceUnavailable']);
    expect((await whoami(sts)).status).toBe(200);
  });

  it('drops connections without answering', async () => {
    sts.setFaults({ drop: { count: 1 } });
    await expect(whoami(sts)).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect((await whoami(sts)).status).toBe(200);
  });

  it('adds latency', async () => {
    sts.setFaults({ latencyMs: 300 });
    const started = performance.now();
    expect((await whoami(sts)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('refuses invalid fault settings', () => {
    expect(() => sts.setFaults({ throttle: { fraction: 2 } })).toThrow(TypeError);
    expect(() => sts.setFaults({ latencyMs: -1 })).toThrow(TypeError);
    expect(() => sts.setFaults({ serverError: { count: 1.5 } })).toThrow(TypeError);
  });
});

describe('stats', () => {
  let sts: StsLocal;
  beforeAll(async () => {
    sts = await startStsLocal({ principals: [alice] });
  });
  afterAll(async () => {
    await sts.close();
  });

  it('counts requests, acceptances and rejections per action, in-process and at /_local/stats', async () => {
    await whoami(sts);
    await whoami(sts);
    const bad = await presign({ ...alice, secretAccessKey: 'wrong' }, { host: HOST, region: 'us-west-2', audience: 'a' });
    await send(sts.url, { path: bad.path, headers: bad.headers });
    await send(sts.url, { ...(await signPost(alice, { host: HOST, region: 'us-west-2', body: 'Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2FX&RoleSessionName=ci' })) });
    await send(sts.url, { ...(await signPost(alice, { host: HOST, region: 'us-west-2', body: 'Action=DeleteEverything' })) });

    const stats = sts.stats();
    expect(stats.actions.GetCallerIdentity).toEqual({ requests: 3, accepted: 2, rejected: 1, errors: { SignatureDoesNotMatch: 1 } });
    expect(stats.actions.AssumeRole).toEqual({ requests: 1, accepted: 1, rejected: 0, errors: {} });
    expect(stats.actions.Other).toEqual({ requests: 1, accepted: 0, rejected: 1, errors: { InvalidAction: 1 } });
    expect(stats.totals).toEqual({ requests: 5, accepted: 3, rejected: 2 });

    const http = await send(sts.url, { path: '/_local/stats', headers: {} });
    expect(http.status).toBe(200);
    expect(http.headers['content-type']).toBe('application/json');
    expect(JSON.parse(http.body)).toEqual(stats);
  });
});
