/**
 * Real parts on loopback for the client tests: sts-local with a few principals, an Express service
 * protected by `@callerid/express` that verifies tokens against it, and small programmable servers.
 * Everything listens on port 0.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import express from 'express';
import { mintToken, type MintedToken, type MintTokenOptions } from '@callerid/mint';
import { callerid, callerIdErrorHandler } from '@callerid/express';
import { startStsLocal, type StsLocal } from '@callerid/sts-local';
import { listening, type Listening } from '@callerid/test-harness';
import { afterAll, beforeAll } from 'vitest';

export type { Listening };

export const ACCOUNT = '111122223333';

/** A long-term IAM user. */
export const ALICE = {
  accessKeyId: 'AKIACALLERIDALICE001',
  secretAccessKey: 'alice-secret-access-key-do-not-log-0001',
  arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
  userId: 'AIDACALLERIDALICE0001',
  account: ACCOUNT,
};

/** A role session with temporary credentials. */
export const SESSION = {
  accessKeyId: 'ASIACALLERIDSESSION1',
  secretAccessKey: 'session-secret-access-key-do-not-log-01',
  sessionToken: 'FwoGZXIvYXdzEDoaDNoLogSessionToken0123456789abcdef+/AA==',
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/worker/job-1`,
  userId: 'AROACALLERIDWORKER001:job-1',
  account: ACCOUNT,
};

export const aliceCredentials = { accessKeyId: ALICE.accessKeyId, secretAccessKey: ALICE.secretAccessKey };

export function startSts(clock?: () => number): Promise<StsLocal> {
  return startStsLocal({ principals: [ALICE, SESSION], ...(clock ? { clock } : {}) });
}

/** Core's real `mintToken`, counted. */
export function countingMint(): { mint: (o: MintTokenOptions) => Promise<MintedToken>; readonly count: number; reset(): void } {
  let count = 0;
  return {
    mint: (options) => {
      count++;
      return mintToken(options);
    },
    get count() {
      return count;
    },
    reset() {
      count = 0;
    },
  };
}

/** A server on loopback port 0 answering with `handler` (keep-alive 1 s, so idle sockets do not linger). */
export function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Listening> {
  const server = createServer(handler);
  server.keepAliveTimeout = 1_000;
  return listening(server.listen(0, '127.0.0.1'));
}

const CHALLENGE = 'Bearer realm="callerid", error="invalid_token", error_description="The token was refused."';

/** Answers 401 invalid_token to the first `times` requests, then 200 with what it saw. */
export async function refusingServer(times: number): Promise<Listening & { seen: Array<string | undefined>; bodies: string[] }> {
  const seen: Array<string | undefined> = [];
  const bodies: string[] = [];
  const running = await listen((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      seen.push(req.headers.authorization);
      bodies.push(body);
      if (seen.length <= times) {
        res.writeHead(401, { 'www-authenticate': CHALLENGE, 'content-type': 'application/json' });
        res.end('{"error":"invalid_token"}');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true }));
      }
    });
  });
  return Object.assign(running, { seen, bodies });
}

/** Records the Authorization header (and a custom header) of every request; answers 200. */
export async function recordingServer(): Promise<Listening & { seen: Array<Record<string, string | string[] | undefined>> }> {
  const seen: Array<Record<string, string | string[] | undefined>> = [];
  const running = await listen((req, res) => {
    seen.push(req.headers);
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  return Object.assign(running, { seen });
}

/**
 * A service protected by callerid: a real Express app with `@callerid/express` verifying against
 * sts-local; `GET /whoami` (and every other path) answers 200 with `req.caller`, refusals get the
 * adapter's status, `WWW-Authenticate` and JSON body.
 */
export async function protectedServer(audience: string, sts: StsLocal, options: { replay?: 'once' } = {}): Promise<Listening> {
  const app = express();
  const middleware = callerid({ audience, stsEndpoint: sts.url, ...options });
  app.use(middleware);
  app.use((req, res) => {
    res.json(req.caller);
  });
  app.use(callerIdErrorHandler());
  const server = app.listen(0, '127.0.0.1');
  server.keepAliveTimeout = 1_000;
  return listening(server, () => middleware.close());
}

/**
 * For a describe block: sts-local and a {@link protectedServer} verifying against it, started before
 * the block's tests and closed after them.
 */
export function useProtectedService(audience: string, options: { replay?: 'once' } = {}): { readonly sts: StsLocal; readonly service: Listening } {
  const fixture = {} as { sts: StsLocal; service: Listening };
  beforeAll(async () => {
    fixture.sts = await startSts();
    fixture.service = await protectedServer(audience, fixture.sts, options);
  });
  afterAll(async () => {
    await fixture.service?.close();
    await fixture.sts?.close();
  });
  return fixture;
}
