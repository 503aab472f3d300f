/** `callerid token`: formats, ExecCredential apiVersion, regions, endpoints and the credential sources. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PARTITION_IDS, TOKEN_CLIENT_LIFETIME_MS, parseToken } from '@callerid/core';
import { startStsLocal, type StsLocal } from '@callerid/sts-local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, ensureBuilt, runCli } from './helpers/cli.js';
import { envFor, fixture, principal } from './helpers/fixtures.js';

let sts: StsLocal;
beforeAll(async () => {
  await ensureBuilt();
  sts = await startStsLocal({ principals: FIXTURES });
});
afterAll(() => sts.close());

const TOKEN = /^k8s-aws-v1\.[A-Za-z0-9_-]+$/;
const parse = (token: string) => parseToken(token, { allowedPartitions: PARTITION_IDS });

async function mint(args: string[], env: Record<string, string | undefined> = envFor('alice')) {
  const result = await runCli(['token', ...args], { env });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout;
}

async function verifiedArn(token: string, audience: string): Promise<string> {
  const result = await runCli(['verify', '-', '--audience', audience, '--sts-endpoint', sts.url, '--json'], { input: token });
  expect(result.code).toBe(0);
  return (JSON.parse(result.stdout) as { arn: string }).arn;
}

describe('output formats', () => {
  it('--format token prints the bare token and a newline', async () => {
    const out = await mint(['--audience', 'payments-api', '--region', 'us-west-2', '--format', 'token']);
    expect(out.endsWith('\n')).toBe(true);
    const token = out.trimEnd();
    expect(token).toMatch(TOKEN);
    const parsed = parse(token);
    expect(parsed).toMatchObject({ stsHost: 'sts.us-west-2.amazonaws.com', region: 'us-west-2', accessKeyId: principal('alice').accessKeyId, hasSessionToken: false });
  });

  it('defaults to an ExecCredential (v1beta1) whose expirationTimestamp is the token expiry', async () => {
    const out = await mint(['--cluster-name', 'payments-api', '--region', 'us-west-2']);
    const credential = JSON.parse(out) as { kind: string; apiVersion: string; spec: object; status: { expirationTimestamp: string; token: string } };
    expect(Object.keys(credential)).toEqual(['kind', 'apiVersion', 'spec', 'status']);
    expect(credential).toMatchObject({ kind: 'ExecCredential', apiVersion: 'client.authentication.k8s.io/v1beta1', spec: {} });
    expect(Object.keys(credential.status)).toEqual(['expirationTimestamp', 'token']);
    const parsed = parse(credential.status.token);
    const expected = new Date(parsed.signedAt.getTime() + TOKEN_CLIENT_LIFETIME_MS).toISOString().replace(/\.\d{3}Z$/, 'Z');
    expect(credential.status.expirationTimestamp).toBe(expected);
  });

  it('--format json prints {token, expiresAt}', async () => {
    const out = JSON.parse(await mint(['--audience', 'payments-api', '--format', 'json'])) as { token: string; expiresAt: string };
    expect(Object.keys(out)).toEqual(['token', 'expiresAt']);
    expect(out.token).toMatch(TOKEN);
    expect(Date.parse(out.expiresAt)).toBe(parse(out.token).signedAt.getTime() + TOKEN_CLIENT_LIFETIME_MS);
  });

  it('matches the shape `aws eks get-token` prints', async () => {
    const ours = JSON.parse(await mint(['--cluster-name', 'payments-api', '--region', 'us-west-2'])) as Record<string, unknown>;
    const theirs = fixture.eksTokens[0]!.execCredential as unknown as Record<string, unknown>;
    expect(Object.keys(ours)).toEqual(Object.keys(theirs));
    expect(ours.apiVersion).toBe(theirs.apiVersion);
    expect(ours.spec).toEqual(theirs.spec);
  });
});

describe('KUBERNETES_EXEC_INFO picks the ExecCredential apiVersion', () => {
  const info = (apiVersion: string) => JSON.stringify({ kind: 'ExecCredential', apiVersion, spec: { interactive: false } });
  it.each([
    [info('client.authentication.k8s.io/v1'), 'client.authentication.k8s.io/v1'],
    [info('client.authentication.k8s.io/v1beta1'), 'client.authentication.k8s.io/v1beta1'],
    [info('client.authentication.k8s.io/v1alpha1'), 'client.authentication.k8s.io/v1beta1'],
    ['{not json', 'client.authentication.k8s.io/v1beta1'],
    ['null', 'client.authentication.k8s.io/v1beta1'],
    ['', 'client.authentication.k8s.io/v1beta1'],
  ])('%s → %s', async (execInfo, apiVersion) => {
    const out = await mint(['--audience', 'a'], { ...envFor('alice'), KUBERNETES_EXEC_INFO: execInfo });
    expect((JSON.parse(out) as { apiVersion: string }).apiVersion).toBe(apiVersion);
  });
});

describe('region and endpoint', () => {
  const hostOf = async (args: string[], env: Record<string, string | undefined> = envFor('alice')) =>
    parse((await mint([...args, '--audience', 'a', '--format', 'token'], env)).trimEnd());

  it('takes --region over AWS_REGION over AWS_DEFAULT_REGION, then falls back to us-east-1', async () => {
    expect((await hostOf(['--region', 'eu-west-1'], { ...envFor('alice'), AWS_REGION: 'us-west-2' })).stsHost).toBe('sts.eu-west-1.amazonaws.com');
    expect((await hostOf([], { ...envFor('alice'), AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'eu-west-1' })).stsHost).toBe('sts.us-west-2.amazonaws.com');
    expect((await hostOf([], { ...envFor('alice'), AWS_DEFAULT_REGION: 'eu-west-1' })).stsHost).toBe('sts.eu-west-1.amazonaws.com');
    expect((await hostOf([])).stsHost).toBe('sts.us-east-1.amazonaws.com');
  });

  it("reads the profile's region from the AWS config file when nothing else names one", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callerid-cli-config-'));
    writeFileSync(join(dir, 'config'), '[default]\nregion = ap-southeast-2\n[profile dev]\nregion = ca-central-1\n');
    expect((await hostOf([], { ...envFor('alice'), AWS_CONFIG_FILE: join(dir, 'config') })).stsHost).toBe('sts.ap-southeast-2.amazonaws.com');
  });

  it('--global-endpoint signs for sts.amazonaws.com (scope us-east-1)', async () => {
    expect(await hostOf(['--global-endpoint', '--region', 'us-west-2'])).toMatchObject({ stsHost: 'sts.amazonaws.com', region: 'us-east-1', global: true });
  });

  it('signs for other partitions by region', async () => {
    expect((await hostOf(['--region', 'cn-north-1'])).stsHost).toBe('sts.cn-north-1.amazonaws.com.cn');
    expect((await hostOf(['--region', 'us-gov-west-1'])).stsHost).toBe('sts.us-gov-west-1.amazonaws.com');
  });
});

describe('credentials', () => {
  it('signs with the environment keys (and session token), and sts-local accepts the token', async () => {
    const token = (await mint(['--audience', 'payments-api', '--format', 'token'], envFor('deployer-session'))).trimEnd();
    expect(parse(token)).toMatchObject({ accessKeyId: principal('deployer-session').accessKeyId, hasSessionToken: true });
    expect(await verifiedArn(token, 'payments-api')).toBe(principal('deployer-session').arn);
  });

  it('ends the token with the credentials when they expire first (AWS_CREDENTIAL_EXPIRATION)', async () => {
    const expiry = new Date(Date.now() + 5 * 60_000);
    expiry.setUTCMilliseconds(0);
    const out = await mint(['--audience', 'a', '--format', 'json'], { ...envFor('deployer-session'), AWS_CREDENTIAL_EXPIRATION: expiry.toISOString() });
    expect((JSON.parse(out) as { expiresAt: string }).expiresAt).toBe(expiry.toISOString());
  });

  it('uses the standard chain for a profile (--profile or AWS_PROFILE), which wins over environment keys', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callerid-cli-profile-'));
    const gov = principal('govcloud');
    writeFileSync(join(dir, 'credentials'), `[dev]\naws_access_key_id = ${gov.accessKeyId}\naws_secret_access_key = ${gov.secretAccessKey}\n`);
    writeFileSync(join(dir, 'config'), '[profile dev]\nregion = us-gov-west-1\n');
    const files = { AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'), AWS_CONFIG_FILE: join(dir, 'config') };
    for (const [args, env] of [
      [['--profile', 'dev'], { ...files }],
      [[], { ...files, AWS_PROFILE: 'dev', ...envFor('alice'), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }],
    ] as const) {
      const result = await runCli(['token', '--audience', 'payments-api', '--format', 'token', ...args], { env });
      expect(result.code).toBe(0);
      const token = result.stdout.trimEnd();
      expect(parse(token)).toMatchObject({ accessKeyId: gov.accessKeyId, stsHost: 'sts.us-gov-west-1.amazonaws.com' });
      expect(await verifiedArn(token, 'payments-api')).toBe(gov.arn);
    }
  });

  it('exits 1 with one line naming the reason when no credentials can be found', async () => {
    const result = await runCli(['token', '--audience', 'a'], { env: {} });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^callerid token: AWS credentials could not be loaded from the default chain \(.*\): .*\(credentials_unavailable\)\n$/);
  });

  it('--role-arn assumes the role first (fromTemporaryCredentials) and signs as the session', async () => {
    const env = { ...envFor('alice'), AWS_ENDPOINT_URL_STS: sts.url };
    const role = 'arn:aws:iam::111122223333:role/Deployer';
    const named = (await mint(['--audience', 'payments-api', '--region', 'us-west-2', '--role-arn', role, '--session-name', 'kubectl-test', '--format', 'token'], env)).trimEnd();
    expect(parse(named)).toMatchObject({ hasSessionToken: true });
    expect(await verifiedArn(named, 'payments-api')).toBe('arn:aws:sts::111122223333:assumed-role/Deployer/kubectl-test');
    const unnamed = (await mint(['--audience', 'payments-api', '--role-arn', role, '--external-id', 'x-123', '--format', 'token'], env)).trimEnd();
    expect(await verifiedArn(unnamed, 'payments-api')).toBe('arn:aws:sts::111122223333:assumed-role/Deployer/callerid');
  });

  it('--role-arn reports STS refusing the role, exit 1', async () => {
    const result = await runCli(['token', '--audience', 'a', '--role-arn', 'arn:aws:iam::999999999999:role/Other'], {
      env: { ...envFor('alice'), AWS_ENDPOINT_URL_STS: sts.url },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^callerid token: AWS credentials could not be loaded from AWS_ACCESS_KEY_ID\/AWS_SECRET_ACCESS_KEY in the environment, assuming arn:aws:iam::999999999999:role\/Other: .*not authorized to perform: sts:AssumeRole.*\(credentials_unavailable\)\n$/);
  });
});
