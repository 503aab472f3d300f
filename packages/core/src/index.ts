export { CallerIdError, ERROR_CODES, bearerChallenge, isCallerIdError } from './errors.js';
export type { BearerError, CallerIdErrorCode, CallerIdErrorOptions } from './errors.js';
export type { Identity, Partition, PrincipalType, TokenType, WebIdentityClaims } from './authz/identity.js';
export { lookupStsHost, stsHostFor, partitionOfRegion, GLOBAL_STS_HOST, PARTITION_IDS } from './presigned/hosts.js';
export type { StsHost, StsEndpointChoice } from './presigned/hosts.js';
export { compileAllow, createGuard } from './authz/policy.js';
export type { AllowOption, AllowPredicate, AllowRules, Authorizer, Guard, GuardOptions } from './authz/policy.js';
export { compileMapping } from './authz/mapping.js';
export type { Mapper, MappingEntry } from './authz/mapping.js';
export { kubernetesUserInfo, AIA_PRINCIPAL_ID_EXTRA } from './authz/kubernetes-user.js';
export type { KubernetesUserInfo, KubernetesUserInfoOptions } from './authz/kubernetes-user.js';
export { parseToken, PRESIGNED_URL_LIFETIME_MS, MAX_FUTURE_SKEW_MS } from './presigned/parse.js';
export type { ParseTokenOptions, ParsedToken } from './presigned/parse.js';
export { PRESIGNED_TOKEN_PREFIX, MAX_PRESIGNED_TOKEN_LENGTH, tokenKind } from './token-format.js';
export type { TokenKind } from './token-format.js';
export { extractBearerToken } from './http/bearer.js';
export type { HeadersInput } from './http/bearer.js';
export { createVerifier, VERIFIER_OPTION_KEYS } from './verifier.js';
export { assertKnownOptions, optionKeys } from './options.js';
export { DIAGNOSTICS_CHANNELS } from './diagnostics.js';
export type { JwksEvent, StoreEvent, StsEvent, VerifyEvent } from './diagnostics.js';
export type { Verifier, VerifierOptions } from './verifier.js';
export { createMemoryCache } from './cache/cache.js';
export type { CacheEntry, CacheStore, MemoryCache, MemoryCacheOptions } from './cache/cache.js';
export { parseArn, tryParseArn, canonicalizeArn } from './authz/arn.js';
export type { ParsedArn } from './authz/arn.js';
export { MAX_STS_RESPONSE_BYTES, DEFAULT_STS_TIMEOUT_MS } from './presigned/sts-endpoint.js';
export { AUTHENTICATOR_OPTION_KEYS, createAuthenticator } from './http/authenticate.js';
export type { Authenticator, AuthenticatorOptions, CheckCallback, GetToken, RejectedEvent, VerifiedEvent } from './http/authenticate.js';
export { createWebIdentityVerifier, parseWebIdentityToken, AWS_NAMESPACE_CLAIM, MAX_WEB_IDENTITY_LIFETIME_SECONDS } from './web-identity/index.js';
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
