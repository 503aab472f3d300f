/**
 * Verifiers that share one store (`sharedCache`) act as one: one STS call per token between them,
 * shared rejections, a lock that expires when its holder is gone, store trouble that only costs STS
 * calls, and one-time tokens (`replay: 'once'`). The shared store here is core's memory store, which
 * implements the whole interface; @callerid/redis runs the same scenarios against real Redis.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CallerIdError, createAuthenticator, createMemoryCache, createVerifier, type CacheStore, type MemoryCache, type Verifier, type VerifierOptions } from '../src/index.js';
import { mintToken } from '@callerid/mint';
import { answer, callerIdentityBody, startFakeSts, stsErrorBody, type FakeSts, type Handler } from './fake-sts.js';
import { credentialsOf, principal } from './fixtures.js';

const AUDIENCE = 'payments-api';
const alice = principal('alice');
const stsAccepts: Handler = answer(200, callerIdentityBody({ Account: alice.account, Arn: alice.arn, UserId: alice.userId }));
const slowly = (handler: Handler, ms = 50): Handler => (req, res) => setTimeout(() => handler(req, res), ms);

let sts: FakeSts;
let token: string;
let now: number;
let shared: MemoryCache;
const verifiers: Verifier[] = [];

function verifier(options: Partial<VerifierOptions> = {}): Verifier {
  const v = createVerifier({ audience: AUDIENCE, stsEndpoint: sts.url, clock: () => now, timeoutMs: 2_000, sharedCache: shared, ...options });
  verifiers.push(v);
  return v;
}

const codeOf = (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => 'accepted',
    (e: unknown) => (e instanceof CallerIdError ? e.code : String(e)),
  );

beforeAll(async () => {
  sts = await startFakeSts(stsAccepts);
  ({ token } = await mintToken({ audience: AUDIENCE, region: 'us-east-2', credentials: credentialsOf(alice), signingDate: new Date('2026-03-01T12:00:00Z') }));
});
afterAll(() => sts.close());
beforeEach(() => {
  sts.handle(stsAccepts);
  sts.requests.length = 0;
  now = Date.parse('2026-03-01T12:00:01Z');
  shared = createMemoryCache();
});
afterEach(async () => {
  await Promise.all(verifiers.splice(0).map((v) => v.close()));
});

describe('sharedCache', () => {
  it('4 verifiers × 50 concurrent verifications of one fresh token make one STS call', async () => {
    sts.handle(slowly(stsAccepts));
    const fleet = Array.from({ length: 4 }, () => verifier());
    const all = await Promise.all(fleet.flatMap((v) => Array.from({ length: 50 }, () => v.verify(token))));
    expect(sts.requests).toHaveLength(1);
    expect(new Set(all.map((i) => i.arn))).toEqual(new Set([alice.arn]));
  });

  it('a verdict of one instance is served by another; a local hit never touches the shared store', async () => {
    await verifier().verify(token);
    const gets: string[] = [];
    const counting: CacheStore = { ...shared, get: (key) => (gets.push(key), shared.get(key)) };
    const other = verifier({ sharedCache: counting });
    await other.verify(token);
    await other.verify(token);
    expect(sts.requests).toHaveLength(1);
    expect(gets).toHaveLength(1);
  });

  it('concurrent misses of one instance read the store once each, then share one lock attempt', async () => {
    sts.handle(slowly(stsAccepts));
    const reads: string[] = [];
    const locks: string[] = [];
    const counting: CacheStore = {
      ...shared,
      get: (key) => (reads.push(key), shared.get(key)),
      lock: (key, owner, ttlMs) => (locks.push(key), shared.lock(key, owner, ttlMs)),
    };
    const v = verifier({ sharedCache: counting });
    const all = await Promise.all(Array.from({ length: 20 }, () => v.verify(token)));
    expect(sts.requests).toHaveLength(1);
    expect(reads).toHaveLength(20);
    expect(locks).toHaveLength(1);
    expect(new Set(all).size).toBe(20); // each caller its own copy
  });

  it('each caller gets its own copy of a shared verdict, even from a store that hands out one object', async () => {
    await verifier().verify(token);
    const v = verifier({ cache: false });
    const first = await v.verify(token);
    first.arn = 'changed by the first caller';
    expect((await v.verify(token)).arn).toBe(alice.arn);
    expect(sts.requests).toHaveLength(1);
  });

  it('shares STS rejections for negativeCacheTtlMs, never outages', async () => {
    sts.handle(answer(403, stsErrorBody('SignatureDoesNotMatch', 'no')));
    expect(await codeOf(verifier().verify(token))).toBe('sts_signature_mismatch');
    expect(await codeOf(verifier().verify(token))).toBe('sts_signature_mismatch');
    expect(sts.requests).toHaveLength(1);

    shared = createMemoryCache();
    sts.handle(answer(500, stsErrorBody('InternalFailure', 'down')));
    expect(await codeOf(verifier().verify(token))).toBe('sts_unavailable');
    sts.handle(stsAccepts);
    expect(await codeOf(verifier().verify(token))).toBe('accepted');
    expect(sts.requests).toHaveLength(3);
  });

  it('waits no longer than the lock of an instance that died, then verifies itself', async () => {
    const v = verifier();
    const key = new (await import('../src/verifier.js')).TokenVerifier({ audience: AUDIENCE, stsEndpoint: sts.url, clock: () => now, sharedCache: shared }).keyOf(token);
    expect(shared.lock(key, 'a-dead-instance', 150)).toBe(true);
    const started = performance.now();
    expect(await codeOf(v.verify(token))).toBe('accepted');
    expect(performance.now() - started).toBeGreaterThanOrEqual(100);
    expect(sts.requests).toHaveLength(1);
  });

  it('a shared store in trouble costs STS calls, never an error', async () => {
    const down = (): never => {
      throw new Error('store down');
    };
    const broken: CacheStore = { get: down, set: () => Promise.reject(new Error('down')), delete: down, lock: down, unlock: down, waitFor: () => Promise.reject(new Error('down')) };
    const a = verifier({ sharedCache: broken });
    const b = verifier({ sharedCache: broken });
    expect(await Promise.all([codeOf(a.verify(token)), codeOf(b.verify(token))])).toEqual(['accepted', 'accepted']);
    expect(sts.requests).toHaveLength(2);
    await a.verify(token); // then from the local cache
    expect(sts.requests).toHaveLength(2);
  });

  it('works with a plain get/set/delete store (no lock): shared verdicts without single-flight', async () => {
    const plain: CacheStore = { get: (k) => shared.get(k), set: (k, e, t) => shared.set(k, e, t), delete: (k) => shared.delete(k) };
    await verifier({ sharedCache: plain }).verify(token);
    await verifier({ sharedCache: plain }).verify(token);
    expect(sts.requests).toHaveLength(1);
  });
});

describe("replay: 'once'", () => {
  it('accepts a token once across verifiers; every further use is token_replayed (401)', async () => {
    const fleet = Array.from({ length: 4 }, () => verifier({ replay: 'once' }));
    const codes = await Promise.all(fleet.flatMap((v) => Array.from({ length: 25 }, () => codeOf(v.verify(token)))));
    expect(codes.filter((c) => c === 'accepted')).toHaveLength(1);
    expect(codes.filter((c) => c === 'token_replayed')).toHaveLength(99);
    const again = await fleet[0]!.verify(token).catch((e: unknown) => e as CallerIdError);
    expect(again).toMatchObject({ code: 'token_replayed', status: 401 });
  });

  it("marks a used token until it expires plus a margin for other instances' clock skew", async () => {
    const ttls: number[] = [];
    const recording: CacheStore = { ...shared, claim: (key, ttlMs) => (ttls.push(ttlMs), shared.claim(key, ttlMs)) };
    await verifier({ sharedCache: recording, replay: 'once' }).verify(token);
    // Signed at 12:00:00, honoured by STS until 12:15:00; the verifier's clock says 12:00:01.
    expect(ttls).toEqual([14 * 60_000 + 59_000 + 5 * 60_000]);
  });

  it('works with the default memory cache alone (one instance)', async () => {
    const v = verifier({ sharedCache: undefined, replay: 'once' });
    expect(await codeOf(v.verify(token))).toBe('accepted');
    expect(await codeOf(v.verify(token))).toBe('token_replayed');
  });

  it('fails closed with replay_check_unavailable (503) when the store cannot tell', async () => {
    const broken: CacheStore = { ...shared, claim: () => Promise.reject(new Error('store down')) };
    const err = await verifier({ sharedCache: broken, replay: 'once' }).verify(token).catch((e: unknown) => e as CallerIdError);
    expect(err).toMatchObject({ code: 'replay_check_unavailable', status: 503 });
    const throwing: CacheStore = { ...shared, claim: () => { throw new Error('store down'); } };
    expect(await codeOf(verifier({ sharedCache: throwing, replay: 'once' }).verify(token))).toBe('replay_check_unavailable');
  });

  it('through the authenticator: the second request is answered 401 token_replayed', async () => {
    const auth = createAuthenticator({ audience: AUDIENCE, stsEndpoint: sts.url, clock: () => now, sharedCache: shared, replay: 'once' });
    verifiers.push(auth.verifier);
    const headers = { authorization: `Bearer ${token}` };
    await expect(auth.authenticate(headers)).resolves.toMatchObject({ arn: alice.arn });
    await expect(auth.authenticate(headers)).rejects.toMatchObject({ code: 'token_replayed', status: 401 });
  });

  it('is refused at start-up without a store that can claim', () => {
    const plain: CacheStore = { get: () => undefined, set: () => undefined, delete: () => undefined };
    expect(() => createVerifier({ audience: AUDIENCE, cache: false, replay: 'once' })).toThrow(/claim/);
    expect(() => createVerifier({ audience: AUDIENCE, sharedCache: plain, replay: 'once' })).toThrow(/claim/);
    expect(() => createVerifier({ audience: AUDIENCE, replay: 'twice' as 'once' })).toThrow(/replay/);
    expect(() => createVerifier({ audience: AUDIENCE, sharedCache: {} as CacheStore })).toThrow(/sharedCache/);
  });
});
