// ML-DSA polynomial arithmetic (256 i32 coefficients, 16-byte aligned) and
// the rounding functions of FIPS 204 section 7.4: Power2Round (Algorithm 35),
// Decompose (36), HighBits/LowBits (37, 38), MakeHint (39), UseHint (40), and
// the infinity-norm check. Everything that may see secret values is
// straight-line SIMD: no branch or index depends on a coefficient.
import { Q, D, GAMMA2_32 } from './params';
import { reduce32V, caddqV, freezeV } from './reduce';

export function polyAdd(r: usize, a: usize, b: usize): void {
  for (let i: usize = 0; i < 1024; i += 16) v128.store(r + i, i32x4.add(v128.load(a + i), v128.load(b + i)));
}

export function polySub(r: usize, a: usize, b: usize): void {
  for (let i: usize = 0; i < 1024; i += 16) v128.store(r + i, i32x4.sub(v128.load(a + i), v128.load(b + i)));
}

/** reduce32 every coefficient (|r| <= 6283009). */
export function polyReduce(p: usize): void {
  for (let i: usize = 0; i < 1024; i += 16) v128.store(p + i, reduce32V(v128.load(p + i)));
}

/** Map every coefficient (|a| < 2^31 - 2^22) to [0, q). */
export function polyFreeze(p: usize): void {
  for (let i: usize = 0; i < 1024; i += 16) v128.store(p + i, freezeV(v128.load(p + i)));
}

/** a + q for negative coefficients. */
export function polyCaddq(p: usize): void {
  for (let i: usize = 0; i < 1024; i += 16) v128.store(p + i, caddqV(v128.load(p + i)));
}

/** Multiply by 2^d (verification's t1 2^d). */
export function polyShiftL(p: usize): void {
  for (let i: usize = 0; i < 1024; i += 16) v128.store(p + i, i32x4.shl(v128.load(p + i), D));
}

/**
 * 1 if some coefficient has |a| >= bound, else 0 (Algorithm 7 lines 24, 28;
 * Algorithm 8 line 13). Input reduced by reduce32. Every coefficient is
 * examined: which one exceeds the bound is not revealed.
 */
export function polyChkNorm(p: usize, bound: i32): i32 {
  const b = i32x4.splat(bound);
  let bad = i32x4.splat(0);
  for (let i: usize = 0; i < 1024; i += 16) bad = v128.or(bad, overV(v128.load(p + i), b));
  return <i32>v128.any_true(bad);
}

/**
 * Power2Round (Algorithm 35) of a canonical polynomial a: a1 = (a + 2^12 - 1)
 * >> 13, a0 = a - a1 2^13, so a0 in (-2^12, 2^12].
 */
export function polyPower2Round(a1: usize, a0: usize, a: usize): void {
  const half = i32x4.splat((1 << (D - 1)) - 1);
  for (let i: usize = 0; i < 1024; i += 16) {
    const x = v128.load(a + i);
    const hi = i32x4.shr_s(i32x4.add(x, half), D);
    v128.store(a1 + i, hi);
    v128.store(a0 + i, i32x4.sub(x, i32x4.shl(hi, D)));
  }
}

/**
 * Decompose (Algorithm 36) of a canonical polynomial: a = a1 (2 gamma2) + a0
 * with a0 in (-gamma2, gamma2] (and the q - 1 corner case mapped to a1 = 0).
 * The reference implementation's division-free arithmetic:
 *   a1 = ceil(a / 128), then a1 = round(a1 1025 / 2^22) mod 16   (gamma2 = (q-1)/32)
 *                       or a1 = round(a1 11275 / 2^24), 44 -> 0  (gamma2 = (q-1)/88)
 *   a0 = a - 2 gamma2 a1, minus q when a0 > (q-1)/2.
 * Writes a1 and a0 (either may be 0 to skip).
 */
export function polyDecompose(a1: usize, a0: usize, a: usize, gamma2: i32): void {
  for (let i: usize = 0; i < 1024; i += 16) {
    const x = v128.load(a + i);
    const h = highV(x, gamma2);
    if (a1) v128.store(a1 + i, h);
    if (a0) v128.store(a0 + i, lowV(x, h, gamma2));
  }
}

/** Decompose's a1 for canonical x (the reference's division-free form above). */
// @ts-ignore: decorator
@inline function highV(x: v128, gamma2: i32): v128 {
  let h = i32x4.shr_s(i32x4.add(x, i32x4.splat(127)), 7);
  if (gamma2 == GAMMA2_32) {
    return v128.and(i32x4.shr_s(i32x4.add(i32x4.mul(h, i32x4.splat(1025)), i32x4.splat(1 << 21)), 22), i32x4.splat(15));
  }
  h = i32x4.shr_s(i32x4.add(i32x4.mul(h, i32x4.splat(11275)), i32x4.splat(1 << 23)), 24);
  return v128.xor(h, v128.and(i32x4.shr_s(i32x4.sub(i32x4.splat(43), h), 31), h));
}

/** Decompose's a0 for canonical x with high part h: in (-gamma2, gamma2]. */
// @ts-ignore: decorator
@inline function lowV(x: v128, h: v128, gamma2: i32): v128 {
  const lo = i32x4.sub(x, i32x4.mul(h, i32x4.splat(2 * gamma2)));
  return i32x4.sub(lo, v128.and(i32x4.shr_s(i32x4.sub(i32x4.splat((Q - 1) / 2), lo), 31), i32x4.splat(Q)));
}

/**
 * MakeHint (Algorithm 39) in the reference form: h = 1 when the low part a0
 * (= r0 + ct0, centred) leaves [-gamma2, gamma2], or equals -gamma2 while the
 * high part a1 is non-zero. Writes 0/1 coefficients to h; returns their sum.
 */
export function polyMakeHint(h: usize, a0: usize, a1: usize, gamma2: i32): i32 {
  let count = i32x4.splat(0);
  for (let i: usize = 0; i < 1024; i += 16) {
    const bit = hintV(v128.load(a0 + i), v128.load(a1 + i), gamma2);
    v128.store(h + i, bit);
    count = i32x4.add(count, bit);
  }
  return laneSum(count);
}

/** MakeHint's bit (0 or 1 per lane) for low part x and high part hi. */
// @ts-ignore: decorator
@inline function hintV(x: v128, hi: v128, gamma2: i32): v128 {
  const ng = i32x4.splat(-gamma2);
  const m = v128.or(
    v128.or(i32x4.gt_s(x, i32x4.splat(gamma2)), i32x4.lt_s(x, ng)),
    v128.and(i32x4.eq(x, ng), v128.not(i32x4.eq(hi, i32x4.splat(0)))),
  );
  return v128.and(m, i32x4.splat(1));
}

// @ts-ignore: decorator
@inline function laneSum(v: v128): i32 {
  return i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1) + i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3);
}

/** Lanes where |a| >= b all ones (a reduced by reduce32 or smaller). */
// @ts-ignore: decorator
@inline function overV(a: v128, b: v128): v128 { return i32x4.ge_s(i32x4.abs(a), b); }

// The signing attempt's steps fused (Algorithm 7, lines 13-28 of the
// rejection loop): each is one pass over its polynomials where the
// primitives above would take two to four. Same arithmetic, same results
// (tests/dsa-internals.test.ts checks each against the primitives). Every
// coefficient is examined; only "some coefficient is out of bound" leaves.

/** w1 = HighBits(w) for |w| < 2^31 - 2^22, frozen on the fly; w is not changed. */
export function polyHighBits(w1: usize, w: usize, gamma2: i32): void {
  for (let i: usize = 0; i < 1024; i += 16) v128.store(w1 + i, highV(freezeV(v128.load(w + i)), gamma2));
}

/** z = reduce32(a + b); 1 if some |z| >= bound (z = y + <<c s1>>, ||z|| < gamma1 - beta). */
export function polyAddReduceChk(z: usize, a: usize, b: usize, bound: i32): i32 {
  const bv = i32x4.splat(bound);
  let bad = i32x4.splat(0);
  for (let i: usize = 0; i < 1024; i += 16) {
    const x = reduce32V(i32x4.add(v128.load(a + i), v128.load(b + i)));
    v128.store(z + i, x);
    bad = v128.or(bad, overV(x, bv));
  }
  return <i32>v128.any_true(bad);
}

/**
 * r0 = LowBits(w - cs2) (w - cs2 frozen first, |w|, |cs2| < 2^30); 1 if
 * some |r0| >= bound (||r0|| < gamma2 - beta).
 */
export function polyLowBitsChk(r0: usize, w: usize, cs2: usize, gamma2: i32, bound: i32): i32 {
  const bv = i32x4.splat(bound);
  let bad = i32x4.splat(0);
  for (let i: usize = 0; i < 1024; i += 16) {
    const x = freezeV(i32x4.sub(v128.load(w + i), v128.load(cs2 + i)));
    const lo = lowV(x, highV(x, gamma2), gamma2);
    v128.store(r0 + i, lo);
    bad = v128.or(bad, overV(lo, bv));
  }
  return <i32>v128.any_true(bad);
}

/** reduce32 in place; 1 if some |a| >= bound (||<<c t0>>|| < gamma2). */
export function polyReduceChk(p: usize, bound: i32): i32 {
  const bv = i32x4.splat(bound);
  let bad = i32x4.splat(0);
  for (let i: usize = 0; i < 1024; i += 16) {
    const x = reduce32V(v128.load(p + i));
    v128.store(p + i, x);
    bad = v128.or(bad, overV(x, bv));
  }
  return <i32>v128.any_true(bad);
}

/** h = MakeHint over low part r0 + ct0 and high part w1; returns the number of ones. */
export function polyMakeHintSum(h: usize, r0: usize, ct0: usize, w1: usize, gamma2: i32): i32 {
  let count = i32x4.splat(0);
  for (let i: usize = 0; i < 1024; i += 16) {
    const bit = hintV(i32x4.add(v128.load(r0 + i), v128.load(ct0 + i)), v128.load(w1 + i), gamma2);
    v128.store(h + i, bit);
    count = i32x4.add(count, bit);
  }
  return laneSum(count);
}

/**
 * UseHint (Algorithm 40) on a canonical polynomial a with 0/1 hints h, in
 * place: a becomes HighBits(a), moved up or down by one (mod m = (q-1) /
 * (2 gamma2)) where the hint is set. `tmp` receives the low parts.
 * Verification only: all inputs are public, so it branches freely.
 */
export function polyUseHint(a: usize, h: usize, tmp: usize, gamma2: i32): void {
  polyDecompose(a, tmp, a, gamma2);
  const m = gamma2 == GAMMA2_32 ? 16 : 44;
  for (let i: usize = 0; i < 1024; i += 4) {
    if (load<i32>(h + i) == 0) continue;
    const a1 = load<i32>(a + i);
    store<i32>(a + i, load<i32>(tmp + i) > 0 ? (a1 + 1) % m : (a1 + m - 1) % m);
  }
}
