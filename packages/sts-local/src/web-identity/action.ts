/**
 * `GetWebIdentityToken`, with STS's parameter rules and errors: `Audience.member.N` (1–10, each 1–1000
 * characters), `SigningAlgorithm` (`RS256`|`ES384`, required), `DurationSeconds` (60–3600, default 300),
 * `Tags.member.N.Key/Value` (at most 50); regional endpoints only. The token's `sub` is the caller's
 * IAM user ARN, or for a role session the role's ARN.
 */
import { randomUUID } from 'node:crypto';
import type { JWTPayload } from 'jose';
import { isoSeconds } from '../actions/assume-role.js';
import { StsError, stsErrors } from '../errors.js';
import type { Principal } from '../principals.js';
import type { ResultTree } from '../responses.js';
import type { WebIdentityIssuer } from './issuer.js';
import type { SigningAlgorithm } from './keys.js';

/** The AWS claims namespace inside a web identity token. */
export const AWS_CLAIMS_NAMESPACE = 'https://sts.amazonaws.com/';

/**
 * The largest JSON payload sts-local signs. AWS does not publish its limit; this one keeps a token
 * with the maximum 50 tags of modest size well inside verifiers' token size caps.
 */
export const MAX_PAYLOAD_BYTES = 8 * 1024;

const DEFAULT_DURATION_SECONDS = 300;
const MAX_TAGS = 50;
// IAM tag keys and values: letters, digits, spaces and _.:/=+-@.
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** One GetWebIdentityToken request, already authenticated. */
export interface WebIdentityTokenRequest {
  readonly caller: Principal;
  readonly params: ReadonlyMap<string, string>;
  /** The region the request was signed for: the token's `source_region`. */
  readonly region: string;
  /** Whether the request came to the global endpoint, where this API does not exist. */
  readonly globalEndpoint: boolean;
  readonly now: number;
}

/** Issues a web identity token for the caller, or throws the `StsError` STS would answer with. */
export async function getWebIdentityToken(issuer: WebIdentityIssuer, request: WebIdentityTokenRequest): Promise<ResultTree> {
  const { caller, params, now } = request;
  if (request.globalEndpoint) throw new StsError(400, 'InvalidAction', 'GetWebIdentityToken is not available on the STS global endpoint.');
  const audience = listParam(params, 'Audience', 'audience', 10);
  if (audience.length === 0) throw validation("Value null at 'audience' failed to satisfy constraint: Member must not be null");
  if (!audience.every((a) => a.length >= 1 && a.length <= 1000)) {
    throw validation("Value at 'audience' failed to satisfy constraint: Member must have length between 1 and 1000");
  }
  const algorithm = signingAlgorithm(params.get('SigningAlgorithm'));
  const duration = durationSeconds(params.get('DurationSeconds'));
  const tags = requestTags(params);
  if (!issuer.enabled) {
    throw new StsError(403, 'OutboundWebIdentityFederationDisabledException', 'Outbound web identity federation is not enabled for this account.');
  }
  const sub = subjectOf(caller);
  const iat = Math.floor(now / 1000);
  const exp = iat + duration;
  if (caller.expiresAt !== undefined && exp * 1000 > caller.expiresAt) {
    throw new StsError(403, 'SessionDurationEscalationException', 'The requested token duration would extend the session beyond its original expiration time.');
  }
  const claims: JWTPayload = {
    iss: issuer.issuerFor(caller.account),
    sub,
    aud: audience.length === 1 ? audience[0] : audience,
    iat,
    exp,
    jti: randomUUID(),
    [AWS_CLAIMS_NAMESPACE]: {
      aws_account: caller.account,
      source_region: request.region,
      principal_id: caller.userId,
      ...(caller.expiresAt !== undefined ? { original_session_exp: isoSeconds(caller.expiresAt) } : {}),
      ...(tags ? { request_tags: tags } : {}),
    },
  };
  if (Buffer.byteLength(JSON.stringify(claims)) > MAX_PAYLOAD_BYTES) {
    throw new StsError(400, 'JWTPayloadSizeExceededException', 'The requested token payload size exceeds the maximum allowed size.');
  }
  const token = await issuer.sign(claims, algorithm);
  return { WebIdentityToken: token, Expiration: isoSeconds(exp * 1000) };
}

function validation(detail: string): StsError {
  return stsErrors.validation(`1 validation error detected: ${detail}`);
}

// Query-protocol lists: `<Name>.member.1`, `<Name>.member.2`, … numbered from 1 without gaps.
function listParam(params: ReadonlyMap<string, string>, name: string, field: string, max: number): string[] {
  const pattern = new RegExp(`^${name}\\.member\\.([1-9]\\d{0,3})$`);
  const byIndex = new Map<number, string>();
  for (const [key, value] of params) {
    const match = pattern.exec(key);
    if (match) byIndex.set(Number(match[1]), value);
  }
  if (byIndex.size > max) throw validation(`Value at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${max}`);
  const values: string[] = [];
  for (let i = 1; i <= byIndex.size; i++) {
    const value = byIndex.get(i);
    if (value === undefined) throw validation(`Value at '${field}' failed to satisfy constraint: list members must be numbered from 1 without gaps`);
    values.push(value);
  }
  return values;
}

function signingAlgorithm(raw: string | undefined): SigningAlgorithm {
  if (raw === undefined) throw validation("Value null at 'signingAlgorithm' failed to satisfy constraint: Member must not be null");
  if (raw !== 'RS256' && raw !== 'ES384') {
    throw validation("Value at 'signingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [RS256, ES384]");
  }
  return raw;
}

function durationSeconds(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_DURATION_SECONDS;
  const value = /^\d{1,6}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= 60 && value <= 3600)) {
    throw validation("Value at 'durationSeconds' failed to satisfy constraint: Member must have value between 60 and 3600");
  }
  return value;
}

function requestTags(params: ReadonlyMap<string, string>): Record<string, string> | undefined {
  const pattern = /^Tags\.member\.([1-9]\d{0,3})\.(Key|Value)$/;
  const byIndex = new Map<number, { Key?: string; Value?: string }>();
  for (const [key, value] of params) {
    const match = pattern.exec(key);
    if (!match) continue;
    const entry = byIndex.get(Number(match[1])) ?? {};
    entry[match[2] as 'Key' | 'Value'] = value;
    byIndex.set(Number(match[1]), entry);
  }
  if (byIndex.size === 0) return undefined;
  if (byIndex.size > MAX_TAGS) throw validation(`Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to ${MAX_TAGS}`);
  const tags: Record<string, string> = {};
  const seen = new Set<string>();
  for (let i = 1; i <= byIndex.size; i++) {
    const tag = byIndex.get(i);
    if (tag?.Key === undefined || tag.Value === undefined) throw validation(`Value null at 'tags.${i}.member' failed to satisfy constraint: Key and Value must not be null`);
    if (tag.Key.length < 1 || tag.Key.length > 128 || !TAG_TEXT.test(tag.Key)) {
      throw validation(`Value at 'tags.${i}.member.key' failed to satisfy constraint: Member must have length between 1 and 128 and match [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+`);
    }
    if (tag.Value.length > 256 || !TAG_TEXT.test(tag.Value)) {
      throw validation(`Value at 'tags.${i}.member.value' failed to satisfy constraint: Member must have length less than or equal to 256 and match [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*`);
    }
    // Tag keys are case-insensitively unique, as for session tags.
    if (seen.has(tag.Key.toLowerCase())) throw stsErrors.validation('Duplicate tag keys found. Tag keys are case insensitive.');
    seen.add(tag.Key.toLowerCase());
    tags[tag.Key] = tag.Value;
  }
  return tags;
}

// IAM users are their own subject; a role session's subject is its role. Root and federated users
// cannot get web identity tokens.
function subjectOf(caller: Principal): string {
  const match = /^arn:([\w-]+):(iam|sts)::(\d{12}):(user|role|assumed-role)\/(.+)$/.exec(caller.arn);
  if (!match) throw stsErrors.accessDenied(`User: ${caller.arn} is not authorized to perform: sts:GetWebIdentityToken`);
  const [, partition, service, account, type, rest] = match as unknown as [string, string, string, string, string, string];
  if (type === 'assumed-role' && service === 'sts') {
    return caller.roleArn ?? `arn:${partition}:iam::${account}:role/${rest.slice(0, rest.lastIndexOf('/'))}`;
  }
  if (service !== 'iam' || type === 'assumed-role') throw stsErrors.accessDenied(`User: ${caller.arn} is not authorized to perform: sts:GetWebIdentityToken`);
  return caller.arn;
}
