// FIPS 203 section 4.3: the number-theoretic transform over Z_q[X]/(X^256+1),
// with seven layers of butterflies, and MultiplyNTTs (Algorithms 9-12).
//
// SIMD layout: coefficients are i16, eight to a v128. Layers with len >= 8
// pair whole vectors. The last two layers (len 4 and 2) pair coefficients
// inside a 16-coefficient chunk; the chunk is held in two registers and
// shuffled so that each butterfly again pairs whole vectors, then shuffled
// back. Multiplications by zetas are Barrett multiplications (reduce.ts);
// nothing here depends on coefficient values except through arithmetic.
import { Q } from './params';
import { barrettV, fqmulV, QINV } from './reduce';
import {
  ZETAS, ZETASB, FWD4, FWD4B, FWD2, FWD2B, INV2, INV2B, INV4, INV4B,
  TWIST, TWISTB, F_SCALE, F_SCALE_B, ZF_SCALE, ZF_SCALE_B,
} from './tables';

// @ts-ignore: decorator
@inline function zetaV(k: i32): v128 {
  return i16x8.splat(load<i16>(ZETAS + (<usize>k << 1)));
}
// @ts-ignore: decorator
@inline function zetaBV(k: i32): v128 {
  return i16x8.splat(load<i16>(ZETASB + (<usize>k << 1)));
}

/**
 * FIPS 203 Algorithm 9, NTT, in place on the 256 coefficients at p.
 * Input: |coefficient| <= q. Output: Barrett-reduced, |coefficient| <= 0.66 q.
 * (Each layer adds at most q, so the intermediate bound is 8 q < 2^15.)
 */
export function ntt(p: usize): void {
  let k = 1;
  for (let len = 128; len >= 8; len >>= 1) {
    const step = <usize>len << 1; // bytes between the two halves of a block
    for (let start = 0; start < 256; start += len << 1) {
      const z = zetaV(k);
      const zb = zetaBV(k);
      k++;
      const base = p + (<usize>start << 1);
      for (let j: usize = 0; j < <usize>len << 1; j += 16) {
        const a = v128.load(base + j);
        const t = fqmulV(v128.load(base + j + step), z, zb);
        v128.store(base + j, i16x8.add(a, t));
        v128.store(base + j + step, i16x8.sub(a, t));
      }
    }
  }
  // len = 4 and len = 2 inside each chunk of 16 coefficients.
  for (let c: usize = 0; c < 16; c++) {
    const q = p + (c << 5);
    const v0 = v128.load(q);
    const v1 = v128.load(q, 16);
    // len 4: A = [c0..c3, c8..c11], B = [c4..c7, c12..c15].
    let a = i16x8.shuffle(v0, v1, 0, 1, 2, 3, 8, 9, 10, 11);
    let b = i16x8.shuffle(v0, v1, 4, 5, 6, 7, 12, 13, 14, 15);
    let t = fqmulV(b, v128.load(FWD4 + (c << 4)), v128.load(FWD4B + (c << 4)));
    const a1 = i16x8.add(a, t);
    const b1 = i16x8.sub(a, t);
    // len 2: A = [c0,c1,c4,c5,c8,c9,c12,c13], B = [c2,c3,c6,c7,c10,c11,c14,c15].
    a = i16x8.shuffle(a1, b1, 0, 1, 8, 9, 4, 5, 12, 13);
    b = i16x8.shuffle(a1, b1, 2, 3, 10, 11, 6, 7, 14, 15);
    t = fqmulV(b, v128.load(FWD2 + (c << 4)), v128.load(FWD2B + (c << 4)));
    const a2 = barrettV(i16x8.add(a, t));
    const b2 = barrettV(i16x8.sub(a, t));
    v128.store(q, i16x8.shuffle(a2, b2, 0, 1, 8, 9, 2, 3, 10, 11));
    v128.store(q, i16x8.shuffle(a2, b2, 4, 5, 12, 13, 6, 7, 14, 15), 16);
  }
}

/**
 * FIPS 203 Algorithm 10, NTT^-1, in place, times 2^16 (the result is scaled by
 * F_SCALE = 128^-1 2^16 instead of 128^-1, which cancels the 2^-16 that
 * basemulAcc leaves). Input: |coefficient| < q. Output: |coefficient| <= q.
 * Bounds: the sums double per layer, so they are Barrett-reduced after the
 * len-4 and len-32 layers (<= 4q and <= 5.3q there, never above 2^15).
 */
export function invntt(p: usize): void {
  for (let c: usize = 0; c < 16; c++) {
    const q = p + (c << 5);
    const v0 = v128.load(q);
    const v1 = v128.load(q, 16);
    // len 2: A = [c0,c1,c4,c5,c8,c9,c12,c13], B = [c2,c3,c6,c7,...].
    let a = i16x8.shuffle(v0, v1, 0, 1, 4, 5, 8, 9, 12, 13);
    let b = i16x8.shuffle(v0, v1, 2, 3, 6, 7, 10, 11, 14, 15);
    let a1 = i16x8.add(a, b);
    let b1 = fqmulV(i16x8.sub(b, a), v128.load(INV2 + (c << 4)), v128.load(INV2B + (c << 4)));
    // len 4: A = [c0..c3, c8..c11], B = [c4..c7, c12..c15].
    // From a1 = [c0,c1,c4,c5,c8,c9,c12,c13], b1 = [c2,c3,c6,c7,c10,c11,c14,c15].
    a = i16x8.shuffle(a1, b1, 0, 1, 8, 9, 4, 5, 12, 13);
    b = i16x8.shuffle(a1, b1, 2, 3, 10, 11, 6, 7, 14, 15);
    const a2 = barrettV(i16x8.add(a, b));
    const b2 = fqmulV(i16x8.sub(b, a), v128.load(INV4 + (c << 4)), v128.load(INV4B + (c << 4)));
    // a2 = [c0..c3, c8..c11], b2 = [c4..c7, c12..c15].
    v128.store(q, i16x8.shuffle(a2, b2, 0, 1, 2, 3, 8, 9, 10, 11));
    v128.store(q, i16x8.shuffle(a2, b2, 4, 5, 6, 7, 12, 13, 14, 15), 16);
  }
  for (let len = 8; len <= 64; len <<= 1) {
    const blocks = 128 / len;
    const step = <usize>len << 1;
    for (let blk = 0; blk < blocks; blk++) {
      const k = 2 * blocks - 1 - blk;
      const z = zetaV(k);
      const zb = zetaBV(k);
      const base = p + (<usize>blk * step << 1);
      for (let j: usize = 0; j < step; j += 16) {
        const a = v128.load(base + j);
        const b = v128.load(base + j + step);
        let s = i16x8.add(a, b);
        if (len == 32) s = barrettV(s);
        v128.store(base + j, s);
        v128.store(base + j + step, fqmulV(i16x8.sub(b, a), z, zb));
      }
    }
  }
  // len = 128 with the final scaling folded in: a' = (a + b) F, b' = (b - a) zeta_1 F.
  const f = i16x8.splat(F_SCALE);
  const fb = i16x8.splat(F_SCALE_B);
  const zf = i16x8.splat(ZF_SCALE);
  const zfb = i16x8.splat(ZF_SCALE_B);
  for (let j: usize = 0; j < 256; j += 16) {
    const a = v128.load(p + j);
    const b = v128.load(p + j + 256);
    v128.store(p + j, fqmulV(i16x8.add(a, b), f, fb));
    v128.store(p + j + 256, fqmulV(i16x8.sub(b, a), zf, zfb));
  }
}

/**
 * Prepare a multiplicand b (in NTT form, |b| <= q) for basemulAcc: writes 1024
 * bytes at `out`, per group of 8 coefficients two vectors:
 *   bt = [b0, b1 g0, b2, b3 g1, ...]   (odd lanes times gamma, reduced, |.| <= q)
 *   bs = [b1, b0, b3, b2, ...]         (pairs swapped)
 * so that a dot product with a = [a0, a1, ...] gives c0 = a0 b0 + a1 b1 g and
 * c1 = a0 b1 + a1 b0 (FIPS 203 Algorithm 12, BaseCaseMultiply).
 */
export function basemulPrepare(out: usize, b: usize): void {
  for (let i: usize = 0; i < 32; i++) {
    const v = v128.load(b + (i << 4));
    v128.store(out + (i << 5), fqmulV(v, v128.load(TWIST + (i << 4)), v128.load(TWISTB + (i << 4))));
    v128.store(out + (i << 5), i8x16.shuffle(v, v, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13), 16);
  }
}

/**
 * FIPS 203 Algorithm 11 (MultiplyNTTs) summed over a vector:
 * r = 2^-16 sum_{j<k} a_j o b_j, with a_j plain polynomials (stride 512 bytes,
 * |coefficient| < q) and b_j prepared by basemulPrepare (stride 1024 bytes).
 * The sums stay in i32 lanes (|sum| <= 2 k q^2 <= 8 q^2 < q 2^15) and are
 * Montgomery-reduced once: |r| < q. Montgomery reduction here is
 * t = (x mod 2^16) q^-1 mod 2^16, r = (x - t q) / 2^16, done on 16-bit lanes.
 */
export function basemulAcc(r: usize, a: usize, b: usize, k: i32): void {
  const qinv = i16x8.splat(<i16>QINV);
  const qv = i16x8.splat(<i16>Q);
  for (let i: usize = 0; i < 32; i++) {
    let c0 = i32x4.splat(0);
    let c1 = i32x4.splat(0);
    for (let j = 0; j < k; j++) {
      const av = v128.load(a + (<usize>j << 9) + (i << 4));
      const bp = b + (<usize>j << 10) + (i << 5);
      c0 = i32x4.add(c0, i32x4.dot_i16x8_s(av, v128.load(bp)));
      c1 = i32x4.add(c1, i32x4.dot_i16x8_s(av, v128.load(bp, 16)));
    }
    // Low halves of the eight sums, times q^-1 mod 2^16.
    const t = i16x8.mul(i16x8.shuffle(c0, c1, 0, 2, 4, 6, 8, 10, 12, 14), qinv);
    const u0 = i32x4.sub(c0, i32x4.extmul_low_i16x8_s(t, qv));
    const u1 = i32x4.sub(c1, i32x4.extmul_high_i16x8_s(t, qv));
    // High halves are the results; interleave c0 and c1 back into pairs.
    v128.store(r + (i << 4), i16x8.shuffle(u0, u1, 1, 9, 3, 11, 5, 13, 7, 15));
  }
}
