/**
 * What `callerid token` and `callerid eks get-token` share once their arguments are read: resolve the
 * region, load credentials, mint (or reuse a cached token) and print it. Each command maps its own
 * option names (callerid's, the AWS CLI's, aws-iam-authenticator's) onto one {@link MintRequest}.
 */
import { isCallerIdError, mintToken, type MintedToken, type MintWebIdentityTokenOptions } from '@callerid/core';
import { UsageError } from '../args.js';
import { EXIT } from '../exit-codes.js';
import { writeStderr, writeStdout } from '../output.js';
import { cacheFile, readCachedToken, writeCachedToken, type CacheKey } from './cache.js';
import { credentialSourceOf, describeSource, loadCredentials, type Credentials } from './credentials.js';
import { formatToken, type TokenFormat } from './exec-credential.js';
import { resolveRegion, showRegion } from './region.js';

/** What `--type web-identity` adds to a mint; `undefined` for presigned tokens. */
export type WebIdentityRequest = Pick<MintWebIdentityTokenOptions, 'signingAlgorithm' | 'durationSeconds' | 'tags' | 'endpoint'>;

/** One mint, whichever command line asked for it. */
export interface MintRequest {
  command: string;
  audience: string;
  region: string | undefined;
  /** Ask the instance metadata service for the region when nothing else names one. */
  imdsRegion: boolean;
  endpoint: 'regional' | 'global';
  profile: string | undefined;
  roleArn: string | undefined;
  sessionName: string | undefined;
  externalId: string | undefined;
  /** aws-iam-authenticator's `--forward-session-name`: the new role session keeps the caller's session name. */
  forwardSessionName: boolean;
  format: TokenFormat;
  cache: boolean;
  webIdentity: WebIdentityRequest | undefined;
}

/** Mints (or reuses) the token and prints it; the exit code. */
export async function runMint(request: MintRequest): Promise<number> {
  const { command, profile } = request;
  const region = await resolveRegion(request.region, profile, { imds: request.imdsRegion });
  const key: CacheKey = {
    audience: request.audience,
    region,
    endpoint: request.endpoint,
    profile: profile ?? (process.env.AWS_PROFILE || undefined),
    roleArn: request.roleArn,
    sessionName: request.forwardSessionName ? '(forwarded)' : request.sessionName,
    externalId: request.externalId,
    envAccessKeyId: process.env.AWS_ACCESS_KEY_ID || undefined,
    webIdentity: request.webIdentity && JSON.stringify(request.webIdentity),
  };
  const file = request.cache ? cacheFile(key) : undefined;
  const cached = file === undefined ? undefined : readCachedToken(file);
  if (cached) {
    writeStdout(formatToken(request.format, cached.token, cached.expiresAt, process.env.KUBERNETES_EXEC_INFO));
    return EXIT.ok;
  }

  let minted: MintedToken;
  try {
    const credentials = await credentialsFor(request, region);
    minted = request.webIdentity
      ? await (await import('../lazy/web-identity.js')).mintWebIdentityToken({ audience: request.audience, region, credentials, ...request.webIdentity })
      : await mintToken({ audience: request.audience, region, endpoint: request.endpoint, credentials });
  } catch (err) {
    return reportMintError(err, request, region);
  }
  if (file !== undefined && !writeCachedToken(file, minted)) {
    writeStderr(`callerid ${command}: warning: could not write the token cache\n`);
  }
  writeStdout(formatToken(request.format, minted.token, minted.expiresAt, process.env.KUBERNETES_EXEC_INFO));
  return EXIT.ok;
}

async function credentialsFor(request: MintRequest, region: string): Promise<Credentials> {
  const source = { profile: request.profile, roleArn: request.roleArn, sessionName: request.sessionName, externalId: request.externalId, region };
  if (!request.forwardSessionName || request.roleArn === undefined) return loadCredentials(source);
  // As aws-iam-authenticator does: ask STS who the base credentials are, and name the new role session
  // after the caller's own session (the part of its UserId after the colon), when it has one.
  const base = await loadCredentials({ ...source, roleArn: undefined });
  const { callerIdentity } = await import('../lazy/caller-identity.js');
  const identity = await callerIdentity(base, region);
  const forwarded = identity.userId.includes(':') ? identity.userId.slice(identity.userId.indexOf(':') + 1) : undefined;
  return loadCredentials({ ...source, sessionName: forwarded }, process.env, base);
}

/**
 * One line on stderr. Invalid options are usage errors (a bad region is echoed: it is not a secret);
 * credential and signing failures exit 1, name where the credentials were looked for and the SDK's
 * reason (e.g. "Could not load credentials from any providers"), which never holds a secret.
 */
function reportMintError(err: unknown, request: MintRequest, region: string): number {
  if (!isCallerIdError(err)) throw err;
  if (err.code === 'mint_options_invalid') {
    const regionHint = /region/i.test(err.message) ? ` (region ${showRegion(region)})` : '';
    throw new UsageError(`${err.message.replace(/\.$/, '')}${regionHint}`, request.command);
  }
  const cause = (err as { cause?: unknown }).cause;
  const reason = cause instanceof Error && cause.message ? `: ${firstLine(cause.message)}` : '';
  const from = err.code === 'credentials_unavailable' ? ` from ${describeSource(credentialSourceOf(request.profile, request.roleArn))}` : '';
  writeStderr(`callerid ${request.command}: ${err.message.replace(/\.$/, '')}${from}${reason} (${err.code})\n`);
  return EXIT.failed;
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
