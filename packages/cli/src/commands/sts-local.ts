/**
 * `callerid sts-local`: the local STS in the foreground, for tests, demos and trying kubectl setups
 * without AWS. First stdout line: its URL. Stops on SIGINT/SIGTERM.
 */
import { loadPrincipals, startStsLocal, type Principal } from '@callerid/sts-local';
import { UsageError, parseInstant, parseInteger } from '../args.js';
import { commandArgs, errorCode, stopSignal } from '../command-args.js';
import { EXIT } from '../exit-codes.js';
import { writeStderr, writeStdout } from '../output.js';

const COMMAND = 'sts-local';

/** Runs `callerid sts-local` with the arguments after the command name; resolves once stopped. */
export async function run(args: string[]): Promise<number> {
  const parsed = commandArgs(COMMAND, args, {
    port: { type: 'string' },
    host: { type: 'string' },
    principals: { type: 'string' },
    now: { type: 'string' },
    latency: { type: 'string' },
  }, 0);
  if (!parsed) return EXIT.ok;
  const { values } = parsed;
  const port = values.port === undefined ? 0 : parseInteger(COMMAND, 'port', values.port, 65_535);
  const latencyMs = values.latency === undefined ? undefined : parseInteger(COMMAND, 'latency', values.latency, 600_000);
  const clock = values.now === undefined ? undefined : clockFrom(parseInstant(COMMAND, 'now', values.now));
  if (values.host === '') throw new UsageError('--host must not be empty', COMMAND);
  const principals = values.principals === undefined ? [] : readPrincipals(values.principals);

  let sts;
  try {
    sts = await startStsLocal({ port, host: values.host ?? '127.0.0.1', principals, clock, faults: latencyMs ? { latencyMs } : undefined });
  } catch (err) {
    writeStderr(`callerid sts-local: cannot listen (${errorCode(err)})\n`);
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
