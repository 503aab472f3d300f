/**
 * aws-auth style mapping: turn a verified AWS principal into an application `username` and `groups`,
 * the way EKS's aws-auth ConfigMap (mapRoles / mapUsers / mapAccounts) does for Kubernetes.
 *
 * Entries are compiled once into lookup tables keyed by canonical ARN, so partition and account are
 * always part of the key. Precedence: an exact ARN entry, then a role-by-name entry, then an account
 * entry. An unmapped caller passes through without `username`/`groups`.
 *
 * ARNs match case-insensitively, as in aws-iam-authenticator: IAM user and role names are unique
 * regardless of case, so `role/Admin` and `role/admin` name the same role.
 */
import type { Identity, Partition } from './identity.js';
import { assertKnownOptions, optionKeys } from '../options.js';
import { parsePrincipalPattern } from './principal-pattern.js';

/**
 * One mapping entry: exactly one of `arn` or `accountId`, and the `username` (and `groups`) to give.
 * Templates: `{{AccountID}}`, `{{SessionName}}` (with `@` turned into `-`), `{{SessionNameRaw}}`,
 * `{{RoleName}}`, `{{AccessKeyID}}` (presigned tokens only), `{{CanonicalARN}}`.
 *
 * @example
 * ```ts
 * const map: MappingEntry[] = [
 *   { arn: 'arn:aws:iam::111122223333:role/Developer', username: 'dev:{{SessionName}}', groups: ['developers'] },
 *   { accountId: '444455556666', username: 'partner:{{AccountID}}', groups: ['partners'] },
 * ];
 * ```
 */
export interface MappingEntry {
  /**
   * A principal ARN, exact (no globs): a user, a role (`arn:aws:iam::…:role/Name`; it maps every session
   * of that role), an account root or a federated user. Session ARNs are refused: write the role ARN.
   */
  arn?: string;
  /** Map every principal of this 12-digit account (checked after `arn` entries). */
  accountId?: string;
  /** With `accountId`: the partition of that account. Default `aws`. */
  partition?: Partition;
  /** The username to set; a template. Must render non-empty. */
  username: string;
  /**
   * Groups to set; templates, except the session name, which the caller chooses when it assumes the
   * role and so must never decide group membership.
   */
  groups?: readonly string[];
  /**
   * For a role ARN with an IAM path (`role/team/Admin`): match the role by name, since STS reports
   * assumed roles without their path. Default `false`: a pathed entry then never matches an assumed role.
   */
  matchRoleByName?: boolean;
}

/** Applies the mapping: returns the identity with `username`/`groups` set, or unchanged when unmapped. */
export type Mapper = (identity: Identity) => Identity;

type Variable = 'AccountID' | 'SessionName' | 'SessionNameRaw' | 'RoleName' | 'AccessKeyID' | 'CanonicalARN';
type Template = (identity: Identity) => string | undefined;

interface CompiledEntry {
  readonly username: Template;
  readonly groups: readonly Template[];
}

const MAPPING_ENTRY_KEYS = optionKeys<MappingEntry>()(['arn', 'accountId', 'partition', 'username', 'groups', 'matchRoleByName']);

const VARIABLES: Readonly<Record<Variable, (identity: Identity) => string | undefined>> = {
  AccountID: (identity) => identity.accountId,
  SessionName: (identity) => identity.sessionName?.replaceAll('@', '-'),
  SessionNameRaw: (identity) => identity.sessionName,
  RoleName: (identity) => roleNameOf(identity),
  AccessKeyID: (identity) => (identity.tokenType === 'presigned' ? identity.accessKeyId : undefined),
  CanonicalARN: (identity) => identity.canonicalArn,
};

/**
 * Compiles `map` entries into a {@link Mapper}. Throws a `TypeError` for bad configuration: a malformed
 * or glob ARN, both or neither of `arn`/`accountId`, duplicate keys, an unknown template variable, or a
 * variable the matched principals can never have.
 */
export function compileMapping(entries: readonly MappingEntry[]): Mapper {
  if (!Array.isArray(entries)) throw new TypeError('map must be an array of entries');
  const byArn = new Map<string, CompiledEntry>();
  const byRoleName = new Map<string, CompiledEntry>();
  const byAccount = new Map<string, CompiledEntry>();
  entries.forEach((entry: MappingEntry, i) => {
    const where = `map[${i}]`;
    if (entry === null || typeof entry !== 'object') throw new TypeError(`${where} must be an object`);
    assertKnownOptions(entry, MAPPING_ENTRY_KEYS, `${where}.`);
    if ((entry.arn === undefined) === (entry.accountId === undefined)) throw new TypeError(`${where} needs exactly one of arn or accountId`);
    let table: Map<string, CompiledEntry>;
    let key: string;
    let kind: string;
    if (entry.arn !== undefined) {
      if (entry.partition !== undefined) throw new TypeError(`${where}: partition goes with accountId; an ARN names its own`);
      if (typeof entry.arn === 'string' && entry.arn.includes('*')) throw new TypeError(`${where}: map ARNs are exact; globs belong in allow.principals`);
      const p = parsePrincipalPattern(entry.arn, `${where}.arn`);
      // A session ARN would be matched as its whole role (sessions are not principals): say so instead.
      if (p.type === 'assumed-role') throw new TypeError(`${where}.arn: map roles by their role ARN (arn:${p.partition}:iam::${p.accountId}:role/${p.segments[0]}), not a session ARN`);
      kind = p.type;
      [table, key] = entry.matchRoleByName === true && kind === 'role'
        ? [byRoleName, `${p.partition}:${p.accountId}:${p.segments.at(-1)!.toLowerCase()}`]
        : [byArn, entry.arn.toLowerCase()];
    } else {
      if (typeof entry.accountId !== 'string' || !/^\d{12}$/.test(entry.accountId)) throw new TypeError(`${where}.accountId must be a 12-digit account id`);
      parsePrincipalPattern(`arn:${entry.partition ?? 'aws'}:iam::${entry.accountId}:root`, `${where}.partition`);
      [table, key, kind] = [byAccount, `${entry.partition ?? 'aws'}:${entry.accountId}`, 'any'];
    }
    if (table.has(key)) throw new TypeError(`${where} maps the same principal as an earlier entry`);
    table.set(key, compileEntry(entry, kind, where));
  });

  // Mapped identities are memoized per verified identity object, so a cached token maps once.
  const memo = new WeakMap<Identity, Identity>();
  return (identity) => {
    const hit = memo.get(identity);
    if (hit) return hit;
    const role = roleKey(identity);
    const mapped = apply(identity, byArn.get(identity.canonicalArn.toLowerCase()))
      ?? apply(identity, role === undefined ? undefined : byRoleName.get(role))
      ?? apply(identity, byAccount.get(`${identity.partition}:${identity.accountId}`))
      ?? identity;
    memo.set(identity, mapped);
    return mapped;
  };
}

function apply(identity: Identity, entry: CompiledEntry | undefined): Identity | undefined {
  if (!entry) return undefined;
  const username = entry.username(identity);
  if (!username) return undefined;
  const groups: string[] = [];
  for (const template of entry.groups) {
    const group = template(identity);
    if (group === undefined) return undefined;
    if (group !== '' && !groups.includes(group)) groups.push(group);
  }
  return Object.freeze({ ...identity, username, groups: Object.freeze(groups) as string[] });
}

function compileEntry(entry: MappingEntry, kind: string, where: string): CompiledEntry {
  if (typeof entry.username !== 'string' || entry.username === '') throw new TypeError(`${where}.username must be a non-empty string`);
  if (entry.groups !== undefined && !Array.isArray(entry.groups)) throw new TypeError(`${where}.groups must be an array of strings`);
  const available = new Set<Variable>(['AccountID', 'AccessKeyID', 'CanonicalARN']);
  if (kind === 'role' || kind === 'any') ['SessionName', 'SessionNameRaw', 'RoleName'].forEach((v) => available.add(v as Variable));
  const username = compileTemplate(entry.username, available, `${where}.username`);
  const groupVariables = new Set([...available].filter((v) => v !== 'SessionName' && v !== 'SessionNameRaw'));
  const groups = (entry.groups ?? []).map((g, j) => compileTemplate(g, groupVariables, `${where}.groups[${j}]`));
  return { username, groups };
}

// Splits on {{Name}}; any other '{{' or '}}' is a typo we refuse rather than emit literally.
function compileTemplate(text: unknown, available: ReadonlySet<Variable>, where: string): Template {
  if (typeof text !== 'string') throw new TypeError(`${where} must be a string`);
  const pieces = text.split(/\{\{([A-Za-z]+)\}\}/);
  const parts: (string | ((identity: Identity) => string | undefined))[] = [];
  pieces.forEach((piece, i) => {
    if (i % 2 === 0) {
      if (piece.includes('{{') || piece.includes('}}')) throw new TypeError(`${where}: malformed template ${JSON.stringify(text)}`);
      if (piece) parts.push(piece);
    } else {
      if (!Object.hasOwn(VARIABLES, piece)) throw new TypeError(`${where}: unknown template variable {{${piece}}}`);
      if (!available.has(piece as Variable)) throw new TypeError(`${where}: {{${piece}}} is not available here`);
      parts.push(VARIABLES[piece as Variable]);
    }
  });
  return (identity) => {
    let out = '';
    for (const part of parts) {
      const value = typeof part === 'string' ? part : part(identity);
      if (value === undefined || value === '') return undefined;
      out += value;
    }
    return out;
  };
}

function roleNameOf(identity: Identity): string | undefined {
  if (identity.principalType !== 'assumed-role' && identity.principalType !== 'role') return undefined;
  return identity.roleName ?? identity.canonicalArn.slice(identity.canonicalArn.lastIndexOf('/') + 1);
}

function roleKey(identity: Identity): string | undefined {
  const name = roleNameOf(identity);
  return name === undefined ? undefined : `${identity.partition}:${identity.accountId}:${name.toLowerCase()}`;
}
