/**
 * Strict options: every factory a server-side user calls refuses an unknown option key with a
 * `TypeError` naming it and the closest known option. A typo must never be ignored: `stsEndPoint` would
 * otherwise send tokens to the default AWS endpoint, `allow.acounts` would let every account in.
 */
import { describe, expect, it } from 'vitest';
import { closeWhenTestEnds } from '@callerid/test-harness';
import Fastify from 'fastify';
import {
  assertKnownOptions,
  createAuthenticator,
  createGuard,
  createMemoryCache,
  createVerifier,
  createWebIdentityVerifier,
  type AuthenticatorOptions,
} from '@callerid/core';
import * as express from '@callerid/express';
import calleridFastify, * as fastify from '@callerid/fastify';
import * as koa from '@callerid/koa';
import { startStsLocal, type StsLocalOptions } from '@callerid/sts-local';

// Options that would be accepted but for the misspelt key, which plain JavaScript (or a cast) lets through.
const base = { audience: 'payments-api', stsEndpoint: 'http://127.0.0.1:1' };
const typo = <T = never>(options: object): T => options as T;
const stsEndPoint = typo<AuthenticatorOptions>({ audience: 'payments-api', stsEndPoint: 'http://127.0.0.1:1' });
const STS_ENDPOINT = 'unknown option "stsEndPoint"; did you mean "stsEndpoint"?';

describe('strict options', () => {
  const cases: [string, () => unknown, string][] = [
    ['createVerifier', () => createVerifier(typo({ audience: 'payments-api', stsEndPoint: 'http://127.0.0.1:1' })), STS_ENDPOINT],
    ['createVerifier (case only)', () => createVerifier(typo({ ...base, Realm: 'x' })), 'unknown option "Realm"; did you mean "realm"?'],
    ['createVerifier (webIdentity)', () => createVerifier(typo({ ...base, webIdentity: { issuers: ['https://example.com'], audiences: ['a'], algorithm: ['ES384'] } })), 'unknown option "webIdentity.algorithm"; did you mean "webIdentity.algorithms"?'],
    ['createVerifier (webIdentity.jwks)', () => createVerifier(typo({ ...base, webIdentity: { issuers: ['https://example.com'], audiences: ['a'], jwks: { timeout: 5 } } })), 'unknown option "webIdentity.jwks.timeout"; did you mean "webIdentity.jwks.timeoutMs"?'],
    ['createWebIdentityVerifier', () => createWebIdentityVerifier(typo({ issuers: ['https://example.com'], audience: ['a'] })), 'unknown option "webIdentity.audience"; did you mean "webIdentity.audiences"?'],
    ['createAuthenticator', () => createAuthenticator(stsEndPoint), STS_ENDPOINT],
    ['createAuthenticator (its own option)', () => createAuthenticator(typo({ ...base, credentialRequired: false })), 'unknown option "credentialRequired"; did you mean "credentialsRequired"?'],
    ['createAuthenticator (allow rules)', () => createAuthenticator(typo({ ...base, allow: { acounts: ['111122223333'] } })), 'unknown option "allow.acounts"; did you mean "allow.accounts"?'],
    ['createAuthenticator (map entries)', () => createAuthenticator(typo({ ...base, map: [{ accountId: '111122223333', username: 'u', group: ['g'] }] })), 'unknown option "map[0].group"; did you mean "map[0].groups"?'],
    ['createGuard', () => createGuard({}, typo({ relm: 'x' })), 'unknown option "relm"; did you mean "realm"?'],
    ['createGuard (allow rules)', () => createGuard(typo({ principal: ['arn:aws:iam::111122223333:role/x'] })), 'unknown option "allow.principal"; did you mean "allow.principals"?'],
    ['createMemoryCache', () => createMemoryCache(typo({ maxEntries: 5 })), 'unknown option "maxEntries"; known options: "max"'],
    ['express callerid', () => express.callerid(stsEndPoint), STS_ENDPOINT],
    ['express requireCaller', () => express.requireCaller({}, typo({ relm: 'x' })), 'unknown option "relm"; did you mean "realm"?'],
    ['koa callerid', () => koa.callerid(stsEndPoint), STS_ENDPOINT],
    ['koa requireCaller', () => koa.requireCaller({}, typo({ relm: 'x' })), 'unknown option "relm"; did you mean "realm"?'],
    ['fastify requireCaller', () => fastify.requireCaller({}, typo({ relm: 'x' })), 'unknown option "relm"; did you mean "realm"?'],
    ['assertKnownOptions', () => assertKnownOptions({ stsEndPoint: 1 }, ['audience', 'stsEndpoint']), STS_ENDPOINT],
  ];
  for (const [name, make, message] of cases) {
    it(`${name}: ${message}`, () => {
      expect(make).toThrow(TypeError);
      expect(make).toThrow(message);
    });
  }

  it('the Fastify plugin fails ready() on a misspelt option, its own or core\'s', async () => {
    for (const [options, message] of [
      [stsEndPoint, STS_ENDPOINT],
      [{ ...base, globl: false }, 'unknown option "globl"; did you mean "global"?'],
    ] as const) {
      const app = Fastify();
      closeWhenTestEnds(app);
      await app.register(calleridFastify, typo(options)).ready().then(
        () => expect.unreachable('ready() resolved'),
        (err: unknown) => {
          expect(err).toBeInstanceOf(TypeError);
          expect((err as Error).message).toBe(message);
        },
      );
    }
  });

  it('the Fastify plugin still accepts what Fastify passes along (prefix, logLevel)', async () => {
    const app = Fastify();
    closeWhenTestEnds(app);
    await app.register(calleridFastify, { ...base, prefix: '/api', logLevel: 'warn' } as never).ready();
  });

  it('startStsLocal (and its faults) refuse a misspelt option before listening', async () => {
    await expect(startStsLocal(typo<StsLocalOptions>({ principals: [], fualts: {} }))).rejects.toThrow('unknown option "fualts"; did you mean "faults"?');
    await expect(startStsLocal({ principals: [], faults: typo({ throtle: { fraction: 1 } }) })).rejects.toThrow('unknown option "faults.throtle"; did you mean "faults.throttle"?');
  });
});
