'use strict';
/**
 * Proves the CommonJS builds: every @callerid package is loaded with require() (their dist/*.cjs), and
 * one call is verified end to end — sts-local, a token minted by @callerid/mint, checked by the Express adapter.
 * Run: `node src/main.cjs` (Node 20, no TypeScript, no loader).
 */
const { execFileSync } = require('node:child_process');
const { once } = require('node:events');
const path = require('node:path');

const core = require('@callerid/core');
const mint = require('@callerid/mint');
const stsLocal = require('@callerid/sts-local');
const calleridExpress = require('@callerid/express');
const calleridFastify = require('@callerid/fastify');
const calleridKoa = require('@callerid/koa');
const client = require('@callerid/client');
const clientUndici = require('@callerid/client/undici');
const clientAxios = require('@callerid/client/axios');
const calleridRedis = require('@callerid/redis');
const express = require('express');

const AUDIENCE = 'payments-api';
const ALICE = {
  accessKeyId: 'AKIACJSCONSUMER00001',
  secretAccessKey: 'cjs/consumer/secret/valid/only/at/sts-local',
  arn: 'arn:aws:iam::111122223333:user/alice',
  userId: 'AIDACJSCONSUMER00001',
  account: '111122223333',
};

/** Every entry point, what it must export, and the file require() actually loaded. */
function checkEntryPoints() {
  const entries = [
    ['@callerid/core', core, ['createVerifier', 'createAuthenticator', 'CallerIdError', 'parseToken']],
    ['@callerid/mint', mint, ['mintToken', 'mintWebIdentityToken', 'credentialSource']],
    ['@callerid/sts-local', stsLocal, ['startStsLocal', 'loadPrincipals']],
    ['@callerid/express', calleridExpress, ['callerid', 'requireCaller', 'requireGroups', 'callerIdErrorHandler']],
    ['@callerid/fastify', calleridFastify, ['callerid', 'requireCaller', 'requireGroups', 'default']],
    ['@callerid/koa', calleridKoa, ['callerid', 'requireCaller', 'requireGroups']],
    ['@callerid/client', client, ['withCallerId', 'createTokenProvider', 'createTokenProviders']],
    ['@callerid/client/undici', clientUndici, ['callerid']],
    ['@callerid/client/axios', clientAxios, ['attachCallerId']],
    ['@callerid/redis', calleridRedis, ['createRedisStore', 'StoreUnavailableError', 'FORMAT_VERSION']],
  ];
  for (const [name, exports, names] of entries) {
    const file = require.resolve(name);
    if (!/[\\/]dist[\\/][^\\/]+\.cjs$/.test(file)) throw new Error(`${name} resolved to ${file}, not a dist/*.cjs file`);
    const missing = names.filter((n) => exports[n] === undefined);
    if (missing.length > 0) throw new Error(`${name} does not export ${missing.join(', ')}`);
    console.log(`require('${name}') → ${path.relative(path.join(__dirname, '..'), file)}`);
  }
  // The CLI is a command, not a library: its one bundled CJS file must run.
  const cliDir = path.dirname(require.resolve('@callerid/cli/package.json'));
  const bin = path.join(cliDir, require('@callerid/cli/package.json').bin.callerid);
  const version = execFileSync(process.execPath, [bin, '--version'], { encoding: 'utf8' }).trim();
  console.log(`callerid --version → ${version}`);
}

async function verifiedCall() {
  const sts = await stsLocal.startStsLocal({ principals: [ALICE] });
  const auth = calleridExpress.callerid({ audience: AUDIENCE, stsEndpoint: sts.url });
  const app = express();
  app.get('/whoami', auth, (req, res) => {
    res.json({ caller: req.caller });
  });
  app.use(calleridExpress.callerIdErrorHandler());
  const server = app.listen(0, '127.0.0.1');
  try {
    await once(server, 'listening');
    const { token } = await mint.mintToken({ audience: AUDIENCE, region: 'us-east-1', credentials: ALICE });
    const res = await fetch(`http://127.0.0.1:${server.address().port}/whoami`, { headers: { authorization: `Bearer ${token}` } });
    const body = await res.json();
    if (res.status !== 200 || body.caller.arn !== ALICE.arn) throw new Error(`verified call failed: ${res.status} ${body.code ?? ''}`);
    console.log(`verified call → ${res.status} ${body.caller.arn}`);
    // The same through the client's fetch wrapper, which mints with @callerid/mint's CJS build too.
    const api = client.withCallerId(fetch, { audience: AUDIENCE, region: 'us-east-1', credentials: ALICE });
    const viaClient = await api(`http://127.0.0.1:${server.address().port}/whoami`);
    const clientBody = await viaClient.json();
    if (viaClient.status !== 200 || clientBody.caller.arn !== ALICE.arn) throw new Error(`call through withCallerId failed: ${viaClient.status}`);
    console.log(`withCallerId call → ${viaClient.status} ${clientBody.caller.arn}`);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await auth.close();
    await sts.close();
  }
}

async function main() {
  checkEntryPoints();
  await verifiedCall();
}

main().catch((err) => {
  console.error(`cjs-consumer: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
