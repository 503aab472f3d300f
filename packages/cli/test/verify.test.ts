/**
 * `callerid verify` against the real sts-local: interop with every AWS CLI fixture token, tokens from
 * `callerid token`, and every exit code (0 verified, 1 rejected, 2 usage, 3 STS unavailable).
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startStsLocal, type StsLocal } from '@callerid/sts-local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, ensureBuilt, runCli, startCliStsLocal, type CliStsLocal } from './helpers/cli.js';
import { envFor, fixture, principal, secretsOf, signedAtOf } from './helpers/fixtures.js';

// Every fixture token was signed within seconds of the others: one sts-local clock at the last signing
// time sees them all inside their 15 minutes.
const lastSignedAt = fixture.eksTokens.map((t) => signedAtOf(t.token)).sort().at(-1)!;

let fixtureSts: CliStsLocal;
let liveSts: StsLocal;
beforeAll(async () => {
  await ensureBuilt();
  fixtureSts = await startCliStsLocal(['--principals', FIXTURES, '--now', lastSignedAt]);
  liveSts = await startStsLocal({ principals: FIXTURES });
});
afterAll(async () => {
  await fixtureSts?.stop();
  await liveSts?.close();
});

function expectNoSecrets(output: string, token: string): void {
  expect(output).not.toContain(token);
  expect(output).not.toContain(token.slice('k8s-aws-v1.'.length, 60));
  for (const secret of secretsOf(token)) expect(output).not.toContain(secret);
}

describe('interop with the AWS CLI fixtures', () => {
  it.each(fixture.eksTokens.map((t) => [`${t.principal} ${t.region} ${t.audience}`, t] as const))('accepts %s', async (_name, t) => {
    const result = await runCli(['verify', t.token, '--audience', t.audience, '--sts-endpoint', fixtureSts.url, '--now', signedAtOf(t.token), '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const identity = JSON.parse(result.stdout) as Record<string, unknown>;
    const p = principal(t.principal);
    expect(identity).toMatchObject({ arn: p.arn, accountId: p.account, userId: p.userId, tokenType: 'presigned', region: t.region });
    expectNoSecrets(result.stdout, t.token);
  });

  it('prints a readable summary without --json', async () => {
    const t = fixture.eksTokens.find((x) => x.principal === 'path-role-session')!;
    const result = await runCli(['verify', t.token, '--audience', t.audience, '--sts-endpoint', fixtureSts.url, '--now', signedAtOf(t.token)]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^arn\s+arn:aws:sts::111122223333:assumed-role\/Admin\/jane@example\.com$/m);
    expect(result.stdout).toMatch(/^canonical arn\s+arn:aws:iam::111122223333:role\/Admin$/m);
    expect(result.stdout).toMatch(/^session\s+jane@example\.com$/m);
    expectNoSecrets(result.stdout, t.token);
  });

  it('reads the token from stdin (omitted or "-") and the endpoint from CALLERID_STS_ENDPOINT', async () => {
    const t = fixture.eksTokens[0]!;
    for (const args of [[], ['-']]) {
      const result = await runCli(['verify', ...args, '--audience', t.audience, '--now', signedAtOf(t.token), '--json'], {
        input: `${t.token}\n`,
        env: { CALLERID_STS_ENDPOINT: fixtureSts.url },
      });
      expect(result.code).toBe(0);
      expect((JSON.parse(result.stdout) as { arn: string }).arn).toBe(principal(t.principal).arn);
    }
  });
});

describe('a token from `callerid token`', () => {
  it.each(['alice', 'deployer-session'])('verifies as %s', async (name) => {
    const minted = await runCli(['token', '--audience', 'orders', '--region', 'eu-west-1', '--format', 'token'], { env: envFor(name) });
    expect(minted.code).toBe(0);
    const result = await runCli(['verify', '-', '--audience', 'orders', '--sts-endpoint', liveSts.url, '--json'], { input: minted.stdout });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ arn: principal(name).arn, stsHost: 'sts.eu-west-1.amazonaws.com' });
  });
});

describe('exit codes', () => {
  const t = fixture.eksTokens.find((x) => x.principal === 'deployer-session')!;
  const at = signedAtOf(t.token);

  it('1 with {"error":{code,message}} when STS rejects the token (another audience)', async () => {
    const result = await runCli(['verify', t.token, '--audience', 'someone-else', '--sts-endpoint', fixtureSts.url, '--now', at, '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      error: { code: 'sts_signature_mismatch', message: 'STS says the signature does not match: was the token minted for this audience, and sent unmodified?' },
    });
    expectNoSecrets(result.stdout + result.stderr, t.token);
  });

  it("1 with STS's reason as core's code and hint on stderr without --json", async () => {
    const result = await runCli(['verify', t.token, '--audience', 'someone-else', '--sts-endpoint', fixtureSts.url, '--now', at]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'callerid verify: rejected: STS says the signature does not match: was the token minted for this audience, and sent unmodified? (sts_signature_mismatch)\n',
    );
  });

  it('1 with one stderr line when the token fails locally (expired), no network needed', async () => {
    const result = await runCli(['verify', t.token, '--audience', t.audience, '--sts-endpoint', fixtureSts.url]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('callerid verify: rejected: The token has expired. (token_expired)\n');
  });

  it('1 for garbage and for a tampered token, never echoing it', async () => {
    // One hex digit of the signature changed: well-formed, so only STS can tell.
    const url = Buffer.from(t.token.slice('k8s-aws-v1.'.length), 'base64url').toString('latin1');
    const flipped = url.replace(/(X-Amz-Signature=[0-9a-f]{10})([0-9a-f])/, (_m, head: string, digit: string) => head + (digit === '0' ? '1' : '0'));
    const tampered = `k8s-aws-v1.${Buffer.from(flipped, 'latin1').toString('base64url')}`;
    for (const [token, code] of [['not-a-token', 'token_format'], [tampered, 'sts_signature_mismatch']] as const) {
      const result = await runCli(['verify', '-', '--audience', t.audience, '--sts-endpoint', fixtureSts.url, '--now', at, '--json'], { input: token });
      expect(result.code).toBe(1);
      expect((JSON.parse(result.stdout) as { error: { code: string } }).error.code).toBe(code);
      expect(result.stdout + result.stderr).not.toContain(token);
    }
  });

  it('1 when --partition narrows the accepted partitions', async () => {
    const china = fixture.eksTokens.find((x) => x.principal === 'china')!;
    const result = await runCli(['verify', china.token, '--audience', china.audience, '--sts-endpoint', fixtureSts.url, '--now', signedAtOf(china.token), '--partition', 'aws', '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({ error: { code: 'partition_not_allowed', message: 'The token was signed for a partition this server does not accept.' } });
  });

  it('3 when STS cannot be reached', async () => {
    const closed = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const result = await runCli(['verify', t.token, '--audience', t.audience, '--sts-endpoint', `http://127.0.0.1:${closed}`, '--now', at, '--json']);
    expect(result.code).toBe(3);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'sts_unavailable' } });
  });

  it('3 when STS throttles, with a stderr line without --json', async () => {
    const sts = await startStsLocal({ principals: FIXTURES, clock: () => Date.parse(lastSignedAt.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z')), faults: { throttle: { fraction: 1 } } });
    try {
      const result = await runCli(['verify', t.token, '--audience', t.audience, '--sts-endpoint', sts.url, '--now', at]);
      expect(result.code).toBe(3);
      expect(result.stderr).toBe('callerid verify: STS unavailable: STS is throttling requests; try again later. (sts_throttled)\n');
    } finally {
      await sts.close();
    }
  });

  it('2 for usage errors', async () => {
    const result = await runCli(['verify', t.token, '--sts-endpoint', fixtureSts.url]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^callerid verify: --audience is required/);
    expectNoSecrets(result.stderr, t.token);
  });
});
