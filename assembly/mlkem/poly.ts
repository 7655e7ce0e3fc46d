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

/**
 * ByteDecode_12 (Algorithm 6, d = 12) of 384 bytes, each 12-bit value reduced
 * mod q (a value in [q, 4096) becomes value - q, in constant time).
 */
export function polyFromBytes12(p: usize, src: usize): void {
  for (let i: usize = 0; i < 128; i++) {
    const b0 = <i32>load<u8>(src + 3 * i);
    const b1 = <i32>load<u8>(src + 3 * i + 1);
    const b2 = <i32>load<u8>(src + 3 * i + 2);
    store<i16>(p + (i << 2), <i16>csub12(b0 | ((b1 & 0xf) << 8)));
    store<i16>(p + (i << 2) + 2, <i16>csub12((b1 >> 4) | (b2 << 4)));
  }
}

// @ts-ignore: decorator
@inline function csub12(x: i32): i32 {
  x -= Q;
  return x + ((x >> 31) & Q);
}

/** ByteEncode_12 (Algorithm 5, d = 12) of a canonical polynomial: 384 bytes. */
export function polyToBytes12(dst: usize, p: usize): void {
  for (let i: usize = 0; i < 128; i++) {
    const a = <u32>load<u16>(p + (i << 2));
    const b = <u32>load<u16>(p + (i << 2) + 2);
    store<u8>(dst + 3 * i, <u8>a);
    store<u8>(dst + 3 * i + 1, <u8>((a >> 8) | (b << 4)));
    store<u8>(dst + 3 * i + 2, <u8>(b >> 4));
  }
}

/**
 * True when every 12-bit value in the 384 bytes at src is < q (FIPS 203
 * section 7.2, the modulus check on the encapsulation key). ek is public, so
 * an early exit would be allowed; the loop runs to the end anyway.
 */
export function bytes12Reduced(src: usize): bool {
  let bad: u32 = 0;
  for (let i: usize = 0; i < 128; i++) {
    const b0 = <u32>load<u8>(src + 3 * i);
    const b1 = <u32>load<u8>(src + 3 * i + 1);
    const b2 = <u32>load<u8>(src + 3 * i + 2);
    bad |= (<u32>Q - 1 - (b0 | ((b1 & 0xf) << 8))) >> 31;
    bad |= (<u32>Q - 1 - ((b1 >> 4) | (b2 << 4))) >> 31;
  }
  return bad == 0;
}

/**
 * Compress_d then ByteEncode_d (Algorithms 4-5) of a canonical polynomial,
 * d in {1, 4, 5, 10, 11}: 32 d bytes. Values are packed little-endian, LSB
 * first, through a 64-bit accumulator.
 */
export function polyCompress(dst: usize, p: usize, d: i32): void {
  let acc: u64 = 0;
  let bits: i32 = 0;
  for (let i: usize = 0; i < <usize>N; i++) {
    const x = <u32>load<u16>(p + (i << 1));
    acc |= <u64>compress(x, d) << <u64>bits;
    bits += d;
    while (bits >= 8) {
      store<u8>(dst, <u8>acc);
      dst++;
      acc >>= 8;
      bits -= 8;
    }
  }
}

/**
 * Compress_d for x in [0, q): round(2^d x / q) mod 2^d, as in the reference
 * implementation. For d <= 5 the 32-bit product wraps, which only drops bits
 * above the ones kept by the final mask.
 */
// @ts-ignore: decorator
@inline function compress(x: u32, d: i32): u32 {
  if (d == 1) return (((x << 1) + 1665) * 80635 >> 28) & 1;
  if (d == 4) return (((x << 4) + 1665) * 80635 >> 28) & 0xf;
  if (d == 5) return (((x << 5) + 1664) * 40318 >> 27) & 0x1f;
  if (d == 10) return <u32>((<u64>((x << 10) + 1665) * 1290167) >> 32) & 0x3ff;
  return <u32>((<u64>((x << 11) + 1664) * 645084) >> 31) & 0x7ff;
}

/**
 * ByteDecode_d then Decompress_d (Algorithms 5-6): 32 d bytes to a canonical
 * polynomial, x = round(q y / 2^d) = (q y + 2^(d-1)) >> d.
 */
export function polyDecompress(p: usize, src: usize, d: i32): void {
  let acc: u64 = 0;
  let bits: i32 = 0;
  const mask: u32 = (1 << d) - 1;
  const half: u32 = 1 << (d - 1);
  for (let i: usize = 0; i < <usize>N; i++) {
    while (bits < d) {
      acc |= <u64>load<u8>(src) << <u64>bits;
      src++;
      bits += 8;
    }
    const y = <u32>acc & mask;
    acc >>= <u64>d;
    bits -= d;
    store<u16>(p + (i << 1), <u16>((y * <u32>Q + half) >> d));
  }
}

/**
 * Decompress_1(ByteDecode_1(m)): bit i of the 32-byte message becomes
 * (q + 1) / 2 or 0, selected with a mask (the message is secret).
 */
export function polyFromMsg(p: usize, msg: usize): void {
  for (let i: usize = 0; i < 32; i++) {
    const byte = <i32>load<u8>(msg + i);
    for (let j: usize = 0; j < 8; j++) {
      const mask = -((byte >> <i32>j) & 1);
      store<i16>(p + ((8 * i + j) << 1), <i16>(mask & ((Q + 1) >> 1)));
    }
  }
}

/** ByteEncode_1(Compress_1(p)) of a canonical polynomial: the 32-byte message. */
export function polyToMsg(msg: usize, p: usize): void {
  for (let i: usize = 0; i < 32; i++) {
    let byte: u32 = 0;
    for (let j: usize = 0; j < 8; j++) {
      const x = <u32>load<u16>(p + ((8 * i + j) << 1));
      byte |= ((((x << 1) + 1665) * 80635 >> 28) & 1) << <u32>j;
    }
    store<u8>(msg + i, <u8>byte);
  }
}

/** Lane-wise a + q if a < 0, for a polynomial with |a| < q. */
export function polyCaddq(p: usize): void {
  for (let i: usize = 0; i < 512; i += 16) v128.store(p + i, caddqV(v128.load(p + i)));
}
