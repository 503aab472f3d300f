/** aws-iam-authenticator's mapping formats; cases from its own tests (pkg/mapper/configmap/yaml, pkg/mapper/file). */
import { describe, expect, it } from 'vitest';
import { compileMapping, type Identity } from '@callerid/core';
import { ConfigError, parseMappingFile } from '../src/index.js';
import { AIA_CONFIG, AWS_AUTH } from './fixtures.js';

const NODE_ROLE = 'arn:aws:iam::555555555555:role/devel-worker-nodes-NodeInstanceRole-74RF4UBDUKL6';
const configMap = (data: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n${data}`;
/** aws-iam-authenticator's aws-auth.yaml, with the keys spelled as `spell` says. */
const aiaYaml = (spell: (key: string) => string = (k) => k, top: (key: string) => string = (k) => k) => configMap(`  ${top('mapRoles')}: |
    - ${spell('rolearn')}: ${NODE_ROLE}
      ${spell('username')}: system:node:{{SessionName}}
      ${spell('groups')}:
        - system:bootstrappers
        - system:nodes
  ${top('mapUsers')}: |
    - ${spell('userarn')}: arn:aws:iam::555555555555:user/admin
      ${spell('username')}: admin
      ${spell('groups')}:
        - system:masters
  ${top('mapAccounts')}: |
    - 555555555555
`);

const user = (name: string, account = '555555555555'): Identity => ({
  arn: `arn:aws:iam::${account}:user/${name}`, canonicalArn: `arn:aws:iam::${account}:user/${name}`, accountId: account, partition: 'aws',
  principalType: 'user', userId: 'AIDAEXAMPLE000000001', tokenType: 'presigned',
  stsHost: 'sts.amazonaws.com', accessKeyId: 'AKIAEXAMPLE000000001', region: 'us-east-1', expiresAt: '2030-01-01T00:00:00.000Z',
});
const session = (role: string, name: string, account = '555555555555'): Identity => ({
  arn: `arn:aws:sts::${account}:assumed-role/${role}/${name}`, canonicalArn: `arn:aws:iam::${account}:role/${role}`, accountId: account, partition: 'aws',
  principalType: 'assumed-role', userId: `AROAEXAMPLE000000001:${name}`, roleName: role, sessionName: name, tokenType: 'presigned',
  stsHost: 'sts.amazonaws.com', accessKeyId: 'ASIAEXAMPLE000000001', region: 'us-east-1', expiresAt: '2030-01-01T00:00:00.000Z',
});

function errorOf(text: string): ConfigError {
  try {
    parseMappingFile(text, 'aws-auth.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('mapping files: the aws-auth ConfigMap', () => {
  it('reads mapRoles, mapUsers and mapAccounts (an unquoted account id too)', () => {
    const { entries, warnings } = parseMappingFile(aiaYaml(), 'aws-auth.yaml');
    expect(warnings).toEqual([]);
    expect(entries).toEqual([
      { arn: NODE_ROLE, username: 'system:node:{{SessionName}}', groups: ['system:bootstrappers', 'system:nodes'] },
      { arn: 'arn:aws:iam::555555555555:user/admin', username: 'admin', groups: ['system:masters'] },
      { accountId: '555555555555', partition: 'aws', username: '{{CanonicalARN}}', groups: [] },
    ]);
    const map = compileMapping(entries);
    expect(map(session('devel-worker-nodes-NodeInstanceRole-74RF4UBDUKL6', 'i-0abc'))).toMatchObject({ username: 'system:node:i-0abc', groups: ['system:bootstrappers', 'system:nodes'] });
    expect(map(user('admin'))).toMatchObject({ username: 'admin', groups: ['system:masters'] });
    expect(map(user('someone'))).toMatchObject({ username: 'arn:aws:iam::555555555555:user/someone', groups: [] });
    expect(map(user('someone', '999999999999')).username).toBeUndefined();
  });

  it('entry keys are case-insensitive (RoLeArN, roleARN), top-level keys are not (MaPrOlEs is ignored)', () => {
    const crazy = (k: string) => [...k].map((c, i) => (i % 2 ? c.toUpperCase() : c)).join('');
    expect(parseMappingFile(aiaYaml(crazy), 'x').entries).toHaveLength(3);
    expect(parseMappingFile(aiaYaml((k) => k.replace('arn', 'ARN')), 'x').entries).toHaveLength(3);
    expect(parseMappingFile(aiaYaml(undefined, crazy), 'x').entries).toEqual([]);
    expect(parseMappingFile(aiaYaml(undefined, (k) => k.toLowerCase()), 'x').entries).toEqual([]);
  });

  it('a space out of place makes one group of two, as YAML says', () => {
    const text = configMap('  mapRoles: |\n    - rolearn: arn:aws:iam::555555555555:role/r\n      username: u\n      groups:\n        - system:bootstrappers\n         - system:nodes\n');
    expect(parseMappingFile(text, 'x').entries[0]!.groups).toEqual(['system:bootstrappers - system:nodes']);
  });

  it('a missing | (a list, not a string, under data) is refused, with its line', () => {
    const error = errorOf(configMap('  mapRoles:\n    - rolearn: arn:aws:iam::555555555555:role/r\n      username: u\n'));
    expect(error).toMatchObject({ key: 'data.mapRoles', line: 8 });
    expect(error.message).toMatch(/^aws-auth\.yaml:8: data\.mapRoles: must be a string holding YAML/);
  });

  it('errors inside the YAML strings point at lines of the file', () => {
    const text = configMap('  mapUsers: |\n    - userarn: arn:aws:iam::555555555555:user/a\n      username: a\n  mapAccounts: |\n    - "1234"\n');
    expect(errorOf(text)).toMatchObject({ key: 'data.mapAccounts[0]', line: 11 });
    expect(errorOf(configMap('  mapUsers: |\n    - userarn: arn:aws:iam::555555555555:user/a\n      usrname: a\n'))).toMatchObject({ key: 'data.mapUsers[0].usrname', line: 9 });
    expect(errorOf(configMap('  mapRoles: |\n    - rolearn: arn:aws:iam::555555555555:role/r\n      username: u\n      groups: ["{{SessionName}}"]\n'))).toMatchObject({ key: 'data.mapRoles[0]', line: 8 });
    const dup = errorOf(configMap('  mapUsers: |\n    - { userarn: "arn:aws:iam::555555555555:user/a", username: a }\n    - { userarn: "arn:aws:iam::555555555555:user/A", username: b }\n'));
    expect(dup).toMatchObject({ key: 'data.mapUsers[1]', line: 9 });
    expect(dup.message).toMatch(/same principal/);
  });

  it('{{EC2PrivateDNSName}} entries are left out with a warning (it needs an EC2 API call); sso entries are refused', () => {
    const { entries, warnings } = parseMappingFile(AWS_AUTH, 'aws-auth.yaml');
    expect(entries.map((e) => e.arn ?? e.accountId)).not.toContain('arn:aws:iam::111122223333:role/KubernetesNode');
    expect(warnings).toEqual([expect.stringMatching(/^data\.mapRoles\[1\] \(line 12\) left out: \{\{EC2PrivateDNSName\}\} needs an EC2 API call/)]);
    expect(errorOf(configMap('  mapRoles: |\n    - sso: { permissionSetName: Admin, accountID: "555555555555" }\n      username: u\n'))).toMatchObject({ key: 'data.mapRoles[0].sso', line: 8 });
  });
});

describe("mapping files: aws-iam-authenticator's config file", () => {
  it('reads server.mapRoles/mapUsers/mapAccounts; a session ARN in rolearn stands for its role', () => {
    const { entries } = parseMappingFile(AIA_CONFIG, 'config.yaml');
    const map = compileMapping(entries);
    expect(map(session('KubernetesAdmin', 'bob@example.com', '111122223333'))).toMatchObject({ username: 'admin:bob@example.com', groups: ['system:masters'] });
    expect(map(user('admin', '111122223333'))).toMatchObject({ username: 'admin' });
    expect(map(user('eve', '444455556666')).username).toBe('arn:aws:iam::444455556666:user/eve');
  });

  it('or the three lists at the top level; anything else there is refused', () => {
    expect(parseMappingFile('mapAccounts: ["111122223333"]\n', 'm.yaml').entries).toHaveLength(1);
    expect(errorOf('mapAcounts: ["111122223333"]\n')).toMatchObject({ key: 'mapAcounts' });
    expect(errorOf('- a\n')).toMatchObject({ key: '' });
  });
});
