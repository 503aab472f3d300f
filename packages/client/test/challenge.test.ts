import { describe, expect, it } from 'vitest';
import { ERROR_CODES, bearerChallenge } from '@callerid/core';
import { isInvalidTokenChallenge } from '@callerid/client';

describe('isInvalidTokenChallenge', () => {
  it('recognizes invalid_token in the challenges servers send', () => {
    expect(isInvalidTokenChallenge(bearerChallenge('callerid', 'invalid_token', ERROR_CODES.token_expired.description))).toBe(true);
    expect(isInvalidTokenChallenge('Bearer error=invalid_token')).toBe(true);
    expect(isInvalidTokenChallenge('Bearer realm="x", ERROR = "invalid_token"')).toBe(true);
    expect(isInvalidTokenChallenge('Basic realm="x", Bearer realm="y", error="invalid_token"')).toBe(true);
    expect(isInvalidTokenChallenge(['Basic realm="x"', 'Bearer error="invalid_token"'])).toBe(true);
  });

  it('does not mistake other challenges for a refused token', () => {
    expect(isInvalidTokenChallenge(bearerChallenge('callerid', null))).toBe(false);
    expect(isInvalidTokenChallenge(bearerChallenge('callerid', 'insufficient_scope', 'nope'))).toBe(false);
    expect(isInvalidTokenChallenge(bearerChallenge('callerid', 'invalid_request', 'bad'))).toBe(false);
    expect(isInvalidTokenChallenge('Bearer error="invalid_token_type"')).toBe(false);
    expect(isInvalidTokenChallenge('Bearer myerror="invalid_token"')).toBe(false);
    expect(isInvalidTokenChallenge(null)).toBe(false);
    expect(isInvalidTokenChallenge(undefined)).toBe(false);
    expect(isInvalidTokenChallenge('')).toBe(false);
  });
});
