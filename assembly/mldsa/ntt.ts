// FIPS 204 section 7.5: NTT and NTT^-1 over Z_q[X]/(X^256 + 1) (Algorithms 41,
// 42) and MultiplyNTT (Algorithm 45) summed over vectors.
//
// SIMD layout: i32 coefficients, four to a v128. Layers with len >= 4 pair
// whole vectors; the last two forward layers (len 2, 1) and the first two
// inverse layers work on 8-coefficient chunks held in two registers and
// shuffled so that each butterfly pairs whole vectors. Twiddles are
// multiplied in with Barrett multiplication (reduce.ts, fqmulV): |b z| ->
// [-q/4, 5q/4].
import { fqmulV, montReduce64 } from './reduce';
import {
  ZETAS, ZETASQ, FWD2, FWD2Q, FWD1, FWD1Q, INV1, INV1Q, INV2, INV2Q, F_SCALE, F_SCALE_Q, F_LAST, F_LAST_Q,
} from './tables';

/**
 * NTT (Algorithm 41) in place on 256 i32 at p. Input |a| < q; each layer adds
 * at most 5q/4, so the output is bounded by 11q < 2^27 (no reduction needed).
 */
export function ntt(p: usize): void {
  let m = 0;
  for (let len = 128; len >= 4; len >>= 1) {
    const step = <usize>len << 2;
    for (let start = 0; start < 256; start += len << 1) {
      m++;
      const z = i32x4.splat(load<i32>(ZETAS + (<usize>m << 2)));
      const zq = i32x4.splat(load<i32>(ZETASQ + (<usize>m << 2)));
      const base = p + (<usize>start << 2);
      for (let j: usize = 0; j < step; j += 16) {
        const a = v128.load(base + j);
        const t = fqmulV(v128.load(base + j + step), z, zq);
        v128.store(base + j, i32x4.add(a, t));
        v128.store(base + j + step, i32x4.sub(a, t));
      }
    }
  }
  for (let c: usize = 0; c < 32; c++) {
    const q = p + (c << 5);
    const v0 = v128.load(q);
    const v1 = v128.load(q, 16);
    // len 2: A = [c0,c1,c4,c5], B = [c2,c3,c6,c7].
    let a = i32x4.shuffle(v0, v1, 0, 1, 4, 5);
    let b = i32x4.shuffle(v0, v1, 2, 3, 6, 7);
    let t = fqmulV(b, v128.load(FWD2 + (c << 4)), v128.load(FWD2Q + (c << 4)));
    const a1 = i32x4.add(a, t);
    const b1 = i32x4.sub(a, t);
    // len 1: A = [c0,c2,c4,c6], B = [c1,c3,c5,c7]; a1 = [c0,c1,c4,c5], b1 = [c2,c3,c6,c7].
    a = i32x4.shuffle(a1, b1, 0, 4, 2, 6);
    b = i32x4.shuffle(a1, b1, 1, 5, 3, 7);
    t = fqmulV(b, v128.load(FWD1 + (c << 4)), v128.load(FWD1Q + (c << 4)));
    const a2 = i32x4.add(a, t);
    const b2 = i32x4.sub(a, t);
    v128.store(q, i32x4.shuffle(a2, b2, 0, 4, 1, 5));
    v128.store(q, i32x4.shuffle(a2, b2, 2, 6, 3, 7), 16);
  }
}

/**
 * NTT^-1 (Algorithm 42) in place, times 2^32: the final scale is
 * F = 2^32 / 256 mod q instead of 1/256, which cancels the 2^-32 that
 * pointwise products leave. Input |a| < q. Each layer at most doubles the
 * largest coefficient (the twiddled halves stay under 5q/4), so the sums
 * reach at most 256 q < 2^31: no reduction needed. The last layer multiplies
 * both halves by F (the lower half by F, the upper by -zeta_1 F), so the
 * output is one Barrett product: in [-q/4, 5q/4].
 */
export function invntt(p: usize): void {
  for (let c: usize = 0; c < 32; c++) {
    const q = p + (c << 5);
    const v0 = v128.load(q);
    const v1 = v128.load(q, 16);
    // len 1: A = [c0,c2,c4,c6], B = [c1,c3,c5,c7].
    let a = i32x4.shuffle(v0, v1, 0, 2, 4, 6);
    let b = i32x4.shuffle(v0, v1, 1, 3, 5, 7);
    const a1 = i32x4.add(a, b);
    const b1 = fqmulV(i32x4.sub(a, b), v128.load(INV1 + (c << 4)), v128.load(INV1Q + (c << 4)));
    // len 2: A = [c0,c1,c4,c5], B = [c2,c3,c6,c7]; a1 = [c0,c2,c4,c6], b1 = [c1,c3,c5,c7].
    a = i32x4.shuffle(a1, b1, 0, 4, 2, 6);
    b = i32x4.shuffle(a1, b1, 1, 5, 3, 7);
    const a2 = i32x4.add(a, b);
    const b2 = fqmulV(i32x4.sub(a, b), v128.load(INV2 + (c << 4)), v128.load(INV2Q + (c << 4)));
    // a2 = [c0,c1,c4,c5], b2 = [c2,c3,c6,c7].
    v128.store(q, i32x4.shuffle(a2, b2, 0, 1, 4, 5));
    v128.store(q, i32x4.shuffle(a2, b2, 2, 3, 6, 7), 16);
  }
  let m = 64;
  for (let len = 4; len <= 64; len <<= 1) {
    const step = <usize>len << 2;
    for (let start = 0; start < 256; start += len << 1) {
      m--;
      const z = i32x4.neg(i32x4.splat(load<i32>(ZETAS + (<usize>m << 2))));
      const zq = i32x4.neg(i32x4.splat(load<i32>(ZETASQ + (<usize>m << 2))));
      const base = p + (<usize>start << 2);
      for (let j: usize = 0; j < step; j += 16) {
        const a = v128.load(base + j);
        const b = v128.load(base + j + step);
        v128.store(base + j, i32x4.add(a, b));
        v128.store(base + j + step, fqmulV(i32x4.sub(a, b), z, zq));
      }
    }
  }
  // The last layer (len 128, twiddle -zeta_1) with the final scale F folded
  // in: a + b times F, and a - b times F_LAST = -zeta_1 F mod q. Both are one
  // Barrett multiplication, so the output bound is that of fqmulV.
  const f = i32x4.splat(F_SCALE);
  const fq = i32x4.splat(F_SCALE_Q);
  const fl = i32x4.splat(F_LAST);
  const flq = i32x4.splat(F_LAST_Q);
  for (let j: usize = 0; j < 512; j += 16) {
    const a = v128.load(p + j);
    const b = v128.load(p + j + 512);
    v128.store(p + j, fqmulV(i32x4.add(a, b), f, fq));
    v128.store(p + j + 512, fqmulV(i32x4.sub(a, b), fl, flq));
  }
}

/**
 * r = 2^-32 sum_{j<n} a_j o b_j (Algorithm 45 summed over a vector), a_j at
 * a + 1024 j, b_j at b + 1024 j. Products are summed in 64-bit lanes and
 * Montgomery-reduced once: exact while sum |a b| < q 2^31, which holds for
 * the callers' n <= 7 products of an NTT output (< 11q) with a coefficient of
 * A (< q), and for one product of two NTT outputs (121 q^2 < q 2^31).
 * Output |r| < q.
 */
export function pointwiseAcc(r: usize, a: usize, b: usize, n: i32): void {
  for (let i: usize = 0; i < 1024; i += 16) {
    let lo = i64x2.splat(0);
    let hi = i64x2.splat(0);
    for (let j = 0; j < n; j++) {
      const off = (<usize>j << 10) + i;
      const x = v128.load(a + off);
      const y = v128.load(b + off);
      lo = i64x2.add(lo, i64x2.extmul_low_i32x4_s(x, y));
      hi = i64x2.add(hi, i64x2.extmul_high_i32x4_s(x, y));
    }
    v128.store(r + i, montReduce64(lo, hi));
  }
}
