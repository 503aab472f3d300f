import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStsLocal, type StsLocal } from '@callerid/sts-local';
import { errorCode, send } from './helpers/http.js';
import { raw } from './helpers/raw.js';
import { presign } from './helpers/signer.js';
import { alice, HOST } from './helpers/principals.js';

// Bad input never crashes sts-local: each gets an STS-shaped error or a closed connection, and the
// next good request is still answered.
let sts: StsLocal;

beforeAll(async () => {
  sts = await startStsLocal({ principals: [alice], requestTimeoutMs: 1500 });
});
afterAll(async () => {
  await sts.close();
});

async function stillServing(): Promise<void> {
  const s = await presign(alice, { host: HOST, region: 'us-west-2', audience: 'a' });
  const a = await send(sts.url, { path: s.path, headers: s.headers });
  expect(a.status).toBe(200);
}

const statusOf = (text: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
const codeOf = (text: string) => /<Code>([^<]*)<\/Code>/.exec(text)?.[1];

describe('bad input', () => {
  it('an oversized body (declared) gets 413 and a closed connection', async () => {
    const r = await raw(sts.url, [`POST / HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 70000\r\n\r\nAction=`]);
    expect(statusOf(r.text)).toBe(413);
    expect(codeOf(r.text)).toBe('RequestEntityTooLarge');
    expect(r.closed).toBe(true);
    await stillServing();
  });

  it('an oversized chunked body gets 413 and a closed connection', async () => {
    const chunk = 'a'.repeat(16_384);
    const body = Array.from({ length: 5 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join('');
    const r = await raw(sts.url, [`POST / HTTP/1.1\r\nHost: ${HOST}\r\nTransfer-Encoding: chunked\r\n\r\n`, body]);
    expect(statusOf(r.text)).toBe(413);
    expect(r.closed).toBe(true);
    await stillServing();
  });

  it('oversized headers get 431 in the STS error format', async () => {
    const r = await raw(sts.url, [`GET / HTTP/1.1\r\nHost: ${HOST}\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`]);
    expect(statusOf(r.text)).toBe(431);
    expect(r.text).toContain('<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">');
    expect(r.closed).toBe(true);
    await stillServing();
  });

  it('a garbage method or garbage bytes get 400 and a closed connection', async () => {
    for (const line of ['FOO / HTTP/1.1\r\n\r\n', '\u0000\u0001\u0002 garbage\r\n\r\n', 'GET / HTTP/9.9\r\n\r\n']) {
      const r = await raw(sts.url, [line]);
      expect(statusOf(r.text)).toBe(400);
      expect(codeOf(r.text)).toBe('InvalidRequest');
      expect(r.closed).toBe(true);
    }
    await stillServing();
  });

  it('a method STS does not serve gets 405, another path 404', async () => {
    const put = await send(sts.url, { method: 'PUT', path: '/', headers: { host: HOST }, body: 'x' });
    expect([put.status, errorCode(put)]).toEqual([405, 'MethodNotAllowed']);
    const path = await send(sts.url, { path: '/other?Action=GetCallerIdentity', headers: { host: HOST } });
    expect([path.status, errorCode(path)]).toEqual([404, 'NotFound']);
    await stillServing();
  });

  it('a malformed query gets MalformedQueryString', async () => {
    for (const q of ['Action=GetCallerIdentity&X-Amz-Date=%ZZ', 'Action=%C3%28', 'Action=Get%', '=x']) {
      const a = await send(sts.url, { path: `/?${q}`, headers: { host: HOST } });
      expect([a.status, errorCode(a)]).toEqual([404, 'MalformedQueryString']);
    }
    const body = await send(sts.url, { method: 'POST', path: '/', headers: { host: HOST, 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from([0x41, 0x3d, 0xff]) });
    expect(errorCode(body)).toBe('MalformedQueryString');
    await stillServing();
  });

  it('a malformed Authorization header gets IncompleteSignature', async () => {
    for (const authorization of ['AWS4-HMAC-SHA256 garbage', 'Bearer x', 'AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host']) {
      const a = await send(sts.url, { path: '/?Action=GetCallerIdentity', headers: { host: HOST, authorization, 'x-amz-date': '20261122T000000Z' } });
      expect([a.status, errorCode(a)]).toEqual([400, 'IncompleteSignature']);
      expect(a.body).not.toContain('garbage');
    }
  });

  it('a half-sent request that the client abandons does not disturb the server', async () => {
    const r1 = await raw(sts.url, [`GET /?Action=GetCallerIdentity HTTP/1.1\r\nHost: ${HOST}\r\nX-Half`], { endAfterWrite: true, waitMs: 500 });
    expect(r1.closed).toBe(true);
    const r2 = await raw(sts.url, [`POST / HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: 100\r\n\r\nAction=Get`], { endAfterWrite: true, waitMs: 500 });
    expect(r2.closed).toBe(true);
    await stillServing();
  });

  it('a half-sent request that stalls is closed after the request timeout', async () => {
    const r = await raw(sts.url, [`POST / HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: 100\r\n\r\nAction=Get`], { waitMs: 8000 });
    expect(r.closed).toBe(true);
    if (r.text) expect(statusOf(r.text)).toBe(408);
    await stillServing();
  });

  it('pipelined requests are each answered', async () => {
    const s = await presign(alice, { host: HOST, region: 'us-west-2', audience: 'a' });
    const one = `GET ${s.path} HTTP/1.1\r\nHost: ${HOST}\r\nx-k8s-aws-id: a\r\n\r\n`;
    const r = await raw(sts.url, [one + one + `GET ${s.path} HTTP/1.1\r\nHost: ${HOST}\r\nx-k8s-aws-id: a\r\nConnection: close\r\n\r\n`]);
    expect(r.text.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(3);
  });
});
