import { describe, expect, it } from 'vitest';
import { parseStrictJson, StrictJsonError } from '../src/strict-json.js';

describe('parseStrictJson', () => {
  it('reads what JSON.parse reads', () => {
    for (const text of ['{}', '[]', '"a\\u00e9\\n\\""', '-1.5e3', ' {"a":[1,true,false,null,{"b":"c"}]} ', '0', '"\\/"']) {
      expect(parseStrictJson(text)).toEqual(JSON.parse(text));
    }
  });

  const bad: [string, string][] = [
    ['a duplicate key', '{"a":1,"a":2}'],
    ['a duplicate key spelled with an escape', '{"Arn":1,"\\u0041rn":2}'],
    ['a nested duplicate', '{"x":{"a":1,"b":2,"a":3}}'],
    ['trailing data', '{} {}'],
    ['a trailing comma', '{"a":1,}'],
    ['single quotes', "{'a':1}"],
    ['a leading zero', '01'],
    ['NaN', 'NaN'],
    ['a raw control character', '"a\nb"'],
    ['a bad escape', '"\\x41"'],
    ['a short unicode escape', '"\\u12"'],
    ['unterminated', '{"a":"b'],
    ['empty', ''],
    ['deep nesting', '['.repeat(100) + ']'.repeat(100)],
  ];
  for (const [name, text] of bad) {
    it(`refuses ${name}`, () => expect(() => parseStrictJson(text)).toThrow(StrictJsonError));
  }
});
