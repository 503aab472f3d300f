/**
 * Argument parsing for every command, on `node:util` `parseArgs` in strict mode. Parser errors become a
 * {@link UsageError} with a one-line message that never repeats an argument's value (an argument may be a
 * token).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A command-line mistake: exit code 2 and a one-line hint, never a stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  /** The command whose `--help` the hint points to (undefined for the top level). */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.command = command;
  }
}

/**
 * Whether `err` is a {@link UsageError}, by name: each lazily loaded command file is its own bundle
 * with its own copy of the class, so `instanceof` does not hold across them.
 */
export function isUsageError(err: unknown): err is UsageError {
  return err instanceof Error && err.name === 'UsageError';
}

/** Parse `config.args` strictly for `command`, turning parser errors into {@link UsageError}s. */
export function parseCommandArgs<T extends ParseArgsConfig>(command: string, config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs<T>({ ...config, strict: true });
  } catch (err) {
    throw new UsageError(describeParseError(err), command);
  }
}

// An option name is shown only when it looks like one; anything else could be a pasted token.
const OPTION_NAME = /^--?[A-Za-z][A-Za-z0-9-]{0,40}$/;

function describeParseError(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : '';
  const quoted = /'([^']*)'/.exec(message)?.[1] ?? '';
  // parseArgs quotes options as '--name <value>' or '-n, --name'; keep the long name.
  const name = quoted.split(/[ ,]+/).find((part) => part.startsWith('--')) ?? quoted.split(/[ ,]+/)[0] ?? '';
  const shown = OPTION_NAME.test(name) ? ` ${name}` : '';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option${shown}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return message.includes('does not take') ? `option${shown} does not take a value` : `option${shown} needs a value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return 'unexpected argument';
    default:
      return 'invalid arguments';
  }
}

/** The value of a required string option, or a usage error naming it. */
export function required(command: string, name: string, value: string | undefined): string {
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`, command);
  return value;
}

/** At most `max` positional arguments. */
export function atMostPositionals(command: string, positionals: string[], max: number): void {
  if (positionals.length > max) throw new UsageError('too many arguments', command);
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/**
 * `--now`: an ISO 8601 instant with a zone (`2026-11-22T09:38:44Z`), or the compact `X-Amz-Date` form
 * (`20261122T093844Z`) that `callerid decode` shows as the signing time.
 */
export function parseInstant(command: string, name: string, value: string): number {
  const amz = AMZ_DATE.exec(value);
  const text = amz ? `${amz[1]}-${amz[2]}-${amz[3]}T${amz[4]}:${amz[5]}:${amz[6]}Z` : value;
  const ms = ISO_INSTANT.test(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isFinite(ms)) throw new UsageError(`--${name} must be an ISO 8601 time such as 2026-01-01T00:00:00Z`, command);
  return ms;
}

/** A non-negative integer option no greater than `max`. */
export function parseInteger(command: string, name: string, value: string, max: number): number {
  const n = /^\d{1,10}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n > max) throw new UsageError(`--${name} must be an integer from 0 to ${max}`, command);
  return n;
}
