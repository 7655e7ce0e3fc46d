// Each optimised ML-DSA kernel of the enclave against a plain reference
// written from FIPS 204 (BigInt arithmetic, the algorithms' own loops), over
// random and worst-case inputs. The kernels are compiled from assembly/ into a
// test module (tests/as/dsa-internals.ts) with the enclave's asc options.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileTestModule } from './helpers/asc.js';
import { shake128 } from '@noble/hashes/sha3.js';
import { Prng } from './helpers/prng.js';

const Q = 8380417;
const G2_88 = (Q - 1) / 88;
const G2_32 = (Q - 1) / 32;
type Fn = (...a: number[]) => number;
let ex: Record<string, Fn> & { memory: WebAssembly.Memory };
let base = 0;

beforeAll(async () => {
  const out = await compileTestModule('tests/as/dsa-internals.ts');
  ex = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(out)), {}).exports as typeof ex;
  base = ex.buf!();
});

const mod = (x: number | bigint) => Number(((BigInt(x) % BigInt(Q)) + BigInt(Q)) % BigInt(Q));
const view = () => new DataView(ex.memory.buffer);
const put = (off: number, c: ArrayLike<number>) => { for (let i = 0; i < c.length; i++) view().setInt32(base + off + 4 * i, c[i]!, true); };
const get = (off: number, n = 256) => Array.from({ length: n }, (_, i) => view().getInt32(base + off + 4 * i, true));
const bytes = (label: string, n: number) => new Prng(label).bytes(n);
function rand(label: string, lo: number, hi: number): number[] {
  const b = bytes(label, 1024);
  return Array.from({ length: 256 }, (_, i) => lo + (new DataView(b.buffer).getUint32(4 * i, true) % (hi - lo + 1)));
}

// ---- FIPS 204 reference -----------------------------------------------------
const brv8 = (i: number) => parseInt(i.toString(2).padStart(8, '0').split('').reverse().join(''), 2);
const powmod = (b: bigint, e: bigint) => { let r = 1n; b %= BigInt(Q); while (e > 0n) { if (e & 1n) r = (r * b) % BigInt(Q); b = (b * b) % BigInt(Q); e >>= 1n; } return r; };
const ZETAS = Array.from({ length: 256 }, (_, m) => Number(powmod(1753n, BigInt(brv8(m)))));
const mulmod = (a: number, b: number) => mod(BigInt(a) * BigInt(b));
/** Algorithm 41. */
function refNtt(w: number[]): number[] {
  const a = w.map(mod);
  let m = 0;
  for (let len = 128; len >= 1; len >>= 1) {
    for (let start = 0; start < 256; start += 2 * len) {
      const z = ZETAS[++m]!;
      for (let j = start; j < start + len; j++) {
        const t = mulmod(z, a[j + len]!);
        a[j + len] = mod(a[j]! - t);
        a[j] = mod(a[j]! + t);
      }
    }
  }
  return a;
}
/** Algorithm 42. */
function refInvNtt(w: number[]): number[] {
  const a = w.map(mod);
  let m = 256;
  for (let len = 1; len < 256; len <<= 1) {
    for (let start = 0; start < 256; start += 2 * len) {
      const z = mod(-ZETAS[--m]!);
      for (let j = start; j < start + len; j++) {
        const t = a[j]!;
        a[j] = mod(t + a[j + len]!);
        a[j + len] = mulmod(z, mod(t - a[j + len]!));
      }
    }
  }
  return a.map((x) => mulmod(x, 8347681));
}
/** Algorithm 36 (mod+- with the q - 1 corner case). */
function refDecompose(r: number, g2: number): [number, number] {
  const rp = mod(r);
  let r0 = rp % (2 * g2);
  if (r0 > g2) r0 -= 2 * g2;
  if (rp - r0 === Q - 1) return [0, r0 - 1];
  return [(rp - r0) / (2 * g2), r0];
}
const R32 = mod(2n ** 32n);
const RINV = Number(powmod(BigInt(R32), BigInt(Q - 2)));

describe('reduce.ts', () => {
  it('fqmulV: a z mod q in [-q/4, 5q/4] for i32 extremes and random a', () => {
    const zs = [1, -1, 25847, -3572223, 3765607, 4190208, -4190208, 16382];
    const as = [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 256 * Q, -256 * Q, 11 * Q, ...rand('fq', -(2 ** 30), 2 ** 30)];
    for (const z of zs) {
      const zb = Number(BigInt.asIntN(32, (BigInt(z) * 2n ** 32n + (z >= 0 ? BigInt(Q >> 1) : -BigInt(Q >> 1))) / BigInt(Q)));
      for (const a of as) {
        const r = ex.t_fqmul!(a | 0, z, zb);
        expect(mod(r), `a=${a} z=${z}`).toBe(mulmod(a, z));
        expect(r).toBeGreaterThanOrEqual(-Math.ceil(Q / 4));
        expect(r).toBeLessThanOrEqual(Math.ceil((5 * Q) / 4));
      }
    }
  });
  it('montReduce64: x 2^-32 mod q with |r| < q for |x| < q 2^31', () => {
    const xs = [0n, 1n, -1n, BigInt(Q) * 2n ** 31n - 1n, -(BigInt(Q) * 2n ** 31n - 1n), 121n * BigInt(Q) ** 2n, -(77n * BigInt(Q) ** 2n)];
    for (const x of xs) {
      const lo = Number(BigInt.asIntN(32, x));
      const hi = Number(BigInt.asIntN(32, x >> 32n));
      const r = ex.t_montreduce!(lo, hi);
      expect(mod(r), `x=${x}`).toBe(mulmod(mod(x), RINV));
      expect(Math.abs(r)).toBeLessThan(Q);
    }
  });
});

describe('ntt.ts against FIPS 204 Algorithms 41, 42, 45', () => {
  it('ntt equals the reference, output below 11q, for random and extreme inputs', () => {
    for (const f of [rand('ntt', -(Q - 1), Q - 1), Array(256).fill(Q - 1), Array(256).fill(-(Q - 1))]) {
      put(0, f);
      ex.t_ntt!(0);
      const got = get(0);
      expect(got.map(mod)).toEqual(refNtt(f));
      for (const c of got) expect(Math.abs(c)).toBeLessThan(11 * Q);
    }
  });
  it('invntt equals 2^32 times the reference inverse, output in [-q/4, 5q/4]', () => {
    for (const f of [rand('inv', -(Q - 1), Q - 1), Array(256).fill(Q - 1), Array(256).fill(-(Q - 1))]) {
      put(0, f);
      ex.t_invntt!(0);
      const got = get(0);
      expect(got.map(mod)).toEqual(refInvNtt(f).map((x) => mulmod(x, R32)));
      for (const c of got) {
        expect(c).toBeGreaterThanOrEqual(-Math.ceil(Q / 4));
        expect(c).toBeLessThanOrEqual(Math.ceil((5 * Q) / 4));
      }
    }
  });
  it('pointwiseAcc: 2^-32 sum a_j b_j for n = 1..7 at the bounds the callers use', () => {
    for (let n = 1; n <= 7; n++) {
      const a: number[][] = [], b: number[][] = [];
      for (let j = 0; j < n; j++) {
        a.push(n === 7 ? Array(256).fill(Q - 1) : rand(`pa${n}${j}`, 0, Q - 1));
        b.push(n === 7 ? Array(256).fill(-(11 * Q - 1)) : rand(`pb${n}${j}`, -(11 * Q - 1), 11 * Q - 1));
        put(4096 + 1024 * j, a[j]!);
        put(16384 + 1024 * j, b[j]!);
      }
      ex.t_pointwise!(0, 4096, 16384, n);
      const got = get(0);
      for (let i = 0; i < 256; i++) {
        let s = 0n;
        for (let j = 0; j < n; j++) s += BigInt(a[j]![i]!) * BigInt(b[j]![i]!);
        expect(mod(got[i]!), `n=${n} i=${i}`).toBe(mulmod(mod(s), RINV));
        expect(Math.abs(got[i]!)).toBeLessThan(Q);
      }
    }
  });
});

describe('poly.ts against FIPS 204 section 7.4', () => {
  for (const g2 of [G2_88, G2_32]) {
    it(`Decompose (gamma2 = ${g2}) for 2^16 values in [0, q) including every boundary`, () => {
      const xs: number[] = [];
      for (let k = 0; k <= (Q - 1) / (2 * g2); k++) for (const d of [-2, -1, 0, 1, 2]) { const x = k * 2 * g2 + g2 + d; if (x >= 0 && x < Q) xs.push(x); }
      xs.push(0, 1, Q - 2, Q - 1, Q - 1 - g2, Q - g2);
      const r = new Prng(`dec${g2}`);
      while (xs.length % 256 !== 0 || xs.length < 65536) xs.push(new DataView(r.bytes(4).buffer).getUint32(0, true) % Q);
      for (let s = 0; s < xs.length; s += 256) {
        const chunk = xs.slice(s, s + 256);
        put(0, chunk);
        ex.t_decompose!(1024, 2048, 0, g2);
        const a1 = get(1024), a0 = get(2048);
        chunk.forEach((x, i) => expect([a1[i], a0[i]], `x=${x}`).toEqual(refDecompose(x, g2)));
      }
    });
  }
  it('Power2Round for every residue class boundary and random values', () => {
    const xs = [0, 1, 4095, 4096, 4097, 8191, 8192, Q - 1, ...rand('p2r', 0, Q - 1)].slice(0, 256);
    while (xs.length < 256) xs.push(xs.length);
    put(0, xs);
    ex.t_p2r!(1024, 2048, 0);
    const a1 = get(1024), a0 = get(2048);
    xs.forEach((x, i) => {
      let r0 = x % 8192;
      if (r0 > 4096) r0 -= 8192;
      expect([a1[i], a0[i]], `x=${x}`).toEqual([(x - r0) / 8192, r0]);
    });
  });
  it('MakeHint (the reference form) and UseHint (Algorithm 40) against their definitions', () => {
    for (const g2 of [G2_88, G2_32]) {
      // MakeHint in the reference form: h = [a0 > g2 or a0 < -g2 or (a0 = -g2 and a1 != 0)]
      const a0 = rand(`mh0${g2}`, -g2 - 3, g2 + 3).map((x, i) => (i < 4 ? [g2, -g2, g2 + 1, -g2 - 1][i]! : x));
      const a1 = rand(`mh1${g2}`, 0, 2);
      put(0, a0);
      put(1024, a1);
      const count = ex.t_makehint!(2048, 0, 1024, g2);
      const h = get(2048);
      const want = a0.map((x, i) => (x > g2 || x < -g2 || (x === -g2 && a1[i] !== 0) ? 1 : 0));
      expect(h).toEqual(want);
      expect(count).toBe(want.reduce((s, x) => s + x, 0));
      // UseHint (Algorithm 40) on random r and hints.
      const r = rand(`uh${g2}`, 0, Q - 1);
      const hh = rand(`uhh${g2}`, 0, 1);
      put(0, r);
      put(1024, hh);
      ex.t_usehint!(0, 1024, 4096, g2);
      const m = (Q - 1) / (2 * g2);
      expect(get(0)).toEqual(r.map((x, i) => {
        const [r1, r0] = refDecompose(x, g2);
        if (hh[i] === 0) return r1;
        return r0 > 0 ? (r1 + 1) % m : (r1 - 1 + m) % m;
      }));
    }
  });
  it('ChkNorm flags exactly the polynomials with some |a| >= bound', () => {
    const p = rand('cn', -99, 99);
    put(0, p);
    expect(ex.t_chknorm!(0, 100)).toBe(0);
    expect(ex.t_chknorm!(0, 99)).toBe(p.some((x) => Math.abs(x) >= 99) ? 1 : 0);
    for (const at of [0, 100, 255]) {
      put(0, p.map((x, i) => (i === at ? -100 : x)));
      expect(ex.t_chknorm!(0, 100)).toBe(1);
    }
  });
});

describe("poly.ts: the signing attempt's fused steps against the primitives' definitions", () => {
  /** reduce32 (the reference's): a - round(a / 2^23) q. */
  const reduce32 = (a: number) => a - ((a + (1 << 22)) >> 23) * Q;
  const lo = -Math.ceil(Q / 4), hi = Math.ceil((5 * Q) / 4);
  /** 256 values in [lo, hi] (the NTT^-1 outputs the callers pass) with the ends first. */
  const wide = (label: string) => rand(label, lo, hi).map((x, i) => [lo, hi, 0, Q - 1, Q, -1][i] ?? x);
  for (const g2 of [G2_88, G2_32]) {
    it(`HighBits of an unfrozen w (gamma2 = ${g2}), w unchanged`, () => {
      const w = wide(`hb${g2}`);
      put(0, w);
      ex.t_highbits!(1024, 0, g2);
      expect(get(1024)).toEqual(w.map((x) => refDecompose(x, g2)[0]));
      expect(get(0)).toEqual(w);
    });
    it(`LowBits(w - cs2) and its bound check (gamma2 = ${g2})`, () => {
      const w = wide(`lbw${g2}`), c = wide(`lbc${g2}`);
      put(0, w);
      put(1024, c);
      const want = w.map((x, i) => refDecompose(x - c[i]!, g2)[1]);
      const max = Math.max(...want.map(Math.abs));
      expect(ex.t_lowbitschk!(2048, 0, 1024, g2, max + 1)).toBe(0);
      expect(get(2048)).toEqual(want);
      expect(ex.t_lowbitschk!(2048, 0, 1024, g2, max)).toBe(1);
      expect(get(0)).toEqual(w);
    });
    it(`MakeHint over r0 + ct0 equals MakeHint over their sum (gamma2 = ${g2})`, () => {
      const r0 = rand(`mhs0${g2}`, -g2, g2), ct0 = rand(`mhs1${g2}`, -g2, g2);
      ct0[0] = g2 - r0[0]!; ct0[1] = -g2 - r0[1]!; ct0[2] = g2 + 1 - r0[2]!; // the boundaries
      const w1 = rand(`mhs2${g2}`, 0, 2);
      put(0, r0);
      put(1024, ct0);
      put(2048, w1);
      const count = ex.t_makehintsum!(4096, 0, 1024, 2048, g2);
      const want = r0.map((x, i) => { const a = x + ct0[i]!; return a > g2 || a < -g2 || (a === -g2 && w1[i] !== 0) ? 1 : 0; });
      expect(get(4096)).toEqual(want);
      expect(count).toBe(want.reduce((s, x) => s + x, 0));
    });
  }
  it('z = reduce32(a + b) and its bound check', () => {
    const a = wide('arc-a'), b = rand('arc-b', -(1 << 19), 1 << 19);
    put(0, a);
    put(1024, b);
    const want = a.map((x, i) => reduce32(x + b[i]!));
    const max = Math.max(...want.map(Math.abs));
    expect(ex.t_addreducechk!(2048, 0, 1024, max + 1)).toBe(0);
    expect(get(2048)).toEqual(want);
    expect(ex.t_addreducechk!(2048, 0, 1024, max)).toBe(1);
    // In place, as the caller runs it (z = z + y).
    put(2048, a);
    ex.t_addreducechk!(2048, 2048, 1024, max + 1);
    expect(get(2048)).toEqual(want);
  });
  it('reduce32 in place and its bound check, with the one largest coefficient at each end', () => {
    const a = wide('rc');
    const want = a.map(reduce32);
    const max = Math.max(...want.map(Math.abs));
    put(0, a);
    expect(ex.t_reducechk!(0, max + 1)).toBe(0);
    expect(get(0)).toEqual(want);
    const big = a[want.findIndex((x) => Math.abs(x) === max)]!;
    for (const at of [0, 255]) {
      put(0, a.map((_, i) => (i === at ? big : 0)));
      expect(ex.t_reducechk!(0, max)).toBe(1);
      put(0, a.map((_, i) => (i === at ? big : 0)));
      expect(ex.t_reducechk!(0, max + 1)).toBe(0);
    }
  });
});

describe('packing.ts: BitPack / BitUnpack round trips against the bit-string definition', () => {
  const cases = [
    { bits: 3, off: 2, neg: true }, { bits: 4, off: 4, neg: true }, { bits: 13, off: 4096, neg: true },
    { bits: 10, off: 0, neg: false }, { bits: 4, off: 0, neg: false }, { bits: 6, off: 0, neg: false },
    { bits: 18, off: 1 << 17, neg: true }, { bits: 20, off: 1 << 19, neg: true },
  ];
  for (const c of cases) {
    it(`${c.bits} bits, ${c.neg ? `BitPack(b = ${c.off})` : 'SimpleBitPack'}`, () => {
      const vals = rand(`pk${c.bits}`, 0, 2 ** c.bits - 1);
      const coeffs = vals.map((v) => (c.neg ? c.off - v : v));
      put(0, coeffs);
      ex.t_pack!(4096, 0, c.bits, c.off, c.neg ? 1 : 0);
      // The bit-string definition: value i occupies bits [bits i, bits (i + 1)), LSB first.
      let big = 0n;
      vals.forEach((v, i) => { big |= BigInt(v) << BigInt(c.bits * i); });
      const want = Array.from({ length: 32 * c.bits }, (_, i) => Number((big >> BigInt(8 * i)) & 255n));
      expect(Array.from(new Uint8Array(ex.memory.buffer, base + 4096, 32 * c.bits))).toEqual(want);
      ex.t_unpack!(8192, 4096, c.bits, c.off, c.neg ? 1 : 0);
      expect(get(8192)).toEqual(coeffs);
      if (c.bits >= 18) {
        ex.t_unpackg1!(12288, 4096, c.bits);
        expect(get(12288)).toEqual(coeffs);
        // It reads exactly 32 bits bytes: packed data ending at the end of
        // memory unpacks without a trap (a read past it would be out of bounds).
        const len = 32 * c.bits;
        const end = ex.memory.buffer.byteLength - base;
        new Uint8Array(ex.memory.buffer, base + end - len, len).set(new Uint8Array(ex.memory.buffer, base + 4096, len));
        ex.t_unpackg1!(12288, end - len, c.bits);
        expect(get(12288)).toEqual(coeffs);
      }
    });
  }
});

describe('sampling.ts', () => {
  it('RejNTTPoly (SIMD path with scalar fallback) against Algorithm 30 over 100 seeds', () => {
    for (let s = 0; s < 100; s++) {
      const seed = bytes(`rej${s}`, 34);
      new Uint8Array(ex.memory.buffer).set(seed, base + 8192);
      ex.t_rejntt!(0, 8192);
      const stream = shake128(seed, { dkLen: 168 * 8 });
      const want: number[] = [];
      for (let i = 0; want.length < 256; i += 3) {
        const t = (stream[i]! | (stream[i + 1]! << 8) | (stream[i + 2]! << 16)) & 0x7fffff;
        if (t < Q) want.push(t);
      }
      expect(get(0)).toEqual(want);
    }
  });
});

describe('tables.ts', () => {
  it('is what scripts/gen-mldsa-tables.mjs generates', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'awre-dtab-')), 'tables.ts');
    execFileSync(process.execPath, ['scripts/gen-mldsa-tables.mjs', out]);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync('assembly/mldsa/tables.ts', 'utf8'));
  });
});
