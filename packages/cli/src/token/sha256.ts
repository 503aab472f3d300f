/**
 * SHA-256 and HMAC-SHA-256 in plain JavaScript, as the `sha256` of `@smithy/signature-v4` when
 * `callerid token` and `callerid eks get-token` sign (the build puts it in place of mint's `node:crypto`
 * one; see tsup.config.ts). kubectl starts one of them before every command, so their start-up is the
 * product, and loading `node:crypto` (it brings Node's streams with it) costs more than everything
 * else they do. Signing one token hashes about 33 blocks.
 *
 * Why the rounds are written out (sixteen to a function, called four times a block): V8 optimises a
 * function once it has run enough bytecode for its size. A looped compression function gets there
 * within one token's blocks, and the process then waits at exit for the optimising compile on a
 * background thread — longer than the hashing itself. Straight-line code gets there only after about
 * four tokens' worth of blocks (test/startup.test.ts checks that one token starts no such compile), and
 * a process signs one; until then it runs in the interpreter, which for a few dozen blocks is the
 * fastest place to be.
 *
 * Tested against `node:crypto` on every length up to several blocks and on random inputs and keys
 * (test/sha256.test.ts), and every token the CLI tests mint is verified by sts-local.
 */
import type { Checksum, SourceData } from '@smithy/types';

const BLOCK_BYTES = 64;

// prettier-ignore
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

// prettier-ignore
const INITIAL_STATE = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

/**
 * Sixteen rounds on the working variables `v` (a to h) with the schedule words in `w`, from round
 * constant `k` on. Sixteen is a multiple of eight, so each variable ends in the slot it started in.
 */
function rounds(v: Int32Array, w: Int32Array, k: number): void {
  let a = v[0]!, b = v[1]!, c = v[2]!, d = v[3]!, e = v[4]!, f = v[5]!, g = v[6]!, h = v[7]!;
  h = (h + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) + ((e & f) ^ (~e & g)) + K[k + 0]! + w[0]!) | 0;
  d = (d + h) | 0;
  h = (h + (((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
  g = (g + (((d >>> 6) | (d << 26)) ^ ((d >>> 11) | (d << 21)) ^ ((d >>> 25) | (d << 7))) + ((d & e) ^ (~d & f)) + K[k + 1]! + w[1]!) | 0;
  c = (c + g) | 0;
  g = (g + (((h >>> 2) | (h << 30)) ^ ((h >>> 13) | (h << 19)) ^ ((h >>> 22) | (h << 10))) + ((h & a) ^ (h & b) ^ (a & b))) | 0;
  f = (f + (((c >>> 6) | (c << 26)) ^ ((c >>> 11) | (c << 21)) ^ ((c >>> 25) | (c << 7))) + ((c & d) ^ (~c & e)) + K[k + 2]! + w[2]!) | 0;
  b = (b + f) | 0;
  f = (f + (((g >>> 2) | (g << 30)) ^ ((g >>> 13) | (g << 19)) ^ ((g >>> 22) | (g << 10))) + ((g & h) ^ (g & a) ^ (h & a))) | 0;
  e = (e + (((b >>> 6) | (b << 26)) ^ ((b >>> 11) | (b << 21)) ^ ((b >>> 25) | (b << 7))) + ((b & c) ^ (~b & d)) + K[k + 3]! + w[3]!) | 0;
  a = (a + e) | 0;
  e = (e + (((f >>> 2) | (f << 30)) ^ ((f >>> 13) | (f << 19)) ^ ((f >>> 22) | (f << 10))) + ((f & g) ^ (f & h) ^ (g & h))) | 0;
  d = (d + (((a >>> 6) | (a << 26)) ^ ((a >>> 11) | (a << 21)) ^ ((a >>> 25) | (a << 7))) + ((a & b) ^ (~a & c)) + K[k + 4]! + w[4]!) | 0;
  h = (h + d) | 0;
  d = (d + (((e >>> 2) | (e << 30)) ^ ((e >>> 13) | (e << 19)) ^ ((e >>> 22) | (e << 10))) + ((e & f) ^ (e & g) ^ (f & g))) | 0;
  c = (c + (((h >>> 6) | (h << 26)) ^ ((h >>> 11) | (h << 21)) ^ ((h >>> 25) | (h << 7))) + ((h & a) ^ (~h & b)) + K[k + 5]! + w[5]!) | 0;
  g = (g + c) | 0;
  c = (c + (((d >>> 2) | (d << 30)) ^ ((d >>> 13) | (d << 19)) ^ ((d >>> 22) | (d << 10))) + ((d & e) ^ (d & f) ^ (e & f))) | 0;
  b = (b + (((g >>> 6) | (g << 26)) ^ ((g >>> 11) | (g << 21)) ^ ((g >>> 25) | (g << 7))) + ((g & h) ^ (~g & a)) + K[k + 6]! + w[6]!) | 0;
  f = (f + b) | 0;
  b = (b + (((c >>> 2) | (c << 30)) ^ ((c >>> 13) | (c << 19)) ^ ((c >>> 22) | (c << 10))) + ((c & d) ^ (c & e) ^ (d & e))) | 0;
  a = (a + (((f >>> 6) | (f << 26)) ^ ((f >>> 11) | (f << 21)) ^ ((f >>> 25) | (f << 7))) + ((f & g) ^ (~f & h)) + K[k + 7]! + w[7]!) | 0;
  e = (e + a) | 0;
  a = (a + (((b >>> 2) | (b << 30)) ^ ((b >>> 13) | (b << 19)) ^ ((b >>> 22) | (b << 10))) + ((b & c) ^ (b & d) ^ (c & d))) | 0;
  h = (h + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) + ((e & f) ^ (~e & g)) + K[k + 8]! + w[8]!) | 0;
  d = (d + h) | 0;
  h = (h + (((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
  g = (g + (((d >>> 6) | (d << 26)) ^ ((d >>> 11) | (d << 21)) ^ ((d >>> 25) | (d << 7))) + ((d & e) ^ (~d & f)) + K[k + 9]! + w[9]!) | 0;
  c = (c + g) | 0;
  g = (g + (((h >>> 2) | (h << 30)) ^ ((h >>> 13) | (h << 19)) ^ ((h >>> 22) | (h << 10))) + ((h & a) ^ (h & b) ^ (a & b))) | 0;
  f = (f + (((c >>> 6) | (c << 26)) ^ ((c >>> 11) | (c << 21)) ^ ((c >>> 25) | (c << 7))) + ((c & d) ^ (~c & e)) + K[k + 10]! + w[10]!) | 0;
  b = (b + f) | 0;
  f = (f + (((g >>> 2) | (g << 30)) ^ ((g >>> 13) | (g << 19)) ^ ((g >>> 22) | (g << 10))) + ((g & h) ^ (g & a) ^ (h & a))) | 0;
  e = (e + (((b >>> 6) | (b << 26)) ^ ((b >>> 11) | (b << 21)) ^ ((b >>> 25) | (b << 7))) + ((b & c) ^ (~b & d)) + K[k + 11]! + w[11]!) | 0;
  a = (a + e) | 0;
  e = (e + (((f >>> 2) | (f << 30)) ^ ((f >>> 13) | (f << 19)) ^ ((f >>> 22) | (f << 10))) + ((f & g) ^ (f & h) ^ (g & h))) | 0;
  d = (d + (((a >>> 6) | (a << 26)) ^ ((a >>> 11) | (a << 21)) ^ ((a >>> 25) | (a << 7))) + ((a & b) ^ (~a & c)) + K[k + 12]! + w[12]!) | 0;
  h = (h + d) | 0;
  d = (d + (((e >>> 2) | (e << 30)) ^ ((e >>> 13) | (e << 19)) ^ ((e >>> 22) | (e << 10))) + ((e & f) ^ (e & g) ^ (f & g))) | 0;
  c = (c + (((h >>> 6) | (h << 26)) ^ ((h >>> 11) | (h << 21)) ^ ((h >>> 25) | (h << 7))) + ((h & a) ^ (~h & b)) + K[k + 13]! + w[13]!) | 0;
  g = (g + c) | 0;
  c = (c + (((d >>> 2) | (d << 30)) ^ ((d >>> 13) | (d << 19)) ^ ((d >>> 22) | (d << 10))) + ((d & e) ^ (d & f) ^ (e & f))) | 0;
  b = (b + (((g >>> 6) | (g << 26)) ^ ((g >>> 11) | (g << 21)) ^ ((g >>> 25) | (g << 7))) + ((g & h) ^ (~g & a)) + K[k + 14]! + w[14]!) | 0;
  f = (f + b) | 0;
  b = (b + (((c >>> 2) | (c << 30)) ^ ((c >>> 13) | (c << 19)) ^ ((c >>> 22) | (c << 10))) + ((c & d) ^ (c & e) ^ (d & e))) | 0;
  a = (a + (((f >>> 6) | (f << 26)) ^ ((f >>> 11) | (f << 21)) ^ ((f >>> 25) | (f << 7))) + ((f & g) ^ (~f & h)) + K[k + 15]! + w[15]!) | 0;
  e = (e + a) | 0;
  a = (a + (((b >>> 2) | (b << 30)) ^ ((b >>> 13) | (b << 19)) ^ ((b >>> 22) | (b << 10))) + ((b & c) ^ (b & d) ^ (c & d))) | 0;
  v[0] = a;
  v[1] = b;
  v[2] = c;
  v[3] = d;
  v[4] = e;
  v[5] = f;
  v[6] = g;
  v[7] = h;
}

/** The next sixteen schedule words, in place of the sixteen before them. */
function expand(w: Int32Array): void {
  let s0: number, s1: number;
  s0 = w[1]!;
  s1 = w[14]!;
  w[0] = (w[0]! + (((s0 >>> 7) | (s0 << 25)) ^ ((s0 >>> 18) | (s0 << 14)) ^ (s0 >>> 3)) + w[9]! + (((s1 >>> 17) | (s1 << 15)) ^ ((s1 >>> 19) | (s1 << 13)) ^ (s1 >>> 10))) | 0;
  s0 = w[2]!;
  s1 = w[15]!;
  w[1] = (w[1]! + (((s0 >>> 7) | (s0 << 25)) ^ ((s0 >>> 18) | (s0 << 14)) ^ (s0 >>> 3)) + w[10]! + (((s1 >>> 17) | (s1 << 15)) ^ ((s1 >>> 19) | (s1 << 13)) ^ (s1 >>> 10))) | 0;
  s0 = w[3]!;
  s1 = w[0]!;
  w[2] = (w[2]! + (((s0 >>> 7) | (s0 << 25)) ^ ((s0 >>> 18) | (s0 << 14)) ^ (s0 >>> 3)) + w[11]! + (((s1 >>> 17) | (s1 << 15)) ^ ((s1 >>> 19) | (s1 << 13)) ^ (s1 >>> 10))) | 0;
  s0 = w[4]!;
  s1 = w[1]!;
  w[3] = (w[3]! + (((s0 >>> 7) | (s0 << 25)) ^ ((s0 >>> 18) | (s0 << 14)) ^ (s0 >>> 3)) + w[12]! + (((s1 >>> 17) | (s1 << 15)) ^ ((s1 >>> 19) | (s1 << 13)) ^ (s1 >>> 10))) | 0;
  s0 = w[5]!;
  s1 = w[2]!;
  w[4] = (w[4]! + (((s0 >>> 7) | (s0 << 25)) ^ ((s0 >>> 18) | (s0 << 14)) ^ (s0 >>> 3)) + w[13]! + (((s1 >>> 17) | (s1 << 15)) ^ ((s1 >>> 19) | (s1 << 13)) ^ (s1 >>> 10))) | 0;
  s0 = w[6]!;
  s1 = w[3]!;
  w[5] = (w[5]! + (((s0 >>> 7) | (s0 << 25)) ^ ((s0 >>> 18) | (s0 << 14)) ^ (s0 >>> 3)) + w[14]! + (((s1 >>> 17) | (s1 << 15)) ^ ((s1 >>> 19) | (s1 << 13)) ^ (s1 >>> 10))) | 0;
  s0 = w[7]!;
  s1 = w[4]!;
  w[6] = (w[6]! + (((s0 >>> 7) | (s0 << 25)) ^ ((s0 >>> 18) | (s0 << 14)) ^ (s0 >>> 3)) + w[15]! + (((s1 >>> 17) | (s1 << 15)) ^ ((s1 >>> 19) | (s1 << 13)) ^ (s1 >>> 10))) | 0;
  s0 = w[8]!;
  s1 = w[5]!;
  w[7] = (w[7]! + (((s0 >>> 7) | (s0 << 25)) ^ ((s0 >>> 18) | (s0 << 14)) ^ (s0 >>> 3)) + w[0] + (((s1 >>> 17) | (s1 << 15)) ^ ((s1 >>> 19) | (s1 << 13)) ^ (s1 >>> 10))) | 0;
  s0 = w[9]!;
  s1 = w[6]!;
  w[8] = (w[8]! + (((s0 >>> 7) | (s0 << 25)) ^ ((s0 >>> 18) | (s0 << 14)) ^ (s0 >>> 3)) + w[1] + (((s1 >>> 17) | (s1 << 15)) ^ ((s1 >>> 19) | (s1 << 13)) ^ (s1 >>> 10))) | 0;
  s0 = w[10]!;
  s1 = w[7]!;
  w[9] = (w[9]! + (((s0 >>> 7) | (s0 << 25)) ^ ((s0 >>> 18) | (s0 << 14)) ^ (s0 >>> 3)) + w[2] + (((s1 >>> 17) | (s1 << 15)) ^ ((s1 >>> 19) | (s1 << 13)) ^ (s1 >>> 10))) | 0;
  s0 = w[11]!;
  s1 = w[8]!;
  w[10] = (w[10]! + (((s0 >>> 7) | (s0 << 25)) ^ ((s0 >>> 18) | (s0 << 14)) ^ (s0 >>> 3)) + w[3] + (((s1 >>> 17) | (s1 << 15)) ^ ((s1 >>> 19) | (s1 << 13)) ^ (s1 >>> 10))) | 0;
  s0 = w[12]!;
  s1 = w[9]!;
  w[11] = (w[11]! + (((s0 >>> 7) | (s0 << 25)) ^ ((s0 >>> 18) | (s0 << 14)) ^ (s0 >>> 3)) + w[4] + (((s1 >>> 17) | (s1 << 15)) ^ ((s1 >>> 19) | (s1 << 13)) ^ (s1 >>> 10))) | 0;
  s0 = w[13]!;
  s1 = w[10]!;
  w[12] = (w[12]! + (((s0 >>> 7) | (s0 << 25)) ^ ((s0 >>> 18) | (s0 << 14)) ^ (s0 >>> 3)) + w[5] + (((s1 >>> 17) | (s1 << 15)) ^ ((s1 >>> 19) | (s1 << 13)) ^ (s1 >>> 10))) | 0;
  s0 = w[14]!;
  s1 = w[11]!;
  w[13] = (w[13]! + (((s0 >>> 7) | (s0 << 25)) ^ ((s0 >>> 18) | (s0 << 14)) ^ (s0 >>> 3)) + w[6] + (((s1 >>> 17) | (s1 << 15)) ^ ((s1 >>> 19) | (s1 << 13)) ^ (s1 >>> 10))) | 0;
  s0 = w[15]!;
  s1 = w[12]!;
  w[14] = (w[14]! + (((s0 >>> 7) | (s0 << 25)) ^ ((s0 >>> 18) | (s0 << 14)) ^ (s0 >>> 3)) + w[7] + (((s1 >>> 17) | (s1 << 15)) ^ ((s1 >>> 19) | (s1 << 13)) ^ (s1 >>> 10))) | 0;
  s0 = w[0]!;
  s1 = w[13]!;
  w[15] = (w[15]! + (((s0 >>> 7) | (s0 << 25)) ^ ((s0 >>> 18) | (s0 << 14)) ^ (s0 >>> 3)) + w[8] + (((s1 >>> 17) | (s1 << 15)) ^ ((s1 >>> 19) | (s1 << 13)) ^ (s1 >>> 10))) | 0;
}

/** The SHA-256 state and the bytes not yet hashed. */
class Sha256State {
  readonly #state = new Int32Array(INITIAL_STATE);
  readonly #block = new Uint8Array(BLOCK_BYTES);
  readonly #w = new Int32Array(16);
  readonly #v = new Int32Array(8);
  #buffered = 0;
  #length = 0;

  update(data: Uint8Array): void {
    this.#length += data.length;
    let offset = 0;
    while (offset < data.length) {
      const take = Math.min(BLOCK_BYTES - this.#buffered, data.length - offset);
      this.#block.set(data.subarray(offset, offset + take), this.#buffered);
      this.#buffered += take;
      offset += take;
      if (this.#buffered === BLOCK_BYTES) {
        this.#compress();
        this.#buffered = 0;
      }
    }
  }

  /** The digest (the state is spent afterwards). */
  digest(): Uint8Array {
    const bits = this.#length * 8;
    const block = this.#block;
    block[this.#buffered++] = 0x80;
    if (this.#buffered > BLOCK_BYTES - 8) {
      block.fill(0, this.#buffered);
      this.#compress();
      this.#buffered = 0;
    }
    block.fill(0, this.#buffered, BLOCK_BYTES - 8);
    const view = new DataView(block.buffer);
    view.setUint32(BLOCK_BYTES - 8, Math.floor(bits / 0x1_0000_0000));
    view.setUint32(BLOCK_BYTES - 4, bits >>> 0);
    this.#compress();
    const out = new Uint8Array(32);
    const outView = new DataView(out.buffer);
    for (let i = 0; i < 8; i++) outView.setInt32(i * 4, this.#state[i]!);
    return out;
  }

  #compress(): void {
    const block = this.#block;
    const w = this.#w;
    for (let i = 0; i < 16; i++) w[i] = (block[i * 4]! << 24) | (block[i * 4 + 1]! << 16) | (block[i * 4 + 2]! << 8) | block[i * 4 + 3]!;
    const v = this.#v;
    v.set(this.#state);
    rounds(v, w, 0);
    for (let k = 16; k < 64; k += 16) {
      expand(w);
      rounds(v, w, k);
    }
    const state = this.#state;
    for (let i = 0; i < 8; i++) state[i] = (state[i]! + v[i]!) | 0;
  }
}

/** SHA-256 of `data`. */
export function sha256(data: Uint8Array): Uint8Array {
  const hash = new Sha256State();
  hash.update(data);
  return hash.digest();
}

/**
 * SHA-256, or HMAC-SHA-256 under `secret`, with the interface `@smithy/signature-v4` asks of its
 * `sha256` option.
 */
export class Sha256 implements Checksum {
  readonly digestLength = 32;
  readonly #outerKey: Uint8Array | undefined;
  readonly #innerKey: Uint8Array | undefined;
  #hash!: Sha256State;

  constructor(secret?: SourceData) {
    if (secret !== undefined) {
      let key = toBytes(secret);
      if (key.length > BLOCK_BYTES) key = sha256(key);
      this.#innerKey = new Uint8Array(BLOCK_BYTES);
      this.#outerKey = new Uint8Array(BLOCK_BYTES);
      for (let i = 0; i < BLOCK_BYTES; i++) {
        this.#innerKey[i] = (key[i] ?? 0) ^ 0x36;
        this.#outerKey[i] = (key[i] ?? 0) ^ 0x5c;
      }
    }
    this.reset();
  }

  update(chunk: Uint8Array): void {
    this.#hash.update(chunk);
  }

  digest(): Promise<Uint8Array> {
    const inner = this.#hash.digest();
    if (this.#outerKey === undefined) return Promise.resolve(inner);
    const outer = new Sha256State();
    outer.update(this.#outerKey);
    outer.update(inner);
    return Promise.resolve(outer.digest());
  }

  reset(): void {
    this.#hash = new Sha256State();
    if (this.#innerKey !== undefined) this.#hash.update(this.#innerKey);
  }
}

function toBytes(data: SourceData): Uint8Array {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}
