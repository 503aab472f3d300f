/**
 * `callerid eks get-token`: the AWS CLI's command line, verbatim. A kubeconfig written by
 * `aws eks update-kubeconfig` switches to callerid by changing `command: aws` to `command: callerid`:
 * the same arguments (`--region R eks get-token --cluster-name C --output json [--role R]`, with any
 * AWS CLI global option where the AWS CLI accepts it) and the same output, byte for byte in shape.
 */
import { UsageError, parseCommandArgs } from '../args.js';
import { EXIT } from '../exit-codes.js';
import { writeStdout } from '../output.js';
import { runMint, type MintRequest } from '../token/mint-command.js';

const COMMAND = 'eks get-token';

/**
 * AWS CLI options that mean nothing for a token signed locally, and why. Refused rather than ignored:
 * a user who typed one expects an effect callerid cannot give.
 */
const REFUSED: Record<string, { value: boolean; why: string }> = {
  query: { value: true, why: 'callerid prints the whole ExecCredential; pipe it through jq, or use `callerid token --format token`' },
  'endpoint-url': { value: true, why: 'get-token calls no EKS endpoint: the token is signed locally (set AWS_ENDPOINT_URL_STS for --role-arn\'s AssumeRole)' },
  'no-sign-request': { value: false, why: 'a token is a signature; there is nothing to mint unsigned' },
  debug: { value: false, why: 'callerid has no debug log; set CALLERID_DEBUG=1 to see the stack of an unexpected error' },
  'no-verify-ssl': { value: false, why: 'callerid never turns off certificate checks' },
  'ca-bundle': { value: true, why: 'set AWS_CA_BUNDLE (or NODE_EXTRA_CA_CERTS) for --role-arn\'s AssumeRole call instead' },
  'cli-read-timeout': { value: true, why: 'get-token makes no request unless --role-arn is given, and then uses the SDK defaults' },
  'cli-connect-timeout': { value: true, why: 'get-token makes no request unless --role-arn is given, and then uses the SDK defaults' },
  'cli-binary-format': { value: true, why: 'get-token has no binary parameters' },
  'cli-auto-prompt': { value: false, why: 'callerid never prompts (kubectl runs it without a terminal)' },
};

/** Runs `callerid eks <subcommand> …`; only `get-token` exists. */
export async function run(args: string[]): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === '-h' || subcommand === '--help' || subcommand === 'help') {
    writeStdout(`${(await import('../help.js')).COMMAND_HELP.eks}\n`);
    return EXIT.ok;
  }
  if (subcommand !== 'get-token') {
    throw new UsageError(subcommand === undefined || subcommand.startsWith('-') ? 'expected a subcommand: get-token' : 'unknown eks subcommand (callerid has only get-token)', 'eks');
  }
  const request = parseGetTokenArgs(rest);
  if (request === undefined) {
    writeStdout(`${(await import('../help.js')).COMMAND_HELP.eks}\n`);
    return EXIT.ok;
  }
  return runMint(request);
}

/**
 * The mint `callerid eks get-token <args>` asks for, or `undefined` for `--help`; a {@link UsageError}
 * for anything it refuses.
 */
export function parseGetTokenArgs(args: string[]): MintRequest | undefined {
  const { values } = parseCommandArgs(COMMAND, {
    args,
    options: {
      'cluster-name': { type: 'string' },
      'cluster-id': { type: 'string' },
      'role-arn': { type: 'string' },
      // `aws eks update-kubeconfig --role-arn` writes `--role`, which the AWS CLI takes as an abbreviation.
      role: { type: 'string' },
      region: { type: 'string' },
      profile: { type: 'string' },
      output: { type: 'string' },
      // Harmless for a command that prints one JSON document: accepted and ignored, as the AWS CLI does.
      'no-cli-pager': { type: 'boolean' },
      'no-paginate': { type: 'boolean' },
      'no-cli-auto-prompt': { type: 'boolean' },
      color: { type: 'string' },
      // callerid's own additions.
      cache: { type: 'boolean' },
      'imds-region': { type: 'boolean' },
      ...Object.fromEntries(Object.entries(REFUSED).map(([name, { value }]) => [name, { type: value ? 'string' : 'boolean' } as const])),
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return undefined;
  const refused = Object.keys(REFUSED).find((name) => (values as Record<string, unknown>)[name] !== undefined);
  if (refused) throw new UsageError(`--${refused} is not supported: ${REFUSED[refused]!.why}`, COMMAND);
  if (values.output !== undefined && values.output !== 'json') {
    throw new UsageError('--output must be json: get-token prints the ExecCredential kubectl reads (for the bare token: callerid token --format token)', COMMAND);
  }
  if (values['cluster-name'] !== undefined && values['cluster-id'] !== undefined) throw new UsageError('--cluster-name and --cluster-id exclude each other', COMMAND);
  const audience = values['cluster-name'] ?? values['cluster-id'];
  if (!audience) throw new UsageError('either --cluster-name or --cluster-id is required', COMMAND);
  if (values['role-arn'] !== undefined && values.role !== undefined && values['role-arn'] !== values.role) {
    throw new UsageError('--role-arn and --role disagree (--role is its abbreviation)', COMMAND);
  }
  const roleArn = values['role-arn'] ?? values.role;
  for (const [name, value] of [['region', values.region], ['profile', values.profile], ['role-arn', roleArn]] as const) {
    if (value === '') throw new UsageError(`--${name} must not be empty`, COMMAND);
  }
  return {
    command: COMMAND,
    audience,
    region: values.region,
    imdsRegion: values['imds-region'] === true,
    endpoint: 'regional',
    profile: values.profile,
    roleArn,
    sessionName: undefined,
    externalId: undefined,
    forwardSessionName: false,
    format: 'aws-cli',
    cache: values.cache === true,
    webIdentity: undefined,
  };
}
