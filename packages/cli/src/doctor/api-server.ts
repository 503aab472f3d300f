/**
 * Doctor step 7: does the API server accept the token? The request `kubectl auth whoami` sends — a
 * `SelfSubjectReview` — with the token as bearer, trusting `--certificate-authority`. Only the status
 * and the user the server reports are kept.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:https';

/** What the API server answered. */
export interface ApiServerAnswer {
  status?: number;
  username?: string;
  groups?: string[];
  /** A transport failure (refused, TLS, timeout): its code, never request data. */
  error?: string;
}

const BODY = JSON.stringify({ kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1' });
const MAX_BODY = 64 * 1024;

/** POSTs a SelfSubjectReview to `server` with `token`. */
export function selfSubjectReview(server: string, caFile: string | undefined, token: string, timeoutMs = 10_000): Promise<ApiServerAnswer> {
  const ca = caFile === undefined ? undefined : readFileSync(caFile);
  const url = new URL('/apis/authentication.k8s.io/v1/selfsubjectreviews', server);
  return new Promise((resolve) => {
    const req = request(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json', 'content-length': Buffer.byteLength(BODY) },
      ...(ca === undefined ? {} : { ca }),
      timeout: timeoutMs,
    }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_BODY) chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode, ...userOf(Buffer.concat(chunks).toString('utf8')) }));
      res.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.name }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.name }));
    req.end(BODY);
  });
}

function userOf(body: string): Pick<ApiServerAnswer, 'username' | 'groups'> {
  try {
    const userInfo = (JSON.parse(body) as { status?: { userInfo?: { username?: unknown; groups?: unknown } } }).status?.userInfo;
    return {
      ...(typeof userInfo?.username === 'string' ? { username: userInfo.username } : {}),
      ...(Array.isArray(userInfo?.groups) ? { groups: userInfo.groups.filter((g): g is string => typeof g === 'string') } : {}),
    };
  } catch {
    return {};
  }
}
