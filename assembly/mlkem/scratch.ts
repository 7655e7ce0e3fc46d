// ML-KEM's working memory inside SCRATCH (assembly/mem.ts), sized for k = 4.
// Every region here may hold secrets; kem.ts wipes [SCRATCH, SCRATCH + USED)
// at the exit of every operation. Polynomials are 512 bytes (256 i16),
// prepared multiplicands 1024 (ntt.ts, basemulPrepare).
import { SCRATCH } from '../mem';

/** Keccak state for G, H, J, PRF and XOF. */
export const ST: usize = SCRATCH;
/** rho || i || j for the XOF, or s || b for the PRF (34 bytes). */
export const SEED: usize = SCRATCH + 208;
/** G input: d || k in key generation, m || H(ek) in encapsulation. */
export const G_IN: usize = SCRATCH + 256;
/** G output: rho || sigma, or K || r. */
export const G_OUT: usize = SCRATCH + 320;
/** Decapsulation's m' (32 bytes). */
export const MSG: usize = SCRATCH + 384;
/** Decapsulation's implicit-rejection key K-bar (32 bytes). */
export const KBAR: usize = SCRATCH + 416;
/** PRF output, up to 64 eta1 = 192 bytes. */
export const PRF_OUT: usize = SCRATCH + 448;
/** A row or column of A-hat: k polynomials, plus slack for sampleNTT. */
export const PV_A: usize = SCRATCH + 1024;
/** s-hat or r-hat: k polynomials. */
export const PV_S: usize = SCRATCH + 3136;
/** s-hat or r-hat prepared for basemulAcc: k x 1024 bytes. */
export const PV_SP: usize = SCRATCH + 5184;
/** t-hat, or u-hat in decryption: k polynomials. */
export const PV_T: usize = SCRATCH + 9280;
/** e-hat in key generation: k polynomials. */
export const PV_E: usize = SCRATCH + 11328;
/** Single polynomials. */
export const P0: usize = SCRATCH + 13376;
export const P1: usize = SCRATCH + 13888;
export const P2: usize = SCRATCH + 14400;
/** Decapsulation's re-encrypted ciphertext c' (up to 1568 bytes). */
export const CT2: usize = SCRATCH + 14912;
/** Bytes of SCRATCH that ML-KEM uses (all wiped after each operation). */
export const USED: usize = 14912 + 1568;
