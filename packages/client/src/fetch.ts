/**
 * `withCallerId(fetch)`: a fetch that carries a token. It sets headers itself and calls the fetch it was
 * given, so it works with Node's global fetch without handing it an undici dispatcher (nodejs/undici#5500).
 */
import { bearerValues, headerName, isInvalidTokenChallenge } from './challenge.js';
import { providerFrom, type TokenSourceOptions } from './token-source.js';

/** Options of {@link withCallerId}. */
export type WithCallerIdOptions = TokenSourceOptions & {
  /** The header to send the token in (value `Bearer <token>`). Default `authorization`. */
  header?: string;
};

/** The part of a fetch response the wrapper reads. */
export interface ResponseLike {
  status: number;
  headers: { get(name: string): string | null };
  body: { cancel(): Promise<void> } | null;
}

/** Any fetch: Node's global one, undici's, or another with the same shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type FetchLike = (input: any, init?: any) => Promise<ResponseLike>;

interface RequestLike {
  url: string;
  headers: HeadersLike;
  body: unknown;
}

interface HeadersLike {
  has(name: string): boolean;
  [Symbol.iterator](): Iterator<[string, string]>;
}

type HeadersInitLike = HeadersLike | ReadonlyArray<readonly [string, string]> | Record<string, string | readonly string[] | undefined>;

interface InitLike {
  headers?: HeadersInitLike;
  body?: unknown;
  [key: string]: unknown;
}

/**
 * Wraps a fetch so every request carries `Authorization: Bearer <token>` for `audience`.
 *
 * - An Authorization header the caller set (in `init.headers`, or on a `Request` passed as input) is
 *   left alone, and such a request is never retried.
 * - A `401` whose `WWW-Authenticate` says `error="invalid_token"` invalidates the token and retries once
 *   with a fresh one, when the body can be sent again: no body, a string, `URLSearchParams`, `Blob`,
 *   `FormData`, `ArrayBuffer` or a typed array. A streamed body (`ReadableStream`, an async iterable, a
 *   `Request` carrying a body) was consumed by the first attempt: that 401 is returned as it is, and the
 *   next request mints a fresh token.
 * - Minting failures reject with a `CallerIdError` before anything is sent.
 *
 * @example
 * ```ts
 * const api = withCallerId(fetch, { audience: 'payments-api' });
 * const res = await api('https://payments.internal/v1/charges');
 * ```
 */
export function withCallerId<F extends FetchLike>(fetchFn: F, options: WithCallerIdOptions): F {
  if (typeof fetchFn !== 'function') throw new TypeError('callerid: withCallerId needs a fetch function.');
  const provider = providerFrom(options, ['header']);
  const name = headerName(options.header);
  const header = bearerValues();

  const callerIdFetch = async (input: unknown, init?: InitLike): Promise<ResponseLike> => {
    const request = isRequestLike(input) ? input : undefined;
    const callerHeaders = init?.headers ?? request?.headers;
    if (hasHeader(callerHeaders, name)) return fetchFn(input, init);

    const token = await provider.getToken();
    const first = await fetchFn(input, withHeader(init, callerHeaders, name, header(token)));
    // Status first: reading a response header is not free, and almost every answer is not a 401.
    if (first.status !== 401 || !isInvalidTokenChallenge(first.headers.get('www-authenticate'))) return first;

    provider.invalidate(token);
    if (!canReplay(request, init)) return first;
    await first.body?.cancel().catch(() => undefined);
    const fresh = await provider.getToken();
    return fetchFn(input, withHeader(init, callerHeaders, name, header(fresh)));
  };
  return callerIdFetch as F;
}

function isRequestLike(input: unknown): input is RequestLike {
  return typeof input === 'object' && input !== null && typeof (input as RequestLike).url === 'string' && typeof (input as RequestLike).headers?.has === 'function';
}

function hasHeader(headers: HeadersInitLike | undefined, name: string): boolean {
  if (headers === undefined || headers === null) return false;
  if (typeof (headers as HeadersLike).has === 'function') return (headers as HeadersLike).has(name);
  if (Array.isArray(headers)) return (headers as ReadonlyArray<readonly [string, string]>).some((pair) => String(pair[0]).toLowerCase() === name);
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === name && (headers as Record<string, unknown>)[key] !== undefined) return true;
  }
  return false;
}

// A copy of init whose headers are the caller's plus ours; the caller's objects are never mutated.
function withHeader(init: InitLike | undefined, callerHeaders: HeadersInitLike | undefined, name: string, value: string): InitLike {
  let headers: HeadersInitLike;
  if (callerHeaders === undefined || callerHeaders === null) headers = { [name]: value };
  else if (typeof (callerHeaders as HeadersLike).has === 'function' || Array.isArray(callerHeaders)) {
    const copy = new Headers(callerHeaders as ConstructorParameters<typeof Headers>[0]);
    copy.set(name, value);
    headers = copy;
  } else headers = { ...(callerHeaders as Record<string, string>), [name]: value };
  return init === undefined ? { headers } : { ...init, headers };
}

function canReplay(request: RequestLike | undefined, init: InitLike | undefined): boolean {
  // As fetch does: a non-null init body wins over the Request's own.
  const body = init?.body ?? request?.body ?? null;
  if (body === undefined || body === null) return true;
  return (
    typeof body === 'string' ||
    body instanceof URLSearchParams ||
    body instanceof Blob ||
    body instanceof FormData ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body)
  );
}
