/**
 * The signing region, resolved like `aws eks get-token`: `--region`, `AWS_REGION`, `AWS_DEFAULT_REGION`,
 * then the profile's `region` in the AWS config file, then us-east-1. The config file is read (and the
 * SDK's loader imported) only when nothing else names a region.
 */

/** The region when nothing names one (the global endpoint's signing region). */
export const FALLBACK_REGION = 'us-east-1';

/** Resolves the region for `callerid token`. */
export async function resolveRegion(flag: string | undefined, profile: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const fromEnv = flag ?? (env.AWS_REGION || undefined) ?? (env.AWS_DEFAULT_REGION || undefined);
  if (fromEnv !== undefined) return fromEnv;
  try {
    const { loadConfig, NODE_REGION_CONFIG_OPTIONS } = await import('../lazy/region-config.js');
    const region = await loadConfig(NODE_REGION_CONFIG_OPTIONS, profile === undefined ? {} : { profile })();
    return typeof region === 'string' && region !== '' ? region : FALLBACK_REGION;
  } catch {
    return FALLBACK_REGION;
  }
}
