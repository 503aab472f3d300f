/**
 * `@callerid/core/internal`: what callerid's own packages need from core and users do not — the
 * token-format rules `@callerid/mint` signs by (so that minting and verifying agree from one
 * definition), the STS host table, the option-key lists the adapters and packages check options
 * against. For callerid's own packages only; not covered by semver.
 * Only pure values and functions live here (this entry is bundled apart from the main one, so a class
 * exported from both would be two classes).
 */
export { ACCESS_KEY_ID_PATTERN, AUDIENCE_PATTERN, encodePresignedToken, tokenKind } from './token-format.js';
export type { TokenKind } from './token-format.js';
export { parseStsEndpoint } from './presigned/sts-client.js';
export { stsHostFor } from './presigned/hosts.js';
export type { StsEndpointChoice, StsHost } from './presigned/hosts.js';
export { MAX_FUTURE_SKEW_MS } from './presigned/parse.js';
export { WEB_IDENTITY_ALGORITHMS } from './web-identity/header.js';
// The types these values are declared with.
export type { Partition } from './authz/identity.js';
export type { WebIdentityAlgorithm } from './web-identity/header.js';
export { optionKeys } from './options.js';
export { AUTHENTICATOR_OPTION_KEYS } from './http/authenticate.js';
