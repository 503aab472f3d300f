/** The stored form of cache entries: every identity reads back whole, anything else reads as a miss. */
import type { CacheEntry, Identity, PresignedIdentity, WebIdentity } from '@callerid/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEntry, encodeEntry } from '../src/entry-codec.js';
import { FORMAT_VERSION } from '../src/keys.js';
import { aliceIdentity } from './support/identities.js';

const user = aliceIdentity;
const session: PresignedIdentity = {
  ...user,
  arn: 'arn:aws:sts::123456789012:assumed-role/Deploy/ci-42',
  canonicalArn: 'arn:aws:iam::123456789012:role/Deploy',
  principalType: 'assumed-role',
  userId: 'AROAEXAMPLEDEPLOY001:ci-42',
  sessionName: 'ci-42',
  roleName: 'Deploy',
};
delete session.userName;
const webRole: WebIdentity = {
  arn: 'arn:aws:iam::123456789012:role/Reader',
  canonicalArn: 'arn:aws:iam::123456789012:role/Reader',
  accountId: '123456789012',
  partition: 'aws',
  principalType: 'role',
  userId: 'AROAEXAMPLEREADER001:s1',
  tokenType: 'web-identity',
  expiresAt: '2026-12-04T16:00:00.000Z',
  issuer: 'https://abc.tokens.sts.global.api.aws',
  claims: { aws_account: '123456789012', principal_id: 'AROAEXAMPLEREADER001:s1', source_region: 'us-east-1', principal_tags: { team: 'a' }, ou_path: ['o-1/r-2/'] },
  roleName: 'Reader',
  sessionName: 's1',
  region: 'us-east-1',
};
const webUser: WebIdentity = { ...webRole, principalType: 'user', userId: '', claims: { aws_account: '123456789012' }, userName: 'bob' };
delete webUser.roleName;
delete webUser.sessionName;
delete webUser.region;

const entryOf = (identity: Identity): CacheEntry => ({ expiresAt: Date.parse(identity.expiresAt), identity });
const roundTrip = (entry: CacheEntry) => decodeEntry(encodeEntry(entry));

describe('entry codec', () => {
  it('stores an entry as a JSON array that starts with the format version', () => {
    const row: unknown = JSON.parse(encodeEntry(entryOf(user))!);
    expect(row).toEqual([FORMAT_VERSION, Date.parse(user.expiresAt), 'presigned', user.arn, user.canonicalArn, user.accountId, 'aws', 'user', user.userId, user.expiresAt, 'eu-west-1', null, null, 'alice', user.stsHost, user.accessKeyId]);
    expect(JSON.parse(encodeEntry({ expiresAt: 5, error: 'sts_rejected' })!)).toEqual([FORMAT_VERSION, 5, 'error', 'sts_rejected']);
  });

  it('reads back every kind of identity whole, with exactly the fields it had, and refusals', () => {
    for (const identity of [user, session, webRole, webUser]) {
      const back = roundTrip(entryOf(identity));
      expect(back).toEqual(entryOf(identity));
      expect(Object.keys(back!.identity!).sort()).toEqual(Object.keys(identity).sort());
    }
    expect(roundTrip({ expiresAt: 5, error: 'jwt_signature' })).toEqual({ expiresAt: 5, error: 'jwt_signature' });
  });

  it('reads back any field values', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.option(fc.string(), { nil: undefined }), fc.integer(), (arn, userId, sessionName, expiresAt) => {
        const identity: PresignedIdentity = { ...user, arn, userId };
        if (sessionName !== undefined) identity.sessionName = sessionName;
        expect(roundTrip({ expiresAt, identity })).toEqual({ expiresAt, identity });
      }),
    );
  });

  it('does not store an identity with a field it has no place for', () => {
    expect(encodeEntry(entryOf({ ...user, username: 'alice', groups: ['a'] }))).toBeUndefined();
    expect(encodeEntry({ expiresAt: 1 })).toBeUndefined();
  });

  it('reads another version, a damaged or a foreign value as a miss', () => {
    const row = JSON.parse(encodeEntry(entryOf(user))!) as unknown[];
    const altered = (index: number, value: unknown) => JSON.stringify(row.map((field, i) => (i === index ? value : field)));
    const misses = [
      JSON.stringify({ v: 1, expiresAt: 1, identity: user }),
      altered(0, 1),
      altered(1, '1'),
      altered(2, 'other'),
      altered(3, 7),
      altered(10, null), // a presigned identity always has its region
      altered(11, 7),
      altered(15, null),
      JSON.stringify(row.slice(0, -1)),
      JSON.stringify([...row, null]),
      JSON.stringify([FORMAT_VERSION, 1, 'error', 'no_such_code']),
      JSON.stringify([FORMAT_VERSION, 1, 'error', 'sts_rejected', null]),
      JSON.stringify([FORMAT_VERSION, 1, 'web-identity', ...row.slice(3, -2), 'https://issuer', ['not', 'claims']]),
      JSON.stringify([FORMAT_VERSION, 1, 'web-identity', ...row.slice(3, 7), 'assumed-role', ...row.slice(8, -2), 'https://issuer', {}]),
      encodeEntry(entryOf(user))!.slice(0, -1),
      'not json',
      '[]',
      'null',
    ];
    for (const value of misses) expect(decodeEntry(value), value).toBeUndefined();
    expect(decodeEntry(null)).toBeUndefined();
    expect(decodeEntry(Buffer.from(encodeEntry(entryOf(user))!))).toBeUndefined();
  });

  it('never throws, and whatever it reads is a whole entry', () => {
    const anything = fc.oneof(fc.string(), fc.jsonValue().map((value) => JSON.stringify(value)), fc.array(fc.oneof(fc.string(), fc.constant(null), fc.integer()), { maxLength: 20 }).map((xs) => JSON.stringify([FORMAT_VERSION, 1, 'presigned', ...xs])));
    fc.assert(
      fc.property(anything, (value) => {
        const entry = decodeEntry(value);
        if (entry === undefined) return;
        expect(typeof entry.expiresAt).toBe('number');
        expect(entry.identity === undefined).not.toBe(entry.error === undefined);
        if (entry.identity) expect(encodeEntry(entry)).toBe(value);
      }),
      { numRuns: 2_000 },
    );
  });
});
