import { libraryConfig } from '../../tsup.config.base';

// Splitting: what only a cache miss needs (undici, jose and the JWKS code) is imported dynamically
// and lands in chunks of its own, loaded on the first miss rather than with the package.
export default libraryConfig({ 'index': 'src/index.ts', 'internal': 'src/internal.ts' }, { splitting: true });
