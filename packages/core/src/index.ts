export { CallerIdError, ERROR_CODES, bearerChallenge, isCallerIdError } from './errors.js';
export type { BearerError, CallerIdErrorCode, CallerIdErrorOptions } from './errors.js';
export type { Identity, IdentityBase, Partition, PresignedIdentity, PrincipalType, TokenType, WebIdentity, WebIdentityClaims } from './authz/identity.js';
export { PARTITION_IDS } from './presigned/hosts.js';
export { compileAllow } from './authz/policy.js';
export type { AllowOption, AllowPredicate, AllowRules, Authorizer } from './authz/policy.js';
export { createGuard } from './http/guard.js';
export type { Guard, GuardOptions } from './http/guard.js';
export { compileMapping } from './authz/mapping.js';
export type { Mapper, MappingEntry } from './authz/mapping.js';
export { kubernetesUserInfo } from './authz/kubernetes-user.js';
export type { KubernetesUserInfo, KubernetesUserInfoOptions } from './authz/kubernetes-user.js';
export { parseToken } from './presigned/parse.js';
export type { ParseTokenOptions, ParsedToken } from './presigned/parse.js';
export { PRESIGNED_TOKEN_PREFIX } from './token-format.js';
export { extractBearerToken } from './http/bearer.js';
export type { HeadersInput } from './http/bearer.js';
export { createVerifier } from './verifier.js';
export { assertKnownOptions } from './options.js';
export { DIAGNOSTICS_CHANNELS } from './diagnostics.js';
export type { JwksEvent, StoreEvent, StsEvent, VerifyEvent } from './diagnostics.js';
export type { Verifier, VerifierOptions } from './verifier.js';
export type { PresignedOptions } from './presigned/options.js';
export { createMemoryCache } from './cache/cache.js';
export type { CacheEntry, CacheStore, MemoryCache, MemoryCacheOptions } from './cache/cache.js';
export { parseArn, canonicalizeArn } from './authz/arn.js';
export type { ParsedArn } from './authz/arn.js';
export { createAuthenticator } from './http/authenticate.js';
export type { Authenticator, AuthenticatorOptions, GetToken, RejectedEvent, VerifiedEvent } from './http/authenticate.js';
export { createWebIdentityVerifier, parseWebIdentityToken } from './web-identity/index.js';
export type {
  JwksOptions,
  LocalCheckOptions,
  ParseWebIdentityTokenOptions,
  ParsedWebIdentityToken,
  WebIdentityAlgorithm,
  WebIdentityContext,
  WebIdentityOptions,
  WebIdentityVerifier,
} from './web-identity/index.js';
