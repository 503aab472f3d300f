import { createTokenProvider, createTokenProviders } from '@callerid/client';

const PAYMENTS_URL = process.env.PAYMENTS_URL ?? 'https://payments.internal';

// One provider per audience: cached, refreshed in the background, minted once however many callers.
const tokens = createTokenProvider({ audience: 'payments-api', region: 'us-east-1' });
const res = await fetch(`${PAYMENTS_URL}/whoami`, { headers: { authorization: `Bearer ${await tokens.getToken()}` } });
console.log(res.status, await res.json());

// Several services: one provider per audience, sharing one credentials source.
const services = createTokenProviders({ region: 'us-east-1' });
const token = await services.getToken('payments-api');
console.log(token.startsWith('k8s-aws-v1.')); // never log the token itself
