/**
 * Where minting gets AWS credentials from: the one loader that `mintToken`, `mintWebIdentityToken` and
 * `@callerid/client`'s token providers share. The SDK's providers take a few hundred milliseconds to
 * load, so they are imported only when used.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { CallerIdError } from '@callerid/core';
import { ACCESS_KEY_ID_PATTERN } from '@callerid/core/internal';

/** Static AWS credentials or a provider of them (e.g. from `@aws-sdk/credential-providers`). */
export type CredentialsOption = AwsCredentialIdentity | AwsCredentialIdentityProvider;

/** The credential settings of a token provider. */
export interface CredentialSourceOptions {
  /** Static credentials or a provider. Default: `fromNodeProviderChain()` (itself memoized by the SDK). */
  credentials?: CredentialsOption;
  /** Assume this role (with `credentials`, or the default chain, as the source identity). */
  roleArn?: string;
  /** The session name for `roleArn`. Default `"callerid-client"`. */
  roleSessionName?: string;
  /** The region of the STS client used for `roleArn`. */
  region?: string;
}

const DEFAULT_ROLE_SESSION_NAME = 'callerid-client';

// The default chain is memoized by the SDK (static keys forever, expiring ones refreshed ahead of
// time), so one per process is enough.
let defaultChain: Promise<AwsCredentialIdentityProvider> | undefined;

/** `fromNodeProviderChain()`, one for the process, loaded on the first call. */
function nodeProviderChain(): AwsCredentialIdentityProvider {
  return async (props) => {
    defaultChain ??= import('@aws-sdk/credential-providers').then((sdk) => sdk.fromNodeProviderChain());
    return (await defaultChain)(props);
  };
}

/** `fromTemporaryCredentials` wrapped in `memoizeIdentityProvider`: outside an SDK client it is not memoized. */
function assumedRole(options: CredentialSourceOptions & { roleArn: string }): AwsCredentialIdentityProvider {
  let provider: Promise<AwsCredentialIdentityProvider> | undefined;
  const load = async (): Promise<AwsCredentialIdentityProvider> => {
    const [sdk, smithy] = await Promise.all([import('@aws-sdk/credential-providers'), import('@smithy/core')]);
    const assumed = sdk.fromTemporaryCredentials({
      params: { RoleArn: options.roleArn, RoleSessionName: options.roleSessionName ?? DEFAULT_ROLE_SESSION_NAME },
      ...(options.credentials === undefined ? {} : { masterCredentials: options.credentials }),
      ...(options.region === undefined ? {} : { clientConfig: { region: options.region } }),
    });
    return smithy.memoizeIdentityProvider(assumed, smithy.isIdentityExpired, smithy.doesIdentityRequireRefresh)!;
  };
  return async (props) => {
    provider ??= load();
    return (await provider)(props);
  };
}

/**
 * One credentials provider: static keys are returned as they are, `roleArn` assumes the role
 * (memoized), no option means the default chain, and a caller-supplied provider is used as it is.
 *
 * @example
 * ```ts
 * const credentials = credentialSource({ roleArn: 'arn:aws:iam::111122223333:role/caller' });
 * const { token } = await mintToken({ audience: 'payments-api', credentials });
 * ```
 */
export function credentialSource(options: CredentialSourceOptions): AwsCredentialIdentityProvider {
  const { credentials, roleArn } = options;
  if (roleArn !== undefined) return assumedRole({ ...options, roleArn });
  if (credentials === undefined) return nodeProviderChain();
  if (typeof credentials === 'function') return credentials;
  const fixed: Promise<AwsCredentialIdentity> = Promise.resolve(credentials);
  return () => fixed;
}

/** Resolves the credentials to sign with; every failure is a `credentials_unavailable` error. */
export async function resolveCredentials(option: CredentialsOption | undefined): Promise<AwsCredentialIdentity> {
  let identity: unknown;
  try {
    identity = typeof option === 'object' && option !== null ? option : await credentialSource({ credentials: option })();
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
