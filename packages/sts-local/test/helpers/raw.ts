import { connect } from 'node:net';

export interface RawResult {
  /** Everything the server wrote before closing (or before `waitMs` passed). */
  text: string;
  /** Whether the server closed the connection. */
  closed: boolean;
}

/**
 * Writes raw bytes to sts-local and collects what comes back until the server closes the connection
 * or `waitMs` passes. `endAfterWrite` half-closes our side (a client that gives up mid-request).
 */
export function raw(baseUrl: string, chunks: (string | Buffer)[], opts: { waitMs?: number; endAfterWrite?: boolean } = {}): Promise<RawResult> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    const received: Buffer[] = [];
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ text: Buffer.concat(received).toString('latin1'), closed });
    };
    const timer = setTimeout(() => finish(false), opts.waitMs ?? 2000);
    socket.on('data', (d) => received.push(d));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.on('connect', () => {
      for (const c of chunks) socket.write(c);
      if (opts.endAfterWrite) socket.end();
    });
  });
}
