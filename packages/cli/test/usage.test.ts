/** Help, version and usage errors: exit 2 with one line on stderr, never a stack trace or an echoed value. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI_DIR, ensureBuilt, runCli } from './helpers/cli.js';

beforeAll(ensureBuilt);

const TOKENISH = 'k8s-aws-v1.aHR0cHM6Ly9zdHMudXMtd2VzdC0yLmFtYXpvbmF3cy5jb20v';

function expectUsageError(result: { code: number | null; stdout: string; stderr: string }, hint: RegExp): void {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(hint);
  expect(lines[0]).toMatch(/--help/);
  expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe('help and version', () => {
  it('prints the version from package.json', async () => {
    const { version } = JSON.parse(readFileSync(join(CLI_DIR, 'package.json'), 'utf8')) as { version: string };
    const result = await runCli(['--version']);
    expect(result).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('prints top-level help listing every command', async () => {
    for (const args of [['--help'], ['-h'], ['help']]) {
      const result = await runCli(args);
      expect(result.code).toBe(0);
      for (const command of ['token', 'verify', 'decode', 'sts-local', 'serve']) expect(result.stdout).toContain(command);
    }
  });

  it.each(['token', 'verify', 'decode', 'sts-local', 'serve'])('prints help for %s', async (command) => {
    for (const args of [[command, '--help'], [command, '-h'], ['help', command]]) {
      const result = await runCli(args);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^Usage: callerid ${command}`));
    }
  });

  it('exits 2 with the overview when no command is given', async () => {
    const result = await runCli([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: callerid <command>');
  });
});

describe('usage errors exit 2 with a one-line hint', () => {
  it('rejects an unknown command without echoing it', async () => {
    const result = await runCli([TOKENISH]);
    expectUsageError(result, /^callerid: unknown command/);
    expect(result.stderr).not.toContain('k8s-aws-v1');
  });

  it.each([
    [['token', '--audience', 'a', '--bogus'], /^callerid token: unknown option --bogus/],
    [['token', '--audience'], /^callerid token: option --audience needs a value/],
    [['token', '--audience', '--region', 'us-west-2'], /^callerid token: option --audience needs a value/],
    [['token'], /^callerid token: --audience \(or --cluster-name, --cluster-id, -i\) is required/],
    [['token', '--audience', 'a', '--format', 'yaml'], /^callerid token: --format must be one of exec-credential, token, json/],
    [['token', '--audience', 'a', '--cluster-name', 'b'], /^callerid token: --audience, --cluster-name and --cluster-id \(-i\) disagree/],
    [['token', '--audience', 'a', '--session-name', 's'], /^callerid token: --session-name, --forward-session-name and --external-id need --role-arn/],
    [['token', '--audience', 'a', 'extra'], /^callerid token: too many arguments/],
    [['token', '--audience', 'a b', '--region', 'us-west-2'], /^callerid token: The audience must be/],
    [['token', '--audience', 'a', '--region', 'mars-north-1'], /^callerid token: The region, endpoint and fips options.* \(region "mars-north-1"\)/],
    [['token', '-i', 'a', '--forward-session-name', '-r', 'arn:aws:iam::111122223333:role/R', '-s', 'x'], /^callerid token: --forward-session-name and --session-name exclude each other/],
    [['token', '-i', 'a', '--token-only', '--format', 'json'], /^callerid token: --token-only and --format disagree/],
    [['token', '-i', 'a', '--role-arn', 'arn:aws:iam::1:role/A', '-r', 'arn:aws:iam::1:role/B'], /^callerid token: --role-arn and --role \(-r\) disagree/],
    [['eks', 'get-token'], /^callerid eks get-token: either --cluster-name or --cluster-id is required/],
    [['eks', 'get-token', '--cluster-name', 'a', '--cluster-id', 'b'], /^callerid eks get-token: --cluster-name and --cluster-id exclude each other/],
    [['eks', 'get-token', '--cluster-name', 'a', '--output', 'yaml'], /^callerid eks get-token: --output must be json/],
    [['eks', 'get-token', '--cluster-name', 'a', '--query', 'status.token'], /^callerid eks get-token: --query is not supported: /],
    [['--debug', 'eks', 'get-token', '--cluster-name', 'a'], /^callerid eks get-token: --debug is not supported: /],
    [['eks', 'get-token', '--cluster-name', 'a', '--bogus'], /^callerid eks get-token: unknown option --bogus/],
    [['eks', 'describe-cluster'], /^callerid eks: unknown eks subcommand/],
    [['--region', 'us-west-2', 'token', '-i', 'a'], /^callerid: unknown option/],
    [['token', '--cache=yes', '--audience', 'a'], /^callerid token: option --cache does not take a value/],
    [['verify', 'x'], /^callerid verify: --audience is required/],
    [['verify', 'x', 'y', '--audience', 'a'], /^callerid verify: too many arguments/],
    [['verify', 'x', '--audience', 'a', '--now', 'yesterday'], /^callerid verify: --now must be an ISO 8601 time/],
    [['verify', 'x', '--audience', 'a', '--sts-endpoint', 'ftp://127.0.0.1'], /^callerid verify: stsEndpoint must use https/],
    [['verify', 'x', '--audience', 'a', '--sts-endpoint', 'http://sts.example.com'], /^callerid verify: stsEndpoint must use https/],
    [['verify', 'x', '--audience', 'a', '--partition', 'mars'], /^callerid verify: allowedPartitions must list known AWS partitions/],
    [['decode', 'x', '--now', '2026-13-01T00:00:00Z'], /^callerid decode: --now must be an ISO 8601 time/],
    [['decode', '--json=1', 'x'], /^callerid decode: option --json does not take a value/],
    [['sts-local', '--port', '70000'], /^callerid sts-local: --port must be an integer from 0 to 65535/],
    [['sts-local', '--latency', '-5'], /^callerid sts-local: option --latency needs a value/],
    [['sts-local', '--latency', 'slow'], /^callerid sts-local: --latency must be an integer/],
    [['sts-local', '--principals', '/nonexistent/principals.json'], /^callerid sts-local: --principals: cannot read the file \(ENOENT\)/],
  ])('%j', async (args, hint) => {
    expectUsageError(await runCli(args), hint);
  });

  it('never echoes an unknown option that could be a token', async () => {
    const result = await runCli(['verify', '--audience', 'a', `--${TOKENISH}`]);
    expectUsageError(result, /^callerid verify: unknown option \(see/);
    expect(result.stderr).not.toContain('aHR0c');
  });

  it('rejects a bad CALLERID_STS_ENDPOINT as a usage error', async () => {
    const result = await runCli(['verify', TOKENISH, '--audience', 'a'], { env: { CALLERID_STS_ENDPOINT: 'not a url' } });
    expectUsageError(result, /^callerid verify: stsEndpoint must be an absolute URL/);
  });

  it('asks for a token when stdin is empty', async () => {
    expectUsageError(await runCli(['decode']), /^callerid decode: no token on stdin/);
    expectUsageError(await runCli(['verify', '-', '--audience', 'a'], { input: '\n' }), /^callerid verify: no token on stdin/);
  });
});
