/**
 * Strict options for every client factory: a misspelt key is a `TypeError` naming it and the closest
 * known option, at construction — never a silently ignored setting (a misspelt `stsEndpoint` would
 * mint for, and send tokens to, the default AWS endpoint).
 */
import { describe, expect, it } from 'vitest';
import axios from 'axios';
import { createTokenProvider, createTokenProviders, withCallerId, type TokenProviderOptions } from '@callerid/client';
import { attachCallerId } from '@callerid/client/axios';
import { callerid } from '@callerid/client/undici';

const typo = <T = never>(options: object): T => options as T;

describe('strict options', () => {
  const cases: [string, () => unknown, string][] = [
    ['createTokenProvider', () => createTokenProvider(typo({ audience: 'payments-api', stsEndPoint: 'https://sts.example' })), 'unknown option "stsEndPoint"; did you mean "stsEndpoint"?'],
    ['createTokenProvider (credential option)', () => createTokenProvider(typo({ audience: 'a', roleARN: 'arn:aws:iam::111122223333:role/x' })), 'unknown option "roleARN"; did you mean "roleArn"?'],
    ['createTokenProviders', () => createTokenProviders(typo({ regoin: 'eu-west-1' })), 'unknown option "regoin"; did you mean "region"?'],
    ['createTokenProviders (audience is per call)', () => createTokenProviders(typo({ audience: 'a' })), 'unknown option "audience"'],
    ['withCallerId', () => withCallerId(fetch, typo({ audience: 'a', headr: 'x-token' })), 'unknown option "headr"; did you mean "header"?'],
    ['withCallerId (provider form)', () => withCallerId(fetch, typo({ provider: createTokenProvider({ audience: 'a' }), refreshBeforeMS: 1 })), 'unknown option "refreshBeforeMS"'],
    ['attachCallerId', () => attachCallerId(axios.create(), typo<TokenProviderOptions>({ audience: 'a', tokentype: 'web-identity' })), 'unknown option "tokentype"; did you mean "tokenType"?'],
    ['undici callerid', () => callerid(typo({ audience: 'a', provider: {} })), 'unknown option "provider"; did you mean "providers"?'],
  ];
  for (const [name, make, message] of cases) {
    it(`${name}: ${message}`, () => {
      expect(make).toThrow(TypeError);
      expect(make).toThrow(message);
    });
  }

  it('accepts every documented option', () => {
    const provider = createTokenProvider({ audience: 'a', region: 'eu-west-1', endpoint: 'regional', fips: false, refreshBeforeMs: 60_000, clock: Date.now });
    expect(() => withCallerId(fetch, { provider, header: 'x-callerid' })).not.toThrow();
    expect(() => withCallerId(fetch, { audience: 'a', header: 'x-callerid', region: 'eu-west-1' })).not.toThrow();
    expect(() => attachCallerId(axios.create(), { audience: 'a', header: 'x-callerid' })).not.toThrow();
    expect(() => callerid({ audience: 'a', header: 'x-callerid', region: 'eu-west-1' })).not.toThrow();
  });
});
