/**
 * The example API, in Koa: `GET /public` for anyone, `GET /whoami` for any verified AWS caller,
 * `GET /admin` for the sessions of the admin roles only — the same routes and answers as the Express
 * and Fastify examples.
 */
import Router from '@koa/router';
import Koa from 'koa';
import { isCallerIdError } from '@callerid/core';
import { callerid, requireGroups } from '@callerid/koa';

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

/** The app, and how to release what callerid holds (its STS connection pool and token cache). */
export interface Api {
  app: Koa;
  close(): Promise<void>;
}

export function createApp({ audience, stsEndpoint, accounts, adminRoles = [] }: ApiOptions): Api {
  const auth = callerid({
    audience,
    stsEndpoint,
    // `allow` decides who gets in at all; `map` gives callers a username and groups, aws-auth style.
    allow: accounts ? { accounts } : {},
    map: adminRoles.map((arn) => ({ arn, username: 'admin:{{SessionName}}', groups: ['admins'] })),
  });
  const router = new Router();
  router.get('/public', (ctx) => { ctx.body = { hello: 'anyone' }; });
  router.get('/whoami', auth, (ctx) => { ctx.body = { caller: ctx.state.caller }; });
  router.get('/admin', auth, requireGroups('admins'), (ctx) => { ctx.body = { admin: ctx.state.caller?.username, caller: ctx.state.caller }; });

  const app = new Koa();
  // Koa's default would answer refusals as text; this answers them as JSON, with the same status and
  // WWW-Authenticate challenge, like the Express and Fastify examples.
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      if (!isCallerIdError(err)) throw err;
      ctx.status = err.status;
      ctx.set(err.headers);
      ctx.body = err.toJSON();
    }
  });
  app.use(router.routes()).use(router.allowedMethods());
  return { app, close: () => auth.close() };
}
