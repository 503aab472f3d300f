import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import axios, { AxiosError } from 'axios';
import { CallerIdError } from '@callerid/core';
import { TOKEN_CLIENT_LIFETIME_MS } from '@callerid/mint';
import { attachCallerId } from '@callerid/client/axios';
import { ALICE, aliceCredentials, countingMint, recordingServer, refusingServer, useProtectedService } from './support/servers.js';

const audience = 'payments-api';

describe('attachCallerId(axios)', () => {
  const env = useProtectedService(audience);
  let recorder: Awaited<ReturnType<typeof recordingServer>>;

  beforeAll(async () => {
    recorder = await recordingServer();
  });
  afterAll(async () => {
    await recorder.close();
  });

  it('calls a protected server and gets 200 with the expected identity', async () => {
    const api = axios.create({ baseURL: env.service.url });
    attachCallerId(api, { audience, credentials: aliceCredentials });
    const { status, data } = await api.get('/whoami');
    expect(status).toBe(200);
    expect(data).toMatchObject({ arn: ALICE.arn });
  });

  it('mints one token for 100 sequential and 100 concurrent requests', async () => {
    const counter = countingMint();
    const api = axios.create({ baseURL: env.service.url });
    attachCallerId(api, { audience, credentials: aliceCredentials, mint: counter.mint });
    for (let i = 0; i < 100; i++) expect((await api.get('/')).status).toBe(200);
    const statuses = await Promise.all(Array.from({ length: 100 }, async () => (await api.get('/')).status));
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(counter.count).toBe(1);
  });

  it('mints a new token once after the clock passes the refresh point', async () => {
    const counter = countingMint();
    let now = Date.now();
    const api = axios.create({ baseURL: recorder.url });
    attachCallerId(api, { audience, credentials: aliceCredentials, mint: counter.mint, clock: () => now });
    await api.get('/');
    now += TOKEN_CLIENT_LIFETIME_MS - 30_000;
    for (let i = 0; i < 20; i++) await api.get('/');
    expect(counter.count).toBe(2);
  });

  it('retries exactly once on 401 invalid_token, with a fresh token and the same body', async () => {
    const counter = countingMint();
    const server = await refusingServer(1);
    try {
      const api = axios.create({ baseURL: server.url });
      attachCallerId(api, { audience, credentials: aliceCredentials, mint: counter.mint });
      const { status, data } = await api.post('/charges', { amount: 42 });
      expect(status).toBe(200);
      expect(data).toEqual({ ok: true });
      expect(server.seen).toHaveLength(2);
      expect(server.bodies).toEqual(['{"amount":42}', '{"amount":42}']);
      expect(counter.count).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('returns the 401 after one retry when the server always refuses (no loop)', async () => {
    const counter = countingMint();
    const server = await refusingServer(Number.POSITIVE_INFINITY);
    try {
      const api = axios.create({ baseURL: server.url });
      attachCallerId(api, { audience, credentials: aliceCredentials, mint: counter.mint });
      const err = await api.get('/').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AxiosError);
      expect((err as AxiosError).response?.status).toBe(401);
      expect(server.seen).toHaveLength(2);
      expect(counter.count).toBe(2);

      server.seen.length = 0;
      const accepting = axios.create({ baseURL: server.url, validateStatus: () => true });
      attachCallerId(accepting, { audience, credentials: aliceCredentials });
      expect((await accepting.get('/')).status).toBe(401);
      expect(server.seen).toHaveLength(2);
    } finally {
      await server.close();
    }
  });

  it('does not retry a streamed body', async () => {
    const server = await refusingServer(1);
    try {
      const api = axios.create({ baseURL: server.url });
      attachCallerId(api, { audience, credentials: aliceCredentials });
      const err = await api.post('/', Readable.from(['streamed']), { headers: { 'content-type': 'text/plain' } }).catch((e: unknown) => e);
      expect((err as AxiosError).response?.status).toBe(401);
      expect(server.seen).toHaveLength(1);
      expect((await api.get('/')).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('leaves an explicit Authorization (per request, instance default or auth) alone', async () => {
    const server = await refusingServer(Number.POSITIVE_INFINITY);
    try {
      const api = axios.create({ baseURL: server.url, validateStatus: () => true });
      attachCallerId(api, { audience, credentials: aliceCredentials });
      await api.get('/', { headers: { Authorization: 'Bearer mine' } });
      await api.get('/', { auth: { username: 'user', password: 'pass' } });
      const withDefault = axios.create({ baseURL: server.url, validateStatus: () => true, headers: { authorization: 'Bearer default' } });
      attachCallerId(withDefault, { audience, credentials: aliceCredentials });
      await withDefault.get('/');
      expect(server.seen).toEqual(['Bearer mine', `Basic ${Buffer.from('user:pass').toString('base64')}`, 'Bearer default']);
    } finally {
      await server.close();
    }
  });

  it('the returned function ejects both interceptors', async () => {
    const api = axios.create({ baseURL: recorder.url });
    const eject = attachCallerId(api, { audience, credentials: aliceCredentials, header: 'x-callerid' });
    recorder.seen.length = 0;
    await api.get('/');
    eject();
    await api.get('/');
    expect(recorder.seen[0]!['x-callerid']).toMatch(/^Bearer k8s-aws-v1\./);
    expect(recorder.seen[1]!['x-callerid']).toBeUndefined();
  });

  it('rejects with a CallerIdError and sends nothing when minting fails', async () => {
    const cause = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    const api = axios.create({ baseURL: recorder.url });
    attachCallerId(api, { audience, credentials: () => Promise.reject(cause) });
    recorder.seen.length = 0;
    const err = await api.get('/').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CallerIdError);
    expect(err).toMatchObject({ code: 'credentials_unavailable', cause });
    expect(recorder.seen).toHaveLength(0);
  });
});
