// ML-DSA's working memory, sized for ML-DSA-87 (k = 8, l = 7). Polynomials
// are 1024 bytes (256 i32). Everything inside SCRATCH (assembly/mem.ts) up to
// SECRET_END may hold secrets (the Keccak states that absorbed them, K, rho',
// rho'', s1, s2, t0, y, w, z, the products with c) and is wiped at the exit
// of every operation. A-hat lives in its own region, AMAT: it is a public
// function of rho, kept with its tag (parameter set, rho) so that the next
// operation on the same key skips ExpandA (FIPS 204 section 3.6 allows A-hat
// to be precomputed and stored).
//
// Peak use, ML-DSA-87 signing: 73,728 bytes of secret state (to SECRET_END,
// 2,048 of them a gap) plus 131,072 bytes of A-hat. docs/mldsa.md restates this.
//
// No array crosses a 64 KiB page (WAVEN confines an array's accesses to the
// page of its base: docs/waven.md, "Confined accesses"): polynomials start
// 1024-aligned in SCRATCH (which is 64 KiB-aligned), vectors of them end
// before SCRATCH + 64 KiB or start there, and each row of A-hat (at most 7
// polynomials) has 8 polynomials of room, so a 64 KiB entry holds 8 rows.
import { SCRATCH } from '../mem';

export const ST: usize = SCRATCH; // scalar Keccak state (200 bytes)
export const ST2: usize = SCRATCH + 256; // 2-way Keccak state (400 bytes)
export const SEED: usize = SCRATCH + 672; // XOF/PRF input (<= 66 bytes)
export const SEED2: usize = SCRATCH + 752; // second XOF input (34 bytes)
/**
 * Squeezed blocks of two streams, XBUF_STRIDE apart: ExpandMask squeezes five
 * whole 136-byte blocks (680 bytes) per stream, of which it uses 640 or 576.
 */
export const XBUF: usize = SCRATCH + 832;
export const XBUF_STRIDE: usize = 688;
/** H(xi || k || l): rho (32) || rho' (64) || K (32). */
export const HBUF: usize = SCRATCH + 2240;
export const TR: usize = SCRATCH + 2368; // 64
export const RHOPP: usize = SCRATCH + 2432; // rho'' (64)
export const MU: usize = SCRATCH + 2496; // 64
export const CTILDE: usize = SCRATCH + 2560; // up to 64
/** K || rnd || mu, the input of rho'' = H(K || rnd || mu). */
export const HIN: usize = SCRATCH + 2624; // 128
/** w1Encode(w1): k x 192 bytes at most. */
export const W1PACK: usize = SCRATCH + 2752;
export const PV_S1: usize = SCRATCH + 5120; // l polys: s1, then s1-hat
export const PV_S2: usize = PV_S1 + 7 * 1024; // k polys: s2, then s2-hat
export const PV_T0: usize = PV_S2 + 8 * 1024; // k polys: t0, then t0-hat
export const PV_Y: usize = PV_T0 + 8 * 1024; // l polys: y
export const PV_Z: usize = PV_Y + 7 * 1024; // l polys: y-hat, then z
export const PV_W: usize = PV_Z + 7 * 1024; // k polys: w
export const PV_W1: usize = PV_W + 8 * 1024; // k polys: w1
export const P_C: usize = PV_W1 + 8 * 1024; // c-hat
export const P_T0: usize = P_C + 1024; // temporaries
export const P_T1: usize = P_T0 + 1024;
export const P_T2: usize = P_T1 + 1024; // ends at SCRATCH + 63,488
export const PV_H: usize = SCRATCH + 65536; // k polys: hints (a page of their own: 8 KiB would cross)
export const SECRET_END: usize = PV_H + 8 * 1024;
/** Bytes of SCRATCH that ML-DSA uses, all wiped after each operation. */
export const WIPE: usize = SECRET_END - SCRATCH;
/**
 * A-hat cache: two entries of k x l <= 56 polynomials (public), so that an
 * instance alternating between two keys (a PQC1 handshake signs with its own
 * key and verifies with its peer's) expands neither again. Entry (r, s) is
 * polynomial 8 r + s of its 64 KiB entry (A_ROW_POLYS): a row never crosses
 * the entry's page.
 */
export const A_ENTRIES: i32 = 2;
export const A_ROW_POLYS: i32 = 8;
export const A_ENTRY_BYTES: usize = 65536;
export const PV_A: usize = memory.data(<i32>(A_ENTRIES * <i32>A_ENTRY_BYTES), 65536);
/** Per entry, 48 bytes: the tag k << 8 | l (0 = empty), then the rho it was expanded from. */
export const A_TAG: usize = memory.data(A_ENTRIES * 48, 16);
