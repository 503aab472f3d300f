/**
 * Calls the example API (../express-api, or the Fastify/Koa one) with undici. The `callerid`
 * interceptor, composed onto an Agent, adds `Authorization: Bearer <token>` (minted from your AWS
 * credentials, cached ~14 minutes) to requests for the origins it has an audience for — here only the
 * API's — and drops a token the server refused as invalid, so the next request carries a fresh one.
 *
 *   CALLERID_API_URL     the API (default http://127.0.0.1:8080)
 *   CALLERID_AUDIENCE    the audience the API expects (default payments-api)
 *   AWS credentials      the default chain: AWS_ACCESS_KEY_ID/…, AWS_PROFILE, SSO, container or instance role
 *   AWS_REGION           the STS region to sign for (default us-east-1)
 */
import { pathToFileURL } from 'node:url';
import { Agent, request } from 'undici';
import { callerid } from '@callerid/client/undici';

/** One call and what came back. */
export interface CallResult {
  path: string;
  status: number;
  body: unknown;
}

export async function main(apiUrl = process.env.CALLERID_API_URL || 'http://127.0.0.1:8080', audience = process.env.CALLERID_AUDIENCE || 'payments-api'): Promise<CallResult[]> {
  const apiOrigin = new URL(apiUrl).origin;
  // An audience per origin: requests to any other origin through this agent carry no token.
  const agent = new Agent().compose(callerid({ audience: (origin) => (origin === apiOrigin ? audience : undefined) }));
  const results: CallResult[] = [];
  try {
    for (const path of ['/public', '/whoami', '/admin']) {
      const res = await request(new URL(path, apiUrl), { dispatcher: agent });
      const result = { path, status: res.statusCode, body: await res.body.json() };
      console.log(describe(result));
      results.push(result);
    }
  } finally {
    await agent.close();
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
