// ML-KEM's working memory inside SCRATCH (assembly/mem.ts), sized for k = 4.
// Polynomials are 512 bytes (256 i16), prepared multiplicands 1024 (ntt.ts,
// basemulPrepare). The regions below SECRET_END may hold secrets (s, e, r,
// m, K, Keccak states that absorbed them) and are wiped at the exit of every
// operation; the ones above hold only values computed from public inputs
// (A-hat from rho, t-hat from ek, u-hat from the ciphertext).
import { SCRATCH } from '../mem';

/** Scalar Keccak state for G, H, J, PRF and XOF (200 bytes). */
export const ST: usize = SCRATCH;
/** rho || i || j for the XOF, or s || b for the PRF (34 bytes each). */
export const SEED: usize = SCRATCH + 208;
export const SEED2: usize = SCRATCH + 256;
/** G input: d || k in key generation, m || H(ek) in encapsulation. */
export const G_IN: usize = SCRATCH + 320;
/** G output: rho || sigma, or K || r. */
export const G_OUT: usize = SCRATCH + 384;
/** Decapsulation's m' (32 bytes). */
export const MSG: usize = SCRATCH + 448;
/** Decapsulation's implicit-rejection key K-bar (32 bytes). */
export const KBAR: usize = SCRATCH + 480;
/** Interleaved 2-way Keccak state (400 bytes). */
export const ST2: usize = SCRATCH + 512;
/** Two 168-byte blocks extracted from ST2 for rejection sampling. */
export const XBUF: usize = SCRATCH + 912;
/** PRF outputs, 64 eta1 <= 192 bytes each. */
export const PRF_OUT0: usize = SCRATCH + 1280;
export const PRF_OUT1: usize = SCRATCH + 1472;
/** s-hat or r-hat: k polynomials. */
export const PV_S: usize = SCRATCH + 2048;
/** s-hat or r-hat prepared for basemulAcc: k x 1024 bytes. */
export const PV_SP: usize = SCRATCH + 4096;
/** e-hat in key generation, e1 in encryption: k polynomials. */
export const PV_E: usize = SCRATCH + 8192;
/** Single polynomials. */
export const P0: usize = SCRATCH + 10240;
export const P1: usize = SCRATCH + 10752;
export const P2: usize = SCRATCH + 11264;
/** Decapsulation's re-encrypted ciphertext c' (up to 1568 bytes). */
export const CT2: usize = SCRATCH + 11776;
/** End of the regions that may hold secrets: [SCRATCH, SECRET_END) is wiped. */
export const SECRET_END: usize = SCRATCH + 13376;
/** t-hat from ek, or u-hat from the ciphertext: k polynomials (public). */
export const PV_T: usize = SCRATCH + 13376;
/** A-hat (k x k polynomials, row-major) expanded from rho (public). */
export const PV_A: usize = SCRATCH + 15424;
/** Bytes of SCRATCH that ML-KEM uses. */
export const USED: usize = 15424 + 16 * 512;
/** Bytes to wipe after each operation. */
export const WIPE: usize = SECRET_END - SCRATCH;
