import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { CallerIdError } from './errors.js';
import { ACCESS_KEY_ID_PATTERN } from './token-format.js';

/** Static AWS credentials or a provider of them (e.g. from `@aws-sdk/credential-providers`). */
export type CredentialsOption = AwsCredentialIdentity | AwsCredentialIdentityProvider;

// The default chain is memoized by the SDK (static keys forever, expiring ones refreshed ahead of
// time); loading it costs a few hundred milliseconds, so only do it when nobody passed credentials.
let defaultChain: Promise<AwsCredentialIdentityProvider> | undefined;

function loadDefaultChain(): Promise<AwsCredentialIdentityProvider> {
  defaultChain ??= import('@aws-sdk/credential-providers').then((m) => m.fromNodeProviderChain());
  return defaultChain;
}


/** Resolves the credentials to sign with; every failure is a `credentials_unavailable` error. */
export async function resolveCredentials(option: CredentialsOption | undefined): Promise<AwsCredentialIdentity> {
  let identity: unknown;
  try {
    if (option === undefined) identity = await (await loadDefaultChain())();
    else if (typeof option === 'function') identity = await option();
    else identity = option;
  } catch (cause) {
    throw new CallerIdError('credentials_unavailable', { cause });
  }
  if (!isUsable(identity)) throw new CallerIdError('credentials_unavailable', { message: 'The AWS credentials are malformed.' });
  return identity;
}

function isUsable(value: unknown): value is AwsCredentialIdentity {
  if (typeof value !== 'object' || value === null) return false;
  const { accessKeyId, secretAccessKey, sessionToken, expiration } = value as Partial<AwsCredentialIdentity>;
  return (
    typeof accessKeyId === 'string' &&
    // The verifier insists on the same shape, so a key it would refuse is refused here already.
    ACCESS_KEY_ID_PATTERN.test(accessKeyId) &&
    typeof secretAccessKey === 'string' &&
    secretAccessKey.length > 0 &&
    (sessionToken === undefined || sessionToken === null || typeof sessionToken === 'string') &&
    (expiration === undefined || (expiration instanceof Date && !Number.isNaN(expiration.getTime())))
  );
}
