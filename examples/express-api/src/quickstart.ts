import express from 'express';
import { callerid, callerIdErrorHandler, requireCaller } from '@callerid/express';

const app = express();
app.get('/public', (_req, res) => { res.json({ hello: 'anyone' }); });
app.use(callerid({ audience: 'payments-api', stsEndpoint: process.env.CALLERID_STS_ENDPOINT }));
app.get('/whoami', (req, res) => { res.json({ caller: req.caller }); });
app.get('/admin', requireCaller({ principals: ['arn:aws:iam::111122223333:role/payments-admin'] }), (req, res) => { res.json({ caller: req.caller }); });
app.use(callerIdErrorHandler());
app.listen(8080);
