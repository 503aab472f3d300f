/**
 * Diagnostics: the `callerid:*` channels publish one event per verification, STS round trip, JWKS fetch
 * and store failure, with no token, signature or session token in them; `NODE_DEBUG=callerid` prints
 * one line per refusal and outage. The README's diagnostics example runs here verbatim.
 */
import { execFile } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startStsLocal, type StsLocal } from '@callerid/sts-local';
import {
  createVerifier,
  DIAGNOSTICS_CHANNELS,
  mintToken,
  type CacheStore,
  type JwksEvent,
  type StoreEvent,
  type StsEvent,
  type VerifierOptions,
  type VerifyEvent,
} from '../src/index.js';
import { createWebIdentityVerifier } from '../src/web-identity/index.js';
import { answer, startFakeSts, type FakeSts } from './fake-sts.js';
import { credentialsOf, principal } from './fixtures.js';
import { blockRunner, readmeBlocks } from './support/readme-blocks.js';
import { startTestIssuer } from './web-identity/test-issuer.js';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const deployer = principal('deployer-session');
const signingDate = new Date();

let sts: StsLocal;
let token: string;

beforeAll(async () => {
  sts = await startStsLocal({ principals: [{ ...deployer, sessionToken: deployer.sessionToken ?? undefined }] });
  ({ token } = await mintToken({ audience: 'payments-api', region: 'eu-west-1', credentials: credentialsOf(deployer), signingDate }));
});
afterAll(async () => {
  await sts.close();
});

/** Collects what `channel` publishes until the test ends. */
function listen<T>(channel: string): T[] {
  const events: T[] = [];
  const onMessage = (message: unknown) => events.push(message as T);
  subscribe(channel, onMessage);
  onTestFinished(() => {
    unsubscribe(channel, onMessage);
  });
  return events;
}

function verifier(options: Partial<VerifierOptions> = {}) {
  const v = createVerifier({ audience: 'payments-api', stsEndpoint: sts.url, ...options });
  onTestFinished(() => v.close());
  return v;
}

/** Every secret part of the presigned token: the token, its signature and its session token. */
function secretsOf(presigned: string): string[] {
  const url = new URL(Buffer.from(presigned.slice('k8s-aws-v1.'.length), 'base64url').toString());
  return [presigned.slice(11, 60), url.searchParams.get('X-Amz-Signature')!, url.searchParams.get('X-Amz-Security-Token')!, deployer.secretAccessKey];
}

describe('channels', () => {
  it('are the names the other packages subscribe to', () => {
    expect(DIAGNOSTICS_CHANNELS).toEqual({ verify: 'callerid:verify', sts: 'callerid:sts', jwks: 'callerid:jwks', store: 'callerid:store' });
  });

  it('publish one verify event per settlement (miss, then hit) and one sts event per round trip, without secrets', async () => {
    const verifies = listen<VerifyEvent>(DIAGNOSTICS_CHANNELS.verify);
    const trips = listen<StsEvent>(DIAGNOSTICS_CHANNELS.sts);
    const v = verifier();
    await v.verify(token);
    await v.verify(token);
    const other = verifier({ audience: 'orders' });
    await other.verify(token).catch(() => undefined);
    await other.verify(token).catch(() => undefined);

    expect(verifies.map(({ durationMs: _, ...e }) => e)).toEqual([
      { audience: 'payments-api', kind: 'presigned', outcome: 'accepted', cache: 'miss', arn: deployer.arn },
      { audience: 'payments-api', kind: 'presigned', outcome: 'accepted', cache: 'hit', arn: deployer.arn },
      { audience: 'orders', kind: 'presigned', outcome: 'rejected', code: 'sts_signature_mismatch', cache: 'miss' },
      { audience: 'orders', kind: 'presigned', outcome: 'rejected', code: 'sts_signature_mismatch', cache: 'hit' },
    ]);
    const host = 'sts.eu-west-1.amazonaws.com';
    expect(trips.map(({ durationMs: _, ...e }) => e)).toEqual([
      { host, endpoint: new URL(sts.url).origin, outcome: 'ok', status: 200 },
      { host, endpoint: new URL(sts.url).origin, outcome: 'rejected', status: 403, stsCode: 'SignatureDoesNotMatch', code: 'sts_signature_mismatch' },
    ]);
    for (const e of [...verifies, ...trips]) expect(e.durationMs).toBeGreaterThanOrEqual(0);
    const published = JSON.stringify([verifies, trips]);
    for (const secret of secretsOf(token)) expect(published).not.toContain(secret);
  });

  it('report a local refusal, an answer that is not STS (no stsCode) and a refused connection', async () => {
    const verifies = listen<VerifyEvent>(DIAGNOSTICS_CHANNELS.verify);
    const trips = listen<StsEvent>(DIAGNOSTICS_CHANNELS.sts);
    await verifier({ cache: false }).verify('garbage').catch(() => undefined);
    expect(verifies).toMatchObject([{ kind: 'unknown', outcome: 'rejected', code: 'token_format', cache: 'off' }]);

    const proxy: FakeSts = await startFakeSts(answer(403, '<html>Forbidden</html>', { 'content-type': 'text/html' }));
    onTestFinished(() => proxy.close());
    await verifier({ stsEndpoint: proxy.url }).verify(token).catch(() => undefined);
    expect(trips.at(-1)).toMatchObject({ outcome: 'unavailable', status: 403, code: 'sts_unavailable' });
    expect(trips.at(-1)).not.toHaveProperty('stsCode');
    expect(verifies.at(-1)).toMatchObject({ outcome: 'unavailable', code: 'sts_unavailable', cache: 'miss' });

    const closed = await startFakeSts();
    const closedUrl = closed.url;
    await closed.close();
    await verifier({ stsEndpoint: closedUrl }).verify(token).catch(() => undefined);
    expect(trips.at(-1)).toMatchObject({ outcome: 'unavailable', code: 'sts_unavailable', cause: 'Error (ECONNREFUSED)' });
  });

  it('publish a store event when the cache store fails, and the verifier carries on', async () => {
    const stores = listen<StoreEvent>(DIAGNOSTICS_CHANNELS.store);
    const failing: CacheStore = {
      get: () => Promise.reject(new TypeError('store down')),
      set: () => {
        throw new RangeError('store full');
      },
      delete: () => undefined,
    };
    await expect(verifier({ cache: failing }).verify(token)).resolves.toMatchObject({ arn: deployer.arn });
    expect(stores).toEqual([
      { store: 'custom', operation: 'get', outcome: 'error', cause: 'TypeError' },
      { store: 'custom', operation: 'set', outcome: 'error', cause: 'RangeError' },
    ]);
  });

  it('publish one jwks event per JWKS fetch', async () => {
    const issuer = await startTestIssuer();
    onTestFinished(() => issuer.close());
    const fetches = listen<JwksEvent>(DIAGNOSTICS_CHANNELS.jwks);
    const ok = createWebIdentityVerifier({ issuers: [issuer.issuer], audiences: [issuer.audience] });
    onTestFinished(() => ok.close());
    await ok.verify(await issuer.sign());
    issuer.setMode('down');
    const down = createWebIdentityVerifier({ issuers: [issuer.issuer], audiences: [issuer.audience] });
    onTestFinished(() => down.close());
    await down.verify(await issuer.sign()).catch(() => undefined);
    expect(fetches.map(({ durationMs: _, ...e }) => e)).toEqual([
      { issuer: issuer.issuer, outcome: 'ok' },
      { issuer: issuer.issuer, outcome: 'unavailable', cause: expect.stringMatching(/^(JwksFetchError|The JWKS endpoint answered HTTP \d{3}|\w+Error.*)$/) as unknown },
    ]);
  });
});

describe('README diagnostics example', () => {
  const blocks = readmeBlocks(new URL('../README.md', import.meta.url), 'readme-diagnostics');
  const runBlock = blockRunner('callerid-diagnostics-');

  it('prints what its comments say', async () => {
    expect(blocks).toHaveLength(1);
    const prelude = `
import * as __stsLocal from '@callerid/sts-local';
import * as __core from '@callerid/core';
const __alice = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const sts = await __stsLocal.startStsLocal({ principals: [{ ...__alice, arn: 'arn:aws:iam::123456789012:user/alice', userId: 'AIDAEXAMPLEALICE0001', account: '123456789012' }] });
const { token } = await __core.mintToken({ audience: 'payments-api', region: 'eu-west-1', credentials: __alice });
`;
    const code = blocks[0]!;
    const imports = code.split('\n').filter((l) => l.startsWith('import '));
    const body = code.split('\n').filter((l) => !l.startsWith('import ')).join('\n');
    const printed = await runBlock('diagnostics', `${imports.join('\n')}\n${prelude}\n${body}\nawait sts.close();\n`);
    expect(printed).toEqual([
      'sts ok 200 -',
      'verify accepted arn:aws:iam::123456789012:user/alice cache=miss',
      'verify accepted arn:aws:iam::123456789012:user/alice cache=hit',
      'sts rejected 403 SignatureDoesNotMatch',
      'verify rejected sts_signature_mismatch cache=miss',
    ]);
  });
});

describe('NODE_DEBUG=callerid', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'callerid-debuglog-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  async function runScript(env: Record<string, string>): Promise<string> {
    const core = pathToFileURL(join(packageDir, 'src/index.ts')).href;
    const script = join(dir, 'script.mts');
    writeFileSync(
      script,
      `import { createVerifier } from ${JSON.stringify(core)};
const [stsUrl, token] = process.argv.slice(2);
const v = createVerifier({ audience: 'orders', stsEndpoint: stsUrl });
await v.verify(token).catch(() => undefined);      // refused by STS (another audience)
await v.verify(token).catch(() => undefined);      // the remembered refusal
await v.verify('garbage').catch(() => undefined);  // refused locally
const down = createVerifier({ audience: 'orders', stsEndpoint: 'http://127.0.0.1:9' });
await down.verify(token).catch(() => undefined);   // an outage
await Promise.all([v.close(), down.close()]);
`,
    );
    const { stderr } = await run(process.execPath, ['--import', 'tsx', script, sts.url, token], { cwd: packageDir, env: { ...process.env, ...env } });
    return stderr;
  }

  it('prints one line per refusal and per outage, without secrets; nothing without it', async () => {
    const stderr = await runScript({ NODE_DEBUG: 'callerid' });
    const lines = stderr.trimEnd().split('\n').map((l) => l.replace(/^CALLERID \d+: /, '').replace(/ [\d.]+ms$/, ' <ms>'));
    const origin = new URL(sts.url).origin;
    expect(lines).toEqual([
      `sts rejected sts_signature_mismatch host=sts.eu-west-1.amazonaws.com endpoint=${origin} status=403 stsCode=SignatureDoesNotMatch <ms>`,
      'verify rejected sts_signature_mismatch kind=presigned audience=orders cache=hit <ms>',
      'verify rejected token_format kind=unknown audience=orders cache=miss <ms>',
      'sts unavailable sts_unavailable host=sts.eu-west-1.amazonaws.com endpoint=http://127.0.0.1:9 cause=Error (ECONNREFUSED) <ms>',
    ]);
    for (const secret of secretsOf(token)) expect(stderr).not.toContain(secret);
    expect(await runScript({ NODE_DEBUG: '' })).toBe('');
  });
});
