/**
 * Property-based tests (fast-check) of everything that reads untrusted input before the network:
 * `parseToken`, `parseWebIdentityToken` and the bearer-header reader, through `verify()` and the
 * authenticator. Inputs are mutations of valid tokens — byte flips, duplicated, reordered, re-cased and
 * percent-encoded parameters, hostile hosts, extreme lengths — and arbitrary strings. Properties:
 *
 * - nothing but a `CallerIdError` is ever thrown;
 * - the same input always gets the same code, and `verify()` gives the code the local parser gives;
 * - an input refused locally never causes a network request (counted at loopback servers standing in
 *   for STS and for the JWKS endpoint).
 *
 * `pnpm test` runs a few hundred cases per property (a few seconds); `pnpm fuzz` runs many more
 * (`CALLERID_FUZZ_RUNS`, default there 20,000). A failure prints the seed and path to replay it:
 * `CALLERID_FUZZ_SEED=<seed> CALLERID_FUZZ_PATH=<path> pnpm vitest run --project core test/fuzz.test.ts`.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CallerIdError,
  createAuthenticator,
  createVerifier,
  extractBearerToken,
  parseToken,
  parseWebIdentityToken,
  PARTITION_IDS,
  type Authenticator,
  type Verifier,
} from '../src/index.js';
import { tokenKind } from '../src/internal.js';
import { answer, startFakeSts, stsErrorBody, type FakeSts } from './fake-sts.js';
import { awsCli, signedAtOf } from './fixtures.js';
import { startTestIssuer, type TestIssuer } from './web-identity/test-issuer.js';

const RUNS = Number(process.env.CALLERID_FUZZ_RUNS ?? 300);
const SEED = process.env.CALLERID_FUZZ_SEED === undefined ? undefined : Number(process.env.CALLERID_FUZZ_SEED);
const PATH = process.env.CALLERID_FUZZ_PATH;
const params = { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }), ...(PATH === undefined ? {} : { path: PATH }) };
// A long run gets the time it needs; the default run stays within the default budget.
const TIMEOUT = Math.max(30_000, RUNS * 20);

const AUDIENCE = 'payments-api';
const fixtures = awsCli.eksTokens.map((t) => ({ token: t.token, url: t.presignedUrl, now: signedAtOf(t.presignedUrl), audience: t.audience }));

let sts: FakeSts;
let issuer: TestIssuer;
let jwts: string[];
let jwtVerifier: Verifier;
let jwtNow: number;

beforeAll(async () => {
  // STS refuses everything it is sent: a request reaching it is what the properties count.
  sts = await startFakeSts(answer(403, stsErrorBody('SignatureDoesNotMatch', 'no')));
  issuer = await startTestIssuer();
  jwtNow = Date.now();
  jwts = [await issuer.sign({ alg: 'RS256' }), await issuer.sign({ alg: 'ES384' })];
  jwtVerifier = createVerifier({ audience: AUDIENCE, stsEndpoint: sts.url, cache: false, clock: () => jwtNow, webIdentity: { issuers: [issuer.issuer], audiences: [issuer.audience] } });
});
afterAll(async () => {
  await jwtVerifier.close();
  await Promise.all([sts.close(), issuer.close()]);
});

/** The code a call throws, `'ok'` when it returns; anything but a CallerIdError fails the property. */
function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (err) {
    if (!(err instanceof CallerIdError)) throw new Error(`threw a ${(err as Error)?.name ?? typeof err}, not a CallerIdError`);
    return err.code;
  }
}

async function asyncCodeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'ok',
    (err: unknown) => {
      if (!(err instanceof CallerIdError)) throw new Error(`rejected with a ${(err as Error)?.name ?? typeof err}, not a CallerIdError`);
      return err.code;
    },
  );
}

// --- mutations of a presigned URL --------------------------------------------------------------------

const HOSTILE_HOSTS = [
  'sts.amazonaws.com.evil.example', 'evil.example', '127.0.0.1', '169.254.169.254', '[::1]', 'sts.amazonaws.com:443',
  'STS.AMAZONAWS.COM', 'sts.amazonaws.com.', 'user@sts.amazonaws.com', 'sts.amazonaws.com%2F', 'xn--sts-9na.amazonaws.com',
  'sts.us-east-1.amazonaws.com.cn', 'sts.amazonaws.com\\@evil.example', 'sts.amazonaws.com#@evil.example', 'sts.amazonaws.com?',
];
const ODD_CHARS = ['%', '%2', '%zz', '%00', '+', ';', ' ', '\n', '\u0000', '\u00e9', '\ud83d', '&', '=', '#', '?', '/', '\\', '"', '<', 'A', 'a', '0'];

type UrlMutation = (url: string) => string;

function splitUrl(url: string): { head: string; pairs: string[] } {
  const q = url.indexOf('?');
  return { head: url.slice(0, q), pairs: url.slice(q + 1).split('&') };
}
const joinUrl = (head: string, pairs: string[]) => `${head}?${pairs.join('&')}`;

const urlMutation: fc.Arbitrary<UrlMutation> = fc.oneof(
  // duplicate a parameter (same or another value)
  fc.tuple(fc.nat(), fc.boolean()).map(([i, same]): UrlMutation => (url) => {
    const { head, pairs } = splitUrl(url);
    const pair = pairs[i % pairs.length]!;
    return joinUrl(head, [...pairs, same ? pair : `${pair.split('=')[0]}=x`]);
  }),
  // reorder the parameters
  fc.nat().map((seed): UrlMutation => (url) => {
    const { head, pairs } = splitUrl(url);
    const rotated = [...pairs.slice(seed % pairs.length), ...pairs.slice(0, seed % pairs.length)];
    return joinUrl(head, rotated.reverse());
  }),
  // re-case a key (a decoy twin beside the original, or in its place)
  fc.tuple(fc.nat(), fc.boolean()).map(([i, twin]): UrlMutation => (url) => {
    const { head, pairs } = splitUrl(url);
    const [key, value] = pairs[i % pairs.length]!.split('=') as [string, string];
    const recased = `${key.toLowerCase() === key ? key.toUpperCase() : key.toLowerCase()}=${value}`;
    return joinUrl(head, twin ? [...pairs, recased] : pairs.map((p, j) => (j === i % pairs.length ? recased : p)));
  }),
  // percent-encode one character of the query
  fc.nat().map((i): UrlMutation => (url) => {
    const { head, pairs } = splitUrl(url);
    const query = pairs.join('&');
    const at = i % query.length;
    return `${head}?${query.slice(0, at)}%${query.charCodeAt(at).toString(16).toUpperCase().padStart(2, '0')}${query.slice(at + 1)}`;
  }),
  // drop a parameter, or add an unknown one
  fc.tuple(fc.nat(), fc.boolean()).map(([i, drop]): UrlMutation => (url) => {
    const { head, pairs } = splitUrl(url);
    return joinUrl(head, drop ? pairs.filter((_, j) => j !== i % pairs.length) : [...pairs, 'X-Amz-Foo=bar']);
  }),
  // a hostile host
  fc.constantFrom(...HOSTILE_HOSTS).map((host): UrlMutation => (url) => url.replace(/^https:\/\/[^/?]*/, `https://${host}`)),
  // another scheme, path, port or fragment
  fc.constantFrom('http://', 'HTTPS://', 'https:/', 'https:///', '//').map((scheme): UrlMutation => (url) => url.replace(/^https:\/\//, scheme)),
  fc.constantFrom('/x', '//', '/?', '/%2e', ':443/', '#f', '/#').map((tail): UrlMutation => (url) => url.replace('/?', `${tail}?`)),
  // an odd character anywhere
  fc.tuple(fc.nat(), fc.constantFrom(...ODD_CHARS)).map(([i, c]): UrlMutation => (url) => url.slice(0, i % url.length) + c + url.slice(i % url.length)),
  // extreme lengths: a long value, up to and past the token size caps
  fc.constantFrom(2_900, 3_050, 3_100, 12_000).map((n): UrlMutation => (url) => `${url}&X-Amz-Security-Token=${'A'.repeat(n)}`),
);

// --- mutations of a token string ---------------------------------------------------------------------

type TokenMutation = (token: string) => string;
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const tokenMutation: fc.Arbitrary<TokenMutation> = fc.oneof(
  // flip one character to another base64url character, or to anything
  fc.tuple(fc.nat(), fc.nat({ max: 63 })).map(([i, c]): TokenMutation => (t) => t.slice(0, i % t.length) + B64URL[c]! + t.slice((i % t.length) + 1)),
  fc.tuple(fc.nat(), fc.constantFrom(...ODD_CHARS, '.', '=', '+', '/')).map(([i, c]): TokenMutation => (t) => t.slice(0, i % t.length) + c + t.slice((i % t.length) + 1)),
  // cut, or repeat a part
  fc.nat().map((i): TokenMutation => (t) => t.slice(0, i % t.length)),
  fc.tuple(fc.nat(), fc.nat({ max: 40 })).map(([i, n]): TokenMutation => (t) => t + t.slice(i % t.length).repeat(n)),
  // padding, whitespace, case
  fc.constantFrom('=', '==', ' ', '\t', '\r\n').map((s): TokenMutation => (t) => t + s),
  fc.constant<TokenMutation>((t) => t.toUpperCase()),
  // past the caps
  fc.constantFrom(4_097, 16_385, 70_000).map((n): TokenMutation => (t) => t + 'A'.repeat(Math.max(0, n - t.length))),
);

const reencode = (url: string) => `k8s-aws-v1.${Buffer.from(url, 'latin1').toString('base64url')}`;

/** A presigned token input: a fixture, mutated at the URL and/or token level, or arbitrary text. */
const presignedInput = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...fixtures), fc.array(urlMutation, { minLength: 1, maxLength: 3 })).map(([f, ms]) => ({ f, token: reencode(ms.reduce((u, m) => m(u), f.url)) })) },
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...fixtures), fc.array(tokenMutation, { minLength: 1, maxLength: 2 })).map(([f, ms]) => ({ f, token: ms.reduce((t, m) => m(t), f.token) })) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...fixtures), fc.string({ unit: 'binary', maxLength: 300 })).map(([f, s]) => ({ f, token: s })) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...fixtures), fc.string({ maxLength: 600 })).map(([f, s]) => ({ f, token: `k8s-aws-v1.${s}` })) },
);

describe('fuzz: parseToken and verify (presigned tokens)', () => {
  const verifiers = new Map<string, Verifier>();
  const verifierAt = (now: number, audience: string) => {
    const key = `${now}:${audience}`;
    let v = verifiers.get(key);
    if (!v) verifiers.set(key, (v = createVerifier({ audience, stsEndpoint: sts.url, cache: false, clock: () => now, allowedPartitions: PARTITION_IDS })));
    return v;
  };
  afterAll(async () => {
    await Promise.all([...verifiers.values()].map((v) => v.close()));
  });

  it(
    'throws only CallerIdErrors, is deterministic, agrees with verify(), and never dials STS for a refused token',
    async () => {
      await fc.assert(
        fc.asyncProperty(presignedInput, async ({ f, token }) => {
          const local = codeOf(() => parseToken(token, { now: f.now, allowedPartitions: PARTITION_IDS }));
          expect(codeOf(() => parseToken(token, { now: f.now, allowedPartitions: PARTITION_IDS }))).toBe(local);
          if (tokenKind(token) === 'jwt') return; // another format: the JWT property covers it
          const before = sts.requests.length;
          const verdict = await asyncCodeOf(verifierAt(f.now, f.audience).verify(token));
          if (local !== 'ok') {
            expect(verdict).toBe(local);
            expect(sts.requests.length).toBe(before);
          } else {
            // Locally valid: STS (which refuses everything here) was asked exactly once.
            expect(verdict).toBe('sts_signature_mismatch');
            expect(sts.requests.length).toBe(before + 1);
          }
        }),
        params,
      );
    },
    TIMEOUT,
  );
});

// --- web identity JWTs ------------------------------------------------------------------------------

const segmentMutation: fc.Arbitrary<TokenMutation> = fc.oneof(
  // rewrite the header or payload JSON: a duplicate member, a dropped one, another value
  fc.tuple(fc.constantFrom(0, 1), fc.constantFrom('dup', 'drop', 'alg', 'null', 'array', 'nested')).map(([seg, how]): TokenMutation => (t) => {
    const parts = t.split('.');
    const json = Buffer.from(parts[seg]!, 'base64url').toString('utf8');
    const edits: Record<string, (j: string) => string> = {
      dup: (j) => j.replace(/^\{("[^"]+":("[^"]*"|[^,}]*))/, '{$1,$1'),
      drop: (j) => j.replace(/^\{"[^"]+":("[^"]*"|[^,}]*),?/, '{'),
      alg: (j) => j.replace(/"alg":"[^"]*"/, '"alg":"none"'),
      null: () => 'null',
      array: (j) => `[${j}]`,
      nested: (j) => j.replace(/\}$/, ',"x":' + '['.repeat(40) + ']'.repeat(40) + '}'),
    };
    parts[seg] = Buffer.from(edits[how]!(json)).toString('base64url');
    return parts.join('.');
  }),
  // swap, drop or repeat a segment
  fc.constantFrom<TokenMutation>(
    (t) => t.split('.').reverse().join('.'),
    (t) => t.split('.').slice(0, 2).join('.'),
    (t) => `${t}.${t.split('.')[2]}`,
    (t) => t.split('.').slice(0, 2).join('.') + '.',
  ),
);

const jwtInput = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.nat(), fc.array(tokenMutation, { minLength: 1, maxLength: 2 })).map(([i, ms]) => ms.reduce((t, m) => m(t), jwts[i % jwts.length]!)) },
  { weight: 2, arbitrary: fc.tuple(fc.nat(), fc.array(segmentMutation, { minLength: 1, maxLength: 2 })).map(([i, ms]) => ms.reduce((t, m) => m(t), jwts[i % jwts.length]!)) },
  { weight: 1, arbitrary: fc.tuple(fc.base64String(), fc.base64String(), fc.base64String()).map((s) => s.join('.').replace(/\+/g, '-').replace(/\//g, '_').replace(/=/g, '')) },
);

describe('fuzz: parseWebIdentityToken and verify (web identity JWTs)', () => {
  it(
    'throws only CallerIdErrors, is deterministic, agrees with verify(), and never fetches keys for a refused token',
    async () => {
      await fc.assert(
        fc.asyncProperty(jwtInput, async (token) => {
          const options = { now: jwtNow, issuers: [issuer.issuer], audiences: [issuer.audience] };
          const local = codeOf(() => parseWebIdentityToken(token, options));
          expect(codeOf(() => parseWebIdentityToken(token, options))).toBe(local);
          if (tokenKind(token) !== 'jwt') return; // not a JWT to verify(): the presigned property covers it
          const [jwksBefore, stsBefore] = [issuer.requests(), sts.requests.length];
          const verdict = await asyncCodeOf(jwtVerifier.verify(token));
          expect(sts.requests.length).toBe(stsBefore);
          if (local !== 'ok') {
            expect(verdict).toBe(local);
            expect(issuer.requests()).toBe(jwksBefore);
          }
        }),
        params,
      );
    },
    TIMEOUT,
  );
});

// --- the bearer header --------------------------------------------------------------------------------

const schemes = fc.constantFrom('Bearer', 'bearer', 'BEARER', 'Basic', 'Bearer:', 'Bearerx', '', 'Token');
const separators = fc.constantFrom(' ', '  ', '\t', '', ',', ' , ', '\u00a0');
const headerValue = fc.oneof(
  fc.tuple(schemes, separators, fc.constantFrom(...fixtures.map((f) => f.token), 'abc', 'a b', '=', 'k8s-aws-v1.')).map(([s, sep, t]) => `${s}${sep}${t}`),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.tuple(schemes, fc.string({ maxLength: 100 })).map(([s, rest]) => `${s} ${rest}`),
);
const rawHeaders = fc.array(fc.tuple(fc.constantFrom('authorization', 'Authorization', 'AUTHORIZATION', 'x-other', 'authorizations'), headerValue), { maxLength: 3 }).map((pairs) => pairs.flat());

describe('fuzz: the bearer header reader, through the authenticator', () => {
  let auth: Authenticator;
  beforeAll(() => {
    auth = createAuthenticator({ audience: AUDIENCE, stsEndpoint: sts.url, cache: false, credentialsRequired: true, clock: () => fixtures[0]!.now });
  });
  afterAll(async () => {
    await auth.close();
  });

  it(
    'throws only CallerIdErrors, is deterministic, and never dials STS for a header refused locally',
    async () => {
      await fc.assert(
        fc.asyncProperty(rawHeaders, async (headers) => {
          let token: string | undefined;
          const read = codeOf(() => (token = extractBearerToken(headers)));
          expect(codeOf(() => extractBearerToken(headers))).toBe(read);
          const local = read !== 'ok' ? read : token === undefined ? 'token_missing' : codeOf(() => parseToken(token!, { now: fixtures[0]!.now }));
          const before = sts.requests.length;
          const verdict = await asyncCodeOf(auth.authenticate(headers));
          if (local !== 'ok' && (token === undefined || tokenKind(token) !== 'jwt')) {
            expect(verdict).toBe(local);
            expect(sts.requests.length).toBe(before);
          }
        }),
        params,
      );
    },
    TIMEOUT,
  );
});
