/**
 * `callerid sts-local`: the local STS in the foreground, for tests, demos and trying kubectl setups
 * without AWS. First stdout line: its URL. Stops on SIGINT/SIGTERM.
 */
import { loadPrincipals, startStsLocal, type Principal } from '@callerid/sts-local';
import { UsageError, atMostPositionals, parseCommandArgs, parseInstant, parseInteger } from '../args.js';
import { EXIT } from '../exit-codes.js';
import { COMMAND_HELP } from '../help.js';
import { writeStderr, writeStdout } from '../output.js';

const COMMAND = 'sts-local';

/** Runs `callerid sts-local` with the arguments after the command name; resolves once stopped. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(COMMAND, {
    args,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      principals: { type: 'string' },
      now: { type: 'string' },
      latency: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    writeStdout(`${COMMAND_HELP[COMMAND]}\n`);
    return EXIT.ok;
  }
  atMostPositionals(COMMAND, positionals, 0);
  const port = values.port === undefined ? 0 : parseInteger(COMMAND, 'port', values.port, 65_535);
  const latencyMs = values.latency === undefined ? undefined : parseInteger(COMMAND, 'latency', values.latency, 600_000);
  const clock = values.now === undefined ? undefined : clockFrom(parseInstant(COMMAND, 'now', values.now));
  if (values.host === '') throw new UsageError('--host must not be empty', COMMAND);
  const principals = values.principals === undefined ? [] : readPrincipals(values.principals);

  let sts;
  try {
    sts = await startStsLocal({ port, host: values.host ?? '127.0.0.1', principals, clock, faults: latencyMs ? { latencyMs } : undefined });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException | null)?.code;
    writeStderr(`callerid sts-local: cannot listen (${typeof code === 'string' ? code : 'error'})\n`);
    return EXIT.failed;
  }
  writeStdout(`${sts.url}\n`);
  writeStderr(`callerid sts-local: ${principals.length} principal(s); stop with Ctrl-C\n`);
  await stopSignal();
  await sts.close();
  return EXIT.ok;
}

/** A clock that starts at `start` and runs at real speed, so a long-lived STS can serve old fixtures. */
function clockFrom(start: number): () => number {
  const offset = start - Date.now();
  return () => Date.now() + offset;
}

function readPrincipals(file: string): Principal[] {
  try {
    return loadPrincipals(file);
  } catch (err) {
    // loadPrincipals names the bad field, never its value; file errors carry only their code here.
    const reason = err instanceof TypeError ? err.message : `cannot read the file (${String((err as NodeJS.ErrnoException).code ?? 'error')})`;
    throw new UsageError(`--principals: ${reason}`, COMMAND);
  }
}

function stopSignal(): Promise<void> {
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
