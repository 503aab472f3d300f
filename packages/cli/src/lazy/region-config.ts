// Built as its own file (dist/region-config.cjs): the SDK's config-file loader, needed only when no
// flag or environment variable names the region.
export { NODE_REGION_CONFIG_OPTIONS, loadConfig } from '@smithy/core/config';
