/**
 * A small loopback HTTP server playing STS for fault cases sts-local does not produce (malformed
 * JSON, two results, redirects, oversized bodies, stalls). It does not check signatures: tests that
 * need real verification use @callerid/sts-local.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
}

export interface FakeSts {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** Every request that arrived, in order. */
  readonly requests: SeenRequest[];
  /** Replaces the answer for the next requests. */
  handle(handler: Handler): void;
  close(): Promise<void>;
}

export async function startFakeSts(initial: Handler = answerJson(200, {})): Promise<FakeSts> {
  let handler = initial;
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    handler(req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    handle: (next) => {
      handler = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export function answer(status: number, body: string, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(body);
  };
}

export function answerJson(status: number, body: unknown): Handler {
  return answer(status, JSON.stringify(body));
}

/** STS's JSON success shape. */
export function callerIdentityBody(result: { Account: string; Arn: string; UserId: string }): string {
  return JSON.stringify({ GetCallerIdentityResponse: { GetCallerIdentityResult: result, ResponseMetadata: { RequestId: 'c0ffee00-0000-4000-8000-000000000000' } } });
}

/** STS's JSON error shape. */
export function stsErrorBody(code: string, message: string): string {
  return JSON.stringify({ Error: { Code: code, Message: message, Type: 'Sender' }, RequestId: 'c0ffee00-0000-4000-8000-000000000001' });
}
