// Differential tests of awre's FIPS 202 hashes against @noble/hashes 2.x
// (sha3.js): one-shot and incremental hashing, XOF output of any length,
// inputs and outputs around the enclave's I/O window (65536 bytes; the host
// streams anything larger than half of it), clone(), digestInto() and the
// hash properties. Inputs come from a seeded generator (tests/helpers/prng.ts).
import { describe, expect, it } from 'vitest';
import * as nh from '@noble/hashes/sha3.js';
import * as A from '../host/index.js';
import { bytesToHex } from './helpers/hex.js';
import { shakeMct } from './helpers/acvp-sha3.js';
import { DEFAULT_SEED, Prng } from './helpers/prng.js';

const { Keccak: NobleKeccak } = nh;
const { hashBits, sha3_256, sha3_512, shake128, shake256 } = A;

const hex = bytesToHex;

type AnyHash = A.CHash | A.CHashXOF;
type NobleHash = typeof nh.sha3_256 | typeof nh.shake256;

const HASHES: { name: string; awre: AnyHash; noble: NobleHash; xof: boolean }[] = [
  { name: 'sha3_224', awre: A.sha3_224, noble: nh.sha3_224, xof: false },
  { name: 'sha3_256', awre: A.sha3_256, noble: nh.sha3_256, xof: false },
  { name: 'sha3_384', awre: A.sha3_384, noble: nh.sha3_384, xof: false },
  { name: 'sha3_512', awre: A.sha3_512, noble: nh.sha3_512, xof: false },
  { name: 'shake128', awre: A.shake128, noble: nh.shake128, xof: true },
  { name: 'shake256', awre: A.shake256, noble: nh.shake256, xof: true },
];
const XOFS = HASHES.filter((h) => h.xof) as { name: string; awre: A.CHashXOF; noble: typeof nh.shake256 }[];

const WINDOW = 65536;
const BOUNDARY_LENGTHS = [32767, 32768, 32769, 65535, 65536, 65537, 200000];

// One random buffer; messages are views into it at varying offsets.
const rng = new Prng(`${DEFAULT_SEED}/diff-sha3`);
const POOL = rng.bytes(WINDOW * 4 + 1024);

describe('properties', () => {
  for (const { name, awre, noble } of HASHES) {
    it(`${name}: outputLen, blockLen, canXOF, oid, create()`, () => {
      expect(awre.outputLen).toBe(noble.outputLen);
      expect(awre.blockLen).toBe(noble.blockLen);
      expect(awre.canXOF).toBe(noble.canXOF);
      expect(hex(awre.oid)).toBe(hex((noble as unknown as { oid: Uint8Array }).oid));
      const a = awre.create(), n = noble.create();
      expect(a.outputLen).toBe(n.outputLen);
      expect(a.blockLen).toBe(n.blockLen);
      expect(a.canXOF).toBe(n.canXOF);
    });
  }

  it('known answers for the empty message (FIPS 202 examples)', () => {
    const empty = new Uint8Array(0);
    expect(hex(A.sha3_224(empty))).toBe('6b4e03423667dbb73b6e15454f0eb1abd4597f9a1b078e3f5b5a6bc7');
    expect(hex(A.sha3_256(empty))).toBe('a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a');
    expect(hex(A.sha3_384(empty))).toBe('0c63a75b845e4f7d01107d852e4c2485c51a50aaaa94fc61995e71bbee983a2ac3713831264adb47fb6bd1e058d5f004');
    expect(hex(A.sha3_512(empty))).toBe('a69f73cca23a9ac5c8b567dc185a756e97c982164fe25859e0d1dcc1475c80a615b2123af1f5f94c11e3e9402c3ac558f500199d95b6d3e301758586281dcd26');
    expect(hex(A.shake128(empty, { dkLen: 32 }))).toBe('7f9c2ba4e88f827d616045507605853ed73b8093f6efbc88eb1a6eacfa66ef26');
    expect(hex(A.shake256(empty, { dkLen: 64 }))).toBe('46b9dd2b0ba88d13233b3feb743eeb243fcd52ea62b81b82b50c27646ed5762fd75dc4ddd8c0f200cb05019d67b592f6fc821c49479ab48640292eacb3b7c4be');
  });

  it('shake create({ dkLen }) sets outputLen and digest length', () => {
    for (const { awre, noble } of XOFS) {
      for (const dkLen of [0, 1, 17, 100, 1000]) {
        const a = awre.create({ dkLen });
        expect(a.outputLen).toBe(dkLen);
        const msg = POOL.subarray(0, 50);
        expect(hex(a.update(msg).digest())).toBe(hex(noble.create({ dkLen }).update(msg).digest()));
      }
      // Empty options and an undefined dkLen mean the default length.
      const msg = POOL.subarray(0, 10);
      expect(hex(awre(msg, {}))).toBe(hex(noble(msg)));
      expect(hex(awre(msg, { dkLen: undefined }))).toBe(hex(noble(msg)));
      expect(awre.create({}).outputLen).toBe(noble.outputLen);
    }
  });
});

describe('one-shot, message lengths 0..1000', () => {
  for (const { name, awre, noble } of HASHES) {
    it(name, () => {
      for (let len = 0; len <= 1000; len++) {
        const off = len % 13; // unaligned views too
        const msg = POOL.subarray(off, off + len);
        expect(hex(awre(msg)), `${name} len=${len}`).toBe(hex(noble(msg)));
      }
    });
  }
});

describe('one-shot, lengths around the I/O window', () => {
  const lengths = [16383, 16384, 16385, ...BOUNDARY_LENGTHS, 98304, 131072, 131073];
  for (const { name, awre, noble } of HASHES) {
    describe(name, () => {
      for (const len of lengths) {
        it(`${len} bytes`, () => {
          const msg = len + 1 <= POOL.length ? POOL.subarray(1, 1 + len) : new Prng(`${DEFAULT_SEED}/big/${len}`).bytes(len);
          const want = hex(noble(msg));
          // Incremental first, so that a one-shot failure still shows this result.
          expect(hex(awre.create().update(msg).digest()), `${name} create().update() len=${len}`).toBe(want);
          expect(hex(awre(msg)), `${name} one-shot len=${len}`).toBe(want);
          const copy = msg.slice(); // a fresh, zero-offset buffer
          expect(hex(awre(copy)), `${name} one-shot (copy) len=${len}`).toBe(want);
        });
      }
    });
  }
});

describe('SHAKE output lengths', () => {
  for (const { name, awre, noble } of XOFS) {
    it(`${name}: dkLen 0..600 for several messages`, () => {
      for (const mlen of [0, 1, 31, 136, 167, 168, 169, 500]) {
        const msg = POOL.subarray(7, 7 + mlen);
        const full = noble(msg, { dkLen: 600 });
        for (let dkLen = 0; dkLen <= 600; dkLen++) {
          const out = awre(msg, { dkLen });
          expect(out.length).toBe(dkLen);
          expect(hex(out), `${name} mlen=${mlen} dkLen=${dkLen}`).toBe(hex(full.subarray(0, dkLen)));
        }
      }
    });

    it(`${name}: large dkLen around the I/O window`, () => {
      const msg = POOL.subarray(0, 100);
      const big = noble(msg, { dkLen: 300000 });
      for (const dkLen of [1000, 4096, 32767, 32768, 32769, 65535, 65536, 65537, 200000, 300000]) {
        const out = awre(msg, { dkLen });
        expect(out.length).toBe(dkLen);
        expect(hex(out) === hex(big.subarray(0, dkLen)), `${name} dkLen=${dkLen}`).toBe(true);
        const x = awre.create().update(msg).xof(dkLen);
        expect(hex(x) === hex(big.subarray(0, dkLen)), `${name} xof(${dkLen})`).toBe(true);
      }
      // A large message and a large output together.
      const bigMsg = rng.bytes(70000);
      expect(hex(awre(bigMsg, { dkLen: 70000 })) === hex(noble(bigMsg, { dkLen: 70000 })), `${name} 70000 -> 70000`).toBe(true);
    });
  }
});

describe('incremental update() with random splits', () => {
  for (const { name, awre, noble } of HASHES) {
    it(name, () => {
      const r = new Prng(`${DEFAULT_SEED}/diff-sha3-splits/${name}`);
      for (let t = 0; t < 60; t++) {
        const total = t < 40 ? r.int(3000) : r.int(150000);
        const off = r.int(64);
        const msg = total + off <= POOL.length ? POOL.subarray(off, off + total) : r.bytes(total);
        const h = awre.create();
        const cuts: number[] = [];
        for (let pos = 0; pos < total;) {
          // Empty updates, single bytes, rate-sized and window-sized pieces.
          const kind = r.int(6);
          const n = kind === 0 ? 0 : kind === 1 ? 1 : kind === 2 ? awre.blockLen : kind === 3 ? r.int(40000) : r.int(400);
          const take = Math.min(n, total - pos);
          h.update(msg.subarray(pos, pos + take));
          cuts.push(take);
          pos += take;
        }
        expect(hex(h.digest()), `${name} seed="${r.seed}" t=${t} total=${total} cuts=${cuts.join(',')}`).toBe(hex(noble(msg)));
      }
    });
  }
});

describe('xof() called repeatedly', () => {
  for (const { name, awre, noble } of XOFS) {
    it(name, () => {
      const r = new Prng(`${DEFAULT_SEED}/diff-sha3-xof/${name}`);
      for (let t = 0; t < 30; t++) {
        const msg = POOL.subarray(0, r.int(400));
        const a = awre.create().update(msg);
        const n = noble.create().update(msg);
        const sizes: number[] = [];
        for (let k = 0; k < 12; k++) {
          const kind = r.int(5);
          const size = kind === 0 ? 0 : kind === 1 ? 1 : kind === 2 ? awre.blockLen - 1 : kind === 3 ? r.int(40000) : r.int(300);
          sizes.push(size);
          expect(hex(a.xof(size)), `${name} t=${t} sizes=${sizes.join(',')}`).toBe(hex(n.xof(size)));
        }
        // xofInto with an existing buffer continues the same stream.
        const outA = new Uint8Array(77), outN = new Uint8Array(77);
        a.xofInto(outA);
        n.xofInto(outN);
        expect(hex(outA)).toBe(hex(outN));
      }
    });
  }
});

describe('clone()', () => {
  for (const { name, awre, noble } of HASHES) {
    it(`${name}: clones mid-absorb diverge independently`, () => {
      const m1 = POOL.subarray(0, 1000), m2 = POOL.subarray(1000, 1333), m3 = POOL.subarray(2000, 2100);
      const h = awre.create().update(m1);
      const c = h.clone();
      expect(c).not.toBe(h);
      expect(c.outputLen).toBe(h.outputLen);
      expect(c.blockLen).toBe(h.blockLen);
      expect(c.canXOF).toBe(h.canXOF);
      h.update(m2);
      c.update(m3);
      const c2 = c.clone();
      expect(hex(h.digest())).toBe(hex(noble.create().update(m1).update(m2).digest()));
      expect(hex(c.digest())).toBe(hex(noble.create().update(m1).update(m3).digest()));
      // The clone of c taken before c.digest() is unaffected by it.
      expect(hex(c2.digest())).toBe(hex(noble.create().update(m1).update(m3).digest()));
      // A clone of a fresh object.
      expect(hex(awre.create().clone().update(m1).digest())).toBe(hex(noble(m1)));
    });
  }

  for (const { name, awre, noble } of XOFS) {
    it(`${name}: clone during squeezing continues the stream`, () => {
      const msg = POOL.subarray(0, 300);
      const h = awre.create().update(msg);
      const n = noble.create().update(msg);
      expect(hex(h.xof(1000))).toBe(hex(n.xof(1000)));
      const c = h.clone();
      const next = n.xof(500);
      expect(hex(c.xof(500))).toBe(hex(next));
      expect(hex(h.xof(500))).toBe(hex(next));
    });
  }
});

describe('digestInto()', () => {
  for (const { name, awre, noble } of HASHES) {
    it(name, () => {
      const msg = POOL.subarray(0, 333);
      const want = noble(msg);
      // Exact size.
      const exact = new Uint8Array(awre.outputLen);
      awre.create().update(msg).digestInto(exact);
      expect(hex(exact)).toBe(hex(want));
      // Oversized: only outputLen bytes written, the rest untouched.
      const big = new Uint8Array(awre.outputLen + 10).fill(0xee);
      awre.create().update(msg).digestInto(big);
      expect(hex(big.subarray(0, awre.outputLen))).toBe(hex(want));
      expect(big.subarray(awre.outputLen).every((b) => b === 0xee)).toBe(true);
      // A view at an offset.
      const buf = new Uint8Array(awre.outputLen + 3).fill(0x11);
      awre.create().update(msg).digestInto(buf.subarray(3));
      expect(hex(buf.subarray(3))).toBe(hex(want));
      expect(hex(buf.subarray(0, 3))).toBe('111111');
      // Too small: RangeError (as noble), and the object is still usable.
      const h = awre.create().update(msg);
      expect(() => h.digestInto(new Uint8Array(awre.outputLen - 1))).toThrow(RangeError);
      expect(() => noble.create().update(msg).digestInto(new Uint8Array(awre.outputLen - 1))).toThrow(RangeError);
      expect(hex(h.digest())).toBe(hex(want));
    });
  }
});

describe('many live hash objects and other enclave calls in between', () => {
  it('interleaved updates on 12 objects agree with noble', () => {
    const r = new Prng(`${DEFAULT_SEED}/diff-sha3-interleave`);
    const live = HASHES.flatMap((h) => [0, 1].map(() => ({ ...h, a: h.awre.create(), n: h.noble.create() })));
    for (let step = 0; step < 400; step++) {
      const o = live[r.int(live.length)]!;
      const len = r.int(5) === 0 ? r.int(50000) : r.int(500);
      const off = r.int(1000);
      const msg = POOL.subarray(off, off + len);
      o.a.update(msg);
      o.n.update(msg);
      // Unrelated one-shot hashing and an ML-KEM call use the I/O window
      // meanwhile (one-shot SHAKE for big inputs: it streams through HCTX too).
      if (step % 7 === 0) {
        if (msg.length <= WINDOW / 2) expect(hex(A.sha3_256(msg))).toBe(hex(nh.sha3_256(msg)));
        else expect(hex(A.shake256(msg))).toBe(hex(nh.shake256(msg)));
      }
      if (step % 50 === 0) A.ml_kem512.keygen(new Uint8Array(64).fill(step & 0xff));
    }
    for (const o of live) {
      if (o.xof) expect(hex(o.a.xof(100)), o.name).toBe(hex((o.n as nh.Keccak).xof(100)));
      else expect(hex(o.a.digest()), o.name).toBe(hex(o.n.digest()));
    }
  });
});

describe('SHAKE Monte Carlo (ACVP algorithm) against noble', () => {
  // The ACVP SHAKE vector files here have no MCT group; this runs the same
  // algorithm on both implementations instead.
  for (const { name, awre, noble } of XOFS) {
    it(`${name}: 100 x 1000 iterations, output 16..1024 bytes`, () => {
      const seed = POOL.subarray(0, 16);
      const a = shakeMct((m, n) => awre(m, { dkLen: n }), seed, 128, 8192);
      const n = shakeMct((m, k) => noble(m, { dkLen: k }), seed, 128, 8192);
      expect(a).toHaveLength(100);
      expect(n).toHaveLength(100);
      for (let j = 0; j < 100; j++) {
        expect(a[j]!.outLen, `j=${j}`).toBe(n[j]!.outLen);
        expect(hex(a[j]!.md), `j=${j}`).toBe(hex(n[j]!.md));
      }
    });
  }
});

describe('hashBits: messages of any bit length against @noble/hashes Keccak with the folded suffix', () => {
  // Independent sponge: noble's Keccak class takes the delimited suffix byte;
  // the message's last r bits (MSB-aligned, ACVP packing) are folded below the
  // hash's suffix. Lengths cover every remainder around block ends, including
  // a suffix whose pad bit is the block's last bit (the extra-permutation case).
  const cases = [
    { name: 'sha3_256', h: sha3_256, rate: 136, suffix: 0x06, out: 32 },
    { name: 'sha3_512', h: sha3_512, rate: 72, suffix: 0x06, out: 64 },
    { name: 'shake128', h: shake128, rate: 168, suffix: 0x1f, out: 40 },
    { name: 'shake256', h: shake256, rate: 136, suffix: 0x1f, out: 300 },
  ] as const;
  for (const c of cases) {
    it(`${c.name}: every bit length 0..${2 * c.rate * 8 + 24}`, () => {
      const msg = new Prng(`${DEFAULT_SEED}/bits/${c.name}`).bytes(2 * c.rate + 3);
      for (let bits = 0; bits <= 2 * c.rate * 8 + 24; bits++) {
        const whole = bits >> 3, r = bits & 7;
        const tail = r === 0 ? 0 : msg[whole]! >> (8 - r);
        const folded = tail | (c.suffix << r);
        const k = new NobleKeccak(c.rate, folded < 0x100 ? folded : folded >> 8, c.out, true);
        k.update(msg.subarray(0, whole));
        if (folded >= 0x100) k.update(Uint8Array.of(folded & 0xff));
        const want = k.xof(c.out);
        const got = c.h.canXOF ? hashBits(c.h, msg, bits, { dkLen: c.out }) : hashBits(c.h, msg, bits);
        expect(bytesToHex(got), `${c.name} ${bits} bits`).toBe(bytesToHex(want));
      }
    });
  }
  it('refuses a bit length longer than the message', () => {
    expect(() => hashBits(sha3_256, new Uint8Array(2), 17)).toThrow(RangeError);
    expect(() => hashBits(sha3_256, new Uint8Array(2), -1)).toThrow(RangeError);
    expect(() => hashBits(sha3_256, 'ab' as unknown as Uint8Array, 8)).toThrow(TypeError);
  });
});
