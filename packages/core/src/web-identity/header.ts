/**
 * The JOSE header rules for AWS web identity tokens. AWS signs with `{ alg, kid, typ: 'JWT' }`; the
 * checks here keep every header trick that has ever forged a JWT out of the signature step.
 */
import { CallerIdError } from '../errors.js';
import type { JsonObject } from './compact.js';

/** The algorithms AWS STS signs web identity tokens with. */
export type WebIdentityAlgorithm = 'RS256' | 'ES384';

/** Every algorithm callerid can accept; a configured allow-list must be a subset of this. */
export const WEB_IDENTITY_ALGORITHMS: readonly WebIdentityAlgorithm[] = ['RS256', 'ES384'];

/**
 * Header parameters that carry or point at a key (`jku`, `x5u`, `jwk`, `x5c`), or change how the
 * token must be processed (`crit`, `b64`, `zip`, `enc`). Keys only ever come from the configured
 * issuer's JWKS, so a token carrying any of these is refused outright rather than silently ignored:
 * nothing legitimate from AWS sends them, and refusing makes the intent visible in the error code.
 */
const FORBIDDEN_PARAMETERS = ['jku', 'x5u', 'jwk', 'x5c', 'crit', 'b64', 'zip', 'enc'] as const;

const MAX_KID_LENGTH = 256;

/** The validated header fields the rest of verification uses. */
export interface WebIdentityHeader {
  alg: WebIdentityAlgorithm;
  kid: string;
}

/**
 * Checks the unverified header against the allow-list. Throws `jwt_algorithm` (`none`, `HS*`, anything
 * not allowed) or `jwt_header` (forbidden parameter, missing `kid`, `typ` other than JWT).
 */
export function checkHeader(header: JsonObject, allowed: ReadonlySet<WebIdentityAlgorithm>): WebIdentityHeader {
  const { alg, kid, typ } = header;
  if (typeof alg !== 'string' || !allowed.has(alg as WebIdentityAlgorithm)) throw new CallerIdError('jwt_algorithm');
  for (const name of FORBIDDEN_PARAMETERS) {
    if (Object.hasOwn(header, name)) throw new CallerIdError('jwt_header');
  }
  if (typeof kid !== 'string' || kid.length === 0 || kid.length > MAX_KID_LENGTH) throw new CallerIdError('jwt_header');
  if (typ !== undefined && (typeof typ !== 'string' || typ.toUpperCase() !== 'JWT')) throw new CallerIdError('jwt_header');
  return { alg: alg as WebIdentityAlgorithm, kid };
}

/** Validates a configured algorithm list (at start-up, so a typo fails fast rather than per request). */
export function normalizeAlgorithms(algorithms: readonly string[] | undefined): ReadonlySet<WebIdentityAlgorithm> {
  const list = algorithms ?? WEB_IDENTITY_ALGORITHMS;
  if (!Array.isArray(list) || list.length === 0) throw new TypeError('webIdentity.algorithms must be a non-empty array');
  for (const alg of list) {
    if (!WEB_IDENTITY_ALGORITHMS.includes(alg as WebIdentityAlgorithm)) {
      throw new TypeError(`webIdentity.algorithms may only contain ${WEB_IDENTITY_ALGORITHMS.join(', ')}`);
    }
  }
  return new Set(list as WebIdentityAlgorithm[]);
}
