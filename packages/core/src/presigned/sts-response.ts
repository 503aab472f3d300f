import { canonicalArnOf, tryParseArn } from '../authz/arn.js';
import { CallerIdError } from '../errors.js';
import type { PresignedIdentity } from '../authz/identity.js';
import type { ParsedToken } from './parse.js';
import { parseStrictJson, type JsonValue } from '../strict-json.js';

/**
 * STS's answer to a replayed GetCallerIdentity (spec steps 7–8): parsed strictly, and the only source
 * of the identity. Nothing about the caller is taken from the token.
 *
 * `{"GetCallerIdentityResponse":{"GetCallerIdentityResult":{"Account","Arn","UserId"},"ResponseMetadata":{"RequestId"}}}`
 */

const ACCOUNT = /^\d{12}$/;
const UNIQUE_ID = /^[A-Z0-9]{16,128}$/;
const MAX_FIELD_LENGTH = 2048;

type JsonObject = { [key: string]: JsonValue };

/** Turns a 200 body into the caller's identity, or throws `sts_response_invalid`. */
export function identityFromStsResponse(body: string, token: ParsedToken): PresignedIdentity {
  const invalid = (why: string): never => {
    throw new CallerIdError('sts_response_invalid', { cause: new Error(`STS response: ${why}`) });
  };

  let root: JsonValue;
  try {
    root = parseStrictJson(body);
  } catch (err) {
    return invalid((err as Error).message);
  }
  const response = onlyKeys(root, ['GetCallerIdentityResponse'], ['GetCallerIdentityResponse'])?.GetCallerIdentityResponse;
  const envelope = onlyKeys(response, ['GetCallerIdentityResult'], ['GetCallerIdentityResult', 'ResponseMetadata']);
  if (!envelope) return invalid('not exactly one GetCallerIdentityResult');
  if (envelope.ResponseMetadata !== undefined && !onlyKeys(envelope.ResponseMetadata, [], ['RequestId'])) return invalid('malformed ResponseMetadata');
  const result = onlyKeys(envelope.GetCallerIdentityResult, ['Account', 'Arn', 'UserId'], ['Account', 'Arn', 'UserId']);
  if (!result) return invalid('the result must hold exactly Account, Arn and UserId');

  const { Account: account, Arn: arn, UserId: userId } = result;
  if (typeof account !== 'string' || !ACCOUNT.test(account)) return invalid('Account is not 12 digits');
  if (typeof arn !== 'string' || typeof userId !== 'string' || userId.length === 0 || userId.length > MAX_FIELD_LENGTH) return invalid('Arn or UserId missing');
  const parsed = tryParseArn(arn);
  if (!parsed) return invalid('Arn is not an IAM principal ARN');
  if (parsed.accountId !== account) return invalid('Account differs from the ARN account');
  if (parsed.partition !== token.partition) return invalid('the ARN partition differs from the token endpoint partition');
  if (!userIdMatches(userId, parsed.principalType, parsed.sessionName ?? parsed.userName, account)) return invalid('UserId does not fit the ARN');

  const identity: PresignedIdentity = {
    arn,
    canonicalArn: canonicalArnOf(parsed),
    accountId: account,
    partition: parsed.partition,
    principalType: parsed.principalType,
    userId,
    tokenType: 'presigned',
    stsHost: token.stsHost,
    accessKeyId: token.accessKeyId,
    region: token.region,
    expiresAt: token.expiresAt.toISOString(),
  };
  if (parsed.sessionName !== undefined) identity.sessionName = parsed.sessionName;
  if (parsed.roleName !== undefined) identity.roleName = parsed.roleName;
  if (parsed.userName !== undefined) identity.userName = parsed.userName;
  return identity;
}

/** The object itself when it has every `required` key and no key outside `allowed`. */
function onlyKeys(value: JsonValue | undefined, required: readonly string[], allowed: readonly string[]): JsonObject | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  for (const key of Object.keys(value)) if (!allowed.includes(key)) return undefined;
  for (const key of required) if (!Object.hasOwn(value, key)) return undefined;
  return value;
}

/**
 * `UserId` shapes per principal type: `AIDA…` for users, `<AROA…>:<session>` for assumed roles (exactly
 * two parts, the session that of the ARN), the account id for root, `<account>:<name>` for federated users.
 */
function userIdMatches(userId: string, type: PresignedIdentity['principalType'], name: string | undefined, account: string): boolean {
  switch (type) {
    case 'user':
    case 'role':
      return UNIQUE_ID.test(userId);
    case 'root':
      return userId === account;
    case 'assumed-role':
    case 'federated-user': {
      const parts = userId.split(':');
      if (parts.length !== 2 || parts[1] !== name) return false;
      return type === 'assumed-role' ? UNIQUE_ID.test(parts[0]!) : parts[0] === account;
    }
  }
}
