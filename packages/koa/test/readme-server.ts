import Router from '@koa/router';
import Koa from 'koa';
import { callerid, requireGroups } from '@callerid/koa';

const app = new Koa();
const router = new Router();

// Middleware before callerid() needs no token.
app.use(async (ctx, next) => {
  if (ctx.path === '/healthz') ctx.body = 'ok';
  else await next();
});

app.use(
  callerid({
    audience: 'payments-api',
    // Leave unset in production (tokens are replayed to AWS STS); point it at sts-local to develop.
    stsEndpoint: process.env.CALLERID_STS_ENDPOINT,
    allow: { accounts: ['111122223333'] },
    map: [{ arn: 'arn:aws:iam::111122223333:role/payments-admin', username: 'admin:{{SessionName}}', groups: ['admins'] }],
  }),
);

router.get('/whoami', (ctx) => {
  ctx.body = { arn: ctx.state.caller?.arn, username: ctx.state.caller?.username ?? null };
});

router.post('/refunds', requireGroups('admins'), (ctx) => {
  ctx.status = 201;
  ctx.body = { approvedBy: ctx.state.caller?.username };
});

app.use(router.routes()).use(router.allowedMethods());

export const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
