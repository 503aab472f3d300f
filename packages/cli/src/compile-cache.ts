/**
 * Node's on-disk V8 compile cache (`module.enableCompileCache()`, Node >= 22.1; absent on Node 20,
 * where this does nothing). Turned on just before loading a large lazy file — the AWS SDK chain, the
 * verifier — so later runs skip compiling it. The `token` fast path never calls it: its one small file
 * is already compiled by the time any code runs.
 *
 * `node:module` is fetched here, not imported: loading it pulls in Node's ESM loader, a few
 * milliseconds the token path does not need.
 */

/** Enables the compile cache where Node has one; never throws. */
export function enableCompileCache(): void {
  try {
    const nodeModule = process.getBuiltinModule('node:module') as { enableCompileCache?: () => unknown };
    nodeModule.enableCompileCache?.();
  } catch {
    // A cache directory we cannot write only costs speed.
  }
}
