// FIPS 203 section 4.2.2: SampleNTT (Algorithm 7) and SamplePolyCBD
// (Algorithm 8), with the PRF and XOF of section 4.1.
import { keccakAbsorb, keccakF1600, keccakFinish, keccakHash, keccakInit, DS_SHAKE } from '../keccak';
import { SHAKE128_RATE, SHAKE256_RATE } from '../../abi/lengths';
import { Q, N } from './params';

/**
 * SampleNTT(rho || i || j): uniform coefficients in [0, q) by rejection from
 * SHAKE128 (Algorithm 7). `st` is a 200-byte Keccak state, `seed` holds the
 * 34 bytes rho || i || j. The input is public (rho is part of ek), so the
 * number of blocks may depend on it. The loop is still branch-free per
 * candidate: each candidate is stored at the current count and the count
 * advances only when it is accepted, so `p` needs 2 bytes of slack after its
 * 512 (the write of a rejected 257th candidate).
 */
export function sampleNTT(p: usize, st: usize, seed: usize): void {
  keccakInit(st);
  const pos = keccakAbsorb(st, SHAKE128_RATE, 0, seed, 34);
  keccakFinish(st, SHAKE128_RATE, pos, DS_SHAKE);
  let ctr: u32 = 0;
  while (true) {
    // One block: 168 bytes = 56 triples = 112 candidates.
    for (let b: usize = 0; b < <usize>SHAKE128_RATE && ctr < <u32>N; b += 3) {
      const w = <u32>load<u8>(st + b) | (<u32>load<u8>(st + b + 1) << 8) | (<u32>load<u8>(st + b + 2) << 16);
      const d1 = w & 0xfff;
      const d2 = w >> 12;
      store<u16>(p + (<usize>ctr << 1), <u16>d1);
      ctr += <u32>(d1 < <u32>Q);
      store<u16>(p + (<usize>ctr << 1), <u16>d2);
      ctr += <u32>(d2 < <u32>Q) & <u32>(ctr < <u32>N);
    }
    if (ctr >= <u32>N) break;
    keccakF1600(st);
  }
}

/**
 * PRF_eta(s, b) = SHAKE256(s || b, 64 eta) (section 4.1), into `out`.
 * `buf` is a 33-byte scratch for s || b; `key` is the 32-byte s.
 */
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
