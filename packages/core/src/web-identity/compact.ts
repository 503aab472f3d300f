/**
 * The first, purely local look at a web identity token: size, shape and the two JSON segments.
 * Nothing here trusts the token; it only decides whether the rest of the checks can read it.
 */
import { CallerIdError } from '../errors.js';

/** Default cap on the whole token, in bytes (ASCII, so characters). AWS tokens are 1–3 KiB. */
export const DEFAULT_MAX_JWT_BYTES = 16 * 1024;

// Strict base64url: the URL alphabet only, no padding, no whitespace.
const SEGMENT = /^[A-Za-z0-9_-]+$/;
// Three non-empty base64url segments; anything else (JWE, detached payload, garbage) is not a JWS.
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** A JSON object decoded from an unverified token segment. */
export type JsonObject = Record<string, unknown>;

/** The decoded, still unverified header and payload of a compact JWS. */
export interface DecodedJwt {
  header: JsonObject;
  payload: JsonObject;
}

/** Whether `token` has the shape of a compact JWS (three base64url segments). Cheap; no decoding. */
export function looksLikeCompactJws(token: string): boolean {
  return COMPACT_JWS.test(token);
}

/**
 * Size cap and three-segment shape first, then strict decoding of header and payload as JSON objects.
 * Throws `token_too_large` or `jwt_malformed`.
 */
export function decodeCompactJwt(token: string, maxBytes: number = DEFAULT_MAX_JWT_BYTES): DecodedJwt {
  if (token.length > maxBytes) throw new CallerIdError('token_too_large');
  if (!COMPACT_JWS.test(token)) throw new CallerIdError('jwt_malformed');
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  return {
    header: decodeSegment(token.slice(0, first)),
    payload: decodeSegment(token.slice(first + 1, second)),
  };
}

function decodeSegment(segment: string): JsonObject {
  // A length of 1 mod 4 cannot come from any byte string.
  if (!SEGMENT.test(segment) || segment.length % 4 === 1) throw new CallerIdError('jwt_malformed');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new CallerIdError('jwt_malformed');
  }
  if (!isJsonObject(value)) throw new CallerIdError('jwt_malformed');
  return value;
}

/** A plain JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
