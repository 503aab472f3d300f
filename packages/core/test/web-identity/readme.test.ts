/**
 * The README's web identity examples are code that runs: each block marked
 * `<!-- web-identity-example … -->` is extracted verbatim and executed here against sts-local.
 */
import { describe, expect, it } from 'vitest';
import { blockRunner, readmeBlocks } from '../support/readme-blocks.js';

const blocks = readmeBlocks(new URL('../../README.md', import.meta.url), 'web-identity-example');
const run = blockRunner('callerid-readme-jwt-');

// What the second block assumes from the first: sts-local, the account's issuer, and two JWTs.
const PRELUDE = `
import * as __mintPkg from '@callerid/mint';
import * as __stsLocal from '@callerid/sts-local';
const __alice = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const sts = await __stsLocal.startStsLocal({ principals: [{ ...__alice, arn: 'arn:aws:iam::123456789012:user/alice', userId: 'AIDAEXAMPLEALICE0001', account: '123456789012' }] });
const issuer = sts.issuerFor('123456789012');
const __mint = (audience: string) => __mintPkg.mintWebIdentityToken({ audience, signingAlgorithm: 'ES384', region: 'eu-west-1', credentials: __alice, endpoint: sts.url });
const jwt = await __mint('https://payments.example.com');
const jwtForOrders = await __mint('https://orders.example.com');
`;
const EPILOGUE = `
await sts.close();
`;

describe('README web identity examples', () => {
  it('has the three tested blocks', () => {
    expect(blocks).toHaveLength(3);
  });

  it('two kinds of token, one verifier', async () => {
    const printed = await run('two-kinds', blocks[0]!);
    expect(printed).toEqual([
      'presigned arn:aws:iam::123456789012:user/alice eu-west-1',
      'web-identity arn:aws:iam::123456789012:user/alice eu-west-1',
    ]);
  });

  it('a JWT-only verifier', async () => {
    const printed = await run('jwt-only', PRELUDE + blocks[1]! + EPILOGUE);
    expect(printed).toEqual(['user 123456789012', 'jwt_audience 401']);
  });

  it('parseWebIdentityToken', async () => {
    const printed = await run('parse', PRELUDE + blocks[2]! + EPILOGUE);
    expect(printed).toEqual(['ES384 EC384_0 arn:aws:iam::123456789012:user/alice 300']);
  });
});
