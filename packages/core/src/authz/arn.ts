import { isPartition } from '../presigned/hosts.js';
import type { Partition, PrincipalType } from './identity.js';

/**
 * IAM principal ARNs, strictly: the five shapes STS reports callers as (and policies name them by),
 * and the canonical form that policies should be written against.
 */

/** A validated IAM principal ARN. */
export interface ParsedArn {
  /** The ARN as given. */
  arn: string;
  partition: Partition;
  /** `iam` for users, roles and root; `sts` for assumed roles and federated users. */
  service: 'iam' | 'sts';
  accountId: string;
  principalType: PrincipalType;
  /** Everything after the account, e.g. `role/team/Admin`. */
  resource: string;
  /** For users and roles: the IAM path, `/` when none (assumed-role ARNs never carry it). */
  path?: string;
  /** For users and federated users. */
  userName?: string;
  /** For roles and assumed roles. */
  roleName?: string;
  /** For assumed roles. */
  sessionName?: string;
}

// arn:<partition>:<service>:<empty region>:<12-digit account>:<resource>
const ARN = /^arn:([a-z-]{1,16}):(iam|sts)::(\d{12}):(.+)$/;
// IAM names: 1–64 of [A-Za-z0-9+=,.@_-]; paths: `/` or `/seg/…/` (at most 512 characters).
const PATHED_NAME = /^(user|role)(\/(?:[\w+=,.@-]+\/)*)([\w+=,.@-]{1,64})$/;
const ASSUMED_ROLE = /^assumed-role\/([\w+=,.@-]{1,64})\/([\w+=,.@-]{2,64})$/;
const FEDERATED_USER = /^federated-user\/([\w+=,.@-]{2,32})$/;
const MAX_PATH_LENGTH = 512;
const MAX_ARN_LENGTH = 2048;

/**
 * Parses an IAM principal ARN: `arn:<p>:iam::<acct>:user/[path/]name`, `…:iam::<acct>:role/[path/]name`,
 * `…:iam::<acct>:root`, `arn:<p>:sts::<acct>:assumed-role/<role>/<session>` or
 * `…:sts::<acct>:federated-user/<name>`. Anything else — another service, a region, a wildcard, an
 * unknown partition — throws a `TypeError` (whose message never quotes the input).
 *
 * @example
 * ```ts
 * parseArn('arn:aws:sts::111122223333:assumed-role/Deployer/ci-run-42');
 * // → { principalType: 'assumed-role', roleName: 'Deployer', sessionName: 'ci-run-42', accountId: '111122223333', … }
 * ```
 */
export function parseArn(arn: string): ParsedArn {
  const parsed = tryParseArn(arn);
  if (!parsed) throw new TypeError('Not a valid IAM principal ARN.');
  return parsed;
}

/** Like {@link parseArn}, but `undefined` instead of throwing. */
export function tryParseArn(arn: string): ParsedArn | undefined {
  if (typeof arn !== 'string' || arn.length > MAX_ARN_LENGTH) return undefined;
  const m = ARN.exec(arn);
  if (!m) return undefined;
  const [, partition, service, accountId, resource] = m as unknown as [string, string, 'iam' | 'sts', string, string];
  if (!isPartition(partition)) return undefined;
  // Object.assign on a fresh object, not `{ ...base, … }`: spreading into a literal with extra
  // properties takes V8's slow path (see the README's Performance section), and this runs on every verification.
  const base = { arn, partition, service, accountId, resource };

  if (service === 'iam') {
    if (resource === 'root') return Object.assign(base, { principalType: 'root' as const });
    const named = PATHED_NAME.exec(resource);
    if (!named) return undefined;
    const [, kind, path, name] = named as unknown as [string, 'user' | 'role', string, string];
    if (path.length > MAX_PATH_LENGTH) return undefined;
    return kind === 'user'
      ? Object.assign(base, { principalType: 'user' as const, path, userName: name })
      : Object.assign(base, { principalType: 'role' as const, path, roleName: name });
  }
  const assumed = ASSUMED_ROLE.exec(resource);
  if (assumed) return Object.assign(base, { principalType: 'assumed-role' as const, roleName: assumed[1]!, sessionName: assumed[2]! });
  const federated = FEDERATED_USER.exec(resource);
  if (federated) return Object.assign(base, { principalType: 'federated-user' as const, userName: federated[1]! });
  return undefined;
}

/**
 * The stable ARN to write policies against: an assumed-role session
 * `arn:<p>:sts::<acct>:assumed-role/<role>/<session>` becomes the role `arn:<p>:iam::<acct>:role/<role>`;
 * users, roles, root and federated users are returned unchanged. Note that STS never reports a role's
 * IAM path, so the canonical ARN of `role/team/Admin`'s sessions is `role/Admin`.
 *
 * @throws TypeError when `arn` is not a valid IAM principal ARN.
 */
export function canonicalizeArn(arn: string): string {
  return canonicalArnOf(parseArn(arn));
}

/** The canonical ARN of an already parsed principal. */
export function canonicalArnOf(parsed: ParsedArn): string {
  if (parsed.principalType !== 'assumed-role') return parsed.arn;
  return `arn:${parsed.partition}:iam::${parsed.accountId}:role/${parsed.roleName!}`;
}
