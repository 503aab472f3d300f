/**
 * The first, purely local look at a web identity token: size, shape and the two JSON segments.
 * Nothing here trusts the token; it only decides whether the rest of the checks can read it.
 */
import { CallerIdError } from '../errors.js';
import { parseStrictJson } from '../strict-json.js';
import { decodeBase64UrlStrict, MAX_TOKEN_LENGTH } from '../token-format.js';

/** Default cap on the whole token, in bytes (ASCII, so characters). AWS tokens are 1–3 KiB. */
export const DEFAULT_MAX_JWT_BYTES = MAX_TOKEN_LENGTH;

const SIGNATURE = /^[A-Za-z0-9_-]+$/;

/** A JSON object decoded from an unverified token segment. */
export type JsonObject = Record<string, unknown>;

/** The decoded, still unverified header and payload of a compact JWS. */
export interface DecodedJwt {
  header: JsonObject;
  payload: JsonObject;
}

/**
 * Size cap and three-segment shape first, then strict decoding: all three segments canonical base64url
 * (so one token has exactly one spelling — a signature with non-zero unused bits is refused, not
 * silently equal to another), header and payload JSON objects without duplicate member names.
 * Throws `token_too_large` or `jwt_malformed`.
 */
export function decodeCompactJwt(token: string, maxBytes: number = DEFAULT_MAX_JWT_BYTES): DecodedJwt {
  if (token.length > maxBytes) throw new CallerIdError('token_too_large');
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  // Exactly three segments; header and payload are checked by their strict decoding, the signature here.
  if (second === -1 || token.indexOf('.', second + 1) !== -1) throw new CallerIdError('jwt_malformed');
  const signature = token.slice(second + 1);
  if (!SIGNATURE.test(signature) || !decodeBase64UrlStrict(signature)) throw new CallerIdError('jwt_malformed');
  return {
    header: decodeSegment(token.slice(0, first)),
    payload: decodeSegment(token.slice(first + 1, second)),
  };
}

// Duplicate member names are refused (RFC 7515 §4 lets a JWS parser do so): with them, which value
// counts would depend on the parser — JSON.parse and jose keep the last, others the first — and a
// token must mean one thing to every reader, as the STS answer must (the same strict reader).
function decodeSegment(segment: string): JsonObject {
  const bytes = decodeBase64UrlStrict(segment);
  if (!bytes) throw new CallerIdError('jwt_malformed');
  let value: unknown;
  try {
    value = parseStrictJson(bytes.toString('utf8'));
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
