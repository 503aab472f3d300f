/**
 * AWS CLI global options written before the service name, as `aws eks update-kubeconfig` does
 * (`args: [--region, R, eks, get-token, …]`). `callerid --region R eks get-token …` moves them after
 * the subcommand, where `callerid eks get-token` reads them; anything else before a command stays an
 * unknown option.
 */

/** Global options that take a value (the AWS CLI's), by name. */
const WITH_VALUE = new Set(['--region', '--profile', '--output', '--query', '--endpoint-url', '--color', '--ca-bundle', '--cli-read-timeout', '--cli-connect-timeout', '--cli-binary-format']);
/** Global flags. */
const FLAGS = new Set(['--debug', '--no-verify-ssl', '--no-paginate', '--no-sign-request', '--no-cli-pager', '--cli-auto-prompt', '--no-cli-auto-prompt']);

/**
 * `argv` with leading AWS CLI global options moved after `eks <subcommand>`, or `undefined` when
 * `argv` does not start with global options followed by `eks`.
 */
export function hoistAwsGlobals(argv: string[]): string[] | undefined {
  const globals: string[] = [];
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i]!;
    const name = arg.includes('=') ? arg.slice(0, arg.indexOf('=')) : arg;
    if (FLAGS.has(name)) {
      globals.push(arg);
      i += 1;
    } else if (WITH_VALUE.has(name)) {
      if (arg.includes('=')) globals.push(arg);
      else if (i + 1 < argv.length) globals.push(arg, argv[i + 1]!);
      else return undefined;
      i += arg.includes('=') ? 1 : 2;
    } else break;
  }
  if (globals.length === 0 || argv[i] !== 'eks') return undefined;
  const [, subcommand, ...rest] = argv.slice(i);
  return subcommand === undefined ? ['eks'] : ['eks', subcommand, ...rest, ...globals];
}
