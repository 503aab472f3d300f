import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { Agent } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { CallerIdError, createMemoryCache, createVerifier, type CacheEntry, type CacheStore, type Identity, type Verifier, type VerifierOptions } from '../src/index.js';
import { mintToken } from '@callerid/mint';
import { answer, callerIdentityBody, startFakeSts, stsErrorBody, type FakeSts, type Handler } from './fake-sts.js';
import { awsCli, credentialsOf, principal, signedAtOf } from './fixtures.js';

const AUDIENCE = 'payments-api';
const fixtureToken = (name: string, minter = 'aws-cli') =>
  awsCli.eksTokens.find((t) => t.principal === name && t.audience === AUDIENCE && t.minter.startsWith(minter))!;
const alice = fixtureToken('alice');
const deployer = fixtureToken('deployer-session');
const pathRole = awsCli.eksTokens.find((t) => t.principal === 'path-role-session')!;

// Secrets that must never appear in an error, its cause, or the cache.
const SECRETS = [
  ...awsCli.eksTokens.map((t) => new URL(t.presignedUrl).searchParams.get('X-Amz-Signature')!),
  ...awsCli.principals.flatMap((p) => [p.secretAccessKey, p.sessionToken ?? 'none-none-none']),
];

/** Answers like STS would for a correctly signed request: the principal the access key belongs to. */
const stsAnswersByAccessKey: Handler = (req, res) => {
  const credential = new URL(req.url!, 'http://x').searchParams.get('X-Amz-Credential') ?? '';
  const p = awsCli.principals.find((q) => credential.startsWith(`${q.accessKeyId}/`));
  if (!p || req.headers['x-k8s-aws-id'] === undefined) {
    answer(403, stsErrorBody('InvalidClientTokenId', 'The security token included in the request is invalid.'))(req, res);
    return;
  }
  answer(200, callerIdentityBody({ Account: p.account, Arn: p.arn, UserId: p.userId }))(req, res);
};

let sts: FakeSts;
let now = 0;
const verifiers: Verifier[] = [];

function verifier(options: Partial<VerifierOptions> = {}): Verifier {
  const v = createVerifier({ audience: AUDIENCE, stsEndpoint: sts.url, clock: () => now, timeoutMs: 2_000, ...options });
  verifiers.push(v);
  return v;
}

async function rejection(promise: Promise<unknown>): Promise<CallerIdError> {
  const err = await promise.then(
    () => expect.unreachable('verify should have failed'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CallerIdError);
  const e = err as CallerIdError;
  const cause = e.cause as Error | undefined;
  for (const text of [e.message, JSON.stringify(e), JSON.stringify(e.headers), inspect(e, { depth: 5 }), String(cause?.message), String(cause?.stack)]) {
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    expect(text).not.toContain('k8s-aws-v1.');
    expect(text).not.toContain('X-Amz-Signature=');
  }
  return e;
}

beforeAll(async () => {
  sts = await startFakeSts(stsAnswersByAccessKey);
});
afterAll(async () => {
  await Promise.all(verifiers.map((v) => v.close()));
  await sts.close();
});
beforeEach(() => {
  sts.handle(stsAnswersByAccessKey);
  sts.requests.length = 0;
  now = signedAtOf(alice.presignedUrl) + 1_000;
});

describe('verify: valid answers', () => {
  it('returns an IAM user’s identity, all of it from STS', async () => {
    const identity = await verifier().verify(alice.token);
    expect(identity).toEqual({
      arn: 'arn:aws:iam::111122223333:user/alice',
      canonicalArn: 'arn:aws:iam::111122223333:user/alice',
      accountId: '111122223333',
      partition: 'aws',
      principalType: 'user',
      userId: 'AIDAXCALLERIDALICE001',
      userName: 'alice',
      tokenType: 'presigned',
      stsHost: 'sts.us-west-2.amazonaws.com',
      accessKeyId: 'AKIAXCALLERIDALICE01',
      region: 'us-west-2',
      expiresAt: '2026-11-22T09:53:44.000Z',
    } satisfies Identity);
  });

  it('replays the URL exactly, with the original Host, the server’s audience and Accept: application/json', async () => {
    await verifier().verify(alice.token);
    expect(sts.requests).toHaveLength(1);
    const [req] = sts.requests;
    expect(req!.method).toBe('GET');
    expect(req!.url).toBe(alice.presignedUrl.slice('https://sts.us-west-2.amazonaws.com'.length));
    expect(req!.headers.host).toBe('sts.us-west-2.amazonaws.com');
    expect(req!.headers['x-k8s-aws-id']).toBe(AUDIENCE);
    expect(req!.headers.accept).toBe('application/json');
    expect(req!.headers.authorization).toBeUndefined();
  });

  it('returns an assumed role with its canonical role ARN and session', async () => {
    now = signedAtOf(deployer.presignedUrl);
    const identity = await verifier().verify(deployer.token);
    expect(identity).toMatchObject({
      arn: 'arn:aws:sts::111122223333:assumed-role/Deployer/ci-run-42',
      canonicalArn: 'arn:aws:iam::111122223333:role/Deployer',
      principalType: 'assumed-role',
      roleName: 'Deployer',
      sessionName: 'ci-run-42',
      userId: 'AROAXCALLERIDDEPLOYER:ci-run-42',
      region: 'eu-west-1',
    });
    expect(identity.userName).toBeUndefined();
  });

  it('handles session names with @ (a role with an IAM path is reported without it)', async () => {
    now = signedAtOf(pathRole.presignedUrl);
    const identity = await verifier({ audience: 'prod-cluster' }).verify(pathRole.token);
    expect(identity).toMatchObject({ canonicalArn: 'arn:aws:iam::111122223333:role/Admin', sessionName: 'jane@example.com' });
  });

  it('gives every caller its own copy of the identity', async () => {
    const v = verifier();
    const first = await v.verify(alice.token);
    first.groups = ['mutated'];
    const second = await v.verify(alice.token);
    expect(second.groups).toBeUndefined();
    expect(sts.requests).toHaveLength(1);
  });
});

describe('verify: STS faults', () => {
  const cases: [string, Handler, string, number][] = [
    ['403 SignatureDoesNotMatch', answer(403, stsErrorBody('SignatureDoesNotMatch', 'The request signature we calculated does not match')), 'sts_signature_mismatch', 401],
    ['403 InvalidClientTokenId', answer(403, stsErrorBody('InvalidClientTokenId', 'invalid')), 'sts_unknown_key', 401],
    ['403 ExpiredToken (XML)', answer(403, '<ErrorResponse><Error><Code>ExpiredToken</Code></Error></ErrorResponse>', { 'content-type': 'text/xml' }), 'sts_expired', 401],
    ['403 AccessDenied', answer(403, stsErrorBody('AccessDenied', 'denied')), 'sts_rejected', 401],
    ['400 IncompleteSignature', answer(400, stsErrorBody('IncompleteSignature', 'incomplete')), 'sts_rejected', 401],
    [
      '403 SignatureDoesNotMatch (XML with a declaration and namespace, as STS sends it)',
      answer(
        403,
        '<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n  <Error>\n    <Type>Sender</Type>\n    <Code>SignatureDoesNotMatch</Code>\n    <Message>no</Message>\n  </Error>\n  <RequestId>1</RequestId>\n</ErrorResponse>\n',
        { 'content-type': 'text/xml' },
      ),
      'sts_signature_mismatch',
      401,
    ],
    ['403 without a body', answer(403, ''), 'sts_unavailable', 503],
    ['403 HTML from a proxy or WAF', answer(403, '<html><body><h1>403 Forbidden</h1><Code>SignatureDoesNotMatch</Code></body></html>', { 'content-type': 'text/html' }), 'sts_unavailable', 503],
    ['403 JSON that is not an AWS error document', answer(403, '{"message":"Forbidden by VPC endpoint policy"}'), 'sts_unavailable', 503],
    ['403 AWS error document with an unknown code', answer(403, stsErrorBody('VpceAccessDeniedByProxy', 'no')), 'sts_unavailable', 503],
    ['404 without an STS error document', answer(404, 'Not Found'), 'sts_unavailable', 503],
    ['407 from a proxy', answer(407, ''), 'sts_unavailable', 503],
    ['408', answer(408, ''), 'sts_unavailable', 503],
    ['401 without an STS error document', answer(401, 'Unauthorized'), 'sts_unavailable', 503],
    ['400 Throttling', answer(400, stsErrorBody('Throttling', 'Rate exceeded')), 'sts_throttled', 503],
    ['429', answer(429, ''), 'sts_throttled', 503],
    ['500', answer(500, stsErrorBody('InternalFailure', 'oops')), 'sts_unavailable', 503],
    ['503', answer(503, 'Service Unavailable'), 'sts_unavailable', 503],
    ['malformed JSON', answer(200, '{"GetCallerIdentityResponse":'), 'sts_response_invalid', 503],
    ['an XML success body', answer(200, '<GetCallerIdentityResponse/>', { 'content-type': 'text/xml' }), 'sts_response_invalid', 503],
    ['an empty 200', answer(200, ''), 'sts_response_invalid', 503],
    [
      'two results (duplicate key)',
      answer(200, `{"GetCallerIdentityResponse":{"GetCallerIdentityResult":{"Account":"999999999999","Arn":"arn:aws:iam::999999999999:user/mallory","UserId":"AIDAXCALLERIDMALLORY1"},"GetCallerIdentityResult":{"Account":"111122223333","Arn":"arn:aws:iam::111122223333:user/alice","UserId":"AIDAXCALLERIDALICE001"}}}`),
      'sts_response_invalid',
      503,
    ],
    [
      'two Arn fields',
      answer(200, `{"GetCallerIdentityResponse":{"GetCallerIdentityResult":{"Account":"111122223333","Arn":"arn:aws:iam::111122223333:user/mallory","Arn":"arn:aws:iam::111122223333:user/alice","UserId":"AIDAXCALLERIDALICE001"}}}`),
      'sts_response_invalid',
      503,
    ],
    [
      'results as an array',
      answer(200, JSON.stringify({ GetCallerIdentityResponse: { GetCallerIdentityResult: [{ Account: '111122223333', Arn: 'arn:aws:iam::111122223333:user/alice', UserId: 'AIDAXCALLERIDALICE001' }] } })),
      'sts_response_invalid',
      503,
    ],
    ['an account/ARN mismatch', answer(200, callerIdentityBody({ Account: '111122223333', Arn: 'arn:aws:iam::999999999999:user/alice', UserId: 'AIDAXCALLERIDALICE001' })), 'sts_response_invalid', 503],
    ['an 11-digit account', answer(200, callerIdentityBody({ Account: '11112222333', Arn: 'arn:aws:iam::11112222333:user/alice', UserId: 'AIDAXCALLERIDALICE001' })), 'sts_response_invalid', 503],
    ['an empty UserId', answer(200, callerIdentityBody({ Account: '111122223333', Arn: 'arn:aws:iam::111122223333:user/alice', UserId: '' })), 'sts_response_invalid', 503],
    ['an assumed-role UserId of three parts', answer(200, callerIdentityBody({ Account: '111122223333', Arn: 'arn:aws:sts::111122223333:assumed-role/R/s1', UserId: 'AROAXCALLERIDDEPLOYER:s1:x' })), 'sts_response_invalid', 503],
    ['an assumed-role UserId of another session', answer(200, callerIdentityBody({ Account: '111122223333', Arn: 'arn:aws:sts::111122223333:assumed-role/R/s1', UserId: 'AROAXCALLERIDDEPLOYER:s2' })), 'sts_response_invalid', 503],
    ['a non-principal ARN', answer(200, callerIdentityBody({ Account: '111122223333', Arn: 'arn:aws:s3:::bucket', UserId: 'AIDAXCALLERIDALICE001' })), 'sts_response_invalid', 503],
    ['an ARN of another partition', answer(200, callerIdentityBody({ Account: '111122223333', Arn: 'arn:aws-cn:iam::111122223333:user/alice', UserId: 'AIDAXCALLERIDALICE001' })), 'sts_response_invalid', 503],
    [
      'an extra field in the result',
      answer(200, JSON.stringify({ GetCallerIdentityResponse: { GetCallerIdentityResult: { Account: '111122223333', Arn: 'arn:aws:iam::111122223333:user/alice', UserId: 'AIDAXCALLERIDALICE001', Admin: true } } })),
      'sts_response_invalid',
      503,
    ],
    ['a 204', (_q, res) => res.writeHead(204).end(), 'sts_response_invalid', 503],
    ['a dropped connection', (req) => req.socket.destroy(), 'sts_unavailable', 503],
  ];
  for (const [name, handler, code, status] of cases) {
    it(`${name} → ${code} (${status})`, async () => {
      sts.handle(handler);
      const err = await rejection(verifier().verify(alice.token));
      expect(err.code).toBe(code);
      expect(err.status).toBe(status);
      if (status === 503) expect(err.headers['Retry-After']).toMatch(/^\d+$/);
      else expect(err.headers['WWW-Authenticate']).toMatch(/^Bearer realm="callerid", error="invalid_token"/);
      expect(sts.requests).toHaveLength(1);
    });
  }

  it('does not follow a 302 redirect', async () => {
    let elsewhere = 0;
    const other = createServer((_req, res) => {
      elsewhere++;
      res.end(callerIdentityBody({ Account: '111122223333', Arn: 'arn:aws:iam::111122223333:user/alice', UserId: 'AIDAXCALLERIDALICE001' }));
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = other.address() as AddressInfo;
      sts.handle(answer(302, '', { location: `http://127.0.0.1:${port}/` }));
      const err = await rejection(verifier().verify(alice.token));
      expect(err.code).toBe('sts_response_invalid');
      expect(err.status).toBe(503);
      expect(elsewhere).toBe(0);
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });

  it('times out on a server that never answers → sts_timeout (503)', async () => {
    sts.handle(() => {
      /* never answer */
    });
    const err = await rejection(verifier({ timeoutMs: 300 }).verify(alice.token));
    expect(err.code).toBe('sts_timeout');
    expect(err.status).toBe(503);
  });

  it('times out on a body that stalls', async () => {
    sts.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"GetCallerIdentityResponse":');
    });
    const err = await rejection(verifier({ timeoutMs: 300 }).verify(alice.token));
    expect(err.code).toBe('sts_timeout');
  });

  it('refuses an oversized body, announced or streamed', async () => {
    sts.handle(answer(200, ' '.repeat(100 * 1024)));
    expect((await rejection(verifier().verify(alice.token))).code).toBe('sts_response_invalid');
    sts.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }); // chunked, no content-length
      for (let i = 0; i < 20; i++) res.write(' '.repeat(8 * 1024));
      res.end('{}');
    });
    expect((await rejection(verifier().verify(alice.token))).code).toBe('sts_response_invalid');
  });

  it('refuses an oversized body even through a dispatcher without a size cap', async () => {
    const dispatcher = new Agent();
    try {
      sts.handle((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        for (let i = 0; i < 20; i++) res.write(' '.repeat(8 * 1024));
        res.end('{}');
      });
      expect((await rejection(verifier({ dispatcher }).verify(alice.token))).code).toBe('sts_response_invalid');
    } finally {
      await dispatcher.close();
    }
  });

  it('reports a refused connection as sts_unavailable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const err = await rejection(verifier({ stsEndpoint: `http://127.0.0.1:${port}` }).verify(alice.token));
    expect(err.code).toBe('sts_unavailable');
    expect(err.retryable).toBe(true);
  });

  it('carries the configured realm', async () => {
    sts.handle(answer(403, stsErrorBody('SignatureDoesNotMatch', 'x')));
    const err = await rejection(verifier({ realm: 'payments' }).verify(alice.token));
    expect(err.headers['WWW-Authenticate']).toMatch(/^Bearer realm="payments", error="invalid_token"/);
    const local = await rejection(verifier({ realm: 'payments' }).verify('k8s-aws-v1.!!'));
    expect(local.headers['WWW-Authenticate']).toMatch(/^Bearer realm="payments"/);
  });
});

describe('verify: local rejection costs no network', () => {
  const cases: [string, () => string, string][] = [
    ['garbage', () => 'not-a-token', 'token_format'],
    ['an empty string', () => '', 'token_format'],
    ['a JWT while web identity is off', () => 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl', 'web_identity_disabled'],
    ['a huge token', () => 'k8s-aws-v1.' + 'A'.repeat(100_000), 'token_too_large'],
    ['bad base64url', () => 'k8s-aws-v1.a+b/', 'token_encoding'],
    ['an expired token', () => ((now += 16 * 60_000), alice.token), 'token_expired'],
    ['a token of another partition', () => awsCli.eksTokens.find((t) => t.principal === 'china')!.token, 'partition_not_allowed'],
    ['a token for an attacker host', () => 'k8s-aws-v1.' + Buffer.from(alice.presignedUrl.replace('sts.us-west-2.amazonaws.com', '127.0.0.1')).toString('base64url'), 'host_not_allowed'],
  ];
  for (const [name, token, code] of cases) {
    it(name, async () => {
      const err = await rejection(verifier().verify(token()));
      expect(err.code).toBe(code);
      expect(sts.requests).toHaveLength(0);
    });
  }

  it('a non-string', async () => {
    expect((await rejection(verifier().verify(undefined as unknown as string))).code).toBe('token_format');
  });
});

describe('verify: cache', () => {
  let fresh: string;
  beforeAll(async () => {
    ({ token: fresh } = await mintToken({
      audience: AUDIENCE,
      region: 'us-east-2',
      credentials: credentialsOf(principal('alice')),
      signingDate: new Date('2026-03-01T12:00:00Z'),
    }));
  });
  beforeEach(() => {
    now = Date.parse('2026-03-01T12:00:01Z');
  });

  it('200 concurrent verifications of one fresh token make exactly one STS request', async () => {
    sts.handle((req, res) => setTimeout(() => stsAnswersByAccessKey(req, res), 50));
    const v = verifier();
    const identities = await Promise.all(Array.from({ length: 200 }, () => v.verify(fresh)));
    expect(sts.requests).toHaveLength(1);
    expect(new Set(identities.map((i) => i.arn))).toEqual(new Set(['arn:aws:iam::111122223333:user/alice']));
    expect(new Set(identities).size).toBe(200); // copies, not one shared object
  });

  it('a second verification within the TTL makes none; after the token expires it is rejected locally', async () => {
    const v = verifier();
    await v.verify(fresh);
    now += 14 * 60_000;
    await v.verify(fresh);
    expect(sts.requests).toHaveLength(1);
    now += 60_000; // 15 minutes after signing
    expect((await rejection(v.verify(fresh))).code).toBe('token_expired');
    expect(sts.requests).toHaveLength(1);
  });

  it('concurrent failures are shared too, and STS rejections are remembered for a few seconds', async () => {
    sts.handle((req, res) => setTimeout(() => answer(403, stsErrorBody('SignatureDoesNotMatch', 'no'))(req, res), 30));
    const v = verifier({ negativeCacheTtlMs: 5_000 });
    const errors = await Promise.all(Array.from({ length: 50 }, () => rejection(v.verify(fresh))));
    expect(new Set(errors.map((e) => e.code))).toEqual(new Set(['sts_signature_mismatch']));
    expect(sts.requests).toHaveLength(1);
    now += 4_000;
    expect((await rejection(v.verify(fresh))).code).toBe('sts_signature_mismatch');
    expect(sts.requests).toHaveLength(1);
    now += 2_000;
    sts.handle(stsAnswersByAccessKey);
    await expect(v.verify(fresh)).resolves.toMatchObject({ userName: 'alice' });
    expect(sts.requests).toHaveLength(2);
  });

  it('remembers none of the answers that are not STS verdicts, positively or negatively', async () => {
    const v = verifier();
    for (const handler of [answer(403, '<html>Forbidden</html>', { 'content-type': 'text/html' }), answer(404, ''), answer(429, ''), answer(407, '')]) {
      sts.handle(handler);
      expect((await rejection(v.verify(fresh))).status).toBe(503);
    }
    sts.handle(stsAnswersByAccessKey);
    await expect(v.verify(fresh)).resolves.toMatchObject({ userName: 'alice' });
    expect(sts.requests).toHaveLength(5);
  });

  it("remembers each of STS's own refusals for the negative TTL", async () => {
    for (const [stsCode, code] of [['InvalidClientTokenId', 'sts_unknown_key'], ['ExpiredToken', 'sts_expired'], ['AccessDenied', 'sts_rejected']] as const) {
      sts.requests.length = 0;
      sts.handle(answer(403, stsErrorBody(stsCode, 'no')));
      const v = verifier();
      expect((await rejection(v.verify(fresh))).code).toBe(code);
      expect((await rejection(v.verify(fresh))).code).toBe(code);
      expect(sts.requests).toHaveLength(1);
    }
  });

  it('does not remember STS outages', async () => {
    sts.handle(answer(500, ''));
    const v = verifier();
    expect((await rejection(v.verify(fresh))).code).toBe('sts_unavailable');
    sts.handle(stsAnswersByAccessKey);
    await expect(v.verify(fresh)).resolves.toMatchObject({ userName: 'alice' });
    expect(sts.requests).toHaveLength(2);
  });

  it('keys entries by a SHA-256 of audience and token: no raw token, and no reuse across audiences', async () => {
    const seen: [string, CacheEntry][] = [];
    const memory = createMemoryCache();
    const recording: CacheStore = {
      get: (key) => memory.get(key),
      set: (key, entry, ttl) => {
        seen.push([key, entry]);
        memory.set(key, entry, ttl);
      },
      delete: (key) => memory.delete(key),
    };
    await verifier({ cache: recording }).verify(fresh);
    expect(seen).toHaveLength(1);
    const [key, entry] = seen[0]!;
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = JSON.stringify(seen);
    expect(stored).not.toContain(fresh.slice(11, 80));
    expect(stored).not.toContain(new URL(Buffer.from(fresh.slice(11), 'base64url').toString()).searchParams.get('X-Amz-Signature'));
    expect(entry.expiresAt).toBe(Date.parse('2026-03-01T12:15:00Z'));

    // Another audience sharing the store must ask STS itself (which refuses: the signature binds the audience).
    sts.handle((req, res) =>
      req.headers['x-k8s-aws-id'] === AUDIENCE ? stsAnswersByAccessKey(req, res) : answer(403, stsErrorBody('SignatureDoesNotMatch', 'x'))(req, res),
    );
    expect((await rejection(verifier({ cache: recording, audience: 'orders' }).verify(fresh))).code).toBe('sts_signature_mismatch');
    expect(sts.requests).toHaveLength(2);
  });

  it('never serves a verdict to a verifier that dials another STS or accepts other partitions', async () => {
    const shared = createMemoryCache();
    await verifier({ cache: shared }).verify(fresh);
    const other = await startFakeSts(answer(403, stsErrorBody('InvalidClientTokenId', 'unknown key')));
    try {
      expect((await rejection(verifier({ cache: shared, stsEndpoint: other.url }).verify(fresh))).code).toBe('sts_unknown_key');
      expect(other.requests).toHaveLength(1);
    } finally {
      await other.close();
    }
    await verifier({ cache: shared, allowedPartitions: ['aws', 'aws-cn'] }).verify(fresh);
    expect(sts.requests).toHaveLength(2);
    await verifier({ cache: shared, allowedPartitions: ['aws-cn', 'aws'] }).verify(fresh); // same settings, any order
    expect(sts.requests).toHaveLength(2);
  });

  it('works with an asynchronous store, and treats a failing store as a miss', async () => {
    const memory = new Map<string, CacheEntry>();
    const asyncStore: CacheStore = {
      get: async (key) => memory.get(key),
      set: async (key, entry) => void memory.set(key, entry),
      delete: async (key) => void memory.delete(key),
    };
    const v = verifier({ cache: asyncStore });
    await v.verify(fresh);
    await v.verify(fresh);
    expect(sts.requests).toHaveLength(1);

    const broken: CacheStore = {
      get: () => Promise.reject(new Error('store down')),
      set: () => {
        throw new Error('store down');
      },
      delete: () => undefined,
    };
    await expect(verifier({ cache: broken }).verify(fresh)).resolves.toMatchObject({ userName: 'alice' });
    const throwing: CacheStore = {
      get: () => {
        throw new Error('store down');
      },
      set: () => Promise.reject(new Error('store down')),
      delete: () => undefined,
    };
    await expect(verifier({ cache: throwing }).verify(fresh)).resolves.toMatchObject({ userName: 'alice' });
  });

  it('can be disabled', async () => {
    const v = verifier({ cache: false });
    await v.verify(fresh);
    await v.verify(fresh);
    expect(sts.requests).toHaveLength(2);
  });

  it('evicts the least recently used entries beyond its bound', () => {
    const cache = createMemoryCache({ max: 2 });
    for (const key of ['a', 'b', 'c']) cache.set(key, { expiresAt: Number.MAX_SAFE_INTEGER, error: 'sts_rejected' }, 60_000);
    expect(cache.size).toBe(2);
    expect(cache.get('a')).toBeUndefined();
    expect(() => createMemoryCache({ max: 0 })).toThrow(TypeError);
  });
});

describe('createVerifier options', () => {
  const bad: [string, Partial<VerifierOptions>][] = [
    ['no audience', { audience: '' }],
    ['an audience with a newline', { audience: 'a\r\nx-evil: 1' }],
    ['plain http to a remote host', { stsEndpoint: 'http://sts.example.com' }],
    ['an endpoint with a path', { stsEndpoint: 'https://vpce.example.com/sts' }],
    ['an endpoint with credentials', { stsEndpoint: 'https://u:p@vpce.example.com' }],
    ['a relative endpoint', { stsEndpoint: '/sts' }],
    ['an unknown partition', { allowedPartitions: ['aws-mars' as never] }],
    ['no partitions', { allowedPartitions: [] }],
    ['a zero timeout', { timeoutMs: 0 }],
    ['a huge negative cache TTL', { negativeCacheTtlMs: 3_600_000 }],
  ];
  for (const [name, options] of bad) {
    it(`refuses ${name}`, () => {
      expect(() => createVerifier({ audience: AUDIENCE, ...options })).toThrow(TypeError);
    });
  }

  it('accepts https endpoints and http loopback endpoints', async () => {
    for (const stsEndpoint of ['https://vpce-1.sts.us-east-1.vpce.amazonaws.com', 'http://localhost:1234/', 'http://[::1]:1', new URL('http://127.0.0.2:9')]) {
      await createVerifier({ audience: AUDIENCE, stsEndpoint }).close();
    }
  });

  it('uses a given dispatcher and leaves it open on close()', async () => {
    const dispatcher = new Agent();
    onTestFinished(() => dispatcher.close());
    const v = createVerifier({ audience: AUDIENCE, stsEndpoint: sts.url, clock: () => now, dispatcher });
    await v.verify(alice.token);
    await v.close();
    expect(dispatcher.closed).toBe(false);
  });
});
