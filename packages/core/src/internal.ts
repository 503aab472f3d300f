/**
 * `@callerid/core/internal`: the token-format rules `@callerid/mint` signs by, so that minting and
 * verifying agree from one definition. For callerid's own packages only; not covered by semver.
 * Only pure values and functions live here. (Both entries are built in one code-splitting build, so a
 * module they share is one chunk, loaded once: a class exported from both would be one class.)
 */
export { ACCESS_KEY_ID_PATTERN, AUDIENCE_PATTERN, encodePresignedToken } from './token-format.js';
export { parseStsEndpoint } from './presigned/sts-endpoint.js';
export { WEB_IDENTITY_ALGORITHMS } from './web-identity/header.js';
