/** `freshTokenPerRequest`: a new token for every request, for servers that accept each token once. */
import { describe, expect, it } from 'vitest';
import { CallerIdError } from '@callerid/core';
import { createTokenProvider, withCallerId } from '@callerid/client';
import { aliceCredentials, countingMint, useProtectedService } from './support/servers.js';

const audience = 'one-time-api';

describe('freshTokenPerRequest', () => {
  it('mints a distinct token for every call, even 1,000 within one second', async () => {
    const counter = countingMint();
    const now = Date.now();
    const provider = createTokenProvider({ audience, credentials: aliceCredentials, mint: counter.mint, freshTokenPerRequest: true, clock: () => now });
    const tokens = await Promise.all(Array.from({ length: 1_000 }, () => provider.getToken()));
    expect(new Set(tokens).size).toBe(1_000);
    expect(counter.count).toBe(1_000);
  });

  it('is refused when it is not a boolean', () => {
    expect(() => createTokenProvider({ audience, credentials: aliceCredentials, freshTokenPerRequest: 'yes' as unknown as boolean })).toThrow(CallerIdError);
  });

  describe("against a server with replay: 'once'", () => {
    const fixture = useProtectedService(audience, { replay: 'once' });

    it('every request gets through with a fresh token', async () => {
      const api = withCallerId(fetch, { audience, credentials: aliceCredentials, region: 'eu-west-1', freshTokenPerRequest: true });
      const statuses = await Promise.all(Array.from({ length: 30 }, async () => (await api(`${fixture.service.url}/whoami`)).status));
      expect(statuses).toEqual(Array.from({ length: 30 }, () => 200));
    });

    it('a reused token is refused with token_replayed', async () => {
      const provider = createTokenProvider({ audience, credentials: aliceCredentials, region: 'eu-west-1' });
      const token = await provider.getToken();
      const call = () => fetch(`${fixture.service.url}/whoami`, { headers: { authorization: `Bearer ${token}` } });
      expect((await call()).status).toBe(200);
      const again = await call();
      expect(again.status).toBe(401);
      expect(await again.json()).toMatchObject({ code: 'token_replayed' });
    });
  });
});
