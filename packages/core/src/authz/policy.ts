/**
 * Authorization: *who* may call, once the token has proved *that* someone in AWS is calling. Every
 * adapter's `allow` option and route guard (`requireCaller`, `requireGroups`, through `http/guard`) is
 * decided here, so the rules cannot drift between frameworks.
 *
 * Rules are compiled once (patterns parsed, bad configuration refused with a `TypeError`), and a
 * policy without a predicate decides synchronously, keeping the cached-token path cheap.
 */
import type { Identity, PrincipalType } from './identity.js';
import { assertKnownOptions, optionKeys } from '../options.js';
import { compilePrincipalPattern, matchesPrincipal, type PrincipalMatcher } from './principal-pattern.js';

/** A custom rule. The caller is allowed only when it returns (or resolves to) exactly `true`. */
export type AllowPredicate = (identity: Identity) => boolean | Promise<boolean>;

/**
 * Declarative allow rules. Every rule that is present must hold (AND); inside one list, one match is
 * enough (OR). An empty list admits nobody; an empty object admits every authenticated caller.
 *
 * @example
 * ```ts
 * const allow: AllowRules = {
 *   accounts: ['111122223333'],
 *   principals: ['arn:aws:iam::111122223333:role/deployer-*', 'arn:aws:iam::111122223333:user/alice'],
 * };
 * ```
 */
export interface AllowRules {
  /** 12-digit account ids the caller must belong to. */
  accounts?: readonly string[];
  /**
   * Principal ARN patterns, matched against the caller's canonical ARN (`arn:aws:iam::…:role/Name` for
   * assumed roles); `arn:…:sts::…:assumed-role/<role>/<session>` patterns match the session ARN. `*`
   * matches within one path segment, or anything when it ends the pattern; `.` and `+` are literal.
   * Partition and account are always literal.
   */
  principals?: readonly string[];
  /** Principal types the caller must be (`user`, `assumed-role`, `role`, `root`, `federated-user`). */
  principalTypes?: readonly PrincipalType[];
  /** Groups (set by the `map` option) of which the caller must hold at least one. */
  groups?: readonly string[];
  /**
   * Let `role/<path>/<Name>` patterns match a caller whose role has that name, whatever the path. STS
   * reports assumed roles without the IAM path (`role/team/Admin` arrives as `role/Admin`), so without
   * this flag a pattern with a path never matches an assumed-role caller. Default `false`.
   */
  matchRoleByName?: boolean;
  /** A custom rule, checked after the declarative ones. */
  check?: AllowPredicate;
}

/** What the `allow` option accepts: declarative rules, or a predicate. */
export type AllowOption = AllowRules | AllowPredicate;

/** A compiled policy: `true` when the caller is allowed. Synchronous unless a predicate is async. */
export type Authorizer = (identity: Identity) => boolean | Promise<boolean>;

const ALLOW_RULE_KEYS = optionKeys<AllowRules>()(['accounts', 'principals', 'principalTypes', 'groups', 'matchRoleByName', 'check']);

const PRINCIPAL_TYPES: ReadonlySet<string> = new Set<PrincipalType>(['user', 'assumed-role', 'role', 'root', 'federated-user']);

/**
 * Compiles an `allow` option into an {@link Authorizer}. Throws a `TypeError` for bad configuration
 * (an account that is not 12 digits, a malformed pattern, an unknown principal type).
 *
 * @example
 * ```ts
 * const allowed = compileAllow({ principals: ['arn:aws:iam::111122223333:role/team/Admin'], matchRoleByName: true });
 * allowed(identity); // true for the assumed role "Admin", whatever its path
 * ```
 */
export function compileAllow(allow: AllowOption): Authorizer {
  if (typeof allow === 'function') return allow;
  if (allow === null || typeof allow !== 'object') throw new TypeError('allow must be an object of rules or a function');
  // A misspelt rule must not be dropped: that would let in callers it was meant to keep out.
  assertKnownOptions(allow, ALLOW_RULE_KEYS, 'allow.');
  const tests: ((identity: Identity) => boolean)[] = [];
  if (allow.accounts !== undefined) {
    const accounts = new Set(list(allow.accounts, 'allow.accounts'));
    for (const account of accounts) {
      if (typeof account !== 'string' || !/^\d{12}$/.test(account)) throw new TypeError(`allow.accounts: ${JSON.stringify(account)} is not a 12-digit account id`);
    }
    tests.push((identity) => accounts.has(identity.accountId));
  }
  if (allow.principalTypes !== undefined) {
    const types = new Set<string>(list(allow.principalTypes, 'allow.principalTypes'));
    for (const type of types) if (!PRINCIPAL_TYPES.has(type)) throw new TypeError(`allow.principalTypes: unknown principal type ${JSON.stringify(type)}`);
    tests.push((identity) => types.has(identity.principalType));
  }
  if (allow.principals !== undefined) {
    const options = { matchRoleByName: allow.matchRoleByName === true };
    const matchers: PrincipalMatcher[] = list(allow.principals, 'allow.principals').map((p) => compilePrincipalPattern(p, options));
    tests.push((identity) => matchers.some((m) => matchesPrincipal(m, identity)));
  }
  if (allow.groups !== undefined) {
    const groups = new Set(list(allow.groups, 'allow.groups'));
    tests.push((identity) => Array.isArray(identity.groups) && identity.groups.some((g) => groups.has(g)));
  }
  const check = allow.check;
  if (check !== undefined && typeof check !== 'function') throw new TypeError('allow.check must be a function');
  return (identity) => {
    for (const test of tests) if (!test(identity)) return false;
    return check ? check(identity) : true;
  };
}

function list<T>(value: readonly T[], where: string): readonly T[] {
  const isArray: boolean = Array.isArray(value); // no narrowing to any[]
  if (!isArray) throw new TypeError(`${where} must be an array`);
  return value;
}
