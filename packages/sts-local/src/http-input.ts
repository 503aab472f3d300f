import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import { stsErrors } from './errors.js';
import { parseQuery, type QueryPair } from './query.js';

/** Lower-case header name → every value that arrived, in order (from `rawHeaders`, so repeats survive). */
export function headerMap(req: IncomingMessage): Map<string, string[]> {
  const map = new Map<string, string[]>();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const values = map.get(name);
    if (values) values.push(raw[i + 1]!);
    else map.set(name, [raw[i + 1]!]);
  }
  return map;
}

/**
 * The action parameters of an STS Query-protocol request: the query's non-`X-Amz-*` pairs plus, for a
 * form-encoded POST body, the body's pairs. A repeated parameter is refused rather than guessed at.
 */
export function actionParams(
  query: readonly QueryPair[],
  method: string,
  contentType: string | undefined,
  body: Buffer,
): Map<string, string> {
  const pairs = query.filter((p) => !p.key.toLowerCase().startsWith('x-amz-'));
  if (method === 'POST' && body.length > 0 && contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    if (!isUtf8(body)) throw stsErrors.malformedQuery('The request body is not valid UTF-8.');
    pairs.push(...parseQuery(body.toString('utf8'), true));
  }
  const params = new Map<string, string>();
  for (const { key, value } of pairs) {
    if (params.has(key)) throw stsErrors.malformedQuery('The request repeats a parameter.');
    params.set(key, value);
  }
  return params;
}
