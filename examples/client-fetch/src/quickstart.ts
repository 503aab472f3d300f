import { withCallerId } from '@callerid/client';

const api = withCallerId(fetch, { audience: 'payments-api' }); // signs with your AWS credentials, caches the token
const res = await api('http://localhost:8080/whoami');
console.log(res.status, await res.json());
