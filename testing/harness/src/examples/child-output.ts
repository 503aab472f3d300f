/** What a child process printed, collected whole. */
import { once } from 'node:events';
import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';

export interface ChildOutput {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Collects `child`'s stdout and stderr (both piped) until it closes. */
export async function childOutput(child: ChildProcessByStdio<null, Readable, Readable>): Promise<ChildOutput> {
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}
