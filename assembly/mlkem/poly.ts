// Polynomials in R_q: 256 i16 coefficients at a 16-byte aligned address.
// Arithmetic, the canonical form, and FIPS 203 section 4.2.1 Compress/
// Decompress with ByteEncode/ByteDecode (Algorithms 5 and 6).
//
// Compress_d(x) = round(2^d x / q) mod 2^d is computed without division by
// multiplying with a precomputed reciprocal (pq-crystals/kyber ref), checked
// for every x in [0, q) by tests/mlkem-internals.test.ts. Only public lengths
// and d choose the code path; values only flow through arithmetic.
import { Q, N } from './params';
import { barrettV, caddqV, fqmulV, freezeV } from './reduce';
import { MONT_R, MONT_R_B } from './tables';

/** r = a + b, lane-wise, no reduction (callers track the bound). */
export function polyAdd(r: usize, a: usize, b: usize): void {
  for (let i: usize = 0; i < 512; i += 16) {
    v128.store(r + i, i16x8.add(v128.load(a + i), v128.load(b + i)));
  }
}

/** r = a - b, lane-wise, no reduction. */
export function polySub(r: usize, a: usize, b: usize): void {
  for (let i: usize = 0; i < 512; i += 16) {
    v128.store(r + i, i16x8.sub(v128.load(a + i), v128.load(b + i)));
  }
}

/** Map every coefficient to its canonical representative in [0, q). */
export function polyFreeze(p: usize): void {
  for (let i: usize = 0; i < 512; i += 16) v128.store(p + i, freezeV(v128.load(p + i)));
}

/** Barrett-reduce every coefficient (|result| <= 0.66 q). */
export function polyReduce(p: usize): void {
  for (let i: usize = 0; i < 512; i += 16) v128.store(p + i, barrettV(v128.load(p + i)));
}

/**
 * r = freeze(2^16 a + e): key generation's t = A s + e, where a comes from
 * basemulAcc (which leaves a factor 2^-16). Output in [0, q).
 */
export function polyMontAddFreeze(r: usize, a: usize, e: usize): void {
  const z = i16x8.splat(MONT_R);
  const zb = i16x8.splat(MONT_R_B);
  for (let i: usize = 0; i < 512; i += 16) {
    const t = fqmulV(v128.load(a + i), z, zb);
    v128.store(r + i, freezeV(i16x8.add(t, v128.load(e + i))));
  }
}

// ByteDecode_12 / ByteEncode_12 in SIMD, eight values (12 bytes) at a time.
// Values 2t and 2t + 1 share bytes 3t .. 3t + 2: value 2t is bytes (3t,
// 3t + 1) & 0xfff, value 2t + 1 is bytes (3t + 1, 3t + 2) >> 4. D12 gathers
// those byte pairs into the eight u16 lanes; D12_LAST is the same for a
// group read 4 bytes early (the last group's 16-byte load would otherwise
// run 4 bytes past the polynomial). Every swizzle index is in range.
const D12 = i8x16(0, 1, 1, 2, 3, 4, 4, 5, 6, 7, 7, 8, 9, 10, 10, 11);
const D12_LAST = i8x16(4, 5, 5, 6, 7, 8, 8, 9, 10, 11, 11, 12, 13, 14, 14, 15);
const ODD_LANES = i16x8(0, -1, 0, -1, 0, -1, 0, -1);

/** The eight 12-bit values of the group whose bytes `sw` picks from v. */
// @ts-ignore: decorator
@inline function decode12(v: v128, sw: v128): v128 {
  const x = i8x16.swizzle(v, sw);
  return v128.bitselect(i16x8.shr_u(x, 4), v128.and(x, i16x8.splat(0xfff)), ODD_LANES);
}

/** Group g's values (g < 32) of the 384 bytes at src. */
// @ts-ignore: decorator
@inline function group12(src: usize, g: usize): v128 {
  return g < 31 ? decode12(v128.load(src + g * 12), D12) : decode12(v128.load(src, 368), D12_LAST);
}

/**
 * ByteDecode_12 (Algorithm 6, d = 12) of 384 bytes, each 12-bit value reduced
 * mod q (a value in [q, 4096) becomes value - q, in constant time).
 */
export function polyFromBytes12(p: usize, src: usize): void {
  const q = i16x8.splat(<i16>Q);
  for (let g: usize = 0; g < 32; g++) v128.store(p + (g << 4), caddqV(i16x8.sub(group12(src, g), q)));
}

/** ByteEncode_12 (Algorithm 5, d = 12) of a canonical polynomial: 384 bytes. */
export function polyToBytes12(dst: usize, p: usize): void {
  for (let g: usize = 0; g < 32; g++) {
    // Pairs as 24-bit values a + 2^12 b in i32 lanes, then their low three bytes.
    const w = i32x4.dot_i16x8_s(v128.load(p + (g << 4)), i16x8(1, 4096, 1, 4096, 1, 4096, 1, 4096));
    const b = i8x16.swizzle(w, i8x16(0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 3, 7, 11, 15));
    const d = dst + g * 12;
    v128.store64_lane(d, b, 0);
    v128.store32_lane(d, b, 2, 8);
  }
}

/**
 * True when every 12-bit value in the 384 bytes at src is < q (FIPS 203
 * section 7.2, the modulus check on the encapsulation key). ek is public, so
 * an early exit would be allowed; the loop runs to the end anyway.
 */
export function bytes12Reduced(src: usize): bool {
  let bad = i16x8.splat(0);
  for (let g: usize = 0; g < 32; g++) bad = v128.or(bad, i16x8.ge_u(group12(src, g), i16x8.splat(<i16>Q)));
  return !v128.any_true(bad);
}

/**
 * Compress_d then ByteEncode_d (Algorithms 4-5) of a canonical polynomial,
 * d in {4, 5, 10, 11}: writes 32 d bytes at dst. Overwrites p with the
 * compressed values (callers are done with it).
 *
 * Compress_d(x) = round(2^d x / q) mod 2^d for x in [0, q) is computed as
 * ((x << d) + c) * m >> s with the reference implementation's constants.
 * d = 4, 5 fit 32-bit lanes (the product may wrap, which only drops bits
 * above the ones the mask keeps). d = 10, 11 need 64-bit products: the
 * high half of i64x2.extmul, with d = 11's constant doubled so that both
 * shift by exactly 32. All lanes run the same instructions.
 */
export function polyCompress(dst: usize, p: usize, d: i32): void {
  const mask = i32x4.splat((1 << d) - 1);
  if (d == 4 || d == 5) {
    const sh = d == 4 ? 28 : 27;
    const c = i32x4.splat(d == 4 ? 1665 : 1664);
    const m = i32x4.splat(d == 4 ? 80635 : 40318);
    for (let i: usize = 0; i < 512; i += 16) {
      const x = v128.load(p + i);
      const lo = i32x4.shr_u(i32x4.mul(i32x4.add(i32x4.shl(i32x4.extend_low_i16x8_u(x), d), c), m), sh);
      const hi = i32x4.shr_u(i32x4.mul(i32x4.add(i32x4.shl(i32x4.extend_high_i16x8_u(x), d), c), m), sh);
      v128.store(p + i, i16x8.narrow_i32x4_u(v128.and(lo, mask), v128.and(hi, mask)));
    }
  } else {
    const c = i32x4.splat(d == 10 ? 1665 : 1664);
    const m = i32x4.splat(d == 10 ? 1290167 : 1290168);
    for (let i: usize = 0; i < 512; i += 16) {
      const x = v128.load(p + i);
      const nlo = i32x4.add(i32x4.shl(i32x4.extend_low_i16x8_u(x), d), c);
      const nhi = i32x4.add(i32x4.shl(i32x4.extend_high_i16x8_u(x), d), c);
      const lo = i32x4.shuffle(i64x2.extmul_low_i32x4_u(nlo, m), i64x2.extmul_high_i32x4_u(nlo, m), 1, 3, 5, 7);
      const hi = i32x4.shuffle(i64x2.extmul_low_i32x4_u(nhi, m), i64x2.extmul_high_i32x4_u(nhi, m), 1, 3, 5, 7);
      v128.store(p + i, i16x8.narrow_i32x4_u(v128.and(lo, mask), v128.and(hi, mask)));
    }
  }
  packBits(dst, p, d);
}

/**
 * Eight values < 2^10 (u16 lanes of x) as ten little-endian bytes in lanes
 * 0..9 of the result (ByteEncode_10 of eight values). Lanes 10..15 are
 * don't-care. The swizzle's indices are all in range.
 */
// @ts-ignore: decorator
@inline function packPairs10(x: v128): v128 {
  const a = i32x4.dot_i16x8_s(x, i16x8(1, 1024, 1, 1024, 1, 1024, 1, 1024)); // c0 + 2^10 c1 < 2^20 per i32
  const b = v128.or(v128.and(a, i64x2.splat(0xfffff)), i64x2.shl(i64x2.shr_u(a, 32), 20)); // 40 bits per i64
  return i8x16.swizzle(b, i8x16(0, 1, 2, 3, 4, 8, 9, 10, 11, 12, 13, 14, 15, 5, 6, 7));
}

/** ByteEncode_d (Algorithm 5) of 256 values < 2^d at p (u16), d in {4, 5, 10, 11}. */
function packBits(dst: usize, p: usize, d: i32): void {
  if (d == 10) {
    // Eight values (one v128 of u16) to ten bytes: pairs to 20 bits
    // (c0 + 2^10 c1, a multiply-add by constants), pairs of those to 40 bits
    // per i64 lane, then the low five bytes of each lane side by side. The
    // 16-byte store writes six bytes past the group, which the next group
    // overwrites; the last group stores its ten bytes exactly.
    for (let i: usize = 0; i < 32; i++) {
      const b = packPairs10(v128.load(p + (i << 4)));
      if (i < 31) v128.store(dst + 10 * i, b);
      else {
        v128.store64_lane(dst + 10 * i, b, 0);
        store<u16>(dst + 10 * i + 8, i16x8.extract_lane_u(b, 4));
      }
    }
  } else if (d == 11) {
    for (let i: usize = 0; i < 32; i++) {
      const s = p + (i << 4);
      const t5 = <u64>load<u16>(s, 10);
      const lo = <u64>load<u16>(s) | (<u64>load<u16>(s, 2) << 11) | (<u64>load<u16>(s, 4) << 22)
        | (<u64>load<u16>(s, 6) << 33) | (<u64>load<u16>(s, 8) << 44) | (t5 << 55);
      const hi = <u32>(t5 >> 9) | (<u32>load<u16>(s, 12) << 2) | (<u32>load<u16>(s, 14) << 13);
      store<u64>(dst + 11 * i, lo);
      store<u16>(dst + 11 * i + 8, <u16>hi);
      store<u8>(dst + 11 * i + 10, <u8>(hi >> 16));
    }
  } else if (d == 4) {
    // Sixteen values (two v128 of u16) to eight bytes: narrow to bytes, then
    // each byte pair c0 + 2^8 c1 to c0 + 2^4 c1, narrowed again.
    for (let i: usize = 0; i < 16; i++) {
      const n = i8x16.narrow_i16x8_u(v128.load(p + (i << 5)), v128.load(p + (i << 5), 16));
      const t = v128.or(v128.and(n, i16x8.splat(0xff)), i16x8.shl(i16x8.shr_u(n, 8), 4));
      v128.store64_lane(dst + (i << 3), i8x16.narrow_i16x8_u(t, t), 0);
    }
  } else {
    for (let i: usize = 0; i < 32; i++) {
      const s = p + (i << 4);
      const t = <u64>load<u16>(s) | (<u64>load<u16>(s, 2) << 5) | (<u64>load<u16>(s, 4) << 10) | (<u64>load<u16>(s, 6) << 15)
        | (<u64>load<u16>(s, 8) << 20) | (<u64>load<u16>(s, 10) << 25) | (<u64>load<u16>(s, 12) << 30) | (<u64>load<u16>(s, 14) << 35);
      store<u32>(dst + 5 * i, <u32>t);
      store<u8>(dst + 5 * i + 4, <u8>(t >> 32));
    }
  }
}

/**
 * ByteDecode_10 then Decompress_10 of eight values: the ten little-endian
 * bytes in lanes 0..9 of x (lanes 10..15 ignored). Value j sits at bit 10 j:
 * its two bytes are swizzled into u16 lane j (indices in range), shifted up
 * by 6 - (10 j mod 8) with a multiply so that it fills bits 6..15, then
 * y 2^5 = (that >> 1) with the low five bits cleared, and (q y + 2^9) >> 10
 * is the rounding Q15 product (y 2^5) q 2^-15 (exact: y 2^5 < 2^15, and
 * the saturating case -2^15 x -2^15 cannot occur).
 */
// @ts-ignore: decorator
@inline function decompress10(x: v128): v128 {
  const w = i8x16.swizzle(x, i8x16(0, 1, 1, 2, 2, 3, 3, 4, 5, 6, 6, 7, 7, 8, 8, 9));
  const up = i16x8.mul(w, i16x8(64, 16, 4, 1, 64, 16, 4, 1));
  return i16x8.q15mulr_sat_s(v128.and(i16x8.shr_u(up, 1), i16x8.splat(0x7fe0)), i16x8.splat(<i16>Q));
}

/**
 * ByteDecode_d then Decompress_d (Algorithms 5-6): 32 d bytes at src to a
 * canonical polynomial, x = round(q y / 2^d) = (q y + 2^(d-1)) >> d, for d
 * in {4, 5, 10, 11}. Reads exactly 32 d bytes.
 */
export function polyDecompress(p: usize, src: usize, d: i32): void {
  const q = <u32>Q;
  if (d == 10) {
    // Ten bytes to eight values per group. The last group's sixteen-byte
    // load would read six bytes past the input, so it loads exactly ten.
    for (let i: usize = 0; i < 32; i++) {
      const x = i < 31 ? v128.load(src + 10 * i)
        : i16x8.replace_lane(v128.load64_zero(src + 10 * i), 4, load<u16>(src + 10 * i + 8));
      v128.store(p + (i << 4), decompress10(x));
    }
  } else if (d == 11) {
    for (let i: usize = 0; i < 32; i++) {
      const lo = load<u64>(src + 11 * i);
      const hi = <u32>load<u16>(src + 11 * i + 8) | (<u32>load<u8>(src + 11 * i + 10) << 16);
      const o = p + (i << 4);
      store<u16>(o, <u16>((<u32>(lo & 0x7ff) * q + 1024) >> 11));
      store<u16>(o, <u16>((<u32>((lo >> 11) & 0x7ff) * q + 1024) >> 11), 2);
      store<u16>(o, <u16>((<u32>((lo >> 22) & 0x7ff) * q + 1024) >> 11), 4);
      store<u16>(o, <u16>((<u32>((lo >> 33) & 0x7ff) * q + 1024) >> 11), 6);
      store<u16>(o, <u16>((<u32>((lo >> 44) & 0x7ff) * q + 1024) >> 11), 8);
      store<u16>(o, <u16>(((<u32>(lo >> 55) | ((hi & 3) << 9)) * q + 1024) >> 11), 10);
      store<u16>(o, <u16>((((hi >> 2) & 0x7ff) * q + 1024) >> 11), 12);
      store<u16>(o, <u16>((((hi >> 13) & 0x7ff) * q + 1024) >> 11), 14);
    }
  } else if (d == 4) {
    // Eight bytes to sixteen values per group: the nibbles interleaved in
    // order (low nibble first), widened to u16, then (q y + 8) >> 4 as a
    // rounding Q15 product (y 2^11) q 2^-15 (exact: y 2^11 < 2^15).
    const qv = i16x8.splat(<i16>Q);
    for (let i: usize = 0; i < 16; i++) {
      const b = v128.load64_zero(src + (i << 3));
      const y = i8x16.shuffle(v128.and(b, i8x16.splat(15)), i8x16.shr_u(b, 4), 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
      v128.store(p + (i << 5), i16x8.q15mulr_sat_s(i16x8.shl(i16x8.extend_low_i8x16_u(y), 11), qv));
      v128.store(p + (i << 5), i16x8.q15mulr_sat_s(i16x8.shl(i16x8.extend_high_i8x16_u(y), 11), qv), 16);
    }
  } else {
    for (let i: usize = 0; i < 32; i++) {
      const t = <u64>load<u32>(src + 5 * i) | (<u64>load<u8>(src + 5 * i + 4) << 32);
      const o = p + (i << 4);
      for (let j: usize = 0; j < 8; j++) {
        store<u16>(o + (j << 1), <u16>((<u32>((t >> (5 * <u64>j)) & 31) * q + 16) >> 5));
      }
    }
  }
}

/**
 * Decompress_1(ByteDecode_1(m)): bit i of the 32-byte message becomes
 * (q + 1) / 2 or 0, selected with a mask (the message is secret): byte i
 * splatted, each lane j keeps bit j, a compare turns it into a mask.
 */
export function polyFromMsg(p: usize, msg: usize): void {
  const bits = i16x8(1, 2, 4, 8, 16, 32, 64, 128);
  const half = i16x8.splat(<i16>((Q + 1) >> 1));
  for (let i: usize = 0; i < 32; i++) {
    const set = i16x8.eq(v128.and(i16x8.splat(<i16>load<u8>(msg + i)), bits), bits);
    v128.store(p + (i << 4), v128.and(set, half));
  }
}

/**
 * ByteEncode_1(Compress_1(p)) of a canonical polynomial: the 32-byte message.
 * Compress_1(x) = round(2x / q) mod 2 is 1 exactly for x in [833, 2496]
 * (q/4 < x < 3q/4), so the bit is (x - 833) < 1664 unsigned; bitmask packs
 * eight lanes' bits into a byte (lane j to bit j). No branch or index
 * depends on x.
 */
export function polyToMsg(msg: usize, p: usize): void {
  const lo = i16x8.splat(833);
  const width = i16x8.splat(1664);
  for (let i: usize = 0; i < 32; i++) {
    const one = i16x8.lt_u(i16x8.sub(v128.load(p + (i << 4)), lo), width);
    store<u8>(msg + i, <u8>i16x8.bitmask(one));
  }
}

/** Lane-wise a + q if a < 0, for a polynomial with |a| < q. */
export function polyCaddq(p: usize): void {
  for (let i: usize = 0; i < 512; i += 16) v128.store(p + i, caddqV(v128.load(p + i)));
}
