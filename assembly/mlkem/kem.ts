// FIPS 203 section 6 and 7: ML-KEM's internal algorithms and input checks.
// Each returns a status from abi/status.ts. Inputs have been checked for
// length and placement by index.ts; the callers here wipe nothing: index.ts
// wipes scratch at its single exit.
import { keccakAbsorb, keccakFinish, keccakHash, keccakInit, keccakSqueeze, DS_SHA3, DS_SHAKE } from '../keccak';
import { SHA3_256_RATE, SHA3_512_RATE, SHAKE256_RATE } from '../../abi/lengths';
import { OK, ERR_EK_MODULUS, ERR_DK_HASH } from '../../abi/status';
import { ctCmov, ctDiffer, ctMaskNonZero } from '../ct';
import { POLY_BYTES, ekBytes, ctBytes } from './params';
import { bytes12Reduced } from './poly';
import { kpkeKeyGen, kpkeEncrypt, kpkeDecrypt } from './kpke';
import { ST, G_IN, G_OUT, MSG, KBAR, CT2 } from './scratch';

/**
 * FIPS 203 section 7.2, encapsulation key check: every 12-bit value of the
 * 384 k bytes of t-hat is < q (ByteEncode_12(ByteDecode_12(ek)) == ek).
 */
export function ekCheck(ek: usize, k: i32): i32 {
  let ok = true;
  for (let i = 0; i < k; i++) ok = ok & bytes12Reduced(ek + <usize>(i * POLY_BYTES));
  return ok ? OK : ERR_EK_MODULUS;
}

/**
 * FIPS 203 section 7.3, decapsulation key check: H(dk[384k : 768k + 32]) ==
 * dk[768k + 32 : 768k + 64]. The result is not secret (it only says whether
 * the key is malformed), but the comparison is constant time anyway.
 */
export function dkCheck(dk: usize, k: i32): i32 {
  const ek = dk + <usize>(k * POLY_BYTES);
  const h = ek + <usize>ekBytes(k);
  keccakHash(ST, SHA3_256_RATE, DS_SHA3, ek, <usize>ekBytes(k), G_OUT, 32);
  return ctDiffer(G_OUT, h, 32) == 0 ? OK : ERR_DK_HASH;
}

/**
 * ML-KEM.KeyGen_internal(d, z) (Algorithm 16): `seed` holds d || z (64
 * bytes). Writes ek (384 k + 32) and dk = dk_PKE || ek || H(ek) || z
 * (768 k + 96). Always OK.
 */
export function keyGenInternal(ek: usize, dk: usize, seed: usize, k: i32): i32 {
  const ekLen = <usize>ekBytes(k);
  const pkeLen = <usize>(k * POLY_BYTES);
  kpkeKeyGen(ek, dk, seed, k);
  memory.copy(dk + pkeLen, ek, ekLen);
  keccakHash(ST, SHA3_256_RATE, DS_SHA3, ek, ekLen, dk + pkeLen + ekLen, 32);
  memory.copy(dk + pkeLen + ekLen + 32, seed + 32, 32);
  return OK;
}

/**
 * ML-KEM.Encaps_internal(ek, m) (Algorithm 17) after the modulus check:
 * (K, r) = G(m || H(ek)), c = K-PKE.Encrypt(ek, m, r). Writes the ciphertext
 * and the 32-byte shared secret K.
 */
export function encapsInternal(ct: usize, ss: usize, ek: usize, m: usize, k: i32): i32 {
  const st = ekCheck(ek, k);
  if (st != OK) return st; // ek is public: branching on its validity is fine
  memory.copy(G_IN, m, 32);
  keccakHash(ST, SHA3_256_RATE, DS_SHA3, ek, <usize>ekBytes(k), G_IN + 32, 32);
  keccakHash(ST, SHA3_512_RATE, DS_SHA3, G_IN, 64, G_OUT, 64);
  kpkeEncrypt(ct, ek, G_IN, G_OUT + 32, k);
  memory.copy(ss, G_OUT, 32);
  return OK;
}

/**
 * ML-KEM.Decaps_internal(dk, c) (Algorithm 18) after the hash check:
 * m' = Decrypt(dk_PKE, c); (K', r') = G(m' || h); K-bar = J(z || c);
 * c' = Encrypt(ek, m', r'); K = K' if c == c' else K-bar. The comparison and
 * the selection are constant time (implicit rejection leaks nothing).
 */
export function decapsInternal(ss: usize, dk: usize, ct: usize, k: i32): i32 {
  const st = dkCheck(dk, k);
  if (st != OK) return st;
  const pkeLen = <usize>(k * POLY_BYTES);
  const ekLen = <usize>ekBytes(k);
  const ctLen = <usize>ctBytes(k);
  const ek = dk + pkeLen;
  const h = ek + ekLen;
  const z = h + 32;
  kpkeDecrypt(MSG, dk, ct, k);
  memory.copy(G_IN, MSG, 32);
  memory.copy(G_IN + 32, h, 32);
  keccakHash(ST, SHA3_512_RATE, DS_SHA3, G_IN, 64, G_OUT, 64);
  // K-bar = SHAKE256(z || c, 32)
  keccakInit(ST);
  let pos = keccakAbsorb(ST, SHAKE256_RATE, 0, z, 32);
  pos = keccakAbsorb(ST, SHAKE256_RATE, pos, ct, ctLen);
  keccakFinish(ST, SHAKE256_RATE, pos, DS_SHAKE);
  keccakSqueeze(ST, SHAKE256_RATE, 0, KBAR, 32);
  kpkeEncrypt(CT2, ek, MSG, G_OUT + 32, k);
  const reject = ctMaskNonZero(ctDiffer(ct, CT2, ctLen));
  ctCmov(G_OUT, KBAR, 32, reject);
  memory.copy(ss, G_OUT, 32);
  return OK;
}
