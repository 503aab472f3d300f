import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACCT, awsCliToken, HAS_AWS_CLI, logCapture, P, startServer, tempDir, tokenOf, useStsLocal } from './helpers.js';
import { AWS_AUTH, CLUSTER } from './fixtures.js';
import { forgeSignature } from '@callerid/test-harness';

const V1 = 'authentication.k8s.io/v1';
const V1BETA1 = 'authentication.k8s.io/v1beta1';

async function review(url: string, token: string, { apiVersion = V1, audiences }: { apiVersion?: string; audiences?: string[] } = {}) {
  const response = await fetch(`${url}/authenticate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ apiVersion, kind: 'TokenReview', metadata: { creationTimestamp: null }, spec: { token, ...(audiences ? { audiences } : {}) }, status: {} }),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: response.status, headers: response.headers, body: (await response.json()) as { apiVersion: string; kind: string; status: Record<string, any> } };
}

const sts = useStsLocal();
const dir = tempDir();
const logs = logCapture();
let url: string;

describe('POST /authenticate: Kubernetes webhook token authentication', () => {
  it('starts with an aws-auth ConfigMap', async () => {
    writeFileSync(join(dir, 'aws-auth.yaml'), AWS_AUTH);
    ({ url } = await startServer(dir, `listen: 127.0.0.1:0\nstsEndpoint: ${sts.sts.url}\nkubernetes:\n  clusterId: ${CLUSTER}\n  mapping: ./aws-auth.yaml\n`, { logger: logs.stream }));
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('v1: a mapped role session, in exactly the shape aws-iam-authenticator answers', async () => {
    const { status, body } = await review(url, await tokenOf(P.kubeAdmin, CLUSTER));
    expect(status).toBe(200);
    expect(body).toEqual({
      apiVersion: V1,
      kind: 'TokenReview',
      status: {
        authenticated: true,
        user: {
          username: 'admin:alice-example.com',
          uid: `aws-iam-authenticator:${ACCT}:AROAKUBEADMINEXAMPLE`,
          groups: ['system:masters'],
          extra: {
            arn: [P.kubeAdmin.arn],
            canonicalArn: [`arn:aws:iam::${ACCT}:role/KubernetesAdmin`],
            sessionName: ['alice@example.com'],
            accessKeyId: [P.kubeAdmin.accessKeyId],
            principalId: ['AROAKUBEADMINEXAMPLE'],
            'sigs.k8s.io/aws-iam-authenticator/principalId': ['AROAKUBEADMINEXAMPLE'],
          },
        },
      },
    });
  });

  it.skipIf(!HAS_AWS_CLI)('v1beta1: a token printed by the real AWS CLI (aws eks get-token), answered in v1beta1', async () => {
    const token = await awsCliToken(P.admin, CLUSTER);
    const { status, body } = await review(url, token, { apiVersion: V1BETA1 });
    expect(status).toBe(200);
    expect(body.apiVersion).toBe(V1BETA1);
    expect(body.status.user).toMatchObject({ username: 'admin', uid: `aws-iam-authenticator:${ACCT}:${P.admin.userId}`, groups: ['system:masters'] });
    expect(body.status.user.extra.sessionName).toEqual(['']);
  });

  it('mapUsers with {{AccessKeyID}}, and mapAccounts (the canonical ARN, no groups)', async () => {
    expect((await review(url, await tokenOf(P.bob, CLUSTER))).body.status.user).toMatchObject({ username: `bob:${P.bob.accessKeyId}`, groups: [] });
    expect((await review(url, await tokenOf(P.partner, CLUSTER))).body.status.user).toMatchObject({ username: P.partner.arn, groups: [] });
  });

  it('an unmapped caller is not authenticated: a pathed rolearn never matches (as there); an {{EC2PrivateDNSName}} entry is left out', async () => {
    for (const p of [P.pathed, P.node]) {
      const { status, body } = await review(url, await tokenOf(p, CLUSTER));
      expect(status).toBe(200);
      expect(body.status).toEqual({ authenticated: false, error: 'caller_not_mapped: The caller is not mapped to a user.' });
    }
    expect(logs.lines.some((l) => String(l.msg).includes('{{EC2PrivateDNSName}} needs an EC2 API call'))).toBe(true);
  });

  it('a token for another cluster, an expired token and a tampered token are refused (200, authenticated: false)', async () => {
    const cases = [
      [await tokenOf(P.admin, 'other-cluster'), 'sts_signature_mismatch'],
      [await tokenOf(P.admin, CLUSTER, new Date(Date.now() - 20 * 60_000)), 'token_expired'],
      [forgeSignature(await tokenOf(P.admin, CLUSTER)), 'sts_signature_mismatch'],
      ['', 'token_missing'],
      ['not-a-token', 'token_format'],
    ] as const;
    for (const [token, code] of cases) {
      const { status, body } = await review(url, token);
      expect(status, code).toBe(200);
      expect(body.status.authenticated).toBe(false);
      expect(body.status.error).toMatch(new RegExp(`^${code}: `));
      expect(body.status.user).toBeUndefined();
    }
  });

  it('STS down: 503 with Retry-After (kube-apiserver caches no error), and the same token passes once STS is back', async () => {
    const token = await tokenOf(P.admin, CLUSTER, new Date(Date.now() - 7_000)); // a token nothing has cached
    sts.sts.setFaults({ serverError: { fraction: 1, status: 503 } });
    try {
      const { status, headers, body } = await review(url, token, { apiVersion: V1BETA1 });
      expect(status).toBe(503);
      expect(headers.get('retry-after')).toBe('1');
      expect(body).toEqual({ apiVersion: V1BETA1, kind: 'TokenReview', status: { authenticated: false, error: expect.stringMatching(/^sts_unavailable: /) } });
    } finally {
      sts.sts.setFaults(undefined);
    }
    expect((await review(url, token)).body.status.authenticated).toBe(true);
  });

  it('spec.audiences: the cluster id is echoed when asked for; other audiences get none (valid for the API server only)', async () => {
    const token = await tokenOf(P.admin, CLUSTER);
    expect((await review(url, token, { audiences: ['https://kubernetes.default.svc', CLUSTER] })).body.status.audiences).toEqual([CLUSTER]);
    const other = await review(url, token, { audiences: ['https://kubernetes.default.svc'] });
    expect(other.body.status.authenticated).toBe(true);
    expect(other.body.status.audiences).toBeUndefined();
  });

  it('a body that is not a TokenReview is a 400', async () => {
    const post = (body: string) => fetch(`${url}/authenticate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    for (const body of ['{}', '[]', '{"apiVersion":"authentication.k8s.io/v2","kind":"TokenReview","spec":{"token":"x"}}', `{"apiVersion":"${V1}","kind":"TokenReview","spec":{"token":1}}`, `{"apiVersion":"${V1}","kind":"TokenReview","spec":{"token":"x","audiences":"a"}}`, '{"apiVersion":']) {
      expect((await post(body)).status, body).toBe(400);
    }
  });

  it('logs one line per refusal with its code and the principal when known — never a token', async () => {
    const refusals = logs.lines.filter((l) => l.msg === 'refused');
    expect(refusals.some((l) => l.code === 'caller_not_mapped' && l.principal === P.pathed.arn)).toBe(true);
    expect(refusals.some((l) => l.code === 'token_expired')).toBe(true);
    expect(logs.text()).not.toMatch(/k8s-aws-v1\.|X-Amz-Signature|secret/i);
  });
});

describe('POST /authenticate: aws-iam-authenticator options', () => {
  const dir2 = tempDir();
  it('matchRoleByName lets a pathed rolearn match its assumed role (DynamicFile mode); uidPrefix changes the uid', async () => {
    writeFileSync(join(dir2, 'aws-auth.yaml'), AWS_AUTH);
    const { url: url2 } = await startServer(dir2, `listen: 127.0.0.1:0\nstsEndpoint: ${sts.sts.url}\nlogLevel: silent\nkubernetes:\n  clusterId: ${CLUSTER}\n  mapping: aws-auth.yaml\n  matchRoleByName: true\n  uidPrefix: callerid\n`);
    const { body } = await review(url2, await tokenOf(P.pathed, CLUSTER));
    expect(body.status.user).toMatchObject({ username: 'platform-admin', groups: ['platform'], uid: `callerid:${ACCT}:AROAPLATFORMADMIN001` });
  });
});
