import { expect, inject, test } from 'vitest';
import { createVerifier } from '@callerid/core';
import { mintToken } from '@callerid/mint';

test('a token minted with alice’s keys verifies as alice', async () => {
  const verifier = createVerifier({ audience: 'my-api', stsEndpoint: inject('stsUrl') });
  const { token } = await mintToken({
    audience: 'my-api',
    region: 'us-west-2',
    credentials: { accessKeyId: 'AKIAXEXAMPLEALICE001', secretAccessKey: 'example/alice/secret+0123456789abcdefghij' },
  });
  const identity = await verifier.verify(token);
  expect(identity.arn).toBe('arn:aws:iam::111122223333:user/alice');
  await verifier.close();
});
