import { describe, expect, it } from 'vitest';
import { extractBearerToken, type CallerIdError, type HeadersInput } from '../src/index.js';
import { inRealm } from '../src/errors.js';

const TOKEN = 'k8s-aws-v1.aHR0cHM6Ly9zdHMuZXUtd2VzdC0xLmFtYXpvbmF3cy5jb20v';

function refusal(headers: HeadersInput): CallerIdError | undefined {
  try {
    extractBearerToken(headers);
    return undefined;
  } catch (error) {
    // The realm is the boundary's (the authenticator puts its refusals in its own).
    return inRealm(error as CallerIdError, 'api');
  }
}

describe('extractBearerToken', () => {
  it('reads Authorization: Bearer from every header shape, scheme case-insensitive', () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
      const value = `${scheme} ${TOKEN}`;
      expect(extractBearerToken({ authorization: value })).toBe(TOKEN);
      expect(extractBearerToken({ Authorization: value })).toBe(TOKEN);
      expect(extractBearerToken(['Host', 'x', 'Authorization', value])).toBe(TOKEN);
      expect(extractBearerToken(new Headers({ authorization: value }))).toBe(TOKEN);
    }
    expect(extractBearerToken({ authorization: `Bearer   ${TOKEN}` })).toBe(TOKEN);
    expect(extractBearerToken({ authorization: 'Bearer abc/def+ghi==' })).toBe('abc/def+ghi==');
  });

  it('no credentials, or another scheme: no token', () => {
    expect(extractBearerToken({})).toBeUndefined();
    expect(extractBearerToken(['Host', 'x'])).toBeUndefined();
    expect(extractBearerToken(new Headers())).toBeUndefined();
    expect(extractBearerToken({ authorization: 'Basic dXNlcjpwYXNz' })).toBeUndefined();
    expect(extractBearerToken({ authorization: 'Digest username="a", realm="b", nonce="c"' })).toBeUndefined();
    expect(extractBearerToken({ authorization: TOKEN })).toBeUndefined(); // a bare token is not a bearer credential
  });

  it('two tokens: 400 request_multiple_tokens', () => {
    const cases: HeadersInput[] = [
      ['Authorization', `Bearer ${TOKEN}`, 'authorization', `Bearer ${TOKEN}`],
      ['Authorization', `Bearer ${TOKEN}`, 'Authorization', 'Basic dXNlcjpwYXNz'],
      { authorization: [`Bearer ${TOKEN}`, `Bearer ${TOKEN}`] },
      { authorization: `Bearer ${TOKEN}`, Authorization: 'Bearer other' },
      new Headers([['authorization', `Bearer ${TOKEN}`], ['authorization', 'Bearer other']]),
      { authorization: `Bearer ${TOKEN}, Bearer other` },
      { authorization: `Basic dXNlcjpwYXNz, Bearer ${TOKEN}` },
    ];
    for (const headers of cases) {
      const err = refusal(headers);
      expect(err?.code, JSON.stringify(headers)).toBe('request_multiple_tokens');
      expect(err?.status).toBe(400);
      expect(err?.headers['WWW-Authenticate']).toMatch(/^Bearer realm="api", error="invalid_request"/);
    }
  });

  it('malformed Authorization: 400 request_malformed, without echoing the header', () => {
    const values = ['', 'Bearer', 'Bearer ', `Bearer ${TOKEN} extra`, `Bearer ${TOKEN},`, 'Bearer to<ken', 'Bearer tok\ten', ' Bearer x y', 'Bearer =abc', '(Bearer) x'];
    for (const value of values) {
      const err = refusal({ authorization: value });
      expect(err?.code, JSON.stringify(value)).toBe('request_malformed');
      expect(err?.status).toBe(400);
      expect(JSON.stringify({ ...err, message: err?.message })).not.toContain(TOKEN);
    }
  });
});
