// FIPS 203 section 5: K-PKE, the CPA-secure encryption scheme under ML-KEM.
// k is public; every secret (s, e, r, e1, e2, m) lives in scratch.ts regions
// below SECRET_END.
import { keccakHash, DS_SHA3 } from '../keccak';
import { SHA3_512_RATE } from '../../abi/lengths';
import { POLY_BYTES, eta1, ETA2, du, dv } from './params';
import { ntt, invntt, basemulPrepare, basemulAcc } from './ntt';
import {
  polyAdd, polySub, polyFreeze, polyMontAddFreeze, polyFromBytes12, polyToBytes12,
  polyCompress, polyDecompress, polyFromMsg, polyToMsg,
} from './poly';
import { sampleNTT, sampleNTTx2, prf, prfX2, cbd2, cbd3 } from './sampling';
import {
  ST, ST2, XBUF, SEED, SEED2, G_IN, G_OUT, PRF_OUT0, PRF_OUT1,
  PV_A, PV_S, PV_SP, PV_T, PV_E, P0, P1, P2,
} from './scratch';

// @ts-ignore: decorator
@inline function poly(base: usize, i: i32): usize { return base + (<usize>i << 9); }
// @ts-ignore: decorator
@inline function prepared(i: i32): usize { return PV_SP + (<usize>i << 10); }

// ---- noise: SamplePolyCBD_eta(PRF_eta(key, nonce)), two streams at a time --

/** A pending noise polynomial: destination and nonce (at most 2k + 1 = 9). */
const JOBS: usize = memory.data(9 * 8, 8);
let jobCount: i32 = 0;

function noiseJob(dst: usize, nonce: i32): void {
  store<u32>(JOBS + (<usize>jobCount << 3), <u32>dst);
  store<u32>(JOBS + (<usize>jobCount << 3), <u32>nonce, 4);
  jobCount++;
}

// @ts-ignore: decorator
@inline function cbd(p: usize, buf: usize, eta: i32): void {
  if (eta == 2) cbd2(p, buf);
  else cbd3(p, buf);
}

/** Sample every pending job with PRF key `key` and parameter eta. */
function runNoise(key: usize, eta: i32): void {
  let i = 0;
  for (; i + 1 < jobCount; i += 2) {
    const j = JOBS + (<usize>i << 3);
    prfX2(PRF_OUT0, PRF_OUT1, ST2, SEED, key, <u8>load<u32>(j, 4), <u8>load<u32>(j, 12), eta);
    cbd(<usize>load<u32>(j), PRF_OUT0, eta);
    cbd(<usize>load<u32>(j, 8), PRF_OUT1, eta);
  }
  if (i < jobCount) {
    const j = JOBS + (<usize>i << 3);
    prf(PRF_OUT0, ST, SEED, key, <u8>load<u32>(j, 4), eta);
    cbd(<usize>load<u32>(j), PRF_OUT0, eta);
  }
  jobCount = 0;
}

// ---- the matrix A-hat -------------------------------------------------------

/**
 * Expand A-hat into PV_A, row-major (entry (i, j) at poly(PV_A, i k + j)):
 * A[i][j] = SampleNTT(rho || j || i) (Algorithm 13 line 4), or its transpose
 * A^T[i][j] = SampleNTT(rho || i || j) when `transposed` (Algorithm 14 line
 * 6). Entries are in [0, q). Two entries at a time.
 */
function expandMatrix(rho: usize, k: i32, transposed: bool): void {
  memory.copy(SEED, rho, 32);
  memory.copy(SEED2, rho, 32);
  const n = k * k;
  let e = 0;
  for (; e + 1 < n; e += 2) {
    setIndex(SEED, e, k, transposed);
    setIndex(SEED2, e + 1, k, transposed);
    sampleNTTx2(poly(PV_A, e), poly(PV_A, e + 1), ST2, XBUF, SEED, SEED2);
  }
  if (e < n) {
    setIndex(SEED, e, k, transposed);
    sampleNTT(poly(PV_A, e), ST, SEED);
  }
}

/** The two index bytes of XOF(rho, ., .) for row-major entry e. */
// @ts-ignore: decorator
@inline function setIndex(seed: usize, e: i32, k: i32, transposed: bool): void {
  const i = e / k; // public: k and e are loop indices
  const j = e - i * k;
  store<u8>(seed, <u8>(transposed ? i : j), 32);
  store<u8>(seed, <u8>(transposed ? j : i), 33);
}

// ---- K-PKE -------------------------------------------------------------------

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
  for (let i = 0; i < k; i++) noiseJob(poly(PV_S, i), i);
  for (let i = 0; i < k; i++) noiseJob(poly(PV_E, i), k + i);
  runNoise(sigma, eta1(k));
  for (let i = 0; i < k; i++) {
    ntt(poly(PV_S, i));
    ntt(poly(PV_E, i));
    basemulPrepare(prepared(i), poly(PV_S, i));
  }
  expandMatrix(rho, k, false);
  for (let i = 0; i < k; i++) {
    basemulAcc(P0, poly(PV_A, i * k), PV_SP, k);
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
  // r (nonces 0..k-1, eta1), e1 (k..2k-1, eta2), e2 (2k, eta2).
  for (let i = 0; i < k; i++) noiseJob(poly(PV_S, i), i);
  if (e1 != ETA2) runNoise(r, e1);
  for (let i = 0; i < k; i++) noiseJob(poly(PV_E, i), k + i);
  noiseJob(P1, 2 * k);
  runNoise(r, ETA2);
  for (let i = 0; i < k; i++) {
    ntt(poly(PV_S, i));
    basemulPrepare(prepared(i), poly(PV_S, i));
  }
  // u = NTT^-1(A^T o r-hat) + e1, compressed row by row.
  expandMatrix(rho, k, true);
  for (let i = 0; i < k; i++) {
    basemulAcc(P0, poly(PV_A, i * k), PV_SP, k);
    invntt(P0);
    polyAdd(P0, P0, poly(PV_E, i));
    polyFreeze(P0);
    polyCompress(ct + <usize>(i * 32 * dU), P0, dU);
  }
  // v = NTT^-1(t-hat^T o r-hat) + e2 + mu.
  basemulAcc(P0, PV_T, PV_SP, k);
  invntt(P0);
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
    basemulPrepare(prepared(i), poly(PV_S, i));
  }
  basemulAcc(P0, PV_T, PV_SP, k);
  invntt(P0);
  polyDecompress(P1, ct + <usize>(k * 32 * dU), dv(k));
  polySub(P1, P1, P0);
  polyFreeze(P1);
  polyToMsg(m, P1);
}
