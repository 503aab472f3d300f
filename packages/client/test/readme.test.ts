/**
 * The README's examples are the files in test/readme/: this test checks the README shows them verbatim
 * and runs each one against a protected service and sts-local, with credentials from the default chain.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ALICE, useProtectedService } from './support/servers.js';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
const snippets = [...readme.matchAll(/<!-- snippet: (\S+) -->\n```ts\n([\s\S]*?)```/g)].map((m) => ({ file: m[1]!, code: m[2]! }));

describe('README examples', () => {
  const env = useProtectedService('payments-api');
  const saved = { ...process.env };

  beforeAll(async () => {
    for (const key of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL_STS']) delete process.env[key];
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: ALICE.accessKeyId,
      AWS_SECRET_ACCESS_KEY: ALICE.secretAccessKey,
      AWS_REGION: 'us-east-1',
      PAYMENTS_URL: env.service.url,
    });
  });
  afterAll(async () => {
    process.env = saved;
  });

  it('shows every example file verbatim', () => {
    expect(snippets.map((s) => s.file)).toEqual(['test/readme/fetch.ts', 'test/readme/undici.ts', 'test/readme/axios.ts', 'test/readme/provider.ts']);
    for (const { file, code } of snippets) expect(code, file).toBe(readFileSync(join(packageDir, file), 'utf8'));
  });

  it.each(['fetch', 'undici', 'axios', 'provider'])('the %s example gets 200 with the caller identity', async (name) => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await import(`./readme/${name}.ts`);
      expect(log.mock.calls[0]).toEqual([200, expect.objectContaining({ arn: ALICE.arn, accountId: ALICE.account })]);
      if (name === 'provider') expect(log.mock.calls[1]).toEqual([true]);
      for (const call of log.mock.calls) expect(JSON.stringify(call)).not.toContain('k8s-aws-v1.');
    } finally {
      log.mockRestore();
    }
  });
});
