// FIPS 204 section 7.1-7.2: bit packing of polynomials (SimpleBitPack,
// BitPack and their inverses, Algorithms 16-19) and the hint encoding
// (HintBitPack, HintBitUnpack, Algorithms 20-21). Coefficients are i32 at a
// 16-byte aligned address; bytes are little-endian, LSB first.
//
// The packers run through a 64-bit accumulator: `bits` and the loop bounds are
// public; values only flow through shifts and masks (constant time).

/**
 * Pack 256 coefficients with `bits` bits each (bits <= 20): value =
 * (neg ? off - c : c). SimpleBitPack is neg = false (t1, w1); BitPack(w, a, b)
 * stores b - w_i, so neg = true with off = b (s1, s2 with b = eta; t0 with
 * 2^12; z with gamma1). The accumulator is flushed 32 bits at a time; 256 bits
 * coefficients are a whole number of 32-bit words, so nothing is left over.
 */
export function packPoly(dst: usize, p: usize, bits: i32, off: i32, neg: bool): void {
  if (bits == 4) {
    pack4(dst, p, off, neg);
    return;
  }
  let acc: u64 = 0;
  let n: i32 = 0;
  const mask: u64 = (<u64>1 << <u64>bits) - 1;
  for (let i: usize = 0; i < 256; i++) {
    const c = load<i32>(p + (i << 2));
    acc |= (<u64>(neg ? off - c : c) & mask) << <u64>n;
    n += bits;
    if (n >= 32) {
      store<u32>(dst, <u32>acc);
      dst += 4;
      acc >>= 32;
      n -= 32;
    }
  }
}

/**
 * packPoly for bits = 4 (w1 of ML-DSA-65 and -87, s1 and s2 with eta = 4),
 * sixteen values per step in SIMD: masked to four bits (as the packer
 * above), narrowed to bytes, and each byte pair (c0, c1) of a u16 lane
 * joined as c0 | c1 << 4 by (lane | lane >> 4) & 0xff.
 */
function pack4(dst: usize, p: usize, off: i32, neg: bool): void {
  const o = i32x4.splat(off);
  const m = i32x4.splat(15);
  for (let g: usize = 0; g < 16; g++) {
    const q = p + (g << 6);
    let v0 = v128.load(q), v1 = v128.load(q, 16), v2 = v128.load(q, 32), v3 = v128.load(q, 48);
    if (neg) {
      v0 = i32x4.sub(o, v0); v1 = i32x4.sub(o, v1); v2 = i32x4.sub(o, v2); v3 = i32x4.sub(o, v3);
    }
    const c = i8x16.narrow_i16x8_u(
      i16x8.narrow_i32x4_u(v128.and(v0, m), v128.and(v1, m)),
      i16x8.narrow_i32x4_u(v128.and(v2, m), v128.and(v3, m)),
    );
    const b = v128.and(v128.or(c, i16x8.shr_u(c, 4)), i16x8.splat(0xff));
    v128.store64_lane(dst + (g << 3), i8x16.narrow_i16x8_u(b, b), 0);
  }
}

/**
 * Unpack 256 coefficients of `bits` bits (bits <= 20): c = (neg ? off - v :
 * v). Reads exactly 32 bits bytes, 32 bits at a time.
 */
export function unpackPoly(p: usize, src: usize, bits: i32, off: i32, neg: bool): void {
  let acc: u64 = 0;
  let n: i32 = 0;
  const mask: u64 = (<u64>1 << <u64>bits) - 1;
  for (let i: usize = 0; i < 256; i++) {
    if (n < bits) {
      acc |= <u64>load<u32>(src) << <u64>n;
      src += 4;
      n += 32;
    }
    const v = <i32>(acc & mask);
    acc >>= <u64>bits;
    n -= bits;
    store<i32>(p + (i << 2), neg ? off - v : v);
  }
}

/**
 * Unpack 20-bit (gamma1 = 2^19) or 18-bit (2^17) values as gamma1 - v: the
 * hot path of ExpandMask (Algorithm 34) and of z in verification. Reads
 * exactly the 32 bits bytes at src.
 *
 * Four values (10 or 9 bytes) per step, in SIMD: value j of a group starts
 * at bit bits j, byte B_j = floor(bits j / 8), shift s_j = bits j mod 8. A
 * swizzle puts bytes B_j .. B_j + 2 in lane j (bits + s_j <= 24: the value
 * fits), a multiply by 2^(S - s_j) (S the largest shift) moves every value
 * to bit S, and a shift and a mask take it. The last group's 16-byte load
 * starts early enough to end at the packed data's end, its swizzle indices
 * moved by as much. Every index is in range.
 */
export function unpackGamma1(p: usize, src: usize, bits: i32): void {
  const wide = bits == 20;
  const g1 = i32x4.splat(1 << (bits - 1));
  const mask = i32x4.splat((1 << bits) - 1);
  const step: usize = wide ? 10 : 9; // bytes per four values
  const sh = wide ? 4 : 6;
  const mul = wide ? i32x4(16, 1, 16, 1) : i32x4(64, 16, 4, 1);
  const sw = wide
    ? i8x16(0, 1, 2, 2, 2, 3, 4, 4, 5, 6, 7, 7, 7, 8, 9, 9)
    : i8x16(0, 1, 2, 2, 2, 3, 4, 4, 4, 5, 6, 6, 6, 7, 8, 8);
  for (let i: usize = 0; i < 64; i++) {
    // The last group ends at 64 step; its load starts 16 bytes before that,
    // 16 - step (6 or 7) bytes before the group.
    const x = i < 63
      ? i8x16.swizzle(v128.load(src + i * step), sw)
      : i8x16.swizzle(v128.load(src + 64 * step - 16), i8x16.add(sw, i8x16.splat(<i8>(16 - step))));
    v128.store(p + (i << 4), i32x4.sub(g1, v128.and(i32x4.shr_u(i32x4.mul(x, mul), sh), mask)));
  }
}

/**
 * HintBitPack (Algorithm 20): the indices of the 1s of each of the k hint
 * polynomials (0/1 i32 at h + 1024 i), then the k running counts; omega + k
 * bytes at dst, zero-padded. Runs only on an accepted signature (the output is
 * public), so it may branch on the hints.
 */
export function packHints(dst: usize, h: usize, k: i32, omega: i32): void {
  memory.fill(dst, 0, <usize>(omega + k));
  let idx = 0;
  for (let i = 0; i < k; i++) {
    const hp = h + (<usize>i << 10);
    for (let j = 0; j < 256; j++) {
      if (load<i32>(hp + (<usize>j << 2)) != 0) {
        store<u8>(dst + <usize>idx, <u8>j);
        idx++;
      }
    }
    store<u8>(dst + <usize>(omega + i), <u8>idx);
  }
}

/**
 * HintBitUnpack (Algorithm 21) into k 0/1 polynomials at h. Returns false on
 * any malformed encoding: a running count that decreases or exceeds omega,
 * indices within a row not strictly increasing, or non-zero padding after the
 * last index. Verification only (public input).
 */
export function unpackHints(h: usize, src: usize, k: i32, omega: i32): bool {
  memory.fill(h, 0, <usize>k << 10);
  let idx = 0;
  for (let i = 0; i < k; i++) {
    const end = <i32>load<u8>(src + <usize>(omega + i));
    if (end < idx || end > omega) return false;
    for (let j = idx; j < end; j++) {
      const at = <i32>load<u8>(src + <usize>j);
      if (j > idx && at <= <i32>load<u8>(src + <usize>(j - 1))) return false;
      store<i32>(h + (<usize>i << 10) + (<usize>at << 2), 1);
    }
    idx = end;
  }
  for (let j = idx; j < omega; j++) if (load<u8>(src + <usize>j) != 0) return false;
  return true;
}
