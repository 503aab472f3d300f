/**
 * The host table is built on the first lookup by name; `stsHostFor` answers without it. Both must give
 * the same entries, whichever runs first (this file runs `stsHostFor` before any lookup).
 */
import { describe, expect, it } from 'vitest';
import { GLOBAL_STS_HOST, lookupStsHost, partitionOfRegion, stsHostFor, type StsEndpointChoice } from '../src/presigned/hosts.js';

// One region or more of every partition, GovCloud (whose regular hosts are FIPS) included.
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-7', 'cn-north-1', 'us-gov-west-1', 'us-iso-east-1', 'us-isob-east-1', 'eu-isoe-west-1', 'us-isof-south-1', 'eusc-de-east-1'];
const CHOICES: StsEndpointChoice[] = REGIONS.flatMap((region) => [
  { region },
  { region, fips: true },
  { region, endpoint: 'global' as const },
  { region, endpoint: 'global' as const, fips: true },
]);

describe('STS hosts', () => {
  const beforeTable = CHOICES.map((choice) => stsHostFor(choice));

  it('stsHostFor gives, before the table exists, the entry the table holds for that host', () => {
    for (const [i, choice] of CHOICES.entries()) {
      const entry = beforeTable[i];
      if (choice.endpoint === 'global' && choice.fips) {
        expect(entry).toBeUndefined();
        continue;
      }
      expect(entry).toBeDefined();
      expect(Object.isFrozen(entry)).toBe(true);
      expect(lookupStsHost(entry!.host)).toEqual(entry);
      expect(stsHostFor(choice)).toEqual(entry);
      if (choice.endpoint === 'global') expect(entry).toMatchObject({ host: GLOBAL_STS_HOST, region: 'us-east-1', global: true });
      else expect(entry).toMatchObject({ region: choice.region, partition: partitionOfRegion(choice.region), global: false, dualStack: false });
    }
  });

  it('signs GovCloud on its regular hosts, which are FIPS', () => {
    expect(stsHostFor({ region: 'us-gov-west-1', fips: true })).toEqual({ host: 'sts.us-gov-west-1.amazonaws.com', partition: 'aws-us-gov', region: 'us-gov-west-1', fips: true, dualStack: false, global: false });
    expect(stsHostFor({ region: 'us-west-2', fips: true })?.host).toBe('sts-fips.us-west-2.amazonaws.com');
  });

  it('knows no host for an unknown region', () => {
    expect(stsHostFor({ region: 'mars-north-1' })).toBeUndefined();
    expect(lookupStsHost('sts.mars-north-1.amazonaws.com')).toBeUndefined();
  });
});
