import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStsLocal, type StsLocal } from '@callerid/sts-local';
import { errorCode, replayPresigned, send, type Answer } from './helpers/http.js';
import { amzDateMs, FIXTURE_FILE, fixtures, signedAtOfUrl, type FixturePost, type FixtureToken } from './helpers/fixtures.js';

// One byte changed anywhere a signer covers must be refused with the error STS gives.
let now = 0;
let sts: StsLocal;
beforeAll(async () => {
  sts = await startStsLocal({ principals: FIXTURE_FILE, clock: () => now });
});
afterAll(async () => {
  await sts.close();
});

/** Changes the character at `index` to a different one of the same kind (hex stays hex, digit stays digit). */
function flip(text: string, index: number): string {
  const c = text[index]!;
  const next = /\d/.test(c) ? String((Number(c) + 1) % 10) : /[a-f]/.test(c) ? (c === 'f' ? 'e' : String.fromCharCode(c.charCodeAt(0) + 1)) : c === 'Z' ? 'Y' : String.fromCharCode(c.charCodeAt(0) + 1);
  return text.slice(0, index) + next + text.slice(index + 1);
}

/** Flips one character of a query parameter's raw (encoded) value in a URL, at `offset` into the value. */
function flipParam(url: string, name: string, offset: (value: string) => number): string {
  const start = url.indexOf(`${name}=`) + name.length + 1;
  const end = url.indexOf('&', start) === -1 ? url.length : url.indexOf('&', start);
  return flip(url, start + offset(url.slice(start, end)));
}

function expectRefused(answer: Answer, status: number, code: string, secrets: string[]): void {
  expect(answer.status).toBe(status);
  expect(errorCode(answer)).toBe(code);
  expect(answer.body).toContain('<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">');
  expect(answer.body).toMatch(/<Type>Sender<\/Type>/);
  for (const secret of secrets) expect(answer.body).not.toContain(secret);
}

const tokenCases = fixtures.eksTokens.map((t) => [`${t.principal} ${t.region} (${t.minter})`, t] as const);

describe.each(tokenCases)('presigned token %s with one byte changed', (_name, t: FixtureToken) => {
  const url = t.presignedUrl;
  const signature = new URL(url).searchParams.get('X-Amz-Signature')!;
  const sessionToken = new URL(url).searchParams.get('X-Amz-Security-Token');
  const secrets = [signature, ...(sessionToken ? [sessionToken, encodeURIComponent(sessionToken)] : [])];
  const replay = (u: string, headers: Record<string, string> = {}) => {
    now = signedAtOfUrl(url);
    return replayPresigned(sts.url, u, { 'x-k8s-aws-id': t.audience, ...headers });
  };

  it('is accepted unchanged', async () => {
    expect((await replay(url)).status).toBe(200);
  });
  it('signature → SignatureDoesNotMatch', async () => {
    expectRefused(await replay(flipParam(url, 'X-Amz-Signature', (v) => v.length - 1)), 403, 'SignatureDoesNotMatch', secrets);
    expectRefused(await replay(flipParam(url, 'X-Amz-Signature', () => 0)), 403, 'SignatureDoesNotMatch', secrets);
  });
  it('date → SignatureDoesNotMatch', async () => {
    expectRefused(await replay(flipParam(url, 'X-Amz-Date', (v) => v.length - 2)), 403, 'SignatureDoesNotMatch', secrets);
  });
  it('audience header → SignatureDoesNotMatch', async () => {
    expectRefused(await replay(url, { 'x-k8s-aws-id': flip(t.audience, 0) }), 403, 'SignatureDoesNotMatch', secrets);
    expectRefused(await replay(url, { 'x-k8s-aws-id': `${t.audience} ` + 'x' }), 403, 'SignatureDoesNotMatch', secrets);
  });
  it('host → SignatureDoesNotMatch', async () => {
    const host = new URL(url).host;
    // The first byte (not an STS host), the last (not an STS host), the first of the region or domain.
    for (const index of [0, host.length - 1, host.indexOf('.') + 1]) {
      expectRefused(await replay(url, { host: flip(host, index) }), 403, 'SignatureDoesNotMatch', secrets);
    }
  });
  it('body → SignatureDoesNotMatch', async () => {
    now = signedAtOfUrl(url);
    const u = new URL(url);
    const answer = await send(sts.url, { path: `${u.pathname}${u.search}`, headers: { host: u.host, 'x-k8s-aws-id': t.audience }, body: 'x' });
    expectRefused(answer, 403, 'SignatureDoesNotMatch', secrets);
  });
  it('query (Action) → SignatureDoesNotMatch', async () => {
    expectRefused(await replay(url.replace('Version=2011-06-15', 'Version=2011-06-16')), 403, 'SignatureDoesNotMatch', secrets);
  });
  it('session token → InvalidClientTokenId', async () => {
    if (sessionToken) {
      expectRefused(await replay(flipParam(url, 'X-Amz-Security-Token', () => 0)), 403, 'InvalidClientTokenId', secrets);
      expectRefused(await replay(flipParam(url, 'X-Amz-Security-Token', () => 5)), 403, 'InvalidClientTokenId', secrets);
      const without = url.replace(/&X-Amz-Security-Token=[^&]*/, '');
      expectRefused(await replay(without), 403, 'InvalidClientTokenId', secrets);
    } else {
      expectRefused(await replay(url.replace('&X-Amz-Signature=', '&X-Amz-Security-Token=AQoDYXdz&X-Amz-Signature=')), 403, 'InvalidClientTokenId', secrets);
    }
  });
  it('access key id → InvalidClientTokenId', async () => {
    expectRefused(await replay(flipParam(url, 'X-Amz-Credential', () => 19)), 403, 'InvalidClientTokenId', secrets);
  });
  it('clock 15 minutes away → SignatureDoesNotMatch "Signature expired" / "not yet current"', async () => {
    const u = new URL(url);
    const signedAt = signedAtOfUrl(url);
    now = signedAt + 15 * 60_000 + 1000;
    let answer = await replayPresigned(sts.url, url, { 'x-k8s-aws-id': t.audience });
    expectRefused(answer, 403, 'SignatureDoesNotMatch', secrets);
    expect(answer.body).toContain('Signature expired');
    now = signedAt - 15 * 60_000 - 1000;
    answer = await send(sts.url, { path: `${u.pathname}${u.search}`, headers: { host: u.host, 'x-k8s-aws-id': t.audience } });
    expectRefused(answer, 403, 'SignatureDoesNotMatch', secrets);
    expect(answer.body).toContain('Signature not yet current');
    now = signedAt + 14 * 60_000;
    expect((await replayPresigned(sts.url, url, { 'x-k8s-aws-id': t.audience })).status).toBe(200);
  });
});

const postCases = fixtures.signedPostRequests.map((r) => [`${r.principal} ${r.region}`, r] as const);

describe.each(postCases)('botocore POST %s with one byte changed', (_name, r: FixturePost) => {
  const host = new URL(r.url).host;
  const signature = /Signature=([0-9a-f]{64})/.exec(r.headers.Authorization!)![1]!;
  const sessionToken = r.headers['X-Amz-Security-Token'];
  const secrets = [signature, ...(sessionToken ? [sessionToken] : [])];
  const post = (headers: Record<string, string>, body = r.body) => {
    now = amzDateMs(r.headers['X-Amz-Date']!);
    return send(sts.url, { method: 'POST', path: '/', headers: { host, ...headers }, body });
  };
  const edit = (name: string, change: (v: string) => string) => ({ ...r.headers, [name]: change(r.headers[name]!) });

  it('is accepted unchanged', async () => {
    expect((await post(r.headers)).status).toBe(200);
  });
  it('signature → SignatureDoesNotMatch', async () => {
    expectRefused(await post(edit('Authorization', (v) => flip(v, v.length - 1))), 403, 'SignatureDoesNotMatch', secrets);
  });
  it('date → SignatureDoesNotMatch', async () => {
    expectRefused(await post(edit('X-Amz-Date', (v) => flip(v, v.length - 2))), 403, 'SignatureDoesNotMatch', secrets);
  });
  it('audience header (or content-type) → SignatureDoesNotMatch', async () => {
    const name = r.headers['X-Vault-AWS-IAM-Server-ID'] !== undefined ? 'X-Vault-AWS-IAM-Server-ID' : 'Content-Type';
    expectRefused(await post(edit(name, (v) => flip(v, 0))), 403, 'SignatureDoesNotMatch', secrets);
  });
  it('host → SignatureDoesNotMatch', async () => {
    expectRefused(await post({ ...r.headers, host: flip(host, 0) }), 403, 'SignatureDoesNotMatch', secrets);
    expectRefused(await post({ ...r.headers, host: flip(host, host.length - 1) }), 403, 'SignatureDoesNotMatch', secrets);
  });
  it('body → SignatureDoesNotMatch', async () => {
    expectRefused(await post(r.headers, flip(r.body, r.body.length - 1)), 403, 'SignatureDoesNotMatch', secrets);
    expectRefused(await post(r.headers, `${r.body}&`), 403, 'SignatureDoesNotMatch', secrets);
  });
  it('session token → InvalidClientTokenId', async () => {
    if (sessionToken) {
      expectRefused(await post(edit('X-Amz-Security-Token', (v) => flip(v, 0))), 403, 'InvalidClientTokenId', secrets);
      const { ['X-Amz-Security-Token']: _dropped, ...without } = r.headers;
      expectRefused(await post(without), 403, 'InvalidClientTokenId', secrets);
    } else {
      expectRefused(await post({ ...r.headers, 'X-Amz-Security-Token': 'AQoDYXdz' }), 403, 'InvalidClientTokenId', secrets);
    }
  });
});
