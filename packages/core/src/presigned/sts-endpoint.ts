/**
 * How a verifier reaches STS, settled when it is created: the endpoint option, the bounds on a round
 * trip, and the connection pool. The replay itself (`sts-client.ts`) is loaded on the first cache miss.
 */
import type { Dispatcher } from 'undici';
import { isHttpsOrLoopback } from '../outbound/https-or-loopback.js';
import { OutboundPool } from '../outbound/pool.js';

/** Largest STS answer read; a GetCallerIdentity answer is a few hundred bytes. */
export const MAX_STS_RESPONSE_BYTES = 64 * 1024;

/** Default bound on one STS round trip (connect, headers and body). */
export const DEFAULT_STS_TIMEOUT_MS = 5_000;

/** STS's outbound pool: `dispatcher` when given, else a keep-alive agent of its own with every timeout and the size cap set. */
export function createStsPool(timeoutMs: number, dispatcher?: Dispatcher): OutboundPool {
  return new OutboundPool({ timeoutMs, maxResponseBytes: MAX_STS_RESPONSE_BYTES, keepAliveTimeoutMs: 30_000 }, dispatcher);
}

/** Checks a configured STS endpoint: https, or http to a loopback address; origin only. */
export function parseStsEndpoint(value: string | URL): URL {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new TypeError('stsEndpoint must be an absolute URL.');
  }
  if (!isHttpsOrLoopback(url)) {
    throw new TypeError('stsEndpoint must use https (plain http only for loopback addresses).');
  }
  if (url.username || url.password || url.search || url.hash || url.pathname !== '/') {
    throw new TypeError('stsEndpoint must be an origin only (no path, query, fragment or credentials).');
  }
  return url;
}
