/** TLS from files (kube-apiserver requires HTTPS for webhooks), reloaded when they change; a bad pair keeps the last good one. */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { P, startServer, tempDir, tokenOf, useStsLocal } from './helpers.js';
import { CLUSTER } from './fixtures.js';
import { selfSignedCertificate, waitFor } from '@callerid/test-harness';

const sts = useStsLocal();
const dir = tempDir();

/** The fingerprint of the certificate a new TLS connection to `port` is given. */
function servedCertificate(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.end();
    });
    socket.once('error', reject);
  });
}

/** POST a TokenReview over HTTPS, trusting only `ca`. */
function reviewOverTls(port: number, ca: string, token: string): Promise<{ status: number; body: { status: { authenticated: boolean } } }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/authenticate', method: 'POST', ca, agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) as { status: { authenticated: boolean } } }));
    });
    req.once('error', reject);
    req.end(JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } }));
  });
}

describe('TLS', () => {
  it('serves HTTPS from the files, and picks up a new key pair without a restart; a mismatched pair is refused and the old one kept', async () => {
    const [first, second] = ['one', 'two'].map((name) => {
      mkdirSync(join(dir, name));
      return { dir: join(dir, name), ...selfSignedCertificate(join(dir, name)) };
    }) as [{ dir: string; cert: string; key: string }, { dir: string; cert: string; key: string }];
    copyFileSync(join(first.dir, 'cert.pem'), join(dir, 'tls.crt'));
    copyFileSync(join(first.dir, 'key.pem'), join(dir, 'tls.key'));
    writeFileSync(join(dir, 'aws-auth.yaml'), `mapUsers:\n  - { userarn: "${P.admin.arn}", username: admin }\n`);
    const { url, server } = await startServer(dir, `listen: 127.0.0.1:0\ntls: { cert: tls.crt, key: tls.key }\nwatchIntervalMs: 50\nstsEndpoint: ${sts.sts.url}\nlogLevel: silent\nkubernetes: { clusterId: ${CLUSTER}, mapping: aws-auth.yaml }\n`);
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const port = Number(new URL(url).port);
    const token = await tokenOf(P.admin, CLUSTER);
    expect((await reviewOverTls(port, first.cert, token)).body.status.authenticated).toBe(true);
    const firstPrint = await servedCertificate(port);

    copyFileSync(join(second.dir, 'key.pem'), join(dir, 'tls.key'));
    copyFileSync(join(second.dir, 'cert.pem'), join(dir, 'tls.crt'));
    await waitFor(async () => ((await servedCertificate(port)) !== firstPrint ? true : undefined), 'the new certificate');
    expect((await reviewOverTls(port, second.cert, token)).status).toBe(200);
    await expect(reviewOverTls(port, first.cert, token)).rejects.toThrow(); // the old CA no longer fits

    const secondPrint = await servedCertificate(port);
    copyFileSync(join(first.dir, 'key.pem'), join(dir, 'tls.key')); // a key that does not match the certificate
    await waitFor(async () => (/callerid_config_reloads_total\{file="tls",result="failure"\} [1-9]/.test(await server.metrics.metrics()) ? true : undefined), 'the refused reload');
    expect(await servedCertificate(port)).toBe(secondPrint);
    expect(server.ready).toBe(true);
  });

  it('refuses to start with an unusable key pair', async () => {
    const bad = tempDir();
    writeFileSync(join(bad, 'tls.crt'), 'not a certificate');
    writeFileSync(join(bad, 'tls.key'), 'not a key');
    await expect(startServer(bad, 'listen: 127.0.0.1:0\ntls: { cert: tls.crt, key: tls.key }\nforwardAuth: { audience: a }\n')).rejects.toThrow(/tls: the key pair is not usable/);
  });
});
