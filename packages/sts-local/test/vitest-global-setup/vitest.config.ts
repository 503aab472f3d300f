import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = fileURLToPath(new URL('.', import.meta.url));
const packages = fileURLToPath(new URL('../../../', import.meta.url));

// The README's vitest setup, run for real by test/readme.test.ts.
export default defineConfig({
  root: here,
  test: {
    include: ['*.spec.ts'],
    globalSetup: ['./sts-local.global-setup.ts'],
  },
  // Only inside this repository: resolve @callerid/* from sources (users install the packages).
  resolve: { alias: [{ find: /^@callerid\/([a-z-]+)$/, replacement: `${packages}$1/src/index.ts` }] },
});
