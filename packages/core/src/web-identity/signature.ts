/**
 * The half of web identity verification that needs the issuer's keys: jose's signature check against
 * each trusted issuer's JWKS. `verify.ts` loads this module (and with it jose) on the first token
 * that reaches the signature check, so a server that never sees one never loads jose.
 */
import { compactVerify } from 'jose';
import type { OutboundPool } from '../outbound/pool.js';
import type { WebIdentityAlgorithm } from './header.js';
import { IssuerKeys, type JwksOptions } from './jwks.js';

/** Checks a token's signature with the keys of its (already trusted) issuer; rejects with jose's error. */
export type SignatureCheck = (token: string, issuer: string) => Promise<unknown>;

/** The signature check for `issuers`, their keys fetched through `pool`. */
export function createSignatureCheck(
  issuers: readonly string[],
  algorithms: ReadonlySet<WebIdentityAlgorithm>,
  jwks: JwksOptions | undefined,
  pool: OutboundPool,
): SignatureCheck {
  const keys = new Map(issuers.map((issuer) => [issuer, new IssuerKeys(issuer, jwks ?? {}, pool)]));
  const options = { algorithms: [...algorithms] };
  // jose checks the signature over exactly the bytes whose claims `checkLocally` read (algorithm
  // allow-list, key-type binding, `crit`). The claims need no second pass through jose's `jwtVerify`:
  // ours are a strict superset of its registered-claim checks (issuer, audience, exp/iat/nbf with
  // tolerance, plus jti, lifetime and subject), and a second JSON parse and claim walk would only
  // slow every verification down.
  return (token, issuer) => compactVerify(token, keys.get(issuer)!.getKey, options);
}
