/**
 * The one way callerid fetches a JWKS: jose's `customFetch` hook, implemented on undici so that the
 * fetch has the limits jose's default lacks. https only (http only for loopback, for tests and
 * sts-local), exactly the expected URL, no redirects, header/body timeouts and a body size cap.
 */
import type { FetchImplementation } from 'jose';
import type { Dispatcher } from 'undici';
import { causeOf, channels, since } from '../diagnostics.js';
import { readCapped } from '../outbound/capped-read.js';
import { isAllowedFetchUrl } from '../outbound/https-or-loopback.js';
import { OutboundPool } from '../outbound/pool.js';

/** Default cap on a JWKS response body. AWS's JWKS is under 2 KiB. */
export const DEFAULT_MAX_JWKS_BYTES = 64 * 1024;
/** A JWKS with more keys than this is refused (AWS publishes two). */
export const MAX_JWKS_KEYS = 100;

/** Why a JWKS could not be fetched. Never carries the response body; its message is a fixed text (plus a status). */
export class JwksFetchError extends Error {
  override readonly name = 'JwksFetchError';
}

/** Limits for {@link createJwksFetch}. */
export interface JwksFetchOptions {
  /** The JWKS URL; any other URL is refused. */
  url: string;
  /** The connections, timeouts and body cap of JWKS fetches (see {@link createJwksPool}). */
  pool: OutboundPool;
}

/** Default bound on one JWKS fetch (connect, headers and body). */
export const DEFAULT_JWKS_TIMEOUT_MS = 5_000;

/**
 * The JWKS fetches' outbound pool: `dispatcher` when given, else an agent of its own with the
 * timeouts and the size cap set. The cap applies to every dispatcher: the reader enforces it too.
 */
export function createJwksPool(options: { timeoutMs?: number | undefined; maxBytes?: number | undefined } = {}, dispatcher?: Dispatcher): OutboundPool {
  const limits = { timeoutMs: options.timeoutMs ?? DEFAULT_JWKS_TIMEOUT_MS, maxResponseBytes: options.maxBytes ?? DEFAULT_MAX_JWKS_BYTES };
  return new OutboundPool(limits, dispatcher);
}

/** Builds the `customFetch` for one issuer's JWKS URL. */
export function createJwksFetch(options: JwksFetchOptions): FetchImplementation {
  const expected = new URL(options.url);
  if (!isAllowedFetchUrl(expected)) throw new TypeError('JWKS URLs must use https (http only for loopback addresses)');
  const href = expected.href;
  return async (url, init) => {
    if (url !== href) throw new JwksFetchError('Refusing to fetch an unexpected JWKS URL');
    const { pool } = options;
    const dispatcher = await pool.dispatcher();
    // A dispatcher's request() never follows redirects: a 3xx is just a non-200 answer below.
    const response = await dispatcher.request({
      origin: expected.origin,
      path: `${expected.pathname}${expected.search}`,
      method: 'GET',
      headers: { accept: 'application/json, application/jwk-set+json', 'user-agent': 'callerid' },
      ...pool.timeouts(init.signal),
    });
    if (response.statusCode !== 200) {
      await discard(response.body);
      throw new JwksFetchError(`The JWKS endpoint answered HTTP ${response.statusCode}`);
    }
    const text = await readCapped(response, pool.limits.maxResponseBytes, () => new JwksFetchError('The JWKS response is too large'));
    checkKeyCount(text);
    return new Response(text, { status: 200, headers: { 'content-type': 'application/json' } });
  };
}

/** `fetch`, publishing a `JwksEvent` per fetch of `issuer`'s keys while `callerid:jwks` has subscribers. */
export function withJwksEvents(issuer: string, fetch: FetchImplementation): FetchImplementation {
  return async (url, init) => {
    if (!channels.jwks.hasSubscribers) return fetch(url, init);
    const start = performance.now();
    try {
      const response = await fetch(url, init);
      channels.jwks.publish({ issuer, outcome: 'ok', durationMs: since(start) });
      return response;
    } catch (err) {
      channels.jwks.publish({ issuer, outcome: 'unavailable', durationMs: since(start), cause: jwksCause(err) });
      throw err;
    }
  };
}

// Our own fetch errors carry fixed texts (never the body); anything else only its class and code.
function jwksCause(err: unknown): string {
  return err instanceof JwksFetchError ? err.message : causeOf(err);
}

// Drops an unwanted body without reading more than a little of it.
async function discard(body: Dispatcher.ResponseData['body']): Promise<void> {
  await body.dump({ limit: 4096 }).catch(() => undefined);
}

// jose validates the key set itself; this only bounds how much work one response can cause.
function checkKeyCount(text: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new JwksFetchError('The JWKS response is not JSON');
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length > MAX_JWKS_KEYS) throw new JwksFetchError('The JWKS response is not a usable key set');
}
