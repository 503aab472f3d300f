/**
 * The real kubectl runs `callerid token` as its exec credential plugin against a loopback HTTPS
 * "API server" that verifies the bearer token with @callerid/core against the real sts-local:
 * 200 and the caller for the right audience, 401 (kubectl: Unauthorized) for another one.
 * The first kubeconfig is the README's EKS snippet, with only the server and CA swapped.
 */
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createVerifier, extractBearerToken, isCallerIdError, type Verifier } from '@callerid/core';
import { startStsLocal, type StsLocal } from '@callerid/sts-local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, FIXTURES, ensureBuilt } from './helpers/cli.js';
import { envFor, principal } from './helpers/fixtures.js';
import { snippetAfter } from './helpers/readme.js';
import { KUBECTL, kubectlEnv, runKubectl, selfSignedCertificate, useKubectlWorkspace } from '@callerid/test-harness';

if (!KUBECTL) console.warn('kubectl is not installed: skipping the kubectl exec plugin tests (CI installs Debian\'s kubernetes-client).');

const AUDIENCE = 'payments-api';

describe.skipIf(!KUBECTL)('kubectl exec credential plugin', () => {
  beforeAll(ensureBuilt);
  const workspace = useKubectlWorkspace(CLI);
  let work: string;
  let sts: StsLocal;
  let verifier: Verifier;
  let server: Server;
  let serverUrl: string;
  let caData: string;

  beforeAll(async () => {
    // `command: callerid` as in the README: a `callerid` on PATH (the workspace's bin: the built CLI, via its shebang).
    work = workspace.dir;

    const { key, cert } = selfSignedCertificate(work);
    caData = Buffer.from(cert).toString('base64');
    sts = await startStsLocal({ principals: FIXTURES });
    verifier = createVerifier({ audience: AUDIENCE, stsEndpoint: sts.url });
    server = createServer({ key, cert }, (req, res) => {
      void (async () => {
        try {
          const token = extractBearerToken(req.headers);
          if (!token) throw Object.assign(new Error('no token'), { status: 401 });
          const identity = await verifier.verify(token);
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: req.url, identity }));
        } catch (err) {
          const status = isCallerIdError(err) ? err.status : 401;
          const headers = isCallerIdError(err) ? err.headers : {};
          res.writeHead(status, { ...headers, 'content-type': 'application/json' });
          res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: status }));
        }
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    serverUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server?.closeAllConnections();
    await verifier?.close();
    await sts?.close();
  });

  function kubectl(kubeconfig: string, env: Record<string, string> = {}) {
    return runKubectl(['--kubeconfig', kubeconfig, 'get', '--raw', '/api/whoami'], kubectlEnv(workspace, { XDG_CACHE_HOME: join(work, 'cache'), ...env }));
  }

  /** A kubeconfig (JSON is YAML) whose user runs `callerid token --cluster-name <audience>` with `env`. */
  function kubeconfigWithEnv(audience: string, name: string, apiVersion = 'client.authentication.k8s.io/v1beta1'): string {
    const env = Object.entries({ ...envFor(name), AWS_REGION: 'us-west-2' }).map(([key, value]) => ({ name: key, value }));
    const config = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'test', cluster: { server: serverUrl, 'certificate-authority-data': caData } }],
      contexts: [{ name: 'test', context: { cluster: 'test', user: 'test' } }],
      'current-context': 'test',
      users: [
        {
          name: 'test',
          user: {
            exec: { apiVersion, command: 'callerid', args: ['token', '--cluster-name', audience], env, interactiveMode: 'Never' },
          },
        },
      ],
    };
    const file = join(work, `kubeconfig-${audience}-${name}-${apiVersion.split('/')[1]}.json`);
    writeFileSync(file, JSON.stringify(config));
    return file;
  }

  it("works with the README's EKS kubeconfig (200 and the caller's identity)", async () => {
    const snippet = snippetAfter('## kubectl and EKS', 'yaml');
    const kubeconfig = snippet
      .replace(/^(\s*server: ).*$/m, `$1${serverUrl}`)
      .replace(/^(\s*certificate-authority-data: ).*$/m, `$1${caData}`);
    expect(kubeconfig).toContain('command: callerid');
    const file = join(work, 'kubeconfig-readme.yaml');
    writeFileSync(file, kubeconfig);
    // The README's user takes credentials from the environment kubectl passes down.
    const result = await kubectl(file, envFor('alice'));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const body = JSON.parse(result.stdout) as { path: string; identity: { arn: string; stsHost: string } };
    expect(body.path).toBe('/api/whoami');
    expect(body.identity).toMatchObject({ arn: principal('alice').arn, stsHost: 'sts.us-west-2.amazonaws.com' });
  });

  it('passes the exec env to the plugin (an assumed-role session key)', async () => {
    const result = await kubectl(kubeconfigWithEnv(AUDIENCE, 'deployer-session'));
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { identity: { arn: string } }).identity.arn).toBe(principal('deployer-session').arn);
  });

  it('answers kubectl in client.authentication.k8s.io/v1 when it asks for v1 (KUBERNETES_EXEC_INFO)', async () => {
    const result = await kubectl(kubeconfigWithEnv(AUDIENCE, 'alice', 'client.authentication.k8s.io/v1'));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { identity: { arn: string } }).identity.arn).toBe(principal('alice').arn);
  });

  it('gets 401 for a token minted for another cluster, and kubectl says Unauthorized', async () => {
    const result = await kubectl(kubeconfigWithEnv('another-cluster', 'alice'));
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/Unauthorized/);
    expect(result.stderr).not.toMatch(/k8s-aws-v1\./);
  });
});
