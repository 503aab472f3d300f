/**
 * `callerid decode`: offline report of what a token holds and every local check (core's verdicts),
 * never the signature or the session token.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from './helpers/cli.js';
import { fixture, principal, secretsOf, signedAtOf } from './helpers/fixtures.js';

beforeAll(ensureBuilt);

interface Report {
  stsHost?: string;
  region?: string;
  partition?: string;
  accessKeyId?: string;
  sessionToken?: string;
  signedHeaders?: string[];
  signedAt?: string;
  expiresAt?: string;
  fresh: boolean | null;
  valid: boolean;
  unverified?: { host?: string; parameters: Record<string, string> } | null;
  checks: Array<{ name: string; status: string; code?: string }>;
}

const byPrincipal = (name: string) => fixture.eksTokens.find((t) => t.principal === name)!;
const session = byPrincipal('deployer-session');

function reencode(token: string, edit: (url: string) => string): string {
  const url = Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString('latin1');
  return `k8s-aws-v1.${Buffer.from(edit(url), 'latin1').toString('base64url')}`;
}

async function decode(token: string, args: string[] = []): Promise<{ code: number | null; report: Report; stdout: string }> {
  const result = await runCli(['decode', token, '--json', ...args]);
  expect(result.stderr).toBe('');
  return { code: result.code, report: JSON.parse(result.stdout) as Report, stdout: result.stdout };
}

const statuses = (report: Report) => Object.fromEntries(report.checks.map((c) => [c.name, c.code ? `${c.status}:${c.code}` : c.status]));
const ALL_PASS = { size: 'pass', prefix: 'pass', encoding: 'pass', url: 'pass', 'sts host': 'pass', query: 'pass', parameters: 'pass', freshness: 'pass', partition: 'pass' };

describe('decode', () => {
  it('shows every field of a fresh token and passes every check (exit 0)', async () => {
    const { code, report, stdout } = await decode(session.token, ['--now', signedAtOf(session.token)]);
    expect(code).toBe(0);
    expect(report).toMatchObject({
      stsHost: 'sts.eu-west-1.amazonaws.com',
      region: 'eu-west-1',
      partition: 'aws',
      accessKeyId: principal('deployer-session').accessKeyId,
      sessionToken: 'present (hidden)',
      signedHeaders: ['host', 'x-k8s-aws-id'],
      signedAt: '2026-11-22T09:38:49.000Z',
      expiresAt: '2026-11-22T09:53:49.000Z',
      fresh: true,
      valid: true,
    });
    expect(statuses(report)).toEqual(ALL_PASS);
    for (const secret of secretsOf(session.token)) expect(stdout).not.toContain(secret);
  });

  it('prints a readable report that never shows the signature or session token', async () => {
    const result = await runCli(['decode', '-', '--now', '2026-11-22T09:40:00Z'], { input: session.token });
    expect(result.code).toBe(0);
    for (const label of ['sts host', 'region', 'partition', 'access key id', 'session token', 'signed headers', 'signed at', 'expires at', 'fresh']) {
      expect(result.stdout).toMatch(new RegExp(`^${label}\\s`, 'm'));
    }
    expect(result.stdout).toMatch(/^fresh\s+yes \(as of 2026-11-22T09:40:00\.000Z; 13\.8 min left\)$/m);
    expect(result.stdout).toMatch(/^ {2}pass\s+freshness\s/m);
    for (const secret of secretsOf(session.token)) expect(result.stdout).not.toContain(secret);
  });

  it('fails only freshness for an old token, still showing its fields (exit 1)', async () => {
    const { code, report } = await decode(session.token);
    expect(code).toBe(1);
    expect(report).toMatchObject({ fresh: false, valid: false, stsHost: 'sts.eu-west-1.amazonaws.com' });
    expect(statuses(report)).toEqual({ ...ALL_PASS, freshness: 'fail:token_expired' });
  });

  it('fails freshness for a token dated in the future', async () => {
    const { code, report } = await decode(session.token, ['--now', '2026-11-22T09:30:00Z']);
    expect(code).toBe(1);
    expect(statuses(report).freshness).toBe('fail:token_not_yet_valid');
  });

  it('warns (exit 0) for a partition outside the default allow-list', async () => {
    const china = byPrincipal('china');
    const { code, report } = await decode(china.token, ['--now', signedAtOf(china.token)]);
    expect(code).toBe(0);
    expect(report.partition).toBe('aws-cn');
    expect(statuses(report)).toEqual({ ...ALL_PASS, partition: 'warn:partition_not_allowed' });
  });

  it('names the failing check, the ones that passed before it, and the ones not reached', async () => {
    const evil = reencode(session.token, (url) => url.replace('sts.eu-west-1.amazonaws.com', 'sts.eu-west-1.amazonaws.com.evil.example'));
    const { code, report, stdout } = await decode(evil, ['--now', signedAtOf(session.token)]);
    expect(code).toBe(1);
    expect(statuses(report)).toEqual({
      size: 'pass', prefix: 'pass', encoding: 'pass', url: 'pass', 'sts host': 'fail:host_not_allowed',
      query: 'not checked', parameters: 'not checked', freshness: 'not checked', partition: 'not checked',
    });
    expect(report.fresh).toBeNull();
    expect(report.unverified?.host).toBe('sts.eu-west-1.amazonaws.com.evil.example');
    expect(report.unverified?.parameters).toMatchObject({ 'X-Amz-Signature': '(hidden)', 'X-Amz-Security-Token': '(hidden)', Action: 'GetCallerIdentity' });
    for (const secret of secretsOf(session.token)) expect(stdout).not.toContain(secret);
  });

  it('reports the CVE-2022-2385 decoy parameter as a duplicate key and hides its value', async () => {
    const decoy = reencode(session.token, (url) => url.replace('&X-Amz-Date=', '&x-amz-credential=AKIADECOYDECOYDECOY1%2F20261122%2Feu-west-1%2Fsts%2Faws4_request&X-Amz-Date='));
    const { code, report, stdout } = await decode(decoy, ['--now', signedAtOf(session.token)]);
    expect(code).toBe(1);
    expect(statuses(report).query).toBe('fail:query_duplicate_key');
    expect(stdout).not.toContain('AKIADECOY');
  });

  it('fails the prefix check for something that is not a token', async () => {
    const { code, report } = await decode('hello');
    expect(code).toBe(1);
    expect(statuses(report)).toMatchObject({ size: 'pass', prefix: 'fail:token_format', encoding: 'not checked' });
    expect(report.unverified).toBeNull();
  });

  it('fails the size check first for an oversized token', async () => {
    const { code, report } = await decode(`k8s-aws-v1.${'A'.repeat(5000)}`);
    expect(code).toBe(1);
    expect(statuses(report)).toMatchObject({ size: 'fail:token_too_large', prefix: 'not checked' });
  });
});
