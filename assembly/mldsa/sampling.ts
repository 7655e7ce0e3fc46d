// FIPS 204 section 7.3: pseudorandom sampling. RejNTTPoly (Algorithm 30) for
// ExpandA (32), RejBoundedPoly (31) for ExpandS (33), ExpandMask (34) and
// SampleInBall (29). Independent streams run two at a time on the 2-way
// Keccak (keccakx2.ts).
import { keccakAbsorb, keccakF1600, keccakFinish, keccakInit, keccakSqueeze, DS_SHAKE } from '../keccak';
import { keccakX2, keccakX2Init, keccakX2Extract, keccakX2AbsorbShort } from '../keccakx2';
import { SHAKE128_RATE, SHAKE256_RATE } from '../../abi/lengths';
import { Q, N } from './params';
import { unpackGamma1 } from './packing';

/**
 * Rejection step of RejNTTPoly: 3-byte little-endian candidates, top bit
 * cleared, kept when < q. Public input (from rho): may branch. SIMD path:
 * 12 bytes -> four candidates in i32 lanes (a swizzle spreads the 3-byte
 * groups), compared with q; when all four are accepted (the usual case: a
 * candidate is rejected with probability 2^-10) they are stored at once,
 * otherwise that group goes through the scalar step. The vector path loads
 * 16 bytes for its 12, so it stops 16 bytes before the end of the block, and
 * runs while ctr <= 252 so that its 16-byte store stays inside p.
 */
function rejUniform(p: usize, ctr: i32, buf: usize, len: usize): i32 {
  let b: usize = 0;
  const mask = i32x4.splat(0x7fffff);
  const qv = i32x4.splat(Q);
  for (; b + 16 <= len && ctr <= N - 4; b += 12) {
    const raw = v128.load(buf + b);
    const v = v128.and(i8x16.swizzle(raw, i8x16(0, 1, 2, -1, 3, 4, 5, -1, 6, 7, 8, -1, 9, 10, 11, -1)), mask);
    if (i32x4.bitmask(i32x4.lt_s(v, qv)) == 0xf) {
      v128.store(p + (<usize>ctr << 2), v);
      ctr += 4;
    } else {
      ctr = rejScalar(p, ctr, buf + b, 12);
    }
  }
  return rejScalar(p, ctr, buf + b, len - b);
}

/** The scalar rejection step over `len` bytes (a multiple of 3). */
function rejScalar(p: usize, ctr: i32, buf: usize, len: usize): i32 {
  for (let b: usize = 0; b + 3 <= len && ctr < N; b += 3) {
    const t = (<i32>load<u16>(buf + b) | (<i32>load<u8>(buf + b + 2) << 16)) & 0x7fffff;
    if (t < Q) {
      store<i32>(p + (<usize>ctr << 2), t);
      ctr++;
    }
  }
  return ctr;
}

/**
 * RejNTTPoly (Algorithm 30) for two seeds rho || s || r (34 bytes each) in
 * parallel: `st2` is a 400-byte 2-way state, `buf` 2 x 168 bytes.
 */
export function rejNTTx2(p0: usize, p1: usize, st2: usize, buf: usize, seed0: usize, seed1: usize): void {
  keccakX2Init(st2);
  keccakX2AbsorbShort(st2, 0, seed0, 34, SHAKE128_RATE, DS_SHAKE);
  keccakX2AbsorbShort(st2, 1, seed1, 34, SHAKE128_RATE, DS_SHAKE);
  let c0 = 0;
  let c1 = 0;
  const lanes = <usize>SHAKE128_RATE >> 3;
  while (c0 < N || c1 < N) {
    keccakX2(st2);
    keccakX2Extract(buf, st2, 0, lanes);
    keccakX2Extract(buf + SHAKE128_RATE, st2, 1, lanes);
    c0 = rejUniform(p0, c0, buf, SHAKE128_RATE);
    c1 = rejUniform(p1, c1, buf + SHAKE128_RATE, SHAKE128_RATE);
  }
}

/** RejNTTPoly for one 34-byte seed with the scalar state `st`. */
export function rejNTT(p: usize, st: usize, seed: usize): void {
  keccakInit(st);
  keccakFinish(st, SHAKE128_RATE, keccakAbsorb(st, SHAKE128_RATE, 0, seed, 34), DS_SHAKE);
  let c = rejUniform(p, 0, st, SHAKE128_RATE);
  while (c < N) {
    keccakF1600(st);
    c = rejUniform(p, c, st, SHAKE128_RATE);
  }
}

/**
 * Rejection step of RejBoundedPoly (Algorithm 31) over `len` bytes: each byte
 * gives two half-byte candidates z; for eta = 2 keep z < 15 as 2 - (z mod 5),
 * for eta = 4 keep z < 9 as 4 - z. The seed rho' is secret. Each candidate
 * is computed and stored at the current count, which advances only on
 * acceptance: no branch on a candidate. What this reveals is how many
 * candidates were rejected and where, which is independent of the accepted
 * values (the same declassification as mldsa-native's rej_eta). z mod 5 is
 * z - 5 floor(z 205 / 1024), exact for z < 15.
 */
function rejEta(p: usize, ctr: i32, buf: usize, len: usize, eta: i32): i32 {
  for (let b: usize = 0; b < len && ctr < N; b++) {
    const byte = <i32>load<u8>(buf + b);
    ctr = etaCandidate(p, ctr, byte & 15, eta);
    if (ctr < N) ctr = etaCandidate(p, ctr, byte >> 4, eta);
  }
  return ctr;
}

/** Store candidate z's coefficient at p[ctr]; return ctr + 1 if it is accepted. */
// @ts-ignore: decorator
@inline function etaCandidate(p: usize, ctr: i32, z: i32, eta: i32): i32 {
  if (eta == 2) {
    store<i32>(p + (<usize>ctr << 2), 2 - (z - 5 * ((z * 205) >> 10)));
    return ctr + ((z - 15) >>> 31);
  }
  store<i32>(p + (<usize>ctr << 2), 4 - z);
  return ctr + ((z - 9) >>> 31);
}

/**
 * ExpandS (Algorithm 33) for two nonces at once: RejBoundedPoly(rho' || n0)
 * into p0 and (rho' || n1) into p1 (nonces as 2 bytes little-endian). `seed`
 * is a 66-byte scratch, `buf` 2 x 136 bytes.
 */
export function rejEtaX2(p0: usize, p1: usize, st2: usize, buf: usize, seed: usize, rhoP: usize, n0: i32, n1: i32, eta: i32): void {
  keccakX2Init(st2);
  memory.copy(seed, rhoP, 64);
  store<u16>(seed + 64, <u16>n0);
  keccakX2AbsorbShort(st2, 0, seed, 66, SHAKE256_RATE, DS_SHAKE);
  store<u16>(seed + 64, <u16>n1);
  keccakX2AbsorbShort(st2, 1, seed, 66, SHAKE256_RATE, DS_SHAKE);
  let c0 = 0;
  let c1 = 0;
  const lanes = <usize>SHAKE256_RATE >> 3;
  while (c0 < N || c1 < N) {
    keccakX2(st2);
    keccakX2Extract(buf, st2, 0, lanes);
    keccakX2Extract(buf + SHAKE256_RATE, st2, 1, lanes);
    c0 = rejEta(p0, c0, buf, SHAKE256_RATE, eta);
    c1 = rejEta(p1, c1, buf + SHAKE256_RATE, SHAKE256_RATE, eta);
  }
}

/** ExpandS for one nonce with the scalar state `st`. */
export function rejEta1(p: usize, st: usize, seed: usize, rhoP: usize, n: i32, eta: i32): void {
  memory.copy(seed, rhoP, 64);
  store<u16>(seed + 64, <u16>n);
  keccakInit(st);
  keccakFinish(st, SHAKE256_RATE, keccakAbsorb(st, SHAKE256_RATE, 0, seed, 66), DS_SHAKE);
  let c = rejEta(p, 0, st, SHAKE256_RATE, eta);
  while (c < N) {
    keccakF1600(st);
    c = rejEta(p, c, st, SHAKE256_RATE, eta);
  }
}

/**
 * ExpandMask (Algorithm 34) for two nonces: y = gamma1 - BitUnpack(SHAKE256(
 * rho'' || nonce), 32 zBits bytes). `out` receives the two byte streams,
 * `stride` bytes apart (at least the whole blocks squeezed, 680), before they
 * are unpacked.
 */
export function expandMaskX2(p0: usize, p1: usize, st2: usize, out: usize, stride: usize, seed: usize, rhoPP: usize, n0: i32, n1: i32, bits: i32): void {
  keccakX2Init(st2);
  memory.copy(seed, rhoPP, 64);
  store<u16>(seed + 64, <u16>n0);
  keccakX2AbsorbShort(st2, 0, seed, 66, SHAKE256_RATE, DS_SHAKE);
  store<u16>(seed + 64, <u16>n1);
  keccakX2AbsorbShort(st2, 1, seed, 66, SHAKE256_RATE, DS_SHAKE);
  const total = <usize>(32 * bits);
  const lanes = <usize>SHAKE256_RATE >> 3;
  for (let off: usize = 0; off < total; off += SHAKE256_RATE) {
    keccakX2(st2);
    keccakX2Extract(out + off, st2, 0, lanes);
    keccakX2Extract(out + stride + off, st2, 1, lanes);
  }
  unpackGamma1(p0, out, bits);
  unpackGamma1(p1, out + stride, bits);
}

/** ExpandMask for one nonce with the scalar state `st`; `out` as above. */
export function expandMask1(p: usize, st: usize, out: usize, seed: usize, rhoPP: usize, n: i32, bits: i32): void {
  memory.copy(seed, rhoPP, 64);
  store<u16>(seed + 64, <u16>n);
  keccakInit(st);
  keccakFinish(st, SHAKE256_RATE, keccakAbsorb(st, SHAKE256_RATE, 0, seed, 66), DS_SHAKE);
  keccakSqueeze(st, SHAKE256_RATE, 0, out, <usize>(32 * bits));
  unpackGamma1(p, out, bits);
}

/**
 * SampleInBall (Algorithm 29): c with tau coefficients +-1 from SHAKE256(
 * c-tilde). c-tilde is public (it is part of the signature, and the loop
 * count is public), so this may branch and index on it.
 */
export function sampleInBall(c: usize, st: usize, ctilde: usize, len: usize, tau: i32): void {
  keccakInit(st);
  keccakFinish(st, SHAKE256_RATE, keccakAbsorb(st, SHAKE256_RATE, 0, ctilde, len), DS_SHAKE);
  memory.fill(c, 0, 1024);
  let signs = load<u64>(st);
  let pos: u32 = 8;
  for (let i = N - tau; i < N; i++) {
    let j: i32;
    do {
      if (pos == <u32>SHAKE256_RATE) {
        keccakF1600(st);
        pos = 0;
      }
      j = <i32>load<u8>(st + pos);
      pos++;
    } while (j > i);
    store<i32>(c + (<usize>i << 2), load<i32>(c + (<usize>j << 2)));
    store<i32>(c + (<usize>j << 2), 1 - 2 * <i32>(signs & 1));
    signs >>= 1;
  }
}
