import { describe, expect, it } from 'vitest';
import { CallerIdError, ERROR_CODES, bearerChallenge, isCallerIdError } from '../src/index.js';
import { inRealm } from '../src/errors.js';

describe('CallerIdError', () => {
  it('carries status, code and an RFC 6750 challenge', () => {
    const err = inRealm(new CallerIdError('token_expired'), 'payments-api');
    expect(err.code).toBe('token_expired');
    expect(err.status).toBe(401);
    expect(err.statusCode).toBe(401);
    expect(err.expose).toBe(true);
    expect(err.headers['WWW-Authenticate']).toBe(
      'Bearer realm="payments-api", error="invalid_token", error_description="The token has expired."',
    );
    expect(isCallerIdError(err)).toBe(true);
    expect(err.toJSON()).toEqual({ error: 'invalid_token', error_description: 'The token has expired.', code: 'token_expired' });
  });

  it('answers a missing token with a bare challenge (RFC 6750 §3.1)', () => {
    const err = new CallerIdError('token_missing');
    expect(err.headers['WWW-Authenticate']).toBe('Bearer realm="callerid"');
  });

  it('answers STS trouble with 503 and Retry-After, never 401', () => {
    for (const code of ['sts_throttled', 'sts_unavailable', 'sts_timeout', 'jwks_unavailable'] as const) {
      const err = new CallerIdError(code, { retryAfterSeconds: 2 });
      expect(err.status).toBe(503);
      expect(err.retryable).toBe(true);
      expect(err.headers).toEqual({ 'Retry-After': '2' });
    }
  });

  it('maps every code to a fixed description and a known status', () => {
    for (const [code, spec] of Object.entries(ERROR_CODES)) {
      expect([400, 401, 403, 500, 503]).toContain(spec.status);
      expect(new CallerIdError(code as keyof typeof ERROR_CODES).message).toBe(spec.description);
    }
  });

  it('keeps a configured realm inside its quotes', () => {
    expect(bearerChallenge('a"b\\c\n', 'invalid_request')).toBe('Bearer realm="a\\"b\\\\c", error="invalid_request"');
  });
});
