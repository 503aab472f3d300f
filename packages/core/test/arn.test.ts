import { describe, expect, it } from 'vitest';
import { canonicalizeArn, parseArn } from '../src/index.js';
import { tryParseArn } from '../src/authz/arn.js';

describe('parseArn', () => {
  it('parses the five principal shapes', () => {
    expect(parseArn('arn:aws:iam::111122223333:user/alice')).toEqual({
      arn: 'arn:aws:iam::111122223333:user/alice',
      partition: 'aws',
      service: 'iam',
      accountId: '111122223333',
      principalType: 'user',
      resource: 'user/alice',
      path: '/',
      userName: 'alice',
    });
    expect(parseArn('arn:aws-us-gov:iam::111122223333:user/division/team/carol')).toMatchObject({ principalType: 'user', path: '/division/team/', userName: 'carol' });
    expect(parseArn('arn:aws:iam::111122223333:role/platform/Admin')).toMatchObject({ principalType: 'role', path: '/platform/', roleName: 'Admin' });
    expect(parseArn('arn:aws-cn:iam::444455556666:root')).toMatchObject({ principalType: 'root', partition: 'aws-cn', accountId: '444455556666' });
    expect(parseArn('arn:aws:sts::111122223333:assumed-role/Admin/jane@example.com')).toMatchObject({
      principalType: 'assumed-role',
      service: 'sts',
      roleName: 'Admin',
      sessionName: 'jane@example.com',
    });
    expect(parseArn('arn:aws:sts::111122223333:federated-user/bob')).toMatchObject({ principalType: 'federated-user', userName: 'bob' });
  });

  const bad = [
    '',
    'arn:aws:iam::111122223333:user/',
    'arn:aws:iam::111122223333:group/devs',
    'arn:aws:iam::111122223333:policy/p',
    'arn:aws:iam:us-east-1:111122223333:user/alice',
    'arn:aws:iam::11112222333:user/alice',
    'arn:aws:iam::*:role/Admin',
    'arn:aws:iam::111122223333:role/*',
    'arn:aws-mars:iam::111122223333:user/alice',
    'arn:aws:s3:::bucket',
    'arn:aws:sts::111122223333:assumed-role/Admin',
    'arn:aws:sts::111122223333:assumed-role/Admin/s/extra',
    'arn:aws:sts::111122223333:assumed-role/Admin/s',
    'arn:aws:iam::111122223333:user/alice ',
    'arn:aws:iam::111122223333:user//alice',
    'arn:aws:iam::111122223333:root/x',
    `arn:aws:iam::111122223333:user/${'a'.repeat(65)}`,
    'ARN:aws:iam::111122223333:user/alice',
  ];
  for (const arn of bad) {
    it(`rejects ${JSON.stringify(arn)}`, () => {
      expect(tryParseArn(arn)).toBeUndefined();
      expect(() => parseArn(arn)).toThrow(TypeError);
    });
  }

  it('never quotes the input in its error', () => {
    expect(() => parseArn('arn:aws:iam::111122223333:user/secret-name!')).toThrow(/^Not a valid IAM principal ARN\.$/);
  });
});

describe('canonicalizeArn', () => {
  it('maps an assumed-role session to its role and leaves the rest alone', () => {
    expect(canonicalizeArn('arn:aws:sts::111122223333:assumed-role/Deployer/ci-run-42')).toBe('arn:aws:iam::111122223333:role/Deployer');
    expect(canonicalizeArn('arn:aws-cn:sts::444455556666:assumed-role/R/s@x')).toBe('arn:aws-cn:iam::444455556666:role/R');
    for (const arn of [
      'arn:aws:iam::111122223333:user/alice',
      'arn:aws:iam::111122223333:role/platform/Admin',
      'arn:aws:iam::111122223333:root',
      'arn:aws:sts::111122223333:federated-user/bob',
    ]) {
      expect(canonicalizeArn(arn)).toBe(arn);
    }
    expect(() => canonicalizeArn('arn:aws:s3:::bucket')).toThrow(TypeError);
  });
});
