/**
 * `@callerid/client`: attach AWS IAM identity tokens to outgoing requests. The root entry needs neither
 * undici nor axios; their integrations live in `@callerid/client/undici` and `@callerid/client/axios`.
 */
export { createTokenProvider } from './token-provider.js';
export type { TokenProvider, TokenProviderOptions } from './token-provider.js';
export { createTokenProviders } from './token-providers.js';
export type { TokenProviders, TokenProvidersOptions } from './token-providers.js';
export { withCallerId } from './fetch.js';
export type { FetchLike, ResponseLike, WithCallerIdOptions } from './fetch.js';
export type { TokenSourceOptions } from './token-source.js';
export type { CredentialsOption } from '@callerid/mint';
export type { MintFunction, MintRequest, MintResult } from './mint.js';
export { isInvalidTokenChallenge } from './challenge.js';
