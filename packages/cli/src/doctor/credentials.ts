/**
 * Doctor step 1: where the credentials come from — environment, profile (static keys, SSO, assume
 * role, process, web identity), web identity or container variables, instance role — and whether they
 * load. Only names and key ids are shown; a secret or session token never is.
 */
import { loadSharedConfigFiles } from '@smithy/core/config';
import { credentialSourceOf, describeSource, loadCredentials, type Credentials } from '../token/credentials.js';
import { fail, pass, reasonOf, type Check } from './check.js';

/** The credentials a passing step loaded, for the steps after it. */
export interface LoadedCredentials {
  credentials: Credentials;
  accessKeyId: string;
  temporary: boolean;
}

/** Runs the step. */
export async function checkCredentials(profile: string | undefined, roleArn: string | undefined, region: string): Promise<{ check: Check; loaded?: LoadedCredentials }> {
  const source = credentialSourceOf(profile, roleArn);
  const where = await describeWhere(source.kind === 'profile' ? source.profile : undefined, describeSource(source));
  let resolved: { accessKeyId: string; sessionToken?: string; expiration?: Date };
  let credentials: Credentials;
  try {
    credentials = await loadCredentials({ profile, roleArn, sessionName: undefined, externalId: undefined, region });
    resolved = typeof credentials === 'function' ? await credentials() : credentials;
  } catch (err) {
    return { check: fail('credentials', `could not load credentials from ${where}: ${reasonOf(err)}`, nextSteps(source.kind === 'profile' ? source.profile : undefined, where), { source: where }) };
  }
  const temporary = resolved.sessionToken !== undefined;
  const evidence = {
    source: where,
    accessKeyId: resolved.accessKeyId,
    kind: temporary ? 'temporary (session token)' : 'long-term access key',
    ...(resolved.expiration ? { expiresAt: resolved.expiration.toISOString() } : {}),
  };
  const expiry = resolved.expiration ? `, expire ${resolved.expiration.toISOString()}` : '';
  return {
    check: pass('credentials', `loaded from ${where}: ${resolved.accessKeyId} (${evidence.kind}${expiry})`, evidence),
    loaded: { credentials: { ...resolved } as Credentials, accessKeyId: resolved.accessKeyId, temporary },
  };
}

/** The source, refined with what the shared files say about a profile or what the environment names. */
async function describeWhere(profile: string | undefined, base: string): Promise<string> {
  const env = process.env;
  if (profile === undefined) {
    if (env.AWS_ACCESS_KEY_ID) return base;
    if (env.AWS_WEB_IDENTITY_TOKEN_FILE) return `web identity (AWS_WEB_IDENTITY_TOKEN_FILE, role ${env.AWS_ROLE_ARN ?? 'from AWS_ROLE_ARN: unset'})`;
    if (env.AWS_CONTAINER_CREDENTIALS_FULL_URI || env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) return 'container credentials (ECS task role or EKS Pod Identity)';
  }
  const kind = await profileKind(profile ?? 'default');
  if (kind !== undefined) return profile === undefined ? `profile "default" (${kind})` : `${base}: ${kind}`;
  if (profile !== undefined) return `${base}, which is in neither ~/.aws/config nor ~/.aws/credentials`;
  return env.AWS_EC2_METADATA_DISABLED === 'true' ? `${base}; instance metadata is disabled (AWS_EC2_METADATA_DISABLED)` : `${base}; nothing configured, so the EC2 instance role`;
}

async function profileKind(name: string): Promise<string | undefined> {
  let files: Awaited<ReturnType<typeof loadSharedConfigFiles>>;
  try {
    files = await loadSharedConfigFiles({ ignoreCache: true });
  } catch {
    return undefined;
  }
  const settings = { ...files.credentialsFile[name], ...files.configFile[name] };
  if (Object.keys(settings).length === 0) return undefined;
  if (settings.sso_session || settings.sso_start_url) return `IAM Identity Center (SSO${settings.sso_session ? ` session ${settings.sso_session}` : ''})`;
  if (settings.role_arn) return `assumes ${settings.role_arn} from ${settings.source_profile ? `profile "${settings.source_profile}"` : (settings.credential_source ?? settings.web_identity_token_file ?? 'its source')}`;
  if (settings.credential_process) return 'credential_process';
  if (settings.web_identity_token_file) return 'web identity token file';
  if (settings.aws_access_key_id) return 'static keys in the shared files';
  return 'no credentials in the profile';
}

function nextSteps(profile: string | undefined, where: string): string[] {
  if (where.includes('SSO')) return [`aws sso login${profile ? ` --profile ${profile}` : ''} (the SSO session has expired or never started)`];
  if (profile !== undefined) return [`check the profile name (aws configure list-profiles), or unset AWS_PROFILE`, 'is this the shell you configured? AWS_PROFILE, AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE differ per shell'];
  return ['set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run aws configure / aws sso login', 'in a kubeconfig, pin the profile in the exec block: env: [{name: AWS_PROFILE, value: …}] (callerid kubeconfig add --profile)'];
}
