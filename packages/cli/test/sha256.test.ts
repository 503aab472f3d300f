/**
 * The CLI's own SHA-256 / HMAC-SHA-256 (src/token/sha256.ts), which signs every token `callerid token`
 * and `callerid eks get-token` print, against `node:crypto`: every length across the first blocks
 * (padding crosses a block boundary at 56 bytes), NIST's vectors, keys shorter than, equal to and
 * longer than a block, inputs fed in pieces, and random inputs and keys.
 */
import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Sha256, sha256 } from '../src/token/sha256.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const nodeHash = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const nodeHmac = (key: Uint8Array, data: Uint8Array) => createHmac('sha256', key).update(data).digest('hex');

async function jsHmac(key: Uint8Array | string, chunks: Uint8Array[]): Promise<string> {
  const hmac = new Sha256(key);
  for (const chunk of chunks) hmac.update(chunk);
  return hex(await hmac.digest());
}

describe('sha256', () => {
  it("matches NIST's examples", () => {
    expect(hex(sha256(Buffer.from('')))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex(sha256(Buffer.from('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hex(sha256(Buffer.from('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it('matches node:crypto on every length from 0 to 300 bytes', () => {
    const data = Uint8Array.from({ length: 300 }, (_, i) => (i * 131 + 7) & 0xff);
    for (let length = 0; length <= 300; length++) expect(hex(sha256(data.subarray(0, length)))).toBe(nodeHash(data.subarray(0, length)));
  });

  it('matches node:crypto on random inputs, fed whole or in pieces', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2_000 }), fc.array(fc.nat(), { maxLength: 5 }), async (data, cuts) => {
        const points = [...new Set(cuts.map((cut) => cut % (data.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...points, data.length].slice(1).map((end, i, ends) => data.subarray(i === 0 ? 0 : ends[i - 1], end));
        const hash = new Sha256();
        for (const chunk of chunks) hash.update(chunk);
        expect(hex(await hash.digest())).toBe(nodeHash(data));
      }),
    );
  });
});

describe('HMAC-SHA-256', () => {
  it('matches node:crypto for keys shorter than, as long as and longer than a block', async () => {
    const data = Buffer.from('AWS4-HMAC-SHA256\n20261205T000000Z\n20261205/us-east-1/sts/aws4_request\n');
    for (const length of [0, 1, 32, 44, 63, 64, 65, 128, 200]) {
      const key = Uint8Array.from({ length }, (_, i) => (i * 37 + 11) & 0xff);
      expect(await jsHmac(key, [data])).toBe(nodeHmac(key, data));
    }
  });

  it('takes a string key as UTF-8, as the signer passes "AWS4" + the secret', async () => {
    const key = 'AWS4alice/secret/Key+0123456789abcdefghijklmn€';
    expect(await jsHmac(key, [Buffer.from('20261205')])).toBe(nodeHmac(Buffer.from(key, 'utf8'), Buffer.from('20261205')));
  });

  it('matches node:crypto on random keys and inputs, and starts over after reset()', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 1_000 }), async (key, data) => {
        expect(await jsHmac(key, [data])).toBe(nodeHmac(key, data));
        const hmac = new Sha256(key);
        hmac.update(Buffer.from('discarded'));
        hmac.reset();
        hmac.update(data);
        expect(hex(await hmac.digest())).toBe(nodeHmac(key, data));
      }),
    );
  });
});
