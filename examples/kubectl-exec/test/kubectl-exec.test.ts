/**
 * The real kubectl, configured by this example's `kubeconfig.yaml` (only the server and CA swapped for
 * a loopback HTTPS stand-in of the EKS API server), runs `callerid token` as its exec credential plugin.
 * The stand-in verifies the bearer token with @callerid/core against a real sts-local and maps the
 * caller aws-auth style, the way EKS does; `kubectl auth whoami` prints the result. As in the CLI's
 * kubectl test (packages/cli/test/kubectl.test.ts); skipped, saying so, only when kubectl is absent.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAuthenticator, isCallerIdError, type Authenticator } from '@callerid/core';
import { startStsLocal, type StsLocal } from '@callerid/sts-local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KUBECTL, selfSignedCertificate } from '../../../integration/test/harness/kubectl.js';

if (!KUBECTL) console.warn('kubectl is not installed: skipping the kubectl-exec example test (CI installs Debian\'s kubernetes-client).');

const EXAMPLE_DIR = fileURLToPath(new URL('..', import.meta.url));
const CLI = fileURLToPath(new URL('../../../packages/cli/dist/callerid.cjs', import.meta.url));
const KUBECONFIG = readFileSync(join(EXAMPLE_DIR, 'kubeconfig.yaml'), 'utf8');
/** The audience is the cluster name the kubeconfig passes to `callerid token`. */
const CLUSTER = /"--cluster-name", "([^"]+)"/.exec(KUBECONFIG)?.[1] ?? 'missing --cluster-name';

const alice = {
  accessKeyId: 'AKIAEXAMPLEKUBEALICE',
  secretAccessKey: 'example/kubectl/alice/secret/for/tests/00',
  arn: 'arn:aws:iam::111122223333:user/alice',
  userId: 'AIDAEXAMPLEKUBEALICE',
  account: '111122223333',
};
const adminSession = {
  accessKeyId: 'ASIAEXAMPLEKUBEADMIN',
  secretAccessKey: 'example/kubectl/admin/secret/for/tests/00',
  sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLEkubectlAdminSession',
  arn: 'arn:aws:sts::111122223333:assumed-role/payments-admin/ops-oncall',
  userId: 'AROAEXAMPLEKUBEADMIN:ops-oncall',
  account: '111122223333',
};
const envOf = (p: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) => ({
  AWS_ACCESS_KEY_ID: p.accessKeyId,
  AWS_SECRET_ACCESS_KEY: p.secretAccessKey,
  ...(p.sessionToken ? { AWS_SESSION_TOKEN: p.sessionToken } : {}),
});

describe.skipIf(!KUBECTL)('kubectl-exec: kubectl with `callerid token` as its exec plugin', { timeout: 60_000 }, () => {
  let work: string;
  let bin: string;
  let sts: StsLocal;
  let auth: Authenticator;
  let server: Server;
  let kubeconfig: string;

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error('packages/cli/dist/callerid.cjs is missing: run `pnpm build` first (`pnpm test` does)');
    work = mkdtempSync(join(tmpdir(), 'callerid-kubectl-exec-'));
    // `command: callerid` resolves on kubectl's PATH: put the built CLI there, as `npm i -g @callerid/cli` would.
    bin = join(work, 'bin');
    mkdirSync(bin);
    symlinkSync(CLI, join(bin, 'callerid'));

    sts = await startStsLocal({ principals: [alice, adminSession] });
    // What EKS does with the token: verify it for the cluster's audience, then map the IAM principal to a
    // Kubernetes user (aws-auth's mapUsers / mapRoles).
    auth = createAuthenticator({
      audience: CLUSTER,
      stsEndpoint: sts.url,
      map: [
        { arn: alice.arn, username: 'alice', groups: ['developers'] },
        { arn: 'arn:aws:iam::111122223333:role/payments-admin', username: 'admin:{{SessionName}}', groups: ['system:masters'] },
      ],
    });
    const { key, cert } = selfSignedCertificate(work);
    server = createServer({ key, cert }, (req, res) => {
      auth.authenticate(req.rawHeaders).then(
        (caller) => {
          // kubectl auth whoami: POST a SelfSubjectReview, get the user back.
          res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({
            kind: 'SelfSubjectReview',
            apiVersion: 'authentication.k8s.io/v1',
            metadata: {},
            status: { userInfo: { username: caller!.username, uid: caller!.userId, groups: caller!.groups, extra: { arn: [caller!.arn] } } },
          }));
        },
        (err: unknown) => {
          const status = isCallerIdError(err) ? err.status : 500;
          res.writeHead(status, { ...(isCallerIdError(err) ? err.headers : {}), 'content-type': 'application/json' });
          res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: status }));
        },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const serverUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    kubeconfig = join(work, 'kubeconfig.yaml');
    writeFileSync(kubeconfig, KUBECONFIG
      .replace(/^(\s*server: ).*$/m, `$1${serverUrl}`)
      .replace(/^(\s*certificate-authority-data: ).*$/m, `$1${Buffer.from(cert).toString('base64')}`));
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await auth?.close();
    await sts?.close();
  });

  async function whoami(credentials: Record<string, string>, config = kubeconfig) {
    const child = spawn(KUBECTL!, ['--kubeconfig', config, 'auth', 'whoami', '-o', 'json'], {
      env: {
        PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`,
        HOME: work,
        XDG_CACHE_HOME: join(work, 'cache'),
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONFIG_FILE: join(work, 'no-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(work, 'no-credentials'),
        ...credentials,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    return { code, stdout, stderr };
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
});
