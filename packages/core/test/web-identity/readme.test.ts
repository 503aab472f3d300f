/**
 * The README's web identity examples are code that runs: each block marked
 * `<!-- web-identity-example … -->` is extracted verbatim and executed here against sts-local.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const blocks = [...README.matchAll(/<!-- web-identity-example[^>]*-->\n```ts\n([\s\S]*?)\n```/g)].map((m) => m[1]!);
const dir = mkdtempSync(join(tmpdir(), 'callerid-readme-jwt-'));

// What the second block assumes from the first: sts-local, the account's issuer, and two JWTs.
const PRELUDE = `
import * as __core from '@callerid/core';
import * as __stsLocal from '@callerid/sts-local';
const __alice = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const sts = await __stsLocal.startStsLocal({ principals: [{ ...__alice, arn: 'arn:aws:iam::123456789012:user/alice', userId: 'AIDAEXAMPLEALICE0001', account: '123456789012' }] });
const issuer = sts.issuerFor('123456789012');
const __mint = (audience: string) => __core.mintWebIdentityToken({ audience, signingAlgorithm: 'ES384', region: 'eu-west-1', credentials: __alice, endpoint: sts.url });
const jwt = await __mint('https://payments.example.com');
const jwtForOrders = await __mint('https://orders.example.com');
`;
const EPILOGUE = `
await sts.close();
`;

/** Runs a block as a module and returns what it printed. */
async function run(name: string, code: string): Promise<string[]> {
  const file = join(dir, `${name}.ts`);
  writeFileSync(file, code);
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  await import(/* @vite-ignore */ pathToFileURL(file).href);
  return log.mock.calls.map((args) => args.join(' '));
}

afterEach(() => {
  vi.restoreAllMocks();
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

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
