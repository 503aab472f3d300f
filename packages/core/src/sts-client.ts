import { Agent, type Dispatcher } from 'undici';
import { CallerIdError, type CallerIdErrorCode } from './errors.js';
import type { ParsedToken } from './parse.js';

/**
 * Replays a locally validated presigned URL to STS (spec step 6) and classifies what comes back. The
 * request goes exactly as signed, to the token's own host or to a configured endpoint that keeps the
 * original `Host`; redirects are never followed; every wait is bounded and the answer is size-capped.
 */

/** Largest STS answer read; a GetCallerIdentity answer is a few hundred bytes. */
export const MAX_STS_RESPONSE_BYTES = 64 * 1024;

/** Default bound on one STS round trip (connect, headers and body). */
export const DEFAULT_STS_TIMEOUT_MS = 5_000;

/** Where and how to reach STS. */
export interface StsReplayConfig {
  /** The server's own audience, sent as `x-k8s-aws-id`. */
  readonly audience: string;
  /** Dial here instead of the token's host (a VPC endpoint, sts-local). */
  readonly endpoint: URL | undefined;
  readonly dispatcher: Dispatcher;
  readonly timeoutMs: number;
  readonly realm: string | undefined;
}

// STS error codes that mean "slow down", whatever the HTTP status.
const THROTTLING_CODES = new Set([
  'Throttling', 'ThrottlingException', 'ThrottledException', 'RequestThrottled', 'RequestThrottledException',
  'RequestLimitExceeded', 'TooManyRequestsException', 'SlowDown',
]);
const ERROR_CODE = /^[A-Za-z][A-Za-z0-9.]{0,63}$/;

/** A keep-alive connection pool per STS origin, with every timeout and the size cap set. */
export function createStsAgent(timeoutMs: number): Agent {
  return new Agent({
    connectTimeout: timeoutMs,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    keepAliveTimeout: 30_000,
    maxResponseSize: MAX_STS_RESPONSE_BYTES,
  });
}

/** Checks a configured STS endpoint: https, or http to a loopback address; origin only. */
export function parseStsEndpoint(value: string | URL): URL {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new TypeError('stsEndpoint must be an absolute URL.');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    throw new TypeError('stsEndpoint must use https (plain http only for loopback addresses).');
  }
  if (url.username || url.password || url.search || url.hash || url.pathname !== '/') {
    throw new TypeError('stsEndpoint must be an origin only (no path, query, fragment or credentials).');
  }
  return url;
}

/** Whether a URL hostname is a loopback address (where plain http is allowed, for tests and sts-local). */
export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/**
 * GETs the presigned URL from STS and returns the body of a 200 answer. Every other outcome is a
 * `CallerIdError`: `sts_rejected` (a 4xx verdict), `sts_throttled`, `sts_unavailable` (5xx, connection
 * trouble), `sts_timeout`, or `sts_response_invalid` (a redirect, an oversized or odd answer).
 */
export async function replayToSts(token: ParsedToken, config: StsReplayConfig): Promise<string> {
  const url = token.url;
  const signal = AbortSignal.timeout(config.timeoutMs);
  let response: Dispatcher.ResponseData;
  try {
    response = await config.dispatcher.request({
      origin: config.endpoint?.origin ?? `https://${token.stsHost}`,
      path: url.slice(url.indexOf('/', 8)), // `/?Action=…`, byte for byte as signed
      method: 'GET',
      headers: { host: token.stsHost, 'x-k8s-aws-id': config.audience, accept: 'application/json' },
      signal,
      headersTimeout: config.timeoutMs,
      bodyTimeout: config.timeoutMs,
    });
  } catch (err) {
    throw transportFailure(err, config.realm);
  }

  const { statusCode } = response;
  let body: string;
  try {
    body = await readCapped(response.body, response.headers['content-length']);
  } catch (err) {
    throw transportFailure(err, config.realm);
  }
  if (statusCode === 200) return body;
  throw statusFailure(statusCode, body, config.realm);
}

class ResponseTooLargeError extends Error {
  override readonly name = 'ResponseTooLargeError';
}

async function readCapped(body: Dispatcher.ResponseData['body'], contentLength: string | string[] | undefined): Promise<string> {
  if (typeof contentLength === 'string' && Number(contentLength) > MAX_STS_RESPONSE_BYTES) {
    body.destroy();
    throw new ResponseTooLargeError('STS response larger than the cap.');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_STS_RESPONSE_BYTES) {
      body.destroy();
      throw new ResponseTooLargeError('STS response larger than the cap.');
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

function statusFailure(status: number, body: string, realm: string | undefined): CallerIdError {
  const stsCode = errorCodeOf(body);
  const cause = new Error(`STS answered HTTP ${status}${stsCode ? ` ${stsCode}` : ''}.`);
  let code: CallerIdErrorCode;
  if (status === 429 || (stsCode !== undefined && THROTTLING_CODES.has(stsCode))) code = 'sts_throttled';
  else if (status >= 500) code = 'sts_unavailable';
  // A 4xx is STS's verdict on the token (403 SignatureDoesNotMatch, InvalidClientTokenId, ExpiredToken …).
  else if (status >= 400) code = 'sts_rejected';
  // A redirect (never followed) or any other status is not an answer we can trust either way.
  else code = 'sts_response_invalid';
  return new CallerIdError(code, { cause, ...(realm === undefined ? {} : { realm }), retryAfterSeconds: code === 'sts_throttled' ? 2 : 1 });
}

/** The STS error code from a JSON (`{"Error":{"Code"}}`) or XML (`<Code>`) error body; never its message. */
function errorCodeOf(body: string): string | undefined {
  let code: unknown;
  try {
    code = (JSON.parse(body) as { Error?: { Code?: unknown } } | null)?.Error?.Code;
  } catch {
    code = /<Code>([^<]{1,64})<\/Code>/.exec(body)?.[1];
  }
  return typeof code === 'string' && ERROR_CODE.test(code) ? code : undefined;
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function transportFailure(err: unknown, realm: string | undefined): CallerIdError {
  const name = err instanceof Error ? err.name : typeof err;
  const code = typeof (err as { code?: unknown } | null)?.code === 'string' ? (err as { code: string }).code : undefined;
  let kind: CallerIdErrorCode = 'sts_unavailable';
  if (name === 'TimeoutError' || (code !== undefined && TIMEOUT_CODES.has(code))) kind = 'sts_timeout';
  else if (err instanceof ResponseTooLargeError || code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') kind = 'sts_response_invalid';
  // Only the error's class and code: a transport error may quote the request it failed on.
  const cause = new Error(`STS request failed: ${name}${code ? ` (${code})` : ''}.`);
  return new CallerIdError(kind, { cause, ...(realm === undefined ? {} : { realm }) });
}
