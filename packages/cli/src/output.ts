/**
 * Writing to stdout and stderr with `fs.writeSync`. The first touch of `process.stdout` builds a
 * stream (for a pipe, as under kubectl, a `net.Socket` and all it loads), a noticeable part of
 * `callerid token`'s start-up; a synchronous write to the descriptor avoids it (figures: the README's
 * "Start-up time").
 */
import { writeSync } from 'node:fs';

/** Writes all of `text` to stdout. */
export function writeStdout(text: string): void {
  writeAll(1, text, () => process.stdout);
}

/** Writes all of `text` to stderr. */
export function writeStderr(text: string): void {
  writeAll(2, text, () => process.stderr);
}

function writeAll(fd: number, text: string, stream: () => NodeJS.WriteStream): void {
  const buffer = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < buffer.length) {
    try {
      offset += writeSync(fd, buffer, offset);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // The reader went away: nothing left to tell it.
      if (code === 'EPIPE') return;
      // A non-blocking pipe that is full: let Node's stream queue the rest.
      if (code === 'EAGAIN') {
        stream().write(buffer.subarray(offset));
        return;
      }
      throw err;
    }
  }
}
