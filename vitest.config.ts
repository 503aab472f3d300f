import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

/** Every workspace folder with a `test/` directory is one vitest project named after the folder. */
function projectDirs(): string[] {
  const dirs: string[] = [];
  for (const group of ['packages', 'examples']) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base)) dirs.push(`${group}/${name}`);
  }
  dirs.push('integration', 'bench');
  return dirs.filter((dir) => existsSync(join(root, dir, 'test')));
}

export default defineConfig({
  resolve: {
    // Tests run against sources, so a change in core is seen by every dependent without a rebuild.
    // (The CLI tests and the cjs-consumer example run the built dist on purpose.)
    alias: [
      // Only the published packages; `@callerid/example-*` and other private workspace names resolve normally.
      { find: /^@callerid\/(core|sts-local|cli|express|fastify|koa|client|redis|server|mint)$/, replacement: join(root, 'packages/$1/src/index.ts') },
      { find: /^@callerid\/(core|sts-local|cli|express|fastify|koa|client|redis|server|mint)\/([a-z-]+)$/, replacement: join(root, 'packages/$1/src/$2.ts') },
    ],
  },
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
    projects: projectDirs().map((dir) => ({
      extends: true,
      test: {
        name: dir.split('/').pop()!,
        root: join(root, dir),
        include: ['test/**/*.test.ts'],
        typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: join(root, dir, 'tsconfig.json') },
      },
    })),
  },
});
