/**
 * The two ways a wrapper gets its tokens: an existing provider (shared between wrappers), or the options
 * to create one of its own.
 */
import { createTokenProvider, type TokenProvider, type TokenProviderOptions } from './token-provider.js';

/** Either `{ provider }` or the options of `createTokenProvider` (never both). */
export type TokenSourceOptions = ({ provider: TokenProvider } & { [K in keyof TokenProviderOptions]?: never }) | TokenProviderOptions;

/** The provider named by the options, or a new one created from them. */
export function providerFrom(options: TokenSourceOptions): TokenProvider {
  if (typeof options !== 'object' || options === null) throw new TypeError('callerid: options with an `audience` or a `provider` are required.');
  return 'provider' in options && options.provider !== undefined ? options.provider : createTokenProvider(options as TokenProviderOptions);
}
