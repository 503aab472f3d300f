import { Agent, request } from 'node:http';

export interface SentRequest {
  method?: string;
  /** Path and query as sent on the request line, e.g. `/?Action=…`. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const agent = new Agent({ keepAlive: true });

/**
 * Sends one request to sts-local with exactly the given headers (including `Host`, which `fetch` would
 * refuse to set): a verifier replays a presigned URL this way, keeping the original host.
 */
export function send(baseUrl: string, req: SentRequest): Promise<Answer> {
  const base = new URL(baseUrl);
  const headers = { ...req.headers };
  const hasLength = Object.keys(headers).some((h) => h.toLowerCase() === 'content-length');
  if (req.body !== undefined && !hasLength) headers['content-length'] = String(Buffer.byteLength(req.body));
  return new Promise((resolve, reject) => {
    const r = request(
      { host: base.hostname, port: base.port, method: req.method ?? 'GET', path: req.path, headers, agent, setHost: !headers.host && !headers.Host },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    r.end(req.body);
  });
}

/** Replays a presigned STS URL against sts-local: same path and query, the URL's host as `Host`. */
export function replayPresigned(baseUrl: string, presignedUrl: string, headers: Record<string, string>): Promise<Answer> {
  const u = new URL(presignedUrl);
  return send(baseUrl, { path: `${u.pathname}${u.search}`, headers: { host: u.host, ...headers } });
}

/** The `<Code>` of an STS XML error, or the `Error.Code` of a JSON one. */
export function errorCode(answer: Answer): string | undefined {
  if (answer.body.startsWith('{')) return (JSON.parse(answer.body) as { Error?: { Code?: string } }).Error?.Code;
  return /<Code>([^<]*)<\/Code>/.exec(answer.body)?.[1];
}
