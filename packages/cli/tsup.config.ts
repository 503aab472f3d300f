import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Options } from 'tsup';
import type { Plugin } from 'esbuild';
import { MODULE_WRAPPER } from './src/code-cache.js';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };
const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * Files loaded on demand. Each is bundled on its own, and a dynamic `import()` of it (or of the AWS SDK
 * package it wraps) becomes a `require('./<name>.cjs')` of the sibling file instead of inlined code.
 */
const LAZY: Record<string, string> = {
  verify: 'src/commands/verify.ts',
  decode: 'src/commands/decode.ts',
  'sts-local': 'src/commands/sts-local.ts',
  help: 'src/help.ts',
  kubeconfig: 'src/commands/kubeconfig.ts',
  doctor: 'src/commands/doctor.ts',
  serve: 'src/commands/serve.ts',
  'credential-providers': 'src/lazy/credential-providers.ts',
  'region-config': 'src/lazy/region-config.ts',
  'web-identity': 'src/lazy/web-identity.ts',
  'smithy-core': 'src/lazy/smithy-core.ts',
  'caller-identity': 'src/lazy/caller-identity.ts',
};
const LAZY_PACKAGES: Record<string, string> = { '@aws-sdk/credential-providers': 'credential-providers', '@smithy/core': 'smithy-core' };

const lazyFiles: Plugin = {
  name: 'callerid-lazy-files',
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind !== 'dynamic-import') return undefined;
      const name = LAZY_PACKAGES[args.path] ?? (args.path.startsWith('.') ? basename(args.path).replace(/\.[jt]s$/, '') : undefined);
      return name !== undefined && Object.hasOwn(LAZY, name) ? { path: `./${name}.cjs`, external: true } : undefined;
    });
  },
};

/**
 * Modules the token commands get in place of what their dependencies import, so that signing a token
 * loads no `node:crypto` (see src/token/sha256.ts and src/lazy/smithy-serde-crypto.ts). Each is matched
 * by the importing file and the import, and the build fails when one no longer matches anything: a
 * dependency that moved its imports must be looked at again, not silently slow the CLI down.
 */
const SUBSTITUTES: { importer: RegExp; path: RegExp; with: string }[] = [
  { importer: /[/\\]mint[/\\]src[/\\]presigned\.ts$/, path: /^\.\/sha256\.js$/, with: source('src/token/sha256.ts') },
  { importer: /[/\\]@smithy[/\\]core[/\\]dist-es[/\\]submodules[/\\]serde[/\\]index\.js$/, path: /^(node:)?crypto$/, with: source('src/lazy/smithy-serde-crypto.ts') },
  { importer: /[/\\]@smithy[/\\]core[/\\]dist-es[/\\]submodules[/\\]serde[/\\]index\.js$/, path: /^\.\/uuid\/v4$/, with: source('src/lazy/smithy-serde-crypto.ts') },
];

const substitutes: Plugin = {
  name: 'callerid-substitutes',
  setup(build) {
    const used = new Set<number>();
    build.onResolve({ filter: /.*/ }, (args) => {
      const at = SUBSTITUTES.findIndex((s) => s.path.test(args.path) && s.importer.test(args.importer));
      if (at === -1) return undefined;
      used.add(at);
      return { path: SUBSTITUTES[at]!.with };
    });
    build.onEnd((result) => {
      if (result.errors.length > 0) return;
      const unused = SUBSTITUTES.filter((_, i) => !used.has(i));
      if (unused.length > 0) throw new Error(`callerid-substitutes: no longer matched: ${unused.map((s) => `${s.path} from ${s.importer}`).join('; ')}`);
    });
  },
};

/** dist/main.cjs becomes one function expression, which the launcher (src/code-cache.ts) compiles and calls. */
const wrapMain: NonNullable<Options['plugins']>[number] = {
  name: 'callerid-wrap-main',
  renderChunk(code, { path }) {
    if (basename(path) !== 'main.cjs') return undefined;
    const body = code.startsWith('#!') ? code.slice(code.indexOf('\n') + 1) : code;
    return { code: `${MODULE_WRAPPER.start}${body}${MODULE_WRAPPER.end}` };
  },
};

// The CLI is bundled CommonJS, no runtime dependencies: kubectl starts `callerid token` for every
// command, so start-up time is the product. dist/callerid.cjs is a small launcher that runs
// dist/main.cjs from a V8 code cache (src/code-cache.ts); main.cjs holds the entry point and everything
// `token` needs with static credentials; the other commands and the AWS SDK credential chain are
// sibling files it requires only when used (V8 must at least pre-parse every byte of a file it loads,
// and the SDK's chain alone is ~1 MB).
//
// The workspace packages are bundled from their sources rather than their dist: their `sideEffects:
// false` then lets esbuild drop the modules a command never reaches, where a prebuilt single index
// file would drag all of it in.
export default defineConfig({
  entry: { callerid: 'src/launcher.ts', main: 'src/main.ts', ...LAZY },
  format: ['cjs'],
  target: 'node20',
  platform: 'node',
  clean: true,
  sourcemap: false,
  splitting: false,
  minify: true,
  noExternal: [/.*/],
  banner: { js: '#!/usr/bin/env node' },
  define: { __CALLERID_VERSION__: JSON.stringify(pkg.version) },
  // Keep `node:` in imports: tsup would otherwise strip it and mark them external before the
  // substitutes plugin sees them.
  removeNodeProtocol: false,
  esbuildPlugins: [substitutes, lazyFiles],
  plugins: [wrapMain],
  esbuildOptions(options) {
    // `import()` of a sibling file becomes `require`: the launcher runs main.cjs as a vm.Script, where
    // `import()` has no loader — and a lazy command then skips Node's ESM loader too.
    options.supported = { ...options.supported, 'dynamic-import': false };
    options.alias = {
      '@callerid/core/internal': source('../core/src/internal.ts'),
      '@callerid/core': source('../core/src/index.ts'),
      '@callerid/mint': source('../mint/src/index.ts'),
      '@callerid/sts-local': source('../sts-local/src/index.ts'),
      '@callerid/server': source('../server/src/index.ts'),
    };
  },
});
