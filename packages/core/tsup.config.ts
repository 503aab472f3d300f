import type { Options } from 'tsup';
import { libraryConfig } from '../../tsup.config.base';

type Plugin = NonNullable<Options['plugins']>[number];

/**
 * In the CommonJS build, `import('./chunk.cjs')` becomes `Promise.resolve().then(() => require('./chunk.cjs'))`:
 * CommonJS hosts without an ESM loader (Jest without --experimental-vm-modules) cannot run an `import()`,
 * and a plain `require` of a literal path is what bundlers follow.
 */
const requireLazyChunks: Plugin = {
  name: 'callerid-require-lazy-chunks',
  renderChunk(code, { path }) {
    if (!path.endsWith('.cjs')) return undefined;
    return { code: code.replace(/\bimport\((["'])(\.\/[\w.-]+\.cjs)\1\)/g, 'Promise.resolve().then(() => require($1$2$1))') };
  },
};

// Splitting: what only a cache miss needs (the STS client, undici, jose and the JWKS code) is imported
// dynamically and lands in chunks of its own, loaded on the first miss rather than with the package.
export default libraryConfig({ 'index': 'src/index.ts', 'internal': 'src/internal.ts' }, { splitting: true, plugins: [requireLazyChunks] });
