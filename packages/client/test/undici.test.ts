import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, fetch as undiciFetch, request, type Dispatcher } from 'undici';
import { CallerIdError } from '@callerid/core';
import { TOKEN_CLIENT_LIFETIME_MS } from '@callerid/mint';
import { createTokenProviders } from '@callerid/client';
import { callerid } from '@callerid/client/undici';
import { hasHeader, withHeader } from '../src/undici-headers.js';
import { ALICE, aliceCredentials, countingMint, recordingServer, refusingServer, useProtectedService } from './support/servers.js';

const audience = 'payments-api';

describe('callerid() undici interceptor', () => {
  const env = useProtectedService(audience);
  let stranger: Awaited<ReturnType<typeof recordingServer>>;
  const agents: Agent[] = [];

  function agent(): Agent {
    const created = new Agent({ keepAliveTimeout: 1_000 });
    agents.push(created);
    return created;
  }

  beforeAll(async () => {
    stranger = await recordingServer();
  });
  afterAll(async () => {
    await Promise.all(agents.map((a) => a.close()));
    await stranger.close();
  });

  it('calls a protected server through Agent.compose and gets 200 with the expected identity', async () => {
    const dispatcher = agent().compose(callerid({ audience, credentials: aliceCredentials }));
    const { statusCode, body } = await request(`${env.service.url}/whoami`, { dispatcher });
    expect(statusCode).toBe(200);
    expect(await body.json()).toMatchObject({ arn: ALICE.arn });
    const res = await undiciFetch(env.service.url, { dispatcher });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ arn: ALICE.arn });
  });

  it('mints one token for 100 sequential and 100 concurrent requests', async () => {
    const counter = countingMint();
    const dispatcher = agent().compose(callerid({ audience, credentials: aliceCredentials, mint: counter.mint }));
    for (let i = 0; i < 100; i++) {
      const { statusCode, body } = await request(env.service.url, { dispatcher });
      await body.dump();
      expect(statusCode).toBe(200);
    }
    const statuses = await Promise.all(
      Array.from({ length: 100 }, async () => {
        const { statusCode, body } = await request(env.service.url, { dispatcher });
        await body.dump();
        return statusCode;
      }),
    );
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(counter.count).toBe(1);
  });

  it('mints a new token once after the clock passes the refresh point', async () => {
    const counter = countingMint();
    let now = Date.now();
    const dispatcher = agent().compose(callerid({ audience, credentials: aliceCredentials, mint: counter.mint, clock: () => now }));
    await (await request(stranger.url, { dispatcher })).body.dump();
    now += TOKEN_CLIENT_LIFETIME_MS - 30_000;
    for (let i = 0; i < 20; i++) await (await request(stranger.url, { dispatcher })).body.dump();
    expect(counter.count).toBe(2);
  });

  it('maps origins to audiences; unknown origins receive no Authorization header', async () => {
    const audiences: Record<string, string> = { [env.service.url]: audience };
    const dispatcher = agent().compose(callerid({ audience: (origin) => audiences[origin], credentials: aliceCredentials }));
    const known = await request(env.service.url, { dispatcher });
    expect(known.statusCode).toBe(200);
    expect(await known.body.json()).toMatchObject({ arn: ALICE.arn });
    stranger.seen.length = 0;
    await (await request(`${stranger.url}/anything`, { dispatcher })).body.dump();
    expect(stranger.seen).toHaveLength(1);
    expect(stranger.seen[0]!.authorization).toBeUndefined();
  });

  it('sends each origin a token for its own audience, from shared providers', async () => {
    const counter = countingMint();
    const providers = createTokenProviders({ credentials: aliceCredentials, mint: counter.mint });
    const other = await recordingServer();
    try {
      const map: Record<string, string> = { [stranger.url]: 'stranger-api', [other.url]: 'other-api' };
      const dispatcher = agent().compose(callerid({ audience: (origin) => map[origin], providers }));
      stranger.seen.length = 0;
      await (await request(stranger.url, { dispatcher })).body.dump();
      await (await request(other.url, { dispatcher })).body.dump();
      expect(stranger.seen[0]!.authorization).toBe(`Bearer ${await providers.getToken('stranger-api')}`);
      expect(other.seen[0]!.authorization).toBe(`Bearer ${await providers.getToken('other-api')}`);
      expect(counter.count).toBe(2);
    } finally {
      await other.close();
    }
  });

  it('leaves an explicit Authorization alone (object and flat-array headers)', async () => {
    const dispatcher = agent().compose(callerid({ audience, credentials: aliceCredentials }));
    stranger.seen.length = 0;
    await (await request(stranger.url, { dispatcher, headers: { Authorization: 'Bearer mine' } })).body.dump();
    await (await request(stranger.url, { dispatcher, headers: ['x-trace', '1', 'authorization', 'Bearer mine'] })).body.dump();
    expect(stranger.seen.map((h) => h.authorization)).toEqual(['Bearer mine', 'Bearer mine']);
  });

  it('adds the header to flat-array and iterable headers, keeping the others', async () => {
    const dispatcher = agent().compose(callerid({ audience, credentials: aliceCredentials }));
    stranger.seen.length = 0;
    await (await request(stranger.url, { dispatcher, headers: ['x-trace', '1'] })).body.dump();
    await (await request(stranger.url, { dispatcher, headers: new Map([['x-trace', '2']]) })).body.dump();
    expect(stranger.seen.map((h) => [h['x-trace'], String(h.authorization).startsWith('Bearer k8s-aws-v1.')])).toEqual([
      ['1', true],
      ['2', true],
    ]);
  });

  it('reports a minting failure through the handler: request() rejects with the CallerIdError', async () => {
    const cause = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    const dispatcher = agent().compose(callerid({ audience, credentials: () => Promise.reject(cause) }));
    stranger.seen.length = 0;
    const err = await request(stranger.url, { dispatcher }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CallerIdError);
    expect(err).toMatchObject({ code: 'credentials_unavailable', cause });
    expect(stranger.seen).toHaveLength(0);
  });

  it('reports failures to legacy handlers through onError', async () => {
    const interceptor = callerid({ audience, credentials: () => Promise.reject(new Error('no credentials')) });
    const dispatch = interceptor(() => {
      throw new Error('must not dispatch');
    });
    const error = await new Promise<Error>((resolve) => {
      const handler = { onError: resolve } as unknown as Dispatcher.DispatchHandler;
      expect(dispatch({ origin: stranger.url, path: '/', method: 'GET' }, handler)).toBe(true);
    });
    expect(error).toMatchObject({ code: 'credentials_unavailable' });
  });

  it('invalidates the token on 401 invalid_token so the next request carries a fresh one', async () => {
    const counter = countingMint();
    const server = await refusingServer(1);
    try {
      let now = Date.now();
      const dispatcher = agent().compose(callerid({ audience, credentials: aliceCredentials, mint: counter.mint, clock: () => now }));
      const first = await request(server.url, { dispatcher });
      await first.body.dump();
      expect(first.statusCode).toBe(401);
      now += 1_000;
      const second = await request(server.url, { dispatcher });
      await second.body.dump();
      expect(second.statusCode).toBe(200);
      expect(counter.count).toBe(2);
      expect(server.seen[0]).not.toBe(server.seen[1]);
    } finally {
      await server.close();
    }
  });

  it('validates its options', () => {
    expect(() => callerid({ audience: '' })).toThrow(TypeError);
    expect(() => callerid({ audience, header: 'no spaces allowed' })).toThrow(TypeError);
  });
});

describe('undici header shapes', () => {
  it('finds a header case-insensitively in objects, flat arrays, pairs and iterables', () => {
    expect(hasHeader({ Authorization: 'x' }, 'authorization')).toBe(true);
    expect(hasHeader({ authorization: undefined }, 'authorization')).toBe(false);
    expect(hasHeader(['x-a', '1', 'AUTHORIZATION', 'x'], 'authorization')).toBe(true);
    expect(hasHeader(['authorization-x', 'authorization'], 'authorization')).toBe(false);
    expect(hasHeader([['Authorization', 'x']], 'authorization')).toBe(true);
    expect(hasHeader(new Map([['authorization', 'x']]), 'authorization')).toBe(true);
    expect(hasHeader(null, 'authorization')).toBe(false);
    expect(hasHeader([], 'authorization')).toBe(false);
  });

  it('adds a header without mutating the input', () => {
    const object = { a: '1' };
    expect(withHeader(object, 'authorization', 'v')).toEqual({ a: '1', authorization: 'v' });
    expect(object).toEqual({ a: '1' });
    const flat = ['a', '1'];
    expect(withHeader(flat, 'authorization', 'v')).toEqual(['a', '1', 'authorization', 'v']);
    expect(flat).toEqual(['a', '1']);
    expect(withHeader([['a', '1']], 'authorization', 'v')).toEqual(['a', '1', 'authorization', 'v']);
    expect(withHeader(new Map([['a', ['1', '2']]]), 'authorization', 'v')).toEqual(['a', ['1', '2'], 'authorization', 'v']);
    expect(withHeader(undefined, 'authorization', 'v')).toEqual({ authorization: 'v' });
    expect(withHeader([], 'authorization', 'v')).toEqual(['authorization', 'v']);
  });
});
