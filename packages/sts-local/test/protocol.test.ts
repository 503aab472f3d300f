import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStsLocal, type Principal, type StsLocal } from '@callerid/sts-local';
import { errorCode, send, type Answer } from './helpers/http.js';
import { amzDateMs } from './helpers/fixtures.js';
import { presign, signGet, signPost, type Signed } from './helpers/signer.js';
import { alice, HOST } from './helpers/principals.js';

const NOW = Date.parse('2026-11-22T10:00:00Z');
let now = NOW;
let sts: StsLocal;

beforeAll(async () => {
  sts = await startStsLocal({ principals: [alice], clock: () => now });
});
afterAll(async () => {
  await sts.close();
});

const at = () => new Date(now);
const go = (s: Signed, headers: Record<string, string> = {}) =>
  send(sts.url, { method: s.method, path: s.path, headers: { ...s.headers, ...headers }, body: s.body });
const json = (a: Answer) => JSON.parse(a.body);

describe('the three ways STS is called', () => {
  it('presigned GET', async () => {
    const s = await presign(alice, { host: HOST, region: 'us-west-2', audience: 'aud', signingDate: at() });
    const a = await go(s, { accept: 'application/json' });
    expect(a.status).toBe(200);
    expect(json(a).GetCallerIdentityResponse.GetCallerIdentityResult.Arn).toBe(alice.arn);
    expect(a.headers['x-amzn-requestid']).toBe(json(a).GetCallerIdentityResponse.ResponseMetadata.RequestId);
  });

  it('Authorization header on GET', async () => {
    const s = await signGet(alice, { host: HOST, region: 'us-west-2', query: { Action: 'GetCallerIdentity', Version: '2011-06-15' }, signingDate: at() });
    const a = await go(s);
    expect(a.status).toBe(200);
    expect(a.body).toContain(`<Arn>${alice.arn}</Arn>`);
  });

  it('Authorization header on a form POST, XML answer in the STS namespace', async () => {
    const s = await signPost(alice, { host: HOST, region: 'us-west-2', body: 'Action=GetCallerIdentity&Version=2011-06-15', signingDate: at() });
    const a = await go(s);
    expect(a.status).toBe(200);
    expect(a.headers['content-type']).toBe('text/xml');
    expect(a.body).toBe(
      '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n' +
        '  <GetCallerIdentityResult>\n' +
        `    <UserId>${alice.userId}</UserId>\n    <Account>${alice.account}</Account>\n    <Arn>${alice.arn}</Arn>\n` +
        '  </GetCallerIdentityResult>\n' +
        `  <ResponseMetadata>\n    <RequestId>${String(a.headers['x-amzn-requestid'])}</RequestId>\n  </ResponseMetadata>\n` +
        '</GetCallerIdentityResponse>\n',
    );
  });

  it('a GET signed by botocore (an independent signer) in its Authorization header', async (ctx) => {
    const script = [
      'import sys, json, datetime',
      'from botocore.auth import SigV4Auth',
      'from botocore.awsrequest import AWSRequest',
      'from botocore.credentials import Credentials',
      'a = json.loads(sys.argv[1])',
      "r = AWSRequest(method='GET', url='https://' + a['host'] + '/?Action=GetCallerIdentity&Version=2011-06-15')",
      "auth = SigV4Auth(Credentials(a['key'], a['secret']), 'sts', a['region'])",
      'auth.add_auth(r)',
      'print(json.dumps(dict(r.headers.items())))',
    ].join('\n');
    const arg = JSON.stringify({ host: HOST, key: alice.accessKeyId, secret: alice.secretAccessKey, region: 'us-west-2' });
    const out = await new Promise<string | undefined>((resolve) =>
      execFile('python3', ['-c', script, arg], { timeout: 20_000 }, (err, stdout) => resolve(err ? undefined : stdout)),
    );
    if (out === undefined) return ctx.skip('python3 with botocore is not installed');
    const headers = JSON.parse(out) as Record<string, string>;
    now = amzDateMs(headers['X-Amz-Date']!); // botocore signs at the real time
    const a = await send(sts.url, { path: '/?Action=GetCallerIdentity&Version=2011-06-15', headers: { host: HOST, ...headers } });
    now = NOW;
    expect(a.status).toBe(200);
    expect(a.body).toContain(`<Arn>${alice.arn}</Arn>`);
  });
});

describe('STS rules', () => {
  it('an unsigned request gets MissingAuthenticationToken', async () => {
    const a = await send(sts.url, { path: '/?Action=GetCallerIdentity&Version=2011-06-15', headers: { host: HOST } });
    expect([a.status, errorCode(a)]).toEqual([403, 'MissingAuthenticationToken']);
  });

  it('errors have the STS shape in JSON too', async () => {
    const a = await send(sts.url, { path: '/?Action=GetCallerIdentity', headers: { host: HOST, accept: 'application/json' } });
    expect(a.headers['content-type']).toBe('application/json');
    expect(json(a)).toEqual({
      Error: { Code: 'MissingAuthenticationToken', Message: 'Request is missing Authentication Token', Type: 'Sender' },
      RequestId: a.headers['x-amzn-requestid'],
    });
  });

  it('the scope region must match the host (global host ↔ us-east-1)', async () => {
    const wrong = await go(await presign(alice, { host: 'sts.amazonaws.com', region: 'us-west-2', audience: 'a', signingDate: at() }));
    expect([wrong.status, errorCode(wrong)]).toEqual([403, 'SignatureDoesNotMatch']);
    expect(wrong.body).toContain('Credential should be scoped to a valid region');
    const right = await go(await presign(alice, { host: 'sts.amazonaws.com', region: 'us-east-1', audience: 'a', signingDate: at() }));
    expect(right.status).toBe(200);
    const fips = await go(await presign(alice, { host: 'sts-fips.us-east-2.amazonaws.com', region: 'us-east-2', audience: 'a', signingDate: at() }));
    expect(fips.status).toBe(200);
  });

  it('sts-local itself accepts any well-formed region, but only the sts service', async () => {
    const host = new URL(sts.url).host;
    for (const region of ['eu-central-1', 'us-gov-east-1', 'cn-northwest-1']) {
      expect((await go(await presign(alice, { host, region, audience: 'a', signingDate: at() }))).status).toBe(200);
    }
    const bad = await go(await presign(alice, { host, region: 'nowhere', audience: 'a', signingDate: at() }));
    expect(errorCode(bad)).toBe('SignatureDoesNotMatch');
    const iam = await go(await presign(alice, { host, region: 'us-east-1', audience: 'a', signingDate: at(), service: 'iam' }));
    expect(errorCode(iam)).toBe('SignatureDoesNotMatch');
    expect(iam.body).toContain("Credential should be scoped to correct service: 'sts'");
  });

  it('a host that is no STS endpoint is refused', async () => {
    const a = await go(await presign(alice, { host: 'sts.us-west-2.amazonaws.com.evil.example', region: 'us-west-2', audience: 'a', signingDate: at() }));
    expect([a.status, errorCode(a)]).toEqual([403, 'SignatureDoesNotMatch']);
  });

  it('a decoy x-amz-credential beside X-Amz-Credential is refused', async () => {
    const s = await presign(alice, { host: HOST, region: 'us-west-2', audience: 'a', signingDate: at() });
    const a = await go({ ...s, path: `${s.path}&x-amz-credential=AKIAXCALLERIDOTHER01%2F20261122%2Fus-west-2%2Fsts%2Faws4_request` });
    expect([a.status, errorCode(a)]).toEqual([400, 'IncompleteSignature']);
  });

  it('other actions get InvalidAction, a missing one MissingAction, another version InvalidAction', async () => {
    const other = await go(await signPost(alice, { host: HOST, region: 'us-west-2', body: 'Action=GetSessionToken&Version=2011-06-15', signingDate: at() }));
    expect([other.status, errorCode(other)]).toEqual([400, 'InvalidAction']);
    const missing = await go(await signPost(alice, { host: HOST, region: 'us-west-2', body: 'Version=2011-06-15', signingDate: at() }));
    expect([missing.status, errorCode(missing)]).toEqual([400, 'MissingAction']);
    const version = await go(await signPost(alice, { host: HOST, region: 'us-west-2', body: 'Action=GetCallerIdentity&Version=2020-01-01', signingDate: at() }));
    expect([version.status, errorCode(version)]).toEqual([400, 'InvalidAction']);
    const repeated = await go(await signPost(alice, { host: HOST, region: 'us-west-2', body: 'Action=GetCallerIdentity&Action=AssumeRole', signingDate: at() }));
    expect([repeated.status, errorCode(repeated)]).toEqual([404, 'MalformedQueryString']);
  });
});

describe('AssumeRole', () => {
  const assume = async (body: string, who = alice, accept?: string) =>
    go(await signPost(who, { host: HOST, region: 'us-west-2', body, signingDate: at() }), accept ? { accept } : {});

  it('returns ASIA credentials whose GetCallerIdentity is the assumed role (path dropped)', async () => {
    now = NOW;
    const a = await assume('Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fplatform%2FAdmin&RoleSessionName=jane%40example.com', alice, 'application/json');
    expect(a.status).toBe(200);
    const result = json(a).AssumeRoleResponse.AssumeRoleResult;
    expect(result.AssumedRoleUser.Arn).toBe('arn:aws:sts::111122223333:assumed-role/Admin/jane@example.com');
    expect(result.AssumedRoleUser.AssumedRoleId).toMatch(/^AROA[A-Z2-7]{17}:jane@example\.com$/);
    expect(result.Credentials.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(result.Credentials.Expiration).toBe(NOW / 1000 + 3600);
    const creds = { accessKeyId: result.Credentials.AccessKeyId, secretAccessKey: result.Credentials.SecretAccessKey, sessionToken: result.Credentials.SessionToken };

    const who = await go(await presign(creds, { host: HOST, region: 'us-west-2', audience: 'x', signingDate: at() }), { accept: 'application/json' });
    expect(json(who).GetCallerIdentityResponse.GetCallerIdentityResult).toEqual({
      UserId: result.AssumedRoleUser.AssumedRoleId,
      Account: '111122223333',
      Arn: 'arn:aws:sts::111122223333:assumed-role/Admin/jane@example.com',
    });

    // Same role, another session: same AROA id.
    const again = json(await assume('Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fplatform%2FAdmin&RoleSessionName=bob', alice, 'application/json'));
    expect(again.AssumeRoleResponse.AssumeRoleResult.AssumedRoleUser.AssumedRoleId.split(':')[0]).toBe(result.AssumedRoleUser.AssumedRoleId.split(':')[0]);

    // After Expiration the keys are refused with ExpiredToken.
    now = NOW + 3601_000;
    const late = await go(await presign(creds, { host: HOST, region: 'us-west-2', audience: 'x', signingDate: at() }));
    expect([late.status, errorCode(late)]).toEqual([403, 'ExpiredToken']);
    now = NOW;
  });

  it('answers XML with an ISO Expiration by default', async () => {
    const a = await assume('Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2FDeployer&RoleSessionName=ci&DurationSeconds=900');
    expect(a.status).toBe(200);
    expect(a.body).toContain('<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">');
    expect(a.body).toContain('<Expiration>2026-11-22T10:15:00Z</Expiration>');
    expect(a.body).toContain('<Arn>arn:aws:sts::111122223333:assumed-role/Deployer/ci</Arn>');
  });

  it('refuses roles outside canAssume (default: own account) and bad parameters', async () => {
    const other = await assume('Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A999988887777%3Arole%2FX&RoleSessionName=ci');
    expect([other.status, errorCode(other)]).toEqual([403, 'AccessDenied']);
    const noArn = await assume('Action=AssumeRole&RoleSessionName=ci');
    expect([noArn.status, errorCode(noArn)]).toEqual([400, 'ValidationError']);
    const badName = await assume('Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2FX&RoleSessionName=a%20b');
    expect(errorCode(badName)).toBe('ValidationError');
    const long = await assume('Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2FX&RoleSessionName=ci&DurationSeconds=99999');
    expect(errorCode(long)).toBe('ValidationError');
  });

  it('honours canAssume patterns', async () => {
    const limited: Principal = { ...alice, accessKeyId: 'AKIAXCALLERIDLIMIT01', canAssume: ['arn:aws:iam::*:role/ci-*'] };
    sts.addPrincipal(limited);
    const ok = await assume('Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A999988887777%3Arole%2Fci-runner&RoleSessionName=ci', limited);
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('<Arn>arn:aws:sts::999988887777:assumed-role/ci-runner/ci</Arn>');
    const no = await assume('Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2FAdmin&RoleSessionName=ci', limited);
    expect(errorCode(no)).toBe('AccessDenied');
  });
});
