export { CallerIdError, ERROR_CODES, bearerChallenge, isCallerIdError } from './errors.js';
export type { BearerError, CallerIdErrorCode, CallerIdErrorOptions } from './errors.js';
export type { Identity, Partition, PrincipalType, TokenType, WebIdentityClaims } from './identity.js';
