// FIPS 203 section 4.2.2: SampleNTT (Algorithm 7) and SamplePolyCBD
// (Algorithm 8), with the PRF and XOF of section 4.1. Independent streams are
// drawn two at a time with the 2-way Keccak (keccakx2.ts).
import { keccakAbsorb, keccakF1600, keccakFinish, keccakHash, keccakInit, DS_SHAKE } from '../keccak';
import { keccakX2, keccakX2Init, keccakX2Extract, keccakX2AbsorbShort } from '../keccakx2';
import { SHAKE128_RATE, SHAKE256_RATE } from '../../abi/lengths';
import { Q, N } from './params';
import { REJ_IDX } from './tables';

/**
 * Rejection step of Algorithm 7 over `len` bytes (a multiple of 3) at `buf`:
 * each 3 bytes give two 12-bit candidates, kept when < q, appended at p[ctr].
 * Returns the new count (<= 256). The input is public (it is expanded from
 * rho, part of ek), so the table index below may depend on it.
 *
 * SIMD path: 12 bytes -> 8 candidates in i16 lanes (a swizzle pairs the
 * bytes, an and/shift splits the nibbles), compared with q; the 8-bit mask of
 * accepted lanes picks a swizzle from REJ_IDX that packs them to the front,
 * and all 16 bytes are stored at p[ctr]. It runs while ctr <= 248, so the
 * store never passes coefficient 255 (the next polynomial may be filling in
 * parallel); the scalar tail finishes. It reads up to 4 bytes past each
 * 12-byte group, inside the 200-byte state or the 2 x 168-byte XBUF.
 */
function rejUniform(p: usize, ctr: u32, buf: usize, len: usize): u32 {
  let b: usize = 0;
  const lo12 = i16x8.splat(0x0fff);
  const even = i32x4.splat(0x0000ffff);
  const qv = i16x8.splat(<i16>Q);
  for (; b + 12 <= len && ctr <= <u32>N - 8; b += 12) {
    const raw = v128.load(buf + b);
    const v = i8x16.swizzle(raw, i8x16(0, 1, 1, 2, 3, 4, 4, 5, 6, 7, 7, 8, 9, 10, 10, 11));
    const r = v128.bitselect(v128.and(v, lo12), i16x8.shr_u(v, 4), even);
    const mask = i16x8.bitmask(i16x8.lt_u(r, qv));
    v128.store(p + (<usize>ctr << 1), i8x16.swizzle(r, v128.load(REJ_IDX + (<usize>mask << 4))));
    ctr += <u32>popcnt<i32>(mask);
  }
  for (; b < len && ctr < <u32>N; b += 3) {
    const w = <u32>load<u16>(buf + b) | (<u32>load<u8>(buf + b + 2) << 16);
    const d1 = w & 0xfff;
    const d2 = w >> 12;
    store<u16>(p + (<usize>ctr << 1), <u16>d1);
    ctr += <u32>(d1 < <u32>Q);
    if (ctr < <u32>N) {
      store<u16>(p + (<usize>ctr << 1), <u16>d2);
      ctr += <u32>(d2 < <u32>Q);
    }
  }
  return ctr;
}

/**
 * SampleNTT (Algorithm 7) of one polynomial from the 34-byte seed
 * rho || j || i, with the scalar Keccak state `st`.
 */
export function sampleNTT(p: usize, st: usize, seed: usize): void {
  keccakInit(st);
  const pos = keccakAbsorb(st, SHAKE128_RATE, 0, seed, 34);
  keccakFinish(st, SHAKE128_RATE, pos, DS_SHAKE);
  let ctr = rejUniform(p, 0, st, SHAKE128_RATE);
  while (ctr < <u32>N) {
    keccakF1600(st);
    ctr = rejUniform(p, ctr, st, SHAKE128_RATE);
  }
}

/**
 * SampleNTT of two polynomials from two 34-byte seeds in parallel. `st2` is a
 * 400-byte interleaved state and `buf` a 2 x 168-byte scratch. Squeezes until
 * both polynomials are full (a stream that is already full simply ignores
 * its extra blocks).
 */
export function sampleNTTx2(p0: usize, p1: usize, st2: usize, buf: usize, seed0: usize, seed1: usize): void {
  keccakX2Init(st2);
  keccakX2AbsorbShort(st2, 0, seed0, 34, SHAKE128_RATE, DS_SHAKE);
  keccakX2AbsorbShort(st2, 1, seed1, 34, SHAKE128_RATE, DS_SHAKE);
  let c0: u32 = 0;
  let c1: u32 = 0;
  const lanes = <usize>SHAKE128_RATE >> 3;
  while (c0 < <u32>N || c1 < <u32>N) {
    keccakX2(st2);
    keccakX2Extract(buf, st2, 0, lanes);
    keccakX2Extract(buf + SHAKE128_RATE, st2, 1, lanes);
    c0 = rejUniform(p0, c0, buf, SHAKE128_RATE);
    c1 = rejUniform(p1, c1, buf + SHAKE128_RATE, SHAKE128_RATE);
  }
}

/**
 * PRF_eta(s, b) = SHAKE256(s || b, 64 eta) (section 4.1) for two nonces at
 * once: writes 64 eta bytes at out0 (nonce n0) and out1 (nonce n1). `buf` is
 * a 33-byte scratch for s || b.
 */
export function prfX2(out0: usize, out1: usize, st2: usize, buf: usize, key: usize, n0: u8, n1: u8, eta: i32): void {
  keccakX2Init(st2);
  memory.copy(buf, key, 32);
  store<u8>(buf, n0, 32);
  keccakX2AbsorbShort(st2, 0, buf, 33, SHAKE256_RATE, DS_SHAKE);
  store<u8>(buf, n1, 32);
  keccakX2AbsorbShort(st2, 1, buf, 33, SHAKE256_RATE, DS_SHAKE);
  const total = <usize>(64 * eta);
  const lanes = <usize>SHAKE256_RATE >> 3;
  for (let off: usize = 0; off < total; off += SHAKE256_RATE) {
    keccakX2(st2);
    // The last block may be partial: extract whole lanes into the output,
    // whose buffers are sized for it (see PRF_OUT in scratch.ts).
    const n = total - off < <usize>SHAKE256_RATE ? (total - off + 7) >> 3 : lanes;
    keccakX2Extract(out0 + off, st2, 0, n);
    keccakX2Extract(out1 + off, st2, 1, n);
  }
}

/** PRF_eta(s, b) for a single nonce, with the scalar state `st`. */
export function prf(out: usize, st: usize, buf: usize, key: usize, nonce: u8, eta: i32): void {
  memory.copy(buf, key, 32);
  store<u8>(buf, nonce, 32);
  keccakHash(st, SHAKE256_RATE, DS_SHAKE, buf, 33, out, <usize>(64 * eta));
}

/**
 * SamplePolyCBD_2 (Algorithm 8, eta = 2) of 128 bytes: coefficient i is
 * (bits 4i, 4i+1 summed) - (bits 4i+2, 4i+3 summed), in [-2, 2]. SIMD: the
 * pair sums of all bits of 16 bytes at once, then the two nibbles of each
 * byte give two coefficients.
 */
export function cbd2(p: usize, buf: usize): void {
  const m55 = i8x16.splat(0x55);
  const m3 = i8x16.splat(3);
  for (let i: usize = 0; i < 8; i++) {
    const x = v128.load(buf + (i << 4));
    const d = i8x16.add(v128.and(x, m55), v128.and(i8x16.shr_u(x, 1), m55));
    const lo = i8x16.sub(v128.and(d, m3), v128.and(i8x16.shr_u(d, 2), m3));
    const hi = i8x16.sub(v128.and(i8x16.shr_u(d, 4), m3), i8x16.shr_u(d, 6));
    const c0 = i8x16.shuffle(lo, hi, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const c1 = i8x16.shuffle(lo, hi, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    const o = p + (i << 6);
    v128.store(o, i16x8.extend_low_i8x16_s(c0));
    v128.store(o, i16x8.extend_high_i8x16_s(c0), 16);
    v128.store(o, i16x8.extend_low_i8x16_s(c1), 32);
    v128.store(o, i16x8.extend_high_i8x16_s(c1), 48);
  }
}

/**
 * SamplePolyCBD_3 (Algorithm 8, eta = 3) of 192 bytes, ML-KEM-512's eta1:
 * every 3 bytes give 4 coefficients in [-3, 3]. Scalar: it runs only for
 * k = 2 and on 24-bit groups that do not line up with v128 lanes.
 */
export function cbd3(p: usize, buf: usize): void {
  for (let i: usize = 0; i < 64; i++) {
    const t = <u32>load<u8>(buf + 3 * i) | (<u32>load<u8>(buf + 3 * i + 1) << 8) | (<u32>load<u8>(buf + 3 * i + 2) << 16);
    let d = t & 0x00249249;
    d += (t >> 1) & 0x00249249;
    d += (t >> 2) & 0x00249249;
    for (let j: u32 = 0; j < 4; j++) {
      const a = <i32>((d >> (6 * j)) & 7);
      const b = <i32>((d >> (6 * j + 3)) & 7);
      store<i16>(p + ((4 * i + j) << 1), <i16>(a - b));
    }
  }
}
