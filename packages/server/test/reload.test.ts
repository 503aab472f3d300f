/** The mapping file is watched: a good change applies at once (cached tokens too), a broken one keeps the last good mapping. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { channel } from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { ACCT, logCapture, P, startServer, tempDir, tokenOf, useStsLocal } from './helpers.js';
import { CLUSTER } from './fixtures.js';
import { waitFor } from '@callerid/test-harness';

const sts = useStsLocal();
const dir = tempDir();
const mappingOf = (users: string) => `apiVersion: v1\nkind: ConfigMap\ndata:\n  mapUsers: |\n${users}`;
const ADMIN = `    - userarn: arn:aws:iam::${ACCT}:user/admin\n      username: admin\n`;
const BOB = `    - userarn: arn:aws:iam::${ACCT}:user/bob\n      username: bob\n      groups: [devs]\n`;

async function authenticated(url: string, token: string): Promise<{ status: number; user?: { username: string; groups: string[] }; error?: string }> {
  const response = await fetch(`${url}/authenticate`, { method: 'POST', body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } }), headers: { 'content-type': 'application/json' } });
  const body = (await response.json()) as { status: { authenticated: boolean; user?: { username: string; groups: string[] }; error?: string } };
  return { status: response.status, ...(body.status.user ? { user: body.status.user } : {}), ...(body.status.error ? { error: body.status.error } : {}) };
}
const metricsOf = async (url: string) => (await fetch(`${url}/metrics`)).text();

describe('mapping reload', () => {
  const logs = logCapture();
  let url: string;
  const mapping = join(dir, 'aws-auth.yaml');

  it('a good change is applied — to an already cached token too', async () => {
    writeFileSync(mapping, mappingOf(ADMIN));
    ({ url } = await startServer(dir, `listen: 127.0.0.1:0\nstsEndpoint: ${sts.sts.url}\nwatchIntervalMs: 50\nkubernetes:\n  clusterId: ${CLUSTER}\n  mapping: aws-auth.yaml\n`, { logger: logs.stream }));
    const bob = await tokenOf(P.bob, CLUSTER);
    expect(await authenticated(url, bob)).toMatchObject({ status: 200, error: expect.stringMatching(/^caller_not_mapped/) });
    writeFileSync(mapping, mappingOf(ADMIN + BOB));
    await waitFor(async () => ((await authenticated(url, bob)).user?.username === 'bob' ? true : undefined), 'the new mapping');
    expect(await metricsOf(url)).toMatch(/^callerid_config_reloads_total\{file="mapping",result="success"\} 2$/m);
  });

  it('a broken change keeps the last good mapping, is logged, and shows in /readyz and /metrics', async () => {
    writeFileSync(mapping, mappingOf(`${BOB}    - userarn: not-an-arn\n      username: x\n`));
    await waitFor(async () => (/result="failure"\} 1$/m.test(await metricsOf(url)) ? true : undefined), 'the failed reload');
    expect(await metricsOf(url)).toMatch(/^callerid_config_last_load_success\{file="mapping"\} 0$/m);
    expect((await authenticated(url, await tokenOf(P.bob, CLUSTER))).user).toEqual(expect.objectContaining({ username: 'bob', groups: ['devs'] }));
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200); // still serving, with the last good mapping
    expect(await ready.json()).toMatchObject({ ready: true, mapping: { loadedAt: expect.any(String), error: expect.stringMatching(/aws-auth\.yaml:8: data\.mapUsers\[1\]: arn: "not-an-arn" is not an ARN/) } });
    expect(logs.lines.some((l) => l.msg === 'mapping not reloaded; keeping the last good one' && String(l.error).includes("aws-auth.yaml:8"))).toBe(true);

    writeFileSync(mapping, mappingOf(ADMIN));
    await waitFor(async () => ((await authenticated(url, await tokenOf(P.bob, CLUSTER))).error?.startsWith('caller_not_mapped') ? true : undefined), 'the repaired mapping');
    expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ ready: true, mapping: { loadedAt: expect.any(String) } });
  });
});

describe('a mapping that never loaded', () => {
  const dir2 = tempDir();
  it('is not ready, answers webhooks 503 (not a cached "unauthenticated"), and recovers when the file appears', async () => {
    const { url, server } = await startServer(dir2, `listen: 127.0.0.1:0\nstsEndpoint: ${sts.sts.url}\nwatchIntervalMs: 50\nlogLevel: silent\nkubernetes:\n  clusterId: ${CLUSTER}\n  mapping: missing.yaml\n`);
    expect(server.ready).toBe(false);
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const token = await tokenOf(P.admin, CLUSTER);
    expect(await authenticated(url, token)).toEqual({ status: 503, error: 'the mapping file has not loaded' });
    writeFileSync(join(dir2, 'missing.yaml'), mappingOf(ADMIN));
    await waitFor(async () => ((await fetch(`${url}/readyz`)).ok ? true : undefined), 'readiness');
    expect((await authenticated(url, token)).user?.username).toBe('admin');
  });
});

describe('/metrics: fed by core\'s diagnostics channels', () => {
  const dir3 = tempDir();
  it('counts verifications of this server\'s audiences by result and code, cache lookups, STS calls and store events', async () => {
    writeFileSync(join(dir3, 'aws-auth.yaml'), mappingOf(ADMIN));
    const { url } = await startServer(dir3, `listen: 127.0.0.1:0\nstsEndpoint: ${sts.sts.url}\nlogLevel: silent\nkubernetes:\n  clusterId: ${CLUSTER}\n  mapping: aws-auth.yaml\n`);
    // Events exactly as core publishes them (the contract of #12's diagnostics channels).
    channel('callerid:verify').publish({ audience: CLUSTER, kind: 'presigned', outcome: 'rejected', code: 'token_expired', cache: 'miss', durationMs: 1 });
    channel('callerid:verify').publish({ audience: CLUSTER, kind: 'presigned', outcome: 'accepted', cache: 'hit', durationMs: 0.01, arn: P.admin.arn });
    channel('callerid:verify').publish({ audience: 'someone-elses-audience', kind: 'presigned', outcome: 'accepted', cache: 'hit', durationMs: 0.01 });
    channel('callerid:sts').publish({ host: 'sts.us-east-1.amazonaws.com', endpoint: sts.sts.url, outcome: 'unavailable', status: 503, code: 'sts_unavailable', durationMs: 120 });
    channel('callerid:store').publish({ store: 'redis', operation: 'get', outcome: 'timeout' });
    const text = await metricsOf(url);
    expect(text).toMatch(/^callerid_verifications_total\{result="rejected",code="token_expired"\} 1$/m);
    expect(text).toMatch(/^callerid_verifications_total\{result="accepted",code=""\} 1$/m);
    expect(text).toMatch(/^callerid_cache_lookups_total\{result="hit"\} 1$/m);
    expect(text).toMatch(/^callerid_cache_lookups_total\{result="miss"\} 1$/m);
    expect(text).toMatch(/^callerid_sts_requests_total\{outcome="unavailable"\} \d+$/m);
    expect(text).toMatch(/^callerid_sts_request_duration_seconds_bucket\{le="0.25",outcome="unavailable"\} \d+$/m);
    expect(text).toMatch(/^callerid_store_events_total\{store="redis",outcome="timeout"\} \d+$/m);
    expect(text).toMatch(/^callerid_cache_entries \d+$/m);
    expect(text).toMatch(/^callerid_config_last_load_success\{file="mapping"\} 1$/m);
    expect(text).toMatch(/^process_cpu_seconds_total /m);

    // And from core itself: a real verification against sts-local, then the same token from the cache.
    const token = await tokenOf(P.admin, CLUSTER, new Date(Date.now() - 13_000));
    for (let i = 0; i < 2; i++) expect((await authenticated(url, token)).user?.username).toBe('admin');
    const after = await metricsOf(url);
    expect(after).toMatch(/^callerid_verifications_total\{result="accepted",code=""\} 3$/m);
    expect(after).toMatch(/^callerid_cache_lookups_total\{result="hit"\} 2$/m);
    expect(after).toMatch(/^callerid_sts_requests_total\{outcome="ok"\} [1-9]/m);
  });
});
