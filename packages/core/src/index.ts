export { CallerIdError, ERROR_CODES, bearerChallenge, isCallerIdError } from './errors.js';
export type { BearerError, CallerIdErrorCode, CallerIdErrorOptions } from './errors.js';
export type { Identity, Partition, PrincipalType, TokenType, WebIdentityClaims } from './identity.js';
export { mintToken, TOKEN_CLIENT_LIFETIME_MS } from './mint.js';
export type { MintTokenOptions, MintedToken } from './mint.js';
export type { CredentialsOption } from './credentials.js';
export { lookupStsHost, stsHostFor, partitionOfRegion, GLOBAL_STS_HOST, PARTITION_IDS } from './hosts.js';
export type { StsHost, StsEndpointChoice } from './hosts.js';
