/**
 * The signing region, resolved like `aws eks get-token`: `--region`, `AWS_REGION`, `AWS_DEFAULT_REGION`,
 * then the profile's `region` in the AWS config file, then us-east-1. The config file is read (and the
 * SDK's loader imported) only when nothing else names a region. No network request: the instance
 * metadata service is asked only when the user opts in (`--imds-region`), since probing it off EC2
 * delays every kubectl command (see the README's "Start-up time").
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The region when nothing names one (the global endpoint's signing region). */
export const FALLBACK_REGION = 'us-east-1';

/** Where a resolved region came from (what `callerid doctor` reports). */
export type RegionSource = '--region' | 'AWS_REGION' | 'AWS_DEFAULT_REGION' | 'profile' | 'imds' | 'default';

/** Resolves the region for `callerid token`. */
export async function resolveRegion(flag: string | undefined, profile: string | undefined, options: { imds?: boolean } = {}, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return (await resolveRegionWithSource(flag, profile, options, env)).region;
}

/** The region and which setting supplied it. */
export async function resolveRegionWithSource(
  flag: string | undefined,
  profile: string | undefined,
  options: { imds?: boolean } = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ region: string; source: RegionSource }> {
  if (flag !== undefined) return { region: flag, source: '--region' };
  if (env.AWS_REGION) return { region: env.AWS_REGION, source: 'AWS_REGION' };
  if (env.AWS_DEFAULT_REGION) return { region: env.AWS_DEFAULT_REGION, source: 'AWS_DEFAULT_REGION' };
  if (!options.imds && !sharedFilesExist(env)) return { region: FALLBACK_REGION, source: 'default' };
  try {
    const { regionFromConfigFile, regionFromInstanceMetadata } = await import('../lazy/region-config.js');
    const fromFile = await regionFromConfigFile(profile);
    if (fromFile) return { region: fromFile, source: 'profile' };
    const fromImds = options.imds ? await regionFromInstanceMetadata() : undefined;
    if (fromImds) return { region: fromImds, source: 'imds' };
  } catch {
    // An unreadable config file or an unreachable metadata service leaves the default.
  }
  return { region: FALLBACK_REGION, source: 'default' };
}

/**
 * Whether either shared file the SDK's loader reads exists. When neither does there is no profile
 * region to find, and loading the loader (a few milliseconds of every kubectl command) can be skipped.
 * (`node:os` only when HOME is unset: the token path does not otherwise load it.)
 */
function sharedFilesExist(env: NodeJS.ProcessEnv): boolean {
  const aws = join(env.HOME || process.getBuiltinModule('node:os').homedir(), '.aws');
  return [env.AWS_CONFIG_FILE || join(aws, 'config'), env.AWS_SHARED_CREDENTIALS_FILE || join(aws, 'credentials')].some((file) => existsSync(file));
}

/** A region value fit to echo in an error: printable, short (a region is not a secret, but is user input). */
export function showRegion(region: string): string {
  return /^[\x20-\x7e]{1,64}$/.test(region) ? `"${region}"` : '(unprintable or too long)';
}
