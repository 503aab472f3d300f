import { createHash, createHmac } from 'node:crypto';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

/** SHA-256 over node:crypto, in the shape `@smithy/signature-v4` wants. */
class Sha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBuffer(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.hash.digest());
  }
  reset(): void {
    throw new Error('not needed');
  }
}

function toBuffer(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

export interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | null | undefined;
}

function signer(keys: Keys, region: string, service = 'sts'): SignatureV4 {
  return new SignatureV4({
    service,
    region,
    sha256: Sha256,
    credentials: { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey, sessionToken: keys.sessionToken ?? undefined },
  });
}

export interface Signed {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

function pathOf(req: HttpRequest): string {
  const q = Object.entries(req.query)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  return q ? `${req.path}?${q}` : req.path;
}

/** A form POST signed in its Authorization header, as the AWS SDKs send STS Query calls. */
export async function signPost(keys: Keys, opts: { host: string; region: string; body: string; signingDate?: Date; service?: string }): Promise<Signed> {
  const req = new HttpRequest({
    method: 'POST',
    hostname: opts.host,
    path: '/',
    headers: { host: opts.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: opts.body,
  });
  const signed = await signer(keys, opts.region, opts.service).sign(req, { signingDate: opts.signingDate });
  return { method: 'POST', path: '/', headers: signed.headers, body: opts.body };
}

/** A GET signed in its Authorization header (the third way STS is called). */
export async function signGet(keys: Keys, opts: { host: string; region: string; query: Record<string, string>; signingDate?: Date }): Promise<Signed> {
  const req = new HttpRequest({ method: 'GET', hostname: opts.host, path: '/', query: opts.query, headers: { host: opts.host } });
  const signed = await signer(keys, opts.region).sign(req, { signingDate: opts.signingDate });
  return { method: 'GET', path: pathOf(signed as HttpRequest), headers: signed.headers };
}

/** A presigned GetCallerIdentity URL binding `x-k8s-aws-id`, as a `k8s-aws-v1.` token holds. */
export async function presign(keys: Keys, opts: { host: string; region: string; audience: string; signingDate?: Date; service?: string }): Promise<Signed> {
  const req = new HttpRequest({
    method: 'GET',
    hostname: opts.host,
    path: '/',
    query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    headers: { host: opts.host, 'x-k8s-aws-id': opts.audience },
  });
  const signed = await signer(keys, opts.region, opts.service).presign(req, { expiresIn: 60, signingDate: opts.signingDate });
  return { method: 'GET', path: pathOf(signed as HttpRequest), headers: { host: opts.host, 'x-k8s-aws-id': opts.audience } };
}
