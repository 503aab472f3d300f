import Fastify from 'fastify';
import callerid, { requireGroups } from '@callerid/fastify';

const app = Fastify({ logger: false });

await app.register(callerid, {
  audience: 'payments-api',
  // Leave unset in production (tokens are replayed to AWS STS); point it at sts-local to develop.
  stsEndpoint: process.env.CALLERID_STS_ENDPOINT,
  allow: { accounts: ['111122223333'] },
  map: [{ arn: 'arn:aws:iam::111122223333:role/payments-admin', username: 'admin:{{SessionName}}', groups: ['admins'] }],
});

// This route opts out of authentication.
app.get('/healthz', { config: { callerid: false } }, async () => 'ok');

app.get('/whoami', async (request) => ({ arn: request.caller?.arn, username: request.caller?.username ?? null }));

app.post('/refunds', { preHandler: requireGroups('admins') }, async (request, reply) => {
  return reply.code(201).send({ approvedBy: request.caller?.username });
});

await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });

export { app };
