/**
 * The start the on-demand commands share (`verify`, `decode`, `doctor`, `kubeconfig`, `serve`,
 * `sts-local`): strict parsing with `--help`/`-h` added, the help text printed for `--help`, and at
 * most `maxPositionals` positionals. `token` and `eks get-token` keep their own, so that the help texts
 * stay off the start-up path.
 */
import type { parseArgs, ParseArgsConfig } from 'node:util';
import { atMostPositionals, parseCommandArgs } from './args.js';
import { COMMAND_HELP } from './help.js';
import { writeStdout } from './output.js';

/** The `options` of a `parseArgs` configuration. */
export type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

const HELP = { help: { type: 'boolean', short: 'h' } } as const;

/**
 * Parses `args` for `command`; `undefined` once `--help` printed the help of `helpTopic` (default: the
 * command), for the caller to exit 0. Throws a `UsageError` for anything the command does not take.
 */
export function commandArgs<const O extends ParseArgsOptionsConfig>(
  command: string,
  args: string[],
  options: O,
  maxPositionals: number,
  helpTopic = command,
): ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: O & typeof HELP }>> | undefined {
  const parsed = parseCommandArgs(command, { args, allowPositionals: true as const, options: { ...options, ...HELP } });
  if ((parsed.values as { help?: boolean }).help) {
    writeStdout(`${COMMAND_HELP[helpTopic]}\n`);
    return undefined;
  }
  atMostPositionals(command, parsed.positionals, maxPositionals);
  return parsed;
}

/** Resolves on the first SIGINT or SIGTERM: how a foreground command (`serve`, `sts-local`) is stopped. */
export function stopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** The `code` of a system error (`EADDRINUSE`, `ENOENT`), or `'error'`: what a message may say about it. */
export function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : 'error';
}
