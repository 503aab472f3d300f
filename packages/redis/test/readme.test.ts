/** The README's example is code that runs, against a real redis-server. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readmeBlocks } from '../../core/test/support/readme-blocks.js';
import { hasRedis, startRedis, type RedisServer } from './support/redis-server.js';

const blocks = readmeBlocks(new URL('../README.md', import.meta.url), 'redis-readme');
// Inside the package, so that the block's `import … from 'redis'` resolves as it would in an app.
const dir = mkdtempSync(join(fileURLToPath(new URL('../node_modules/', import.meta.url)), '.readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!hasRedis)('README', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis?.stop());

  it('has one tested block, and it runs: two instances, one STS call', async () => {
    expect(blocks).toHaveLength(1);
    const file = join(dir, 'use.ts');
    writeFileSync(file, blocks[0]!);
    vi.stubEnv('REDIS_URL', redis.url);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await import(/* @vite-ignore */ pathToFileURL(file).href);
      expect(log.mock.calls.map((args) => args.join(' '))).toEqual(['true 1']);
    } finally {
      log.mockRestore();
      vi.unstubAllEnvs();
    }
  });
});
