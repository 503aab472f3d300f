/**
 * `callerid token`: mint a token for kubectl (ExecCredential), scripts (bare token) or tools (JSON).
 * A drop-in for `aws eks get-token` (`--cluster-name`) and for `aws-iam-authenticator token` (`-i`,
 * `-r`, `-e`, `-s`, `--token-only`, `--forward-session-name`): each is an alias of callerid's own
 * option. With `--type web-identity` it asks STS for an AWS web identity JWT (GetWebIdentityToken).
 */
import { UsageError, atMostPositionals, parseCommandArgs } from '../args.js';
import { EXIT } from '../exit-codes.js';
import { writeStdout } from '../output.js';
import { TOKEN_FORMATS, type TokenFormat } from '../token/exec-credential.js';
import { runMint, type MintRequest, type WebIdentityRequest } from '../token/mint-command.js';

const COMMAND = 'token';
const TOKEN_TYPES = ['presigned', 'web-identity'] as const;
type TokenType = (typeof TOKEN_TYPES)[number];
/** Options that only make sense for web identity tokens. */
const WEB_IDENTITY_OPTIONS = ['signing-algorithm', 'duration-seconds', 'tag', 'sts-endpoint'] as const;

/** Runs `callerid token` with the arguments after the command name. */
export async function run(args: string[]): Promise<number> {
  const request = parseTokenArgs(args);
  if (request === undefined) {
    writeStdout(`${(await import('../help.js')).COMMAND_HELP[COMMAND]}\n`);
    return EXIT.ok;
  }
  return runMint(request);
}

/**
 * The mint `callerid token <args>` asks for, or `undefined` for `--help`; a {@link UsageError} for
 * anything it refuses (so `callerid kubeconfig migrate` can check a command line before writing it).
 */
export function parseTokenArgs(args: string[]): MintRequest | undefined {
  const { values, positionals } = parseCommandArgs(COMMAND, {
    args,
    allowPositionals: true,
    options: {
      audience: { type: 'string' },
      'cluster-name': { type: 'string' },
      'cluster-id': { type: 'string', short: 'i' },
      region: { type: 'string' },
      'imds-region': { type: 'boolean' },
      'global-endpoint': { type: 'boolean' },
      'role-arn': { type: 'string' },
      role: { type: 'string', short: 'r' },
      'session-name': { type: 'string', short: 's' },
      'forward-session-name': { type: 'boolean' },
      'external-id': { type: 'string', short: 'e' },
      profile: { type: 'string' },
      format: { type: 'string' },
      'token-only': { type: 'boolean' },
      cache: { type: 'boolean' },
      type: { type: 'string' },
      'signing-algorithm': { type: 'string' },
      'duration-seconds': { type: 'string' },
      tag: { type: 'string', multiple: true },
      'sts-endpoint': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return undefined;
  atMostPositionals(COMMAND, positionals, 0);
  const audience = oneOf('--audience, --cluster-name and --cluster-id (-i)', [values.audience, values['cluster-name'], values['cluster-id']]);
  if (!audience) throw new UsageError('--audience (or --cluster-name, --cluster-id, -i) is required', COMMAND);
  const roleArn = oneOf('--role-arn and --role (-r)', [values['role-arn'], values.role]);
  const forwardSessionName = values['forward-session-name'] === true;
  if (roleArn === undefined && (values['session-name'] !== undefined || values['external-id'] !== undefined || forwardSessionName)) {
    throw new UsageError('--session-name, --forward-session-name and --external-id need --role-arn (-r)', COMMAND);
  }
  if (forwardSessionName && values['session-name'] !== undefined) throw new UsageError('--forward-session-name and --session-name exclude each other', COMMAND);
  const endpoint = values['global-endpoint'] ? 'global' : 'regional';
  const webIdentity = webIdentityRequest(typeOf(values.type), values);
  if (webIdentity && endpoint === 'global') throw new UsageError('--global-endpoint does not apply to web identity tokens (GetWebIdentityToken is regional only)', COMMAND);
  if (webIdentity && forwardSessionName) throw new UsageError('--forward-session-name does not apply to web identity tokens', COMMAND);

  return {
    command: COMMAND,
    audience,
    region: nonEmpty('region', values.region),
    imdsRegion: values['imds-region'] === true,
    endpoint,
    profile: nonEmpty('profile', values.profile),
    roleArn: nonEmpty('role-arn', roleArn),
    sessionName: values['session-name'],
    externalId: values['external-id'],
    forwardSessionName,
    format: formatOf(values.format, values['token-only'] === true),
    cache: values.cache === true,
    webIdentity,
  };
}

/** The one value given for options that are aliases of each other; a usage error when two disagree. */
function oneOf(names: string, values: Array<string | undefined>): string | undefined {
  const given = values.filter((value): value is string => value !== undefined);
  if (new Set(given).size > 1) throw new UsageError(`${names} disagree (they are the same option)`, COMMAND);
  return given[0];
}

function typeOf(type: string | undefined): TokenType {
  if (type === undefined) return 'presigned';
  if ((TOKEN_TYPES as readonly string[]).includes(type)) return type as TokenType;
  throw new UsageError(`--type must be one of ${TOKEN_TYPES.join(', ')}`, COMMAND);
}

// Core checks the values themselves (algorithm, 60–3600 s, tag limits, endpoint); its messages become
// usage errors in runMint.
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

function formatOf(format: string | undefined, tokenOnly: boolean): TokenFormat {
  if (tokenOnly && format !== undefined && format !== 'token') throw new UsageError('--token-only and --format disagree (--token-only is --format token)', COMMAND);
  if (tokenOnly) return 'token';
  if (format === undefined) return 'exec-credential';
  if ((TOKEN_FORMATS as readonly string[]).includes(format)) return format as TokenFormat;
  throw new UsageError(`--format must be one of ${TOKEN_FORMATS.join(', ')}`, COMMAND);
}

function nonEmpty(name: string, value: string | undefined): string | undefined {
  if (value === '') throw new UsageError(`--${name} must not be empty`, COMMAND);
  return value;
}
