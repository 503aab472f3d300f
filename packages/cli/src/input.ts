/** Reading the token a command works on: the positional argument, or stdin when it is absent or `-`. */
import { UsageError } from './args.js';

// Far above any token (core caps presigned tokens at 4 KiB and JWTs at 16 KiB); stops a runaway pipe.
const MAX_STDIN_BYTES = 1 << 20;

/**
 * The token given as `<token>` or `-` (stdin). Surrounding whitespace (the newline of `echo`) is
 * dropped; everything else is left for core to judge.
 */
export async function readTokenArgument(command: string, positional: string | undefined): Promise<string> {
  if (positional !== undefined && positional !== '-') return positional;
  if (positional === undefined && process.stdin.isTTY) {
    throw new UsageError('no token: pass it as an argument or pipe it on stdin', command);
  }
  const text = (await readStdin(command)).trim();
  if (text === '') throw new UsageError('no token on stdin', command);
  return text;
}

async function readStdin(command: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > MAX_STDIN_BYTES) throw new UsageError('stdin holds more than 1 MiB; that is not a token', command);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
