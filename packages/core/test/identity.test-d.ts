import { describe, expectTypeOf, it } from 'vitest';
import type {
  Identity,
  IdentityBase,
  Partition,
  PresignedIdentity,
  PresignedOptions,
  VerifierOptions,
  WebIdentity,
  WebIdentityClaims,
  WebIdentityOptions,
} from '../src/index.js';

describe('Identity is a union on tokenType', () => {
  it('every kind has the base fields; partition is a Partition', () => {
    expectTypeOf<Identity>().toEqualTypeOf<PresignedIdentity | WebIdentity>();
    expectTypeOf<Identity['partition']>().toEqualTypeOf<Partition>();
    expectTypeOf<Identity['tokenType']>().toEqualTypeOf<'presigned' | 'web-identity'>();
    expectTypeOf<PresignedIdentity>().toExtend<IdentityBase>();
    expectTypeOf<WebIdentity>().toExtend<IdentityBase>();
  });

  it('narrowing on tokenType gives the fields of that kind', () => {
    const identity = {} as Identity;
    if (identity.tokenType === 'presigned') {
      expectTypeOf(identity).toEqualTypeOf<PresignedIdentity>();
      expectTypeOf(identity.stsHost).toEqualTypeOf<string>();
      expectTypeOf(identity.accessKeyId).toEqualTypeOf<string>();
      expectTypeOf(identity.region).toEqualTypeOf<string>();
      // @ts-expect-error a presigned identity has no issuer
      void identity.issuer;
    } else {
      expectTypeOf(identity).toEqualTypeOf<WebIdentity>();
      expectTypeOf(identity.issuer).toEqualTypeOf<string>();
      expectTypeOf(identity.claims).toEqualTypeOf<WebIdentityClaims>();
      expectTypeOf(identity.principalType).toEqualTypeOf<'role' | 'user'>();
      expectTypeOf(identity.region).toEqualTypeOf<string | undefined>();
      // @ts-expect-error a web identity has no access key id
      void identity.accessKeyId;
    }
  });

  it('the kind-only fields are not on the union', () => {
    const identity = {} as Identity;
    // @ts-expect-error only presigned identities have stsHost
    void identity.stsHost;
    // @ts-expect-error only web identities have claims
    void identity.claims;
  });

  it('a partition that is not a Partition is refused', () => {
    const base = { arn: 'a', canonicalArn: 'a', accountId: '111122223333', principalType: 'user', userId: 'u', expiresAt: 'e' } as const;
    const ok: PresignedIdentity = { ...base, tokenType: 'presigned', partition: 'aws', stsHost: 's', accessKeyId: 'k', region: 'r' };
    expectTypeOf(ok).toExtend<Identity>();
    // @ts-expect-error 'aws-mars' is not a Partition
    const bad: PresignedIdentity = { ...base, tokenType: 'presigned', partition: 'aws-mars', stsHost: 's', accessKeyId: 'k', region: 'r' };
    void bad;
  });
});

describe('VerifierOptions composes the options of each kind', () => {
  it('the presigned options, and webIdentity', () => {
    expectTypeOf<VerifierOptions>().toExtend<PresignedOptions>();
    expectTypeOf<VerifierOptions['stsEndpoint']>().toEqualTypeOf<PresignedOptions['stsEndpoint']>();
    expectTypeOf<VerifierOptions['allowedPartitions']>().toEqualTypeOf<readonly Partition[] | undefined>();
    expectTypeOf<VerifierOptions['webIdentity']>().toEqualTypeOf<WebIdentityOptions | undefined>();
  });
});
