import Koa from 'koa';
import { callerid, isCallerIdError } from '@callerid/koa';

const app = new Koa();

// Refusals in your own format (mounted first, so it sees what callerid() throws). Each carries a
// stable `code`, the HTTP `status` and the `headers` to send (`WWW-Authenticate`, or `Retry-After`
// when STS is unavailable); `isCallerIdError` tells them from your own errors.
app.use(async (ctx, next) => {
  try {
    await next();
  } catch (err) {
    if (!isCallerIdError(err)) throw err;
    ctx.status = err.status;
    ctx.set(err.headers);
    ctx.body = { problem: err.code, retryable: err.retryable };
  }
});

app.use(callerid({ audience: 'payments-api', stsEndpoint: process.env.CALLERID_STS_ENDPOINT }));

app.use((ctx) => {
  ctx.body = { arn: ctx.state.caller?.arn };
});

export const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
