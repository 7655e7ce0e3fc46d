// FIPS 203 section 8, Table 2: the ML-KEM parameter sets. Every length the
// kernels use is derived here from k (the module rank) so that the three sets
// share one code path. k is public.

export const N: i32 = 256;
export const Q: i32 = 3329;
/** Bytes of one polynomial encoded with 12 bits per coefficient. */
export const POLY_BYTES: i32 = 384;
/** Bytes of one polynomial in memory: 256 i16 coefficients. */
export const POLY_MEM: usize = 512;
export const SYM_BYTES: i32 = 32;
export const ETA2: i32 = 2;

/** eta1: 3 for ML-KEM-512, 2 otherwise. */
// @ts-ignore: decorator
@inline export function eta1(k: i32): i32 { return k == 2 ? 3 : 2; }
/** du: 11 for ML-KEM-1024, 10 otherwise. */
// @ts-ignore: decorator
@inline export function du(k: i32): i32 { return k == 4 ? 11 : 10; }
/** dv: 5 for ML-KEM-1024, 4 otherwise. */
// @ts-ignore: decorator
@inline export function dv(k: i32): i32 { return k == 4 ? 5 : 4; }

/** Encapsulation key: 384 k + 32. */
// @ts-ignore: decorator
@inline export function ekBytes(k: i32): i32 { return POLY_BYTES * k + SYM_BYTES; }
/** Decapsulation key: 768 k + 96 (dk_PKE || ek || H(ek) || z). */
// @ts-ignore: decorator
@inline export function dkBytes(k: i32): i32 { return 2 * POLY_BYTES * k + 3 * SYM_BYTES; }
/** Ciphertext: 32 (du k + dv). */
// @ts-ignore: decorator
@inline export function ctBytes(k: i32): i32 { return 32 * (du(k) * k + dv(k)); }

/** Map the ABI's parameter-set id (512, 768, 1024) to k; 0 if unknown. */
export function rankOf(level: i32): i32 {
  if (level == 512) return 2;
  if (level == 768) return 3;
  if (level == 1024) return 4;
  return 0;
}
