/**
 * Everything about a web identity token that can be decided without the issuer's keys: size and
 * shape, the header, the issuer allow-list and the claims. The verifier runs these before it fetches
 * anything; `parseWebIdentityToken` runs them alone, for tools that inspect a token.
 */
import { CallerIdError } from '../errors.js';
import { checkClaims, MAX_WEB_IDENTITY_LIFETIME_SECONDS, type CheckedClaims } from './claims.js';
import { decodeCompactJwt, DEFAULT_MAX_JWT_BYTES } from './compact.js';
import { checkHeader, normalizeAlgorithms, type WebIdentityAlgorithm, type WebIdentityHeader } from './header.js';

/** The settings of the local checks, as callers give them. */
export interface LocalCheckOptions {
  /** Allowed signing algorithms, a subset of `['RS256', 'ES384']` (the default). */
  algorithms?: WebIdentityAlgorithm[];
  /** Longest accepted `exp - iat`. At most (and by default) 3600. */
  maxLifetimeSeconds?: number;
  /** Clock skew tolerated on `exp`, `iat` and `nbf`. Default 60 s. */
  clockToleranceSeconds?: number;
  /** Accept tokens whose `aud` also lists audiences not in `audiences`. Default `false`. */
  allowExtraAudiences?: boolean;
  /** Cap on the token size in bytes. Default (and at most) 16 KiB. */
  maxTokenBytes?: number;
}

/** The settings of the local checks, validated. */
export interface LocalRules {
  algorithms: ReadonlySet<WebIdentityAlgorithm>;
  /** `undefined`: `aud` is only checked for shape. */
  audiences: ReadonlySet<string> | undefined;
  maxLifetimeSeconds: number;
  toleranceSeconds: number;
  allowExtraAudiences: boolean;
  maxTokenBytes: number;
}

const DEFAULT_TOLERANCE_SECONDS = 60;
const MAX_TOLERANCE_SECONDS = 300;

/** Validates the settings once (a typo fails at start-up, not per request). Throws `TypeError`. */
export function localRules(options: LocalCheckOptions, audiences: readonly string[] | undefined): LocalRules {
  if (audiences !== undefined && (!Array.isArray(audiences) || audiences.length === 0 || !audiences.every((a) => typeof a === 'string' && a.length > 0))) {
    throw new TypeError('webIdentity.audiences must be a non-empty array of non-empty strings');
  }
  const maxLifetimeSeconds = options.maxLifetimeSeconds ?? MAX_WEB_IDENTITY_LIFETIME_SECONDS;
  if (!Number.isInteger(maxLifetimeSeconds) || maxLifetimeSeconds < 1 || maxLifetimeSeconds > MAX_WEB_IDENTITY_LIFETIME_SECONDS) {
    throw new TypeError(`webIdentity.maxLifetimeSeconds must be an integer from 1 to ${MAX_WEB_IDENTITY_LIFETIME_SECONDS}`);
  }
  const toleranceSeconds = options.clockToleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (!Number.isFinite(toleranceSeconds) || toleranceSeconds < 0 || toleranceSeconds > MAX_TOLERANCE_SECONDS) {
    throw new TypeError(`webIdentity.clockToleranceSeconds must be from 0 to ${MAX_TOLERANCE_SECONDS}`);
  }
  const maxTokenBytes = options.maxTokenBytes ?? DEFAULT_MAX_JWT_BYTES;
  if (!Number.isInteger(maxTokenBytes) || maxTokenBytes < 64 || maxTokenBytes > DEFAULT_MAX_JWT_BYTES) {
    throw new TypeError(`webIdentity.maxTokenBytes must be an integer from 64 to ${DEFAULT_MAX_JWT_BYTES}`);
  }
  return {
    algorithms: normalizeAlgorithms(options.algorithms),
    audiences: audiences === undefined ? undefined : new Set(audiences),
    maxLifetimeSeconds,
    toleranceSeconds,
    allowExtraAudiences: options.allowExtraAudiences === true,
    maxTokenBytes,
  };
}

/** A token that passed the local checks. */
export interface LocallyChecked {
  header: WebIdentityHeader;
  claims: CheckedClaims;
}

/**
 * Size and shape → header allow-list → issuer (`trusted(iss)`, before anything that could lead to a
 * fetch) → claims. Throws the first failure as a `CallerIdError`.
 */
export function checkLocally(token: string, rules: LocalRules, trusted: (iss: string) => boolean, nowMs: number): LocallyChecked {
  if (typeof token !== 'string') throw new CallerIdError('jwt_malformed');
  const { header, payload } = decodeCompactJwt(token, rules.maxTokenBytes);
  const checkedHeader = checkHeader(header, rules.algorithms);
  if (typeof payload.iss !== 'string' || !trusted(payload.iss)) throw new CallerIdError('jwt_issuer');
  const claims = checkClaims(payload, {
    audiences: rules.audiences,
    allowExtraAudiences: rules.allowExtraAudiences,
    nowSeconds: nowMs / 1000,
    toleranceSeconds: rules.toleranceSeconds,
    maxLifetimeSeconds: rules.maxLifetimeSeconds,
  });
  return { header: checkedHeader, claims };
}
