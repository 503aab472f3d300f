import { describe, expect, it } from 'vitest';
import { kubernetesUserInfo } from '../src/index.js';
import { AIA_PRINCIPAL_ID_EXTRA } from '../src/authz/kubernetes-user.js';
import { assumedRoleIdentity, rootIdentity, userIdentity } from './policy-fixtures.js';

describe('kubernetesUserInfo: the UserInfo aws-iam-authenticator answers', () => {
  it('an assumed role: uid and principalId without the session, every extra key as a list', () => {
    const identity = { ...assumedRoleIdentity('Admin', 'jane@example.com'), accessKeyId: 'ASIAEXAMPLEKEY000001', username: 'admin:jane', groups: ['system:masters'] };
    expect(kubernetesUserInfo(identity)).toEqual({
      username: 'admin:jane',
      uid: 'aws-iam-authenticator:111122223333:AROAEXAMPLEROLEID0001',
      groups: ['system:masters'],
      extra: {
        arn: ['arn:aws:sts::111122223333:assumed-role/Admin/jane@example.com'],
        canonicalArn: ['arn:aws:iam::111122223333:role/Admin'],
        sessionName: ['jane@example.com'],
        accessKeyId: ['ASIAEXAMPLEKEY000001'],
        principalId: ['AROAEXAMPLEROLEID0001'],
        [AIA_PRINCIPAL_ID_EXTRA]: ['AROAEXAMPLEROLEID0001'],
      },
    });
  });

  it('a user and root keep their whole UserId; no session is an empty string, as there', () => {
    const user = kubernetesUserInfo({ ...userIdentity('alice'), username: 'alice' }, { uidPrefix: 'callerid' });
    expect(user.uid).toBe('callerid:111122223333:AIDAEXAMPLEUSERID0001');
    expect(user.groups).toEqual([]);
    expect(user.extra.sessionName).toEqual(['']);
    expect(kubernetesUserInfo({ ...rootIdentity(), username: 'root' }).extra.principalId).toEqual(['111122223333']);
  });

  it('refuses an unmapped identity', () => {
    expect(() => kubernetesUserInfo(userIdentity('alice'))).toThrow(TypeError);
  });
});
