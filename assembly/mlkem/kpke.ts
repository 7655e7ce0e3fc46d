// FIPS 203 section 5: K-PKE, the CPA-secure encryption scheme under ML-KEM.
// k is public; every secret (s, e, r, e1, e2, m) lives in scratch.ts regions.
import { keccakHash, DS_SHA3 } from '../keccak';
import { SHA3_512_RATE } from '../../abi/lengths';
import { POLY_BYTES, eta1, ETA2, du, dv } from './params';
import { ntt, invntt, basemulPrepare, basemulAcc } from './ntt';
import {
  polyAdd, polySub, polyFreeze, polyMontAddFreeze, polyFromBytes12, polyToBytes12,
  polyCompress, polyDecompress, polyFromMsg, polyToMsg,
} from './poly';
import { sampleNTT, prf, cbd2, cbd3 } from './sampling';
import { ST, SEED, G_IN, G_OUT, PRF_OUT, PV_A, PV_S, PV_SP, PV_T, PV_E, P0, P1, P2 } from './scratch';

// @ts-ignore: decorator
@inline function poly(base: usize, i: i32): usize { return base + (<usize>i << 9); }

/** CBD_eta(PRF_eta(key, nonce)) into p (Algorithm 8 over section 4.1's PRF). */
function sampleNoise(p: usize, key: usize, nonce: i32, eta: i32): void {
  prf(PRF_OUT, ST, SEED, key, <u8>nonce, eta);
  if (eta == 2) cbd2(p, PRF_OUT);
  else cbd3(p, PRF_OUT);
}

/**
 * Fill PV_A with row i of A-hat (transposed = false: A[i][j] = SampleNTT(rho
 * || j || i)) or column i (transposed = true: A[j][i] = SampleNTT(rho || i ||
 * j)), j = 0..k-1. Algorithm 13 line 4 / Algorithm 14 line 6.
 */
function sampleMatrixLine(rho: usize, i: i32, k: i32, transposed: bool): void {
  memory.copy(SEED, rho, 32);
  for (let j = 0; j < k; j++) {
    store<u8>(SEED, <u8>(transposed ? i : j), 32);
    store<u8>(SEED, <u8>(transposed ? j : i), 33);
    sampleNTT(poly(PV_A, j), ST, SEED);
  }
}

/**
 * K-PKE.KeyGen (Algorithm 13) from the 32-byte d at `d`: writes ek_PKE
 * (384 k + 32 bytes) at `ek` and dk_PKE (384 k bytes) at `dk`.
 */
export function kpkeKeyGen(ek: usize, dk: usize, d: usize, k: i32): void {
  // (rho, sigma) = G(d || k)
  memory.copy(G_IN, d, 32);
  store<u8>(G_IN, <u8>k, 32);
  keccakHash(ST, SHA3_512_RATE, DS_SHA3, G_IN, 33, G_OUT, 64);
  const rho = G_OUT;
  const sigma = G_OUT + 32;
  const e1 = eta1(k);
  for (let i = 0; i < k; i++) {
    sampleNoise(poly(PV_S, i), sigma, i, e1);
    ntt(poly(PV_S, i));
  }
  for (let i = 0; i < k; i++) {
    sampleNoise(poly(PV_E, i), sigma, k + i, e1);
    ntt(poly(PV_E, i));
  }
  for (let i = 0; i < k; i++) basemulPrepare(PV_SP + (<usize>i << 10), poly(PV_S, i));
  for (let i = 0; i < k; i++) {
    sampleMatrixLine(rho, i, k, false);
    basemulAcc(P0, PV_A, PV_SP, k);
    polyMontAddFreeze(poly(PV_T, i), P0, poly(PV_E, i));
    polyToBytes12(ek + <usize>(i * POLY_BYTES), poly(PV_T, i));
  }
  memory.copy(ek + <usize>(k * POLY_BYTES), rho, 32);
  for (let i = 0; i < k; i++) {
    polyFreeze(poly(PV_S, i));
    polyToBytes12(dk + <usize>(i * POLY_BYTES), poly(PV_S, i));
  }
}

/**
 * K-PKE.Encrypt (Algorithm 14): encrypt the 32-byte message at `m` under
 * ek_PKE at `ek` (already modulus-checked) with the 32 random bytes at `r`;
 * writes the 32 (du k + dv) byte ciphertext at `ct`.
 */
export function kpkeEncrypt(ct: usize, ek: usize, m: usize, r: usize, k: i32): void {
  const rho = ek + <usize>(k * POLY_BYTES);
  const e1 = eta1(k);
  const dU = du(k);
  for (let i = 0; i < k; i++) polyFromBytes12(poly(PV_T, i), ek + <usize>(i * POLY_BYTES));
  for (let i = 0; i < k; i++) {
    sampleNoise(poly(PV_S, i), r, i, e1);
    ntt(poly(PV_S, i));
    basemulPrepare(PV_SP + (<usize>i << 10), poly(PV_S, i));
  }
  // u = NTT^-1(A^T o r-hat) + e1, compressed row by row.
  for (let i = 0; i < k; i++) {
    sampleMatrixLine(rho, i, k, true);
    basemulAcc(P0, PV_A, PV_SP, k);
    invntt(P0);
    sampleNoise(P1, r, k + i, ETA2);
    polyAdd(P0, P0, P1);
    polyFreeze(P0);
    polyCompress(ct + <usize>(i * 32 * dU), P0, dU);
  }
  // v = NTT^-1(t-hat^T o r-hat) + e2 + mu.
  basemulAcc(P0, PV_T, PV_SP, k);
  invntt(P0);
  sampleNoise(P1, r, 2 * k, ETA2);
  polyFromMsg(P2, m);
  polyAdd(P0, P0, P1);
  polyAdd(P0, P0, P2);
  polyFreeze(P0);
  polyCompress(ct + <usize>(k * 32 * dU), P0, dv(k));
}

/**
 * K-PKE.Decrypt (Algorithm 15): writes the 32-byte message at `m` from the
 * ciphertext at `ct` and dk_PKE at `dk`.
 */
export function kpkeDecrypt(m: usize, dk: usize, ct: usize, k: i32): void {
  const dU = du(k);
  for (let i = 0; i < k; i++) {
    polyDecompress(poly(PV_T, i), ct + <usize>(i * 32 * dU), dU);
    ntt(poly(PV_T, i));
    polyFromBytes12(poly(PV_S, i), dk + <usize>(i * POLY_BYTES));
    basemulPrepare(PV_SP + (<usize>i << 10), poly(PV_S, i));
  }
  basemulAcc(P0, PV_T, PV_SP, k);
  invntt(P0);
  polyDecompress(P1, ct + <usize>(k * 32 * dU), dv(k));
  polySub(P1, P1, P0);
  polyFreeze(P1);
  polyToMsg(m, P1);
}
