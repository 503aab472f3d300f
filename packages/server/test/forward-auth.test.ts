/** `/auth` answered directly, as Traefik, Envoy and Caddy call it (the nginx example test covers nginx). */
import { describe, expect, it } from 'vitest';
import { ACCT, P, PARTNER, startServer, tempDir, tokenOf, useStsLocal } from './helpers.js';

const sts = useStsLocal();
const dir = tempDir();
let url: string;

const auth = (headers: Record<string, string>, { path = '/auth', method = 'GET', body }: { path?: string; method?: string; body?: string } = {}) =>
  fetch(`${url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
const bearer = async (p: Parameters<typeof tokenOf>[0], audience: string) => ({ authorization: `Bearer ${await tokenOf(p, audience)}` });

describe('/auth: forward authentication', () => {
  it('starts with an audience per forwarded host, each with its own allow and map', async () => {
    ({ url } = await startServer(dir, `listen: 127.0.0.1:0
stsEndpoint: ${sts.sts.url}
logLevel: silent
forwardAuth:
  audience:
    api.example.com: payments-api
    billing.example.com: billing-api
  allow: { accounts: ['${ACCT}'] }
  audiences:
    billing-api:
      map:
        - { arn: 'arn:aws:iam::${ACCT}:user/admin', username: billing-admin, groups: [billing, ops] }
      requireMapping: true
`));
  });

  it('200 with the identity headers; the audience follows X-Forwarded-Host (port and case ignored)', async () => {
    const response = await auth({ ...(await bearer(P.kubeAdmin, 'payments-api')), 'x-forwarded-host': 'API.example.com:443' });
    expect(response.status).toBe(200);
    expect(Object.fromEntries([...response.headers].filter(([k]) => k.startsWith('x-callerid-')))).toEqual({
      'x-callerid-arn': P.kubeAdmin.arn,
      'x-callerid-canonical-arn': `arn:aws:iam::${ACCT}:role/KubernetesAdmin`,
      'x-callerid-account': ACCT,
      'x-callerid-principal-type': 'assumed-role',
      'x-callerid-session-name': 'alice@example.com',
    });
  });

  it('per-audience map and requireMapping: username and groups for a mapped caller, 403 caller_not_mapped otherwise', async () => {
    const ok = await auth({ ...(await bearer(P.admin, 'billing-api')), 'x-forwarded-host': 'billing.example.com' });
    expect(ok.headers.get('x-callerid-username')).toBe('billing-admin');
    expect(ok.headers.get('x-callerid-groups')).toBe('billing,ops');
    const unmapped = await auth({ ...(await bearer(P.bob, 'billing-api')), 'x-forwarded-host': 'billing.example.com' });
    expect(unmapped.status).toBe(403);
    expect(unmapped.headers.get('www-authenticate')).toBe('Bearer realm="callerid", error="insufficient_scope", error_description="The caller is not mapped to a user."');
  });

  it('the audience is the host\'s: a token for the other host\'s audience is 401, an unknown or missing host 403', async () => {
    const wrong = await auth({ ...(await bearer(P.admin, 'billing-api')), 'x-forwarded-host': 'api.example.com' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    expect((await auth({ ...(await bearer(P.admin, 'payments-api')), 'x-forwarded-host': 'evil.example.com' })).status).toBe(403);
    expect((await auth(await bearer(P.admin, 'payments-api'))).status).toBe(403);
  });

  it('allow: an account outside it is 403 insufficient_scope', async () => {
    const response = await auth({ ...(await bearer(P.partner, 'payments-api')), 'x-forwarded-host': 'api.example.com' });
    expect(response.status).toBe(403);
    expect(PARTNER).not.toBe(ACCT);
  });

  it('any method, any path under /auth/ (Envoy appends the original path), any body', async () => {
    const headers = { ...(await bearer(P.admin, 'payments-api')), 'x-forwarded-host': 'api.example.com' };
    expect((await auth({ ...headers, 'content-type': 'application/xml' }, { path: '/auth/orders/42?x=1', method: 'POST', body: '<order/>' })).status).toBe(200);
    expect((await auth(headers, { method: 'DELETE' })).status).toBe(200);
    const missing = await auth({ 'x-forwarded-host': 'api.example.com' }, { path: '/auth/x' });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="callerid"');
  });

  it('only /auth and paths under it: /authx and /authenticate are not forward auth', async () => {
    const headers = { ...(await bearer(P.admin, 'payments-api')), 'x-forwarded-host': 'api.example.com' };
    expect((await auth(headers, { path: '/auth?rd=%2F' })).status).toBe(200);
    expect((await auth(headers, { path: '/authx' })).status).toBe(404);
    expect((await auth(headers, { path: '/authenticate', method: 'POST', body: '{}' })).status).toBe(404);
  });

  it('a large body is never read, and the keep-alive connection still serves the next request', async () => {
    const headers = { ...(await bearer(P.admin, 'payments-api')), 'x-forwarded-host': 'api.example.com' };
    const big = 'x'.repeat(1024 * 1024);
    expect((await auth({ ...headers, 'content-type': 'application/octet-stream' }, { method: 'PUT', body: big })).status).toBe(200);
    expect((await auth(headers, { method: 'HEAD' })).status).toBe(200);
    expect((await auth(headers)).status).toBe(200);
  });

  it('STS down: 503 with Retry-After', async () => {
    const token = await tokenOf(P.admin, 'payments-api', new Date(Date.now() - 11_000));
    sts.sts.setFaults({ drop: { fraction: 1 } });
    try {
      const response = await auth({ authorization: `Bearer ${token}`, 'x-forwarded-host': 'api.example.com' });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('1');
    } finally {
      sts.sts.setFaults(undefined);
    }
  });
});

describe('/auth: an answer that cannot be written', () => {
  const otherDir = tempDir();
  let base: string;

  it('is a 500, and the server keeps serving (no Fastify around /auth to catch it)', async () => {
    // U+2192 is no valid HTTP header character: the mapped username cannot become X-CallerId-Username.
    ({ url: base } = await startServer(otherDir, `listen: 127.0.0.1:0
stsEndpoint: ${sts.sts.url}
logLevel: silent
forwardAuth:
  audience: payments-api
  map:
    - { arn: 'arn:aws:iam::${ACCT}:user/admin', username: "admin\\u2192ops", groups: [] }
`));
    const headers = await bearer(P.admin, 'payments-api');
    const first = await fetch(`${base}/auth`, { headers });
    expect(first.status).toBe(500);
    expect(await first.json()).toEqual({ error: 'server_error' });
    // Now cached: the synchronous path fails the same way.
    expect((await fetch(`${base}/auth`, { headers })).status).toBe(500);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});
