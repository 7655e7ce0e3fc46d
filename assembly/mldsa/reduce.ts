// Arithmetic mod q = 8380417 on i32x4 lanes. Constant time: multiplications,
// shifts and masks only.
//
// wasm SIMD has no 32-bit multiply-high, so Montgomery reduction takes the
// 64-bit products from i64x2.extmul (two lanes at a time) and keeps their high
// halves with a shuffle. Because t = a b q^-1 mod 2^32, the low halves of
// a b and t q are equal, so (a b - t q) / 2^32 = hi(a b) - hi(t q) exactly.
import { Q } from './params';

/** q^-1 mod 2^32. */
export const QINV: i32 = 58728449;

/** High 32 bits of the four 64-bit values in (lo, hi). */
// @ts-ignore: decorator
@inline function high(lo: v128, hi: v128): v128 { return i32x4.shuffle(lo, hi, 1, 3, 5, 7); }

/**
 * Montgomery multiplication by constants: a z 2^-32 mod q lane-wise, with
 * zq = z q^-1 mod 2^32 precomputed. |result| < q when |a z| < q 2^31.
 */
// @ts-ignore: decorator
@inline export function montMulV(a: v128, z: v128, zq: v128): v128 {
  const t = i32x4.mul(a, zq);
  const q = i32x4.splat(Q);
  return i32x4.sub(
    high(i64x2.extmul_low_i32x4_s(a, z), i64x2.extmul_high_i32x4_s(a, z)),
    high(i64x2.extmul_low_i32x4_s(t, q), i64x2.extmul_high_i32x4_s(t, q)),
  );
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
