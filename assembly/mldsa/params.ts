// FIPS 204 section 4, Table 1: the ML-DSA parameter sets. Every length the
// kernels use is derived here from the set's id (44, 65, 87), which is public.

export const N: i32 = 256;
export const Q: i32 = 8380417;
export const D: i32 = 13;
/** Bytes of a polynomial in memory: 256 i32 coefficients. */
export const POLY_MEM: usize = 1024;
export const SEED_BYTES: i32 = 32;
export const CRH_BYTES: i32 = 64; // tr, mu, rho'
export const GAMMA2_88: i32 = (Q - 1) / 88; // 95232, ML-DSA-44
export const GAMMA2_32: i32 = (Q - 1) / 32; // 261888, ML-DSA-65 and -87

/** The parameters of one set. All loads of these are from public data. */
@unmanaged export class Params {
  k: i32 = 0;
  l: i32 = 0;
  eta: i32 = 0;
  tau: i32 = 0;
  beta: i32 = 0;
  gamma1Bits: i32 = 0; // gamma1 = 2^gamma1Bits
  gamma2: i32 = 0;
  omega: i32 = 0;
  ctildeBytes: i32 = 0; // lambda / 4
}

const P44: usize = memory.data<i32>([4, 4, 2, 39, 78, 17, GAMMA2_88, 80, 32]);
const P65: usize = memory.data<i32>([6, 5, 4, 49, 196, 19, GAMMA2_32, 55, 48]);
const P87: usize = memory.data<i32>([8, 7, 2, 60, 120, 19, GAMMA2_32, 75, 64]);

/** The parameter record of set 44, 65 or 87; 0 for anything else. */
export function paramsOf(level: i32): Params {
  if (level == 44) return changetype<Params>(P44);
  if (level == 65) return changetype<Params>(P65);
  if (level == 87) return changetype<Params>(P87);
  return changetype<Params>(0);
}

// @ts-ignore: decorator
@inline export function gamma1(p: Params): i32 { return 1 << p.gamma1Bits; }
/** Bits per coefficient of s1, s2: 3 for eta = 2, 4 for eta = 4. */
// @ts-ignore: decorator
@inline export function etaBits(p: Params): i32 { return p.eta == 2 ? 3 : 4; }
/** Bits per coefficient of z: 18 or 20. */
// @ts-ignore: decorator
@inline export function zBits(p: Params): i32 { return p.gamma1Bits + 1; }
/** Bits per coefficient of w1: 6 when gamma2 = (q-1)/88, else 4. */
// @ts-ignore: decorator
@inline export function w1Bits(p: Params): i32 { return p.gamma2 == GAMMA2_88 ? 6 : 4; }

/** pk = rho || t1 (10 bits per coefficient): 32 + 320 k. */
// @ts-ignore: decorator
@inline export function pkBytes(p: Params): i32 { return 32 + 320 * p.k; }
/** sk = rho || K || tr || s1 || s2 || t0: 128 + 32 etaBits (l + k) + 416 k. */
// @ts-ignore: decorator
@inline export function skBytes(p: Params): i32 { return 128 + 32 * etaBits(p) * (p.l + p.k) + 416 * p.k; }
/** sigma = c-tilde || z || h: lambda/4 + 32 zBits l + omega + k. */
// @ts-ignore: decorator
@inline export function sigBytes(p: Params): i32 { return p.ctildeBytes + 32 * zBits(p) * p.l + p.omega + p.k; }
