/** The README's embedding example runs as written, against sts-local. */
import { describe, expect, it } from 'vitest';
import { blockRunner, readmeBlocks } from '../../core/test/support/readme-blocks.js';

const blocks = readmeBlocks(new URL('../README.md', import.meta.url), 'readme-test');
const run = blockRunner('callerid-server-readme-');

const PRELUDE = `
import * as __mint from '@callerid/mint';
import * as __stsLocal from '@callerid/sts-local';
const __alice = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const sts = await __stsLocal.startStsLocal({ principals: [{ ...__alice, arn: 'arn:aws:iam::123456789012:user/alice', userId: 'AIDAEXAMPLEALICE0001', account: '123456789012' }] });
const { token } = await __mint.mintToken({ audience: 'payments-api', region: 'eu-west-1', credentials: __alice });
`;

describe('README', () => {
  it('the embedding example answers /auth with the caller', async () => {
    expect(blocks).toHaveLength(1);
    const [imports, ...rest] = blocks[0]!.split('\n\n');
    const printed = await run('embed', `${imports}\n${PRELUDE}\n${rest.join('\n\n')}\nawait sts.close();\n`);
    expect(printed).toEqual(['200 arn:aws:iam::123456789012:user/alice']);
  });
});
