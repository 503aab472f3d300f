/**
 * One issuer's signing keys: jose's remote JWKS (which coalesces concurrent fetches and refetches on
 * an unknown `kid` at most once per cooldown after a success), plus what jose leaves out — a cooldown
 * after a *failed* fetch too, and a bounded stale-if-error: when the JWKS endpoint is down, the last
 * good keys keep working for `staleIfErrorMs` past their normal age, then requests fail with 503.
 *
 * Timing here uses the real clock (`Date.now()`, as jose does): it is about network behaviour, not
 * about token validity, which follows the verifier's injectable clock.
 */
import { createLocalJWKSet, createRemoteJWKSet, customFetch, jwksCache, type FlattenedJWSInput, type JSONWebKeySet, type JWSHeaderParameters, type JWTVerifyGetKey } from 'jose';
import { CallerIdError } from '../errors.js';
import type { OutboundPool } from '../outbound/pool.js';
import { createJwksFetch, withJwksEvents } from './jwks-fetch.js';

/** How the JWKS of each trusted issuer is fetched and cached. */
export interface JwksOptions {
  /** Timeout of one JWKS fetch. Default 5000 ms. */
  timeoutMs?: number;
  /** Minimum time between two fetches triggered by unknown `kid`s or after a failure. Default 30 s. */
  cooldownMs?: number;
  /** How long fetched keys are used before they are refreshed. Default 10 minutes. */
  cacheMaxAgeMs?: number;
  /** How long past `cacheMaxAgeMs` the last good keys still serve while the endpoint fails. Default 1 hour. */
  staleIfErrorMs?: number;
  /** Cap on the JWKS response body. Default 64 KiB. */
  maxBytes?: number;
}

type KeyResult = Awaited<ReturnType<JWTVerifyGetKey>>;
type LocalSet = ReturnType<typeof createLocalJWKSet>;

/** The JWKS URL of an issuer: `{iss}/.well-known/jwks.json`. */
export function jwksUrlFor(issuer: string): string {
  return `${issuer.replace(/\/$/, '')}/.well-known/jwks.json`;
}

/** The signing keys of one trusted issuer. */
export class IssuerKeys {
  readonly #remote: ReturnType<typeof createRemoteJWKSet>;
  // jose records every successful fetch here; it is the last good key set for stale-if-error.
  readonly #cache: { uat?: number; jwks?: JSONWebKeySet } = {};
  readonly #cooldownMs: number;
  readonly #cacheMaxAgeMs: number;
  readonly #staleIfErrorMs: number;
  #failedAt = Number.NEGATIVE_INFINITY;
  #local: { uat: number; set: LocalSet } | undefined;

  /** `pool`: the connections and timeouts of the fetches (see `createJwksPool`). */
  constructor(issuer: string, options: JwksOptions, pool: OutboundPool) {
    const url = jwksUrlFor(issuer);
    this.#cooldownMs = options.cooldownMs ?? 30_000;
    this.#cacheMaxAgeMs = options.cacheMaxAgeMs ?? 600_000;
    this.#staleIfErrorMs = options.staleIfErrorMs ?? 3_600_000;
    this.#remote = createRemoteJWKSet(new URL(url), {
      timeoutDuration: pool.limits.timeoutMs,
      cooldownDuration: this.#cooldownMs,
      cacheMaxAge: this.#cacheMaxAgeMs,
      [customFetch]: withJwksEvents(issuer, createJwksFetch({ url, pool })),
      [jwksCache]: this.#cache as Record<string, never>,
    });
  }

  /** The key for a token header, for jose's `jwtVerify`. Throws `jwt_key_unknown` or `jwks_unavailable`. */
  readonly getKey = (header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<KeyResult> => {
    const now = Date.now();
    const { uat } = this.#cache;
    // The hot path: keys younger than cacheMaxAge that know the kid need no trip through jose's
    // remote set. Anything else (an unknown kid, old keys) takes the path that may fetch. Not an
    // async function: jose awaits this promise itself, and every extra hop delays the signature check.
    if (uat !== undefined && now - uat < this.#cacheMaxAgeMs) {
      return this.#keysFetchedAt(uat)(header, token).catch((err: unknown) => {
        if (!isKeyMismatch(err)) throw err;
        return this.#refetch(header, token, now);
      });
    }
    return this.#refetch(header, token, now);
  };

  async #refetch(header: JWSHeaderParameters, token: FlattenedJWSInput, now: number): Promise<KeyResult> {
    // After a failed fetch, do not dial again until the cooldown has passed: serve what we have.
    if (now - this.#failedAt < this.#cooldownMs) return this.#fromLastGood(header, token, now);
    try {
      return await this.#remote(header, token);
    } catch (err) {
      if (isKeyMismatch(err)) throw new CallerIdError('jwt_key_unknown');
      this.#failedAt = Date.now();
      return this.#fromLastGood(header, token, now, err);
    }
  }

  // The last good key set as a local set, rebuilt only when jose has fetched a new one.
  #keysFetchedAt(uat: number): LocalSet {
    if (this.#local?.uat !== uat) this.#local = { uat, set: createLocalJWKSet(this.#cache.jwks!) };
    return this.#local.set;
  }

  async #fromLastGood(header: JWSHeaderParameters, token: FlattenedJWSInput, now: number, cause?: unknown): Promise<KeyResult> {
    const { uat } = this.#cache;
    if (uat === undefined || now - uat > this.#cacheMaxAgeMs + this.#staleIfErrorMs) {
      throw new CallerIdError('jwks_unavailable', { cause, retryAfterSeconds: this.#retryAfter(now) });
    }
    try {
      return await this.#keysFetchedAt(uat)(header, token);
    } catch (err) {
      if (!isKeyMismatch(err)) throw err;
      // With fresh keys an unknown kid is unknown; with stale ones we cannot tell, so it is a 503.
      if (now - uat <= this.#cacheMaxAgeMs) throw new CallerIdError('jwt_key_unknown');
      throw new CallerIdError('jwks_unavailable', { retryAfterSeconds: this.#retryAfter(now) });
    }
  }

  #retryAfter(now: number): number {
    return Math.max(1, Math.ceil((this.#failedAt + this.#cooldownMs - now) / 1000));
  }
}

// Errors about choosing a key from a set that was fetched fine, as opposed to fetch failures.
function isKeyMismatch(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ERR_JWKS_NO_MATCHING_KEY' || code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS' || code === 'ERR_JOSE_NOT_SUPPORTED';
}
