/**
 * The per-check report of `callerid decode` for an AWS web identity JWT. Every verdict comes from core's
 * `parseWebIdentityToken`, which runs the local checks in a fixed order and stops at the first failure,
 * so a failure code tells which check failed, that the ones before it passed and that the ones after it
 * were not reached. The signature is never checked here: that needs the issuer's keys (`callerid verify
 * --issuer`).
 */
import { ERROR_CODES, isCallerIdError, parseWebIdentityToken, type CallerIdErrorCode, type ParsedWebIdentityToken } from '@callerid/core';
import type { CheckResult } from './report.js';

interface Step {
  name: string;
  rule: string;
  codes: readonly CallerIdErrorCode[];
}

// In parseWebIdentityToken's order.
const STEPS: readonly Step[] = [
  { name: 'size', rule: 'at most 16384 bytes', codes: ['token_too_large'] },
  { name: 'shape', rule: 'three base64url segments, JSON header and payload', codes: ['jwt_malformed'] },
  { name: 'header', rule: 'alg RS256 or ES384, a kid, no jku/x5u/jwk/x5c/crit', codes: ['jwt_algorithm', 'jwt_header'] },
  { name: 'issuer', rule: 'an iss claim (which issuers to trust is the verifier\'s choice)', codes: ['jwt_issuer'] },
  {
    name: 'claims',
    rule: 'exp, iat, jti; lifetime at most 3600 s; aud; sub an IAM role/user of aws_account',
    codes: ['jwt_claims', 'jwt_lifetime', 'jwt_audience', 'jwt_subject'],
  },
  { name: 'freshness', rule: 'not expired, not issued in the future', codes: ['jwt_expired', 'jwt_not_yet_valid'] },
];

const SIGNATURE_CHECK: CheckResult = { name: 'signature', rule: "needs the issuer's keys: callerid verify --issuer <url>", status: 'not checked' };

/** The report on a JWT as of `now`. */
export interface JwtReport {
  /** What the token says, when every check but freshness passed. */
  parsed: ParsedWebIdentityToken | undefined;
  checks: CheckResult[];
  valid: boolean;
  fresh: boolean | undefined;
}

/** Runs the local checks; `issuedAt` (the token's own `iat`, as displayed) lets an expired token still be shown. */
export function buildJwtReport(token: string, now: number, issuedAt: number | undefined): JwtReport {
  const first = attempt(token, now);
  const failed = first.code === undefined ? STEPS.length : STEPS.findIndex((step) => step.codes.includes(first.code!));
  const checks: CheckResult[] = STEPS.map((step, i) => {
    const base = { name: step.name, rule: step.rule };
    if (first.code === undefined || i < failed) return { ...base, status: 'pass' };
    if (i === failed) return { ...base, status: 'fail', code: first.code, message: ERROR_CODES[first.code].description };
    return { ...base, status: 'not checked' };
  });
  if (first.code !== undefined && failed === -1) checks.unshift({ name: 'other', rule: 'core rejected the token', status: 'fail', code: first.code, message: ERROR_CODES[first.code].description });
  checks.push(SIGNATURE_CHECK);
  const freshnessFailed = failed === STEPS.length - 1;
  const parsed = first.parsed ?? (freshnessFailed && issuedAt !== undefined ? attempt(token, issuedAt).parsed : undefined);
  return {
    parsed,
    checks,
    valid: first.code === undefined,
    fresh: parsed ? first.code === undefined : undefined,
  };
}

function attempt(token: string, now: number): { parsed?: ParsedWebIdentityToken; code?: CallerIdErrorCode } {
  try {
    return { parsed: parseWebIdentityToken(token, { now }) };
  } catch (err) {
    if (isCallerIdError(err)) return { code: err.code };
    throw err;
  }
}

/**
 * The header and payload of a JWT decoded leniently, for a person debugging one that fails a check.
 * Display only — it decides nothing and is labelled unverified. JWT claims are readable by anyone who
 * holds the token; the signature is never shown.
 */
export function jwtRawView(token: string): { header?: unknown; payload?: unknown } | undefined {
  const [header, payload] = token.split('.', 3);
  if (header === undefined || payload === undefined) return undefined;
  return { header: lenientJson(header), payload: lenientJson(payload) };
}

function lenientJson(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment.slice(0, 16_384), 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
