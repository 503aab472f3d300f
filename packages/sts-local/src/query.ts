import { stsErrors } from './errors.js';

/** One decoded `key=value` pair, in arrival order. */
export interface QueryPair {
  readonly key: string;
  readonly value: string;
}

const BAD_ESCAPE = /%(?![0-9A-Fa-f]{2})/;

function decode(raw: string, plusIsSpace: boolean): string {
  if (BAD_ESCAPE.test(raw)) throw stsErrors.malformedQuery('The query string contains a malformed percent-escape.');
  const text = plusIsSpace ? raw.replaceAll('+', ' ') : raw;
  try {
    return decodeURIComponent(text);
  } catch {
    throw stsErrors.malformedQuery('The query string is not valid UTF-8.');
  }
}

/**
 * Splits a raw query string (or an `application/x-www-form-urlencoded` body, with `plusIsSpace`) into
 * decoded pairs. Strict: a malformed escape or invalid UTF-8 is a `MalformedQueryString` error. In a URL
 * query `+` is kept literally, as SigV4 canonicalization does.
 */
export function parseQuery(raw: string, plusIsSpace = false): QueryPair[] {
  const pairs: QueryPair[] = [];
  if (raw.length === 0) return pairs;
  for (const part of raw.split('&')) {
    if (part.length === 0) continue;
    const eq = part.indexOf('=');
    const key = decode(eq === -1 ? part : part.slice(0, eq), plusIsSpace);
    const value = eq === -1 ? '' : decode(part.slice(eq + 1), plusIsSpace);
    if (key.length === 0) throw stsErrors.malformedQuery('The query string has a parameter without a name.');
    pairs.push({ key, value });
  }
  return pairs;
}

/** RFC 3986 encoding as SigV4 wants it: unreserved characters kept, everything else `%XX` upper-case. */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
