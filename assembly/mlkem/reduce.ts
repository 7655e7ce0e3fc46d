// Modular reduction mod q = 3329 for 16-bit coefficients, on i16x8 vectors.
// Every routine here is branch-free and table-free: constant time.
//
// wasm SIMD has no "multiply high" for i16 lanes, but it has
// i16x8.q15mulr_sat_s(a, b) = (a b + 2^14) >> 15, the rounding doubling
// multiply-high (Arm's SQRDMULH, x64's PMULHRSW). Following Becker et al.,
// "Neon NTT" (TCHES 2022), we build Barrett reduction and Barrett
// multiplication by a constant on it.
import { Q } from './params';

/** q^-1 mod 2^16, as a signed 16-bit value (-3327). */
export const QINV: i32 = -3327;

/**
 * Barrett reduction: r = a - q round(a 10 / 2^15) where 10 = round(2^15 / q).
 * r = a mod q for every i16 a, with |r| <= 0.66 q (the rounding of 2^15/q costs
 * at most |a| 0.016 on top of q/2).
 */
// @ts-ignore: decorator
@inline export function barrettV(a: v128): v128 {
  const t = i16x8.q15mulr_sat_s(a, i16x8.splat(10));
  return i16x8.sub(a, i16x8.mul(t, i16x8.splat(<i16>Q)));
}

/**
 * Barrett multiplication by constants z (lane-wise) with zb = round(z 2^15/q):
 * r = a z - q round(a zb / 2^15) = a z mod q, |r| <= q for every i16 a.
 * (The error of zb is at most 1/2, so |a z / q - t| <= |a| / 2^16 + 1/2 <= 1.)
 * Computed mod 2^16, which is exact because the true r fits in 16 bits.
 */
// @ts-ignore: decorator
@inline export function fqmulV(a: v128, z: v128, zb: v128): v128 {
  const t = i16x8.q15mulr_sat_s(a, zb);
  return i16x8.sub(i16x8.mul(a, z), i16x8.mul(t, i16x8.splat(<i16>Q)));
}

/** r = a + q if a < 0: maps (-q, q) to [0, q). Uses the sign mask. */
// @ts-ignore: decorator
@inline export function caddqV(a: v128): v128 {
  return i16x8.add(a, v128.and(i16x8.shr_s(a, 15), i16x8.splat(<i16>Q)));
}

/** Canonical representative in [0, q) of any i16. */
// @ts-ignore: decorator
@inline export function freezeV(a: v128): v128 {
  return caddqV(barrettV(a));
}

/** Scalar Barrett reduction with the same constants and bound as barrettV. */
// @ts-ignore: decorator
@inline export function barrett(a: i32): i32 {
  const t = (a * 10 + (1 << 14)) >> 15;
  return a - t * Q;
}

/** Scalar: a - q if a >= q, for a in [0, 2q). */
// @ts-ignore: decorator
@inline export function csubq(a: i32): i32 {
  a -= Q;
  return a + ((a >> 31) & Q);
}
