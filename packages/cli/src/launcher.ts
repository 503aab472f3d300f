/**
 * The `callerid` executable (dist/callerid.cjs): runs the CLI (dist/main.cjs, built from main.ts) from
 * a V8 code cache, so that kubectl's every `callerid token` skips compiling it.
 */
import { join } from 'node:path';
import { runWithCodeCache } from './code-cache.js';

// This file is bundled as CommonJS: `require` and `module` are its own, so the CLI's `require` of its
// sibling files (dist/verify.cjs, …) resolves in dist/ as before.
runWithCodeCache(join(__dirname, 'main.cjs'), { exports: module.exports, require, module });
