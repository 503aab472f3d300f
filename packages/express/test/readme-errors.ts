import express, { type ErrorRequestHandler } from 'express';
import { callerid, isCallerIdError } from '@callerid/express';

const app = express();

app.use(callerid({ audience: 'payments-api', stsEndpoint: process.env.CALLERID_STS_ENDPOINT }));

app.get('/whoami', (req, res) => {
  res.json({ arn: req.caller?.arn });
});

// Refusals in your own format. Each carries a stable `code`, the HTTP `status` and the `headers` to
// send (`WWW-Authenticate`, or `Retry-After` when STS is unavailable); `isCallerIdError` tells them
// from your own errors.
const answerRefusals: ErrorRequestHandler = (err, _req, res, next) => {
  if (!isCallerIdError(err)) return next(err);
  res.status(err.status).set(err.headers).json({ problem: err.code, retryable: err.retryable });
};
app.use(answerRefusals);

export const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
