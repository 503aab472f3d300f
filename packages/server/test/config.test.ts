import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'callerid-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The ConfigError `yaml` raises, as `file:line: key: what`. */
function errorOf(yaml: string | object): ConfigError {
  try {
    parseConfig(yaml, { name: 'callerid.yaml', baseDir: dir });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('callerid.yaml: every key validated', () => {
  it('reads the documented configuration, with defaults and paths resolved against the file', () => {
    const config = parseConfig(`listen: 0.0.0.0:8443
tls: { cert: ./tls.crt, key: ./tls.key }
stsEndpoint: https://sts.us-east-1.amazonaws.com
kubernetes:
  clusterId: my-cluster
  mapping: ./aws-auth.yaml
forwardAuth:
  audience:
    api.example.com: payments-api
    billing.example.com: billing-api
  allow: { accounts: ['111122223333'] }
  audiences:
    billing-api:
      allow: { principals: ['arn:aws:iam::111122223333:role/billing-*'] }
cache: { max: 5000 }
`, { baseDir: dir });
    expect(config).toMatchObject({
      listen: { host: '0.0.0.0', port: 8443 },
      tls: { cert: join(dir, 'tls.crt'), key: join(dir, 'tls.key') },
      partitions: ['aws'],
      kubernetes: { clusterId: 'my-cluster', mapping: join(dir, 'aws-auth.yaml'), uidPrefix: 'aws-iam-authenticator', matchRoleByName: false },
      forwardAuth: {
        audience: { 'api.example.com': 'payments-api', 'billing.example.com': 'billing-api' },
        hostHeader: 'x-forwarded-host',
        policy: { allow: { accounts: ['111122223333'] }, requireMapping: false },
        audiences: { 'billing-api': { allow: { principals: ['arn:aws:iam::111122223333:role/billing-*'] } } },
      },
      cache: { max: 5000 },
      watchIntervalMs: 2000,
      shutdownTimeoutMs: 10000,
      logLevel: 'info',
    });
    expect(parseConfig({ forwardAuth: { audience: 'a' } }).listen).toEqual({ host: '127.0.0.1', port: 21362 });
  });

  it.each([
    ['forwardAuth:\n  audeince: payments-api\n', 2, 'forwardAuth.audeince', /unknown key \(did you mean "audience"\?\)/],
    ['lisen: 1.2.3.4:80\nforwardAuth: { audience: a }\n', 1, 'lisen', /did you mean "listen"/],
    ['listen: localhost\nforwardAuth: { audience: a }\n', 1, 'listen', /host:port/],
    ['forwardAuth:\n  audience: a\n  allow:\n    accounts:\n      - "111122223333"\n      - 12345\n', 6, 'forwardAuth.allow.accounts[1]', /12-digit/],
    ['forwardAuth:\n  audience: a\n  allow:\n    principals: ["arn:aws:iam::111122223333:nope/x"]\n', 4, 'forwardAuth.allow', /principal/i],
    ['forwardAuth:\n  audience: a\n  map:\n    - arn: arn:aws:iam::111122223333:user/alice\n      username: a\n      groups: ["{{SessionName}}"]\n', 4, 'forwardAuth.map[0]', /not available/],
    ['forwardAuth:\n  audience: a\n  map:\n    - { arn: "arn:aws:iam::111122223333:user/a", username: a }\n    - { arn: "arn:aws:iam::111122223333:user/A", username: b }\n', 5, 'forwardAuth.map[1]', /same principal/],
    ['kubernetes:\n  mapping: ./aws-auth.yaml\n', 2, 'kubernetes.clusterId', /required/],
    ['stsEndpoint: http://sts.example.com\nforwardAuth: { audience: a }\n', 1, 'stsEndpoint', /https, or http to a loopback/],
    ['partitions: [aws, mars]\nforwardAuth: { audience: a }\n', 1, 'partitions[1]', /one of aws/],
    ['forwardAuth:\n  audience: a\n  audiences:\n    b: { allow: {} }\n', 4, 'forwardAuth.audiences.b', /not an audience/],
    ['forwardAuth:\n  audience: a\n  requireMapping: true\n', undefined, 'forwardAuth.requireMapping', /needs map/],
    ['forwardAuth:\n  audience:\n    API.example.com: a\n', 3, 'forwardAuth.audience.API.example.com', /lower-case/],
    ['cache: { max: 0 }\nforwardAuth: { audience: a }\n', 1, 'cache.max', /integer from 1/],
    ['logLevel: loud\nforwardAuth: { audience: a }\n', 1, 'logLevel', /one of fatal/],
    ['listen: 127.0.0.1:1\n', 1, '', /configure kubernetes/],
    ['forwardAuth: { audience: a }\nforwardAuth: { audience: b }\n', 2, '', /not valid YAML \(DUPLICATE_KEY\)/],
    ['forwardAuth:\n  audience: [a\n', 3, '', /not valid YAML/],
  ])('%j → line %s, key %s', (yaml, line, key, message) => {
    const error = errorOf(yaml);
    expect(error.line).toBe(line);
    expect(error.key).toBe(key);
    expect(error.message).toMatch(message);
    expect(error.message.startsWith(`callerid.yaml${line === undefined ? '' : `:${line}`}: ${key || '(document)'}: `)).toBe(true);
  });

  it('an object given to createServer is validated the same way (without lines)', () => {
    const error = errorOf({ forwardAuth: { audience: 'a', alow: {} } });
    expect(error).toMatchObject({ key: 'forwardAuth.alow', line: undefined });
    expect(error.message).toMatch(/did you mean "allow"/);
  });

  it('loadConfig: flags and environment override the file, validated like it', () => {
    const file = join(dir, 'callerid.yaml');
    writeFileSync(file, '# comment\nlisten: 127.0.0.1:1\nforwardAuth: { audience: a }\n');
    expect(loadConfig(file, { listen: '[::1]:9000', stsEndpoint: 'http://127.0.0.1:4599' })).toMatchObject({ listen: { host: '::1', port: 9000 }, stsEndpoint: 'http://127.0.0.1:4599' });
    expect(() => loadConfig(file, { listen: 'nope' })).toThrow(/listen: must be host:port/);
    expect(() => loadConfig(join(dir, 'missing.yaml'))).toThrow(/missing\.yaml: cannot be read \(ENOENT\)/);
  });
});
