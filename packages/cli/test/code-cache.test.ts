/**
 * The V8 code cache the launcher (dist/callerid.cjs) keeps for the CLI bundle: written after the first
 * run as a 0600 file in a 0700 directory beside the token cache's, reused while it holds the exact
 * bundle source, and never trusted when it is not the user's private regular file. Whatever state the
 * cache is in, the command's output is the same.
 */
import { chmodSync, existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from './helpers/cli.js';
import { envFor } from './helpers/fixtures.js';

beforeAll(ensureBuilt);

const alice = envFor('alice');
const mode = (path: string) => statSync(path).mode & 0o777;

function cacheHome(): { home: string; dir: string; file: string } {
  const home = mkdtempSync(join(tmpdir(), 'callerid-code-cache-'));
  const dir = join(home, 'callerid-code-cache');
  return { home, dir, file: join(dir, `${process.version}-${process.arch}-token.bin`) };
}

async function token(home: string, extra: Record<string, string> = {}): Promise<string> {
  const result = await runCli(['token', '--cluster-name', 'payments-api', '--region', 'us-west-2', '--format', 'json'], { env: { ...alice, XDG_CACHE_HOME: home, ...extra } });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const { token: minted } = JSON.parse(result.stdout) as { token: string };
  expect(minted).toMatch(/^k8s-aws-v1\.[A-Za-z0-9_-]+$/);
  return minted;
}

describe('code cache', () => {
  it('is written on the first run, privately, and reused unchanged afterwards', async () => {
    const { home, dir, file } = cacheHome();
    await token(home);
    expect(mode(dir)).toBe(0o700);
    expect(mode(file)).toBe(0o600);
    const written = readFileSync(file);
    const { ino, mtimeMs } = statSync(file);
    await token(home);
    expect(readFileSync(file).equals(written)).toBe(true);
    expect(statSync(file)).toMatchObject({ ino, mtimeMs });
    // Beside the token cache's directory, not in it: without --cache that one is never created.
    expect(existsSync(join(home, 'callerid'))).toBe(false);
  });

  it('keeps one file for `eks get-token` (in either argument order) and one for the other commands', async () => {
    const { home, dir } = cacheHome();
    const env = { ...alice, XDG_CACHE_HOME: home };
    expect((await runCli(['--region', 'us-west-2', 'eks', 'get-token', '--cluster-name', 'token'], { env })).code).toBe(0);
    expect((await runCli(['--version'], { env })).code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual([`${process.version}-${process.arch}-eks.bin`, `${process.version}-${process.arch}-other.bin`]);
  });

  it('is replaced when its copy of the source differs from the bundle, or its V8 data is garbage', async () => {
    const { home, file } = cacheHome();
    await token(home);
    const good = readFileSync(file);
    // A 22-byte magic line, the source length (u32), the source, then V8's data.
    const sourceEnd = 26 + good.readUInt32LE(22);

    const otherSource = Buffer.from(good);
    otherSource[40] = otherSource[40]! ^ 0x20;
    writeFileSync(file, otherSource, { mode: 0o600 });
    await token(home);
    expect(readFileSync(file).subarray(0, sourceEnd).equals(good.subarray(0, sourceEnd))).toBe(true);

    const junk = Buffer.alloc(4096, 0x5a);
    writeFileSync(file, Buffer.concat([good.subarray(0, sourceEnd), junk]), { mode: 0o600 });
    await token(home);
    expect(readFileSync(file).subarray(sourceEnd).equals(junk)).toBe(false);
  });

  it('is not read when group or others can access it, or through a symlink', async () => {
    const { home, dir, file } = cacheHome();
    await token(home);
    chmodSync(file, 0o644);
    await token(home);
    expect(mode(file)).toBe(0o600);

    const elsewhere = join(home, 'planted.bin');
    renameSync(file, elsewhere);
    symlinkSync(elsewhere, file);
    await token(home);
    expect(lstatSync(file).isSymbolicLink()).toBe(false);
    expect(mode(dir)).toBe(0o700);
  });

  it('is neither read nor written with CALLERID_CODE_CACHE=off', async () => {
    const { home, dir } = cacheHome();
    await token(home, { CALLERID_CODE_CACHE: 'off' });
    expect(existsSync(dir)).toBe(false);
  });
});
