/**
 * `callerid doctor` against sts-local and the loopback stand-in API server (examples/kubectl-exec):
 * healthy, no credentials, expired session credentials (ExpiredToken), clock skew, a token for
 * another cluster, and a server that refuses the principal. Its output never holds a secret or token.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStsLocal, type StsLocal } from '@callerid/sts-local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAP, adminSession, alice, envOf } from '../../../examples/kubectl-exec/src/principals.js';
import { startStandInApiServer, type StandInApiServer } from '../../../examples/kubectl-exec/src/stand-in-api-server.js';
import { ensureBuilt, runCli } from './helpers/cli.js';

const CLUSTER = 'payments';
const bob = { accessKeyId: 'AKIAEXAMPLEDOCTORBOB', secretAccessKey: 'example/doctor/bob/secret/for/tests/0000', arn: 'arn:aws:iam::111122223333:user/bob', userId: 'AIDAEXAMPLEDOCTORBOB', account: '111122223333' };
const expired = {
  accessKeyId: 'ASIAEXAMPLEDOCTOREXP',
  secretAccessKey: 'example/doctor/expired/secret/for/tests/0',
  sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLEdoctorExpired',
  arn: 'arn:aws:sts::111122223333:assumed-role/payments-admin/yesterday',
  userId: 'AROAEXAMPLEDOCTOREXP:yesterday',
  account: '111122223333',
  expiresAt: Date.now() - 3_600_000,
};
const SECRETS = [alice, bob, adminSession, expired].flatMap((p) => [p.secretAccessKey, ...('sessionToken' in p ? [p.sessionToken] : [])]);

let sts: StsLocal;
let skewedSts: StsLocal;
let api: StandInApiServer;

beforeAll(async () => {
  await ensureBuilt();
  const principals = [alice, bob, adminSession, expired];
  sts = await startStsLocal({ principals });
  // An STS whose clock runs 20 minutes ahead of this machine's: this machine is 20 minutes behind.
  skewedSts = await startStsLocal({ principals, clock: () => Date.now() + 20 * 60_000 });
  api = await startStandInApiServer({ audience: CLUSTER, stsEndpoint: sts.url, map: MAP, dir: mkdtempSync(join(tmpdir(), 'callerid-doctor-')) });
});
afterAll(async () => {
  await api?.close();
  await sts?.close();
  await skewedSts?.close();
});

interface Report {
  ok: boolean;
  checks: Array<{ name: string; status: string; summary: string; evidence?: Record<string, unknown>; next?: string[] }>;
}

async function doctor(args: string[], env: Record<string, string | undefined>, stsUrl = sts.url) {
  const human = await runCli(['doctor', '--sts-endpoint', stsUrl, '--region', 'us-west-2', ...args], { env });
  const json = await runCli(['doctor', '--sts-endpoint', stsUrl, '--region', 'us-west-2', '--json', ...args], { env });
  for (const out of [human.stdout, human.stderr, json.stdout, json.stderr]) {
    expect(out).not.toMatch(/k8s-aws-v1\.|X-Amz-Signature/);
    for (const secret of SECRETS) expect(out).not.toContain(secret);
  }
  expect(json.code).toBe(human.code);
  const report = JSON.parse(json.stdout) as Report;
  const step = (name: string) => report.checks.find((check) => check.name === name);
  return { human, report, step };
}

const server = () => ['--cluster-name', CLUSTER, '--server', api.url, '--certificate-authority', api.caFile];

describe('callerid doctor', () => {
  it('healthy: every step passes, and the API server says who you are', async () => {
    const { human, report, step } = await doctor(server(), envOf(alice));
    expect(human.code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => [c.name, c.status])).toEqual([
      ['credentials', 'pass'], ['region', 'pass'], ['identity', 'pass'], ['token', 'pass'], ['clock', 'pass'], ['api-server', 'pass'],
    ]);
    expect(step('credentials')?.evidence).toMatchObject({ source: 'AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in the environment', accessKeyId: alice.accessKeyId });
    expect(step('identity')?.evidence).toMatchObject({ arn: alice.arn });
    expect(step('api-server')?.evidence).toMatchObject({ status: 201, username: 'alice', groups: ['developers'] });
    expect(human.stdout).toMatch(/^✓ credentials /m);
    expect(human.stdout).toMatch(/^✓ api-server {2}accepts the token: you are "alice" \(groups developers\)$/m);
    expect(human.stdout).toContain('All checks passed.');
  });

  it('a role session: names the role ARN to map, not the session ARN', async () => {
    const { report, step } = await doctor(server(), envOf(adminSession));
    expect(report.ok).toBe(true);
    expect(step('mapping')?.evidence).toMatchObject({ roleArn: 'arn:aws:iam::111122223333:role/payments-admin', sessionArn: adminSession.arn });
    expect(step('mapping')?.next?.join('\n')).toMatch(/IAM path/);
  });

  it('no credentials: says where it looked, skips the rest, exit 1', async () => {
    const { human, report, step } = await doctor([], {});
    expect(human.code).toBe(1);
    expect(step('credentials')).toMatchObject({ status: 'fail' });
    expect(step('credentials')?.summary).toMatch(/the default chain/);
    expect(step('identity')).toMatchObject({ status: 'skip' });
    expect(report.ok).toBe(false);
    expect(human.stdout).toMatch(/^✗ credentials /m);
  });

  it('a profile that does not exist is named', async () => {
    const { step } = await doctor(['--profile', 'nope'], {});
    expect(step('credentials')?.summary).toMatch(/profile "nope" \(--profile\)/);
  });

  it('an SSO profile whose session is gone: names it and says to log in', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callerid-doctor-sso-'));
    writeFileSync(join(dir, 'config'), '[profile corp-dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Developer\nregion = us-west-2\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n');
    const { step } = await doctor(['--profile', 'corp-dev'], { AWS_CONFIG_FILE: join(dir, 'config'), HOME: dir });
    expect(step('credentials')).toMatchObject({ status: 'fail' });
    expect(step('credentials')?.summary).toMatch(/profile "corp-dev" \(--profile\): IAM Identity Center \(SSO session corp\)/);
    expect(step('credentials')?.next?.[0]).toMatch(/^aws sso login --profile corp-dev/);
  });

  it('expired session credentials: STS answers ExpiredToken, and the hint is to refresh them', async () => {
    const { human, step } = await doctor([], envOf(expired));
    expect(human.code).toBe(1);
    expect(step('identity')).toMatchObject({ status: 'fail', evidence: { stsCode: 'ExpiredToken', status: 403 } });
    expect(step('identity')?.next?.[0]).toMatch(/session credentials have expired/);
  });

  it('clock skew: measured from STS\'s Date header', async () => {
    const { human, step } = await doctor([], envOf(alice), skewedSts.url);
    expect(human.code).toBe(1);
    expect(step('clock')?.status).toBe('fail');
    expect(Math.abs(Number(step('clock')?.evidence?.skewSeconds) - 1200)).toBeLessThanOrEqual(2);
    expect(step('identity')).toMatchObject({ status: 'fail', evidence: { stsCode: 'SignatureDoesNotMatch' } });
    expect(human.stdout).toMatch(/^✗ clock {7}this machine's clock is 1[12]\d\d s behind STS's$/m);
  });

  it('a token for another cluster: 401, and the first likely cause is the cluster name', async () => {
    const { human, step } = await doctor(['--cluster-name', 'payment', '--server', api.url, '--certificate-authority', api.caFile], envOf(alice));
    expect(human.code).toBe(1);
    expect(step('identity')?.status).toBe('pass');
    expect(step('api-server')).toMatchObject({ status: 'fail', evidence: { status: 401 } });
    expect(step('api-server')?.next?.[0]).toMatch(/the token is for cluster "payment": is that the cluster's exact name/);
  });

  it('a server that refuses the principal (not mapped): 401, with the ARN to map', async () => {
    const { step } = await doctor(server(), envOf(bob));
    expect(step('identity')).toMatchObject({ status: 'pass', evidence: { arn: bob.arn } });
    expect(step('api-server')).toMatchObject({ status: 'fail', evidence: { status: 401 } });
    expect(step('api-server')?.next?.join('\n')).toContain(`is ${bob.arn} mapped?`);
  });

  it('no region configured: a warning naming the default, not a failure', async () => {
    const result = await runCli(['doctor', '--sts-endpoint', sts.url, '--json'], { env: envOf(alice) });
    const report = JSON.parse(result.stdout) as Report;
    expect(result.code).toBe(0);
    expect(report.checks.find((c) => c.name === 'region')).toMatchObject({ status: 'warn', evidence: { region: 'us-east-1', source: 'default' } });
  });
});
