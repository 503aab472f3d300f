/**
 * `callerid kubeconfig add` and `migrate`, checked the way a user would: the real kubectl runs
 * `kubectl auth whoami` with the written file against the loopback stand-in API server (the one
 * examples/kubectl-exec runs), which verifies the token against sts-local and maps the principal.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startStsLocal, type StsLocal } from '@callerid/sts-local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAP, adminSession, alice, envOf } from '../../../examples/kubectl-exec/src/principals.js';
import { startStandInApiServer, type StandInApiServer } from '../../../examples/kubectl-exec/src/stand-in-api-server.js';
import { KUBECTL, kubectlEnv, runKubectl, useKubectlWorkspace } from '@callerid/test-harness';
import { CLI, ensureBuilt, runCli } from './helpers/cli.js';
import { snippetAfter } from './helpers/readme.js';

if (!KUBECTL) console.warn('kubectl is not installed: skipping the kubeconfig tests that run it (CI installs Debian\'s kubernetes-client).');

const CLUSTER = 'payments';
const ROLE = 'arn:aws:iam::111122223333:role/payments-admin';

beforeAll(ensureBuilt);
const workspace = useKubectlWorkspace(CLI, 'callerid-kubeconfig-');
let work: string;
let sts: StsLocal;
let api: StandInApiServer;
let credentialsFile: string;

beforeAll(async () => {
  work = workspace.dir;
  sts = await startStsLocal({ principals: [alice, adminSession] });
  api = await startStandInApiServer({ audience: CLUSTER, stsEndpoint: sts.url, map: MAP, dir: work });
  credentialsFile = join(work, 'credentials');
  writeFileSync(credentialsFile, `[team]\naws_access_key_id = ${alice.accessKeyId}\naws_secret_access_key = ${alice.secretAccessKey}\n`);
});
afterAll(async () => {
  await api?.close();
  await sts?.close();
});

/** `kubectl auth whoami` with `kubeconfig`; AWS credentials only as `env` gives them. */
async function whoami(kubeconfig: string, env: Record<string, string> = {}) {
  const result = await runKubectl(['--kubeconfig', kubeconfig, 'auth', 'whoami', '-o', 'json'], kubectlEnv(workspace, { AWS_SHARED_CREDENTIALS_FILE: credentialsFile, AWS_ENDPOINT_URL_STS: sts.url, ...env }));
  return { ...result, username: result.code === 0 ? (JSON.parse(result.stdout) as { status: { userInfo: { username: string } } }).status.userInfo.username : undefined };
}

let counter = 0;
const fresh = (name: string) => join(work, `${++counter}-${name}`);

/** A kubeconfig as `aws eks update-kubeconfig` writes it (its layout and names), with this user's exec. */
function awsStyleKubeconfig(exec: string): string {
  const arn = `arn:aws:eks:us-west-2:111122223333:cluster/${CLUSTER}`;
  return `# written by aws eks update-kubeconfig, then annotated by hand
apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: ${api.caData}
    server: ${api.url}
  name: ${arn}
- cluster:
    server: https://other.example.com
  name: other
contexts:
- context:
    cluster: ${arn}
    user: ${arn}
  name: ${arn}
current-context: ${arn}
kind: Config
preferences: {}
users:
- name: ${arn}
  user:
    exec:
${exec}
- name: other-user
  user:
    token: not-ours # left alone
`;
}

describe.skipIf(!KUBECTL)('README: switch your kubeconfig in one word', () => {
  it('the users block with command: callerid works as update-kubeconfig wrote it', async () => {
    const users = snippetAfter('## Switch your kubeconfig in one word', 'yaml');
    expect(users).toContain('command: callerid');
    const file = fresh('kubeconfig');
    writeFileSync(file, awsStyleKubeconfig('').replace(/^users:\n[\s\S]*$/m, users));
    expect(await whoami(file, envOf(alice))).toMatchObject({ code: 0, username: 'alice' });
  });
});

describe.skipIf(!KUBECTL)('kubeconfig add', () => {
  it('writes a cluster, user and context that kubectl auth whoami accepts, 0600', async () => {
    const file = fresh('kubeconfig');
    const result = await runCli(['kubeconfig', 'add', '--cluster-name', CLUSTER, '--server', api.url, '--certificate-authority', api.caFile, '--region', 'us-west-2', '--kubeconfig', file]);
    expect(result).toMatchObject({ code: 0, stderr: '', stdout: `Added new context ${CLUSTER} to ${file}\n` });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await whoami(file, envOf(alice))).toMatchObject({ code: 0, username: 'alice' });
  });

  it('pins --profile as AWS_PROFILE and --role-arn in the exec block', async () => {
    const file = fresh('kubeconfig');
    await runCli(['kubeconfig', 'add', '--cluster-name', CLUSTER, '--server', api.url, '--certificate-authority-data', api.caData, '--profile', 'team', '--kubeconfig', file]);
    expect(await whoami(file)).toMatchObject({ code: 0, username: 'alice' });
    await runCli(['kubeconfig', 'add', '--cluster-name', CLUSTER, '--server', api.url, '--certificate-authority-data', api.caData, '--profile', 'team', '--role-arn', ROLE, '--user-alias', 'admin', '--alias', 'payments-admin', '--kubeconfig', file]);
    expect(await whoami(file)).toMatchObject({ code: 0, username: 'admin:callerid' });
  });

  it('merges into an existing file: keeps other entries and comments, replaces its own by name', async () => {
    const file = fresh('kubeconfig');
    writeFileSync(file, awsStyleKubeconfig('      command: aws\n      args: [eks, get-token, --cluster-name, other]'));
    const add = ['kubeconfig', 'add', '--cluster-name', CLUSTER, '--server', api.url, '--certificate-authority-data', api.caData, '--kubeconfig', file];
    expect((await runCli(add)).stdout).toBe(`Added new context ${CLUSTER} to ${file}\n`);
    expect((await runCli(add)).stdout).toBe(`Updated context ${CLUSTER} in ${file}\n`);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('# written by aws eks update-kubeconfig, then annotated by hand');
    expect(text).toContain('token: not-ours # left alone');
    expect(text.match(/^- name: payments$/gm)).toHaveLength(1);
    expect(await whoami(file, envOf(alice))).toMatchObject({ code: 0, username: 'alice' });
  });

  it('--dry-run prints the YAML and writes nothing; KUBECONFIG\'s first file is the default', async () => {
    const file = fresh('kubeconfig');
    const result = await runCli(['kubeconfig', 'add', '--cluster-name', CLUSTER, '--server', api.url, '--dry-run'], { env: { KUBECONFIG: `${file}:${fresh('second')}` } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('current-context: payments\n');
    expect(result.stdout).toContain('- token\n      - --cluster-name\n      - payments\n');
    expect(statSync(file, { throwIfNoEntry: false })).toBeUndefined();
    expect((await runCli(['kubeconfig', 'add', '--cluster-name', CLUSTER, '--server', api.url], { env: { KUBECONFIG: file } })).code).toBe(0);
    expect(statSync(file).isFile()).toBe(true);
  });

  it.each([
    [['--server', 'https://x'], /--cluster-name is required/],
    [['--cluster-name', 'c', '--server', 'http://x'], /--server must be an https:\/\/ URL/],
    [['--cluster-name', 'c', '--server', 'https://x', '--region', 'mars'], /--region "mars" is not an AWS region name/],
    [['--cluster-name', 'c', '--server', 'https://x', '--certificate-authority-data', 'bm90IGEgY2VydA=='], /must be a base64-encoded PEM certificate/],
  ])('usage errors: %j', async (args, message) => {
    const result = await runCli(['kubeconfig', 'add', ...args, '--dry-run']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

describe.skipIf(!KUBECTL)('kubeconfig migrate', () => {
  const awsExec = (extra: string[] = [], env = '') =>
    `      apiVersion: client.authentication.k8s.io/v1beta1
      args:
${['--region', 'us-west-2', 'eks', 'get-token', '--cluster-name', CLUSTER, '--output', 'json', ...extra].map((arg) => `      - ${arg}`).join('\n')}
      command: aws${env}`;

  async function migrated(exec: string) {
    const file = fresh('kubeconfig');
    writeFileSync(file, awsStyleKubeconfig(exec));
    const before = readFileSync(file, 'utf8');
    const result = await runCli(['kubeconfig', 'migrate', '--kubeconfig', file]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return { file, before, result };
  }

  it('aws eks update-kubeconfig output: command aws becomes callerid, nothing else changes, kubectl accepts it', async () => {
    const { file, before, result } = await migrated(awsExec());
    expect(result.stdout).toContain('-  command: aws\n');
    expect(result.stdout).toContain('+  command: callerid\n');
    expect(result.stdout).toMatch(/Migrated 1 user in .*\.\n$/);
    expect(readFileSync(file, 'utf8')).toBe(before.replace('      command: aws\n', '      command: callerid\n'));
    expect(await whoami(file, envOf(alice))).toMatchObject({ code: 0, username: 'alice' });
  });

  it('with --role (update-kubeconfig --role-arn) and a pinned profile', async () => {
    const { file } = await migrated(awsExec(['--role', ROLE], '\n      env:\n      - name: AWS_PROFILE\n        value: team'));
    expect(await whoami(file)).toMatchObject({ code: 0, username: 'admin:callerid' });
  });

  it('aws-iam-authenticator token -i (and DEFAULT_ROLE) becomes callerid token with the same meaning', async () => {
    const { file } = await migrated('      apiVersion: client.authentication.k8s.io/v1beta1\n      command: aws-iam-authenticator\n      args: ["token", "-i", "payments"]');
    expect(await whoami(file, envOf(alice))).toMatchObject({ code: 0, username: 'alice' });
    const withRole = await migrated(`      apiVersion: client.authentication.k8s.io/v1beta1\n      command: /usr/local/bin/aws-iam-authenticator\n      args: ["-i", "payments", "token"]\n      env: [{name: DEFAULT_ROLE, value: "${ROLE}"}]`);
    expect(withRole.result.stdout).toContain(`+  args: ["token","-i","payments","-r","${ROLE}"]`);
    expect(await whoami(withRole.file, envOf(alice))).toMatchObject({ code: 0, username: 'admin:callerid' });
  });

  it('is idempotent, and --dry-run writes nothing', async () => {
    const file = fresh('kubeconfig');
    writeFileSync(file, awsStyleKubeconfig(awsExec()));
    const original = readFileSync(file, 'utf8');
    const dry = await runCli(['kubeconfig', 'migrate', '--kubeconfig', file, '--dry-run']);
    expect(dry.stdout).toMatch(/Would migrate 1 user in .*; nothing written \(--dry-run\)\.\n$/);
    expect(readFileSync(file, 'utf8')).toBe(original);
    await runCli(['kubeconfig', 'migrate', '--kubeconfig', file]);
    const once = readFileSync(file, 'utf8');
    const again = await runCli(['kubeconfig', 'migrate', '--kubeconfig', file]);
    expect(again).toMatchObject({ code: 0, stdout: `Nothing to migrate in ${file} (1 already runs callerid).\n` });
    expect(readFileSync(file, 'utf8')).toBe(once);
  });

  it('leaves a command line callerid would refuse as it is, says why, exits 1', async () => {
    const file = fresh('kubeconfig');
    writeFileSync(file, awsStyleKubeconfig(awsExec(['--debug'])));
    const original = readFileSync(file, 'utf8');
    const result = await runCli(['kubeconfig', 'migrate', '--kubeconfig', file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('(left as it is: --debug is not supported');
    expect(readFileSync(file, 'utf8')).toBe(original);
  });
});
