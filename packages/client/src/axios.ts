/**
 * `@callerid/client/axios`: interceptors that add a token to every request of an axios instance and
 * retry once when the server refuses the token. Only axios's types are imported, so this works with
 * the application's own axios 1.x.
 */
import type { AxiosInstance, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { bearerValues, headerName, isInvalidTokenChallenge } from './challenge.js';
import { providerFrom, type TokenSourceOptions } from './token-source.js';

/** Options of {@link attachCallerId}. */
export type AttachCallerIdOptions = TokenSourceOptions & {
  /** The header to send the token in (value `Bearer <token>`). Default `authorization`. */
  header?: string;
};

// A plain string key: older axios versions drop symbol keys when they merge configs.
const RETRY_KEY = '__callerIdRetry';

type Config = InternalAxiosRequestConfig & { [RETRY_KEY]?: true };

interface ResponseLike {
  status: number;
  headers?: unknown;
}

/**
 * Installs a request interceptor that sets `Authorization: Bearer <token>` (unless the request already
 * has an Authorization header or `auth`) and a response interceptor that, on a `401` whose
 * `WWW-Authenticate` says `error="invalid_token"`, invalidates the token and sends the request once
 * more with a fresh one. A request whose body is a stream is not retried (the stream was consumed);
 * its 401 is returned and the next request mints a fresh token. Minting failures reject the request
 * with a `CallerIdError` before anything is sent. Returns a function that removes both interceptors.
 *
 * @example
 * ```ts
 * const api = axios.create({ baseURL: 'https://payments.internal' });
 * const detach = attachCallerId(api, { audience: 'payments-api' });
 * const { data } = await api.get('/v1/charges');
 * ```
 */
export function attachCallerId(instance: Pick<AxiosInstance, 'interceptors' | 'request'>, options: AttachCallerIdOptions): () => void {
  const provider = providerFrom(options, ['header']);
  const name = headerName(options.header);
  const sent = new WeakMap<object, string>();
  const bearer = bearerValues();

  const requestId = instance.interceptors.request.use(async (config: Config) => {
    // A retry carries our previous (refused) header: replace it. Anything else the caller set stays.
    if (config[RETRY_KEY] !== true && hasExplicitHeader(config, name)) return config;
    const token = await provider.getToken();
    config.headers.set(name, bearer(token));
    sent.set(config, token);
    return config;
  });

  // Resolves to the retried response, or undefined when this answer is not ours to retry.
  const retry = (config: Config | undefined, response: ResponseLike | undefined): Promise<AxiosResponse> | undefined => {
    const token = config === undefined ? undefined : sent.get(config);
    if (config === undefined || token === undefined || response === undefined) return undefined;
    if (response.status !== 401 || !isInvalidTokenChallenge(challengeOf(response.headers))) return undefined;
    provider.invalidate(token);
    if (config[RETRY_KEY] === true || !canReplay(config.data)) return undefined;
    return instance.request({ ...config, [RETRY_KEY]: true } as Config);
  };

  const responseId = instance.interceptors.response.use(
    // A 401 arrives here when the caller's validateStatus accepts it.
    (response: AxiosResponse) => retry(response.config, response) ?? response,
    async (error: unknown) => {
      const failed = error as { config?: Config; response?: ResponseLike } | null;
      const retried = typeof failed === 'object' && failed !== null ? retry(failed.config, failed.response) : undefined;
      if (retried === undefined) throw error;
      return retried;
    },
  );

  return () => {
    instance.interceptors.request.eject(requestId);
    instance.interceptors.response.eject(responseId);
  };
}

function hasExplicitHeader(config: Config, name: string): boolean {
  if (name === 'authorization' && config.auth !== undefined && config.auth !== null) return true;
  return config.headers.has(name);
}

function challengeOf(headers: unknown): string | string[] | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const getter = (headers as { get?: unknown }).get;
  const value: unknown = typeof getter === 'function' ? (getter as (name: string) => unknown).call(headers, 'www-authenticate') : (headers as Record<string, unknown>)['www-authenticate'];
  return typeof value === 'string' || Array.isArray(value) ? (value as string | string[]) : undefined;
}

// Request data after axios's transforms: strings, buffers, forms and params can be sent again; streams cannot.
function canReplay(data: unknown): boolean {
  if (data === undefined || data === null || typeof data !== 'object') return true;
  if (typeof (data as { pipe?: unknown }).pipe === 'function') return false;
  if (typeof ReadableStream !== 'undefined' && data instanceof ReadableStream) return false;
  return typeof (data as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] !== 'function';
}

// The option types the exports above are declared with, importable from this entry too.
export type { TokenProvider, TokenProviderOptions } from './token-provider.js';
export type { TokenSourceOptions } from './token-source.js';
export type { MintFunction, MintRequest, MintResult } from './mint.js';
