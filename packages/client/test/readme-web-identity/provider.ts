import { createTokenProvider } from '@callerid/client';

const PAYMENTS_URL = process.env.PAYMENTS_URL ?? 'https://payments.internal';

// AWS web identity JWTs instead of presigned tokens: one GetWebIdentityToken call per token, reused
// until shortly before it expires; the service checks them offline against the account's JWKS.
const tokens = createTokenProvider({
  audience: 'https://payments.example.com',
  tokenType: 'web-identity',
  signingAlgorithm: 'RS256',
  durationSeconds: 900,
  region: 'eu-west-1',
  stsEndpoint: process.env.AWS_ENDPOINT_URL_STS, // unset on AWS: https://sts.eu-west-1.amazonaws.com
});
const res = await fetch(`${PAYMENTS_URL}/whoami`, { headers: { authorization: `Bearer ${await tokens.getToken()}` } });
console.log(res.status, await res.json());
