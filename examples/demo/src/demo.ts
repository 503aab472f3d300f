/**
 * `pnpm demo`: starts sts-local (a local STS that checks SigV4 for real) with an IAM user and a role
 * she may assume, starts the Express example API protected by callerid, and runs six scripted calls.
 * Exits 0 only when every step behaved as described; shuts everything down either way.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { withCallerId } from '@callerid/client';
import { type Identity } from '@callerid/core';
import { mintToken } from '@callerid/mint';
import { createApp } from '@callerid/example-express-api/app';
import { startStsLocal, type StsLocal } from '@callerid/sts-local';
import { ACCOUNT, ADMIN_ROLE_ARN, ALICE, ALICE_CREDENTIALS } from './principals.js';
import { dim, green, red, Report } from './report.js';
import { tamperSignature } from './tamper.js';

// The AssumeRole step uses the AWS SDK, which warns on Node 20 about its own future releases; that
// warning says nothing about this demo, so it is off unless you set the variable yourself.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const AUDIENCE = 'payments-api';
const REGION = 'us-east-1';
const SESSION_NAME = 'demo-session';
const REPEAT = 1_000;
const CONCURRENCY = 50;

interface Answer {
  status: number;
  challenge: string | null;
  body: { caller?: Identity; admin?: string; code?: string; error?: string; error_description?: string };
}

async function answer(res: Response): Promise<Answer> {
  return { status: res.status, challenge: res.headers.get('www-authenticate'), body: (await res.json()) as Answer['body'] };
}

/** A plain fetch with a given token: how the refusal steps send their forgeries. */
async function callWithToken(url: string, token: string): Promise<Answer> {
  return answer(await fetch(url, { headers: { authorization: `Bearer ${token}` } }));
}

function who(caller: Identity | undefined): string {
  if (!caller) return 'no caller in the answer';
  return `${caller.arn} ${dim(`(${caller.principalType}, account ${caller.accountId})`)}`;
}

async function main(): Promise<number> {
  const sts = await startStsLocal({ principals: [ALICE] });
  const api = createApp({ audience: AUDIENCE, stsEndpoint: sts.url, accounts: [ACCOUNT], adminRoles: [ADMIN_ROLE_ARN] });
  const server = createServer(api.app).listen(0, '127.0.0.1');
  const stsClient = new STSClient({ region: REGION, endpoint: sts.url, credentials: ALICE_CREDENTIALS });
  try {
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    console.log(`callerid demo — AWS IAM identities for an HTTP API, against a local STS (no AWS account)\n`);
    console.log(`  sts-local    ${sts.url}`);
    console.log(`  API          ${base}  ${dim(`(examples/express-api, audience "${AUDIENCE}")`)}`);
    console.log(`  principals   IAM user ${ALICE.arn}`);
    console.log(`               role     ${ADMIN_ROLE_ARN} ${dim('(alice may assume it; its sessions may call /admin)')}\n`);
    return await runSteps(base, sts, stsClient);
  } finally {
    stsClient.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await api.close();
    await sts.close();
  }
}

async function runSteps(base: string, sts: StsLocal, stsClient: STSClient): Promise<number> {
  const report = new Report();
  const whoami = `${base}/whoami`;
  const stsCalls = () => sts.stats().actions.GetCallerIdentity?.requests ?? 0;

  await report.step('No token → 401 with a Bearer challenge', async (t) => {
    const res = await answer(await fetch(whoami));
    t.note(`GET /whoami → ${res.status}   WWW-Authenticate: ${res.challenge}`);
    t.expect(res.status === 401, `status 401, got ${res.status}`);
    t.expect(res.challenge === 'Bearer realm="callerid"', 'the challenge Bearer realm="callerid"');
  });

  await report.step('The fetch wrapper as IAM user alice → 200 and her identity', async (t) => {
    const api = withCallerId(fetch, { audience: AUDIENCE, region: REGION, credentials: ALICE_CREDENTIALS });
    const res = await answer(await api(whoami));
    t.note(`GET /whoami → ${res.status}   caller: ${who(res.body.caller)}`);
    t.expect(res.status === 200, `status 200, got ${res.status}`);
    t.expect(res.body.caller?.arn === ALICE.arn && res.body.caller.principalType === 'user', `caller ${ALICE.arn}`);
    const admin = await answer(await api(`${base}/admin`));
    t.note(`GET /admin  → ${admin.status}   ${admin.body.code ?? ''} ${dim('(alice is not an admin)')}`);
    t.expect(admin.status === 403, `GET /admin to answer 403, got ${admin.status}`);
  });

  await report.step(`As the assumed role (AssumeRole against sts-local) → 200, canonical role ARN and session name`, async (t) => {
    const out = await stsClient.send(new AssumeRoleCommand({ RoleArn: ADMIN_ROLE_ARN, RoleSessionName: SESSION_NAME }));
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('AssumeRole returned no credentials');
    t.note(`AssumeRole ${ADMIN_ROLE_ARN} → temporary credentials ${dim('(ASIA…, with a session token)')}`);
    const credentials = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
    const api = withCallerId(fetch, { audience: AUDIENCE, region: REGION, credentials });
    const res = await answer(await api(whoami));
    const caller = res.body.caller;
    t.note(`GET /whoami → ${res.status}   caller: ${who(caller)}`);
    t.note(`canonical ARN: ${caller?.canonicalArn}   session name: ${caller?.sessionName}`);
    t.expect(res.status === 200, `status 200, got ${res.status}`);
    t.expect(caller?.canonicalArn === ADMIN_ROLE_ARN, `canonical ARN ${ADMIN_ROLE_ARN}`);
    t.expect(caller?.sessionName === SESSION_NAME, `session name ${SESSION_NAME}`);
    const admin = await answer(await api(`${base}/admin`));
    t.note(`GET /admin  → ${admin.status}   as ${admin.body.admin} ${dim('(map: role → group admins)')}`);
    t.expect(admin.status === 200 && admin.body.admin === `admin:${SESSION_NAME}`, `GET /admin to answer 200 as admin:${SESSION_NAME}`);
  });

  await report.step('A token minted for another audience → 401', async (t) => {
    const { token } = await mintToken({ audience: 'another-api', region: REGION, credentials: ALICE_CREDENTIALS });
    const res = await callWithToken(whoami, token);
    t.note(`GET /whoami → ${res.status}   WWW-Authenticate: ${res.challenge}`);
    t.expect(res.status === 401, `status 401, got ${res.status}`);
    t.expect(res.challenge?.includes('error="invalid_token"') === true, 'an invalid_token challenge');
  });

  await report.step('A token with a tampered signature → 401', async (t) => {
    const { token } = await mintToken({ audience: AUDIENCE, region: REGION, credentials: ALICE_CREDENTIALS });
    const res = await callWithToken(whoami, tamperSignature(token));
    t.note(`GET /whoami → ${res.status}   WWW-Authenticate: ${res.challenge}`);
    t.expect(res.status === 401, `status 401, got ${res.status}`);
    t.expect(res.challenge?.includes('error="invalid_token"') === true, 'an invalid_token challenge');
  });

  await report.step(`One token used ${REPEAT.toLocaleString('en-US')} times → one STS call`, async (t) => {
    // Tokens are signed to the second: one minted in the same second as step 2's would be that very
    // token, already verified and cached. Start on a fresh second so this one has never been seen.
    await new Promise((resolve) => setTimeout(resolve, 1_005 - (Date.now() % 1_000)));
    const { token } = await mintToken({ audience: AUDIENCE, region: REGION, credentials: ALICE_CREDENTIALS });
    const before = stsCalls();
    const statuses = new Map<number, number>();
    let next = 0;
    // CONCURRENCY callers at once, so the first wave also shows concurrent requests sharing one STS call.
    const worker = async () => {
      while (next < REPEAT) {
        next++;
        const res = await fetch(whoami, { headers: { authorization: `Bearer ${token}` } });
        await res.arrayBuffer();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const calls = stsCalls() - before;
    const summary = [...statuses].map(([status, n]) => `${n.toLocaleString('en-US')} × ${status}`).join(', ');
    t.note(`${summary} ${dim(`(${CONCURRENCY} at a time)`)}   sts-local GetCallerIdentity calls: ${calls}`);
    t.expect(statuses.get(200) === REPEAT, `${REPEAT} answers 200`);
    t.expect(calls === 1, `exactly 1 STS call, got ${calls}`);
  });

  console.log('');
  if (report.failures === 0) console.log(green(`All ${report.steps} steps behaved as described.`));
  else console.log(red(`${report.failures} of ${report.steps} steps did not behave as described.`));
  return report.failures === 0 ? 0 : 1;
}

process.exitCode = await main().catch((err: unknown) => {
  console.error(red(`The demo could not run: ${err instanceof Error ? err.message : String(err)}`));
  return 1;
});
