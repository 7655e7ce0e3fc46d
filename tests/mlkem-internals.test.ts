// Each optimised ML-KEM kernel of the enclave against a plain reference:
// FIPS 203 as @noble/post-quantum implements it (its __tests export), or the
// exact formula, over every input where that is feasible. The kernels are
// compiled from assembly/ into a test module (tests/as/internals.ts) with the
// enclave's own asc options.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileTestModule } from './helpers/asc.js';
import { __tests as ref } from '@noble/post-quantum/ml-kem.js';
import { Prng } from './helpers/prng.js';

const seededBytes = (label: string, n: number): Uint8Array => new Prng(label).bytes(n);

const Q = 3329;
type Fn = (...a: number[]) => number;
let ex: Record<string, Fn> & { memory: WebAssembly.Memory };
let mem: DataView;
let base = 0;

beforeAll(async () => {
  const out = await compileTestModule('tests/as/internals.ts');
  const inst = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(out)), {});
  ex = inst.exports as typeof ex;
  mem = new DataView(ex.memory.buffer);
  base = ex.buf!();
});

const mod = (x: number) => ((x % Q) + Q) % Q;
function putPoly(off: number, c: ArrayLike<number>): void {
  for (let i = 0; i < 256; i++) mem.setInt16(base + off + 2 * i, c[i]!, true);
}
function getPoly(off: number): number[] {
  return Array.from({ length: 256 }, (_, i) => mem.getInt16(base + off + 2 * i, true));
}
function putBytes(off: number, b: Uint8Array): void {
  new Uint8Array(ex.memory.buffer).set(b, base + off);
}
function getBytes(off: number, n: number): Uint8Array {
  return new Uint8Array(ex.memory.buffer).slice(base + off, base + off + n);
}
/** A polynomial with coefficients drawn in [lo, hi]. */
function randPoly(seed: string, lo: number, hi: number): number[] {
  const b = seededBytes(seed, 512);
  return Array.from({ length: 256 }, (_, i) => lo + (((b[2 * i]! << 8) | b[2 * i + 1]!) % (hi - lo + 1)));
}

describe('reduce.ts', () => {
  it('barrettV: x mod q with |r| <= 0.66 q for every i16', () => {
    for (let x = -32768; x <= 32767; x++) {
      const r = ex.t_barrett!(x);
      expect(mod(r - x)).toBe(0);
      expect(Math.abs(r)).toBeLessThanOrEqual(Math.floor(0.66 * Q));
    }
  });
  it('fqmulV: a z mod q with |r| <= q for every i16 a and every zeta', () => {
    const zs = [1, -1600, 17, 1664, -1664, 2285, 512, -266];
    for (const z of zs) {
      const zb = Math.round((z * 32768) / Q);
      for (let a = -32768; a <= 32767; a += 7) {
        const r = ex.t_fqmul!(a, z, zb);
        expect(mod(r - a * z)).toBe(0);
        expect(Math.abs(r)).toBeLessThanOrEqual(Q);
      }
    }
  });
});

describe('ntt.ts against FIPS 203 Algorithms 9-11', () => {
  it('ntt equals the reference NTT mod q, with |output| <= 0.66 q (worst-case inputs too)', () => {
    const inputs = [randPoly('ntt-a', -Q, Q), randPoly('ntt-b', 0, Q - 1), Array(256).fill(Q), Array(256).fill(-Q)];
    for (const f of inputs) {
      putPoly(0, f);
      ex.t_ntt!(0);
      const got = getPoly(0);
      const want = Array.from(ref.NTT(Uint16Array.from(f.map(mod))) as Uint16Array);
      expect(got.map(mod)).toEqual(want);
      for (const c of got) expect(Math.abs(c)).toBeLessThanOrEqual(Math.floor(0.66 * Q));
    }
  });
  it('invntt equals 2^16 times the reference inverse NTT, |output| <= q', () => {
    for (const f of [randPoly('inv-a', -(Q - 1), Q - 1), Array(256).fill(Q - 1), Array(256).fill(-(Q - 1))]) {
      putPoly(0, f);
      ex.t_invntt!(0);
      const got = getPoly(0);
      const want = Array.from(ref.NTT_inv(Uint16Array.from(f.map(mod))) as Uint16Array).map((x) => mod(x * 65536));
      expect(got.map(mod)).toEqual(want);
      for (const c of got) expect(Math.abs(c)).toBeLessThanOrEqual(Q);
    }
  });
  it('basemulAcc equals 2^-16 sum of MultiplyNTTs, k = 1..4, at the coefficient bounds', () => {
    const rInv = 169; // 2^-16 mod q
    expect(mod(rInv * 65536)).toBe(1);
    for (let k = 1; k <= 4; k++) {
      for (const extreme of [false, true]) {
        const a: number[][] = [], b: number[][] = [];
        for (let j = 0; j < k; j++) {
          a.push(extreme ? Array(256).fill(Q - 1) : randPoly(`bm-a-${k}-${j}`, 0, Q - 1));
          b.push(extreme ? Array(256).fill(-Math.floor(0.66 * Q)) : randPoly(`bm-b-${k}-${j}`, -Math.floor(0.66 * Q), Math.floor(0.66 * Q)));
          putPoly(4096 + 512 * j, a[j]!);
          putPoly(8192 + 512 * j, b[j]!);
        }
        ex.t_basemul!(0, 4096, 8192, 16384, k);
        const want = Array(256).fill(0);
        for (let j = 0; j < k; j++) {
          const p = ref.MultiplyNTTs(Uint16Array.from(a[j]!), Uint16Array.from(b[j]!.map(mod))) as Uint16Array;
          for (let i = 0; i < 256; i++) want[i] = mod(want[i] + p[i]!);
        }
        const got = getPoly(0);
        expect(got.map(mod)).toEqual(want.map((x) => mod(x * rInv)));
        for (const c of got) expect(Math.abs(c)).toBeLessThan(Q);
      }
    }
  });
});

describe('poly.ts against the exact formulas', () => {
  for (const d of [4, 5, 10, 11]) {
    it(`Compress_${d} and ByteEncode_${d} for every x in [0, q)`, () => {
      for (let start = 0; start < Q; start += 256) {
        const xs = Array.from({ length: 256 }, (_, i) => Math.min(start + i, Q - 1));
        putPoly(0, xs);
        ex.t_compress!(4096, 0, d);
        const want = ref.ByteEncode_d(Uint16Array.from(xs.map((x) => ref.Compress_d(x, d))), d) as Uint8Array;
        expect(getBytes(4096, 32 * d)).toEqual(want);
      }
    });
    it(`ByteDecode_${d} and Decompress_${d} for random and extreme bytes`, () => {
      for (const b of [seededBytes(`dec-${d}`, 32 * d), new Uint8Array(32 * d).fill(0xff), new Uint8Array(32 * d)]) {
        putBytes(4096, b);
        ex.t_decompress!(0, 4096, d);
        const want = Array.from(ref.ByteDecode_d(b, d) as Uint16Array).map((y) => ref.Decompress_d(y, d));
        expect(getPoly(0)).toEqual(want);
      }
    });
  }
  it('message encode/decode (d = 1) for every x in [0, q)', () => {
    for (let start = 0; start < Q; start += 256) {
      const xs = Array.from({ length: 256 }, (_, i) => Math.min(start + i, Q - 1));
      putPoly(0, xs);
      ex.t_tomsg!(4096, 0);
      const want = ref.ByteEncode_d(Uint16Array.from(xs.map((x) => ref.Compress_d(x, 1))), 1) as Uint8Array;
      expect(getBytes(4096, 32)).toEqual(want);
    }
    const m = seededBytes('msg', 32);
    putBytes(4096, m);
    ex.t_frommsg!(0, 4096);
    expect(getPoly(0)).toEqual(Array.from(ref.ByteDecode_d(m, 1) as Uint16Array).map((y) => ref.Decompress_d(y, 1)));
  });
  it('ByteDecode_12 reduces every 12-bit value mod q; ByteEncode_12 inverts it', () => {
    const vals = Array.from({ length: 4096 }, (_, i) => i);
    for (let s = 0; s < 4096; s += 256) {
      const chunk = Uint16Array.from(vals.slice(s, s + 256));
      const bytes = ref.ByteEncode_d(chunk, 12) as Uint8Array;
      putBytes(4096, bytes);
      ex.t_from12!(0, 4096);
      expect(getPoly(0)).toEqual(Array.from(chunk).map((x) => x % Q));
      ex.t_to12!(8192, 0);
      expect(getBytes(8192, 384)).toEqual(ref.ByteEncode_d(Uint16Array.from(Array.from(chunk).map((x) => x % Q)), 12));
      expect(ex.t_reduced12!(4096), `values ${s}..${s + 255}`).toBe(s + 255 < Q ? 1 : 0);
    }
    // ByteEncode_12 writes exactly 384 bytes: the byte after is left alone.
    putBytes(8192 + 384, Uint8Array.of(0xa5));
    ex.t_to12!(8192, 0);
    expect(getBytes(8192 + 384, 1)).toEqual(Uint8Array.of(0xa5));
  });
  it('the modulus check flags one value >= q at any of the 256 positions, and q - 1 nowhere', () => {
    for (let at = 0; at < 256; at++) {
      const vals = Uint16Array.from({ length: 256 }, (_, i) => (i === at ? Q : Q - 1));
      putBytes(4096, ref.ByteEncode_d(vals, 12) as Uint8Array);
      expect(ex.t_reduced12!(4096), `position ${at}`).toBe(0);
      ex.t_from12!(0, 4096);
      expect(getPoly(0)[at]).toBe(0);
    }
    putBytes(4096, ref.ByteEncode_d(new Uint16Array(256).fill(Q - 1), 12) as Uint8Array);
    expect(ex.t_reduced12!(4096)).toBe(1);
  });
});

describe('sampling.ts against FIPS 203 Algorithms 7-8', () => {
  for (const eta of [2, 3]) {
    it(`SamplePolyCBD_${eta}`, () => {
      for (const b of [seededBytes(`cbd-${eta}`, 64 * eta), new Uint8Array(64 * eta).fill(0xff), new Uint8Array(64 * eta)]) {
        putBytes(4096, b);
        ex.t_cbd!(0, 4096, eta);
        expect(getPoly(0).map(mod)).toEqual(Array.from(ref.SamplePolyCBD(b, eta) as Uint16Array));
      }
    });
  }
  it('SampleNTT, one stream and two in parallel, over 200 seeds', () => {
    for (let i = 0; i < 200; i++) {
      const s0 = seededBytes(`xof-a-${i}`, 34);
      const s1 = seededBytes(`xof-b-${i}`, 34);
      putBytes(8192, s0);
      putBytes(8256, s1);
      ex.t_sample!(0, 8192);
      expect(getPoly(0)).toEqual(Array.from(ref.SampleNTT(s0) as Uint16Array));
      ex.t_sample2!(512, 1024, 8192, 8256);
      expect(getPoly(512)).toEqual(Array.from(ref.SampleNTT(s0) as Uint16Array));
      expect(getPoly(1024)).toEqual(Array.from(ref.SampleNTT(s1) as Uint16Array));
    }
  });
});

describe('tables.ts', () => {
  it('is what scripts/gen-mlkem-tables.mjs generates', async () => {
    const { execFileSync } = await import('node:child_process');
    const out = join(mkdtempSync(join(tmpdir(), 'awre-tab-')), 'tables.ts');
    execFileSync(process.execPath, ['scripts/gen-mlkem-tables.mjs', out]);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync('assembly/mlkem/tables.ts', 'utf8'));
  });
});
