import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startStsLocal, type StsLocal } from '@callerid/sts-local';
import { CallerIdError, compileMapping, createAuthenticator, extractBearerToken, type AuthenticatorOptions, type Identity, type RejectedEvent, type VerifiedEvent } from '../src/index.js';
import { mintToken } from '@callerid/mint';
import { fastPath, type FastAnswer, type FastCheck } from '../src/internal.js';

const AUDIENCE = 'payments-api';
const ACCT = '111122223333';
const alice = {
  accessKeyId: 'AKIAALICEEXAMPLE0001',
  secretAccessKey: 'alice-secret-key-for-tests-only-000000000',
  arn: `arn:aws:iam::${ACCT}:user/alice`,
  userId: 'AIDAALICEEXAMPLE0001',
  account: ACCT,
};
const ops = {
  accessKeyId: 'ASIAOPSSESSION000001',
  secretAccessKey: 'ops-session-secret-for-tests-only-0000000',
  sessionToken: 'FwoGZXIvYXdzEOpsSessionTokenForTestsOnly+0000=',
  arn: `arn:aws:sts::${ACCT}:assumed-role/Ops/jane@example.com`,
  userId: 'AROAOPSROLEEXAMPLE01:jane@example.com',
  account: ACCT,
};

let sts: StsLocal;
let aliceToken: string;
let opsToken: string;

beforeAll(async () => {
  sts = await startStsLocal({ principals: [alice, ops] });
  aliceToken = (await mintToken({ audience: AUDIENCE, region: 'us-east-1', credentials: alice })).token;
  opsToken = (await mintToken({ audience: AUDIENCE, region: 'us-east-1', credentials: ops })).token;
});
afterAll(async () => {
  await sts.close();
});

/** An authenticator on the file's sts-local, closed when the test ends, whether its assertions passed or not. */
function auth<Req = unknown>(options: Partial<AuthenticatorOptions<Req>> = {}) {
  const authenticator = createAuthenticator<Req>({ audience: AUDIENCE, stsEndpoint: sts.url, ...options });
  onTestFinished(() => authenticator.close());
  return authenticator;
}

async function rejection(promise: Promise<unknown>): Promise<CallerIdError> {
  return promise.then(() => { throw new Error('expected a rejection'); }, (e: CallerIdError) => e);
}

describe('createAuthenticator', () => {
  it('verifies the bearer token and returns the caller', async () => {
    const a = auth();
    const identity = await a.authenticate({ authorization: `Bearer ${aliceToken}` });
    expect(identity).toMatchObject({ arn: alice.arn, canonicalArn: alice.arn, accountId: ACCT, principalType: 'user' });
    const role = await a.authenticate(['Authorization', `bearer ${opsToken}`]);
    expect(role).toMatchObject({ canonicalArn: `arn:aws:iam::${ACCT}:role/Ops`, sessionName: 'jane@example.com', roleName: 'Ops' });
  });

  it('no token: 401 with a bare challenge, or null when credentials are optional', async () => {
    const err = await rejection(auth({ realm: 'payments' }).authenticate({}));
    expect(err.code).toBe('token_missing');
    expect(err.headers['WWW-Authenticate']).toBe('Bearer realm="payments"');
    await expect(auth({ credentialsRequired: false }).authenticate({})).resolves.toBeNull();
    await expect(auth({ credentialsRequired: false }).authenticate({ authorization: 'Basic eDp5' })).resolves.toBeNull();
  });

  it('optional credentials still refuse a bad token', async () => {
    const err = await rejection(auth({ credentialsRequired: false }).authenticate({ authorization: 'Bearer k8s-aws-v1.garbage' }));
    expect(err.status).toBe(401);
    expect(err.bearerError).toBe('invalid_token');
    const malformed = await rejection(auth({ credentialsRequired: false }).authenticate({ authorization: 'Bearer' }));
    expect(malformed.code).toBe('request_malformed');
  });

  it('a token that is not a b64token is a 400, as extractBearerToken says, though the hot path checks it late', async () => {
    const a = auth();
    for (const value of ['Bearer to<ken', 'Bearer tok\ten', `Bearer ${aliceToken}\u00e9`, 'Bearer =abc', 'Bearer abc==x', `Bearer ${aliceToken.slice(0, 40)}"`]) {
      const err = await rejection(a.authenticate({ authorization: value }));
      expect(err.code, JSON.stringify(value)).toBe('request_malformed');
      expect(() => extractBearerToken({ authorization: value })).toThrow(expect.objectContaining({ code: 'request_malformed' }));
    }
    // A well-formed b64token that is no token of ours stays a 401.
    expect((await rejection(a.authenticate({ authorization: 'Bearer abc.def' }))).status).toBe(401);
  });

  it('maps, then applies allow: 403 insufficient_scope for a denied caller', async () => {
    const a = auth({
      map: [{ arn: `arn:aws:iam::${ACCT}:role/Ops`, username: 'ops:{{SessionName}}', groups: ['ops'] }],
      allow: { groups: ['ops'] },
      realm: 'payments',
    });
    await expect(a.authenticate({ authorization: `Bearer ${opsToken}` })).resolves.toMatchObject({ username: 'ops:jane-example.com', groups: ['ops'] });
    const err = await rejection(a.authenticate({ authorization: `Bearer ${aliceToken}` }));
    expect(err.code).toBe('caller_not_allowed');
    expect(err.status).toBe(403);
    expect(err.headers['WWW-Authenticate']).toBe('Bearer realm="payments", error="insufficient_scope", error_description="The caller is not allowed to access this resource."');
  });

  it('requireMapping: an unmapped caller is refused with 403 caller_not_mapped; map may be a Mapper', async () => {
    let entries = compileMapping([{ arn: `arn:aws:iam::${ACCT}:role/Ops`, username: 'ops' }]);
    const a = auth({ map: (identity) => entries(identity), requireMapping: true });
    await expect(a.authenticate({ authorization: `Bearer ${opsToken}` })).resolves.toMatchObject({ username: 'ops' });
    const err = await rejection(a.authenticate({ authorization: `Bearer ${aliceToken}` }));
    expect(err).toMatchObject({ code: 'caller_not_mapped', status: 403, bearerError: 'insufficient_scope' });
    entries = compileMapping([{ arn: alice.arn, username: 'alice:{{AccessKeyID}}' }]); // the Mapper delegates: a reload
    await expect(a.authenticate({ authorization: `Bearer ${aliceToken}` })).resolves.toMatchObject({ username: `alice:${alice.accessKeyId}`, accessKeyId: alice.accessKeyId });
    expect(() => auth({ requireMapping: true })).toThrow(/requireMapping needs map/);
  });

  it('allow as an async predicate', async () => {
    const a = auth({ allow: async (id: Identity) => id.principalType === 'assumed-role' });
    await expect(a.authenticate({ authorization: `Bearer ${opsToken}` })).resolves.toMatchObject({ roleName: 'Ops' });
    await expect(a.authenticate({ authorization: `Bearer ${aliceToken}` })).rejects.toMatchObject({ code: 'caller_not_allowed' });
  });

  it('getToken reads the token from the request (and null means none)', async () => {
    interface Req { header: string | undefined }
    const a = auth<Req>({ getToken: (req) => req.header });
    await expect(a.authenticate({}, { header: aliceToken })).resolves.toMatchObject({ arn: alice.arn });
    await expect(a.authenticate({ authorization: `Bearer ${aliceToken}` }, { header: undefined })).rejects.toMatchObject({ code: 'token_missing' });
    await expect(a.authenticate({})).rejects.toThrow(TypeError);
  });

  it('hooks see the caller and the error, never the token; their exceptions are ignored', async () => {
    const verified: VerifiedEvent[] = [];
    const rejected: RejectedEvent[] = [];
    const a = auth({
      allow: { principalTypes: ['user'] },
      onVerified: (e) => { verified.push(e); throw new Error('logging bug'); },
      onRejected: (e) => { rejected.push(e); throw new Error('logging bug'); },
    });
    await expect(a.authenticate({ authorization: `Bearer ${aliceToken}` })).resolves.toMatchObject({ arn: alice.arn });
    await expect(a.authenticate({ authorization: `Bearer ${opsToken}` })).rejects.toMatchObject({ code: 'caller_not_allowed' });
    await expect(a.authenticate({ authorization: `Bearer ${aliceToken}x` })).rejects.toBeInstanceOf(CallerIdError);
    await expect(a.authenticate({})).rejects.toMatchObject({ code: 'token_missing' });
    expect(verified.map((e) => e.identity.arn)).toEqual([alice.arn]);
    expect(rejected.map((e) => e.error.code)).toEqual(['caller_not_allowed', expect.any(String), 'token_missing']);
    expect(rejected[0]!.identity?.roleName).toBe('Ops');
    const seen = JSON.stringify({ verified, rejected, messages: rejected.map((e) => `${e.error.message} ${String(e.error.cause)}`) });
    for (const token of [aliceToken, opsToken]) {
      expect(seen).not.toContain(token);
      expect(seen).not.toContain(token.slice(11, 60));
    }
  });

  it('refuses bad configuration at start-up', () => {
    expect(() => auth({ allow: { accounts: ['1'] } })).toThrow(TypeError);
    expect(() => auth({ map: [{ username: 'x' }] })).toThrow(TypeError);
    expect(() => auth({ credentialsRequired: 'no' as unknown as boolean })).toThrow(TypeError);
    expect(() => auth({ getToken: 'authorization' as unknown as () => string })).toThrow(TypeError);
    expect(() => createAuthenticator({ audience: '' })).toThrow(TypeError);
  });
});

describe('createAuthenticator: the keep-alive connection remembers its last token', () => {
  const gciRequests = () => sts.stats().actions.GetCallerIdentity?.requests ?? 0;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('answers each token for itself, whatever the connection carried before', async () => {
    const a = auth({ map: [{ arn: alice.arn, username: 'alice', groups: ['payments'] }] });
    const connection = {};
    const before = gciRequests();
    for (let round = 0; round < 3; round++) {
      await expect(a.authenticate(bearer(aliceToken), undefined, connection)).resolves.toMatchObject({ arn: alice.arn, username: 'alice' });
      await expect(a.authenticate(bearer(aliceToken), undefined, connection)).resolves.toMatchObject({ arn: alice.arn });
      const ops = await a.authenticate(bearer(opsToken), undefined, connection);
      expect(ops).toMatchObject({ roleName: 'Ops' });
      expect(ops?.username).not.toBe('alice');
      const url = Buffer.from(aliceToken.slice('k8s-aws-v1.'.length), 'base64url').toString();
      const forged = `k8s-aws-v1.${Buffer.from(url.replace(/(X-Amz-Signature=)(.)/, (_m, k: string, c: string) => k + (c === '0' ? '1' : '0'))).toString('base64url')}`;
      await expect(a.authenticate(bearer(forged), undefined, connection)).rejects.toMatchObject({ status: 401 });
      await expect(a.authenticate(bearer(`${aliceToken}<`), undefined, connection)).rejects.toMatchObject({ code: 'request_malformed' });
      await expect(a.authenticate({}, undefined, connection)).rejects.toMatchObject({ code: 'token_missing' });
    }
    // alice, ops and the forged token once each: the negative cache answers the forged token's repeats.
    expect(gciRequests() - before).toBe(3);
  });

  it('still consults the cache: an expired token is refused on the connection that carried it', async () => {
    let now = Date.now();
    const a = auth({ clock: () => now });
    const connection = {};
    await expect(a.authenticate(bearer(aliceToken), undefined, connection)).resolves.toMatchObject({ arn: alice.arn });
    now += 16 * 60_000;
    await expect(a.authenticate(bearer(aliceToken), undefined, connection)).rejects.toMatchObject({ code: 'token_expired', status: 401 });
  });

  it('hands every request its own identity, applies allow on each, and ignores a connection that is not an object', async () => {
    const rejected: RejectedEvent[] = [];
    const a = auth({ allow: { principalTypes: ['user'] }, onRejected: (e) => rejected.push(e) });
    const connection = {};
    const first = (await a.authenticate(bearer(aliceToken), undefined, connection))!;
    (first as { arn: string }).arn = 'changed by the app';
    await expect(a.authenticate(bearer(aliceToken), undefined, connection)).resolves.toMatchObject({ arn: alice.arn });
    await expect(a.authenticate(bearer(opsToken), undefined, connection)).rejects.toMatchObject({ code: 'caller_not_allowed', status: 403 });
    await expect(a.authenticate(bearer(opsToken), undefined, connection)).rejects.toMatchObject({ code: 'caller_not_allowed' });
    expect(rejected.map((e) => e.identity?.roleName)).toEqual(['Ops', 'Ops']);
    await expect(a.authenticate(bearer(aliceToken), undefined, 'socket' as unknown as object)).resolves.toMatchObject({ arn: alice.arn });
  });
});

// This describe pins the adapters' synchronous fast-path contract on purpose: the fast path answers a
// cached caller as a value (so an adapter calls `next()` without a microtask) and a promise only when
// something must be awaited. Whether the result is a `Promise` is the contract here, not an implementation detail.
describe('the fast path (fastPath, @callerid/core/internal): the same answers, at once when they are known', () => {
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('a promise until the token is cached, then the caller itself', async () => {
    const a = auth({ map: [{ arn: alice.arn, username: 'alice', groups: [] }] });
    const first = fastPath(a)(bearer(aliceToken));
    expect(first).toBeInstanceOf(Promise);
    await expect(first).resolves.toMatchObject({ arn: alice.arn, username: 'alice' });
    const cached = fastPath(a)(bearer(aliceToken), undefined, {});
    expect(cached).not.toBeInstanceOf(Promise);
    expect(cached).toMatchObject({ arn: alice.arn, username: 'alice' });
  });

  it('throws what it can refuse without I/O, and null for an anonymous request when credentials are optional', async () => {
    const rejected: RejectedEvent[] = [];
    const a = auth({ allow: { principalTypes: ['user'] }, onRejected: (e) => rejected.push(e) });
    expect(() => fastPath(a)({})).toThrow(expect.objectContaining({ code: 'token_missing', status: 401 }));
    expect(() => fastPath(a)({ authorization: 'Bearer' })).toThrow(expect.objectContaining({ code: 'request_malformed', status: 400 }));
    expect(() => fastPath(a)(['authorization', `Bearer ${aliceToken}`, 'authorization', `Bearer ${opsToken}`])).toThrow(expect.objectContaining({ code: 'request_multiple_tokens' }));
    await expect(fastPath(a)(bearer(opsToken))).rejects.toMatchObject({ code: 'caller_not_allowed' });
    expect(() => fastPath(a)(bearer(opsToken))).toThrow(expect.objectContaining({ code: 'caller_not_allowed', status: 403 }));
    expect(rejected.map((e) => e.error.code)).toEqual(['token_missing', 'request_malformed', 'request_multiple_tokens', 'caller_not_allowed', 'caller_not_allowed']);
    expect(fastPath(auth({ credentialsRequired: false }))({})).toBeNull();
  });

  it('a promise whenever something must be waited for: an async predicate, a custom getToken', async () => {
    const predicate = auth({ allow: async () => true });
    await predicate.authenticate(bearer(aliceToken));
    const answer = fastPath(predicate)(bearer(aliceToken));
    expect(answer).toBeInstanceOf(Promise);
    await expect(answer).resolves.toMatchObject({ arn: alice.arn });
    const custom = auth<{ token: string }>({ getToken: (req) => req.token });
    await custom.authenticate({}, { token: aliceToken });
    const fromRequest = fastPath(custom)({}, { token: aliceToken });
    expect(fromRequest).toBeInstanceOf(Promise);
    await expect(fromRequest).resolves.toMatchObject({ arn: alice.arn });
  });
});

describe('the fast path as adapters call it, and what custom code throws', () => {
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  type Call = [Error | null, Identity | null];
  // What every adapter does with the fast path: continue at once when it answers at once.
  const callback = (a: ReturnType<typeof auth>, headers: Parameters<FastCheck<unknown>>[0]) => {
    const calls: Call[] = [];
    let sync = false;
    const settled = new Promise<Call[]>((resolve) => {
      const done = (error: Error | null, caller: Identity | null) => {
        calls.push([error, caller]);
        resolve(calls);
      };
      let answer: FastAnswer;
      try {
        answer = fastPath(a)(headers, {}, undefined);
      } catch (error) {
        done(error as Error, null);
        answer = undefined as never;
      }
      if (answer instanceof Promise) answer.then((caller) => done(null, caller), (error: unknown) => done(error as Error, null));
      else if (calls.length === 0) done(null, answer);
      sync = calls.length > 0;
    });
    return { settled, sync: () => sync };
  };

  it('calls back once: later for a first verification, at once for a cached token or a refusal', async () => {
    const a = auth();
    const first = callback(a, bearer(aliceToken));
    expect(first.sync()).toBe(false);
    expect(await first.settled).toEqual([[null, expect.objectContaining({ arn: alice.arn })]]);
    const cached = callback(a, bearer(aliceToken));
    expect(cached.sync()).toBe(true);
    expect(await cached.settled).toEqual([[null, expect.objectContaining({ arn: alice.arn })]]);
    const missing = callback(a, {});
    expect(missing.sync()).toBe(true);
    const [[error, caller]] = (await missing.settled) as [Call];
    expect(error).toMatchObject({ code: 'token_missing', status: 401 });
    expect(caller).toBeNull();
  });

  it('a custom allow or getToken that throws something that is not an Error fails closed, with a TypeError', async () => {
    const throwing = [
      auth({ allow: () => { throw undefined; } }), // eslint-disable-line @typescript-eslint/only-throw-error
      auth({ allow: () => Promise.reject() }), // eslint-disable-line @typescript-eslint/prefer-promise-reject-errors
      auth<unknown>({ getToken: () => Promise.reject(null) }), // eslint-disable-line @typescript-eslint/prefer-promise-reject-errors
    ];
    for (const a of throwing) {
      await expect(a.authenticate(bearer(aliceToken), {})).rejects.toBeInstanceOf(TypeError);
      const [[error, caller]] = (await callback(a, bearer(aliceToken)).settled) as [Call];
      expect(error).toBeInstanceOf(TypeError);
      expect(caller).toBeNull();
    }
  });
});
