import Fastify from 'fastify';
import callerid, { isCallerIdError } from '@callerid/fastify';

const app = Fastify({ logger: false });

// Refusals in your own format. Each carries a stable `code`, the HTTP `status` and the `headers` to
// send (`WWW-Authenticate`, or `Retry-After` when STS is unavailable); `isCallerIdError` tells them
// from your own errors.
app.setErrorHandler((err, _request, reply) => {
  if (!isCallerIdError(err)) return reply.send(err);
  return reply.code(err.status).headers(err.headers).send({ problem: err.code, retryable: err.retryable });
});

await app.register(callerid, { audience: 'payments-api', stsEndpoint: process.env.CALLERID_STS_ENDPOINT });

app.get('/whoami', async (request) => ({ arn: request.caller?.arn }));

await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });

export { app };
