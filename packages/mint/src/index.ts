/**
 * `@callerid/mint`: minting callerid tokens with AWS credentials. The verifying side (`@callerid/core`
 * and the adapters) never depends on this package, so a server installs no AWS SDK.
 */
export { mintToken, TOKEN_CLIENT_LIFETIME_MS } from './presigned.js';
export type { MintTokenOptions, MintedToken } from './presigned.js';
export { mintWebIdentityToken } from './web-identity.js';
export type { MintWebIdentityTokenOptions, MintedWebIdentityToken } from './web-identity.js';
export { credentialSource } from './credentials.js';
export type { CredentialSourceOptions, CredentialsOption } from './credentials.js';
