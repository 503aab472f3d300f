/**
 * Calls the example API (../express-api, or the Fastify/Koa one) with fetch. `withCallerId` mints a
 * token from your AWS credentials, caches it (one token serves every request for ~14 minutes) and, when
 * the server refuses it as invalid, mints a fresh one and retries once.
 *
 *   CALLERID_API_URL     the API (default http://127.0.0.1:8080)
 *   CALLERID_AUDIENCE    the audience the API expects (default payments-api)
 *   AWS credentials      the default chain: AWS_ACCESS_KEY_ID/…, AWS_PROFILE, SSO, container or instance role
 *   AWS_REGION           the STS region to sign for (default us-east-1)
 */
import { pathToFileURL } from 'node:url';
import { withCallerId } from '@callerid/client';

/** One call and what came back. */
export interface CallResult {
  path: string;
  status: number;
  body: unknown;
}

export async function main(apiUrl = process.env.CALLERID_API_URL || 'http://127.0.0.1:8080', audience = process.env.CALLERID_AUDIENCE || 'payments-api'): Promise<CallResult[]> {
  const api = withCallerId(fetch, { audience });
  const results: CallResult[] = [];
  for (const path of ['/public', '/whoami', '/admin']) {
    const res = await api(new URL(path, apiUrl));
    const result = { path, status: res.status, body: await res.json() };
    console.log(describe(result));
    results.push(result);
  }
  return results;
}

/** One line per call: the caller's ARN on success, the error code on refusal. Never the token. */
export function describe({ path, status, body }: CallResult): string {
  const b = body as { caller?: { arn?: string }; admin?: string; code?: string };
  const what = b.admin ?? b.caller?.arn ?? b.code ?? JSON.stringify(body);
  return `GET ${path} → ${status} ${what}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
