/**
 * Reading the token a command works on: the positional argument, or stdin when it is absent or `-`.
 * Whatever `callerid token` or `aws eks get-token` prints is accepted: a bare token, an ExecCredential
 * (`client.authentication.k8s.io/v1` or `v1beta1`, compact or indented), or `{"token","expiresAt"}`
 * (`callerid token --format json`). So `callerid token … | callerid verify …` works as it stands.
 */
import { UsageError } from './args.js';

// Far above any token (core caps presigned tokens at 4 KiB and JWTs at 16 KiB); stops a runaway pipe.
const MAX_STDIN_BYTES = 1 << 20;
const EXEC_CREDENTIAL_VERSIONS = new Set(['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1']);

/**
 * The token given as `<token>` or `-` (stdin). Surrounding whitespace (the newline of `echo`) is
 * dropped and a JSON wrapper is unwrapped; everything else is left for core to judge.
 */
export async function readTokenArgument(command: string, positional: string | undefined): Promise<string> {
  if (positional !== undefined && positional !== '-') return unwrapToken(command, positional);
  if (positional === undefined && process.stdin.isTTY) {
    throw new UsageError('no token: pass it as an argument or pipe it on stdin', command);
  }
  const text = (await readStdin(command)).trim();
  if (text === '') throw new UsageError('no token on stdin', command);
  return unwrapToken(command, text);
}

/**
 * The token inside `text`: `text` itself unless it is a JSON object, which must then be an
 * ExecCredential (v1, v1beta1) with `status.token`, or `{"token": …}`. Errors never quote the input.
 */
export function unwrapToken(command: string, text: string): string {
  if (!text.trimStart().startsWith('{')) return text;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError('the input starts with "{" but is not valid JSON', command);
  }
  const object = value as { kind?: unknown; apiVersion?: unknown; status?: { token?: unknown } | null; token?: unknown };
  if (object.kind === 'ExecCredential') {
    if (typeof object.apiVersion !== 'string' || !EXEC_CREDENTIAL_VERSIONS.has(object.apiVersion)) {
      throw new UsageError('the ExecCredential is not client.authentication.k8s.io/v1 or v1beta1', command);
    }
    const token = object.status?.token;
    if (typeof token !== 'string' || token === '') throw new UsageError('the ExecCredential has no status.token', command);
    return token;
  }
  if (object.kind === undefined && typeof object.token === 'string' && object.token !== '') return object.token;
  throw new UsageError('JSON input must be an ExecCredential (callerid token, aws eks get-token) or {"token": …}', command);
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
