/** The README's authorization example is code that runs: the block marked `policy-example` is extracted verbatim and executed. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { blockRunner, readmeBlocks } from './support/readme-blocks.js';

const README_URL = new URL('../README.md', import.meta.url);
const README = readFileSync(README_URL, 'utf8');
const run = blockRunner('callerid-policy-readme-');

describe('README: authorization and mapping', () => {
  it('runs the example and prints what it says', async () => {
    const blocks = readmeBlocks(README_URL, 'policy-example');
    expect(blocks).toHaveLength(1);
    const printed = await run('policy-example', blocks[0]!);
    expect(printed).toEqual(['arn:aws:iam::123456789012:role/deployer deploy:ci-example.com ["deployers"]', 'deploy:ci-example.com', '401 Bearer realm="callerid"']);
    // The comments in the block say the same.
    expect(blocks[0]).toContain("// → arn:aws:iam::123456789012:role/deployer deploy:ci-example.com [ 'deployers' ]");
  });

  it('documents the role-path rule that the policy tests check', () => {
    expect(README).toMatch(/matchRoleByName: true`, a role pattern whose name is literal matches/);
    expect(README).toContain('aws-iam-authenticator#268');
  });
});
