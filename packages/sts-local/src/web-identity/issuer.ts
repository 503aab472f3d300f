/**
 * sts-local's outbound web identity issuer. AWS gives every account its own issuer
 * `https://<uuid>.tokens.sts.global.api.aws`; sts-local serves one per account over loopback http at
 * `<sts-local url>/issuer/<uuid>`, with the discovery document and JWKS under `/.well-known/`.
 * The uuid is derived from the account id, so an account's issuer URL only changes with the port.
 * All accounts share one key set (AWS keeps one per account; for a local STS that difference only
 * costs key generation time).
 */
import { createHash } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import type { Rendered } from '../responses.js';
import { SigningKeys, type SigningAlgorithm } from './keys.js';

/** The path prefix under which issuers are served. */
export const ISSUER_PATH_PREFIX = '/issuer/';

const WELL_KNOWN = /^\/issuer\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/\.well-known\/(jwks\.json|openid-configuration)$/;

/** Options for the issuer (`webIdentity` in `startStsLocal`). */
export interface WebIdentityIssuerOptions {
  /** Whether GetWebIdentityToken is enabled; default `true`. When off it answers `OutboundWebIdentityFederationDisabledException`. */
  readonly enabled?: boolean | undefined;
}

/** What a well-known request was, for the stats. */
export type WellKnownDocument = 'JWKS' | 'OpenIDConfiguration';

/** The issuer of one sts-local. */
export class WebIdentityIssuer {
  readonly #keys = new SigningKeys();
  readonly #accountsById = new Map<string, string>();
  #enabled: boolean;
  #baseUrl = '';

  constructor(options: WebIdentityIssuerOptions = {}) {
    this.#enabled = options.enabled ?? true;
  }

  /** Set once the server listens: the URL issuers live under. */
  setBaseUrl(url: string): void {
    this.#baseUrl = url.replace(/\/$/, '');
  }

  /** Whether GetWebIdentityToken is enabled. */
  get enabled(): boolean {
    return this.#enabled;
  }

  /** Turns GetWebIdentityToken on or off (as `aws iam enable/disable-outbound-web-identity-federation`). */
  setEnabled(enabled: boolean): void {
    this.#enabled = enabled;
  }

  /** The issuer URL (`iss`) of an account's tokens. */
  issuerFor(account: string): string {
    const id = issuerId(account);
    this.#accountsById.set(id, account);
    return `${this.#baseUrl}${ISSUER_PATH_PREFIX}${id}`;
  }

  /** Rotates the signing keys; the previous keys stay in the JWKS until the next rotation. */
  async rotateKeys(): Promise<void> {
    await this.#keys.rotate();
  }

  /**
   * Signs claims as AWS does: header `{ alg, kid, typ: 'JWT' }`. `kid` overrides the key id written
   * in the header (the signing key stays the current one), for tests of unknown-kid handling.
   */
  async sign(claims: JWTPayload, algorithm: SigningAlgorithm, kid?: string): Promise<string> {
    const signer = (await this.#keys.current()).signers[algorithm];
    return new SignJWT(claims).setProtectedHeader({ alg: algorithm, kid: kid ?? signer.kid, typ: 'JWT' }).sign(signer.key);
  }

  /**
   * Serves `<issuer>/.well-known/jwks.json` and `<issuer>/.well-known/openid-configuration` for the
   * issuers of known accounts; `undefined` for any other path.
   */
  async serveWellKnown(path: string): Promise<{ document: WellKnownDocument; rendered: Rendered } | undefined> {
    const match = WELL_KNOWN.exec(path);
    const account = match ? this.#accountsById.get(match[1]!) : undefined;
    if (!match || account === undefined) return undefined;
    if (match[2] === 'jwks.json') {
      return { document: 'JWKS', rendered: json(await this.#keys.jwks()) };
    }
    return { document: 'OpenIDConfiguration', rendered: json(this.openIdConfiguration(account)) };
  }

  /** The discovery document. Like AWS's, it has no `response_types_supported` (there is no authorize endpoint). */
  openIdConfiguration(account: string): Record<string, unknown> {
    const issuer = this.issuerFor(account);
    return {
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256', 'ES384'],
      claims_supported: ['iss', 'sub', 'aud', 'iat', 'exp', 'jti', 'https://sts.amazonaws.com/'],
    };
  }
}

function json(value: unknown): Rendered {
  return { status: 200, contentType: 'application/json', body: JSON.stringify(value) };
}

// A uuid-shaped id derived from the account, stable across restarts.
function issuerId(account: string): string {
  const hex = createHash('sha256').update(`callerid-sts-local-issuer:${account}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
