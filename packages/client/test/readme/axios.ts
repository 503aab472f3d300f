import axios from 'axios';
import { attachCallerId } from '@callerid/client/axios';

const PAYMENTS_URL = process.env.PAYMENTS_URL ?? 'https://payments.internal';

const payments = axios.create({ baseURL: PAYMENTS_URL });
const detach = attachCallerId(payments, { audience: 'payments-api' });

const { status, data } = await payments.get('/whoami');
console.log(status, data);
detach(); // removes both interceptors
