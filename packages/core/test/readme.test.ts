/**
 * The README's examples are code that runs: each block marked `<!-- readme-test … -->` is extracted
 * verbatim and executed here (against sts-local), and the error table must match `ERROR_CODES`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { blockRunner, readmeBlocks } from './support/readme-blocks.js';
import { ERROR_CODES } from '../src/index.js';

const README_URL = new URL('../README.md', import.meta.url);
const README = readFileSync(README_URL, 'utf8');
const blocks = readmeBlocks(README_URL, 'readme-test');
const run = blockRunner('callerid-readme-');

// What the later blocks assume from the first one: a running sts-local and a token for payments-api.
const PRELUDE = `
import * as __core from '@callerid/core';
import * as __stsLocal from '@callerid/sts-local';
const __alice = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const sts = await __stsLocal.startStsLocal({ principals: [{ ...__alice, arn: 'arn:aws:iam::123456789012:user/alice', userId: 'AIDAEXAMPLEALICE0001', account: '123456789012' }] });
const { token } = await __core.mintToken({ audience: 'payments-api', region: 'eu-west-1', credentials: __alice });
`;
const EPILOGUE = `
await sts.close();
`;

describe('README examples', () => {
  it('has the three tested blocks', () => {
    expect(blocks).toHaveLength(3);
  });

  it('mint and verify', async () => {
    const printed = await run('mint-and-verify', blocks[0]!);
    expect(printed[0]).toMatch(/^token valid until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    expect(printed[1]).toBe('arn:aws:iam::123456789012:user/alice 123456789012 user');
    expect(printed[2]).toBe(
      'sts_signature_mismatch 401 Bearer realm="callerid", error="invalid_token", error_description="STS says the signature does not match: was the token minted for this audience, and sent unmodified?"',
    );
  });

  it('parseToken', async () => {
    const [line] = await run('parse-token', PRELUDE + blocks[1]! + EPILOGUE);
    expect(line).toMatch(/^sts\.eu-west-1\.amazonaws\.com eu-west-1 AKIAIOSFODNN7EXAMPLE \d{4}-/);
  });

  it('the cache', async () => {
    const printed = await run('cache', PRELUDE + blocks[2]! + EPILOGUE);
    expect(printed).toEqual(['cache entries: 1']);
  });
});

describe('README error table', () => {
  const rows = new Map(
    [...README.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \| ([a-z_]+|—) \| (.+) \|$/gm)].map((m) => [m[1]!, { status: Number(m[2]), bearer: m[3] === '—' ? null : m[3], description: m[4] }]),
  );

  it('lists every code with its status, bearer error and description', () => {
    for (const [code, spec] of Object.entries(ERROR_CODES)) {
      expect(rows.get(code), code).toEqual({ status: spec.status, bearer: spec.bearer, description: spec.description });
    }
    expect(rows.size).toBe(Object.keys(ERROR_CODES).length);
  });
});
