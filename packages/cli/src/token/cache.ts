/**
 * The optional on-disk token cache of `callerid token --cache`. kubectl runs the plugin for every
 * command; a token stays usable for 14 minutes, so most runs can reuse one instead of loading
 * credentials and signing again.
 *
 * A cached token is a bearer secret (and may carry a session token), so: one file per key, created
 * 0600 in a 0700 directory owned by the user, written atomically (temp file + rename), and a file that
 * is not a regular file owned by the user with no group/other bits is never read.
 */
import type * as nodeCrypto from 'node:crypto';
import { chmodSync, closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

/** What identifies a reusable token: everything that changes who signs it or for what. */
export interface CacheKey {
  audience: string;
  region: string;
  endpoint: 'regional' | 'global';
  profile: string | undefined;
  roleArn: string | undefined;
  sessionName: string | undefined;
  externalId: string | undefined;
  /** `AWS_ACCESS_KEY_ID` when set: switching keys in the environment must not reuse the old caller's token. */
  envAccessKeyId: string | undefined;
  /** For web identity tokens: everything else that shapes the token (algorithm, lifetime, tags, STS endpoint). */
  webIdentity?: string | undefined;
}

/** A cached token. */
export interface CachedToken {
  token: string;
  expiresAt: Date;
}

/** Reuse a token only while it has at least this long to live. */
export const MIN_REMAINING_MS = 60_000;
const MAX_FILE_BYTES = 16_384;
const FILE_VERSION = 1;

/**
 * `$XDG_CACHE_HOME/callerid` (when absolute, per the XDG spec), else `~/.cache/callerid`. (`node:os` is
 * fetched only here, so a run without `--cache` does not load it.)
 */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(process.getBuiltinModule('node:os').homedir(), '.cache'), 'callerid');
}

/** The cache file for a key: a hash, so nothing about the key (e.g. an external id) shows in the name. */
export function cacheFile(key: CacheKey, dir = cacheDir()): string {
  const parts: unknown[] = [FILE_VERSION, key.audience, key.region, key.endpoint, key.profile, key.roleArn, key.sessionName, key.externalId, key.envAccessKeyId];
  // Appended only when set, so presigned tokens keep the file names they always had.
  if (key.webIdentity !== undefined) parts.push(key.webIdentity);
  const digest = crypto().createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 40);
  return join(dir, `token-${digest}.json`);
}

/** The cached token in `file` if it is trustworthy and has at least a minute left, else `undefined`. */
export function readCachedToken(file: string, now = Date.now()): CachedToken | undefined {
  const text = readPrivateFile(file);
  if (text === undefined) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  const { v, token, expiresAt } = (data ?? {}) as { v?: unknown; token?: unknown; expiresAt?: unknown };
  if (v !== FILE_VERSION || typeof token !== 'string' || !token.startsWith('k8s-aws-v1.') || typeof expiresAt !== 'string') return undefined;
  const expires = Date.parse(expiresAt);
  if (!Number.isFinite(expires) || expires - now < MIN_REMAINING_MS) return undefined;
  return { token, expiresAt: new Date(expires) };
}

/** Stores a token atomically as a 0600 file; cache trouble never fails the command. */
export function writeCachedToken(file: string, entry: CachedToken): boolean {
  const dir = join(file, '..');
  const tmp = join(dir, `.${crypto().randomBytes(8).toString('hex')}.tmp`);
  try {
    ensurePrivateDir(dir);
    // 'wx': never follow or reuse an existing file; 0600 from the start (umask can only remove bits).
    writeFileSync(tmp, JSON.stringify({ v: FILE_VERSION, token: entry.token, expiresAt: entry.expiresAt.toISOString() }), { mode: 0o600, flag: 'wx' });
    renameSync(tmp, file);
    return true;
  } catch {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was written
    }
    return false;
  }
}

function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = lstatSync(dir);
  if (!stat.isDirectory() || (typeof process.getuid === 'function' && stat.uid !== process.getuid())) {
    throw new Error('The cache directory is not a directory owned by this user.');
  }
  if ((stat.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

function readPrivateFile(file: string): string | undefined {
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
    const buffer = Buffer.alloc(stat.size);
    const read = readSync(fd, buffer, 0, stat.size, 0);
    return buffer.toString('utf8', 0, read);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

// `node:crypto` is loaded only with `--cache`: without it, signing a token loads none (src/token/sha256.ts).
function crypto(): typeof nodeCrypto {
  return process.getBuiltinModule('node:crypto');
}
