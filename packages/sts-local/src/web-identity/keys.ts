/**
 * The issuer's signing keys, shaped like AWS's: an RSA-2048 key (`kid` `RSA_<n>`, its JWK without
 * `alg`) and a P-384 key (`kid` `EC384_<n>`). Keys are generated on first use, not at start-up, so an
 * sts-local that never issues a JWT pays nothing. `rotate()` starts generation n+1; the JWKS keeps
 * publishing generation n beside it, so tokens signed just before a rotation still verify.
 */
import { exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';

/** The algorithms GetWebIdentityToken signs with. */
export type SigningAlgorithm = 'RS256' | 'ES384';

/** One generation of keys. */
export interface KeyGeneration {
  readonly generation: number;
  /** The private key and `kid` to sign with, per algorithm. */
  readonly signers: Readonly<Record<SigningAlgorithm, { readonly kid: string; readonly key: CryptoKey }>>;
  /** The public JWKs of this generation. */
  readonly jwks: readonly JWK[];
}

async function generate(generation: number): Promise<KeyGeneration> {
  const [rsa, ec] = await Promise.all([
    generateKeyPair('RS256', { modulusLength: 2048, extractable: true }),
    generateKeyPair('ES384', { extractable: true }),
  ]);
  const rsaKid = `RSA_${generation}`;
  const ecKid = `EC384_${generation}`;
  // AWS publishes the RSA key without `alg` (so verifiers must bind it by key type) and the EC key with it.
  const { kty: rsaKty, n, e } = await exportJWK(rsa.publicKey);
  const { kty: ecKty, crv, x, y } = await exportJWK(ec.publicKey);
  return {
    generation,
    signers: { RS256: { kid: rsaKid, key: rsa.privateKey }, ES384: { kid: ecKid, key: ec.privateKey } },
    jwks: [
      { kty: rsaKty, kid: rsaKid, use: 'sig', n, e },
      { kty: ecKty, kid: ecKid, use: 'sig', alg: 'ES384', crv, x, y },
    ],
  };
}

/** The current and previous key generations of the issuer. */
export class SigningKeys {
  #current: Promise<KeyGeneration> | undefined;
  #previous: Promise<KeyGeneration> | undefined;
  #next = 0;

  /** The generation to sign with (generated on first call). */
  current(): Promise<KeyGeneration> {
    this.#current ??= generate(this.#next++);
    return this.#current;
  }

  /** The JWKS: the current generation's keys, then the previous generation's. */
  async jwks(): Promise<{ keys: JWK[] }> {
    const [current, previous] = await Promise.all([this.current(), this.#previous]);
    return { keys: [...current.jwks, ...(previous?.jwks ?? [])] };
  }

  /** Replaces the signing keys with a new generation; the old one stays published until the next rotation. */
  rotate(): Promise<KeyGeneration> {
    this.#previous = this.#current;
    this.#current = generate(this.#next++);
    return this.#current;
  }
}
