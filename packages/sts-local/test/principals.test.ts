import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPrincipals, startStsLocal } from '@callerid/sts-local';
import { FIXTURE_FILE, fixtures } from './helpers/fixtures.js';

const alice = fixtures.principals[0]!;

describe('loadPrincipals', () => {
  it('loads the shared fixture file as it is (extra fields ignored, null session tokens absent)', () => {
    const principals = loadPrincipals(FIXTURE_FILE);
    expect(principals).toHaveLength(fixtures.principals.length);
    expect(principals[0]).toEqual({
      accessKeyId: alice.accessKeyId,
      secretAccessKey: alice.secretAccessKey,
      sessionToken: undefined,
      arn: alice.arn,
      userId: alice.userId,
      account: alice.account,
      canAssume: undefined,
      expiresAt: undefined,
    });
    expect(principals[1]!.sessionToken).toBe(fixtures.principals[1]!.sessionToken);
    expect(principals[0]).not.toHaveProperty('name');
  });

  it('accepts a JSON array, a { principals } object, JSON text and a file holding an array', () => {
    expect(loadPrincipals([alice])).toHaveLength(1);
    expect(loadPrincipals({ principals: [alice] })).toHaveLength(1);
    expect(loadPrincipals(JSON.stringify([alice]))).toHaveLength(1);
    const dir = mkdtempSync(join(tmpdir(), 'sts-local-'));
    writeFileSync(join(dir, 'p.json'), JSON.stringify([alice]));
    expect(loadPrincipals(join(dir, 'p.json'))[0]!.arn).toBe(alice.arn);
  });

  it('refuses invalid principals, naming the field but never echoing a value', () => {
    const cases: [unknown, RegExp][] = [
      [[{ ...alice, secretAccessKey: '' }], /principals\[0\]\.secretAccessKey/],
      [[{ ...alice, accessKeyId: 'short' }], /accessKeyId/],
      [[{ ...alice, account: '999988887777' }], /account must equal the account in the ARN/],
      [[{ ...alice, arn: 'not-an-arn' }], /arn/],
      [[{ ...alice, canAssume: 'x' }], /canAssume/],
      [[alice, alice], /principals\[1\]\.accessKeyId repeats/],
      [{ nope: [] }, /array/],
    ];
    for (const [input, message] of cases) {
      let error: unknown;
      try {
        loadPrincipals(input as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain(alice.secretAccessKey);
    }
    expect(() => loadPrincipals('{not json')).toThrow(/not valid JSON/);
  });

  it('startStsLocal refuses bad options before listening', async () => {
    await expect(startStsLocal({ principals: [{ ...alice, userId: '' }] as never })).rejects.toThrow(TypeError);
    await expect(startStsLocal({ principals: [], port: 70_000 })).rejects.toThrow(/port/);
  });
});
