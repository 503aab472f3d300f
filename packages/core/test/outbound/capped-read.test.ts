import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Agent } from 'undici';
import { describe, expect, it, onTestFinished } from 'vitest';
import { readCapped } from '../../src/outbound/capped-read.js';

class TooLarge extends Error {}
const tooLarge = () => new TooLarge('too large');

/** A real loopback server answering with `handler`; it records whether each connection ended. */
async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const sockets: Socket[] = [];
  const server = createServer(handler);
  server.on('connection', (socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // An agent without undici's own size cap: the reader alone must enforce it.
  const agent = new Agent();
  onTestFinished(async () => {
    await agent.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as AddressInfo;
  const get = () => agent.request({ origin: `http://127.0.0.1:${port}`, path: '/', method: 'GET' });
  const closed = () => new Promise<void>((resolve) => {
    const check = () => (sockets.length > 0 && sockets.every((s) => s.destroyed) ? resolve() : setTimeout(check, 5));
    check();
  });
  return { get, closed };
}

describe('readCapped', () => {
  it('returns a body up to the cap as UTF-8, split multi-byte characters included', async () => {
    const text = `${'é'.repeat(100)}€`;
    const bytes = Buffer.from(text);
    const { get } = await serve((_req, res) => {
      res.writeHead(200);
      res.write(bytes.subarray(0, 51)); // cuts an "é" in two
      res.end(bytes.subarray(51));
    });
    expect(await readCapped(await get(), bytes.length, tooLarge)).toBe(text);
  });

  it('reads an empty body', async () => {
    const { get } = await serve((_req, res) => res.end());
    expect(await readCapped(await get(), 10, tooLarge)).toBe('');
  });

  it('refuses a body whose content-length is over the cap without reading it, and drops the connection', async () => {
    const { get, closed } = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': 1_000 });
      res.flushHeaders(); // and the body never comes: only a reader that trusts the announcement finishes
    });
    const response = await get();
    await expect(readCapped(response, 999, tooLarge)).rejects.toBeInstanceOf(TooLarge);
    expect(response.body.destroyed).toBe(true);
    // A keep-alive connection whose body was read stays open; this one is dropped.
    await closed();
  });

  it('accepts a body exactly at the cap', async () => {
    const { get } = await serve((_req, res) => res.end('x'.repeat(1_000)));
    expect(await readCapped(await get(), 1_000, tooLarge)).toHaveLength(1_000);
  });

  it('stops a streamed body (no content-length) at the cap and drops the connection', async () => {
    let ended = false;
    const { get, closed } = await serve((_req, res) => {
      res.writeHead(200); // chunked
      const timer = setInterval(() => res.write('x'.repeat(1_024)), 5);
      res.on('close', () => {
        clearInterval(timer);
        ended = true;
      });
    });
    const response = await get();
    expect(response.headers['content-length']).toBeUndefined();
    await expect(readCapped(response, 8 * 1_024, tooLarge)).rejects.toBeInstanceOf(TooLarge);
    expect(response.body.destroyed).toBe(true);
    await closed();
    await expect.poll(() => ended).toBe(true);
  });
});
