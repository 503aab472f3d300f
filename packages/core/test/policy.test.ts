import { describe, expect, it } from 'vitest';
import { CallerIdError, compileAllow, createGuard, type AllowOption, type Identity } from '../src/index.js';
import { noteRealm } from '../src/http/guard.js';
import { assumedRoleIdentity, rootIdentity, userIdentity, webIdentityRole } from './policy-fixtures.js';

const ACCT = '111122223333';
const alice = userIdentity('alice');
const engAlice = userIdentity('alice', { path: 'eng/' });
const admin = assumedRoleIdentity('Admin', 'alice@example.com');
const deployer = assumedRoleIdentity('deployer-prod', 'ci');
const otherAccountAdmin = assumedRoleIdentity('Admin', 's', { accountId: '444455556666' });
const govAdmin = assumedRoleIdentity('Admin', 's', { partition: 'aws-us-gov' });

async function rejection(promise: Promise<unknown>): Promise<CallerIdError> {
  return promise.then(() => { throw new Error('expected a rejection'); }, (e: CallerIdError) => e);
}

function allows(allow: AllowOption, identity: Identity): boolean | Promise<boolean> {
  return compileAllow(allow)(identity);
}

describe('allow: declarative rules', () => {
  it('an empty rule set admits any authenticated caller; an empty list admits nobody', () => {
    expect(allows({}, alice)).toBe(true);
    expect(allows({ accounts: [] }, alice)).toBe(false);
    expect(allows({ principals: [] }, alice)).toBe(false);
  });

  it('accounts', () => {
    expect(allows({ accounts: [ACCT] }, alice)).toBe(true);
    expect(allows({ accounts: ['444455556666'] }, alice)).toBe(false);
  });

  it('principal types', () => {
    expect(allows({ principalTypes: ['assumed-role'] }, admin)).toBe(true);
    expect(allows({ principalTypes: ['assumed-role'] }, alice)).toBe(false);
    expect(allows({ principalTypes: ['root'] }, rootIdentity())).toBe(true);
  });

  it('every present rule must hold (AND), one entry of a list is enough (OR)', () => {
    const rules = { accounts: [ACCT, '444455556666'], principalTypes: ['user' as const] };
    expect(allows(rules, alice)).toBe(true);
    expect(allows(rules, admin)).toBe(false);
    expect(allows(rules, otherAccountAdmin)).toBe(false);
  });

  it('groups (set by map): at least one', () => {
    const mapped = { ...alice, username: 'alice', groups: ['dev', 'ops'] };
    expect(allows({ groups: ['admins', 'ops'] }, mapped)).toBe(true);
    expect(allows({ groups: ['admins'] }, mapped)).toBe(false);
    expect(allows({ groups: ['dev'] }, alice)).toBe(false);
  });

  it('a predicate must answer exactly true, sync or async', async () => {
    expect(allows((id) => id.accountId === ACCT, alice)).toBe(true);
    expect(await allows(async () => true, alice)).toBe(true);
    expect(allows({ accounts: [ACCT], check: (id) => id.userName === 'bob' }, alice)).toBe(false);
    expect(allows({ accounts: ['444455556666'], check: () => true }, alice)).toBe(false);
    expect(allows({ check: () => 1 as unknown as boolean }, alice)).not.toBe(true);
  });
});

describe('allow.principals: patterns', () => {
  const cases: [pattern: string, identity: Identity, expected: boolean][] = [
    [`arn:aws:iam::${ACCT}:user/alice`, alice, true],
    [`arn:aws:iam::${ACCT}:user/alic`, alice, false],
    [`arn:aws:iam::${ACCT}:user/alice`, engAlice, false],
    [`arn:aws:iam::${ACCT}:user/*`, engAlice, true],
    [`arn:aws:iam::${ACCT}:user/eng/*`, engAlice, true],
    [`arn:aws:iam::${ACCT}:user/*/alice`, engAlice, true],
    [`arn:aws:iam::${ACCT}:user/*/alice`, alice, false],
    // assumed roles match through their canonical role ARN
    [`arn:aws:iam::${ACCT}:role/Admin`, admin, true],
    [`arn:aws:iam::${ACCT}:role/deployer-*`, deployer, true],
    [`arn:aws:iam::${ACCT}:role/deployer-*`, admin, false],
    [`arn:aws:iam::${ACCT}:role/*`, admin, true],
    // `*` inside a segment never crosses '/', a trailing `*` does
    [`arn:aws:iam::${ACCT}:role/*-prod`, deployer, true],
    [`arn:aws:iam::${ACCT}:user/a*e`, engAlice, false],
    [`arn:aws:iam::${ACCT}:user/e*`, engAlice, true],
    // sts patterns look at the session ARN
    [`arn:aws:sts::${ACCT}:assumed-role/Admin/alice@example.com`, admin, true],
    [`arn:aws:sts::${ACCT}:assumed-role/Admin/bob@example.com`, admin, false],
    [`arn:aws:sts::${ACCT}:assumed-role/Admin/*`, admin, true],
    [`arn:aws:sts::${ACCT}:assumed-role/Admin/*`, alice, false],
    // partition and account are always part of the match
    [`arn:aws:iam::${ACCT}:role/Admin`, otherAccountAdmin, false],
    [`arn:aws:iam::${ACCT}:role/Admin`, govAdmin, false],
    [`arn:aws-us-gov:iam::${ACCT}:role/Admin`, govAdmin, true],
    [`arn:aws:iam::${ACCT}:root`, rootIdentity(), true],
    [`arn:aws:iam::${ACCT}:root`, alice, false],
    // matching is case-sensitive, like IAM
    [`arn:aws:iam::${ACCT}:role/admin`, admin, false],
  ];
  it.each(cases)('%s vs %o → %s', (pattern, identity, expected) => {
    expect(allows({ principals: [pattern] }, identity)).toBe(expected);
  });

  it('treats . and + literally (no regex)', () => {
    const dotted = userIdentity('a.b+c');
    expect(allows({ principals: [`arn:aws:iam::${ACCT}:user/a.b+c`] }, dotted)).toBe(true);
    expect(allows({ principals: [`arn:aws:iam::${ACCT}:user/a.b+c`] }, userIdentity('aXb+c'))).toBe(false);
    expect(allows({ principals: [`arn:aws:iam::${ACCT}:user/a.b+c`] }, userIdentity('a.bbc'))).toBe(false);
  });

  it('refuses malformed patterns at configuration time', () => {
    const bad = [
      'role/Admin',
      `arn:aws:iam::*:role/Admin`,
      `arn:aws:iam::1111:role/Admin`,
      `arn:*:iam::${ACCT}:role/Admin`,
      `arn:aws-mars:iam::${ACCT}:role/Admin`,
      `arn:aws:s3::${ACCT}:role/Admin`,
      `arn:aws:iam:us-east-1:${ACCT}:role/Admin`,
      `arn:aws:iam::${ACCT}:*`,
      `arn:aws:iam::${ACCT}:role*`,
      `arn:aws:iam::${ACCT}:group/admins`,
      `arn:aws:iam::${ACCT}:role/`,
      `arn:aws:iam::${ACCT}:role//Admin`,
      `arn:aws:iam::${ACCT}:role/Ad?min`,
      `arn:aws:iam::${ACCT}:role/(Admin|.*)`,
      `arn:aws:iam::${ACCT}:root/x`,
      `arn:aws:sts::${ACCT}:assumed-role/Admin`,
      `arn:aws:iam::${ACCT}:assumed-role/Admin/s`,
    ];
    for (const pattern of bad) expect(() => compileAllow({ principals: [pattern] }), pattern).toThrow(TypeError);
    expect(() => compileAllow({ accounts: ['12345'] })).toThrow(TypeError);
    expect(() => compileAllow({ principalTypes: ['admin' as never] })).toThrow(TypeError);
    expect(() => compileAllow({ principals: 'arn:aws:iam::111122223333:root' as unknown as string[] })).toThrow(TypeError);
    expect(() => compileAllow(null as unknown as AllowOption)).toThrow(TypeError);
  });
});

describe('allow.principals: IAM role paths (aws-iam-authenticator #268)', () => {
  const pathed = `arn:aws:iam::${ACCT}:role/team/Admin`;

  it('without matchRoleByName, a pattern with a path never matches an assumed role (STS drops the path)', () => {
    expect(allows({ principals: [pathed] }, admin)).toBe(false);
    // …but it does match a caller whose canonical ARN carries that path (web identity `sub`)
    expect(allows({ principals: [pathed] }, webIdentityRole('team/', 'Admin'))).toBe(true);
    expect(allows({ principals: [pathed] }, webIdentityRole('other/', 'Admin'))).toBe(false);
  });

  it('with matchRoleByName, the role name decides (role names are unique within an account)', () => {
    const rules = { principals: [pathed], matchRoleByName: true };
    expect(allows(rules, admin)).toBe(true);
    expect(allows(rules, webIdentityRole('team/', 'Admin'))).toBe(true);
    expect(allows(rules, webIdentityRole('', 'Admin'))).toBe(true);
    expect(allows(rules, assumedRoleIdentity('Admin2', 's'))).toBe(false);
    expect(allows(rules, assumedRoleIdentity('XAdmin', 's'))).toBe(false);
    expect(allows(rules, otherAccountAdmin)).toBe(false);
    expect(allows(rules, govAdmin)).toBe(false);
    expect(allows(rules, userIdentity('Admin', { path: 'team/' }))).toBe(false);
    expect(allows({ principals: [`arn:aws:iam::${ACCT}:role/*/Admin`], matchRoleByName: true }, admin)).toBe(true);
  });

  it('refuses matchRoleByName for a pathed pattern whose name is a glob (the path was the only narrowing)', () => {
    expect(() => compileAllow({ principals: [`arn:aws:iam::${ACCT}:role/team/*`], matchRoleByName: true })).toThrow(/glob/);
    expect(() => compileAllow({ principals: [`arn:aws:iam::${ACCT}:role/team/dep-*`], matchRoleByName: true })).toThrow(TypeError);
    // without a path, a glob keeps its ordinary meaning
    expect(allows({ principals: [`arn:aws:iam::${ACCT}:role/deployer-*`], matchRoleByName: true }, deployer)).toBe(true);
  });
});

describe('createGuard', () => {
  it('resolves to the caller when allowed', async () => {
    await expect(createGuard({ accounts: [ACCT] })(alice)).resolves.toBe(alice);
  });

  it('a predicate that throws something that is not an Error fails closed, with a TypeError', async () => {
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    await expect(createGuard(() => { throw undefined; })(alice)).rejects.toBeInstanceOf(TypeError);
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    await expect(createGuard(() => Promise.reject())(alice)).rejects.toBeInstanceOf(TypeError);
  });

  it('403 insufficient_scope when not allowed, with the configured realm', async () => {
    const err = await rejection(createGuard({ accounts: ['444455556666'] }, { realm: 'payments' })(alice));
    expect(err).toBeInstanceOf(CallerIdError);
    expect(err.code).toBe('caller_not_allowed');
    expect(err.status).toBe(403);
    expect(err.headers['WWW-Authenticate']).toMatch(/^Bearer realm="payments", error="insufficient_scope"/);
  });

  it('401 with a bare challenge for an anonymous request', async () => {
    const err = await rejection(createGuard({})(null));
    expect(err.code).toBe('token_missing');
    expect(err.headers['WWW-Authenticate']).toBe('Bearer realm="callerid"');
  });

  it('names the realm the authenticator used for this request, unless one is configured', async () => {
    const req = {};
    noteRealm(req, 'orders');
    expect((await rejection(createGuard({ accounts: ['444455556666'] })(alice, req))).headers['WWW-Authenticate']).toMatch(/^Bearer realm="orders", error="insufficient_scope"/);
    expect((await rejection(createGuard({})(null, req))).headers['WWW-Authenticate']).toBe('Bearer realm="orders"');
    expect((await rejection(createGuard({}, { realm: 'fixed' })(null, req))).headers['WWW-Authenticate']).toBe('Bearer realm="fixed"');
    expect((await rejection(createGuard({})(null, {}))).headers['WWW-Authenticate']).toBe('Bearer realm="callerid"');
  });

  it('a plain error (500) when the middleware never ran', async () => {
    const err: unknown = await createGuard({})(undefined).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(CallerIdError);
  });

  it('a predicate that throws fails closed', async () => {
    await expect(createGuard(() => { throw new Error('boom'); })(alice)).rejects.toThrow('boom');
    await expect(createGuard(async () => 'yes' as unknown as boolean)(alice)).rejects.toMatchObject({ code: 'caller_not_allowed' });
  });
});
