/**
 * `@callerid/client/undici`: an undici 7 interceptor that adds a token to every request it dispatches.
 * It needs nothing from undici at run time (only its types), so it works with whichever undici 7 the
 * application has.
 */
import { assertKnownOptions } from '@callerid/core';
import type { Dispatcher } from 'undici';
import { bearerValues, headerName, isTokenRefused } from './challenge.js';
import type { TokenProvider } from './token-provider.js';
import { createTokenProviders, TOKEN_PROVIDERS_OPTION_KEYS, type TokenProviders, type TokenProvidersOptions } from './token-providers.js';
import { hasHeader, withHeader, type AnyHeaders } from './undici-headers.js';

/** Picks the audience for a request's origin (`"https://payments.internal:8443"`); `undefined` sends no token. */
export type AudienceMapper = (origin: string) => string | undefined;

/** Options of the {@link callerid} interceptor. */
export type CallerIdInterceptorOptions = TokenProvidersOptions & {
  /**
   * The audience of every request, or a function from the request's origin to its audience. With a
   * function, origins it returns `undefined` for get no token at all.
   */
  audience: string | AudienceMapper;
  /** The header to send the token in (value `Bearer <token>`). Default `authorization`. */
  header?: string;
  /** Token providers to share with other clients (then the other provider options are not used). */
  providers?: TokenProviders;
};

/**
 * An undici interceptor, for `agent.compose(callerid({ … }))`. For each request it resolves the
 * audience, waits for a token (cached tokens are ready at once) and dispatches with
 * `Authorization: Bearer <token>` added. A request that already carries the header is left alone. A
 * minting failure is reported through the handler (`onResponseError`, or `onError` for legacy
 * handlers), so `request()` rejects with the `CallerIdError`. A `401` with `error="invalid_token"`
 * invalidates the cached token, so the next request carries a fresh one (no retry happens here:
 * compose undici's `interceptors.retry` if you want one).
 *
 * @example
 * ```ts
 * const agent = new Agent().compose(callerid({ audience: (origin) => audiences[origin] }));
 * const { statusCode } = await request('https://payments.internal/v1/charges', { dispatcher: agent });
 * ```
 */
export function callerid(options: CallerIdInterceptorOptions): Dispatcher.DispatcherComposeInterceptor {
  if (typeof options === 'object' && options !== null) assertKnownOptions(options, [...TOKEN_PROVIDERS_OPTION_KEYS, 'audience', 'header', 'providers']);
  const { audience, header, providers: shared, ...defaults } = options;
  if (typeof audience !== 'function' && (typeof audience !== 'string' || audience.length === 0)) {
    throw new TypeError('callerid: `audience` must be a non-empty string or a function of the origin.');
  }
  const name = headerName(header);
  const bearer = bearerValues();
  const providers = shared ?? createTokenProviders(defaults);
  const audienceOf = typeof audience === 'string' ? () => audience : (origin: Dispatcher.DispatchOptions['origin']) => mapOrigin(audience, origin);

  return (dispatch) =>
    function callerid(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
      let source: TokenProvider | undefined;
      try {
        const target = audienceOf(opts.origin);
        if (target !== undefined && !hasHeader(opts.headers as AnyHeaders, name)) source = providers.get(target);
      } catch (err) {
        fail(handler, err);
        return true;
      }
      if (source === undefined) return dispatch(opts, handler);
      source.getToken().then(
        (token) => {
          try {
            const headers = withHeader(opts.headers as AnyHeaders, name, bearer(token)) as Dispatcher.DispatchOptions['headers'];
            dispatch({ ...opts, headers }, watchRefusal(handler, () => source.invalidate(token)));
          } catch (err) {
            fail(handler, err);
          }
        },
        (err: unknown) => fail(handler, err),
      );
      return true;
    };
}

function mapOrigin(audience: AudienceMapper, origin: Dispatcher.DispatchOptions['origin']): string | undefined {
  if (origin === undefined) return undefined;
  let normalized: string;
  try {
    normalized = typeof origin === 'string' ? new URL(origin).origin : origin.origin;
  } catch {
    return undefined;
  }
  const target = audience(normalized);
  return typeof target === 'string' && target.length > 0 ? target : undefined;
}

// undici 7 reports errors through onResponseError(controller, err); legacy handlers only have onError.
function fail(handler: Dispatcher.DispatchHandler, err: unknown): void {
  const error = err instanceof Error ? err : new Error('callerid: token unavailable', { cause: err });
  if (typeof handler.onResponseError === 'function') handler.onResponseError(null as unknown as Dispatcher.DispatchController, error);
  else handler.onError?.(error);
}

/** Forwards every callback, noticing a `401 invalid_token` on the way. Legacy handlers pass through as they are. */
function watchRefusal(handler: Dispatcher.DispatchHandler, onRefused: () => void): Dispatcher.DispatchHandler {
  if (typeof handler.onRequestStart !== 'function') return handler;
  return {
    onRequestStart: (controller, context) => handler.onRequestStart?.(controller, context),
    onRequestUpgrade: (controller, statusCode, headers, socket) => handler.onRequestUpgrade?.(controller, statusCode, headers, socket),
    onResponseStart(controller, statusCode, headers, statusMessage) {
      if (isTokenRefused(statusCode, headers['www-authenticate'])) onRefused();
      return handler.onResponseStart?.(controller, statusCode, headers, statusMessage);
    },
    onResponseData: (controller, chunk) => handler.onResponseData?.(controller, chunk),
    onResponseEnd: (controller, trailers) => handler.onResponseEnd?.(controller, trailers),
    onResponseError: (controller, error) => handler.onResponseError?.(controller, error),
  };
}

// The option types the exports above are declared with, importable from this entry too.
export type { TokenProvider, TokenProviderOptions } from './token-provider.js';
export type { TokenProviders, TokenProvidersOptions } from './token-providers.js';
export type { MintFunction, MintRequest, MintResult } from './mint.js';
