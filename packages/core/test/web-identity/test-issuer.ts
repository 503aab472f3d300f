/**
 * A JWKS server on loopback for the verifier's fault tests (down, oversized, redirect, slow), which the
 * real sts-local issuer cannot be made to do. It signs tokens the way AWS does: `{ alg, kid, typ }`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KeyObject, randomUUID, sign } from 'node:crypto';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

export type JwksMode = 'ok' | 'down' | 'oversized' | 'redirect' | 'slow';

export interface TestIssuer {
  issuer: string;
  audience: string;
  account: string;
  /** Requests the server has seen (any path). */
  requests(): number;
  setMode(mode: JwksMode): void;
  /** Signs a token; `claims` are merged over AWS-like defaults (use `undefined` to drop one). */
  sign(options?: { alg?: 'RS256' | 'ES384'; kid?: string; header?: Record<string, unknown>; claims?: Record<string, unknown> }): Promise<string>;
  /** An RS256 token over exactly these header and payload texts (which no JWT library would write, e.g. with duplicate members). */
  signRaw(header: string, payload: string): string;
  /** Replaces the keys (new kids `RSA_n`/`EC384_n`), publishing only the new ones. */
  rotate(): Promise<void>;
  publicKeyPem(alg: 'RS256'): Promise<string>;
  close(): Promise<void>;
}

const ACCOUNT = '123456789012';
const AUDIENCE = 'https://api.example.com';

interface KeySet {
  generation: number;
  rsa: { privateKey: CryptoKey; publicKey: CryptoKey };
  ec: { privateKey: CryptoKey; publicKey: CryptoKey };
  jwks: { keys: JWK[] };
}

async function createKeySet(generation: number): Promise<KeySet> {
  const rsa = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const ec = await generateKeyPair('ES384', { extractable: true });
  const rsaJwk = { ...(await exportJWK(rsa.publicKey)), kid: `RSA_${generation}`, use: 'sig' };
  const ecJwk = { ...(await exportJWK(ec.publicKey)), kid: `EC384_${generation}`, use: 'sig', alg: 'ES384' };
  return { generation, rsa, ec, jwks: { keys: [rsaJwk, ecJwk] } };
}

export async function startTestIssuer(): Promise<TestIssuer> {
  let keys = await createKeySet(0);
  let mode: JwksMode = 'ok';
  let count = 0;
  const server: Server = createServer((req, res) => {
    count += 1;
    if (mode === 'down') return void res.writeHead(503).end();
    if (mode === 'redirect') return void res.writeHead(302, { location: `${issuer}/elsewhere.json` }).end();
    if (mode === 'slow') return void setTimeout(() => res.writeHead(200).end('{"keys":[]}'), 2_000).unref();
    if (req.url !== `${path}/.well-known/jwks.json`) return void res.writeHead(404).end();
    const body = mode === 'oversized' ? JSON.stringify({ ...keys.jwks, padding: 'x'.repeat(100 * 1024) }) : JSON.stringify(keys.jwks);
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const path = '/issuer/test';
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;

  return {
    issuer,
    audience: AUDIENCE,
    account: ACCOUNT,
    requests: () => count,
    setMode: (next) => {
      mode = next;
    },
    async sign(options = {}) {
      const alg = options.alg ?? 'RS256';
      const now = Math.floor(Date.now() / 1000);
      const claims: Record<string, unknown> = {
        iss: issuer,
        sub: `arn:aws:iam::${ACCOUNT}:role/Reader`,
        aud: AUDIENCE,
        iat: now,
        exp: now + 300,
        jti: randomUUID(),
        'https://sts.amazonaws.com/': {
          aws_account: ACCOUNT,
          source_region: 'eu-west-1',
          principal_id: 'AROAEXAMPLEROLEID:worker-1',
          org_id: 'o-abc1234567',
          ou_path: ['o-abc1234567/r-ab12/ou-ab12-11111111/'],
          principal_tags: { team: 'data' },
        },
        ...options.claims,
      };
      for (const [key, value] of Object.entries(claims)) if (value === undefined) delete claims[key];
      const kid = options.kid ?? (alg === 'RS256' ? `RSA_${keys.generation}` : `EC384_${keys.generation}`);
      const key = alg === 'RS256' ? keys.rsa.privateKey : keys.ec.privateKey;
      return new SignJWT(claims).setProtectedHeader({ alg, kid, typ: 'JWT', ...options.header }).sign(key);
    },
    signRaw(header, payload) {
      const input = `${Buffer.from(header).toString('base64url')}.${Buffer.from(payload).toString('base64url')}`;
      const signature = sign('sha256', Buffer.from(input), KeyObject.from(keys.rsa.privateKey));
      return `${input}.${signature.toString('base64url')}`;
    },
    async rotate() {
      keys = await createKeySet(keys.generation + 1);
    },
    publicKeyPem() {
      return exportSPKI(keys.rsa.publicKey);
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** A compact JWS from raw parts, for tokens no library would sign (alg none, HS256 with a public key). */
export function rawJwt(header: Record<string, unknown>, payload: Record<string, unknown>, signature = ''): string {
  const enc = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${enc(header)}.${enc(payload)}.${signature}`;
}
