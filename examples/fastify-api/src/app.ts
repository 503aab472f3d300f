/**
 * The example API, in Fastify: `GET /public` for anyone, `GET /whoami` for any verified AWS caller,
 * `GET /admin` for the sessions of the admin roles only — the same routes and answers as the Express
 * and Koa examples.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import callerid, { requireGroups } from '@callerid/fastify';

/** What the API needs to know; `server.ts` reads it from the environment. */
export interface ApiOptions {
  /** Only tokens minted for this audience are accepted (EKS calls it the cluster name). */
  audience: string;
  /** Where tokens are replayed: a VPC endpoint, or sts-local's URL. Default: the STS the token was signed for. */
  stsEndpoint?: string | undefined;
  /** When set, only principals of these 12-digit accounts get in (others get 403). */
  accounts?: readonly string[] | undefined;
  /** Role ARNs whose sessions are admins: they are mapped to username `admin:<session>` in group `admins`. */
  adminRoles?: readonly string[] | undefined;
}

/** Builds the app; `app.close()` also closes callerid's STS connection pool and token cache. */
export async function createApp({ audience, stsEndpoint, accounts, adminRoles = [] }: ApiOptions): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(callerid, {
    audience,
    stsEndpoint,
    // `allow` decides who gets in at all; `map` gives callers a username and groups, aws-auth style.
    allow: accounts ? { accounts } : {},
    map: adminRoles.map((arn) => ({ arn, username: 'admin:{{SessionName}}', groups: ['admins'] })),
  });
  // Every route authenticates (401/403 come from Fastify's error handler) unless it opts out.
  app.get('/public', { config: { callerid: false } }, async () => ({ hello: 'anyone' }));
  app.get('/whoami', async (request) => ({ caller: request.caller }));
  app.get('/admin', { preHandler: requireGroups('admins') }, async (request) => ({ admin: request.caller?.username, caller: request.caller }));
  return app;
}
