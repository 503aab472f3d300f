/**
 * `parseWebIdentityToken`: the local half of web identity verification, on its own — what
 * `parseToken` is to presigned tokens. It never checks the signature (that needs the issuer's keys).
 */
import type { PrincipalType, WebIdentityClaims } from '../authz/identity.js';
import type { WebIdentityAlgorithm } from './header.js';
import { checkLocally, localRules, type LocalCheckOptions } from './local-checks.js';

/** Options of {@link parseWebIdentityToken}. */
export interface ParseWebIdentityTokenOptions extends LocalCheckOptions {
  /** The current time in epoch ms. Default `Date.now()`. */
  now?: number;
  /** When given, `iss` must be exactly one of these; otherwise any string issuer passes. */
  issuers?: readonly string[];
  /** When given, `aud` must name one of these (and, by default, no other); otherwise only its shape is checked. */
  audiences?: readonly string[];
}

/** A web identity token that passed every local check. Its signature has **not** been checked. */
export interface ParsedWebIdentityToken {
  algorithm: WebIdentityAlgorithm;
  keyId: string;
  issuer: string;
  /** The IAM role or user ARN. */
  subject: string;
  audience: string[];
  issuedAt: Date;
  expiresAt: Date;
  lifetimeSeconds: number;
  jwtId: string;
  accountId: string;
  partition: string;
  principalType: Extract<PrincipalType, 'role' | 'user'>;
  /** The AWS namespace claims. */
  claims: WebIdentityClaims;
}

/**
 * Runs every local check of web identity verification — size and shape, header allow-list, issuer
 * (when `issuers` is given), claims (audience when `audiences` is given) and the time window — and
 * returns what the token says. Throws a `CallerIdError` with the first failing check's code. The
 * signature is not checked: use `createVerifier({ webIdentity })` to trust a token.
 *
 * @example
 * ```ts
 * const parsed = parseWebIdentityToken(token);
 * console.log(parsed.subject, parsed.expiresAt.toISOString()); // unverified: for display and triage
 * ```
 */
export function parseWebIdentityToken(token: string, options: ParseWebIdentityTokenOptions = {}): ParsedWebIdentityToken {
  const rules = localRules(options, options.audiences);
  const issuers = options.issuers === undefined ? undefined : new Set(options.issuers);
  const { header, claims } = checkLocally(token, rules, (iss) => issuers === undefined || issuers.has(iss), options.now ?? Date.now());
  return {
    algorithm: header.alg,
    keyId: header.kid,
    issuer: claims.iss,
    subject: claims.sub,
    audience: claims.aud,
    issuedAt: new Date(claims.iat * 1000),
    expiresAt: new Date(claims.exp * 1000),
    lifetimeSeconds: claims.exp - claims.iat,
    jwtId: claims.jti,
    accountId: claims.principal.accountId,
    partition: claims.principal.partition,
    principalType: claims.principal.principalType,
    claims: claims.namespace,
  };
}
