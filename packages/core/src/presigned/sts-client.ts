import type { Dispatcher } from 'undici';
import { causeOf, channels, since, type StsEvent } from '../diagnostics.js';
import { CallerIdError, type CallerIdErrorCode } from '../errors.js';
import { readCapped } from '../outbound/capped-read.js';
import type { OutboundPool } from '../outbound/pool.js';
import type { ParsedToken } from './parse.js';
import { MAX_STS_RESPONSE_BYTES } from './sts-endpoint.js';

/**
 * Replays a locally validated presigned URL to STS (spec step 6) and classifies what comes back. The
 * request goes exactly as signed, to the token's own host or to a configured endpoint that keeps the
 * original `Host`; redirects are never followed; every wait is bounded and the answer is size-capped.
 * The verifier loads this module with the first token that must go to STS.
 */

/** Where and how to reach STS. */
export interface StsReplayConfig {
  /** The server's own audience, sent as `x-k8s-aws-id`. */
  readonly audience: string;
  /** Dial here instead of the token's host (a VPC endpoint, sts-local). */
  readonly endpoint: URL | undefined;
  /** The connections and timeouts of STS requests (see `createStsPool`). */
  readonly pool: OutboundPool;
}

// STS error codes that mean "slow down", whatever the HTTP status.
const THROTTLING_CODES = new Set([
  'Throttling', 'ThrottlingException', 'ThrottledException', 'RequestThrottled', 'RequestThrottledException',
  'RequestLimitExceeded', 'TooManyRequestsException', 'SlowDown',
]);
// STS's own verdicts on a request, as AWS error codes: only these, in a 4xx AWS error document, make a
// token rejected. Anything else a 4xx can carry (a proxy's or WAF's HTML page, a VPC endpoint policy
// refusal without STS's document, an unknown code) says nothing about the token: STS is unavailable.
const REFUSAL_CODES: ReadonlyMap<string, CallerIdErrorCode> = new Map<string, CallerIdErrorCode>([
  ['SignatureDoesNotMatch', 'sts_signature_mismatch'],
  ['InvalidClientTokenId', 'sts_unknown_key'],
  ['ExpiredToken', 'sts_expired'],
  ['RequestExpired', 'sts_expired'],
  ...[
    'IncompleteSignature', 'AccessDenied', 'AccessDeniedException', 'MissingAuthenticationToken', 'NotAuthorized',
    'OptInRequired', 'RegionDisabledException', 'InvalidAction', 'MissingAction', 'InvalidParameterValue',
    'InvalidParameterCombination', 'InvalidQueryParameter', 'MalformedQueryString', 'MissingParameter', 'ValidationError',
  ].map((code): [string, CallerIdErrorCode] => [code, 'sts_rejected']),
]);
const ERROR_CODE = /^[A-Za-z][A-Za-z0-9.]{0,63}$/;
// An AWS query-protocol error document: `<ErrorResponse …><Error>…<Code>X</Code>…`.
const XML_ERROR_DOCUMENT = /^\s*(?:<\?xml[^>]{0,200}\?>\s*)?<ErrorResponse(?:\s[^>]{0,500})?>\s*<Error>[\s\S]{0,2000}?<Code>([^<]{1,64})<\/Code>/;

/** What STS said, beyond callerid's code, for the `callerid:sts` diagnostics event. */
const answers = new WeakMap<CallerIdError, { status?: number; stsCode?: string | undefined; cause?: string }>();

/**
 * GETs the presigned URL from STS and returns the body of a 200 answer. Every other outcome is a
 * `CallerIdError`: STS's own refusal (`sts_signature_mismatch`, `sts_unknown_key`, `sts_expired`,
 * `sts_rejected`), `sts_throttled`, `sts_unavailable` (5xx, connection trouble, any answer that is not
 * STS's verdict), `sts_timeout`, or `sts_response_invalid` (a redirect, an oversized or odd answer).
 * Publishes a {@link StsEvent} when `callerid:sts` has subscribers.
 */
export async function replayToSts(token: ParsedToken, config: StsReplayConfig): Promise<string> {
  if (!channels.sts.hasSubscribers) return roundTrip(token, config);
  const start = performance.now();
  const base = { host: token.stsHost, endpoint: config.endpoint?.origin ?? `https://${token.stsHost}` };
  try {
    const body = await roundTrip(token, config);
    publishSts({ ...base, outcome: 'ok', status: 200, durationMs: since(start) });
    return body;
  } catch (err) {
    publishSts(failureEvent(base, err, since(start)));
    throw err;
  }
}

function failureEvent(base: Pick<StsEvent, 'host' | 'endpoint'>, err: unknown, durationMs: number): StsEvent {
  const code = err instanceof CallerIdError ? err.code : undefined;
  const event: StsEvent = { ...base, outcome: code !== undefined && err instanceof CallerIdError && err.status === 401 ? 'rejected' : 'unavailable', durationMs };
  if (code !== undefined) event.code = code;
  const answer = err instanceof CallerIdError ? answers.get(err) : undefined;
  if (answer?.status !== undefined) event.status = answer.status;
  if (answer?.stsCode !== undefined) event.stsCode = answer.stsCode;
  if (answer?.status === undefined) event.cause = answer?.cause ?? causeOf(err);
  return event;
}

function publishSts(event: StsEvent): void {
  channels.sts.publish(event);
}

async function roundTrip(token: ParsedToken, config: StsReplayConfig): Promise<string> {
  const url = token.url;
  const { pool } = config;
  let response: Dispatcher.ResponseData;
  try {
    // The deadline starts once the pool is ready: loading undici on the first request is no part of it.
    const dispatcher = await pool.dispatcher();
    response = await dispatcher.request({
      origin: config.endpoint?.origin ?? `https://${token.stsHost}`,
      path: url.slice(url.indexOf('/', 8)), // `/?Action=…`, byte for byte as signed
      method: 'GET',
      headers: { host: token.stsHost, 'x-k8s-aws-id': config.audience, accept: 'application/json' },
      ...pool.timeouts(),
    });
  } catch (err) {
    throw transportFailure(err);
  }

  const { statusCode } = response;
  let body: string;
  try {
    body = await readCapped(response, MAX_STS_RESPONSE_BYTES, () => new ResponseTooLargeError('STS response larger than the cap.'));
  } catch (err) {
    throw transportFailure(err);
  }
  if (statusCode === 200) return body;
  throw statusFailure(statusCode, body);
}

class ResponseTooLargeError extends Error {
  override readonly name = 'ResponseTooLargeError';
}

function statusFailure(status: number, body: string): CallerIdError {
  const stsCode = errorCodeOf(body);
  const code = classify(status, stsCode);
  const known = stsCode === undefined ? 'no AWS error document' : REFUSAL_CODES.has(stsCode) || THROTTLING_CODES.has(stsCode) ? stsCode : 'an unknown AWS error code';
  const cause = new Error(`STS answered HTTP ${status} (${known}).`);
  const error = new CallerIdError(code, { cause, retryAfterSeconds: code === 'sts_throttled' ? 2 : 1 });
  answers.set(error, { status, stsCode });
  return error;
}

/** callerid's code for a non-200 STS answer: a 401-class refusal only for STS's own, recognised verdict. */
function classify(status: number, stsCode: string | undefined): CallerIdErrorCode {
  if (status === 429 || (stsCode !== undefined && THROTTLING_CODES.has(stsCode))) return 'sts_throttled';
  if (status >= 500) return 'sts_unavailable';
  if (status >= 400) return (stsCode !== undefined && REFUSAL_CODES.get(stsCode)) || 'sts_unavailable';
  // A redirect (never followed) or any other status is not an answer we can trust either way.
  return 'sts_response_invalid';
}

/**
 * The AWS error code of an AWS error document — JSON `{"Error":{"Code"}}` or XML `<ErrorResponse><Error>
 * <Code>` — or `undefined` when the body is not one (an HTML page, an empty body). Never its message.
 */
function errorCodeOf(body: string): string | undefined {
  let code: unknown;
  if (body.trimStart().startsWith('{')) {
    try {
      const error = (JSON.parse(body) as { Error?: { Code?: unknown } } | null)?.Error;
      code = typeof error === 'object' && error !== null ? error.Code : undefined;
    } catch {
      code = undefined;
    }
  } else {
    code = XML_ERROR_DOCUMENT.exec(body)?.[1];
  }
  return typeof code === 'string' && ERROR_CODE.test(code) ? code : undefined;
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function transportFailure(err: unknown): CallerIdError {
  const name = err instanceof Error ? err.name : typeof err;
  const code = typeof (err as { code?: unknown } | null)?.code === 'string' ? (err as { code: string }).code : undefined;
  let kind: CallerIdErrorCode = 'sts_unavailable';
  if (name === 'TimeoutError' || (code !== undefined && TIMEOUT_CODES.has(code))) kind = 'sts_timeout';
  else if (err instanceof ResponseTooLargeError || code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') kind = 'sts_response_invalid';
  // Only the error's class and code: a transport error may quote the request it failed on.
  const why = causeOf(err);
  const error = new CallerIdError(kind, { cause: new Error(`STS request failed: ${why}.`) });
  answers.set(error, { cause: why });
  return error;
}
