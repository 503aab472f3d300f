/** `callerid sts-local`: URL on the first stdout line, clean stop on SIGINT/SIGTERM, --now, --latency. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, ensureBuilt, runCli, startCliStsLocal, type CliStsLocal } from './helpers/cli.js';
import { fixture, signedAtOf } from './helpers/fixtures.js';

beforeAll(ensureBuilt);

const running: CliStsLocal[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((sts) => sts.stop('SIGKILL')));
});

async function start(args: string[]): Promise<CliStsLocal> {
  const sts = await startCliStsLocal(args);
  running.push(sts);
  return sts;
}

describe('callerid sts-local', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('prints its loopback URL first and stops cleanly on %s', async (signal) => {
    const sts = await start(['--principals', FIXTURES]);
    expect(sts.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const answer = await fetch(`${sts.url}/_local/stats`);
    expect(answer.status).toBe(200);
    const result = await sts.stop(signal);
    expect(result).toMatchObject({ code: 0, signal: null });
    expect(result.stdout).toBe(`${sts.url}\n`);
    expect(result.stderr).toContain('5 principal(s)');
  });

  it('starts without principals', async () => {
    const sts = await start([]);
    expect(sts.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('--now runs its clock from a past instant, so fixture tokens verify', async () => {
    const t = fixture.eksTokens[0]!;
    const sts = await start(['--principals', FIXTURES, '--now', signedAtOf(t.token)]);
    const result = await runCli(['verify', t.token, '--audience', t.audience, '--sts-endpoint', sts.url, '--now', signedAtOf(t.token)]);
    expect(result.code).toBe(0);
    // Without --now the same token is too old for sts-local (rejected, exit 1), even with a verifier clock in range.
    const live = await start(['--principals', FIXTURES]);
    expect((await runCli(['verify', t.token, '--audience', t.audience, '--sts-endpoint', live.url, '--now', signedAtOf(t.token)])).code).toBe(1);
  });

  it('--latency delays every answer', async () => {
    const t = fixture.eksTokens[0]!;
    const sts = await start(['--principals', FIXTURES, '--now', signedAtOf(t.token), '--latency', '400']);
    const started = Date.now();
    const result = await runCli(['verify', t.token, '--audience', t.audience, '--sts-endpoint', sts.url, '--now', signedAtOf(t.token)]);
    expect(result.code).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });

  it('exits 2 on an invalid principals file, naming the field but not the value', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'callerid-cli-principals-')), 'p.json');
    writeFileSync(file, JSON.stringify([{ accessKeyId: 'AKIAXCALLERIDALICE01', secretAccessKey: 'very-secret-value', arn: 'nope', userId: 'x', account: '111122223333' }]));
    const result = await runCli(['sts-local', '--principals', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^callerid sts-local: --principals: principals\[0\]/);
    expect(result.stderr).not.toContain('very-secret-value');
  });

  it('exits 1 when the port is taken', async () => {
    const sts = await start([]);
    const port = new URL(sts.url).port;
    const result = await runCli(['sts-local', '--port', port]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('callerid sts-local: cannot listen (EADDRINUSE)\n');
  });
});
