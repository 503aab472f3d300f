import { defineConfig } from 'tsup';

// The CLI is one bundled CommonJS file: kubectl starts it for every command, so start-up time is the
// product. Commands other than `token` are loaded lazily (dynamic import) so `token` parses little.
export default defineConfig({
  entry: { callerid: 'src/main.ts' },
  format: ['cjs'],
  target: 'node20',
  platform: 'node',
  clean: true,
  sourcemap: false,
  splitting: false,
  minify: false,
  noExternal: [/.*/],
  banner: { js: '#!/usr/bin/env node' },
});
