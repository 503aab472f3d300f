import { describe, expect, it } from 'vitest';
import { regionRuleForHost } from '../src/hosts.js';

describe('host → credential-scope region', () => {
  it.each([
    ['sts.amazonaws.com', 'us-east-1'],
    ['sts.us-west-2.amazonaws.com', 'us-west-2'],
    ['sts-fips.us-east-2.amazonaws.com', 'us-east-2'],
    ['sts.us-gov-west-1.amazonaws.com', 'us-gov-west-1'],
    ['sts.cn-north-1.amazonaws.com.cn', 'cn-north-1'],
    ['sts.eu-west-1.api.aws', 'eu-west-1'],
    ['sts.us-iso-east-1.c2s.ic.gov', 'us-iso-east-1'],
    ['sts.eusc-de-east-1.amazonaws.eu', 'eusc-de-east-1'],
  ])('%s → %s', (host, region) => {
    expect(regionRuleForHost(host)).toEqual({ region });
  });

  it('accepts any region when addressed to sts-local itself', () => {
    for (const host of ['127.0.0.1:4566', 'localhost:80', '[::1]:9000', '127.0.0.1']) expect(regionRuleForHost(host)).toBe('any');
    expect(regionRuleForHost('10.0.0.5:4566', new Set(['10.0.0.5:4566']))).toBe('any');
  });

  it.each([
    'sts.us-west-2.amazonaws.com.',
    'sts.us-west-2.amazonaws.com.evil.example',
    'evil.sts.us-west-2.amazonaws.com',
    'sts.us-west-2.amazonaws.com:443',
    'STS.US-WEST-2.AMAZONAWS.COM.X',
    'sts.amazonaws.co',
    'iam.amazonaws.com',
    '127.0.0.2:80',
    '',
  ])('refuses %j', (host) => {
    expect(regionRuleForHost(host)).toBeUndefined();
  });
});
