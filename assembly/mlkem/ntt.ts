// FIPS 203 section 4.3: the number-theoretic transform over Z_q[X]/(X^256+1),
// with seven layers of butterflies, and MultiplyNTTs (Algorithms 9-12).
//
// SIMD layout: coefficients are i16, eight to a v128, 32 vectors per
// polynomial. Each transform is two passes over memory, each doing its layers
// in registers:
// - layers len 128, 64, 32 pair vectors 16, 8 and 4 apart: a pass over four
//   columns, column o holding vectors o + 4k (k = 0..7);
// - layers len 16, 8 pair vectors 2 and 1 apart, and layers len 4, 2 pair
//   coefficients inside a 16-coefficient chunk (held in two registers and
//   shuffled so that each butterfly again pairs whole vectors): a pass over
//   eight 32-coefficient blocks, block b holding vectors 4b .. 4b + 3.
// Every butterfly is the one of Algorithms 9/10 with the same zeta as a
// layer-by-layer loop; only the order of independent butterflies within a
// layer differs, so the output is the same bits. Two passes load and store
// each vector twice instead of once per layer (issue 17: under WAVEN every
// access is translated; the plain module saves the traffic too), and every
// address is a local plus constants, which the WAVEN pass makes direct, or a
// static table plus an index, confined to the table's page (docs/waven.md).
// Multiplications by zetas are Barrett multiplications (reduce.ts); nothing
// here depends on coefficient values except through arithmetic.
import { Q } from './params';
import { barrettV, fqmulV, QINV } from './reduce';
import {
  ZETAS, ZETASB, FWD4, FWD4B, FWD2, FWD2B, INV2, INV2B, INV4, INV4B,
  TWIST, TWISTB, F_SCALE, F_SCALE_B, ZF_SCALE, ZF_SCALE_B,
} from './tables';

/** zeta_k splatted (k a compile-time index into ZETAS). */
// @ts-ignore: decorator
@inline function zetaV(k: usize): v128 { return v128.load16_splat(ZETAS + (k << 1)); }
/** Its Barrett constant, splatted. */
// @ts-ignore: decorator
@inline function zetaBV(k: usize): v128 { return v128.load16_splat(ZETASB + (k << 1)); }

/**
 * FIPS 203 Algorithm 9, NTT, in place on the 256 coefficients at p.
 * Input: |coefficient| <= q. Output: Barrett-reduced, |coefficient| <= 0.66 q.
 * (Each layer adds at most q, so the intermediate bound is 8 q < 2^15.)
 */
export function ntt(p: usize): void {
  nttHigh(p);
  nttLow(p);
}

/** Layers len 128, 64, 32 (zeta_1 .. zeta_7), column by column. */
function nttHigh(p: usize): void {
  const z1 = zetaV(1), z1b = zetaBV(1), z2 = zetaV(2), z2b = zetaBV(2), z3 = zetaV(3), z3b = zetaBV(3);
  const z4 = zetaV(4), z4b = zetaBV(4), z5 = zetaV(5), z5b = zetaBV(5);
  const z6 = zetaV(6), z6b = zetaBV(6), z7 = zetaV(7), z7b = zetaBV(7);
  for (let o: usize = 0; o < 64; o += 16) {
    const q = p + o;
    let v0 = v128.load(q), v1 = v128.load(q, 64), v2 = v128.load(q, 128), v3 = v128.load(q, 192);
    let v4 = v128.load(q, 256), v5 = v128.load(q, 320), v6 = v128.load(q, 384), v7 = v128.load(q, 448);
    // len 128: (k, k + 4), zeta_1.
    let t = fqmulV(v4, z1, z1b); v4 = i16x8.sub(v0, t); v0 = i16x8.add(v0, t);
    t = fqmulV(v5, z1, z1b); v5 = i16x8.sub(v1, t); v1 = i16x8.add(v1, t);
    t = fqmulV(v6, z1, z1b); v6 = i16x8.sub(v2, t); v2 = i16x8.add(v2, t);
    t = fqmulV(v7, z1, z1b); v7 = i16x8.sub(v3, t); v3 = i16x8.add(v3, t);
    // len 64: (0,2), (1,3) zeta_2; (4,6), (5,7) zeta_3.
    t = fqmulV(v2, z2, z2b); v2 = i16x8.sub(v0, t); v0 = i16x8.add(v0, t);
    t = fqmulV(v3, z2, z2b); v3 = i16x8.sub(v1, t); v1 = i16x8.add(v1, t);
    t = fqmulV(v6, z3, z3b); v6 = i16x8.sub(v4, t); v4 = i16x8.add(v4, t);
    t = fqmulV(v7, z3, z3b); v7 = i16x8.sub(v5, t); v5 = i16x8.add(v5, t);
    // len 32: (0,1) zeta_4, (2,3) zeta_5, (4,5) zeta_6, (6,7) zeta_7.
    t = fqmulV(v1, z4, z4b); v1 = i16x8.sub(v0, t); v0 = i16x8.add(v0, t);
    t = fqmulV(v3, z5, z5b); v3 = i16x8.sub(v2, t); v2 = i16x8.add(v2, t);
    t = fqmulV(v5, z6, z6b); v5 = i16x8.sub(v4, t); v4 = i16x8.add(v4, t);
    t = fqmulV(v7, z7, z7b); v7 = i16x8.sub(v6, t); v6 = i16x8.add(v6, t);
    v128.store(q, v0); v128.store(q, v1, 64); v128.store(q, v2, 128); v128.store(q, v3, 192);
    v128.store(q, v4, 256); v128.store(q, v5, 320); v128.store(q, v6, 384); v128.store(q, v7, 448);
  }
}

/**
 * Layers len 16, 8 (zeta_8 .. zeta_31), then len 4, 2 (FWD4 / FWD2, per
 * chunk) and the final Barrett reduction, block by block.
 */
function nttLow(p: usize): void {
  for (let b: usize = 0; b < 8; b++) {
    const q = p + (b << 6);
    // Block b's zetas: zeta_{8+b} (len 16), zeta_{16+2b+h} (len 8).
    const w16 = ZETAS + 16 + (b << 1), w16b = ZETASB + 16 + (b << 1);
    const w8 = ZETAS + 32 + (b << 2), w8b = ZETASB + 32 + (b << 2);
    let v0 = v128.load(q), v1 = v128.load(q, 16), v2 = v128.load(q, 32), v3 = v128.load(q, 48);
    // len 16: (0,2), (1,3).
    const z = v128.load16_splat(w16), zb = v128.load16_splat(w16b);
    let t = fqmulV(v2, z, zb); v2 = i16x8.sub(v0, t); v0 = i16x8.add(v0, t);
    t = fqmulV(v3, z, zb); v3 = i16x8.sub(v1, t); v1 = i16x8.add(v1, t);
    // len 8: (0,1), (2,3).
    t = fqmulV(v1, v128.load16_splat(w8), v128.load16_splat(w8b)); v1 = i16x8.sub(v0, t); v0 = i16x8.add(v0, t);
    t = fqmulV(v3, v128.load16_splat(w8, 2), v128.load16_splat(w8b, 2)); v3 = i16x8.sub(v2, t); v2 = i16x8.add(v2, t);
    // len 4, 2: chunk 2b (v0, v1), then chunk 2b + 1 (v2, v3).
    const tw = FWD4 + (b << 5), twb = FWD4B + (b << 5), tw2 = FWD2 + (b << 5), tw2b = FWD2B + (b << 5);
    nttChunk(q, v0, v1, v128.load(tw), v128.load(twb), v128.load(tw2), v128.load(tw2b));
    nttChunk(q + 32, v2, v3, v128.load(tw, 16), v128.load(twb, 16), v128.load(tw2, 16), v128.load(tw2b, 16));
  }
}

/**
 * Layers len 4 and 2 of one 16-coefficient chunk (c0..c7 in v0, c8..c15 in
 * v1) with its FWD4 / FWD2 twiddles; Barrett-reduces and stores it at q.
 */
// @ts-ignore: decorator
@inline function nttChunk(q: usize, v0: v128, v1: v128, f4: v128, f4b: v128, f2: v128, f2b: v128): void {
  // len 4: A = [c0..c3, c8..c11], B = [c4..c7, c12..c15].
  let a = i16x8.shuffle(v0, v1, 0, 1, 2, 3, 8, 9, 10, 11);
  let b = i16x8.shuffle(v0, v1, 4, 5, 6, 7, 12, 13, 14, 15);
  let t = fqmulV(b, f4, f4b);
  const a1 = i16x8.add(a, t);
  const b1 = i16x8.sub(a, t);
  // len 2: A = [c0,c1,c4,c5,c8,c9,c12,c13], B = [c2,c3,c6,c7,c10,c11,c14,c15].
  a = i16x8.shuffle(a1, b1, 0, 1, 8, 9, 4, 5, 12, 13);
  b = i16x8.shuffle(a1, b1, 2, 3, 10, 11, 6, 7, 14, 15);
  t = fqmulV(b, f2, f2b);
  const a2 = barrettV(i16x8.add(a, t));
  const b2 = barrettV(i16x8.sub(a, t));
  v128.store(q, i16x8.shuffle(a2, b2, 0, 1, 8, 9, 2, 3, 10, 11));
  v128.store(q, i16x8.shuffle(a2, b2, 4, 5, 12, 13, 6, 7, 14, 15), 16);
}

/**
 * FIPS 203 Algorithm 10, NTT^-1, in place, times 2^16 (the result is scaled by
 * F_SCALE = 128^-1 2^16 instead of 128^-1, which cancels the 2^-16 that
 * basemulAcc leaves). Input: |coefficient| < q. Output: |coefficient| <= q.
 * Bounds: the sums double per layer, so they are Barrett-reduced after the
 * len-4 and len-32 layers (<= 4q and <= 5.3q there, never above 2^15).
 * The inverse butterfly: (a, b) -> (a + b, (b - a) zeta_k).
 */
export function invntt(p: usize): void {
  invLow(p);
  invHigh(p);
}

/**
 * Layers len 2, 4 (INV2 / INV4, per chunk), then len 8, 16 (zeta_31 ..
 * zeta_8), block by block.
 */
function invLow(p: usize): void {
  for (let b: usize = 0; b < 8; b++) {
    const q = p + (b << 6);
    const i2 = INV2 + (b << 5), i2b = INV2B + (b << 5), i4 = INV4 + (b << 5), i4b = INV4B + (b << 5);
    let v0 = v128.load(q), v1 = v128.load(q, 16), v2 = v128.load(q, 32), v3 = v128.load(q, 48);
    // Chunk 2b (v0, v1), len 2: A = [c0,c1,c4,c5,c8,c9,c12,c13], B = [c2,c3,c6,c7,...].
    let a = i16x8.shuffle(v0, v1, 0, 1, 4, 5, 8, 9, 12, 13);
    let c = i16x8.shuffle(v0, v1, 2, 3, 6, 7, 10, 11, 14, 15);
    let a1 = i16x8.add(a, c);
    let c1 = fqmulV(i16x8.sub(c, a), v128.load(i2), v128.load(i2b));
    // len 4: A = [c0..c3, c8..c11], B = [c4..c7, c12..c15], from
    // a1 = [c0,c1,c4,c5,c8,c9,c12,c13], c1 = [c2,c3,c6,c7,c10,c11,c14,c15].
    a = i16x8.shuffle(a1, c1, 0, 1, 8, 9, 4, 5, 12, 13);
    c = i16x8.shuffle(a1, c1, 2, 3, 10, 11, 6, 7, 14, 15);
    a1 = barrettV(i16x8.add(a, c));
    c1 = fqmulV(i16x8.sub(c, a), v128.load(i4), v128.load(i4b));
    // a1 = [c0..c3, c8..c11], c1 = [c4..c7, c12..c15].
    v0 = i16x8.shuffle(a1, c1, 0, 1, 2, 3, 8, 9, 10, 11);
    v1 = i16x8.shuffle(a1, c1, 4, 5, 6, 7, 12, 13, 14, 15);
    // Chunk 2b + 1 (v2, v3), the same.
    a = i16x8.shuffle(v2, v3, 0, 1, 4, 5, 8, 9, 12, 13);
    c = i16x8.shuffle(v2, v3, 2, 3, 6, 7, 10, 11, 14, 15);
    a1 = i16x8.add(a, c);
    c1 = fqmulV(i16x8.sub(c, a), v128.load(i2, 16), v128.load(i2b, 16));
    a = i16x8.shuffle(a1, c1, 0, 1, 8, 9, 4, 5, 12, 13);
    c = i16x8.shuffle(a1, c1, 2, 3, 10, 11, 6, 7, 14, 15);
    a1 = barrettV(i16x8.add(a, c));
    c1 = fqmulV(i16x8.sub(c, a), v128.load(i4, 16), v128.load(i4b, 16));
    v2 = i16x8.shuffle(a1, c1, 0, 1, 2, 3, 8, 9, 10, 11);
    v3 = i16x8.shuffle(a1, c1, 4, 5, 6, 7, 12, 13, 14, 15);
    // Block b's zetas, with r = 7 - b: zeta_{31-2b-h} = zeta_{17+2r-h} (len 8)
    // and zeta_{15-b} = zeta_{8+r} (len 16), the ones the forward pass reads
    // for block r (written as a static table plus an index).
    const r: usize = 7 - b;
    const w8 = ZETAS + 32 + (r << 2), w8b = ZETASB + 32 + (r << 2);
    const w16 = ZETAS + 16 + (r << 1), w16b = ZETASB + 16 + (r << 1);
    // len 8: (0,1), (2,3).
    let t = i16x8.sub(v1, v0); v0 = i16x8.add(v0, v1);
    v1 = fqmulV(t, v128.load16_splat(w8, 2), v128.load16_splat(w8b, 2));
    t = i16x8.sub(v3, v2); v2 = i16x8.add(v2, v3);
    v3 = fqmulV(t, v128.load16_splat(w8), v128.load16_splat(w8b));
    // len 16: (0,2), (1,3).
    const z = v128.load16_splat(w16), zb = v128.load16_splat(w16b);
    t = i16x8.sub(v2, v0); v0 = i16x8.add(v0, v2); v2 = fqmulV(t, z, zb);
    t = i16x8.sub(v3, v1); v1 = i16x8.add(v1, v3); v3 = fqmulV(t, z, zb);
    v128.store(q, v0); v128.store(q, v1, 16); v128.store(q, v2, 32); v128.store(q, v3, 48);
  }
}

/**
 * Layers len 32 (zeta_7 .. zeta_4, sums Barrett-reduced), 64 (zeta_3,
 * zeta_2) and 128 with the final scaling folded in: a' = (a + b) F,
 * b' = (b - a) zeta_1 F. Column by column.
 */
function invHigh(p: usize): void {
  const z7 = zetaV(7), z7b = zetaBV(7), z6 = zetaV(6), z6b = zetaBV(6);
  const z5 = zetaV(5), z5b = zetaBV(5), z4 = zetaV(4), z4b = zetaBV(4);
  const z3 = zetaV(3), z3b = zetaBV(3), z2 = zetaV(2), z2b = zetaBV(2);
  const f = i16x8.splat(F_SCALE), fb = i16x8.splat(F_SCALE_B);
  const zf = i16x8.splat(ZF_SCALE), zfb = i16x8.splat(ZF_SCALE_B);
  for (let o: usize = 0; o < 64; o += 16) {
    const q = p + o;
    let v0 = v128.load(q), v1 = v128.load(q, 64), v2 = v128.load(q, 128), v3 = v128.load(q, 192);
    let v4 = v128.load(q, 256), v5 = v128.load(q, 320), v6 = v128.load(q, 384), v7 = v128.load(q, 448);
    // len 32: (0,1) zeta_7, (2,3) zeta_6, (4,5) zeta_5, (6,7) zeta_4.
    let t = i16x8.sub(v1, v0); v0 = barrettV(i16x8.add(v0, v1)); v1 = fqmulV(t, z7, z7b);
    t = i16x8.sub(v3, v2); v2 = barrettV(i16x8.add(v2, v3)); v3 = fqmulV(t, z6, z6b);
    t = i16x8.sub(v5, v4); v4 = barrettV(i16x8.add(v4, v5)); v5 = fqmulV(t, z5, z5b);
    t = i16x8.sub(v7, v6); v6 = barrettV(i16x8.add(v6, v7)); v7 = fqmulV(t, z4, z4b);
    // len 64: (0,2), (1,3) zeta_3; (4,6), (5,7) zeta_2.
    t = i16x8.sub(v2, v0); v0 = i16x8.add(v0, v2); v2 = fqmulV(t, z3, z3b);
    t = i16x8.sub(v3, v1); v1 = i16x8.add(v1, v3); v3 = fqmulV(t, z3, z3b);
    t = i16x8.sub(v6, v4); v4 = i16x8.add(v4, v6); v6 = fqmulV(t, z2, z2b);
    t = i16x8.sub(v7, v5); v5 = i16x8.add(v5, v7); v7 = fqmulV(t, z2, z2b);
    // len 128: (k, k + 4), scaled.
    t = i16x8.sub(v4, v0); v0 = fqmulV(i16x8.add(v0, v4), f, fb); v4 = fqmulV(t, zf, zfb);
    t = i16x8.sub(v5, v1); v1 = fqmulV(i16x8.add(v1, v5), f, fb); v5 = fqmulV(t, zf, zfb);
    t = i16x8.sub(v6, v2); v2 = fqmulV(i16x8.add(v2, v6), f, fb); v6 = fqmulV(t, zf, zfb);
    t = i16x8.sub(v7, v3); v3 = fqmulV(i16x8.add(v3, v7), f, fb); v7 = fqmulV(t, zf, zfb);
    v128.store(q, v0); v128.store(q, v1, 64); v128.store(q, v2, 128); v128.store(q, v3, 192);
    v128.store(q, v4, 256); v128.store(q, v5, 320); v128.store(q, v6, 384); v128.store(q, v7, 448);
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
