/**
 * The outer shape of the tokens callerid handles: the `k8s-aws-v1.` prefix with its base64url body, and
 * the one function that tells the kinds of token apart.
 */

/** The prefix of an EKS-style presigned token. */
export const PRESIGNED_TOKEN_PREFIX = 'k8s-aws-v1.';

/** aws-iam-authenticator's cap on a whole presigned token, in bytes. */
export const MAX_PRESIGNED_TOKEN_LENGTH = 4096;

/**
 * The largest token of any kind `verify()` will even look at (hash, cache lookup). Each kind then
 * applies its own, smaller cap.
 */
export const MAX_TOKEN_LENGTH = 16_384;

/**
 * An audience as both sides spell it: it travels as the `x-k8s-aws-id` header value and SigV4
 * canonicalization collapses spaces, so 1–256 printable ASCII characters without spaces.
 */
export const AUDIENCE_PATTERN = /^[\x21-\x7e]{1,256}$/;

/** An AWS access key id (`AKIA…`, `ASIA…`): upper-case letters and digits. */
export const ACCESS_KEY_ID_PATTERN = /^[A-Z0-9]{16,128}$/;

/** The kinds of bearer token a verifier can be asked about. */
export type TokenKind = 'presigned' | 'jwt';

// Three base64url segments: header.payload.signature (a compact JWS).
const JWS_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Which kind of token this is by its shape alone (nothing is decoded), or `undefined` when it is
 * neither. This is the only place that dispatches on the token format.
 */
export function tokenKind(token: string): TokenKind | undefined {
  if (token.startsWith(PRESIGNED_TOKEN_PREFIX)) return 'presigned';
  if (JWS_SHAPE.test(token)) return 'jwt';
  return undefined;
}

/** Wraps a presigned URL into a token: the prefix plus base64url without padding. */
export function encodePresignedToken(url: string): string {
  return PRESIGNED_TOKEN_PREFIX + Buffer.from(url, 'latin1').toString('base64url');
}

/**
 * Strict base64url decoding: URL alphabet only, no padding, no whitespace, and canonical (the unused
 * low bits of the last character must be zero), so one URL has exactly one token spelling.
 * Returns `undefined` for anything else.
 */
export function decodeBase64UrlStrict(text: string): Buffer | undefined {
  if (text.length === 0 || text.length % 4 === 1) return undefined;
  // Node's decoder skips characters outside the alphabet, takes `+`, `/` and `=` too, and ignores
  // non-zero unused low bits. The bytes' own base64url spelling has none of that: it equals `text`
  // exactly when `text` is canonical base64url, and that one comparison is cheaper than a regex pass.
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}
