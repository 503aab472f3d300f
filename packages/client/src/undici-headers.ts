/**
 * Reading and extending undici's request headers, which arrive in any of the shapes undici accepts: a
 * plain object, a flat `[name, value, …]` array, an array of `[name, value]` pairs or another iterable
 * of pairs (a `Headers`, a `Map`).
 */

/** The header shapes of `Dispatcher.DispatchOptions['headers']`. */
export type AnyHeaders =
  | Record<string, string | string[] | undefined>
  | ReadonlyArray<string | Buffer>
  | ReadonlyArray<readonly [string, string | string[] | undefined]>
  | Iterable<readonly [string, string | string[] | undefined]>
  | null
  | undefined;

type Pair = readonly [string | Buffer, unknown];

function lower(key: unknown): string {
  return (typeof key === 'string' ? key : String(key)).toLowerCase();
}

function isPairs(headers: ReadonlyArray<unknown>): headers is ReadonlyArray<Pair> {
  return headers.length > 0 && Array.isArray(headers[0]);
}

function isIterable(headers: object): headers is Iterable<Pair> {
  return typeof (headers as Partial<Iterable<unknown>>)[Symbol.iterator] === 'function';
}

/** Whether `headers` already holds `name` (lower-case) with a value. */
export function hasHeader(headers: AnyHeaders, name: string): boolean {
  if (headers === null || headers === undefined) return false;
  if (Array.isArray(headers)) {
    if (isPairs(headers)) return headers.some((pair: Pair) => lower(pair[0]) === name && pair[1] !== undefined);
    const flat = headers as ReadonlyArray<unknown>;
    for (let i = 0; i < flat.length; i += 2) if (lower(flat[i]) === name) return true;
    return false;
  }
  if (isIterable(headers)) {
    for (const pair of headers) if (lower(pair[0]) === name && pair[1] !== undefined) return true;
    return false;
  }
  const record = headers as Record<string, unknown>;
  for (const key of Object.keys(record)) if (lower(key) === name && record[key] !== undefined) return true;
  return false;
}

/**
 * A copy of `headers` with `name: value` added; the caller's object is never mutated. Arrays of pairs and
 * other iterables come back as a flat array, the shape every undici dispatcher accepts.
 */
export function withHeader(headers: AnyHeaders, name: string, value: string): Record<string, string | string[] | undefined> | Array<string | Buffer | string[]> {
  if (headers === null || headers === undefined) return { [name]: value };
  if (Array.isArray(headers) && !isPairs(headers)) return [...(headers as ReadonlyArray<string | Buffer>), name, value];
  if (Array.isArray(headers) || isIterable(headers)) {
    const flat: Array<string | Buffer | string[]> = [];
    for (const [key, val] of headers as Iterable<Pair>) {
      if (val !== undefined) flat.push(key, val as string | string[]);
    }
    flat.push(name, value);
    return flat;
  }
  return { ...(headers as Record<string, string | string[] | undefined>), [name]: value };
}
