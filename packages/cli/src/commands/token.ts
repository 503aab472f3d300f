/**
 * `callerid token`: mint a token for kubectl (ExecCredential), scripts (bare token) or tools (JSON).
 * A drop-in for `aws eks get-token`: `--cluster-name` is an alias of `--audience`. With `--type
 * web-identity` it asks STS for an AWS web identity JWT (GetWebIdentityToken) instead.
 */
import { isCallerIdError } from '@callerid/core';
import { mintToken, type MintedToken, type MintWebIdentityTokenOptions } from '@callerid/mint';
import { UsageError, atMostPositionals, parseCommandArgs } from '../args.js';
import { EXIT } from '../exit-codes.js';
import { COMMAND_HELP } from '../help.js';
import { cacheFile, readCachedToken, writeCachedToken, type CacheKey } from '../token/cache.js';
import { loadCredentials } from '../token/credentials.js';
import { TOKEN_FORMATS, formatToken, type TokenFormat } from '../token/exec-credential.js';
import { resolveRegion } from '../token/region.js';
import { writeStderr, writeStdout } from '../output.js';

const COMMAND = 'token';
const TOKEN_TYPES = ['presigned', 'web-identity'] as const;
type TokenType = (typeof TOKEN_TYPES)[number];
/** Options that only make sense for web identity tokens. */
const WEB_IDENTITY_OPTIONS = ['signing-algorithm', 'duration-seconds', 'tag', 'sts-endpoint'] as const;

/** What `--type web-identity` adds to a mint; `undefined` for presigned tokens. */
type WebIdentityRequest = Pick<MintWebIdentityTokenOptions, 'signingAlgorithm' | 'durationSeconds' | 'tags' | 'endpoint'>;

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
      type: { type: 'string' },
      'signing-algorithm': { type: 'string' },
      'duration-seconds': { type: 'string' },
      tag: { type: 'string', multiple: true },
      'sts-endpoint': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    writeStdout(`${COMMAND_HELP[COMMAND]}\n`);
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
  const webIdentity = webIdentityRequest(typeOf(values.type), values);
  if (webIdentity && endpoint === 'global') throw new UsageError('--global-endpoint does not apply to web identity tokens (GetWebIdentityToken is regional only)', COMMAND);

  const key: CacheKey = {
    audience,
    region,
    endpoint,
    profile: profile ?? (process.env.AWS_PROFILE || undefined),
    roleArn: values['role-arn'],
    sessionName: values['session-name'],
    externalId: values['external-id'],
    envAccessKeyId: process.env.AWS_ACCESS_KEY_ID || undefined,
    webIdentity: webIdentity && JSON.stringify(webIdentity),
  };
  const file = values.cache ? cacheFile(key) : undefined;
  const cached = file === undefined ? undefined : readCachedToken(file);
  if (cached) {
    writeStdout(formatToken(format, cached.token, cached.expiresAt, process.env.KUBERNETES_EXEC_INFO));
    return EXIT.ok;
  }

  let minted: MintedToken;
  try {
    const credentials = await loadCredentials({ profile, roleArn: key.roleArn, sessionName: key.sessionName, externalId: key.externalId, region });
    minted = webIdentity
      ? await (await import('../lazy/web-identity.js')).mintWebIdentityToken({ audience, region, credentials, ...webIdentity })
      : await mintToken({ audience, region, endpoint, credentials });
  } catch (err) {
    return reportMintError(err);
  }
  if (file !== undefined && !writeCachedToken(file, minted)) {
    writeStderr('callerid token: warning: could not write the token cache\n');
  }
  writeStdout(formatToken(format, minted.token, minted.expiresAt, process.env.KUBERNETES_EXEC_INFO));
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

function typeOf(type: string | undefined): TokenType {
  if (type === undefined) return 'presigned';
  if ((TOKEN_TYPES as readonly string[]).includes(type)) return type as TokenType;
  throw new UsageError(`--type must be one of ${TOKEN_TYPES.join(', ')}`, COMMAND);
}

// Core checks the values themselves (algorithm, 60–3600 s, tag limits, endpoint); its messages become
// usage errors in reportMintError.
function webIdentityRequest(type: TokenType, values: Record<string, unknown>): WebIdentityRequest | undefined {
  if (type === 'presigned') {
    const stray = WEB_IDENTITY_OPTIONS.find((name) => values[name] !== undefined);
    if (stray) throw new UsageError(`--${stray} needs --type web-identity`, COMMAND);
    return undefined;
  }
  const duration = values['duration-seconds'] as string | undefined;
  if (duration !== undefined && !/^\d{1,5}$/.test(duration)) throw new UsageError('--duration-seconds must be a number of seconds', COMMAND);
  const endpoint = nonEmpty('sts-endpoint', values['sts-endpoint'] as string | undefined) ?? (process.env.CALLERID_STS_ENDPOINT || undefined);
  return {
    signingAlgorithm: ((values['signing-algorithm'] as string | undefined) ?? 'RS256') as WebIdentityRequest['signingAlgorithm'],
    ...(duration === undefined ? {} : { durationSeconds: Number(duration) }),
    ...(values.tag === undefined ? {} : { tags: tagsOf(values.tag as string[]) }),
    ...(endpoint === undefined ? {} : { endpoint }),
  };
}

function tagsOf(pairs: string[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new UsageError('--tag must be key=value', COMMAND);
    tags[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return tags;
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
  writeStderr(`callerid token: ${err.message.replace(/\.$/, '')}${reason} (${err.code})\n`);
  return EXIT.failed;
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
