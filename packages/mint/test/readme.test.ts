/**
 * The README's example is code that runs: the block marked `<!-- mint-example … -->` is extracted
 * verbatim and executed here against sts-local.
 */
import { describe, expect, it } from 'vitest';
import { blockRunner, readmeBlocks } from '../../core/test/support/readme-blocks.js';

const blocks = readmeBlocks(new URL('../README.md', import.meta.url), 'mint-example');
const run = blockRunner('callerid-readme-mint-');

describe('README example', () => {
  it('has the tested block', () => {
    expect(blocks).toHaveLength(1);
  });

  it('mints a token that verifies', async () => {
    expect(await run('mint', blocks[0]!)).toEqual(['true true', 'arn:aws:iam::123456789012:user/alice']);
  });
});
