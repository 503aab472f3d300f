/**
 * `callerid serve`: usage and configuration errors, `--print-webhook-kubeconfig` read back by the real
 * kubectl, and SIGTERM: stop accepting, finish in-flight requests, exit 0 within the bound.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintToken } from '@callerid/mint';
import { startStsLocal, type StsLocal } from '@callerid/sts-local';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { freePort, KUBECTL, selfSignedCertificate, waitFor } from '@callerid/test-harness';
import { CLI, baseEnv, collect, ensureBuilt, runCli } from './helpers/cli.js';

beforeAll(ensureBuilt);

const dir = mkdtempSync(join(tmpdir(), 'callerid-serve-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const alice = { accessKeyId: 'AKIASERVEALICE000001', secretAccessKey: 'serve/alice/secret/for/tests/only/000000', arn: 'arn:aws:iam::111122223333:user/alice', userId: 'AIDASERVEALICE000001', account: '111122223333' };
const tokenFor = async (signingDate: Date) => (await mintToken({ audience: 'payments-api', region: 'us-east-1', credentials: alice, signingDate })).token;

function config(name: string, yaml: string): string {
  const file = join(dir, name);
  writeFileSync(file, yaml);
  return file;
}

describe('callerid serve: usage and configuration', () => {
  it('needs --config; a bad file is exit 2 with file:line: key', async () => {
    const missing = await runCli(['serve']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^callerid serve: --config is required/);
    const bad = await runCli(['serve', '--config', config('bad.yaml', 'forwardAuth:\n  audience: a\n  allow: { acounts: [] }\n')]);
    expect(bad).toMatchObject({ code: 2, stdout: '' });
    expect(bad.stderr).toBe(`callerid serve: ${join(dir, 'bad.yaml')}:3: forwardAuth.allow.acounts: unknown key (did you mean "accounts"?); known keys: accounts, principals, principalTypes, groups, matchRoleByName\n`);
    expect((await runCli(['serve', '--config', config('ok.yaml', 'forwardAuth: { audience: a }\n'), '--listen', 'nowhere'])).stderr).toMatch(/listen: must be host:port/);
  });
});

describe.skipIf(!KUBECTL)('callerid serve --print-webhook-kubeconfig', () => {
  it('prints the kubeconfig kube-apiserver reads, and the real kubectl reads it back', async () => {
    const { cert } = selfSignedCertificate(dir);
    const file = config('tls.yaml', `listen: 0.0.0.0:21362\ntls: { cert: ./cert.pem, key: ./key.pem }\nkubernetes: { clusterId: c1, mapping: ./aws-auth.yaml }\n`);
    const printed = await runCli(['serve', '--config', file, '--print-webhook-kubeconfig']);
    expect(printed).toMatchObject({ code: 0, stderr: '' });
    writeFileSync(join(dir, 'webhook.kubeconfig'), printed.stdout);
    const view = spawnSync(KUBECTL!, ['config', 'view', '--kubeconfig', join(dir, 'webhook.kubeconfig'), '--raw', '-o', 'json'], { encoding: 'utf8' });
    expect(view.status).toBe(0);
    const parsed = JSON.parse(view.stdout) as { clusters: { cluster: { server: string; 'certificate-authority-data': string } }[]; 'current-context': string };
    expect(parsed.clusters[0]!.cluster.server).toBe('https://127.0.0.1:21362/authenticate');
    expect(Buffer.from(parsed.clusters[0]!.cluster['certificate-authority-data'], 'base64').toString()).toBe(cert);
    expect(parsed['current-context']).toBe('webhook');
    const custom = await runCli(['serve', '--config', file, '--print-webhook-kubeconfig', '--server-url', 'https://authn.internal:21362/authenticate']);
    expect(custom.stdout).toContain('server: https://authn.internal:21362/authenticate');
    expect((await runCli(['serve', '--config', config('plain.yaml', 'forwardAuth: { audience: a }\n'), '--print-webhook-kubeconfig'])).stderr).toMatch(/needs tls in the configuration, or --ca/);
  });
});

describe('callerid serve: SIGTERM', () => {
  let sts: StsLocal;
  beforeAll(async () => {
    sts = await startStsLocal({ principals: [alice] });
  });
  afterAll(() => sts.close());

  async function serve(yaml: string) {
    const port = await freePort();
    const child = spawn(process.execPath, [CLI, 'serve', '--config', config(`serve-${port}.yaml`, yaml), '--listen', `127.0.0.1:${port}`, '--sts-endpoint', sts.url], { env: baseEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const done = collect(child);
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const url = `http://127.0.0.1:${port}`;
    await waitFor(async () => ((await fetch(`${url}/readyz`)).ok ? true : undefined), 'callerid serve');
    return { child, done, url };
  }

  it('finishes the requests in flight, refuses new connections, and exits 0', async () => {
    const { child, done, url } = await serve('forwardAuth: { audience: payments-api }\n');
    sts.setFaults({ latencyMs: 800 });
    try {
      const inFlight = fetch(`${url}/auth`, { headers: { authorization: `Bearer ${await tokenFor(new Date(Date.now() - 3_000))}` } });
      await new Promise((r) => setTimeout(r, 200));
      const started = Date.now();
      child.kill('SIGTERM');
      expect((await inFlight).status).toBe(200);
      const result = await done;
      expect(result).toMatchObject({ code: 0, signal: null });
      expect(Date.now() - started).toBeLessThan(10_000);
      await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    } finally {
      sts.setFaults(undefined);
    }
  });

  it('cuts a request still running after shutdownTimeoutMs, and still exits 0', async () => {
    const { child, done, url } = await serve('shutdownTimeoutMs: 200\nforwardAuth: { audience: payments-api }\n');
    sts.setFaults({ latencyMs: 4_000 });
    try {
      const inFlight = fetch(`${url}/auth`, { headers: { authorization: `Bearer ${await tokenFor(new Date(Date.now() - 4_000))}` } }).then((r) => r.status, () => 'cut');
      await new Promise((r) => setTimeout(r, 200));
      const started = Date.now();
      child.kill('SIGTERM');
      expect(await done).toMatchObject({ code: 0 });
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(await inFlight).toBe('cut');
    } finally {
      sts.setFaults(undefined);
    }
  });
});
