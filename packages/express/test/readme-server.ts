import express from 'express';
import { callerid, callerIdErrorHandler, requireGroups } from '@callerid/express';

const app = express();

// Routes before the middleware need no token.
app.get('/healthz', (_req, res) => {
  res.send('ok');
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

app.get('/whoami', (req, res) => {
  res.json({ arn: req.caller?.arn, username: req.caller?.username ?? null });
});

app.post('/refunds', requireGroups('admins'), (req, res) => {
  res.status(201).json({ approvedBy: req.caller?.username });
});

// Optional: JSON bodies for refusals (Express's default handler already sends the status and headers).
app.use(callerIdErrorHandler());

export const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
