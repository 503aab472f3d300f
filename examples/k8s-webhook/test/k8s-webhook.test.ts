/**
 * The example end to end, with the test playing kube-apiserver: `callerid serve --config callerid.yaml`
 * (the built CLI, TLS on, the example's aws-auth.yaml) against sts-local; the webhook kubeconfig printed
 * by `--print-webhook-kubeconfig` and read with the real kubectl; a stand-in API server that does what
 * `--authentication-token-webhook-config-file` makes kube-apiserver do (POST a TokenReview to the URL in
 * that kubeconfig, trusting only its CA); and the real kubectl with the example's user kubeconfig
 * (`callerid token` as exec plugin) running `kubectl auth whoami`. Skipped, saying so, without kubectl.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPrincipals, startStsLocal, type Principal, type StsLocal } from '@callerid/sts-local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, KUBECTL, type Running, selfSignedCertificate, start, waitFor } from '@callerid/test-harness';

const EXAMPLE = fileURLToPath(new URL('..', import.meta.url));
const CLI = fileURLToPath(new URL('../../../packages/cli/dist/callerid.cjs', import.meta.url));
const [alice, admin, mallory] = loadPrincipals(join(EXAMPLE, 'principals.json')) as [Principal, Principal, Principal];
const envOf = (p: Principal) => ({ AWS_ACCESS_KEY_ID: p.accessKeyId, AWS_SECRET_ACCESS_KEY: p.secretAccessKey, ...(p.sessionToken ? { AWS_SESSION_TOKEN: p.sessionToken } : {}) });

if (!KUBECTL) console.warn('kubectl is not installed: skipping the k8s-webhook example test (CI installs Debian\'s kubernetes-client).');

interface Webhook {
  server: string;
  ca: string;
}

/** What kube-apiserver does with a bearer token: a TokenReview to the webhook. */
function tokenReview(webhook: Webhook, token: string): Promise<{ status: number; body: { status: { authenticated: boolean; user?: Record<string, unknown>; error?: string } } }> {
  const url = new URL(webhook.server);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', ca: webhook.ca, agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) as never }));
    });
    req.once('error', reject);
    req.end(JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } }));
  });
}

describe.skipIf(!KUBECTL)('k8s-webhook: callerid serve as the token webhook of an API server', { timeout: 60_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), 'callerid-k8s-webhook-'));
  let sts: StsLocal;
  let callerid: Running;
  let apiServer: Server;
  let webhook: Webhook;
  let userKubeconfig: string;

  beforeAll(async () => {
    for (const file of ['callerid.yaml', 'aws-auth.yaml']) copyFileSync(join(EXAMPLE, file), join(work, file));
    const { key, cert } = selfSignedCertificate(work);
    writeFileSync(join(work, 'tls.crt'), cert);
    writeFileSync(join(work, 'tls.key'), key);
    sts = await startStsLocal({ principals: join(EXAMPLE, 'principals.json') });
    const listen = `127.0.0.1:${await freePort()}`;
    const args = ['serve', '--config', join(work, 'callerid.yaml'), '--listen', listen];
    callerid = start(process.execPath, [CLI, ...args, '--sts-endpoint', sts.url]);

    // The webhook kubeconfig, as the README makes it, read back by kubectl as kube-apiserver reads it.
    const printed = spawnSync(process.execPath, [CLI, ...args, '--print-webhook-kubeconfig'], { encoding: 'utf8' });
    expect(printed.status).toBe(0);
    const placeholder = (text: string) => text.replace(/(certificate-authority-data: ).*/, '$1PRINTED-BY-CALLERID-SERVE-FROM-TLS-CRT').replace(listen, '127.0.0.1:21362');
    expect(placeholder(printed.stdout)).toBe(readFileSync(join(EXAMPLE, 'webhook-kubeconfig.yaml'), 'utf8').replace(/^#.*\n/gm, ''));
    writeFileSync(join(work, 'webhook-kubeconfig.yaml'), printed.stdout);
    const view = spawnSync(KUBECTL!, ['config', 'view', '--kubeconfig', join(work, 'webhook-kubeconfig.yaml'), '--raw', '-o', 'json'], { encoding: 'utf8' });
    expect(view.status).toBe(0);
    const cluster = (JSON.parse(view.stdout) as { clusters: { cluster: { server: string; 'certificate-authority-data': string } }[] }).clusters[0]!.cluster;
    webhook = { server: cluster.server, ca: Buffer.from(cluster['certificate-authority-data'], 'base64').toString() };
    await waitFor(async () => ((await tokenReview(webhook, '')).status === 200 ? true : undefined), 'callerid serve');

    // A stand-in API server doing what --authentication-token-webhook-config-file makes kube-apiserver do.
    mkdirSync(join(work, 'api'));
    const api = selfSignedCertificate(join(work, 'api'));
    apiServer = createServer({ key: api.key, cert: api.cert }, (req, res) => {
      const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      tokenReview(webhook, token).then(({ body }) => {
        if (!body.status.authenticated) {
          res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 }));
          return;
        }
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1', metadata: {}, status: { userInfo: body.status.user } }));
      }, () => res.writeHead(500).end());
    });
    await new Promise<void>((resolve) => apiServer.listen(0, '127.0.0.1', resolve));
    userKubeconfig = join(work, 'kubeconfig.yaml');
    writeFileSync(userKubeconfig, readFileSync(join(EXAMPLE, 'kubeconfig.yaml'), 'utf8')
      .replace(/^(\s*server: ).*$/m, `$1https://127.0.0.1:${(apiServer.address() as AddressInfo).port}`)
      .replace(/^(\s*certificate-authority-data: ).*$/m, `$1${Buffer.from(api.cert).toString('base64')}`));
    mkdirSync(join(work, 'bin'));
    symlinkSync(CLI, join(work, 'bin', 'callerid'));
  });

  afterAll(async () => {
    apiServer?.closeAllConnections();
    await new Promise<void>((resolve) => (apiServer ? apiServer.close(() => resolve()) : resolve()));
    const exit = await callerid?.stop('SIGTERM');
    await sts?.close();
    rmSync(work, { recursive: true, force: true });
    expect(exit).toBe(0);
  });

  async function whoami(p: Principal) {
    const child = spawn(KUBECTL!, ['--kubeconfig', userKubeconfig, 'auth', 'whoami', '-o', 'json'], {
      env: { PATH: `${join(work, 'bin')}:${dirname(process.execPath)}:/usr/bin:/bin`, HOME: work, XDG_CACHE_HOME: join(work, 'cache'), AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: join(work, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(work, 'none'), ...envOf(p) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    return { code, stdout, stderr };
  }

  it('kubectl auth whoami: alice, by mapUsers', async () => {
    const result = await whoami(alice);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toMatchObject({ status: { userInfo: { username: 'alice', groups: ['developers'], uid: 'aws-iam-authenticator:111122223333:AIDAEXAMPLEK8SALICE1', extra: { arn: [alice.arn] } } } });
  });

  it('kubectl auth whoami: an admin session, by mapRoles with {{SessionName}}', async () => {
    const result = await whoami(admin);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: { userInfo: { username: 'admin:jane-example.com', groups: ['system:masters'], extra: { sessionName: ['jane@example.com'] } } } });
  });

  it('an IAM user the mapping does not name is Unauthorized', async () => {
    const result = await whoami(mallory);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/Unauthorized/);
  });
});
