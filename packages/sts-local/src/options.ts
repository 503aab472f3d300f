/**
 * Strict options for sts-local: an unknown key is a `TypeError` naming it and the closest known key
 * (`unknown option "fualts"; did you mean "faults"?`). The same rule and message as @callerid/core's
 * `assertKnownOptions`, kept local because sts-local depends on nothing of callerid (core's tests run
 * against it).
 */

/** Throws for the first own key of `options` not in `known`; `where` prefixes nested keys (`faults.`). */
export function assertKnownOptions(options: object, known: readonly string[], where = ''): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const closest = closestKey(key, known);
    const hint = closest === undefined ? `known options: ${known.map((k) => `"${where}${k}"`).join(', ')}` : `did you mean "${where}${closest}"?`;
    throw new TypeError(`unknown option "${where}${key}"; ${hint}`);
  }
}

function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return bestDistance <= Math.max(2, Math.ceil(key.length / 3)) ? best : undefined;
}

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

/** The complete list of `T`'s option names: leaving one out is a compile error. */
export function optionKeys<T>() {
  return <const K extends readonly (keyof T & string)[]>(
    keys: K & ([Exclude<keyof T & string, K[number]>] extends [never] ? unknown : { missing: Exclude<keyof T & string, K[number]> }),
  ): readonly string[] => keys;
}
