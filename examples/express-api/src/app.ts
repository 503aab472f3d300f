/**
 * The example API, in Express: `GET /public` for anyone, `GET /whoami` for any verified AWS caller,
 * `GET /admin` for the sessions of the admin roles only. The Fastify and Koa examples serve the same
 * routes with the same answers.
 */
import express, { type Express } from 'express';
import { callerid, callerIdErrorHandler, requireGroups, type CallerIdExpressOptions } from '@callerid/express';

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
  /** A store shared by every instance (`createRedisStore` from `@callerid/redis`): see `examples/multi-instance`. */
  sharedCache?: CallerIdExpressOptions['sharedCache'];
  /** `'once'`: each token is accepted once across the instances sharing `sharedCache`. */
  replay?: CallerIdExpressOptions['replay'];
}

/** The app, and how to release what callerid holds (its STS connection pool and token cache). */
export interface Api {
  app: Express;
  close(): Promise<void>;
}

export function createApp({ audience, stsEndpoint, accounts, adminRoles = [], sharedCache, replay }: ApiOptions): Api {
  const auth = callerid({
    audience,
    stsEndpoint,
    sharedCache,
    replay,
    // `allow` decides who gets in at all; `map` gives callers a username and groups, aws-auth style.
    allow: accounts ? { accounts } : {},
    map: adminRoles.map((arn) => ({ arn, username: 'admin:{{SessionName}}', groups: ['admins'] })),
  });
  const app = express();
  app.get('/public', (_req, res) => { res.json({ hello: 'anyone' }); });
  app.use(auth); // every route below needs a valid token
  app.get('/whoami', (req, res) => { res.json({ caller: req.caller }); });
  app.get('/admin', requireGroups('admins'), (req, res) => { res.json({ admin: req.caller?.username, caller: req.caller }); });
  app.use(callerIdErrorHandler()); // 401/403 with a WWW-Authenticate challenge and a small JSON body
  return { app, close: () => auth.close() };
}
