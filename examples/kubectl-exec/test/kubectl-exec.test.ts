/**
 * The real kubectl, configured by this example's `kubeconfig.yaml` (only the server and CA swapped for
 * a loopback HTTPS stand-in of the EKS API server), runs `callerid token` as its exec credential plugin.
 * The stand-in verifies the bearer token with @callerid/core against a real sts-local and maps the
 * caller aws-auth style, the way EKS does; `kubectl auth whoami` prints the result. As in the CLI's
 * kubectl test (packages/cli/test/kubectl.test.ts); skipped, saying so, only when kubectl is absent.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStsLocal, type StsLocal } from '@callerid/sts-local';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { KUBECTL, kubectlEnv, runKubectl, useKubectlWorkspace } from '@callerid/test-harness';
import { MAP, adminSession, alice, envOf } from '../src/principals.js';
import { startStandInApiServer, type StandInApiServer } from '../src/stand-in-api-server.js';

if (!KUBECTL) console.warn('kubectl is not installed: skipping the kubectl-exec example test (CI installs Debian\'s kubernetes-client).');

const EXAMPLE_DIR = fileURLToPath(new URL('..', import.meta.url));
const CLI = fileURLToPath(new URL('../../../packages/cli/dist/callerid.cjs', import.meta.url));
const KUBECONFIG = readFileSync(join(EXAMPLE_DIR, 'kubeconfig.yaml'), 'utf8');
/** The audience is the cluster name the kubeconfig passes to `callerid token`. */
const CLUSTER = /"--cluster-name", "([^"]+)"/.exec(KUBECONFIG)?.[1] ?? 'missing --cluster-name';

describe.skipIf(!KUBECTL)('kubectl-exec: kubectl with `callerid token` as its exec plugin', { timeout: 60_000 }, () => {
  const workspace = useKubectlWorkspace(CLI, 'callerid-kubectl-exec-');
  let work: string;
  let sts: StsLocal;
  let apiServer: StandInApiServer;
  let kubeconfig: string;

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error('packages/cli/dist/callerid.cjs is missing: run `pnpm build` first (`pnpm test` does)');
    // `command: callerid` resolves on kubectl's PATH: the workspace's bin holds the built CLI, as `npm i -g @callerid/cli` would.
    work = workspace.dir;

    sts = await startStsLocal({ principals: [alice, adminSession] });
    // What EKS does with the token: verify it for the cluster's audience, then map the IAM principal to a
    // Kubernetes user (aws-auth's mapUsers / mapRoles).
    apiServer = await startStandInApiServer({ audience: CLUSTER, stsEndpoint: sts.url, map: MAP, dir: work });
    kubeconfig = join(work, 'kubeconfig.yaml');
    writeFileSync(kubeconfig, KUBECONFIG
      .replace(/^(\s*server: ).*$/m, `$1${apiServer.url}`)
      .replace(/^(\s*certificate-authority-data: ).*$/m, `$1${apiServer.caData}`));
  });

  afterAll(async () => {
    await apiServer?.close();
    await sts?.close();
  });

  function whoami(credentials: Record<string, string>, config = kubeconfig) {
    return runKubectl(['--kubeconfig', config, 'auth', 'whoami', '-o', 'json'], kubectlEnv(workspace, { XDG_CACHE_HOME: join(work, 'cache'), ...credentials }));
  }

  it('kubectl auth whoami: the IAM user, mapped to a Kubernetes user', async () => {
    const result = await whoami(envOf(alice));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: { userInfo: { username: 'alice', groups: ['developers'], extra: { arn: [alice.arn] } } } });
  });

  it('kubectl auth whoami: an assumed-role session, mapped by its role', async () => {
    const result = await whoami(envOf(adminSession));
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: { userInfo: { username: 'admin:ops-oncall', groups: ['system:masters'] } } });
  });

  it('a kubeconfig naming another cluster gets a token the server refuses: kubectl says Unauthorized', async () => {
    const other = join(work, 'kubeconfig-other.yaml');
    writeFileSync(other, readFileSync(kubeconfig, 'utf8').replace(`"--cluster-name", "${CLUSTER}"`, '"--cluster-name", "another-cluster"'));
    const result = await whoami(envOf(alice), other);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/Unauthorized/);
    expect(result.stderr).not.toMatch(/k8s-aws-v1\./);
  });
  it('try-it: the script a user runs starts everything, and kubectl auth whoami and callerid doctor work through it', async () => {
    const script = (JSON.parse(readFileSync(join(EXAMPLE_DIR, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['try-it']!;
    const [command, ...args] = script.split(' ');
    expect(command).toBe('node');
    const child = spawn(process.execPath, args, { cwd: EXAMPLE_DIR, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work }, stdio: ['ignore', 'pipe', 'pipe'] });
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    await new Promise<void>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('Ready. Stop with Ctrl-C.')) resolve();
      });
      child.on('close', () => reject(new Error(`try-it exited early: ${stderr}`)));
    });
    const envFile = /^ {2}source (\S+)$/m.exec(stdout)?.[1];
    expect(envFile).toBeDefined();
    // What `source env.sh` does, for a child process: the variables it exports.
    const env = Object.fromEntries([...readFileSync(envFile!, 'utf8').matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1]!, m[2]!]));
    expect(stdout).not.toContain(alice.secretAccessKey);

    const shellEnv = { ...env, PATH: `${env.PATH}:${dirname(process.execPath)}`, HOME: work, AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: join(work, 'no-config'), AWS_SHARED_CREDENTIALS_FILE: join(work, 'no-credentials') };
    const whoamiResult = await run(KUBECTL!, ['auth', 'whoami', '-o', 'json'], shellEnv);
    expect(whoamiResult.code).toBe(0);
    expect(JSON.parse(whoamiResult.stdout)).toMatchObject({ status: { userInfo: { username: 'alice' } } });

    const doctorLine = /^ {2}(callerid doctor .*)$/m.exec(stdout)?.[1];
    const doctor = await run('callerid', [...doctorLine!.split(' ').slice(1), '--json'], shellEnv);
    expect(doctor.code).toBe(0);
    expect(JSON.parse(doctor.stdout)).toMatchObject({ ok: true });

    child.kill('SIGTERM');
    const [code] = (await once(child, 'close')) as [number | null];
    expect(code).toBe(0);
  });

  async function run(command: string, args: string[], env: Record<string, string>) {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const [code] = (await once(child, 'close')) as [number | null];
    return { code, stdout };
  }
});
