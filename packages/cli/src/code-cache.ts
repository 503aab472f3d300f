/**
 * Running the CLI bundle from a V8 code cache, as v8-compile-cache does, on every Node version (Node 20
 * has no `module.enableCompileCache`). Without it, every `callerid token` parses and compiles the bundle
 * and each function it calls — the largest share of its start-up after loading `node:crypto`. With it,
 * V8 deserializes the bytecode it produced on an earlier run.
 *
 * The cache is code this process will run, so it is trusted exactly like the token cache: a 0600
 * regular file owned by the user (never followed through a symlink) in a 0700 directory owned by the
 * user. It holds a copy of the bundle's source and is used only when that copy equals the bundle byte
 * for byte — V8's own check compares only the source's length. V8 refuses data from another V8 version
 * or other flags (`cachedDataRejected`); the cache is then written again. Any trouble reading or writing
 * it only costs speed. `CALLERID_CODE_CACHE=off` turns it off (as does Windows).
 *
 * Only `node:fs`, `node:path` and `node:vm` are loaded here: this runs before anything else.
 */
import { chmodSync, closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { Script } from 'node:vm';

/**
 * What the build puts around the bundle the launcher runs (in place of its `#!` line, so line numbers
 * stay): the module wrapper of Node's CommonJS loader, so the bundle runs exactly as if `require`d. The
 * file is then one function expression V8 compiles as it is — no second copy of a wrapped source.
 */
export const MODULE_WRAPPER = { start: '(function (exports, require, module, __filename, __dirname) {', end: '\n})' } as const;

/** What a CommonJS module body receives. */
export interface ModuleScope {
  exports: unknown;
  require: NodeJS.Require;
  module: NodeJS.Module;
}

const MAGIC = Buffer.from('callerid-code-cache-1\n', 'latin1');
const HEADER_BYTES = MAGIC.length + 4;
const MAX_FILE_BYTES = 16 * 1024 * 1024;

/**
 * `$XDG_CACHE_HOME/callerid-code-cache` (when absolute), else `~/.cache/callerid-code-cache`: next to
 * the token cache's directory, not in it, so that directory keeps holding tokens only.
 */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || process.getBuiltinModule('node:os').homedir(), '.cache');
  return join(base, 'callerid-code-cache');
}

/**
 * Runs `file` — a CommonJS module wrapped in {@link MODULE_WRAPPER} — in `scope`, from the code cache
 * when it has a valid entry for it.
 */
export function runWithCodeCache(file: string, scope: ModuleScope, env: NodeJS.ProcessEnv = process.env): void {
  // Read as text (one call into Node's native UTF-8 reader); its bytes are for the cache's source check.
  const text = readFileSync(file, 'utf8');
  const source = Buffer.from(text, 'utf8');
  // Windows has no POSIX modes to keep the file private by, so there the cache is off too.
  const cacheFile = env.CALLERID_CODE_CACHE === 'off' || process.platform === 'win32' ? undefined : join(codeCacheDir(env), `${process.version}-${process.arch}-${cacheName(process.argv)}.bin`);
  const cachedData = cacheFile === undefined ? undefined : readCodeCache(cacheFile, source);
  const script = new Script(text, { filename: file, cachedData });
  if (cacheFile !== undefined && (cachedData === undefined || script.cachedDataRejected === true)) {
    // At exit, so the cache also holds the functions this run compiled lazily (most of the work).
    process.once('exit', () => writeCodeCache(cacheFile, source, script));
  }
  const body = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: NodeJS.Module, filename: string, dirname: string) => void;
  body.call(scope.exports, scope.exports, scope.require, scope.module, file, join(file, '..'));
}

/**
 * One cache per command kubectl runs (`token`, `eks get-token`, whichever form its arguments take) and
 * one for the rest: a cache holds the functions of the run that wrote it, and the kubectl commands
 * should each find all of theirs. Which file a run picks changes its speed, never its result.
 */
function cacheName(argv: string[]): string {
  return argv.slice(2).find((arg) => arg === 'token' || arg === 'eks') ?? 'other';
}

/** The V8 data in `file` when it is a trustworthy entry for exactly `source`, else `undefined`. */
function readCodeCache(file: string, source: Buffer): Buffer | undefined {
  const data = readPrivateFile(file);
  if (data === undefined || data.length <= HEADER_BYTES + source.length) return undefined;
  if (!data.subarray(0, MAGIC.length).equals(MAGIC) || data.readUInt32LE(MAGIC.length) !== source.length) return undefined;
  if (!data.subarray(HEADER_BYTES, HEADER_BYTES + source.length).equals(source)) return undefined;
  return data.subarray(HEADER_BYTES + source.length);
}

function readPrivateFile(file: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const stat = fstatSync(fd);
    const ownedByUs = typeof process.getuid !== 'function' || stat.uid === process.getuid();
    if (!stat.isFile() || !ownedByUs || (stat.mode & 0o077) !== 0 || stat.size > MAX_FILE_BYTES) return undefined;
    const buffer = Buffer.allocUnsafe(stat.size);
    return readSync(fd, buffer, 0, stat.size, 0) === stat.size ? buffer : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Stores the cache atomically (temp file + rename) as a 0600 file; never throws. */
function writeCodeCache(file: string, source: Buffer, script: Script): void {
  const dir = join(file, '..');
  const tmp = join(dir, `.${process.pid}-${Date.now()}.tmp`);
  try {
    const header = Buffer.alloc(HEADER_BYTES);
    MAGIC.copy(header);
    header.writeUInt32LE(source.length, MAGIC.length);
    const data = Buffer.concat([header, source, script.createCachedData()]);
    ensurePrivateDir(dir);
    // 'wx': never follow or reuse an existing file; 0600 from the start.
    writeFileSync(tmp, data, { mode: 0o600, flag: 'wx' });
    renameSync(tmp, file);
  } catch {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was written
    }
  }
}

function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = lstatSync(dir);
  if (!stat.isDirectory() || (typeof process.getuid === 'function' && stat.uid !== process.getuid())) {
    throw new Error('The code cache directory is not a directory owned by this user.');
  }
  if ((stat.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}
