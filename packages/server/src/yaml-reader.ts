/**
 * Strict reading of YAML configuration: every key is checked, and every error names the key and, when
 * the input came from a file, its line and column. Objects given programmatically go through the same
 * reader (as a YAML document built from them), so `createServer({...})` is validated exactly like a file.
 */
import { Document, isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair } from 'yaml';

/** A configuration or mapping file that cannot be used. `key` is the dotted path of the offending key. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** The dotted path of the key at fault (`forwardAuth.allow.accounts[1]`), or `''` for the whole document. */
  readonly key: string;
  /** 1-based line of the key in the file, when known. */
  readonly line: number | undefined;

  constructor(message: string, key: string, line: number | undefined) {
    super(message);
    this.key = key;
    this.line = line;
  }
}

/** One YAML document being read, and where its errors point. */
export class YamlSource {
  readonly #lines = new LineCounter();
  /** How errors name this source (a file path). */
  readonly name: string;
  readonly #lineOffset: number;
  readonly root: Node | null;

  /**
   * @param input YAML text, or a plain object (positions are then unknown).
   * @param name how errors name the source (a file path).
   * @param lineOffset lines before `input` in its file (for YAML held in a string inside another file).
   */
  constructor(input: string | object, name: string, lineOffset = 0) {
    this.name = name;
    this.#lineOffset = lineOffset;
    if (typeof input !== 'string') {
      this.root = new Document(input).contents;
      return;
    }
    const doc = parseDocument(input, { lineCounter: this.#lines, uniqueKeys: true, prettyErrors: false, strict: true });
    const problem = doc.errors[0];
    if (problem) this.#fail('', problem.pos[0], `not valid YAML (${problem.code})`);
    this.root = doc.contents;
  }

  /** The 1-based line of `node`, when it came from text. */
  lineOf(node: Node | null | undefined): number | undefined {
    const offset = node?.range?.[0];
    if (offset === undefined || this.#lines.lineStarts.length === 0) return undefined;
    return this.#lines.linePos(offset).line + this.#lineOffset;
  }

  /** Throws a {@link ConfigError} about `key` at `node`. */
  fail(node: Node | null | undefined, key: string, detail: string): never {
    const line = this.lineOf(node);
    throw new ConfigError(`${this.name}${line === undefined ? '' : `:${line}`}: ${key || '(document)'}: ${detail}`, key, line);
  }

  #fail(key: string, offset: number, detail: string): never {
    const line = this.#lines.linePos(offset).line + this.#lineOffset;
    throw new ConfigError(`${this.name}:${line}: ${key || '(document)'}: ${detail}`, key, line);
  }

  /** The pairs of a mapping node, refusing keys outside `known` (with a "did you mean"). */
  map(node: Node | null | undefined, key: string, known: readonly string[]): Map<string, Node | null> {
    if (!isMap(node)) this.fail(node, key, 'must be a mapping');
    const out = new Map<string, Node | null>();
    for (const pair of node.items as Pair<Node, Node | null>[]) {
      const name = isScalar(pair.key) ? String(pair.key.value) : undefined;
      const where = key ? `${key}.${name}` : String(name);
      if (name === undefined || !known.includes(name)) {
        const hint = name === undefined ? undefined : closest(name, known);
        this.fail(pair.key, where, `unknown key${hint ? ` (did you mean "${hint}"?)` : ''}; known keys: ${known.join(', ')}`);
      }
      out.set(name, pair.value);
    }
    return out;
  }

  /** A mapping with arbitrary string keys (host names, audiences). */
  dictionary(node: Node | null | undefined, key: string): Map<string, Node | null> {
    if (!isMap(node)) this.fail(node, key, 'must be a mapping');
    const out = new Map<string, Node | null>();
    for (const pair of node.items as Pair<Node, Node | null>[]) {
      if (!isScalar(pair.key) || typeof pair.key.value !== 'string') this.fail(pair.key, key, 'keys must be strings');
      out.set(pair.key.value, pair.value);
    }
    return out;
  }

  string(node: Node | null | undefined, key: string, pattern?: RegExp, expected?: string): string {
    if (!isScalar(node) || typeof node.value !== 'string') this.fail(node, key, expected ? `must be ${expected}` : 'must be a string');
    if (pattern && !pattern.test(node.value)) this.fail(node, key, `must be ${expected ?? `a string matching ${String(pattern)}`}`);
    return node.value;
  }

  integer(node: Node | null | undefined, key: string, min: number, max: number): number {
    if (!isScalar(node) || typeof node.value !== 'number' || !Number.isInteger(node.value) || node.value < min || node.value > max) {
      this.fail(node, key, `must be an integer from ${min} to ${max}`);
    }
    return node.value;
  }

  boolean(node: Node | null | undefined, key: string): boolean {
    if (!isScalar(node) || typeof node.value !== 'boolean') this.fail(node, key, 'must be true or false');
    return node.value;
  }

  /** The items of a sequence node. */
  list(node: Node | null | undefined, key: string): (Node | null)[] {
    if (!isSeq(node)) this.fail(node, key, 'must be a list');
    return node.items as (Node | null)[];
  }

  stringList(node: Node | null | undefined, key: string, pattern?: RegExp, expected?: string): string[] {
    return this.list(node, key).map((item, i) => this.string(item, `${key}[${i}]`, pattern, expected));
  }
}

/** The known key nearest to `name` (edit distance at most 3), for "did you mean". */
function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 4;
  for (const candidate of known) {
    const d = distance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

function distance(a: string, b: string): number {
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
