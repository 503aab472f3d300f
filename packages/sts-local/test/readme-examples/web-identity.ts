import { GetWebIdentityTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { startStsLocal } from '@callerid/sts-local';
import { createRemoteJWKSet, jwtVerify } from 'jose';

const alice = { accessKeyId: 'AKIAXEXAMPLEALICE001', secretAccessKey: 'example/alice/secret+0123456789abcdefghij' };
const sts = await startStsLocal({
  principals: [{ ...alice, arn: 'arn:aws:iam::111122223333:user/alice', userId: 'AIDAXEXAMPLEALICE0001', account: '111122223333' }],
});

// The account's issuer: <sts.url>/issuer/<uuid>, serving /.well-known/openid-configuration and
// /.well-known/jwks.json over plain http on loopback.
const issuer = sts.issuerFor('111122223333');

// Any AWS SDK or the AWS CLI mints against it (`aws sts get-web-identity-token --endpoint-url …`).
const client = new STSClient({ region: 'eu-west-1', endpoint: sts.url, credentials: alice });
const { WebIdentityToken } = await client.send(
  new GetWebIdentityTokenCommand({ Audience: ['https://api.example.com'], SigningAlgorithm: 'ES384', DurationSeconds: 300 }),
);
client.destroy();

// Any JWT library verifies it against the issuer's JWKS.
const jwks = createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`));
const { payload, protectedHeader } = await jwtVerify(WebIdentityToken!, jwks, { issuer, audience: 'https://api.example.com' });
console.log(protectedHeader.kid, payload.sub); // EC384_0 arn:aws:iam::111122223333:user/alice

await sts.rotateKeys(); // new tokens are signed by RSA_1 / EC384_1; the old keys stay published
sts.setWebIdentityEnabled(false); // GetWebIdentityToken → OutboundWebIdentityFederationDisabledException
await sts.close();
export { payload, protectedHeader };
