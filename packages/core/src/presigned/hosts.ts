import type { Partition } from '../authz/identity.js';

/**
 * The STS endpoints callerid mints for and accepts: an exact table, one entry per host name, built
 * from the AWS partition data (regions, DNS suffixes, FIPS and dual-stack variants). Verification
 * looks a host up here verbatim — no suffix or prefix matching, no case folding, no trailing dot, no
 * IP literals, no IDN — so only names AWS itself serves STS on can ever be dialled.
 */

/** One STS endpoint host and what a token signed for it must say. */
export interface StsHost {
  /** The host name, e.g. `sts.us-west-2.amazonaws.com`. */
  readonly host: string;
  readonly partition: Partition;
  /** The region the credential scope must name (`us-east-1` for the global host). */
  readonly region: string;
  readonly fips: boolean;
  readonly dualStack: boolean;
  /** The legacy global endpoint `sts.amazonaws.com`. */
  readonly global: boolean;
}

interface PartitionSpec {
  readonly dnsSuffix: string;
  readonly dualStackDnsSuffix: string;
  readonly regions: readonly string[];
}

// From the AWS SDK's partition data (`@aws-sdk/util-endpoints` partitions.json, 2026).
const PARTITIONS: Readonly<Record<Partition, PartitionSpec>> = {
  aws: {
    dnsSuffix: 'amazonaws.com',
    dualStackDnsSuffix: 'api.aws',
    regions: [
      'af-south-1', 'ap-east-1', 'ap-east-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3',
      'ap-south-1', 'ap-south-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4',
      'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7', 'ca-central-1', 'ca-west-1', 'eu-central-1',
      'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-2', 'eu-west-3',
      'il-central-1', 'me-central-1', 'me-south-1', 'me-west-1', 'mx-central-1', 'sa-east-1', 'sa-west-1',
      'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2',
    ],
  },
  'aws-cn': { dnsSuffix: 'amazonaws.com.cn', dualStackDnsSuffix: 'api.amazonwebservices.com.cn', regions: ['cn-north-1', 'cn-northwest-1'] },
  'aws-us-gov': { dnsSuffix: 'amazonaws.com', dualStackDnsSuffix: 'api.aws', regions: ['us-gov-east-1', 'us-gov-west-1'] },
  'aws-iso': { dnsSuffix: 'c2s.ic.gov', dualStackDnsSuffix: 'api.aws.ic.gov', regions: ['us-iso-east-1', 'us-iso-west-1'] },
  'aws-iso-b': { dnsSuffix: 'sc2s.sgov.gov', dualStackDnsSuffix: 'api.aws.scloud', regions: ['us-isob-east-1', 'us-isob-west-1'] },
  'aws-iso-e': { dnsSuffix: 'cloud.adc-e.uk', dualStackDnsSuffix: 'api.cloud-aws.adc-e.uk', regions: ['eu-isoe-west-1'] },
  'aws-iso-f': { dnsSuffix: 'csp.hci.ic.gov', dualStackDnsSuffix: 'api.aws.hci.ic.gov', regions: ['us-isof-east-1', 'us-isof-south-1'] },
  'aws-eusc': { dnsSuffix: 'amazonaws.eu', dualStackDnsSuffix: 'api.amazonwebservices.eu', regions: ['eusc-de-east-1'] },
};

/** Every partition callerid knows, in a stable order. */
export const PARTITION_IDS = Object.keys(PARTITIONS) as readonly Partition[];

/** The legacy global STS host; it signs with region us-east-1. */
export const GLOBAL_STS_HOST = 'sts.amazonaws.com';

const REGION_PARTITION: ReadonlyMap<string, Partition> = new Map(
  PARTITION_IDS.flatMap((partition) => PARTITIONS[partition].regions.map((region) => [region, partition] as const)),
);
const GLOBAL_HOST: StsHost = Object.freeze({ host: GLOBAL_STS_HOST, partition: 'aws', region: 'us-east-1', fips: false, dualStack: false, global: true });

// Built on the first lookup by host name (verification), not at load: minting needs only its own
// host's entry, and the whole table is a measurable share of a CLI's start-up.
let hostTable: ReadonlyMap<string, StsHost> | undefined;

function hosts(): ReadonlyMap<string, StsHost> {
  hostTable ??= buildHostTable();
  return hostTable;
}

function buildHostTable(): Map<string, StsHost> {
  const table = new Map<string, StsHost>();
  for (const partition of PARTITION_IDS) {
    for (const region of PARTITIONS[partition].regions) {
      for (const entry of regionHosts(partition, region)) table.set(entry.host, entry);
    }
  }
  table.set(GLOBAL_STS_HOST, GLOBAL_HOST);
  return table;
}

/** The four STS hosts of one region: regular and FIPS, each on IPv4 and dual-stack names. */
function regionHosts(partition: Partition, region: string): StsHost[] {
  const { dnsSuffix, dualStackDnsSuffix } = PARTITIONS[partition];
  const entry = (host: string, fips: boolean, dualStack: boolean): StsHost => Object.freeze({ host, partition, region, fips, dualStack, global: false });
  return [
    entry(`sts.${region}.${dnsSuffix}`, partition === 'aws-us-gov', false),
    entry(`sts-fips.${region}.${dnsSuffix}`, true, false),
    entry(`sts.${region}.${dualStackDnsSuffix}`, false, true),
    entry(`sts-fips.${region}.${dualStackDnsSuffix}`, true, true),
  ];
}

/** The STS endpoint for exactly this host name, or `undefined` when it is not one. */
export function lookupStsHost(host: string): StsHost | undefined {
  return hosts().get(host);
}

/** The partition a region belongs to, or `undefined` for a region callerid does not know. */
export function partitionOfRegion(region: string): Partition | undefined {
  return REGION_PARTITION.get(region);
}

/** Whether `value` names a partition callerid knows. */
export function isPartition(value: unknown): value is Partition {
  return typeof value === 'string' && Object.hasOwn(PARTITIONS, value);
}

/** Which endpoint to mint for: where the token will be replayed. */
export interface StsEndpointChoice {
  region: string;
  /** `regional` (default, what current AWS CLIs use) or the legacy `global` host. */
  endpoint?: 'regional' | 'global';
  fips?: boolean;
}

/**
 * The host a client should sign for, following the AWS SDK's STS endpoint rules (GovCloud's regular
 * hosts are its FIPS hosts), or `undefined` for an unknown region or an impossible combination.
 */
export function stsHostFor({ region, endpoint = 'regional', fips = false }: StsEndpointChoice): StsHost | undefined {
  if (endpoint === 'global') return fips ? undefined : GLOBAL_HOST;
  const partition = REGION_PARTITION.get(region);
  if (!partition) return undefined;
  const { dnsSuffix } = PARTITIONS[partition];
  const prefix = fips && partition !== 'aws-us-gov' ? 'sts-fips' : 'sts';
  const host = `${prefix}.${region}.${dnsSuffix}`;
  // The table's own entry once it exists; until then the same entry, built alone.
  return hostTable?.get(host) ?? regionHosts(partition, region).find((entry) => entry.host === host);
}
