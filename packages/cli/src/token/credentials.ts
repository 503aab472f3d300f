/**
 * Where `callerid token` gets credentials: the standard AWS chain (`@aws-sdk/credential-providers`), and
 * with `--role-arn` a role assumed on top of it (`fromTemporaryCredentials`).
 *
 * Fast path: with no profile selected and `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` in the
 * environment, the chain's first link (`fromEnv`) would return exactly those variables, so they are read
 * directly and the SDK is never loaded. Start-up time is what kubectl users see.
 */
import type { MintTokenOptions } from '@callerid/mint';
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

/** The credentials `callerid token` signs with. */
export async function loadCredentials(source: CredentialSource, env: NodeJS.ProcessEnv = process.env): Promise<Credentials> {
  const base = fromEnvironment(source.profile, env) ?? (await chain(source.profile));
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

async function chain(profile: string | undefined): Promise<Credentials> {
  const { fromNodeProviderChain } = await loadSdk();
  return fromNodeProviderChain(profile === undefined ? {} : { profile });
}

function loadSdk(): Promise<typeof Sdk> {
  // The SDK is bundled at a fixed version, so its warning that *future* SDK releases will need Node 22
  // says nothing to a CLI user — and kubectl would show its eight lines before every command.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  enableCompileCache();
  return import('../lazy/credential-providers.js');
}
