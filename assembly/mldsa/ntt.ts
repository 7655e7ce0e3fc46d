// FIPS 204 section 7.5: NTT and NTT^-1 over Z_q[X]/(X^256 + 1) (Algorithms 41,
// 42) and MultiplyNTT (Algorithm 45) summed over vectors.
//
// SIMD layout: i32 coefficients, four to a v128, 64 vectors per polynomial.
// Each transform is three passes over memory, each pass doing its layers in
// registers:
// - layers len 128, 64, 32 pair vectors 32, 16 and 8 apart: a pass over the
//   eight columns, column o holding vectors o + 8k (k = 0..7);
// - layers len 16, 8, 4 pair vectors 4, 2 and 1 apart: a pass over the eight
//   32-coefficient blocks, block b holding vectors 8b + k;
// - layers len 2, 1 work on 8-coefficient chunks held in two registers and
//   shuffled so that each butterfly pairs whole vectors.
// Every butterfly is the one of Algorithms 41/42 with the same twiddle as the
// layer-by-layer loop (zeta_m, m = BitRev8 order as in the reference's
// zetas[]); only the order of independent butterflies within a layer
// changes, so the output is the same bits as that loop's. Three passes load
// and store each vector three times instead of once per layer (issue 17:
// under WAVEN every access is translated, and the plain module saves the
// traffic too). Addresses are a local plus constants, so the WAVEN pass makes
// them direct (docs/waven.md).
//
// Twiddles are multiplied in with Barrett multiplication (reduce.ts, fqmulV):
// |b z| -> [-q/4, 5q/4].
import { fqmulV, montReduce64 } from './reduce';
import {
  ZETAS, ZETASQ, FWD2, FWD2Q, FWD1, FWD1Q, INV1, INV1Q, INV2, INV2Q, F_SCALE, F_SCALE_Q, F_LAST, F_LAST_Q,
} from './tables';

/** zeta_m splatted (m a compile-time index into ZETAS). */
// @ts-ignore: decorator
@inline function zeta(m: usize): v128 { return v128.load32_splat(ZETAS + (m << 2)); }
/** round(zeta_m 2^32 / q) splatted. */
// @ts-ignore: decorator
@inline function zetaQ(m: usize): v128 { return v128.load32_splat(ZETASQ + (m << 2)); }

/**
 * NTT (Algorithm 41) in place on 256 i32 at p. Input |a| < q; each layer adds
 * at most 5q/4, so the output is bounded by 11q < 2^27 (no reduction needed).
 */
export function ntt(p: usize): void {
  nttHigh(p);
  nttMid(p);
  nttLow(p);
}

/** Layers len 128, 64, 32 (zeta_1 .. zeta_7), column by column. */
function nttHigh(p: usize): void {
  const z1 = zeta(1), z1q = zetaQ(1), z2 = zeta(2), z2q = zetaQ(2), z3 = zeta(3), z3q = zetaQ(3);
  const z4 = zeta(4), z4q = zetaQ(4), z5 = zeta(5), z5q = zetaQ(5);
  const z6 = zeta(6), z6q = zetaQ(6), z7 = zeta(7), z7q = zetaQ(7);
  for (let o: usize = 0; o < 128; o += 16) {
    const q = p + o;
    let v0 = v128.load(q), v1 = v128.load(q, 128), v2 = v128.load(q, 256), v3 = v128.load(q, 384);
    let v4 = v128.load(q, 512), v5 = v128.load(q, 640), v6 = v128.load(q, 768), v7 = v128.load(q, 896);
    // len 128: (k, k + 4), zeta_1.
    let t = fqmulV(v4, z1, z1q); v4 = i32x4.sub(v0, t); v0 = i32x4.add(v0, t);
    t = fqmulV(v5, z1, z1q); v5 = i32x4.sub(v1, t); v1 = i32x4.add(v1, t);
    t = fqmulV(v6, z1, z1q); v6 = i32x4.sub(v2, t); v2 = i32x4.add(v2, t);
    t = fqmulV(v7, z1, z1q); v7 = i32x4.sub(v3, t); v3 = i32x4.add(v3, t);
    // len 64: (0,2), (1,3) zeta_2; (4,6), (5,7) zeta_3.
    t = fqmulV(v2, z2, z2q); v2 = i32x4.sub(v0, t); v0 = i32x4.add(v0, t);
    t = fqmulV(v3, z2, z2q); v3 = i32x4.sub(v1, t); v1 = i32x4.add(v1, t);
    t = fqmulV(v6, z3, z3q); v6 = i32x4.sub(v4, t); v4 = i32x4.add(v4, t);
    t = fqmulV(v7, z3, z3q); v7 = i32x4.sub(v5, t); v5 = i32x4.add(v5, t);
    // len 32: (0,1) zeta_4, (2,3) zeta_5, (4,5) zeta_6, (6,7) zeta_7.
    t = fqmulV(v1, z4, z4q); v1 = i32x4.sub(v0, t); v0 = i32x4.add(v0, t);
    t = fqmulV(v3, z5, z5q); v3 = i32x4.sub(v2, t); v2 = i32x4.add(v2, t);
    t = fqmulV(v5, z6, z6q); v5 = i32x4.sub(v4, t); v4 = i32x4.add(v4, t);
    t = fqmulV(v7, z7, z7q); v7 = i32x4.sub(v6, t); v6 = i32x4.add(v6, t);
    v128.store(q, v0); v128.store(q, v1, 128); v128.store(q, v2, 256); v128.store(q, v3, 384);
    v128.store(q, v4, 512); v128.store(q, v5, 640); v128.store(q, v6, 768); v128.store(q, v7, 896);
  }
}

/** Layers len 16, 8, 4 (zeta_8 .. zeta_63), block by block. */
function nttMid(p: usize): void {
  for (let b: usize = 0; b < 8; b++) {
    const q = p + (b << 7);
    // Block b's twiddles: zeta_{8+b} (len 16), zeta_{16+2b+h} (len 8),
    // zeta_{32+4b+h} (len 4), read through pointers so that every load is a
    // local plus a constant.
    const w16 = ZETAS + 32 + (b << 2), w16q = ZETASQ + 32 + (b << 2);
    const w8 = ZETAS + 64 + (b << 3), w8q = ZETASQ + 64 + (b << 3);
    const w4 = ZETAS + 128 + (b << 4), w4q = ZETASQ + 128 + (b << 4);
    let v0 = v128.load(q), v1 = v128.load(q, 16), v2 = v128.load(q, 32), v3 = v128.load(q, 48);
    let v4 = v128.load(q, 64), v5 = v128.load(q, 80), v6 = v128.load(q, 96), v7 = v128.load(q, 112);
    // len 16: (k, k + 4).
    let z = v128.load32_splat(w16), zq = v128.load32_splat(w16q);
    let t = fqmulV(v4, z, zq); v4 = i32x4.sub(v0, t); v0 = i32x4.add(v0, t);
    t = fqmulV(v5, z, zq); v5 = i32x4.sub(v1, t); v1 = i32x4.add(v1, t);
    t = fqmulV(v6, z, zq); v6 = i32x4.sub(v2, t); v2 = i32x4.add(v2, t);
    t = fqmulV(v7, z, zq); v7 = i32x4.sub(v3, t); v3 = i32x4.add(v3, t);
    // len 8: (0,2), (1,3); then (4,6), (5,7).
    z = v128.load32_splat(w8); zq = v128.load32_splat(w8q);
    t = fqmulV(v2, z, zq); v2 = i32x4.sub(v0, t); v0 = i32x4.add(v0, t);
    t = fqmulV(v3, z, zq); v3 = i32x4.sub(v1, t); v1 = i32x4.add(v1, t);
    z = v128.load32_splat(w8, 4); zq = v128.load32_splat(w8q, 4);
    t = fqmulV(v6, z, zq); v6 = i32x4.sub(v4, t); v4 = i32x4.add(v4, t);
    t = fqmulV(v7, z, zq); v7 = i32x4.sub(v5, t); v5 = i32x4.add(v5, t);
    // len 4: (0,1), (2,3), (4,5), (6,7).
    t = fqmulV(v1, v128.load32_splat(w4), v128.load32_splat(w4q)); v1 = i32x4.sub(v0, t); v0 = i32x4.add(v0, t);
    t = fqmulV(v3, v128.load32_splat(w4, 4), v128.load32_splat(w4q, 4)); v3 = i32x4.sub(v2, t); v2 = i32x4.add(v2, t);
    t = fqmulV(v5, v128.load32_splat(w4, 8), v128.load32_splat(w4q, 8)); v5 = i32x4.sub(v4, t); v4 = i32x4.add(v4, t);
    t = fqmulV(v7, v128.load32_splat(w4, 12), v128.load32_splat(w4q, 12)); v7 = i32x4.sub(v6, t); v6 = i32x4.add(v6, t);
    v128.store(q, v0); v128.store(q, v1, 16); v128.store(q, v2, 32); v128.store(q, v3, 48);
    v128.store(q, v4, 64); v128.store(q, v5, 80); v128.store(q, v6, 96); v128.store(q, v7, 112);
  }
}

/** Layers len 2, 1 (zeta_64 .. zeta_255, from FWD2 / FWD1), chunk by chunk. */
function nttLow(p: usize): void {
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
  invLow(p);
  invMid(p);
  invHigh(p);
}

/** Layers len 1, 2 (INV1 / INV2), chunk by chunk. */
function invLow(p: usize): void {
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
}

/**
 * Layers len 4, 8, 16 (-zeta_63 .. -zeta_8), block by block. The inverse
 * butterfly: (a, b) -> (a + b, (a - b)(-zeta_m)).
 */
function invMid(p: usize): void {
  for (let b: usize = 0; b < 8; b++) {
    const q = p + (b << 7);
    // Block b's twiddles: zeta_{63-4b-h} (len 4), zeta_{31-2b-h} (len 8),
    // zeta_{15-b} (len 16): with r = 7 - b, the ones the forward pass reads
    // for its block r (the addresses are written as a static array plus an
    // index, which the WAVEN pass confines to the array's page).
    const r: usize = 7 - b;
    const w16 = ZETAS + 32 + (r << 2), w16q = ZETASQ + 32 + (r << 2);
    const w8 = ZETAS + 64 + (r << 3), w8q = ZETASQ + 64 + (r << 3);
    const w4 = ZETAS + 128 + (r << 4), w4q = ZETASQ + 128 + (r << 4);
    let v0 = v128.load(q), v1 = v128.load(q, 16), v2 = v128.load(q, 32), v3 = v128.load(q, 48);
    let v4 = v128.load(q, 64), v5 = v128.load(q, 80), v6 = v128.load(q, 96), v7 = v128.load(q, 112);
    // len 4: (0,1), (2,3), (4,5), (6,7).
    let t = i32x4.sub(v0, v1); v0 = i32x4.add(v0, v1);
    v1 = fqmulV(t, i32x4.neg(v128.load32_splat(w4, 12)), i32x4.neg(v128.load32_splat(w4q, 12)));
    t = i32x4.sub(v2, v3); v2 = i32x4.add(v2, v3);
    v3 = fqmulV(t, i32x4.neg(v128.load32_splat(w4, 8)), i32x4.neg(v128.load32_splat(w4q, 8)));
    t = i32x4.sub(v4, v5); v4 = i32x4.add(v4, v5);
    v5 = fqmulV(t, i32x4.neg(v128.load32_splat(w4, 4)), i32x4.neg(v128.load32_splat(w4q, 4)));
    t = i32x4.sub(v6, v7); v6 = i32x4.add(v6, v7);
    v7 = fqmulV(t, i32x4.neg(v128.load32_splat(w4)), i32x4.neg(v128.load32_splat(w4q)));
    // len 8: (0,2), (1,3); then (4,6), (5,7).
    let z = i32x4.neg(v128.load32_splat(w8, 4)), zq = i32x4.neg(v128.load32_splat(w8q, 4));
    t = i32x4.sub(v0, v2); v0 = i32x4.add(v0, v2); v2 = fqmulV(t, z, zq);
    t = i32x4.sub(v1, v3); v1 = i32x4.add(v1, v3); v3 = fqmulV(t, z, zq);
    z = i32x4.neg(v128.load32_splat(w8)); zq = i32x4.neg(v128.load32_splat(w8q));
    t = i32x4.sub(v4, v6); v4 = i32x4.add(v4, v6); v6 = fqmulV(t, z, zq);
    t = i32x4.sub(v5, v7); v5 = i32x4.add(v5, v7); v7 = fqmulV(t, z, zq);
    // len 16: (k, k + 4).
    z = i32x4.neg(v128.load32_splat(w16)); zq = i32x4.neg(v128.load32_splat(w16q));
    t = i32x4.sub(v0, v4); v0 = i32x4.add(v0, v4); v4 = fqmulV(t, z, zq);
    t = i32x4.sub(v1, v5); v1 = i32x4.add(v1, v5); v5 = fqmulV(t, z, zq);
    t = i32x4.sub(v2, v6); v2 = i32x4.add(v2, v6); v6 = fqmulV(t, z, zq);
    t = i32x4.sub(v3, v7); v3 = i32x4.add(v3, v7); v7 = fqmulV(t, z, zq);
    v128.store(q, v0); v128.store(q, v1, 16); v128.store(q, v2, 32); v128.store(q, v3, 48);
    v128.store(q, v4, 64); v128.store(q, v5, 80); v128.store(q, v6, 96); v128.store(q, v7, 112);
  }
}

/**
 * Layers len 32, 64 (-zeta_7 .. -zeta_2) and the last layer (len 128,
 * twiddle -zeta_1) with the final scale F folded in: a + b times F, and
 * a - b times F_LAST = -zeta_1 F mod q. Both are one Barrett
 * multiplication, so the output bound is that of fqmulV. Column by column.
 */
function invHigh(p: usize): void {
  const z7 = i32x4.neg(zeta(7)), z7q = i32x4.neg(zetaQ(7)), z6 = i32x4.neg(zeta(6)), z6q = i32x4.neg(zetaQ(6));
  const z5 = i32x4.neg(zeta(5)), z5q = i32x4.neg(zetaQ(5)), z4 = i32x4.neg(zeta(4)), z4q = i32x4.neg(zetaQ(4));
  const z3 = i32x4.neg(zeta(3)), z3q = i32x4.neg(zetaQ(3)), z2 = i32x4.neg(zeta(2)), z2q = i32x4.neg(zetaQ(2));
  const f = i32x4.splat(F_SCALE), fq = i32x4.splat(F_SCALE_Q);
  const fl = i32x4.splat(F_LAST), flq = i32x4.splat(F_LAST_Q);
  for (let o: usize = 0; o < 128; o += 16) {
    const q = p + o;
    let v0 = v128.load(q), v1 = v128.load(q, 128), v2 = v128.load(q, 256), v3 = v128.load(q, 384);
    let v4 = v128.load(q, 512), v5 = v128.load(q, 640), v6 = v128.load(q, 768), v7 = v128.load(q, 896);
    // len 32: (0,1) -zeta_7, (2,3) -zeta_6, (4,5) -zeta_5, (6,7) -zeta_4.
    let t = i32x4.sub(v0, v1); v0 = i32x4.add(v0, v1); v1 = fqmulV(t, z7, z7q);
    t = i32x4.sub(v2, v3); v2 = i32x4.add(v2, v3); v3 = fqmulV(t, z6, z6q);
    t = i32x4.sub(v4, v5); v4 = i32x4.add(v4, v5); v5 = fqmulV(t, z5, z5q);
    t = i32x4.sub(v6, v7); v6 = i32x4.add(v6, v7); v7 = fqmulV(t, z4, z4q);
    // len 64: (0,2), (1,3) -zeta_3; (4,6), (5,7) -zeta_2.
    t = i32x4.sub(v0, v2); v0 = i32x4.add(v0, v2); v2 = fqmulV(t, z3, z3q);
    t = i32x4.sub(v1, v3); v1 = i32x4.add(v1, v3); v3 = fqmulV(t, z3, z3q);
    t = i32x4.sub(v4, v6); v4 = i32x4.add(v4, v6); v6 = fqmulV(t, z2, z2q);
    t = i32x4.sub(v5, v7); v5 = i32x4.add(v5, v7); v7 = fqmulV(t, z2, z2q);
    // len 128: (k, k + 4), scaled.
    t = i32x4.sub(v0, v4); v0 = fqmulV(i32x4.add(v0, v4), f, fq); v4 = fqmulV(t, fl, flq);
    t = i32x4.sub(v1, v5); v1 = fqmulV(i32x4.add(v1, v5), f, fq); v5 = fqmulV(t, fl, flq);
    t = i32x4.sub(v2, v6); v2 = fqmulV(i32x4.add(v2, v6), f, fq); v6 = fqmulV(t, fl, flq);
    t = i32x4.sub(v3, v7); v3 = fqmulV(i32x4.add(v3, v7), f, fq); v7 = fqmulV(t, fl, flq);
    v128.store(q, v0); v128.store(q, v1, 128); v128.store(q, v2, 256); v128.store(q, v3, 384);
    v128.store(q, v4, 512); v128.store(q, v5, 640); v128.store(q, v6, 768); v128.store(q, v7, 896);
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
  // Four vectors per step, read through x = a + off and y = b + off at
  // constant offsets: one address per four loads, direct under WAVEN.
  const zero = i64x2.splat(0);
  for (let i: usize = 0; i < 1024; i += 64) {
    let lo0 = zero, hi0 = zero, lo1 = zero, hi1 = zero, lo2 = zero, hi2 = zero, lo3 = zero, hi3 = zero;
    for (let j = 0; j < n; j++) {
      const off = (<usize>j << 10) + i;
      const x = a + off;
      const y = b + off;
      let u = v128.load(x), v = v128.load(y);
      lo0 = i64x2.add(lo0, i64x2.extmul_low_i32x4_s(u, v));
      hi0 = i64x2.add(hi0, i64x2.extmul_high_i32x4_s(u, v));
      u = v128.load(x, 16); v = v128.load(y, 16);
      lo1 = i64x2.add(lo1, i64x2.extmul_low_i32x4_s(u, v));
      hi1 = i64x2.add(hi1, i64x2.extmul_high_i32x4_s(u, v));
      u = v128.load(x, 32); v = v128.load(y, 32);
      lo2 = i64x2.add(lo2, i64x2.extmul_low_i32x4_s(u, v));
      hi2 = i64x2.add(hi2, i64x2.extmul_high_i32x4_s(u, v));
      u = v128.load(x, 48); v = v128.load(y, 48);
      lo3 = i64x2.add(lo3, i64x2.extmul_low_i32x4_s(u, v));
      hi3 = i64x2.add(hi3, i64x2.extmul_high_i32x4_s(u, v));
    }
    const o = r + i;
    v128.store(o, montReduce64(lo0, hi0));
    v128.store(o, montReduce64(lo1, hi1), 16);
    v128.store(o, montReduce64(lo2, hi2), 32);
    v128.store(o, montReduce64(lo3, hi3), 48);
  }
}
