/**
 * The claim rules for AWS web identity tokens and the `Identity` they become. These run on the
 * decoded payload before the signature is checked (cheap first, network last); jose's `compactVerify`
 * then checks the signature over exactly the bytes read here, so a forged payload gets nowhere.
 */
import { CallerIdError } from '../errors.js';
import type { WebIdentity, WebIdentityClaims } from '../authz/identity.js';
import { isJsonObject, type JsonObject } from './compact.js';
import { tryParseArn, type ParsedArn } from '../authz/arn.js';

/** The claim under which AWS puts its own claims (`aws_account`, `source_region`, tags, …). */
export const AWS_NAMESPACE_CLAIM = 'https://sts.amazonaws.com/';

/** AWS never issues web identity tokens that live longer than an hour; neither do we accept them. */
export const MAX_WEB_IDENTITY_LIFETIME_SECONDS = 3600;

const MAX_JTI_LENGTH = 256;
const ACCOUNT_ID = /^\d{12}$/;

/** What a token's claims are checked against. */
export interface ClaimRules {
  /** The audiences to match; `undefined` checks only that `aud` is well formed (for decoding tools). */
  audiences: ReadonlySet<string> | undefined;
  /** Accept a token whose `aud` also names audiences this server does not know. */
  allowExtraAudiences: boolean;
  nowSeconds: number;
  toleranceSeconds: number;
  maxLifetimeSeconds: number;
}

/** Claims that passed every rule. */
export interface CheckedClaims {
  iss: string;
  sub: string;
  aud: string[];
  iat: number;
  exp: number;
  jti: string;
  /** An IAM role or user. */
  principal: ParsedArn & { principalType: 'role' | 'user' };
  namespace: WebIdentityClaims;
}

/**
 * Checks the claims in a fixed order — presence and types, lifetime, audience, subject and AWS
 * namespace, then the time window — and throws the first failure: `jwt_claims`, `jwt_lifetime`,
 * `jwt_audience`, `jwt_subject`, `jwt_expired` or `jwt_not_yet_valid`. `iss` must already have been
 * matched against the issuer allow-list.
 */
export function checkClaims(payload: JsonObject, rules: ClaimRules): CheckedClaims {
  const { exp, iat, nbf, jti, sub, iss } = payload;
  if (typeof iss !== 'string') throw new CallerIdError('jwt_issuer');
  if (!isNumericDate(exp) || !isNumericDate(iat) || (nbf !== undefined && !isNumericDate(nbf))) throw new CallerIdError('jwt_claims');
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH) throw new CallerIdError('jwt_claims');
  if (exp <= iat) throw new CallerIdError('jwt_claims');
  if (exp - iat > rules.maxLifetimeSeconds) throw new CallerIdError('jwt_lifetime');
  const aud = checkAudience(payload.aud, rules);

  const principal = typeof sub === 'string' ? tryParseArn(sub) : undefined;
  if (!principal || !isRoleOrUser(principal)) throw new CallerIdError('jwt_subject');
  const namespace = checkNamespace(payload[AWS_NAMESPACE_CLAIM]);
  if (namespace.aws_account !== principal.accountId) throw new CallerIdError('jwt_subject');

  if (exp <= rules.nowSeconds - rules.toleranceSeconds) throw new CallerIdError('jwt_expired');
  if (iat > rules.nowSeconds + rules.toleranceSeconds) throw new CallerIdError('jwt_not_yet_valid');
  if (nbf !== undefined && nbf > rules.nowSeconds + rules.toleranceSeconds) throw new CallerIdError('jwt_not_yet_valid');
  return { iss, sub: principal.arn, aud, iat, exp, jti, principal, namespace };
}

// AWS issues web identity tokens to IAM roles (for their sessions) and users, never to root.
function isRoleOrUser(arn: ParsedArn): arn is ParsedArn & { principalType: 'role' | 'user' } {
  return arn.principalType === 'role' || arn.principalType === 'user';
}

function checkAudience(aud: unknown, rules: ClaimRules): string[] {
  const list = typeof aud === 'string' ? [aud] : aud;
  if (!Array.isArray(list) || list.length === 0) throw new CallerIdError('jwt_audience');
  const { audiences } = rules;
  let matched = audiences === undefined;
  for (const value of list) {
    if (typeof value !== 'string') throw new CallerIdError('jwt_audience');
    if (audiences === undefined) continue;
    if (audiences.has(value)) matched = true;
    else if (!rules.allowExtraAudiences) throw new CallerIdError('jwt_audience');
  }
  if (!matched) throw new CallerIdError('jwt_audience');
  return list as string[];
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

// The namespace object must be there (it carries `aws_account`), and the members we type must have
// the types we promise; members we do not know pass through untouched.
function checkNamespace(value: unknown): WebIdentityClaims & { aws_account: string } {
  if (!isJsonObject(value)) throw new CallerIdError('jwt_subject');
  const { aws_account, ou_path, principal_tags, request_tags } = value;
  if (typeof aws_account !== 'string' || !ACCOUNT_ID.test(aws_account)) throw new CallerIdError('jwt_subject');
  for (const key of ['source_region', 'principal_id', 'org_id', 'original_session_exp'] as const) {
    if (value[key] !== undefined && typeof value[key] !== 'string') throw new CallerIdError('jwt_claims');
  }
  if (ou_path !== undefined && typeof ou_path !== 'string' && !isStringArray(ou_path)) throw new CallerIdError('jwt_claims');
  if (principal_tags !== undefined && !isStringMap(principal_tags)) throw new CallerIdError('jwt_claims');
  if (request_tags !== undefined && !isStringMap(request_tags)) throw new CallerIdError('jwt_claims');
  return value as WebIdentityClaims & { aws_account: string };
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function isStringMap(value: unknown): value is Record<string, string> {
  return isJsonObject(value) && Object.values(value).every((item) => typeof item === 'string');
}

/** The `Identity` of a verified web identity token: every field from the signed claims. */
export function toIdentity(claims: CheckedClaims): WebIdentity {
  const { principal, namespace } = claims;
  const identity: WebIdentity = {
    arn: claims.sub,
    canonicalArn: claims.sub,
    accountId: principal.accountId,
    partition: principal.partition,
    principalType: principal.principalType,
    userId: namespace.principal_id ?? '',
    tokenType: 'web-identity',
    expiresAt: new Date(claims.exp * 1000).toISOString(),
    issuer: claims.iss,
    claims: namespace,
  };
  if (principal.principalType === 'role') {
    identity.roleName = principal.roleName!;
    // For role sessions AWS's principal id is `<role id>:<session name>`, as in GetCallerIdentity.
    const session = namespace.principal_id?.split(':');
    if (session?.length === 2 && session[1]) identity.sessionName = session[1];
  } else {
    identity.userName = principal.userName!;
  }
  if (namespace.source_region !== undefined) identity.region = namespace.source_region;
  return identity;
}
