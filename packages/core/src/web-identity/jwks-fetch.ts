/**
 * The one way callerid fetches a JWKS: jose's `customFetch` hook, implemented on undici so that the
 * fetch has the limits jose's default lacks. https only (http only for loopback, for tests and
 * sts-local), exactly the expected URL, no redirects, header/body timeouts and a body size cap.
 */
import type { FetchImplementation } from 'jose';
import { request, type Dispatcher } from 'undici';
import { causeOf, channels, since } from '../diagnostics.js';
import { isLoopback } from '../presigned/sts-client.js';

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
  timeoutMs: number;
  maxBytes: number;
  dispatcher?: Dispatcher;
}

/** Whether `url` may be dialled: https anywhere, plain http only to a loopback IP literal. */
export function isAllowedFetchUrl(url: URL): boolean {
  if (url.username || url.password) return false;
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && isLoopback(url.hostname);
}

/** Builds the `customFetch` for one issuer's JWKS URL. */
export function createJwksFetch(options: JwksFetchOptions): FetchImplementation {
  const expected = new URL(options.url);
  if (!isAllowedFetchUrl(expected)) throw new TypeError('JWKS URLs must use https (http only for loopback addresses)');
  const href = expected.href;
  return async (url, init) => {
    if (url !== href) throw new JwksFetchError('Refusing to fetch an unexpected JWKS URL');
    // undici's request() never follows redirects: a 3xx is just a non-200 answer below.
    const response = await request(href, {
      method: 'GET',
      headers: { accept: 'application/json, application/jwk-set+json', 'user-agent': 'callerid' },
      signal: init.signal ?? undefined,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    });
    if (response.statusCode !== 200) {
      await discard(response.body);
      throw new JwksFetchError(`The JWKS endpoint answered HTTP ${response.statusCode}`);
    }
    const text = await readCapped(response.body, options.maxBytes, response.headers['content-length']);
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

async function readCapped(body: Dispatcher.ResponseData['body'], maxBytes: number, contentLength: string | string[] | undefined): Promise<string> {
  if (typeof contentLength === 'string' && Number(contentLength) > maxBytes) {
    await discard(body);
    throw new JwksFetchError('The JWKS response is too large');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Leaving the loop by throwing destroys the stream (and with it the connection).
    if (size > maxBytes) throw new JwksFetchError('The JWKS response is too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
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
