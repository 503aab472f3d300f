import { createHash, randomBytes } from 'node:crypto';
import { stsErrors } from '../errors.js';
import { assumablePatterns, type Principal } from '../principals.js';
import { DualValue, type ResultTree } from '../responses.js';

/** The request parameters AssumeRole reads (others, like `Policy` or `Tags`, are accepted and ignored). */
export interface AssumeRoleParams {
  readonly RoleArn?: string | undefined;
  readonly RoleSessionName?: string | undefined;
  readonly DurationSeconds?: string | undefined;
}

/** What AssumeRole produced: the answer and the new session principal to remember. */
export interface AssumeRoleOutcome {
  readonly result: ResultTree;
  readonly session: Principal;
}

const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso(?:-[a-z]+)?|aws-eusc):iam::(\d{12}):role\/((?:[\x21-\x7e]+\/)?)([\w+=,.@-]{1,64})$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(bytes: Buffer, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += BASE32[bytes[i % bytes.length]! % 32];
  return out;
}

/** A stable `AROA…` role id per role ARN, so every session of one role shares it, as in IAM. */
export function roleIdFor(roleArn: string): string {
  return `AROA${base32(createHash('sha256').update(roleArn).digest(), 17)}`;
}

/** Matches an IAM-style pattern: `*` any run of characters, `?` exactly one. */
export function matchesPattern(pattern: string, value: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 's').test(value);
}

/** An ISO 8601 timestamp without milliseconds, as STS writes them. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * `AssumeRole`: checks the caller may assume the role (its `canAssume` patterns), then mints `ASIA…`
 * credentials whose `GetCallerIdentity` answers `arn:<p>:sts::<acct>:assumed-role/<role>/<session>`
 * (the role's IAM path dropped, as STS does) and `UserId` `<AROA…>:<session>`.
 */
export function assumeRole(caller: Principal, params: AssumeRoleParams, now: number): AssumeRoleOutcome {
  const roleArn = params.RoleArn;
  if (roleArn === undefined || roleArn.length < 20 || roleArn.length > 2048) {
    throw stsErrors.validation("1 validation error detected: Value at 'roleArn' failed to satisfy constraint: Member must have length between 20 and 2048");
  }
  const match = ROLE_ARN.exec(roleArn);
  if (!match) throw stsErrors.validation('RoleArn must be an IAM role ARN: arn:<partition>:iam::<account>:role/[<path>/]<name>.');
  const [, partition, account, , roleName] = match as unknown as [string, string, string, string, string];
  const sessionName = params.RoleSessionName;
  if (sessionName === undefined || !SESSION_NAME.test(sessionName)) {
    throw stsErrors.validation(
      "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]* and have length between 2 and 64",
    );
  }
  const chained = caller.arn.includes(':assumed-role/');
  const duration = durationSeconds(params.DurationSeconds, chained);
  if (!assumablePatterns(caller).some((pattern) => matchesPattern(pattern, roleArn))) {
    throw stsErrors.accessDenied(`User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
  }
  const expiresAt = now + duration * 1000;
  const roleId = roleIdFor(roleArn);
  const session: Principal = {
    accessKeyId: `ASIA${base32(randomBytes(16), 16)}`,
    secretAccessKey: randomBytes(30).toString('base64'),
    sessionToken: `IQoJb3JpZ2luX2Vj${randomBytes(180).toString('base64')}`,
    arn: `arn:${partition}:sts::${account}:assumed-role/${roleName}/${sessionName}`,
    userId: `${roleId}:${sessionName}`,
    account,
    expiresAt,
    roleArn,
  };
  const result: ResultTree = {
    AssumedRoleUser: { AssumedRoleId: session.userId, Arn: session.arn },
    Credentials: {
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      SessionToken: session.sessionToken!,
      Expiration: new DualValue(Math.floor(expiresAt / 1000), isoSeconds(expiresAt)),
    },
    PackedPolicySize: null,
    SourceIdentity: null,
  };
  return { result, session };
}

function durationSeconds(raw: string | undefined, chained: boolean): number {
  if (raw === undefined) return 3600;
  if (!/^\d{1,6}$/.test(raw) || Number(raw) < 900 || Number(raw) > 43_200) {
    throw stsErrors.validation(
      "1 validation error detected: Value at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200",
    );
  }
  if (chained && Number(raw) > 3600) {
    throw stsErrors.validation('The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
  }
  return Number(raw);
}
