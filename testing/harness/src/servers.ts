/** A server a test started on loopback: where it is, and how to stop it (once, whatever happens). */
import { once as onceEvent } from 'node:events';
import type { Server } from 'node:http';
import { onTestFinished } from 'vitest';
import { once } from './cleanup.js';
import { urlOf } from './ports.js';

/** A server listening on loopback, as the tests hold it. */
export interface Listening {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string;
  readonly server: Server;
  /** Drops open connections, stops listening, then runs the `release` it was given. Idempotent. */
  close(): Promise<void>;
}

/**
 * Waits for `server` (already told to listen on port 0 of 127.0.0.1) and wraps it; `release` frees what
 * the app holds (callerid's pool and cache) once the server is closed. If listening fails, `release`
 * still runs.
 */
export async function listening(server: Server, release: () => Promise<void> = () => Promise.resolve()): Promise<Listening> {
  try {
    if (!server.listening) await onceEvent(server, 'listening');
  } catch (err) {
    await release();
    throw err;
  }
  return {
    url: urlOf(server),
    server,
    close: once(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
      await release();
    }),
  };
}

/** {@link listening}, closed when the current test ends, whether its assertions passed or not; resolves the URL. */
export async function listeningForTest(server: Server, release?: () => Promise<void>): Promise<string> {
  const running = await listening(server, release);
  onTestFinished(running.close);
  return running.url;
}
