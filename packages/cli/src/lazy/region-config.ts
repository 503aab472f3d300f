// Built as its own file (dist/region-config.cjs): the SDK's config-file loader, needed only when no
// flag or environment variable names the region.
import { NODE_REGION_CONFIG_OPTIONS, loadConfig } from '@smithy/core/config';

/**
 * The profile's `region` from the shared config files, or `undefined`. Only the file selector: the SDK's
 * own region options fall back to the instance metadata service, a network request on every run.
 */
export async function regionFromConfigFile(profile: string | undefined): Promise<string | undefined> {
  const region = await loadConfig<string | undefined>(
    { environmentVariableSelector: () => undefined, configFileSelector: NODE_REGION_CONFIG_OPTIONS.configFileSelector, default: () => undefined },
    profile === undefined ? {} : { profile },
  )();
  return typeof region === 'string' && region !== '' ? region : undefined;
}

/** The region of the EC2 instance this runs on (a request to the instance metadata service), or `undefined`. */
export async function regionFromInstanceMetadata(): Promise<string | undefined> {
  const fallback = NODE_REGION_CONFIG_OPTIONS.default;
  const region = typeof fallback === 'function' ? await fallback() : fallback;
  return typeof region === 'string' && region !== '' ? region : undefined;
}
