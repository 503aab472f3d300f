import { defineConfig, type Options } from 'tsup';

/**
 * The one build every @callerid package uses: dual ESM + CJS with declarations for both,
 * targeting the oldest Node we support. Packages pass only their entry points.
 */
export function libraryConfig(entry: Record<string, string>, extra: Options = {}) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    target: 'node20',
    platform: 'node',
    sourcemap: true,
    clean: true,
    splitting: false,
    treeshake: true,
    ...extra,
  });
}
