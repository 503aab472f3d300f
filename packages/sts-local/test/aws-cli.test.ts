import { execFile, execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStsLocal, type StsLocal } from '@callerid/sts-local';
import { FIXTURE_FILE, principalNamed } from './helpers/fixtures.js';

// The real AWS CLI as an independent SigV4 client (`.ci/run` installs it).
function hasAws(): boolean {
  try {
    execFileSync('aws', ['--version'], { stdio: 'ignore', timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}
const awsInstalled = hasAws();
if (!awsInstalled) console.warn('SKIPPED: the AWS CLI (`aws`) is not installed; install the Debian package awscli to run the sts-local interop tests.');

interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | null | undefined;
}

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function aws(sts: StsLocal, keys: Keys, args: string[], region = 'us-west-2'): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ACCESS_KEY_ID: keys.accessKeyId,
    AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
    AWS_DEFAULT_REGION: region,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
  };
  if (keys.sessionToken) env.AWS_SESSION_TOKEN = keys.sessionToken;
  return new Promise((resolve) => {
    execFile('aws', [...args, '--endpoint-url', sts.url, '--output', 'json'], { env, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

// Each `aws` run starts Python (~0.5 s idle, several seconds on a loaded machine).
describe.skipIf(!awsInstalled)('the real AWS CLI against sts-local', { timeout: 90_000 }, () => {
  let sts: StsLocal;
  const alice = principalNamed('alice');
  beforeAll(async () => {
    sts = await startStsLocal({ principals: FIXTURE_FILE });
  });
  afterAll(async () => {
    await sts.close();
  });

  it('aws sts get-caller-identity answers the principal', async () => {
    const result = await aws(sts, alice, ['sts', 'get-caller-identity']);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ UserId: alice.userId, Account: alice.account, Arn: alice.arn });
  });

  it('works with a session-token principal and any configured region', async () => {
    const deployer = principalNamed('deployer-session');
    const result = await aws(sts, deployer, ['sts', 'get-caller-identity'], 'ap-southeast-2');
    expect(JSON.parse(result.stdout)).toEqual({ UserId: deployer.userId, Account: deployer.account, Arn: deployer.arn });
  });

  it('a wrong secret gets SignatureDoesNotMatch, without echoing it', async () => {
    const result = await aws(sts, { ...alice, secretAccessKey: 'not/the/right/secret+0123456789abcdefghij' }, ['sts', 'get-caller-identity']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('SignatureDoesNotMatch');
    expect(result.stderr).not.toContain('not/the/right/secret');
  });

  it('an unknown key gets InvalidClientTokenId', async () => {
    const result = await aws(sts, { ...alice, accessKeyId: 'AKIAXCALLERIDNOBODY1' }, ['sts', 'get-caller-identity']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('InvalidClientTokenId');
  });

  it('aws sts assume-role returns credentials that work with get-caller-identity', async () => {
    const assumed = await aws(sts, alice, [
      'sts',
      'assume-role',
      '--role-arn',
      'arn:aws:iam::111122223333:role/platform/Admin',
      '--role-session-name',
      'cli-interop',
    ]);
    expect(assumed.stderr).toBe('');
    const out = JSON.parse(assumed.stdout);
    expect(out.AssumedRoleUser.Arn).toBe('arn:aws:sts::111122223333:assumed-role/Admin/cli-interop');
    expect(out.AssumedRoleUser.AssumedRoleId).toMatch(/^AROA[A-Z2-7]{17}:cli-interop$/);
    expect(out.Credentials.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(Date.parse(out.Credentials.Expiration)).toBeGreaterThan(Date.now() + 59 * 60_000);

    const creds = { accessKeyId: out.Credentials.AccessKeyId, secretAccessKey: out.Credentials.SecretAccessKey, sessionToken: out.Credentials.SessionToken };
    const who = await aws(sts, creds, ['sts', 'get-caller-identity']);
    expect(JSON.parse(who.stdout)).toEqual({
      UserId: out.AssumedRoleUser.AssumedRoleId,
      Account: '111122223333',
      Arn: 'arn:aws:sts::111122223333:assumed-role/Admin/cli-interop',
    });

    const withoutToken = await aws(sts, { ...creds, sessionToken: undefined }, ['sts', 'get-caller-identity']);
    expect(withoutToken.stderr).toContain('InvalidClientTokenId');
  });

  it('assume-role outside canAssume gets AccessDenied', async () => {
    sts.addPrincipal({ ...alice, accessKeyId: 'AKIAXCALLERIDNOROLE1', sessionToken: undefined, canAssume: [] });
    const result = await aws(sts, { ...alice, accessKeyId: 'AKIAXCALLERIDNOROLE1' }, [
      'sts',
      'assume-role',
      '--role-arn',
      'arn:aws:iam::111122223333:role/Deployer',
      '--role-session-name',
      'nope',
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('AccessDenied');
  });
});
