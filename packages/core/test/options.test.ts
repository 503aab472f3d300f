/** `assertKnownOptions`: the strict option check every factory runs, and the README's example of it. */
import { describe, expect, it } from 'vitest';
import { assertKnownOptions } from '../src/index.js';
import { closestKey } from '../src/options.js';
import { blockRunner, readmeBlocks } from './support/readme-blocks.js';

describe('assertKnownOptions', () => {
  it('accepts known keys, including ones set to undefined', () => {
    expect(() => assertKnownOptions({ audience: 'a', realm: undefined }, ['audience', 'realm'])).not.toThrow();
  });

  it('refuses an unknown key, even set to undefined, naming the closest known one', () => {
    expect(() => assertKnownOptions({ audience: 'a', stsEndPoint: undefined }, ['audience', 'stsEndpoint'])).toThrow(
      new TypeError('unknown option "stsEndPoint"; did you mean "stsEndpoint"?'),
    );
  });

  it('lists the known options when none is close', () => {
    expect(() => assertKnownOptions({ zzz: 1 }, ['audience', 'realm'])).toThrow(new TypeError('unknown option "zzz"; known options: "audience", "realm"'));
  });

  it('ignores symbol keys and inherited properties', () => {
    const options = Object.assign(Object.create({ inherited: 1 }) as object, { audience: 'a', [Symbol('x')]: 1 });
    expect(() => assertKnownOptions(options, ['audience'])).not.toThrow();
  });

  it('picks the closest key: case, transpositions, a missing or extra letter', () => {
    const known = ['audience', 'stsEndpoint', 'timeoutMs', 'negativeCacheTtlMs', 'realm'];
    expect(closestKey('Audience', known)).toBe('audience');
    expect(closestKey('audeince', known)).toBe('audience');
    expect(closestKey('timeout', known)).toBe('timeoutMs');
    expect(closestKey('negativeCacheTTLMs', known)).toBe('negativeCacheTtlMs');
    expect(closestKey('realms', known)).toBe('realm');
    expect(closestKey('dispatcher', known)).toBeUndefined();
    expect(closestKey('x'.repeat(10_000), known)).toBeUndefined();
  });
});

describe('README strict options example', () => {
  const blocks = readmeBlocks(new URL('../README.md', import.meta.url), 'readme-options');
  const run = blockRunner('callerid-options-');

  it('prints what its comments say', async () => {
    expect(blocks).toHaveLength(1);
    expect(await run('options', blocks[0]!)).toEqual([
      'TypeError: unknown option "stsEndPoint"; did you mean "stsEndpoint"?',
      'TypeError: unknown option "billing.tenent"; did you mean "billing.tenant"?',
    ]);
  });
});
