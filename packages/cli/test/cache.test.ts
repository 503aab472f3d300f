/**
 * `callerid token --cache`: reuses a still-valid token per audience/region/profile/role, stored as a
 * 0600 file in a 0700 directory under $XDG_CACHE_HOME (or ~/.cache), never world-readable.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, baseEnv, collect, ensureBuilt, runCli } from './helpers/cli.js';
import { envFor } from './helpers/fixtures.js';

beforeAll(ensureBuilt);

const alice = envFor('alice');
// The secret is not part of the cache key: a different secret proves whether a token was re-signed.
const aliceOtherSecret = { ...alice, AWS_SECRET_ACCESS_KEY: 'a/different/secret/0123456789abcdefghijk' };

function cacheHome(): string {
  return mkdtempSync(join(tmpdir(), 'callerid-cli-cache-'));
}

async function token(home: string, args: string[] = [], env: Record<string, string> = alice): Promise<string> {
  const result = await runCli(['token', '--audience', 'payments-api', '--region', 'us-west-2', '--format', 'token', ...args], { env: { ...env, XDG_CACHE_HOME: home } });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout.trimEnd();
}

const mode = (path: string) => statSync(path).mode & 0o777;
const cacheFiles = (home: string) => readdirSync(join(home, 'callerid'));

describe('token cache', () => {
  it('is off by default: nothing is written', async () => {
    const home = cacheHome();
    await token(home);
    expect(existsSync(join(home, 'callerid'))).toBe(false);
  });

  it('prints the cached token instead of signing again', async () => {
    const home = cacheHome();
    const first = await token(home, ['--cache']);
    const second = await token(home, ['--cache'], aliceOtherSecret);
    expect(second).toBe(first);
    // Without --cache the other secret signs a different token.
    expect(await token(home, [], aliceOtherSecret)).not.toBe(first);
  });

  it('serves every output format from the cache with the cached expiry', async () => {
    const home = cacheHome();
    const json = JSON.parse((await runCli(['token', '--audience', 'a', '--cache', '--format', 'json'], { env: { ...alice, XDG_CACHE_HOME: home } })).stdout) as { token: string; expiresAt: string };
    const exec = JSON.parse((await runCli(['token', '--cluster-name', 'a', '--cache'], { env: { ...aliceOtherSecret, XDG_CACHE_HOME: home } })).stdout) as { status: { token: string; expirationTimestamp: string } };
    expect(exec.status.token).toBe(json.token);
    expect(exec.status.expirationTimestamp).toBe(json.expiresAt.replace(/\.\d{3}Z$/, 'Z'));
  });

  it('creates the file 0600 and the directory 0700, even under umask 000', async () => {
    const home = cacheHome();
    const child = spawn('/bin/sh', ['-c', 'umask 000; exec "$0" "$@"', process.execPath, CLI, 'token', '--audience', 'a', '--cache'], {
      env: { ...baseEnv(), ...alice, XDG_CACHE_HOME: home },
    });
    expect((await collect(child)).code).toBe(0);
    const files = cacheFiles(home);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^token-[0-9a-f]{40}\.json$/);
    expect(mode(join(home, 'callerid'))).toBe(0o700);
    expect(mode(join(home, 'callerid', files[0]!))).toBe(0o600);
  });

  it('uses ~/.cache/callerid when XDG_CACHE_HOME is unset', async () => {
    const home = cacheHome();
    const result = await runCli(['token', '--audience', 'a', '--cache'], { env: { ...alice, HOME: home, XDG_CACHE_HOME: undefined } });
    expect(result.code).toBe(0);
    expect(cacheFiles(join(home, '.cache'))).toHaveLength(1);
    expect(mode(join(home, '.cache', 'callerid'))).toBe(0o700);
  });

  it('keys by audience, region, endpoint, profile, role and access key id, and names files without them', async () => {
    const home = cacheHome();
    const base = await token(home, ['--cache']);
    const variants = [
      await token(home, ['--cache', '--audience', 'orders']),
      await token(home, ['--cache', '--region', 'eu-west-1']),
      await token(home, ['--cache', '--global-endpoint']),
      await token(home, ['--cache'], envFor('govcloud')),
    ];
    for (const variant of variants) expect(variant).not.toBe(base);
    expect(cacheFiles(home)).toHaveLength(5);
    for (const name of cacheFiles(home)) expect(name).not.toMatch(/payments|orders|west|AKIA/);
  });

  it('never reads a file that others could read, and replaces it with a private one', async () => {
    const home = cacheHome();
    const first = await token(home, ['--cache']);
    const file = join(home, 'callerid', cacheFiles(home)[0]!);
    chmodSync(file, 0o644);
    const second = await token(home, ['--cache'], aliceOtherSecret);
    expect(second).not.toBe(first);
    expect(mode(file)).toBe(0o600);
  });

  it('tightens a cache directory that others could enter', async () => {
    const home = cacheHome();
    mkdirSync(join(home, 'callerid'), { mode: 0o755 });
    chmodSync(join(home, 'callerid'), 0o755);
    await token(home, ['--cache']);
    expect(mode(join(home, 'callerid'))).toBe(0o700);
  });

  it('does not follow a symlink planted as the cache file', async () => {
    const home = cacheHome();
    const first = await token(home, ['--cache']);
    const file = join(home, 'callerid', cacheFiles(home)[0]!);
    const elsewhere = join(home, 'elsewhere.json');
    writeFileSync(elsewhere, readFileSync(file), { mode: 0o600 });
    rmSync(file);
    symlinkSync(elsewhere, file);
    expect(await token(home, ['--cache'], aliceOtherSecret)).not.toBe(first);
    expect(statSync(file).isFile()).toBe(true); // replaced by a real file (rename over the link)
  });

  it('signs again when the cached token has less than a minute left, or the file is garbage', async () => {
    const home = cacheHome();
    const first = await token(home, ['--cache']);
    const file = join(home, 'callerid', cacheFiles(home)[0]!);
    const entry = JSON.parse(readFileSync(file, 'utf8')) as { expiresAt: string };
    writeFileSync(file, JSON.stringify({ ...entry, token: first, expiresAt: new Date(Date.now() + 30_000).toISOString() }));
    const second = await token(home, ['--cache'], aliceOtherSecret);
    expect(second).not.toBe(first);
    writeFileSync(file, '{"v":1,"token":');
    expect(await token(home, ['--cache'])).toMatch(/^k8s-aws-v1\./);
    expect(readdirSync(join(home, 'callerid')).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('still prints a token when the cache cannot be written, with a warning', async () => {
    const home = cacheHome();
    writeFileSync(join(home, 'callerid'), 'not a directory');
    const result = await runCli(['token', '--audience', 'a', '--cache', '--format', 'token'], { env: { ...alice, XDG_CACHE_HOME: home } });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^k8s-aws-v1\./);
    expect(result.stderr).toBe('callerid token: warning: could not write the token cache\n');
  });
});
