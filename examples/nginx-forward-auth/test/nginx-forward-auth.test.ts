/**
 * The example as a user runs it: real nginx (this example's nginx.conf, only its ports changed) with
 * `auth_request` to `callerid serve --config callerid.yaml` (the built CLI), in front of the Python
 * upstream, against sts-local holding principals.json. Skipped, saying so, only when nginx or python3
 * is missing (CI installs nginx).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mintToken } from '@callerid/mint';
import { loadPrincipals, startStsLocal, type Principal, type StsLocal } from '@callerid/sts-local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, NGINX, PYTHON, type Running, start, startNginx, waitFor, waitForPort } from '@callerid/test-harness';

const EXAMPLE = fileURLToPath(new URL('..', import.meta.url));
const CLI = fileURLToPath(new URL('../../../packages/cli/dist/callerid.cjs', import.meta.url));
const [dev, admin, partner] = loadPrincipals(join(EXAMPLE, 'principals.json')) as [Principal, Principal, Principal];

if (!NGINX || !PYTHON) console.warn('nginx or python3 is not installed: skipping the nginx-forward-auth example test (CI installs nginx).');

async function token(p: Principal, audience = 'payments-api', signingDate?: Date): Promise<string> {
  const credentials = { accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey, ...(p.sessionToken ? { sessionToken: p.sessionToken } : {}) };
  return (await mintToken({ audience, region: 'us-east-1', credentials, ...(signingDate ? { signingDate } : {}) })).token;
}

describe.skipIf(!NGINX || !PYTHON)('nginx-forward-auth: nginx auth_request → callerid serve, in front of a Python service', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'callerid-nginx-'));
  let sts: StsLocal;
  let callerid: Running;
  let nginx: Running;
  let upstream: Running;
  let base: string;

  beforeAll(async () => {
    sts = await startStsLocal({ principals: join(EXAMPLE, 'principals.json') });
    const [calleridPort, nginxPort] = [await freePort(), await freePort()];
    callerid = start(process.execPath, [CLI, 'serve', '--config', join(EXAMPLE, 'callerid.yaml'), '--listen', `127.0.0.1:${calleridPort}`, '--sts-endpoint', sts.url]);
    upstream = start(PYTHON!, [join(EXAMPLE, 'upstream.py'), '0']);
    const upstreamPort = await waitFor(() => /^(\d+)\n/.exec(upstream.stdout())?.[1], 'the Python upstream');
    const conf = readFileSync(join(EXAMPLE, 'nginx.conf'), 'utf8')
      .replace('127.0.0.1:21362', `127.0.0.1:${calleridPort}`)
      .replace('127.0.0.1:8081', `127.0.0.1:${upstreamPort}`)
      .replace('127.0.0.1:8080', `127.0.0.1:${nginxPort}`);
    nginx = startNginx(dir, conf);
    await waitFor(async () => ((await fetch(`http://127.0.0.1:${calleridPort}/readyz`)).ok ? true : undefined), 'callerid serve to be ready');
    await waitForPort(nginxPort, 'nginx');
    base = `http://127.0.0.1:${nginxPort}`;
  });
  afterAll(async () => {
    await Promise.all([nginx?.stop('SIGQUIT'), upstream?.stop()]);
    const exit = await callerid?.stop('SIGTERM');
    await sts?.close();
    rmSync(dir, { recursive: true, force: true });
    expect(exit).toBe(0); // SIGTERM: drained and exited cleanly
  });

  const get = async (headers: Record<string, string> = {}) => {
    const response = await fetch(`${base}/orders/42`, { headers });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: response.ok ? (JSON.parse(text) as { caller: Record<string, string>; headers: string[] }) : undefined };
  };

  it('no token: 401 with the bearer challenge, and the upstream is never reached', async () => {
    const { status, headers } = await get();
    expect(status).toBe(401);
    expect(headers.get('www-authenticate')).toBe('Bearer realm="callerid"');
  });

  it('a valid token: the Python upstream sees X-CallerId-* (and not the token)', async () => {
    const { status, body } = await get({ authorization: `Bearer ${await token(dev)}` });
    expect(status).toBe(200);
    expect(body!.caller).toEqual({
      'x-callerid-arn': dev.arn,
      'x-callerid-canonical-arn': dev.arn,
      'x-callerid-account': '111122223333',
      'x-callerid-principal-type': 'user',
    });
    expect(body!.headers).not.toContain('authorization');
  });

  it('a mapped role session: username, groups and session name too', async () => {
    const { body } = await get({ authorization: `Bearer ${await token(admin)}` });
    expect(body!.caller).toMatchObject({
      'x-callerid-canonical-arn': 'arn:aws:iam::111122223333:role/payments-admin',
      'x-callerid-session-name': 'jane@example.com',
      'x-callerid-username': 'admin:jane-example.com',
      'x-callerid-groups': 'payments-admins',
    });
  });

  it('a client-sent X-CallerId-Arn never reaches the upstream', async () => {
    const forged = { 'x-callerid-arn': 'arn:aws:iam::111122223333:user/root-admin', 'x-callerid-groups': 'payments-admins' };
    const { body } = await get({ ...forged, authorization: `Bearer ${await token(dev)}` });
    expect(body!.caller['x-callerid-arn']).toBe(dev.arn);
    expect(body!.caller['x-callerid-groups']).toBeUndefined();
    expect((await get(forged)).status).toBe(401);
  });

  it('a token for another audience: 401; an account outside allow: 403', async () => {
    const other = await get({ authorization: `Bearer ${await token(dev, 'billing-api')}` });
    expect(other.status).toBe(401);
    expect(other.headers.get('www-authenticate')).toMatch(/^Bearer realm="callerid", error="invalid_token"/);
    expect((await get({ authorization: `Bearer ${await token(partner)}` })).status).toBe(403);
  });

  it('STS down: 503 with Retry-After', async () => {
    const fresh = await token(dev, 'payments-api', new Date(Date.now() - 9_000)); // not cached yet
    sts.setFaults({ serverError: { fraction: 1, status: 503 } });
    try {
      const { status, headers } = await get({ authorization: `Bearer ${fresh}` });
      expect(status).toBe(503);
      expect(headers.get('retry-after')).toBe('1');
    } finally {
      sts.setFaults(undefined);
    }
    expect((await get({ authorization: `Bearer ${fresh}` })).status).toBe(200);
  });
});
