/**
 * `@callerid/core/internal`: what callerid's own packages need from core and users do not — the
 * token-format rules `@callerid/mint` signs by (so that minting and verifying agree from one
 * definition), the STS host table, the option-key lists the adapters and packages check options
 * against, and the authenticator's synchronous fast path the adapters (Express, Fastify, Koa, the
 * server's forward auth) call. For callerid's own packages only; not covered by semver.
 * Only pure values and functions live here. (Both entries are built in one code-splitting build, so a
 * module they share is one chunk, loaded once: a class exported from both would be one class.)
 */
export { ACCESS_KEY_ID_PATTERN, AUDIENCE_PATTERN, encodePresignedToken, tokenKind } from './token-format.js';
export type { TokenKind } from './token-format.js';
export { parseStsEndpoint } from './presigned/sts-endpoint.js';
export { stsHostFor } from './presigned/hosts.js';
export type { StsEndpointChoice, StsHost } from './presigned/hosts.js';
export { MAX_FUTURE_SKEW_MS } from './presigned/parse.js';
export { WEB_IDENTITY_ALGORITHMS } from './web-identity/header.js';
export { fastPath } from './http/fast-path.js';
export type { FastAnswer, FastCheck } from './http/fast-path.js';
// The types these values are declared with.
export type { Partition } from './authz/identity.js';
export type { WebIdentityAlgorithm } from './web-identity/header.js';
export { optionKeys } from './options.js';
export { AUTHENTICATOR_OPTION_KEYS } from './http/authenticate.js';
