import { describe, expect, it } from 'vitest';
import { compileMapping, type MappingEntry } from '../src/index.js';
import { assumedRoleIdentity, rootIdentity, userIdentity, webIdentityRole } from './policy-fixtures.js';

const ACCT = '111122223333';

describe('map: aws-auth style mapping', () => {
  const map = compileMapping([
    { arn: `arn:aws:iam::${ACCT}:role/Developer`, username: 'dev:{{SessionName}}', groups: ['developers', 'acct-{{AccountID}}'] },
    { arn: `arn:aws:iam::${ACCT}:role/Ops`, username: '{{RoleName}}:{{SessionNameRaw}}', groups: ['ops-{{RoleName}}'] },
    { arn: `arn:aws:iam::${ACCT}:user/alice`, username: 'alice', groups: ['admins'] },
    { accountId: '444455556666', username: 'partner:{{AccountID}}', groups: ['partners'] },
  ]);

  it('maps an assumed role by its canonical role ARN, with templates', () => {
    const out = map(assumedRoleIdentity('Developer', 'jane@example.com'));
    expect(out.username).toBe('dev:jane-example.com');
    expect(out.groups).toEqual(['developers', `acct-${ACCT}`]);
    expect(out.arn).toBe(`arn:aws:sts::${ACCT}:assumed-role/Developer/jane@example.com`);
  });

  it('{{SessionNameRaw}} keeps the @, {{RoleName}} is the role name', () => {
    const out = map(assumedRoleIdentity('Ops', 'bob@example.com'));
    expect(out.username).toBe('Ops:bob@example.com');
    expect(out.groups).toEqual(['ops-Ops']);
  });

  it('maps users, and account entries after ARN entries', () => {
    expect(map(userIdentity('alice'))).toMatchObject({ username: 'alice', groups: ['admins'] });
    expect(map(assumedRoleIdentity('Anything', 's', { accountId: '444455556666' }))).toMatchObject({ username: 'partner:444455556666', groups: ['partners'] });
  });

  it('leaves an unmapped caller unchanged, and never mutates the verified identity', () => {
    const bob = userIdentity('bob');
    expect(map(bob)).toBe(bob);
    const dev = assumedRoleIdentity('Developer', 's1');
    const out = map(dev);
    expect(dev.username).toBeUndefined();
    expect(Object.isFrozen(out)).toBe(true);
    expect(map(dev)).toBe(out); // memoized per verified identity
  });

  it('keeps partition and account in the key', () => {
    expect(map(assumedRoleIdentity('Developer', 's', { accountId: '999999999999' })).username).toBeUndefined();
    expect(map(assumedRoleIdentity('Developer', 's', { partition: 'aws-cn' })).username).toBeUndefined();
    expect(map(userIdentity('x', { partition: 'aws-cn', accountId: '444455556666' })).username).toBeUndefined();
    const cn = compileMapping([{ accountId: '444455556666', partition: 'aws-cn', username: 'cn' }]);
    expect(cn(userIdentity('x', { partition: 'aws-cn', accountId: '444455556666' })).username).toBe('cn');
  });

  it('an entry whose template the caller cannot fill does not apply', () => {
    const m = compileMapping([{ accountId: ACCT, username: 'session:{{SessionName}}' }]);
    expect(m(userIdentity('alice')).username).toBeUndefined();
    expect(m(assumedRoleIdentity('R', 'abc')).username).toBe('session:abc');
    expect(m(rootIdentity()).username).toBeUndefined();
  });

  it('role paths: a pathed entry matches an assumed role only with matchRoleByName', () => {
    const strict = compileMapping([{ arn: `arn:aws:iam::${ACCT}:role/team/Admin`, username: 'admin' }]);
    expect(strict(assumedRoleIdentity('Admin', 's')).username).toBeUndefined();
    expect(strict(webIdentityRole('team/', 'Admin')).username).toBe('admin');
    const byName = compileMapping([{ arn: `arn:aws:iam::${ACCT}:role/team/Admin`, username: 'admin', matchRoleByName: true }]);
    expect(byName(assumedRoleIdentity('Admin', 's')).username).toBe('admin');
    expect(byName(assumedRoleIdentity('Admin', 's', { accountId: '444455556666' })).username).toBeUndefined();
    expect(byName(userIdentity('Admin')).username).toBeUndefined();
  });

  it('exact ARN entries win over role-by-name and account entries', () => {
    const m = compileMapping([
      { accountId: ACCT, username: 'account' },
      { arn: `arn:aws:iam::${ACCT}:role/x/Admin`, username: 'by-name', matchRoleByName: true },
      { arn: `arn:aws:iam::${ACCT}:role/Admin`, username: 'exact' },
    ]);
    expect(m(assumedRoleIdentity('Admin', 's')).username).toBe('exact');
    expect(m(webIdentityRole('y/', 'Admin')).username).toBe('by-name');
    expect(m(userIdentity('z')).username).toBe('account');
  });

  it('refuses bad configuration', () => {
    const bad: MappingEntry[] = [
      { username: 'x' },
      { arn: `arn:aws:iam::${ACCT}:role/A`, accountId: ACCT, username: 'x' },
      { arn: `arn:aws:iam::${ACCT}:role/*`, username: 'x' },
      { arn: `arn:aws:sts::${ACCT}:assumed-role/A/s`, username: 'x' },
      { arn: `arn:aws:iam::${ACCT}:role/A`, username: '' },
      { arn: `arn:aws:iam::${ACCT}:role/A`, username: '{{Nope}}' },
      { arn: `arn:aws:iam::${ACCT}:role/A`, username: '{{SessionName}' },
      { arn: `arn:aws:iam::${ACCT}:user/u`, username: '{{SessionName}}' },
      { arn: `arn:aws:iam::${ACCT}:user/u`, username: '{{RoleName}}' },
      // the caller picks its session name: it must not pick its groups
      { arn: `arn:aws:iam::${ACCT}:role/A`, username: 'x', groups: ['team-{{SessionName}}'] },
      { arn: `arn:aws:iam::${ACCT}:role/A`, username: 'x', partition: 'aws' },
      { accountId: '1234', username: 'x' },
      { accountId: ACCT, partition: 'mars' as never, username: 'x' },
    ];
    for (const entry of bad) expect(() => compileMapping([entry]), JSON.stringify(entry)).toThrow(TypeError);
    expect(() => compileMapping([
      { arn: `arn:aws:iam::${ACCT}:role/A`, username: 'x' },
      { arn: `arn:aws:iam::${ACCT}:role/A`, username: 'y' },
    ])).toThrow(/same principal/);
    expect(() => compileMapping({} as unknown as MappingEntry[])).toThrow(TypeError);
  });
});

describe('map: what aws-iam-authenticator mappings also need', () => {
  it('matches ARNs case-insensitively, as aws-iam-authenticator does (IAM names are unique regardless of case)', () => {
    const m = compileMapping([
      { arn: `arn:aws:iam::${ACCT}:role/eksadmin`, username: 'admin' },
      { arn: `arn:aws:iam::${ACCT}:user/Alice`, username: 'alice' },
      { arn: `arn:aws:iam::${ACCT}:role/team/Ops`, username: 'ops', matchRoleByName: true },
    ]);
    expect(m(assumedRoleIdentity('EKSAdmin', 's')).username).toBe('admin');
    expect(m(userIdentity('alice')).username).toBe('alice');
    expect(m(assumedRoleIdentity('OPS', 's')).username).toBe('ops');
    expect(() => compileMapping([
      { arn: `arn:aws:iam::${ACCT}:role/Admin`, username: 'a' },
      { arn: `arn:aws:iam::${ACCT}:role/admin`, username: 'b' },
    ])).toThrow(/same principal/);
  });

  it('{{AccessKeyID}} is the key that signed a presigned token; an identity without one is not mapped by it', () => {
    const m = compileMapping([{ accountId: ACCT, username: 'key:{{AccessKeyID}}', groups: ['k-{{AccessKeyID}}'] }]);
    const alice = { ...userIdentity('alice'), accessKeyId: 'AKIAEXAMPLEKEY000001' };
    expect(m(alice)).toMatchObject({ username: 'key:AKIAEXAMPLEKEY000001', groups: ['k-AKIAEXAMPLEKEY000001'] });
    expect(m(webIdentityRole('', 'Web')).username).toBeUndefined();
  });

  it('{{CanonicalARN}} is the canonical ARN (what aws-iam-authenticator names a mapAccounts caller)', () => {
    const m = compileMapping([{ accountId: ACCT, username: '{{CanonicalARN}}' }]);
    expect(m(assumedRoleIdentity('Dev', 's')).username).toBe(`arn:aws:iam::${ACCT}:role/Dev`);
    expect(m(userIdentity('bob', { path: 'eng/' })).username).toBe(`arn:aws:iam::${ACCT}:user/eng/bob`);
  });
});
