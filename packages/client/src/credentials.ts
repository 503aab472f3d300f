/**
 * Where a token provider gets its AWS credentials from, resolved once per provider so that every mint
 * reuses the same (memoized) source instead of re-reading files or calling AssumeRole each time.
 */
import type { CredentialsOption } from '@callerid/core';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

export type { CredentialsOption };

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

// The SDK's providers take a few hundred milliseconds to load: only load them when they are used.
let defaultChain: Promise<AwsCredentialIdentityProvider> | undefined;

/** `fromNodeProviderChain()`, one for the process (it memoizes and refreshes by itself). */
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
 * One credentials provider for a token provider: static keys are returned as they are, `roleArn`
 * assumes the role (memoized), no option means the default chain, and a caller-supplied provider is
 * used as it is.
 */
export function credentialSource(options: CredentialSourceOptions): AwsCredentialIdentityProvider {
  const { credentials, roleArn } = options;
  if (roleArn !== undefined) return assumedRole({ ...options, roleArn });
  if (credentials === undefined) return nodeProviderChain();
  if (typeof credentials === 'function') return credentials;
  const fixed: Promise<AwsCredentialIdentity> = Promise.resolve(credentials);
  return () => fixed;
}
