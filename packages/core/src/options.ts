/**
 * Strict options: every factory refuses a key it does not know, at construction, with the closest
 * known key. A typo such as `stsEndPoint` must never be ignored — that would silently send tokens to
 * the default AWS endpoint, or, in `allow`, silently drop a rule.
 */

/**
 * Throws a `TypeError` naming the first own key of `options` that is not in `known`, and the closest
 * known key: `unknown option "stsEndPoint"; did you mean "stsEndpoint"?`. `where` prefixes the key
 * (`allow.` → `unknown option "allow.acounts"`). Call it once, when a factory runs, never per request.
 *
 * @example
 * ```ts
 * assertKnownOptions({ stsEndPoint: 'https://sts.eu-west-1.amazonaws.com' }, ['audience', 'stsEndpoint']);
 * // TypeError: unknown option "stsEndPoint"; did you mean "stsEndpoint"?
 * ```
 */
export function assertKnownOptions(options: object, known: readonly string[], where = ''): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const closest = closestKey(key, known);
    const hint = closest === undefined ? `known options: ${known.map((k) => `"${where}${k}"`).join(', ')}` : `did you mean "${where}${closest}"?`;
    throw new TypeError(`unknown option "${where}${key}"; ${hint}`);
  }
}

/**
 * The known key closest to `key` by edit distance, ignoring case, or
 * `undefined` when none is close enough to be a plausible typo.
 */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return bestDistance <= Math.max(2, Math.ceil(key.length / 3)) ? best : undefined;
}

// Levenshtein distance, two rows; option names are short.
function editDistance(a: string, b: string): number {
  if (a.length > 64 || b.length > 64) return Number.POSITIVE_INFINITY;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The complete list of `T`'s option names, checked at compile time: leaving one out (when an option is
 * added to the interface) is a type error, so the runtime check can never refuse a documented option.
 */
export function optionKeys<T>() {
  return <const K extends readonly (keyof T & string)[]>(
    keys: K & ([Exclude<keyof T & string, K[number]>] extends [never] ? unknown : { missing: Exclude<keyof T & string, K[number]> }),
  ): readonly string[] => keys;
}
