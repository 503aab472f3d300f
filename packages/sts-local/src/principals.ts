import { readFileSync } from 'node:fs';

/**
 * One identity sts-local knows: the keys a client signs with and what `GetCallerIdentity` answers for
 * them. A principals file may hold a JSON array of these or an object with a `principals` array (extra
 * fields, such as the fixtures' `name`, are ignored).
 */
export interface Principal {
  /** `AKIA…` for long-term keys, `ASIA…` for temporary ones. */
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** When set, every request signed with this key must carry exactly this session token. */
  readonly sessionToken?: string | undefined;
  /** What `GetCallerIdentity` answers as `Arn`, e.g. `arn:aws:iam::111122223333:user/alice`. */
  readonly arn: string;
  /** What `GetCallerIdentity` answers as `UserId` (`AIDA…`, or `AROA…:<session>` for assumed roles). */
  readonly userId: string;
  /** 12-digit account id; must equal the account in `arn`. */
  readonly account: string;
  /**
   * Role ARN patterns this principal may `AssumeRole` into (`*` matches any run of characters, `?` one
   * character). Default: every role in the principal's own account and partition,
   * `arn:<partition>:iam::<account>:role/*`. `[]` forbids AssumeRole.
   */
  readonly canAssume?: readonly string[] | undefined;
  /** Epoch ms after which the keys are refused with `ExpiredToken` (set on AssumeRole sessions). */
  readonly expiresAt?: number | undefined;
  /**
   * For role sessions: the role's ARN with its IAM path (which the assumed-role ARN drops). It is the
   * `sub` of the session's web identity tokens; without it the path is taken to be `/`.
   */
  readonly roleArn?: string | undefined;
}

const ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/;
const ACCOUNT = /^\d{12}$/;
const PRINCIPAL_ARN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso(?:-[a-z]+)?|aws-eusc):(?:iam|sts)::(\d{12}):[\x21-\x7e]+$/;

function fail(where: string, why: string): never {
  // Never echo the value: it may be a secret.
  throw new TypeError(`${where} ${why}`);
}

function optionalString(value: unknown, where: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length === 0) fail(where, 'must be a non-empty string when present');
  return value;
}

/** Checks one principal and returns a clean copy (only known fields). Throws `TypeError`. */
export function validatePrincipal(input: unknown, where = 'principal'): Principal {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) fail(where, 'must be an object');
  const p = input as Record<string, unknown>;
  if (typeof p.accessKeyId !== 'string' || !ACCESS_KEY_ID.test(p.accessKeyId)) {
    fail(`${where}.accessKeyId`, 'must be 16 to 128 upper-case letters and digits');
  }
  if (typeof p.secretAccessKey !== 'string' || p.secretAccessKey.length === 0 || p.secretAccessKey.length > 512) {
    fail(`${where}.secretAccessKey`, 'must be a non-empty string');
  }
  const sessionToken = optionalString(p.sessionToken, `${where}.sessionToken`);
  if (typeof p.arn !== 'string' || p.arn.length > 2048) fail(`${where}.arn`, 'must be an IAM or STS ARN');
  const arnMatch = PRINCIPAL_ARN.exec(p.arn);
  if (!arnMatch) fail(`${where}.arn`, 'must be an IAM or STS ARN');
  if (typeof p.userId !== 'string' || p.userId.length === 0 || p.userId.length > 256) {
    fail(`${where}.userId`, 'must be a non-empty string');
  }
  if (typeof p.account !== 'string' || !ACCOUNT.test(p.account)) fail(`${where}.account`, 'must be 12 digits');
  if (arnMatch[2] !== p.account) fail(`${where}.account`, 'must equal the account in the ARN');
  let canAssume: string[] | undefined;
  if (p.canAssume !== undefined && p.canAssume !== null) {
    if (!Array.isArray(p.canAssume) || !p.canAssume.every((x): x is string => typeof x === 'string' && x.length > 0)) {
      fail(`${where}.canAssume`, 'must be an array of role ARN patterns');
    }
    canAssume = [...p.canAssume];
  }
  let expiresAt: number | undefined;
  if (p.expiresAt !== undefined && p.expiresAt !== null) {
    if (typeof p.expiresAt !== 'number' || !Number.isFinite(p.expiresAt)) fail(`${where}.expiresAt`, 'must be epoch milliseconds');
    expiresAt = p.expiresAt;
  }
  const roleArn = optionalString(p.roleArn, `${where}.roleArn`);
  if (roleArn !== undefined && (!/^arn:[\w-]+:iam::\d{12}:role\/[\x21-\x7e]+$/.test(roleArn) || roleArn.split(':')[4] !== p.account)) {
    fail(`${where}.roleArn`, 'must be an IAM role ARN in the principal\'s account');
  }
  return {
    accessKeyId: p.accessKeyId,
    secretAccessKey: p.secretAccessKey,
    sessionToken,
    arn: p.arn,
    userId: p.userId,
    account: p.account,
    canAssume,
    expiresAt,
    roleArn,
  };
}

/** The partition of a principal's ARN (`aws`, `aws-cn`, `aws-us-gov`, …). */
export function partitionOf(arn: string): string {
  return arn.split(':', 2)[1] ?? 'aws';
}

/** Role ARN patterns a principal may assume, defaults applied. */
export function assumablePatterns(p: Principal): readonly string[] {
  return p.canAssume ?? [`arn:${partitionOf(p.arn)}:iam::${p.account}:role/*`];
}

/** Parses principals from a JSON value: an array, or an object with a `principals` array. */
export function principalsFromJson(value: unknown): Principal[] {
  const list: unknown =
    Array.isArray(value) ? value : typeof value === 'object' && value !== null ? (value as { principals?: unknown }).principals : undefined;
  if (!Array.isArray(list)) throw new TypeError('principals must be a JSON array or an object with a "principals" array');
  const principals = list.map((entry, i) => validatePrincipal(entry, `principals[${i}]`));
  const seen = new Set<string>();
  principals.forEach((p, i) => {
    if (seen.has(p.accessKeyId)) fail(`principals[${i}].accessKeyId`, 'repeats an earlier access key id');
    seen.add(p.accessKeyId);
  });
  return principals;
}

/**
 * Loads principals from a file path, from JSON text (anything starting with `[` or `{`), or from an
 * already-parsed value. Accepts the callerid repository's `fixtures/aws-cli-tokens.json` as it is.
 *
 * @throws TypeError when the input is not a valid principals list (the message names the field, never
 *   its value).
 */
export function loadPrincipals(fileOrJson: string | readonly unknown[] | { readonly principals: unknown }): Principal[] {
  if (typeof fileOrJson !== 'string') return principalsFromJson(fileOrJson);
  const trimmed = fileOrJson.trimStart();
  const text = trimmed.startsWith('[') || trimmed.startsWith('{') ? trimmed : readFileSync(fileOrJson, 'utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new TypeError('principals are not valid JSON');
  }
  return principalsFromJson(parsed);
}

/**
 * The live table of principals by access key id. AssumeRole sessions are added with an expiry and
 * bounded in number so a long benchmark cannot grow it without limit.
 */
export class PrincipalStore {
  private readonly byKey = new Map<string, Principal>();
  private sessions = 0;

  constructor(
    initial: readonly Principal[],
    private readonly maxSessions = 10_000,
  ) {
    for (const p of initial) this.byKey.set(p.accessKeyId, p);
  }

  get(accessKeyId: string): Principal | undefined {
    return this.byKey.get(accessKeyId);
  }

  /** Adds or replaces a principal (validated). */
  add(input: unknown): Principal {
    const p = validatePrincipal(input);
    this.byKey.set(p.accessKeyId, p);
    return p;
  }

  /** Remembers an AssumeRole session; drops expired (then oldest) sessions beyond the bound. */
  addSession(p: Principal, now: number): void {
    if (this.sessions >= this.maxSessions) this.evictSessions(now);
    this.byKey.set(p.accessKeyId, p);
    this.sessions++;
  }

  get size(): number {
    return this.byKey.size;
  }

  private evictSessions(now: number): void {
    for (const [key, p] of this.byKey) {
      if (p.expiresAt !== undefined && p.expiresAt <= now) {
        this.byKey.delete(key);
        this.sessions--;
      }
    }
    // Still full: forget the oldest sessions (Map iterates in insertion order).
    for (const [key, p] of this.byKey) {
      if (this.sessions < this.maxSessions) break;
      if (p.expiresAt !== undefined) {
        this.byKey.delete(key);
        this.sessions--;
      }
    }
  }
}
