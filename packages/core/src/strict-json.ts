/**
 * A strict JSON reader for answers we must trust. `JSON.parse` silently keeps the last of two equal
 * keys, so `{"Arn":"a","Arn":"b"}` — or two `GetCallerIdentityResult`s — would pass unnoticed; this
 * parser refuses duplicate keys, deep nesting and anything after the value. Inputs are small (the
 * response is capped before it gets here).
 */

/** A JSON value as read by {@link parseStrictJson}. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Thrown by {@link parseStrictJson}; carries no part of the input. */
export class StrictJsonError extends Error {
  override readonly name = 'StrictJsonError';
}

const MAX_DEPTH = 16;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// eslint-disable-next-line no-control-regex -- JSON strings may not hold raw control characters.
const PLAIN_STRING = /[^"\\\u0000-\u001f]*/y;

/** Parses RFC 8259 JSON, refusing duplicate object keys and nesting deeper than 16 levels. */
export function parseStrictJson(text: string): JsonValue {
  const reader = new Reader(text);
  reader.skipSpace();
  const value = reader.value(0);
  reader.skipSpace();
  if (reader.pos !== text.length) throw new StrictJsonError('Unexpected data after the JSON value.');
  return value;
}

class Reader {
  pos = 0;
  constructor(private readonly text: string) {}

  value(depth: number): JsonValue {
    if (depth > MAX_DEPTH) throw new StrictJsonError('JSON nested too deeply.');
    const c = this.text[this.pos];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    if (this.literal('true')) return true;
    if (this.literal('false')) return false;
    if (this.literal('null')) return null;
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (!m || m[0].length === 0) throw new StrictJsonError('Invalid JSON value.');
    this.pos += m[0].length;
    return Number(m[0]);
  }

  object(depth: number): { [key: string]: JsonValue } {
    const out: { [key: string]: JsonValue } = Object.create(null) as { [key: string]: JsonValue };
    this.pos++; // {
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') throw new StrictJsonError('Expected an object key.');
      const key = this.string();
      if (Object.hasOwn(out, key)) throw new StrictJsonError('Duplicate object key.');
      this.skipSpace();
      this.expect(':');
      this.skipSpace();
      out[key] = this.value(depth + 1);
      this.skipSpace();
      if (this.text[this.pos] === ',') {
        this.pos++;
        continue;
      }
      this.expect('}');
      return out;
    }
  }

  array(depth: number): JsonValue[] {
    const out: JsonValue[] = [];
    this.pos++; // [
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      out.push(this.value(depth + 1));
      this.skipSpace();
      if (this.text[this.pos] === ',') {
        this.pos++;
        continue;
      }
      this.expect(']');
      return out;
    }
  }

  string(): string {
    this.pos++; // opening quote
    let out = '';
    for (;;) {
      PLAIN_STRING.lastIndex = this.pos;
      const run = PLAIN_STRING.exec(this.text)![0];
      out += run;
      this.pos += run.length;
      const c = this.text[this.pos];
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c !== '\\') throw new StrictJsonError('Unterminated or invalid JSON string.');
      out += this.escape();
    }
  }

  escape(): string {
    const c = this.text[this.pos + 1];
    this.pos += 2;
    switch (c) {
      case '"': return '"';
      case '\\': return '\\';
      case '/': return '/';
      case 'b': return '\b';
      case 'f': return '\f';
      case 'n': return '\n';
      case 'r': return '\r';
      case 't': return '\t';
      case 'u': {
        const hex = this.text.slice(this.pos, this.pos + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new StrictJsonError('Invalid JSON unicode escape.');
        this.pos += 4;
        return String.fromCharCode(parseInt(hex, 16));
      }
      default:
        throw new StrictJsonError('Invalid JSON escape.');
    }
  }

  literal(word: string): boolean {
    if (!this.text.startsWith(word, this.pos)) return false;
    this.pos += word.length;
    return true;
  }

  expect(c: string): void {
    if (this.text[this.pos] !== c) throw new StrictJsonError('Malformed JSON.');
    this.pos++;
  }

  skipSpace(): void {
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.pos++;
    }
  }
}
