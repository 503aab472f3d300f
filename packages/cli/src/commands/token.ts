/**
 * `callerid token`: mint a token for kubectl (ExecCredential), scripts (bare token) or tools (JSON).
 * A drop-in for `aws eks get-token`: `--cluster-name` is an alias of `--audience`.
 */
import { isCallerIdError, mintToken, type MintedToken } from '@callerid/core';
import { UsageError, atMostPositionals, parseCommandArgs } from '../args.js';
import { EXIT } from '../exit-codes.js';
import { COMMAND_HELP } from '../help.js';
import { cacheFile, readCachedToken, writeCachedToken, type CacheKey } from '../token/cache.js';
import { loadCredentials } from '../token/credentials.js';
import { TOKEN_FORMATS, formatToken, type TokenFormat } from '../token/exec-credential.js';
import { resolveRegion } from '../token/region.js';

const COMMAND = 'token';

/** Runs `callerid token` with the arguments after the command name. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(COMMAND, {
    args,
    allowPositionals: true,
    options: {
      audience: { type: 'string' },
      'cluster-name': { type: 'string' },
      region: { type: 'string' },
      'global-endpoint': { type: 'boolean' },
      'role-arn': { type: 'string' },
      'session-name': { type: 'string' },
      'external-id': { type: 'string' },
      profile: { type: 'string' },
      format: { type: 'string' },
      cache: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${COMMAND_HELP[COMMAND]}\n`);
    return EXIT.ok;
  }
  atMostPositionals(COMMAND, positionals, 0);
  const audience = audienceOf(values.audience, values['cluster-name']);
  const format = formatOf(values.format);
  if (values['role-arn'] === undefined && (values['session-name'] !== undefined || values['external-id'] !== undefined)) {
    throw new UsageError('--session-name and --external-id need --role-arn', COMMAND);
  }
  const profile = nonEmpty('profile', values.profile);
  const region = await resolveRegion(nonEmpty('region', values.region), profile);
  const endpoint = values['global-endpoint'] ? 'global' : 'regional';

  const key: CacheKey = {
    audience,
    region,
    endpoint,
    profile: profile ?? (process.env.AWS_PROFILE || undefined),
    roleArn: values['role-arn'],
    sessionName: values['session-name'],
    externalId: values['external-id'],
    envAccessKeyId: process.env.AWS_ACCESS_KEY_ID || undefined,
  };
  const file = values.cache ? cacheFile(key) : undefined;
  const cached = file === undefined ? undefined : readCachedToken(file);
  if (cached) {
    process.stdout.write(formatToken(format, cached.token, cached.expiresAt, process.env.KUBERNETES_EXEC_INFO));
    return EXIT.ok;
  }

  let minted: MintedToken;
  try {
    const credentials = await loadCredentials({ profile, roleArn: key.roleArn, sessionName: key.sessionName, externalId: key.externalId, region });
    minted = await mintToken({ audience, region, endpoint, credentials });
  } catch (err) {
    return reportMintError(err);
  }
  if (file !== undefined && !writeCachedToken(file, minted)) {
    process.stderr.write('callerid token: warning: could not write the token cache\n');
  }
  process.stdout.write(formatToken(format, minted.token, minted.expiresAt, process.env.KUBERNETES_EXEC_INFO));
  return EXIT.ok;
}

function audienceOf(audience: string | undefined, clusterName: string | undefined): string {
  if (audience !== undefined && clusterName !== undefined && audience !== clusterName) {
    throw new UsageError('--audience and --cluster-name disagree (they are the same option)', COMMAND);
  }
  const value = audience ?? clusterName;
  if (!value) throw new UsageError('--audience (or --cluster-name) is required', COMMAND);
  return value;
}

function formatOf(format: string | undefined): TokenFormat {
  if (format === undefined) return 'exec-credential';
  if ((TOKEN_FORMATS as readonly string[]).includes(format)) return format as TokenFormat;
  throw new UsageError(`--format must be one of ${TOKEN_FORMATS.join(', ')}`, COMMAND);
}

function nonEmpty(name: string, value: string | undefined): string | undefined {
  if (value === '') throw new UsageError(`--${name} must not be empty`, COMMAND);
  return value;
}

/**
 * One line on stderr. Invalid options are usage errors; credential and signing failures exit 1 and
 * name the SDK's reason (e.g. "Could not load credentials from any providers"), which never holds a
 * secret.
 */
function reportMintError(err: unknown): number {
  if (!isCallerIdError(err)) throw err;
  if (err.code === 'mint_options_invalid') throw new UsageError(err.message, COMMAND);
  const cause = (err as { cause?: unknown }).cause;
  const reason = cause instanceof Error && cause.message ? `: ${firstLine(cause.message)}` : '';
  process.stderr.write(`callerid token: ${err.message.replace(/\.$/, '')}${reason} (${err.code})\n`);
  return EXIT.failed;
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
