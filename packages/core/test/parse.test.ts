import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CallerIdError, createVerifier, PARTITION_IDS, parseToken, type CallerIdErrorCode, type ParseTokenOptions } from '../src/index.js';
import { decodeBase64UrlStrict } from '../src/token-format.js';
import { inRealm } from '../src/errors.js';
import { awsCli, golden, principal, signedAtOf } from './fixtures.js';

const tokenOf = (url: string) => 'k8s-aws-v1.' + Buffer.from(url, 'latin1').toString('base64url');

// A real AWS CLI token (alice, us-west-2) and one with a session token (deployer, eu-west-1).
const aliceFixture = awsCli.eksTokens[0]!;
const BASE = aliceFixture.presignedUrl;
const NOW = signedAtOf(BASE);
const SIG = new URL(BASE).searchParams.get('X-Amz-Signature')!;
const deployerFixture = awsCli.eksTokens.find((t) => t.principal === 'deployer-session' && t.minter.startsWith('aws-cli'))!;
const SESSION_TOKEN = principal('deployer-session').sessionToken!;

/** Parses with the fixture's clock; returns the error code, or 'ok'. */
function outcome(token: string, options: ParseTokenOptions = {}): CallerIdErrorCode | 'ok' {
  try {
    parseToken(token, { now: NOW, ...options });
    return 'ok';
  } catch (err) {
    expect(err).toBeInstanceOf(CallerIdError);
    const e = err as CallerIdError;
    // Whatever was wrong, the error never echoes what was sent.
    for (const text of [e.message, JSON.stringify(e), JSON.stringify(e.headers), inspect(e)]) {
      expect(text).not.toContain(SIG);
      expect(text).not.toContain(SESSION_TOKEN);
      if (typeof token === 'string' && token.length > 20) expect(text).not.toContain(token.slice(11, 60));
    }
    expect(e.cause).toBeUndefined();
    expect(e.status).toBe(401);
    return e.code;
  }
}
const urlOutcome = (url: string, options?: ParseTokenOptions) => outcome(tokenOf(url), options);
const replaced = (from: string | RegExp, to: string) => {
  const url = BASE.replace(from, to);
  expect(url).not.toBe(BASE);
  return url;
};
const replaceParam = (key: string, value: string) => replaced(new RegExp(`([?&])${key}=[^&]*`), `$1${key}=${value}`);
const withoutParam = (key: string) => replaced(new RegExp(`&${key}=[^&]*`), '');

describe('parseToken accepts', () => {
  it('the AWS CLI token and reports what it claims', () => {
    const parsed = parseToken(aliceFixture.token, { now: NOW });
    expect(parsed).toMatchObject({
      stsHost: 'sts.us-west-2.amazonaws.com',
      partition: 'aws',
      region: 'us-west-2',
      fips: false,
      dualStack: false,
      global: false,
      accessKeyId: 'AKIAXCALLERIDALICE01',
      hasSessionToken: false,
      signedHeaders: ['host', 'x-k8s-aws-id'],
      expiresInSeconds: 60,
    });
    expect(parsed.url).toBe(BASE);
    expect(parsed.signedAt.toISOString()).toBe('2026-11-22T09:38:44.000Z');
    expect(parsed.expiresAt.toISOString()).toBe('2026-11-22T09:53:44.000Z');
  });

  it('every token of the AWS CLI and botocore fixtures at its signing time', () => {
    for (const fixture of awsCli.eksTokens) {
      const parsed = parseToken(fixture.token, { now: signedAtOf(fixture.presignedUrl), allowedPartitions: PARTITION_IDS });
      expect(parsed.url).toBe(fixture.presignedUrl);
    }
  });

  it('the golden vector, a Date as now, and the session-token fixture', () => {
    expect(parseToken(golden.expectedToken, { now: new Date(golden.signingDate) }).accessKeyId).toBe('ASIAR2TG44V6AS3ZZE7C');
    const parsed = parseToken(deployerFixture.token, { now: signedAtOf(deployerFixture.presignedUrl) });
    expect(parsed.hasSessionToken).toBe(true);
    expect(parsed.region).toBe('eu-west-1');
  });

  it('keeps the signature and session token out of JSON and inspect output', () => {
    const parsed = parseToken(deployerFixture.token, { now: signedAtOf(deployerFixture.presignedUrl) });
    for (const text of [
      JSON.stringify(parsed),
      inspect(parsed, { depth: 5 }),
      inspect(parsed, { showHidden: true, depth: 5 }),
      inspect(parsed, { showHidden: true, getters: true, depth: 5 }),
      JSON.stringify(Object.getOwnPropertyDescriptors(parsed)),
    ]) {
      expect(text).not.toContain(new URL(deployerFixture.presignedUrl).searchParams.get('X-Amz-Signature'));
      expect(text).not.toContain('IQoJb3Jp');
      expect(text).toContain('sts.eu-west-1.amazonaws.com');
    }
    expect(Object.keys(parsed)).not.toContain('url');
    expect(Object.getOwnPropertyNames(parsed)).not.toContain('url');
    expect(parsed.url).toBe(deployerFixture.presignedUrl);
  });

  it('without Version, with X-Amz-Expires 0 and 900, and in any parameter order', () => {
    expect(urlOutcome(withoutParam('Version'))).toBe('ok');
    expect(urlOutcome(replaceParam('X-Amz-Expires', '0'))).toBe('ok');
    expect(urlOutcome(replaceParam('X-Amz-Expires', '900'))).toBe('ok');
    const [head, query] = BASE.split('?') as [string, string];
    expect(urlOutcome(`${head}?${query.split('&').reverse().join('&')}`)).toBe('ok');
  });

  it('percent-escaped characters that decode to the same value', () => {
    expect(urlOutcome(replaced('Action=GetCallerIdentity', 'Action=Get%43allerIdentity'))).toBe('ok');
    expect(urlOutcome(replaced('host%3Bx-k8s-aws-id', 'host%3bx-k8s-aws-id'))).toBe('ok');
    expect(urlOutcome(BASE.replace('&X-Amz-Signature', '&X-Amz-Security-Token=abc%2fdef%3d&X-Amz-Signature'))).toBe('ok');
    expect(urlOutcome(BASE.replace('&X-Amz-Signature', '&X-Amz-Security-Token=%41bc&X-Amz-Signature'))).toBe('ok');
  });

  it('FIPS, dual-stack and other partitions’ hosts when allowed', () => {
    const move = (host: string, region: string) =>
      BASE.replace('sts.us-west-2.amazonaws.com', host).replace('%2Fus-west-2%2F', `%2F${region}%2F`);
    expect(urlOutcome(move('sts-fips.us-west-2.amazonaws.com', 'us-west-2'))).toBe('ok');
    expect(urlOutcome(move('sts.us-west-2.api.aws', 'us-west-2'))).toBe('ok');
    expect(urlOutcome(move('sts.amazonaws.com', 'us-east-1'))).toBe('ok');
    expect(urlOutcome(move('sts.us-gov-west-1.amazonaws.com', 'us-gov-west-1'))).toBe('partition_not_allowed');
    expect(urlOutcome(move('sts.us-gov-west-1.amazonaws.com', 'us-gov-west-1'), { allowedPartitions: ['aws-us-gov'] })).toBe('ok');
    expect(urlOutcome(move('sts.cn-north-1.amazonaws.com.cn', 'cn-north-1'))).toBe('partition_not_allowed');
    expect(urlOutcome(move('sts.us-west-2.amazonaws.com', 'us-west-2'), { allowedPartitions: ['aws-cn'] })).toBe('partition_not_allowed');
  });

  it('a token just under the size cap', () => {
    let url = '';
    for (let n = 2000; ; n++) {
      url = `${BASE.replace('&X-Amz-Signature', `&X-Amz-Security-Token=${'A'.repeat(n)}&X-Amz-Signature`)}`;
      if (tokenOf(url).length >= 4090) break;
    }
    expect(tokenOf(url).length).toBeLessThanOrEqual(4096);
    expect(urlOutcome(url)).toBe('ok');
  });
});

describe('parseToken rejects (step 1–2: size, prefix, encoding)', () => {
  const body = aliceFixture.token.slice(11);
  const cases: [string, unknown, CallerIdErrorCode][] = [
    ['a non-string', 42, 'token_format'],
    ['a token over 4096 bytes', `k8s-aws-v1.${'A'.repeat(4086)}`, 'token_too_large'],
    ['oversized garbage (size checked first)', '%'.repeat(5000), 'token_too_large'],
    ['another prefix', `k8s-aws-v2.${body}`, 'token_format'],
    ['an upper-case prefix', `K8S-AWS-V1.${body}`, 'token_format'],
    ['a JWT', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln', 'token_format'],
    ['an empty body', 'k8s-aws-v1.', 'token_encoding'],
    ['padding', `k8s-aws-v1.${Buffer.from(BASE + 'A').toString('base64url')}==`, 'token_encoding'],
    ['whitespace', `k8s-aws-v1.${body.slice(0, 40)} ${body.slice(40)}`, 'token_encoding'],
    ['a newline', `k8s-aws-v1.${body.slice(0, 40)}\n${body.slice(40)}`, 'token_encoding'],
    ['a body of impossible length', `k8s-aws-v1.${body}AAAAA`.slice(0, 11 + Math.floor(body.length / 4) * 4 + 1), 'token_encoding'],
  ];
  for (const [name, token, code] of cases) it(name, () => expect(outcome(token as string)).toBe(code));

  it('standard base64 that happens to contain + or /', () => {
    expect(outcome(`k8s-aws-v1.${body.slice(0, 8)}+${body.slice(9)}`)).toBe('token_encoding');
    expect(outcome(`k8s-aws-v1.${body.slice(0, 8)}/${body.slice(9)}`)).toBe('token_encoding');
  });

  it('non-canonical trailing bits', () => {
    const short = tokenOf(BASE + 'x'); // length % 4 === 2 or 3: the last character has unused bits
    expect(short.length % 4).not.toBe(3);
    const last = short.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const tweaked = short.slice(0, -1) + alphabet[alphabet.indexOf(last) + 1]!;
    expect(Buffer.from(tweaked.slice(11), 'base64url').equals(Buffer.from(short.slice(11), 'base64url'))).toBe(true);
    expect(outcome(tweaked)).toBe('token_encoding');
  });
});

describe('parseToken and verify', () => {
  it('give one input one code: size before format, whichever entry point', async () => {
    const verifier = createVerifier({ audience: 'payments-api', stsEndpoint: 'http://127.0.0.1:9', cache: false });
    try {
      for (const token of ['%'.repeat(5000), 'x'.repeat(4097), 'x'.repeat(20_000), `k8s-aws-v1.${'A'.repeat(4086)}`, `k8s-aws-v1.${'A'.repeat(20_000)}`, 'k8s-aws-v1.', 'garbage', '']) {
        const viaVerify = await verifier.verify(token).then(() => 'verified', (e: unknown) => (e as CallerIdError).code);
        expect(viaVerify, `${token.slice(0, 12)}… (${token.length})`).toBe(outcome(token));
      }
    } finally {
      await verifier.close();
    }
  });
});

describe('decodeBase64UrlStrict', () => {
  // The definition it must agree with: URL alphabet only, no padding, a possible length, zero unused bits.
  const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const canonical = (text: string) => {
    if (!/^[A-Za-z0-9_-]+$/.test(text) || text.length % 4 === 1) return false;
    const rest = text.length % 4;
    return rest === 0 || (ALPHABET.indexOf(text.at(-1)!) & (rest === 2 ? 0x0f : 0x03)) === 0;
  };

  it('accepts exactly the canonical base64url spellings, and decodes them', () => {
    const chars = ALPHABET + '+/= \n.%\u00e9';
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 20_000; i++) {
      const length = Math.floor(random() * 12);
      // Mostly alphabet characters, so that canonical strings are common too.
      const text = Array.from({ length }, () => {
        const pool = random() < 0.9 ? ALPHABET : chars;
        return pool[Math.floor(random() * pool.length)]!;
      }).join('');
      const decoded = decodeBase64UrlStrict(text);
      expect(decoded !== undefined, JSON.stringify(text)).toBe(canonical(text));
      if (decoded) expect(decoded.equals(Buffer.from(text, 'base64url'))).toBe(true);
    }
  });
});

describe('parseToken rejects (step 3: the URL)', () => {
  const cases: [string, string, CallerIdErrorCode][] = [
    ['http', BASE.replace('https://', 'http://'), 'url_scheme'],
    ['an upper-case scheme', BASE.replace('https://', 'HTTPS://'), 'url_scheme'],
    ['another scheme', BASE.replace('https://', 'ftp://'), 'url_scheme'],
    ['no scheme', BASE.replace('https://', '//'), 'url_malformed'],
    ['a space', BASE.replace('?Action', '? Action'), 'url_malformed'],
    ['a backslash', BASE.replace('.com/', '.com\\/'), 'url_malformed'],
    ['non-ASCII bytes', BASE.replace('sts.', 'sté.'), 'url_malformed'],
    ['a control character', BASE.replace('sts.', 'sts\t.'), 'url_malformed'],
    ['userinfo', BASE.replace('https://', 'https://user:pw@'), 'url_userinfo'],
    ['userinfo hiding the real host', BASE.replace('https://sts.us-west-2.amazonaws.com', 'https://sts.us-west-2.amazonaws.com@evil.example'), 'url_userinfo'],
    ['a port', BASE.replace('.com/', '.com:443/'), 'url_port'],
    ['an empty port', BASE.replace('.com/', '.com:/'), 'url_port'],
    ['a fragment', `${BASE}#frag`, 'url_fragment'],
    ['a fragment before the query', BASE.replace('/?', '/#?'), 'url_fragment'],
    ['a suffix spoof', BASE.replace('amazonaws.com/', 'amazonaws.com.evil.example/'), 'host_not_allowed'],
    ['a prefix spoof', BASE.replace('https://sts.', 'https://evilsts.'), 'host_not_allowed'],
    ['a sub-domain spoof', BASE.replace('https://sts.', 'https://x.sts.'), 'host_not_allowed'],
    ['an IPv4 literal', BASE.replace('sts.us-west-2.amazonaws.com', '52.94.236.248'), 'host_not_allowed'],
    ['an IPv6 literal', BASE.replace('sts.us-west-2.amazonaws.com', '[::1]'), 'host_not_allowed'],
    ['a trailing dot', BASE.replace('amazonaws.com/', 'amazonaws.com./'), 'host_not_allowed'],
    ['the global host with a trailing dot', BASE.replace('sts.us-west-2.amazonaws.com', 'sts.amazonaws.com.'), 'host_not_allowed'],
    ['upper case', BASE.replace('sts.us-west-2', 'STS.us-west-2'), 'host_not_allowed'],
    ['punycode', BASE.replace('sts.us-west-2', 'xn--sts-9ja.us-west-2'), 'host_not_allowed'],
    ['an S3 bucket-style host', BASE.replace('sts.us-west-2.amazonaws.com', 'sts.us-west-2.amazonaws.com.s3.amazonaws.com'), 'host_not_allowed'],
    ['an S3 virtual-host bucket named sts', BASE.replace('sts.us-west-2.amazonaws.com', 'sts.s3.us-west-2.amazonaws.com'), 'host_not_allowed'],
    ['an unknown region', BASE.replace('sts.us-west-2', 'sts.us-west-9'), 'host_not_allowed'],
    ['an empty host', BASE.replace('sts.us-west-2.amazonaws.com', ''), 'host_not_allowed'],
    ['another path', BASE.replace('.com/?', '.com/x?'), 'url_path'],
    ['a double slash', BASE.replace('.com/?', '.com//?'), 'url_path'],
    ['a dot segment', BASE.replace('.com/?', '.com/./?'), 'url_path'],
    ['an encoded slash path', BASE.replace('.com/?', '.com/%2F?'), 'url_path'],
    ['no path', BASE.replace('.com/?', '.com?'), 'url_path'],
    ['no path and no query', 'https://sts.us-west-2.amazonaws.com', 'url_path'],
    ['no query', 'https://sts.us-west-2.amazonaws.com/', 'query_missing_key'],
  ];
  for (const [name, url, code] of cases) it(name, () => expect(urlOutcome(url)).toBe(code));
});

describe('parseToken rejects (step 4: the query)', () => {
  const cases: [string, string, CallerIdErrorCode][] = [
    ['a malformed escape', replaced('Action=GetCallerIdentity', 'Action=Get%zzCallerIdentity'), 'query_malformed'],
    ['a truncated escape', `${BASE}%4`, 'query_malformed'],
    ['an escape that is not UTF-8', replaced('Action=GetCallerIdentity', 'Action=Get%C3%28'), 'query_malformed'],
    ['a ; separator', replaced('&Version', ';Version'), 'query_malformed'],
    ['a raw +', replaced('Action=GetCallerIdentity', 'Action=GetCaller+Identity'), 'query_malformed'],
    ['an empty pair', replaced('&Version', '&&Version'), 'query_malformed'],
    ['a trailing &', `${BASE}&`, 'query_malformed'],
    ['a key without value', replaced('&Version=2011-06-15', '&Version'), 'query_malformed'],
    ['an empty key', replaced('&Version', '&=x&Version'), 'query_malformed'],
    ['two = in a pair', replaced('Version=2011-06-15', 'Version=2011-06-15=x'), 'query_malformed'],
    ['a lower-case decoy after the real key (CVE-2022-2385)', `${BASE}&x-amz-credential=AKIAEVIL000000000000%2F20261122%2Fus-west-2%2Fsts%2Faws4_request`, 'query_duplicate_key'],
    ['a decoy before the real key', replaced('?Action', '?x-amz-signedheaders=host&Action'), 'query_duplicate_key'],
    ['an escaped decoy', `${BASE}&X-Amz-%63redential=x`, 'query_duplicate_key'],
    ['two case variants of one key', `${BASE}&x-amz-foo=1`.replace('&x-amz-foo=1', '&x-amz-date=1&X-AMZ-DATE=2'), 'query_duplicate_key'],
    ['a repeated key (multi-valued)', `${BASE}&Action=GetCallerIdentity`, 'query_duplicate_key'],
    ['a repeated signature', `${BASE}&X-Amz-Signature=${SIG}`, 'query_duplicate_key'],
    ['an unknown key', `${BASE}&X-Amz-Foo=1`, 'query_unknown_key'],
    ['a lone lower-case key', replaced(/X-Amz-Expires=/, 'x-amz-expires='), 'query_unknown_key'],
    ['a hoisted audience header', `${BASE}&x-k8s-aws-id=other`, 'query_unknown_key'],
  ];
  for (const [name, url, code] of cases) it(name, () => expect(urlOutcome(url)).toBe(code));
});

describe('parseToken rejects (step 5: parameter values and time)', () => {
  it('a missing Action', () => expect(urlOutcome(replaced('?Action=GetCallerIdentity&', '?'))).toBe('query_missing_key'));
  for (const key of ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders']) {
    it(`a missing ${key}`, () => expect(urlOutcome(withoutParam(key))).toBe('query_missing_key'));
  }
  it('a missing X-Amz-Signature', () => expect(urlOutcome(BASE.replace(/&X-Amz-Signature=[0-9a-f]+/, ''))).toBe('query_missing_key'));

  const credential = (value: string) => replaceParam('X-Amz-Credential', value);
  const cases: [string, string, CallerIdErrorCode][] = [
    ['another action', replaceParam('Action', 'AssumeRole'), 'action_invalid'],
    ['a lower-case action', replaceParam('Action', 'getcalleridentity'), 'action_invalid'],
    ['an empty action', replaceParam('Action', ''), 'action_invalid'],
    ['another version', replaceParam('Version', '2011-06-16'), 'version_invalid'],
    ['another algorithm', replaceParam('X-Amz-Algorithm', 'AWS4-HMAC-SHA1'), 'algorithm_invalid'],
    ['SigV4a', replaceParam('X-Amz-Algorithm', 'AWS4-ECDSA-P256-SHA256'), 'algorithm_invalid'],
    ['a credential with four parts', credential('AKIAXCALLERIDALICE01%2F20261122%2Fus-west-2%2Fsts'), 'credential_invalid'],
    ['a credential with six parts', credential('AKIAXCALLERIDALICE01%2F20261122%2Fus-west-2%2Fsts%2Faws4_request%2Fx'), 'credential_invalid'],
    ['a malformed key id', credential('akia-lower%2F20261122%2Fus-west-2%2Fsts%2Faws4_request'), 'credential_invalid'],
    ['a malformed scope date', credential('AKIAXCALLERIDALICE01%2F2026112%2Fus-west-2%2Fsts%2Faws4_request'), 'credential_invalid'],
    ['another terminator', credential('AKIAXCALLERIDALICE01%2F20261122%2Fus-west-2%2Fsts%2Faws5_request'), 'credential_invalid'],
    ['another service', credential('AKIAXCALLERIDALICE01%2F20261122%2Fus-west-2%2Fs3%2Faws4_request'), 'credential_scope_mismatch'],
    ['another day', credential('AKIAXCALLERIDALICE01%2F20261121%2Fus-west-2%2Fsts%2Faws4_request'), 'credential_scope_mismatch'],
    ['a region that is not the host’s', credential('AKIAXCALLERIDALICE01%2F20261122%2Fus-east-1%2Fsts%2Faws4_request'), 'credential_scope_mismatch'],
    ['unsigned x-k8s-aws-id', replaceParam('X-Amz-SignedHeaders', 'host'), 'signed_headers_invalid'],
    ['unsigned host', replaceParam('X-Amz-SignedHeaders', 'x-k8s-aws-id'), 'signed_headers_invalid'],
    ['extra signed headers', replaceParam('X-Amz-SignedHeaders', 'host%3Bx-amz-foo%3Bx-k8s-aws-id'), 'signed_headers_invalid'],
    ['unsorted signed headers', replaceParam('X-Amz-SignedHeaders', 'x-k8s-aws-id%3Bhost'), 'signed_headers_invalid'],
    ['a short signature', replaceParam('X-Amz-Signature', SIG.slice(1)), 'signature_format'],
    ['a long signature', replaceParam('X-Amz-Signature', `${SIG}0`), 'signature_format'],
    ['an upper-case signature', replaceParam('X-Amz-Signature', SIG.toUpperCase()), 'signature_format'],
    ['a non-hex signature', replaceParam('X-Amz-Signature', `${SIG.slice(1)}g`), 'signature_format'],
    ['an empty signature', replaceParam('X-Amz-Signature', ''), 'signature_format'],
    ['X-Amz-Expires 901', replaceParam('X-Amz-Expires', '901'), 'expires_invalid'],
    ['X-Amz-Expires 3600', replaceParam('X-Amz-Expires', '3600'), 'expires_invalid'],
    ['X-Amz-Expires -1', replaceParam('X-Amz-Expires', '-1'), 'expires_invalid'],
    ['X-Amz-Expires 060', replaceParam('X-Amz-Expires', '060'), 'expires_invalid'],
    ['X-Amz-Expires 60.0', replaceParam('X-Amz-Expires', '60.0'), 'expires_invalid'],
    ['X-Amz-Expires empty', replaceParam('X-Amz-Expires', ''), 'expires_invalid'],
    ['an empty session token', BASE.replace('&X-Amz-Signature', '&X-Amz-Security-Token=&X-Amz-Signature'), 'security_token_invalid'],
    ['a session token with foreign characters', BASE.replace('&X-Amz-Signature', '&X-Amz-Security-Token=abc%21%0A&X-Amz-Signature'), 'security_token_invalid'],
    ['a malformed date', replaceParam('X-Amz-Date', '2026-11-22T09%3A38%3A44Z'), 'date_invalid'],
    ['a date without Z', replaceParam('X-Amz-Date', '20261122T093844'), 'date_invalid'],
    ['month 13', replaceParam('X-Amz-Date', '20261322T093844Z'), 'date_invalid'],
    ['30 February', replaceParam('X-Amz-Date', '20260230T093844Z').replace('%2F20261122%2F', '%2F20260230%2F'), 'date_invalid'],
    ['hour 24', replaceParam('X-Amz-Date', '20261122T243844Z'), 'date_invalid'],
    ['second 60', replaceParam('X-Amz-Date', '20261122T093860Z'), 'date_invalid'],
  ];
  for (const [name, url, code] of cases) it(name, () => expect(urlOutcome(url)).toBe(code));

  it('a stale token (more than 15 minutes old), and accepts one just younger', () => {
    expect(outcome(aliceFixture.token, { now: NOW + 15 * 60_000 - 1000 })).toBe('ok');
    expect(outcome(aliceFixture.token, { now: NOW + 15 * 60_000 })).toBe('token_expired');
    expect(outcome(aliceFixture.token, { now: NOW + 24 * 3600_000 })).toBe('token_expired');
  });

  it('a future-dated token beyond a minute of skew, and accepts one within it', () => {
    expect(outcome(aliceFixture.token, { now: NOW - 60_000 })).toBe('ok');
    expect(outcome(aliceFixture.token, { now: NOW - 61_000 })).toBe('token_not_yet_valid');
    expect(outcome(aliceFixture.token, { now: NOW - 3600_000 })).toBe('token_not_yet_valid');
  });

  it('leaves the realm of its challenge to the boundary that hands it to HTTP', () => {
    try {
      parseToken('nope');
      expect.unreachable();
    } catch (err) {
      expect((err as CallerIdError).headers['WWW-Authenticate']).toMatch(/^Bearer realm="callerid", error="invalid_token"/);
      expect(inRealm(err as CallerIdError, 'payments-api').headers['WWW-Authenticate']).toMatch(/^Bearer realm="payments-api", error="invalid_token"/);
    }
  });
});
