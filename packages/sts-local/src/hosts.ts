/**
 * Which credential-scope region a request's `Host` demands, as real STS enforces it: the global
 * endpoint signs for us-east-1, regional (and FIPS, dual-stack, other partitions') endpoints for their
 * own region.
 * Requests sent straight to sts-local (`127.0.0.1:<port>`, `localhost:<port>`, `[::1]:<port>`) come
 * from clients pointed at it with `--endpoint-url`; they sign with whatever region they are configured
 * for, so any well-formed region is accepted there.
 */

/** What a host allows: one exact region, or any well-formed region (`'any'`). */
export type HostRegionRule = { readonly region: string } | 'any';

const REGION = '[a-z]{2,4}(?:-[a-z]+)+-\\d{1,2}';
/** A well-formed AWS region name, e.g. `us-west-2`, `cn-north-1`, `us-gov-west-1`, `eusc-de-east-1`. */
export const REGION_PATTERN = new RegExp(`^${REGION}$`);

// The DNS suffixes of every partition, plain and dual-stack (from the AWS SDK's partition data).
const DNS_SUFFIXES = [
  'amazonaws.com',
  'api.aws',
  'amazonaws.com.cn',
  'api.amazonwebservices.com.cn',
  'c2s.ic.gov',
  'api.aws.ic.gov',
  'sc2s.sgov.gov',
  'api.aws.scloud',
  'cloud.adc-e.uk',
  'api.cloud-aws.adc-e.uk',
  'csp.hci.ic.gov',
  'api.aws.hci.ic.gov',
  'amazonaws.eu',
  'api.amazonwebservices.eu',
];
const REGIONAL_HOST = new RegExp(`^sts(?:-fips)?\\.(${REGION})\\.(?:${DNS_SUFFIXES.map((s) => s.replaceAll('.', '\\.')).join('|')})$`);

const GLOBAL_HOSTS = new Set(['sts.amazonaws.com']);
const LOOPBACK = /^(?:127\.0\.0\.1|localhost|\[::1\])(?::\d{1,5})?$/;

/** Whether `host` is the STS global endpoint (where regional-only APIs such as GetWebIdentityToken do not exist). */
export function isGlobalHost(host: string): boolean {
  return GLOBAL_HOSTS.has(host);
}

/**
 * The region rule for a `Host` header value, or `undefined` when the host is not an STS endpoint
 * sts-local stands in for. `extraLocalHosts` are further `host[:port]` values that behave like loopback
 * (the address the server actually listens on).
 */
export function regionRuleForHost(host: string, extraLocalHosts: ReadonlySet<string> = new Set()): HostRegionRule | undefined {
  if (GLOBAL_HOSTS.has(host)) return { region: 'us-east-1' };
  if (LOOPBACK.test(host) || extraLocalHosts.has(host)) return 'any';
  const region = REGIONAL_HOST.exec(host)?.[1];
  return region === undefined ? undefined : { region };
}
