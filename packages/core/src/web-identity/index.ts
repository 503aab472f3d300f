/** AWS web identity JWTs (`sts:GetWebIdentityToken`): offline verification (minting is `@callerid/mint`'s). */
export { createWebIdentityVerifier } from './verify.js';
export type { WebIdentityContext, WebIdentityOptions, WebIdentityVerifier } from './verify.js';
export type { JwksOptions } from './jwks.js';
export type { WebIdentityAlgorithm } from './header.js';
export { parseWebIdentityToken } from './parse.js';
export type { ParseWebIdentityTokenOptions, ParsedWebIdentityToken } from './parse.js';
export type { LocalCheckOptions } from './local-checks.js';
