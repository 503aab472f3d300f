/** An example API listening on loopback, as the tests hold it: where it is and how to stop it. */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RunningApi {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string;
  /** Stops listening, drops open connections, then releases what the app holds (callerid's pool and cache). */
  close(): Promise<void>;
}

/**
 * Waits for `server` (already told to listen on port 0 of 127.0.0.1) and wraps it; `release` frees what the
 * app holds once the server is closed. If listening fails, `release` still runs.
 */
export async function listeningApi(server: Server, release: () => Promise<void>): Promise<RunningApi> {
  try {
    await once(server, 'listening');
  } catch (err) {
    await release();
    throw err;
  }
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await release();
    },
  };
}
