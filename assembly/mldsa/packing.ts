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
 * hot path of ExpandMask (Algorithm 34) and of z in verification. Groups of
 * 4 coefficients (10 or 9 bytes) through one 64-bit load (the last group
 * reads at most 6 bytes past the packed data; callers leave that room).
 */
export function unpackGamma1(p: usize, src: usize, bits: i32): void {
  const g1 = 1 << (bits - 1);
  const mask: u64 = (<u64>1 << <u64>bits) - 1;
  const step = <usize>bits >> 1; // bytes per 4 coefficients: 10 or 9
  for (let i: usize = 0; i < 64; i++) {
    const t = load<u64>(src + i * step);
    const hi = <u64>load<u16>(src + i * step + 8); // bits 64.. for the 4th value
    const o = p + (i << 4);
    store<i32>(o, g1 - <i32>(t & mask));
    store<i32>(o + 4, g1 - <i32>((t >> <u64>bits) & mask));
    store<i32>(o + 8, g1 - <i32>((t >> <u64>(2 * bits)) & mask));
    store<i32>(o + 12, g1 - <i32>(((t >> <u64>(3 * bits)) | (hi << <u64>(64 - 3 * bits))) & mask));
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
