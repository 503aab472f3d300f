/**
 * `@callerid/core/internal`: the token-format rules `@callerid/mint` signs by, so that minting and
 * verifying agree from one definition. For callerid's own packages only; not covered by semver.
 * Only pure values and functions live here (this entry is bundled apart from the main one, so a class
 * exported from both would be two classes).
 */
export { ACCESS_KEY_ID_PATTERN, AUDIENCE_PATTERN, encodePresignedToken } from './token-format.js';
export { parseStsEndpoint } from './presigned/sts-endpoint.js';
export { WEB_IDENTITY_ALGORITHMS } from './web-identity/header.js';
