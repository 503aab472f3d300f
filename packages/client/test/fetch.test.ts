import { describe, expect, it } from 'vitest';
import { fetch as undiciFetch } from 'undici';
import { CallerIdError } from '@callerid/core';
import { TOKEN_CLIENT_LIFETIME_MS } from '@callerid/mint';
import { createTokenProvider, withCallerId } from '@callerid/client';
import { ALICE, aliceCredentials, countingMint, recordingServer, refusingServer, useProtectedService } from './support/servers.js';

const audience = 'payments-api';

describe('withCallerId(fetch)', () => {
  const env = useProtectedService(audience);

  it('calls a protected server and gets 200 with the expected identity', async () => {
    const api = withCallerId(fetch, { audience, credentials: aliceCredentials });
    const res = await api(`${env.service.url}/whoami`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ arn: ALICE.arn, accountId: ALICE.account });
  });

  it("works with undici's own fetch too", async () => {
    const api = withCallerId(undiciFetch, { audience, credentials: aliceCredentials });
    const res = await api(`${env.service.url}/whoami`, { headers: { 'x-trace': '1' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ arn: ALICE.arn });
  });

  it('mints one token for 100 sequential and 100 concurrent requests', async () => {
    const counter = countingMint();
    const api = withCallerId(fetch, { audience, credentials: aliceCredentials, mint: counter.mint });
    for (let i = 0; i < 100; i++) {
      const res = await api(env.service.url);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    const concurrent = await Promise.all(Array.from({ length: 100 }, () => api(env.service.url).then(async (res) => (await res.arrayBuffer(), res.status))));
    expect(concurrent.every((status) => status === 200)).toBe(true);
    expect(counter.count).toBe(1);
  });

  it('mints a new token once after the clock passes the refresh point', async () => {
    const counter = countingMint();
    const server = await recordingServer();
    try {
      let now = Date.now();
      const api = withCallerId(fetch, { audience, credentials: aliceCredentials, mint: counter.mint, clock: () => now });
      await (await api(server.url)).arrayBuffer();
      now += TOKEN_CLIENT_LIFETIME_MS - 59_000;
      for (let i = 0; i < 20; i++) await (await api(server.url)).arrayBuffer();
      const tokens = new Set(server.seen.map((h) => h.authorization));
      expect(counter.count).toBe(2);
      expect(tokens.size).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('retries exactly once on 401 invalid_token, with a freshly minted token and the same body', async () => {
    const counter = countingMint();
    const server = await refusingServer(1);
    try {
      const api = withCallerId(fetch, { audience, credentials: aliceCredentials, mint: counter.mint });
      const res = await api(server.url, { method: 'POST', body: 'hello', headers: { 'content-type': 'text/plain' } });
      expect(res.status).toBe(200);
      expect(server.seen).toHaveLength(2);
      expect(server.bodies).toEqual(['hello', 'hello']);
      expect(counter.count).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('retries once when the real service refuses the token (wrong audience), then returns its 401', async () => {
    const counter = countingMint();
    const api = withCallerId(fetch, { audience: 'some-other-api', credentials: aliceCredentials, mint: counter.mint });
    const res = await api(`${env.service.url}/whoami`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(await res.json()).toMatchObject({ error: 'invalid_token' });
    expect(counter.count).toBe(2);
  });

  it('returns the 401 after one retry when the server always refuses (no loop)', async () => {
    const counter = countingMint();
    const server = await refusingServer(Number.POSITIVE_INFINITY);
    try {
      const api = withCallerId(fetch, { audience, credentials: aliceCredentials, mint: counter.mint });
      const res = await api(server.url);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: 'invalid_token' });
      expect(server.seen).toHaveLength(2);
      expect(counter.count).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('does not retry a streamed body, but the next request carries a fresh token', async () => {
    const counter = countingMint();
    const server = await refusingServer(1);
    try {
      const api = withCallerId(fetch, { audience, credentials: aliceCredentials, mint: counter.mint });
      const body = new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('streamed'));
          controller.close();
        },
      });
      const res = await api(server.url, { method: 'POST', body, duplex: 'half' });
      expect(res.status).toBe(401);
      await res.arrayBuffer();
      expect(server.seen).toHaveLength(1);
      const next = await api(server.url);
      expect(next.status).toBe(200);
      expect(counter.count).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('does not retry a 401 without invalid_token (no token, or insufficient scope)', async () => {
    const server = await recordingServer();
    server.server.removeAllListeners('request');
    server.server.on('request', (req, res) => {
      server.seen.push(req.headers);
      res.writeHead(401, { 'www-authenticate': 'Bearer realm="callerid"' });
      res.end();
    });
    try {
      const api = withCallerId(fetch, { audience, credentials: aliceCredentials });
      expect((await api(server.url)).status).toBe(401);
      expect(server.seen).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('leaves an explicit Authorization alone, in every header shape, and never retries it', async () => {
    const server = await refusingServer(Number.POSITIVE_INFINITY);
    try {
      const api = withCallerId(fetch, { audience, credentials: aliceCredentials });
      const shapes: RequestInit['headers'][] = [
        { Authorization: 'Bearer mine' },
        new Headers({ authorization: 'Bearer mine' }),
        [['AUTHORIZATION', 'Bearer mine']],
      ];
      for (const headers of shapes) expect((await api(server.url, { headers })).status).toBe(401);
      expect((await api(new Request(server.url, { headers: { authorization: 'Bearer mine' } }))).status).toBe(401);
      expect(server.seen).toEqual(['Bearer mine', 'Bearer mine', 'Bearer mine', 'Bearer mine']);
    } finally {
      await server.close();
    }
  });

  it('adds the header to Request inputs and keeps the caller headers (without mutating them)', async () => {
    const server = await recordingServer();
    try {
      const provider = createTokenProvider({ audience, credentials: aliceCredentials });
      const token = await provider.getToken();
      const api = withCallerId(fetch, { provider });
      const headers = { 'x-trace': '1' };
      await (await api(server.url, { headers })).arrayBuffer();
      await (await api(new Request(server.url, { headers: { 'x-trace': '2' } }))).arrayBuffer();
      await (await api(new URL(server.url), { headers: new Headers({ 'x-trace': '3' }) })).arrayBuffer();
      expect(headers).toEqual({ 'x-trace': '1' });
      expect(server.seen.map((h) => [h['x-trace'], h.authorization])).toEqual([
        ['1', `Bearer ${token}`],
        ['2', `Bearer ${token}`],
        ['3', `Bearer ${token}`],
      ]);
    } finally {
      await server.close();
    }
  });

  it('can send the token in another header', async () => {
    const server = await recordingServer();
    try {
      const api = withCallerId(fetch, { audience, credentials: aliceCredentials, header: 'X-CallerId-Token' });
      await (await api(server.url, { headers: { authorization: 'Basic dXNlcjpwYXNz' } })).arrayBuffer();
      expect(server.seen[0]!.authorization).toBe('Basic dXNlcjpwYXNz');
      expect(server.seen[0]!['x-callerid-token']).toMatch(/^Bearer k8s-aws-v1\./);
      expect(() => withCallerId(fetch, { audience, header: 'bad header' })).toThrow(TypeError);
    } finally {
      await server.close();
    }
  });

  it('rejects with a CallerIdError and sends nothing when minting fails', async () => {
    const server = await recordingServer();
    try {
      const cause = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
      const api = withCallerId(fetch, { audience, credentials: () => Promise.reject(cause) });
      const err = await api(server.url).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CallerIdError);
      expect(err).toMatchObject({ code: 'credentials_unavailable', cause });
      expect(server.seen).toHaveLength(0);
    } finally {
      await server.close();
    }
  });
});
