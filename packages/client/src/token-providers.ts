/**
 * Token providers for a client that talks to several services: one provider per audience, all sharing
 * one credentials source (so the default chain or an assumed role is resolved once, not per audience).
 */
import { assertKnownOptions } from '@callerid/core';
import { credentialSource } from './credentials.js';
import { createTokenProvider, TOKEN_PROVIDER_OPTION_KEYS, type TokenProvider, type TokenProviderOptions } from './token-provider.js';

/** Every option of {@link createTokenProviders}: a provider's, but the audience. */
export const TOKEN_PROVIDERS_OPTION_KEYS: readonly string[] = TOKEN_PROVIDER_OPTION_KEYS.filter((key) => key !== 'audience');

/** Options of {@link createTokenProviders}: everything of a provider but the audience. */
export type TokenProvidersOptions = Omit<TokenProviderOptions, 'audience'>;

/** Token providers keyed by audience. */
export interface TokenProviders {
  /** The provider for `audience`, created on first use and kept. */
  get(audience: string): TokenProvider;
  /** Shorthand for `get(audience).getToken()`. */
  getToken(audience: string): Promise<string>;
  /** Forgets the cached token of one audience, or of all of them. */
  invalidate(audience?: string): void;
}

/**
 * Creates a keyed set of {@link TokenProvider}s sharing `defaults`. Providers are kept for the life of
 * the set, so use it with the audiences your code names, not with values taken from requests.
 *
 * @example
 * ```ts
 * const tokens = createTokenProviders({ region: 'eu-west-1' });
 * const token = await tokens.getToken('payments-api');
 * ```
 */
export function createTokenProviders(defaults: TokenProvidersOptions = {}): TokenProviders {
  assertKnownOptions(defaults, TOKEN_PROVIDERS_OPTION_KEYS);
  const credentials = credentialSource(defaults);
  const shared: TokenProvidersOptions = { ...defaults, credentials, roleArn: undefined };
  const providers = new Map<string, TokenProvider>();
  const get = (audience: string): TokenProvider => {
    let provider = providers.get(audience);
    if (provider === undefined) {
      provider = createTokenProvider({ ...shared, audience });
      providers.set(audience, provider);
    }
    return provider;
  };
  return {
    get,
    getToken: (audience) => get(audience).getToken(),
    invalidate(audience?: string): void {
      if (audience !== undefined) providers.get(audience)?.invalidate();
      else for (const provider of providers.values()) provider.invalidate();
    },
  };
}
