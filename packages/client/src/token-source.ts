/**
 * The two ways a wrapper gets its tokens: an existing provider (shared between wrappers), or the options
 * to create one of its own.
 */
import { assertKnownOptions } from '@callerid/core';
import { createTokenProvider, TOKEN_PROVIDER_OPTION_KEYS, type TokenProvider, type TokenProviderOptions } from './token-provider.js';

/** Either `{ provider }` or the options of `createTokenProvider` (never both). */
export type TokenSourceOptions = ({ provider: TokenProvider } & { [K in keyof TokenProviderOptions]?: never }) | TokenProviderOptions;

/**
 * The provider named by the options, or a new one created from them. `own` are the wrapper's own option
 * names (`header`): with them, the options are checked strictly here, and left out of the provider's.
 */
export function providerFrom(options: TokenSourceOptions, own: readonly string[] = []): TokenProvider {
  if (typeof options !== 'object' || options === null) throw new TypeError('callerid: options with an `audience` or a `provider` are required.');
  if ('provider' in options && options.provider !== undefined) {
    assertKnownOptions(options, ['provider', ...own]);
    return options.provider;
  }
  assertKnownOptions(options, [...TOKEN_PROVIDER_OPTION_KEYS, 'provider', ...own]);
  const rest: Record<string, unknown> = { ...options };
  for (const key of ['provider', ...own]) delete rest[key];
  return createTokenProvider(rest as unknown as TokenProviderOptions);
}
