/**
 * Where `callerid token` gets credentials: the standard AWS chain (`@aws-sdk/credential-providers`), and
 * with `--role-arn` a role assumed on top of it (`fromTemporaryCredentials`).
 *
 * Fast path: with no profile selected and `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` in the
 * environment, the chain's first link (`fromEnv`) would return exactly those variables, so they are read
 * directly and the SDK is never loaded. Start-up time is what kubectl users see.
 */
import type { MintTokenOptions } from '@callerid/core';
import { enableCompileCache } from '../compile-cache.js';
import type * as Sdk from '../lazy/credential-providers.js';

/** Credentials or a provider, as `mintToken` takes them. */
export type Credentials = NonNullable<MintTokenOptions['credentials']>;

/** Who signs: a profile and/or a role to assume. */
export interface CredentialSource {
  profile: string | undefined;
  roleArn: string | undefined;
  sessionName: string | undefined;
  externalId: string | undefined;
  /** The region for the AssumeRole call. */
  region: string;
}

/** The session name when `--role-arn` is given without `--session-name`. */
export const DEFAULT_SESSION_NAME = 'callerid';

/**
 * The credentials `callerid token` signs with. `base`, when given, replaces the chain as the credentials
 * that assume `roleArn`.
 */
export async function loadCredentials(source: CredentialSource, env: NodeJS.ProcessEnv = process.env, base?: Credentials): Promise<Credentials> {
  base ??= fromEnvironment(source.profile, env) ?? (await chain(source.profile));
  if (source.roleArn === undefined) return base;
  const { fromTemporaryCredentials } = await loadSdk();
  return fromTemporaryCredentials({
    params: {
      RoleArn: source.roleArn,
      RoleSessionName: source.sessionName ?? DEFAULT_SESSION_NAME,
      ...(source.externalId === undefined ? {} : { ExternalId: source.externalId }),
    },
    masterCredentials: base,
    clientConfig: { region: source.region },
  });
}

/**
 * Static credentials from the environment, exactly as the chain's `fromEnv` reads them — but only when
 * the chain would use them: a profile (flag or `AWS_PROFILE`) makes the SDK skip the environment.
 */
export function fromEnvironment(profile: string | undefined, env: NodeJS.ProcessEnv): Credentials | undefined {
  if (profile !== undefined || env.AWS_PROFILE) return undefined;
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) return undefined;
  const expiration = env.AWS_CREDENTIAL_EXPIRATION;
  return {
    accessKeyId,
    secretAccessKey,
    ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    ...(expiration ? { expiration: new Date(expiration) } : {}),
  };
}

// The chain warns on stderr when AWS_PROFILE and AWS_ACCESS_KEY_ID are both set (it uses the profile).
// Under kubectl that warning lands before every command's output; callerid names the source it used in
// its own errors instead (describeSource), and `callerid doctor` reports both.
const QUIET_LOGGER = { debug() {}, info() {}, warn() {}, error() {} };

async function chain(profile: string | undefined): Promise<Credentials> {
  const { fromNodeProviderChain } = await loadSdk();
  return fromNodeProviderChain({ logger: QUIET_LOGGER, ...(profile === undefined ? {} : { profile }) });
}

/** Where the credentials come from, as far as the command line and the environment say. */
export type CredentialSourceKind =
  | { kind: 'profile'; profile: string; from: '--profile' | 'AWS_PROFILE'; roleArn?: string | undefined }
  | { kind: 'environment'; roleArn?: string | undefined }
  | { kind: 'chain'; roleArn?: string | undefined };

/** The source `loadCredentials` will use for this profile flag and environment. */
export function credentialSourceOf(profile: string | undefined, roleArn: string | undefined, env: NodeJS.ProcessEnv = process.env): CredentialSourceKind {
  if (profile !== undefined) return { kind: 'profile', profile, from: '--profile', roleArn };
  if (env.AWS_PROFILE) return { kind: 'profile', profile: env.AWS_PROFILE, from: 'AWS_PROFILE', roleArn };
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) return { kind: 'environment', roleArn };
  return { kind: 'chain', roleArn };
}

/** A phrase naming the source, for error messages (names only: never a key or secret). */
export function describeSource(source: CredentialSourceKind): string {
  const base =
    source.kind === 'profile'
      ? `profile "${source.profile}" (${source.from})`
      : source.kind === 'environment'
        ? 'AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in the environment'
        : 'the default chain (environment, default profile, SSO, web identity, container and instance role)';
  return source.roleArn === undefined ? base : `${base}, assuming ${source.roleArn}`;
}

function loadSdk(): Promise<typeof Sdk> {
  // The SDK is bundled at a fixed version, so its warning that *future* SDK releases will need Node 22
  // says nothing to a CLI user — and kubectl would show its eight lines before every command.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  enableCompileCache();
  return import('../lazy/credential-providers.js');
}
