/**
 * The `callerid` command. kubectl starts `callerid token` for every command it runs, so this entry point
 * does as little as possible: it picks the command and loads only that command's module.
 */
import { UsageError, isUsageError } from './args.js';
import { hoistAwsGlobals } from './aws-globals.js';
import { enableCompileCache } from './compile-cache.js';
import { EXIT } from './exit-codes.js';
import { writeStderr, writeStdout } from './output.js';

declare const __CALLERID_VERSION__: string;

interface CommandModule {
  run(args: string[]): Promise<number>;
}

const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  token: () => import('./commands/token.js'),
  // On the fast path like `token`: kubeconfigs written by `aws eks update-kubeconfig` run it.
  eks: () => import('./commands/eks.js'),
  verify: () => lazy(() => import('./commands/verify.js')),
  decode: () => lazy(() => import('./commands/decode.js')),
  'sts-local': () => lazy(() => import('./commands/sts-local.js')),
  kubeconfig: () => lazy(() => import('./commands/kubeconfig.js')),
  doctor: () => lazy(() => import('./commands/doctor.js')),
  serve: () => lazy(() => import('./commands/serve.js')),
};

function lazy(load: () => Promise<CommandModule>): Promise<CommandModule> {
  enableCompileCache();
  return load();
}

async function main(args: string[]): Promise<number> {
  const argv = hoistAwsGlobals(args) ?? args;
  const [first, ...rest] = argv;
  if (first === undefined) {
    writeStderr(`${(await import('./help.js')).TOP_HELP}\n`);
    return EXIT.usage;
  }
  if (first === '-h' || first === '--help' || first === 'help') return printHelp(rest[0]);
  if (first === '--version' || first === '-v') {
    writeStdout(`${__CALLERID_VERSION__}\n`);
    return EXIT.ok;
  }
  const load = Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined;
  if (!load) throw new UsageError(first.startsWith('-') ? 'unknown option' : 'unknown command');
  return (await load()).run(rest);
}

// Help texts are their own file (dist/help.cjs): the token path should not parse them.
async function printHelp(command: string | undefined): Promise<number> {
  const { COMMAND_HELP, TOP_HELP } = await import('./help.js');
  if (command === undefined) {
    writeStdout(`${TOP_HELP}\n`);
    return EXIT.ok;
  }
  const text = Object.hasOwn(COMMAND_HELP, command) ? COMMAND_HELP[command] : undefined;
  if (text === undefined) throw new UsageError('unknown command');
  writeStdout(`${text}\n`);
  return EXIT.ok;
}

/** Last-resort reporting: one line, no stack (unless CALLERID_DEBUG=1), never an error's raw input. */
function reportUnexpected(err: unknown): number {
  if (isUsageError(err)) {
    const where = err.command ? `callerid ${err.command}` : 'callerid';
    writeStderr(`${where}: ${err.message} (see '${where} --help')\n`);
    return EXIT.usage;
  }
  // Messages of foreign errors can quote their input (JSON.parse does), and input may be a token.
  const name = err instanceof Error ? err.name : typeof err;
  writeStderr(`callerid: unexpected ${name}; set CALLERID_DEBUG=1 for details\n`);
  if (process.env.CALLERID_DEBUG === '1') console.error(err);
  return EXIT.failed;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.exitCode = reportUnexpected(err);
  },
);
