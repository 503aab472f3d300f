/**
 * The per-check report of `callerid decode`. Every verdict comes from core's `parseToken` — nothing here
 * decides whether a token is valid. `parseToken` stops at the first failing rule and checks them in the
 * documented order (token-formats.md §1, cheapest first), so a failure code tells which check failed,
 * that the checks before it passed and that the ones after it were not reached. Freshness and the
 * partition allow-list are options of `parseToken`, so each is also asked on its own.
 */
import { ERROR_CODES, PARTITION_IDS, isCallerIdError, parseToken, type CallerIdErrorCode, type ParsedToken } from '@callerid/core';

/** The verdict on one local check. */
export type CheckStatus = 'pass' | 'fail' | 'warn' | 'not checked';

/** One line of the report. */
export interface CheckResult {
  name: string;
  /** What the check requires. */
  rule: string;
  status: CheckStatus;
  /** The error code core reported (fail/warn). */
  code?: CallerIdErrorCode;
  /** Core's fixed description of the code. */
  message?: string;
}

interface Step {
  name: string;
  rule: string;
  codes: readonly CallerIdErrorCode[];
}

// In parseToken's order. Codes core may add later fall into "other" rather than being misfiled.
const STEPS: readonly Step[] = [
  { name: 'size', rule: 'at most 4096 bytes', codes: ['token_too_large'] },
  { name: 'prefix', rule: 'starts with k8s-aws-v1.', codes: ['token_format'] },
  { name: 'encoding', rule: 'strict base64url (no padding, no whitespace)', codes: ['token_encoding'] },
  { name: 'url', rule: 'https, no user info, port or fragment, path /', codes: ['url_malformed', 'url_scheme', 'url_userinfo', 'url_port', 'url_fragment', 'url_path'] },
  { name: 'sts host', rule: 'exactly a known AWS STS endpoint', codes: ['host_not_allowed'] },
  { name: 'query', rule: 'only the GetCallerIdentity parameters, each once (case-insensitively)', codes: ['query_malformed', 'query_duplicate_key', 'query_unknown_key', 'query_missing_key'] },
  {
    name: 'parameters',
    rule: 'action, algorithm, credential scope, signed headers, signature, expiry, session token',
    codes: [
      'action_invalid', 'version_invalid', 'algorithm_invalid', 'date_invalid', 'credential_invalid', 'credential_scope_mismatch',
      'signed_headers_invalid', 'signature_format', 'expires_invalid', 'security_token_invalid',
    ],
  },
  { name: 'freshness', rule: 'signed less than 15 minutes ago and not in the future', codes: ['token_expired', 'token_not_yet_valid'] },
];

const PARTITION_CHECK = { name: 'partition', rule: "accepted by a verifier's default allow-list (aws)" };

/** The report on a token as of `now`. */
export interface DecodeReport {
  /** The parsed token, when every check but freshness passed. */
  parsed: ParsedToken | undefined;
  checks: CheckResult[];
  /** Every check passed (a partition outside the default list is a warning, not a failure). */
  valid: boolean;
  /** The token is within its 15 minutes as of `now` (undefined when it could not be parsed). */
  fresh: boolean | undefined;
}

/**
 * Runs the local checks. `signedAt` is the token's `X-Amz-Date` as displayed (used only to look at an
 * expired token's other fields as of its own signing time).
 */
export function buildReport(token: string, now: number, signedAt: number | undefined): DecodeReport {
  const everyPartition = { allowedPartitions: PARTITION_IDS };
  const first = attempt(token, { ...everyPartition, now });
  const checks = stepResults(first.code);
  let parsed = first.parsed;
  if (!parsed && isFreshnessCode(first.code) && signedAt !== undefined) parsed = attempt(token, { ...everyPartition, now: signedAt }).parsed;

  if (parsed) {
    const partition = attempt(token, { now: parsed.signedAt.getTime() });
    checks.push(
      partition.code === undefined
        ? { ...PARTITION_CHECK, status: 'pass' }
        : { ...PARTITION_CHECK, status: partition.code === 'partition_not_allowed' ? 'warn' : 'fail', code: partition.code, message: describe(partition.code) },
    );
  } else {
    checks.push({ ...PARTITION_CHECK, status: 'not checked' });
  }
  return {
    parsed,
    checks,
    valid: checks.every((check) => check.status === 'pass' || check.status === 'warn'),
    fresh: parsed ? first.code === undefined : undefined,
  };
}

function stepResults(code: CallerIdErrorCode | undefined): CheckResult[] {
  const failed = code === undefined ? STEPS.length : STEPS.findIndex((step) => step.codes.includes(code));
  const results: CheckResult[] = STEPS.map((step, i) => {
    const base = { name: step.name, rule: step.rule };
    if (code === undefined || failed === -1 || i < failed) return { ...base, status: failed === -1 ? 'not checked' : 'pass' };
    if (i === failed) return { ...base, status: 'fail', code, message: describe(code) };
    return { ...base, status: 'not checked' };
  });
  if (code !== undefined && failed === -1) results.unshift({ name: 'other', rule: 'core rejected the token', status: 'fail', code, message: describe(code) });
  return results;
}

function isFreshnessCode(code: CallerIdErrorCode | undefined): boolean {
  return code === 'token_expired' || code === 'token_not_yet_valid';
}

function describe(code: CallerIdErrorCode): string {
  return ERROR_CODES[code].description;
}

function attempt(token: string, options: Parameters<typeof parseToken>[1]): { parsed?: ParsedToken; code?: CallerIdErrorCode } {
  try {
    return { parsed: parseToken(token, options) };
  } catch (err) {
    if (isCallerIdError(err)) return { code: err.code };
    throw err;
  }
}
