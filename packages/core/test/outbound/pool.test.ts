import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { describe, expect, it, onTestFinished } from 'vitest';
import { OutboundClosedError, OutboundPool } from '../../src/outbound/pool.js';

async function serve(handler: Parameters<typeof createServer>[1]) {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const limits = { timeoutMs: 2_000, maxResponseBytes: 1_024 };

describe('OutboundPool', () => {
  it('makes its agent on the first request and reuses it', async () => {
    const origin = await serve((_req, res) => res.end('ok'));
    const pool = new OutboundPool(limits);
    onTestFinished(() => pool.close());
    const first = await pool.dispatcher();
    expect(first).toBeInstanceOf(Agent);
    expect(await pool.dispatcher()).toBe(first);
    const response = await first.request({ origin, path: '/', method: 'GET', ...pool.timeouts() });
    expect(await response.body.text()).toBe('ok');
  });

  it('sets undici’s body cap on its own agent', async () => {
    const origin = await serve((_req, res) => res.end('x'.repeat(4_096)));
    const pool = new OutboundPool(limits);
    onTestFinished(() => pool.close());
    const response = (await pool.dispatcher()).request({ origin, path: '/', method: 'GET', ...pool.timeouts() });
    await expect(response.then((r) => r.body.text())).rejects.toMatchObject({ code: 'UND_ERR_RES_EXCEEDED_MAX_SIZE' });
  });

  it('bounds the wait for an answer by timeoutMs', async () => {
    const origin = await serve(() => {
      /* never answers */
    });
    const pool = new OutboundPool({ ...limits, timeoutMs: 200 });
    onTestFinished(() => pool.close());
    const started = performance.now();
    const failure = await (await pool.dispatcher()).request({ origin, path: '/', method: 'GET', ...pool.timeouts() }).catch((err: unknown) => err);
    expect((failure as Error).name).toMatch(/TimeoutError|HeadersTimeoutError/);
    expect(performance.now() - started).toBeLessThan(1_900);
  });

  it('uses the caller’s deadline when given one', () => {
    const pool = new OutboundPool(limits);
    const signal = new AbortController().signal;
    expect(pool.timeouts(signal)).toEqual({ signal, headersTimeout: 2_000, bodyTimeout: 2_000 });
    const own = pool.timeouts(null);
    expect(own.signal).toBeInstanceOf(AbortSignal);
    expect(own.signal).not.toBe(signal);
  });

  it('uses a given dispatcher as it is and leaves it open on close()', async () => {
    const given = new Agent();
    onTestFinished(() => given.close());
    const pool = new OutboundPool(limits, given);
    expect(await pool.dispatcher()).toBe(given);
    await pool.close();
    expect(given.closed).toBe(false);
    expect(await pool.dispatcher()).toBe(given);
  });

  it('closes its own agent, and refuses requests after close()', async () => {
    const pool = new OutboundPool(limits);
    const agent = (await pool.dispatcher()) as Agent;
    await pool.close();
    expect(agent.closed).toBe(true);
    await expect(pool.dispatcher()).rejects.toBeInstanceOf(OutboundClosedError);
  });

  it('makes no agent when closed before the first request, or while the first one was loading undici', async () => {
    const unused = new OutboundPool(limits);
    await unused.close();
    await expect(unused.dispatcher()).rejects.toMatchObject({ name: 'OutboundClosedError', code: 'ERR_CALLERID_CLOSED' });

    const racing = new OutboundPool(limits);
    const pending = racing.dispatcher();
    await racing.close();
    await expect(pending).rejects.toBeInstanceOf(OutboundClosedError);
  });
});
