// Arithmetic mod q = 8380417 on i32x4 lanes. Constant time: multiplications,
// shifts and masks only.
//
// wasm SIMD has no 32-bit multiply-high: the high halves come from the 64-bit
// products of i64x2.extmul (two lanes at a time), picked by a shuffle.
// Multiplications by constants (twiddles) are Barrett multiplications; sums
// of products of two variables are Montgomery-reduced, where, because
// t = x q^-1 mod 2^32, the low halves of x and t q are equal and
// (x - t q) / 2^32 = hi(x) - hi(t q) exactly.
import { Q } from './params';

/** q^-1 mod 2^32. */
export const QINV: i32 = 58728449;

/** High 32 bits of the four 64-bit values in (lo, hi). */
// @ts-ignore: decorator
@inline function high(lo: v128, hi: v128): v128 { return i32x4.shuffle(lo, hi, 1, 3, 5, 7); }

/**
 * Barrett multiplication by constants (Shoup): a z mod q lane-wise, with
 * zb = round(z 2^32 / q) precomputed (|z| < q/2). t = floor(a zb / 2^32) is
 * within a/4 2^-31 + 1 of a z / q, so r = a z - t q lies in [-q/4, 5q/4] for
 * any i32 a, and is computed exactly in 32-bit lanes (i32x4.mul wraps, the
 * true r fits). Six instructions per four lanes, against eight for
 * Montgomery.
 */
// @ts-ignore: decorator
@inline export function fqmulV(a: v128, z: v128, zb: v128): v128 {
  const t = high(i64x2.extmul_low_i32x4_s(a, zb), i64x2.extmul_high_i32x4_s(a, zb));
  return i32x4.sub(i32x4.mul(a, z), i32x4.mul(t, i32x4.splat(Q)));
}

/**
 * Montgomery reduction of four 64-bit sums held as (lo: lanes 0-1, hi: lanes
 * 2-3): x 2^-32 mod q, |result| < q when |x| < q 2^31.
 */
// @ts-ignore: decorator
@inline export function montReduce64(lo: v128, hi: v128): v128 {
  const t = i32x4.mul(i32x4.shuffle(lo, hi, 0, 2, 4, 6), i32x4.splat(QINV));
  const q = i32x4.splat(Q);
  return i32x4.sub(high(lo, hi), high(i64x2.extmul_low_i32x4_s(t, q), i64x2.extmul_high_i32x4_s(t, q)));
}

/** r = a mod q centred-ish: |r| <= 6283009 for |a| < 2^31 - 2^22 (reference reduce32). */
// @ts-ignore: decorator
@inline export function reduce32V(a: v128): v128 {
  const t = i32x4.shr_s(i32x4.add(a, i32x4.splat(1 << 22)), 23);
  return i32x4.sub(a, i32x4.mul(t, i32x4.splat(Q)));
}

/** a + q if a < 0. */
// @ts-ignore: decorator
@inline export function caddqV(a: v128): v128 {
  return i32x4.add(a, v128.and(i32x4.shr_s(a, 31), i32x4.splat(Q)));
}

/** Canonical representative in [0, q). */
// @ts-ignore: decorator
@inline export function freezeV(a: v128): v128 {
  return caddqV(reduce32V(a));
}
