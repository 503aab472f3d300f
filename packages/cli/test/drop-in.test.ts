/**
 * The command lines other tools' kubeconfigs hold, run as they stand with `callerid` in the command's
 * place: `aws eks get-token` as `aws eks update-kubeconfig` writes it (output compared with the real AWS
 * CLI when it is installed), and `aws-iam-authenticator token`. Every minted token is verified against
 * sts-local.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PARTITION_IDS, parseToken } from '@callerid/core';
import { startStsLocal, type StsLocal } from '@callerid/sts-local';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { FIXTURES, baseEnv, ensureBuilt, runCli } from './helpers/cli.js';
import { envFor, principal } from './helpers/fixtures.js';

const AWS = spawnSync('aws', ['--version'], { stdio: 'ignore' }).status === 0;
if (!AWS) console.warn('aws is not installed: skipping the comparisons with `aws eks get-token` (CI installs Debian\'s awscli).');

let sts: StsLocal;
beforeAll(async () => {
  await ensureBuilt();
  sts = await startStsLocal({ principals: FIXTURES });
});
afterAll(() => sts.close());

const V1_INFO = JSON.stringify({ kind: 'ExecCredential', apiVersion: 'client.authentication.k8s.io/v1', spec: { interactive: false } });
const ROLE = 'arn:aws:iam::111122223333:role/Deployer';
/** The args `aws eks update-kubeconfig --name payments-api --region us-west-2` writes (after `command: aws`). */
const UPDATE_KUBECONFIG_ARGS = ['--region', 'us-west-2', 'eks', 'get-token', '--cluster-name', 'payments-api', '--output', 'json'];

async function callerid(args: string[], env: Record<string, string | undefined> = envFor('alice')) {
  const result = await runCli(args, { env: { AWS_ENDPOINT_URL_STS: sts.url, ...env } });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout;
}

async function verifiedArn(token: string, audience = 'payments-api'): Promise<string> {
  const result = await runCli(['verify', '--audience', audience, '--sts-endpoint', sts.url, '--json'], { input: token });
  expect(result.stderr).toBe('');
  return (JSON.parse(result.stdout) as { arn: string }).arn;
}

const tokenOf = (execCredential: string) => (JSON.parse(execCredential) as { status: { token: string } }).status.token;

describe('callerid eks get-token: the arguments aws eks update-kubeconfig writes', () => {
  it('accepts them verbatim, global options first, and mints a token that verifies', async () => {
    const out = await callerid(UPDATE_KUBECONFIG_ARGS);
    const token = tokenOf(out);
    expect(parseToken(token, { allowedPartitions: PARTITION_IDS })).toMatchObject({ stsHost: 'sts.us-west-2.amazonaws.com' });
    expect(await verifiedArn(token)).toBe(principal('alice').arn);
  });

  it('--role (what update-kubeconfig --role-arn writes) and --role-arn assume the role', async () => {
    for (const flag of ['--role', '--role-arn']) {
      const token = tokenOf(await callerid([...UPDATE_KUBECONFIG_ARGS, flag, ROLE]));
      expect(await verifiedArn(token)).toBe('arn:aws:sts::111122223333:assumed-role/Deployer/callerid');
    }
  });

  it('--cluster-id is the audience too; --profile works before or after the subcommand', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callerid-eks-profile-'));
    const gov = principal('govcloud');
    writeFileSync(join(dir, 'credentials'), `[gov]\naws_access_key_id = ${gov.accessKeyId}\naws_secret_access_key = ${gov.secretAccessKey}\n`);
    const env = { AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials') };
    for (const args of [
      ['--profile', 'gov', '--region', 'us-gov-west-1', 'eks', 'get-token', '--cluster-id', 'outpost-1', '--output', 'json'],
      ['eks', 'get-token', '--cluster-id', 'outpost-1', '--region', 'us-gov-west-1', '--profile', 'gov'],
    ]) {
      const token = tokenOf(await callerid(args, env));
      expect(await verifiedArn(token, 'outpost-1')).toBe(gov.arn);
    }
  });

  it('accepts the harmless AWS CLI globals and ignores them', async () => {
    const out = await callerid(['--no-cli-pager', '--color', 'off', ...UPDATE_KUBECONFIG_ARGS, '--no-paginate']);
    expect(await verifiedArn(tokenOf(out))).toBe(principal('alice').arn);
  });

  describe.skipIf(!AWS)('prints what aws eks get-token prints', () => {
    // Both sign offline with fake keys; only the token and its timestamp differ.
    const awsEnv = (extra: Record<string, string> = {}) => ({ ...baseEnv(), ...envFor('alice'), ...extra });
    const normalise = (out: string) =>
      out.replace(/"k8s-aws-v1\.[A-Za-z0-9_-]+"/, '"TOKEN"').replace(/"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"/, '"TIME"');

    it.each([
      ['no KUBERNETES_EXEC_INFO', {}],
      ['KUBERNETES_EXEC_INFO asking for v1', { KUBERNETES_EXEC_INFO: V1_INFO }],
    ])('%s: same text apart from the token and its time', async (_, extra: Record<string, string>) => {
      const theirs = spawnSync('aws', UPDATE_KUBECONFIG_ARGS, { env: awsEnv(extra), encoding: 'utf8' });
      expect(theirs.status).toBe(0);
      const ours = await callerid(UPDATE_KUBECONFIG_ARGS, { ...envFor('alice'), ...extra });
      expect(normalise(ours)).toBe(normalise(theirs.stdout));
      const parsed = JSON.parse(ours) as { apiVersion: string; status: { expirationTimestamp: string } };
      expect(parsed.apiVersion).toBe(extra.KUBERNETES_EXEC_INFO ? 'client.authentication.k8s.io/v1' : 'client.authentication.k8s.io/v1beta1');
      expect(parsed.status.expirationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    });

    it('aws eks get-token | callerid decode (the ExecCredential as it stands)', async () => {
      const theirs = spawnSync('aws', UPDATE_KUBECONFIG_ARGS, { env: awsEnv(), encoding: 'utf8' });
      const result = await runCli(['decode', '--json'], { input: theirs.stdout });
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ stsHost: 'sts.us-west-2.amazonaws.com', accessKeyId: principal('alice').accessKeyId, valid: true });
      expect(await verifiedArn(theirs.stdout)).toBe(principal('alice').arn);
    });
  });
});

describe('callerid token: the flags of aws-iam-authenticator token', () => {
  it('-i <cluster> prints an ExecCredential; --token-only the bare token', async () => {
    expect(await verifiedArn(tokenOf(await callerid(['token', '-i', 'payments-api'])))).toBe(principal('alice').arn);
    const bare = await callerid(['token', '-i', 'payments-api', '--token-only']);
    expect(bare).toMatch(/^k8s-aws-v1\.[A-Za-z0-9_-]+\n$/);
  });

  it('-r <role> -s <session> -e <external id> assume the role', async () => {
    const token = await callerid(['token', '--cluster-id', 'payments-api', '-r', ROLE, '-s', 'oncall', '-e', 'x-1', '--token-only']);
    expect(await verifiedArn(token.trimEnd())).toBe('arn:aws:sts::111122223333:assumed-role/Deployer/oncall');
  });

  it('--forward-session-name names the new session after the caller\'s (one GetCallerIdentity first)', async () => {
    const token = await callerid(['token', '-i', 'payments-api', '-r', ROLE, '--forward-session-name', '--token-only'], envFor('deployer-session'));
    expect(await verifiedArn(token.trimEnd())).toBe('arn:aws:sts::111122223333:assumed-role/Deployer/ci-run-42');
    // An IAM user has no session name to forward: the default applies.
    const user = await callerid(['token', '-i', 'payments-api', '-r', ROLE, '--forward-session-name', '--token-only']);
    expect(await verifiedArn(user.trimEnd())).toBe('arn:aws:sts::111122223333:assumed-role/Deployer/callerid');
  });
});

describe('pipes', () => {
  it('callerid token | callerid verify, in every output format', async () => {
    for (const args of [[], ['--format', 'json'], ['--format', 'token']]) {
      const out = await callerid(['token', '--cluster-name', 'payments-api', ...args]);
      expect(await verifiedArn(out)).toBe(principal('alice').arn);
    }
    const v1 = await callerid(['token', '--cluster-name', 'payments-api'], { ...envFor('alice'), KUBERNETES_EXEC_INFO: V1_INFO });
    expect(await verifiedArn(v1)).toBe(principal('alice').arn);
  });

  it('decode and verify take an ExecCredential as an argument too', async () => {
    const out = await callerid(['token', '--cluster-name', 'payments-api']);
    const result = await runCli(['decode', out.trimEnd(), '--json']);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { valid: boolean }).valid).toBe(true);
  });

  it.each([
    ['{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1alpha1","status":{"token":"x"}}', /not client.authentication.k8s.io\/v1 or v1beta1/],
    ['{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","status":{}}', /has no status.token/],
    ['{"kind":"Secret","data":{"token":"k8s-aws-v1.abc"}}', /must be an ExecCredential/],
    ['{"status": k8s-aws-v1.abc', /not valid JSON/],
  ])('refuses other JSON without quoting it: %s', async (input, message) => {
    const result = await runCli(['decode'], { input });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toContain('k8s-aws-v1');
  });
});

describe('start-up honesty', () => {
  /** A loopback stand-in for the EC2 instance metadata service that counts what it is asked. */
  async function fakeImds(): Promise<{ url: string; hits: string[] }> {
    const hits: string[] = [];
    const server: Server = createServer((req, res) => {
      hits.push(`${req.method} ${req.url}`);
      if (req.method === 'PUT') res.end('imds-session-token');
      else if (req.url === '/latest/meta-data/placement/region') res.end('eu-north-1');
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
  }

  it('without a region: us-east-1 and no request to the instance metadata service; --imds-region asks it', async () => {
    const imds = await fakeImds();
    const env = { ...envFor('alice'), AWS_EC2_METADATA_DISABLED: undefined, AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url };
    const plain = await callerid(['token', '-i', 'payments-api', '--token-only'], env);
    expect(parseToken(plain.trimEnd(), {}).stsHost).toBe('sts.us-east-1.amazonaws.com');
    const eks = await callerid(['eks', 'get-token', '--cluster-name', 'payments-api'], env);
    expect(parseToken(tokenOf(eks), {}).stsHost).toBe('sts.us-east-1.amazonaws.com');
    expect(imds.hits).toEqual([]);
    const asked = await callerid(['token', '-i', 'payments-api', '--token-only', '--imds-region'], env);
    expect(parseToken(asked.trimEnd(), {}).stsHost).toBe('sts.eu-north-1.amazonaws.com');
    expect(imds.hits).toContain('GET /latest/meta-data/placement/region');
  });

  it('names the profile that failed, and never prints the SDK\'s multi-source warning', async () => {
    const missing = await runCli(['token', '-i', 'a', '--profile', 'nope'], { env: envFor('alice') });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^callerid token: AWS credentials could not be loaded from profile "nope" \(--profile\): .*\(credentials_unavailable\)\n$/);
    const both = await runCli(['eks', 'get-token', '--cluster-name', 'a'], { env: { ...envFor('alice'), AWS_PROFILE: 'nope' } });
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/^callerid eks get-token: AWS credentials could not be loaded from profile "nope" \(AWS_PROFILE\): [^\n]*\n$/);
    expect(both.stderr).not.toMatch(/Multiple credential sources/);
  });
});
