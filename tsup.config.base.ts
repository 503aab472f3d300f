import { defineConfig, type Options } from 'tsup';

/**
 * The one build every @callerid package uses: dual ESM + CJS with declarations for both,
 * targeting the oldest Node we support. Packages pass only their entry points.
 *
 * No source maps: the output is unminified and reads like the source, stack traces point at it
 * plainly, and maps (with the sources inside) would more than double what every user installs.
 */
export function libraryConfig(entry: Record<string, string>, extra: Options = {}) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    target: 'node20',
    platform: 'node',
    sourcemap: false,
    clean: true,
    splitting: false,
    treeshake: true,
    ...extra,
  });
}
