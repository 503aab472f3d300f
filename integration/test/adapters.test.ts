/**
 * The shared adapter suite: every case runs against Express, Fastify and Koa — real servers on
 * loopback, a real sts-local, tokens minted by core's `mintToken` — so behaviour cannot drift.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, Client, request } from 'undici';
import { ERROR_CODES, type CallerIdErrorCode, type Identity } from '@callerid/core';
import { startStsLocal, type StsLocal } from '@callerid/sts-local';
import { harnesses, type HarnessOptions } from './adapter-apps.js';
import { ACCT, alice, assumeRole, AUDIENCE, ci, closedPortUrl, forgeSignature, tokenFor } from '@callerid/test-harness';

const REALM = 'payments';
const DEPLOYER_ROLE = `arn:aws:iam::${ACCT}:role/team/Deployer`;

let sts: StsLocal;
let deadSts: string;
const tokens = {} as Record<'alice' | 'deployer' | 'otherAudience' | 'forged', string>;

beforeAll(async () => {
  sts = await startStsLocal({ principals: [alice, ci] });
  deadSts = await closedPortUrl();
  // A real AssumeRole: the role has an IAM path, which STS drops from the session ARN.
  const deployer = await assumeRole(sts, ci, DEPLOYER_ROLE, 'ci-run@42');
  tokens.alice = await tokenFor(alice);
  tokens.deployer = await tokenFor(deployer);
  tokens.otherAudience = await tokenFor(alice, { audience: 'other-api' });
  tokens.forged = forgeSignature(tokens.alice);
});
afterAll(async () => {
  await sts.close();
});

interface Case {
  name: string;
  /** Options beyond `{ audience, stsEndpoint: sts.url, realm }`. */
  options?: () => Partial<HarnessOptions>;
  path?: string;
  /** Flat header list (so a case can repeat a field). */
  headers: () => string[];
  faults?: Parameters<StsLocal['setFaults']>[0];
  status: number;
  /** Exact `WWW-Authenticate`, or a pattern. */
  challenge?: string | RegExp;
  retryAfter?: boolean;
  code?: CallerIdErrorCode;
  caller?: Partial<Identity> | null;
}

const bearer = (name: keyof typeof tokens) => () => ['authorization', `Bearer ${tokens[name]}`];
const error = (code: CallerIdErrorCode) => new RegExp(`^Bearer realm="${REALM}", error="${ERROR_CODES[code].bearer}", error_description="`);

const cases: Case[] = [
  { name: 'no token → 401 with a bare challenge', headers: () => [], status: 401, challenge: `Bearer realm="${REALM}"`, code: 'token_missing' },
  { name: 'valid token (IAM user) → 200', headers: bearer('alice'), status: 200, caller: { arn: alice.arn, canonicalArn: alice.arn, principalType: 'user', accountId: ACCT } },
  {
    name: 'valid token (assumed role) → 200, canonical role ARN without the path',
    headers: bearer('deployer'),
    status: 200,
    caller: { arn: `arn:aws:sts::${ACCT}:assumed-role/Deployer/ci-run@42`, canonicalArn: `arn:aws:iam::${ACCT}:role/Deployer`, principalType: 'assumed-role', roleName: 'Deployer', sessionName: 'ci-run@42' },
  },
  { name: 'scheme is case-insensitive', headers: () => ['authorization', `bEARER ${tokens.alice}`], status: 200, caller: { arn: alice.arn } },
  { name: 'token for another audience → 401 invalid_token', headers: bearer('otherAudience'), status: 401, challenge: error('sts_signature_mismatch'), code: 'sts_signature_mismatch' },
  {
    name: 'expired token (server clock 16 minutes on) → 401 invalid_token',
    options: () => ({ clock: () => Date.now() + 16 * 60_000 }),
    headers: bearer('alice'),
    status: 401,
    challenge: error('token_expired'),
    code: 'token_expired',
  },
  { name: 'forged signature → 401 invalid_token', headers: bearer('forged'), status: 401, challenge: error('sts_signature_mismatch'), code: 'sts_signature_mismatch' },
  { name: 'throttled STS → 503 with Retry-After', faults: { throttle: { fraction: 1 } }, headers: bearer('alice'), status: 503, retryAfter: true, code: 'sts_throttled' },
  { name: 'STS down → 503 with Retry-After', options: () => ({ stsEndpoint: deadSts }), headers: bearer('alice'), status: 503, retryAfter: true, code: 'sts_unavailable' },
  {
    name: 'policy deny → 403 insufficient_scope',
    options: () => ({ allow: { principals: [`arn:aws:iam::${ACCT}:role/Deployer`] } }),
    headers: bearer('alice'),
    status: 403,
    challenge: error('caller_not_allowed'),
    code: 'caller_not_allowed',
  },
  {
    name: 'policy allow by ARN pattern',
    options: () => ({ allow: { accounts: [ACCT], principals: [`arn:aws:iam::${ACCT}:role/Deploy*`] } }),
    headers: bearer('deployer'),
    status: 200,
    caller: { roleName: 'Deployer' },
  },
  {
    name: 'a role pattern with an IAM path does not match an assumed role by default',
    options: () => ({ allow: { principals: [DEPLOYER_ROLE] } }),
    headers: bearer('deployer'),
    status: 403,
    code: 'caller_not_allowed',
  },
  {
    name: '…and matches it with matchRoleByName',
    options: () => ({ allow: { principals: [DEPLOYER_ROLE], matchRoleByName: true } }),
    headers: bearer('deployer'),
    status: 200,
    caller: { roleName: 'Deployer' },
  },
  {
    name: 'mapping with templates, then requireGroups',
    options: () => ({ map: [{ arn: DEPLOYER_ROLE, matchRoleByName: true, username: 'deploy:{{SessionName}}', groups: ['admins', 'acct-{{AccountID}}', '{{RoleName}}'] }] }),
    path: '/admin',
    headers: bearer('deployer'),
    status: 200,
    caller: { username: 'deploy:ci-run-42', groups: ['admins', `acct-${ACCT}`, 'Deployer'] },
  },
  {
    name: 'requireGroups refuses an unmapped caller → 403',
    options: () => ({ map: [{ arn: DEPLOYER_ROLE, matchRoleByName: true, username: 'deploy', groups: ['admins'] }] }),
    path: '/admin',
    headers: bearer('alice'),
    status: 403,
    challenge: error('caller_not_allowed'),
    code: 'caller_not_allowed',
  },
  { name: 'optional auth: no token → 200, caller null', options: () => ({ credentialsRequired: false }), headers: () => [], status: 200, caller: null },
  { name: 'optional auth: a valid token still sets the caller', options: () => ({ credentialsRequired: false }), headers: bearer('alice'), status: 200, caller: { arn: alice.arn } },
  { name: 'optional auth: a bad token is still refused', options: () => ({ credentialsRequired: false }), headers: bearer('forged'), status: 401, code: 'sts_signature_mismatch' },
  { name: 'optional auth: requireGroups on an anonymous request → 401', options: () => ({ credentialsRequired: false }), path: '/admin', headers: () => [], status: 401, challenge: `Bearer realm="${REALM}"`, code: 'token_missing' },
  { name: 'custom getToken', options: () => ({ tokenHeader: 'x-callerid-token' }), headers: () => ['x-callerid-token', tokens.alice], status: 200, caller: { arn: alice.arn } },
  { name: 'custom getToken ignores Authorization', options: () => ({ tokenHeader: 'x-callerid-token' }), headers: bearer('alice'), status: 401, code: 'token_missing' },
  { name: 'malformed Authorization → 400 invalid_request', headers: () => ['authorization', 'Bearer'], status: 400, challenge: error('request_malformed'), code: 'request_malformed' },
  {
    name: 'two tokens → 400 invalid_request',
    headers: () => ['authorization', `Bearer ${tokens.alice}`, 'authorization', `Bearer ${tokens.deployer}`],
    status: 400,
    challenge: error('request_multiple_tokens'),
    code: 'request_multiple_tokens',
  },
  { name: 'another scheme → 401 with a bare challenge', headers: () => ['authorization', 'Basic YWxpY2U6cGFzc3dvcmQ='], status: 401, challenge: `Bearer realm="${REALM}"`, code: 'token_missing' },
  { name: 'an unprotected route needs no token', path: '/public', headers: () => [], status: 200 },
  {
    name: 'an allow predicate rejecting without a reason → 500, never a pass',
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    options: () => ({ allow: () => Promise.reject() }),
    headers: bearer('alice'),
    status: 500,
  },
];

const everyToken = () => Object.values(tokens);

describe.each(harnesses)('$name adapter', (harness) => {
  it.each(cases)('$name', async (c) => {
    const app = await harness.start({ audience: AUDIENCE, stsEndpoint: sts.url, realm: REALM, ...c.options?.() });
    if (c.faults) sts.setFaults(c.faults);
    try {
      const res = await request(`${app.url}${c.path ?? '/whoami'}`, { headers: c.headers() });
      const body = await res.body.text();
      const headers = res.headers;
      expect(res.statusCode).toBe(c.status);
      if (c.challenge === undefined) {
        if (c.status < 400) expect(headers['www-authenticate']).toBeUndefined();
      } else if (typeof c.challenge === 'string') {
        expect(headers['www-authenticate']).toBe(c.challenge);
      } else {
        expect(headers['www-authenticate']).toMatch(c.challenge);
      }
      if (c.status === 401 || c.status === 403 || c.status === 400) expect(headers['www-authenticate']).toMatch(/^Bearer realm="/);
      if (c.retryAfter) expect(headers['retry-after']).toMatch(/^\d+$/);
      if (c.status === 503) expect(headers['www-authenticate']).toBeUndefined();
      if (c.code) expect(harness.describeError(body)).toBe(ERROR_CODES[c.code].description);
      if (c.caller === null) expect(JSON.parse(body)).toEqual({ caller: null });
      else if (c.caller) expect((JSON.parse(body) as { caller: Identity }).caller).toMatchObject(c.caller);
      // Nothing a server answers ever echoes a token.
      const everything = body + JSON.stringify(headers);
      for (const token of everyToken()) expect(everything).not.toContain(token.slice(11, 80));
    } finally {
      if (c.faults) sts.setFaults(undefined);
      await app.close();
    }
  });

  it('one keep-alive connection carrying different tokens gets each one answered for itself', async () => {
    const app = await harness.start({ audience: AUDIENCE, stsEndpoint: sts.url, realm: REALM });
    // One connection for every request: the adapter's per-connection memo of the last token is in play.
    const client = new Client(app.url, { pipelining: 1 });
    let connections = 0;
    client.on('connect', () => connections++);
    const get = async (token: string | undefined) => {
      const res = await client.request({ method: 'GET', path: '/whoami', headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
      const body = await res.body.text();
      return { status: res.statusCode, arn: res.statusCode === 200 ? (JSON.parse(body) as { caller: Identity }).caller.arn : undefined };
    };
    try {
      for (let round = 0; round < 2; round++) {
        expect(await get(tokens.alice)).toEqual({ status: 200, arn: alice.arn });
        expect(await get(tokens.alice)).toEqual({ status: 200, arn: alice.arn });
        expect(await get(tokens.deployer)).toEqual({ status: 200, arn: `arn:aws:sts::${ACCT}:assumed-role/Deployer/ci-run@42` });
        expect(await get(tokens.forged)).toEqual({ status: 401, arn: undefined });
        expect(await get(tokens.otherAudience)).toEqual({ status: 401, arn: undefined });
        expect(await get(undefined)).toEqual({ status: 401, arn: undefined });
      }
      expect(connections).toBe(1);
    } finally {
      await client.close();
      await app.close();
    }
  });

  it('1,000 concurrent first requests carrying one new token cause exactly one STS call', async () => {
    const app = await harness.start({ audience: AUDIENCE, stsEndpoint: sts.url, realm: REALM });
    // A token no server has seen: signed at a time unique to this adapter.
    const token = await tokenFor(alice, { signingDate: new Date(Date.now() - 1000 * (1 + harnesses.indexOf(harness))) });
    const dispatcher = new Agent({ connections: 1000, pipelining: 1 });
    const before = sts.stats().actions.GetCallerIdentity?.requests ?? 0;
    try {
      const statuses = await Promise.all(
        Array.from({ length: 1000 }, async () => {
          const res = await request(`${app.url}/whoami`, { headers: { authorization: `Bearer ${token}` }, dispatcher });
          await res.body.dump();
          return res.statusCode;
        }),
      );
      expect(statuses.filter((s) => s === 200)).toHaveLength(1000);
      expect((sts.stats().actions.GetCallerIdentity?.requests ?? 0) - before).toBe(1);
    } finally {
      await dispatcher.close();
      await app.close();
    }
  });
});
