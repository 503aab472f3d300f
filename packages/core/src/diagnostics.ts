/**
 * What callerid tells the outside world about its work without logging anything itself: events on
 * `node:diagnostics_channel` channels, for APM agents and metrics (as undici and Fastify publish theirs),
 * and, with `NODE_DEBUG=callerid`, one line on stderr per refusal and per outage, made from the same events.
 *
 * Events are published only while a channel has subscribers, so a process that does not listen pays one
 * property read per verification. No event ever holds a token, a signature, a session token or a secret:
 * every field below is either configuration (audience, hosts), a fixed code, or a number.
 */
import { channel, subscribe } from 'node:diagnostics_channel';
import { debuglog, format } from 'node:util';
import type { CallerIdErrorCode } from './errors.js';

/** The names of callerid's diagnostics channels (channels are global by name). */
export const DIAGNOSTICS_CHANNELS = {
  verify: 'callerid:verify',
  sts: 'callerid:sts',
  jwks: 'callerid:jwks',
  store: 'callerid:store',
} as const;

/** One settled verification (`verify()`, or an adapter's authentication), cached or not. */
export interface VerifyEvent {
  /** The verifier's audience. */
  audience: string;
  /** The token's format, or `unknown` when it is neither. */
  kind: 'presigned' | 'jwt' | 'unknown';
  outcome: 'accepted' | 'rejected' | 'unavailable';
  /** Why, when not accepted. */
  code?: CallerIdErrorCode;
  /** `hit`: answered from the cache (a verdict or a remembered refusal); `miss`: looked up or refused before any lookup; `off`: no cache. */
  cache: 'hit' | 'miss' | 'off';
  /** From the call to its settlement, in ms. */
  durationMs: number;
  /** The caller's ARN, when accepted. */
  arn?: string;
}

/** One round trip to STS (a replayed presigned token). */
export interface StsEvent {
  /** The STS host the token was signed for (its `Host`). */
  host: string;
  /** The origin dialled: the token's host, or the configured `stsEndpoint`. */
  endpoint: string;
  outcome: 'ok' | 'rejected' | 'unavailable';
  /** STS's HTTP status, when it answered. */
  status?: number;
  /** STS's own error code (`SignatureDoesNotMatch`, …), when it answered with an AWS error document. */
  stsCode?: string;
  /** callerid's code, when not ok. */
  code?: CallerIdErrorCode;
  durationMs: number;
  /** The error's class and code, or the HTTP status; never request data. */
  cause?: string;
}

/** One fetch of an issuer's JWKS. */
export interface JwksEvent {
  issuer: string;
  outcome: 'ok' | 'unavailable';
  durationMs: number;
  /** Why it failed; never the response body. */
  cause?: string;
}

/** A cache store that failed, timed out, was skipped by a circuit breaker, or recovered. */
export interface StoreEvent {
  /** Which store (`memory`, `redis`, or the store's own name). */
  store: string;
  /** `get`, `set`, … */
  operation: string;
  outcome: 'error' | 'timeout' | 'circuit_open' | 'recovered';
  cause?: string;
}

/** Internal: the channel objects, for publishers (`if (channels.verify.hasSubscribers) channels.verify.publish(event)`). */
export const channels = {
  verify: channel(DIAGNOSTICS_CHANNELS.verify),
  sts: channel(DIAGNOSTICS_CHANNELS.sts),
  jwks: channel(DIAGNOSTICS_CHANNELS.jwks),
  store: channel(DIAGNOSTICS_CHANNELS.store),
};

/** Internal: an error's class and code (`TimeoutError`, `Error (ECONNREFUSED)`), never its message, which may quote a request. */
export function causeOf(err: unknown): string {
  const name = err instanceof Error ? err.name : typeof err;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Za-z0-9_.]{1,64}$/.test(code) ? `${name} (${code})` : name;
}

/** Internal: milliseconds since `start` (a `performance.now()`), to 0.01 ms. */
export function since(start: number): number {
  return Math.round((performance.now() - start) * 100) / 100;
}

// --- NODE_DEBUG=callerid ----------------------------------------------------------------------------

type Line = (message: string, ...args: unknown[]) => void;

/** The `NODE_DEBUG=callerid` line for a verify event, or `undefined` when it gets none. */
export function verifyLine(e: VerifyEvent): string | undefined {
  if (e.outcome === 'accepted') return undefined;
  // A fresh STS verdict or outage already has its line, from the STS round trip that produced it.
  if (e.cache !== 'hit' && e.code?.startsWith('sts_')) return undefined;
  return format('verify %s %s kind=%s audience=%s cache=%s %sms', e.outcome, e.code ?? '-', e.kind, e.audience, e.cache, e.durationMs);
}

/** The `NODE_DEBUG=callerid` line for an STS round trip, or `undefined` when it went well. */
export function stsLine(e: StsEvent): string | undefined {
  if (e.outcome === 'ok') return undefined;
  const answer = e.status === undefined ? `cause=${e.cause ?? '-'}` : `status=${e.status} stsCode=${e.stsCode ?? '-'}`;
  return format('sts %s %s host=%s endpoint=%s %s %sms', e.outcome, e.code ?? '-', e.host, e.endpoint, answer, e.durationMs);
}

/** The `NODE_DEBUG=callerid` line for a JWKS fetch, or `undefined` when it went well. */
export function jwksLine(e: JwksEvent): string | undefined {
  if (e.outcome === 'ok') return undefined;
  return format('jwks %s issuer=%s cause=%s %sms', e.outcome, e.issuer, e.cause ?? '-', e.durationMs);
}

/** The `NODE_DEBUG=callerid` line for a store event. */
export function storeLine(e: StoreEvent): string {
  return format('store %s %s operation=%s cause=%s', e.store, e.outcome, e.operation, e.cause ?? '-');
}

function printTo(line: Line, render: (event: never) => string | undefined) {
  return (message: unknown) => {
    const text = render(message as never);
    if (text !== undefined) line('%s', text);
  };
}

// Subscribes once per process, even when both the ESM and the CJS build of core are loaded.
const SUBSCRIBED = Symbol.for('callerid.debuglog.subscribed');

function subscribeDebugLog(): void {
  const line: Line = debuglog('callerid');
  const holder = globalThis as { [SUBSCRIBED]?: boolean };
  if (!(line as { enabled?: boolean }).enabled || holder[SUBSCRIBED]) return;
  holder[SUBSCRIBED] = true;
  subscribe(DIAGNOSTICS_CHANNELS.verify, printTo(line, verifyLine));
  subscribe(DIAGNOSTICS_CHANNELS.sts, printTo(line, stsLine));
  subscribe(DIAGNOSTICS_CHANNELS.jwks, printTo(line, jwksLine));
  subscribe(DIAGNOSTICS_CHANNELS.store, printTo(line, storeLine));
}

subscribeDebugLog();
