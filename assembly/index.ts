// The enclave's exports: thin wrappers that check every pointer and length,
// call one kernel, wipe scratch at their single exit, and return a status
// from abi/status.ts (0 or negative). Nothing traps on bad input: every
// (pointer, length) pair must lie inside the I/O window, and outputs must not
// overlap inputs. On error no output byte has been written.
import {
  ABI_VERSION, IO_BYTES, KECCAK_CTX_BYTES, MLKEM_KEYGEN_SEED_BYTES, MLKEM_SEED_BYTES, MLKEM_SS_BYTES,
  MLDSA_SEED_BYTES, MLDSA_RND_BYTES, MLDSA_MU_BYTES, GCM_TAG_MAX_BYTES,
} from '../abi/lengths';
import { ERR_ARG, ERR_HANDLE_TYPE, ERR_LENGTH } from '../abi/status';
import { IO, HCTX, SCRATCH, inIO, disjoint } from './mem';
import { wipe } from './ct';
import { hashOneShot, ctxAbsorb, ctxFinish, ctxSqueeze } from './hash';
import { rankOf, ekBytes, dkBytes, ctBytes } from './mlkem/params';
import { WIPE } from './mlkem/scratch';
import { keyGenInternal, encapsInternal, decapsInternal, ekCheck, dkCheck } from './mlkem/kem';
import { paramsOf, pkBytes, skBytes, sigBytes } from './mldsa/params';
import { WIPE as DSA_WIPE } from './mldsa/scratch';
import * as dsa from './mldsa/dsa';
import * as vault from './vault';
import * as pqc from './pqc';
import { gcmInit, gcmIv, gcmAad, gcmCrypt, gcmAuth, gcmFinish, gcmEnd, gcmDecrypting, GCM_BIND_TOKEN_BYTES } from './aes/gcm';

export function abi_version(): i32 { return ABI_VERSION; }
export function io_ptr(): usize { return IO; }
export function io_bytes(): i32 { return IO_BYTES; }
export function hctx_ptr(): usize { return HCTX; }
export function hctx_bytes(): i32 { return KECCAK_CTX_BYTES; }

// ---- FIPS 202 ----------------------------------------------------------------

/** One-shot Keccak sponge (SHA-3 or SHAKE by rate and ds) from IO to IO. */
export function sha3_oneshot(rate: u32, ds: u32, src: usize, len: usize, dst: usize, outLen: usize): i32 {
  if (!inIO(src, len) || !inIO(dst, outLen)) return ERR_ARG;
  // Scratch holds the state: the output may overlap the input.
  const st = hashOneShot(rate, ds, src, len, dst, outLen, SCRATCH);
  wipe(SCRATCH, 200);
  return st;
}

/** Incremental absorb into HCTX. */
export function keccak_absorb(rate: u32, src: usize, len: usize): i32 {
  if (!inIO(src, len)) return ERR_ARG;
  return ctxAbsorb(rate, src, len);
}

/** Pad HCTX and switch it to squeezing. */
export function keccak_finish(rate: u32, ds: u32): i32 {
  return ctxFinish(rate, ds);
}

/** Squeeze from HCTX into IO. */
export function keccak_squeeze(rate: u32, dst: usize, len: usize): i32 {
  if (!inIO(dst, len)) return ERR_ARG;
  return ctxSqueeze(rate, dst, len);
}

// ---- FIPS 203 ----------------------------------------------------------------

/** ML-KEM.KeyGen_internal(d, z): seed = d || z (64 bytes) -> ek, dk. */
export function mlkem_keygen(level: i32, seed: usize, ek: usize, dk: usize): i32 {
  const k = rankOf(level);
  if (k == 0) return ERR_ARG;
  const ekLen = <usize>ekBytes(k);
  const dkLen = <usize>dkBytes(k);
  const sLen = <usize>MLKEM_KEYGEN_SEED_BYTES;
  if (!inIO(seed, sLen) || !inIO(ek, ekLen) || !inIO(dk, dkLen)) return ERR_ARG;
  if (!disjoint(ek, ekLen, dk, dkLen) || !disjoint(seed, sLen, ek, ekLen) || !disjoint(seed, sLen, dk, dkLen)) return ERR_ARG;
  const st = keyGenInternal(ek, dk, seed, k);
  wipe(SCRATCH, WIPE);
  return st;
}

/** ML-KEM.Encaps_internal(ek, m) with the section 7.2 check -> ct, ss. */
export function mlkem_encaps(level: i32, ek: usize, m: usize, ct: usize, ss: usize): i32 {
  const k = rankOf(level);
  if (k == 0) return ERR_ARG;
  const ekLen = <usize>ekBytes(k);
  const ctLen = <usize>ctBytes(k);
  const mLen = <usize>MLKEM_SEED_BYTES;
  const ssLen = <usize>MLKEM_SS_BYTES;
  if (!inIO(ek, ekLen) || !inIO(m, mLen) || !inIO(ct, ctLen) || !inIO(ss, ssLen)) return ERR_ARG;
  if (!disjoint(ct, ctLen, ss, ssLen) || !disjoint(ct, ctLen, ek, ekLen) || !disjoint(ct, ctLen, m, mLen)
    || !disjoint(ss, ssLen, ek, ekLen) || !disjoint(ss, ssLen, m, mLen)) return ERR_ARG;
  const st = encapsInternal(ct, ss, ek, m, k);
  wipe(SCRATCH, WIPE);
  return st;
}

/** ML-KEM.Decaps_internal(dk, c) with the section 7.3 check -> ss. */
export function mlkem_decaps(level: i32, dk: usize, ct: usize, ss: usize): i32 {
  const k = rankOf(level);
  if (k == 0) return ERR_ARG;
  const dkLen = <usize>dkBytes(k);
  const ctLen = <usize>ctBytes(k);
  const ssLen = <usize>MLKEM_SS_BYTES;
  if (!inIO(dk, dkLen) || !inIO(ct, ctLen) || !inIO(ss, ssLen)) return ERR_ARG;
  if (!disjoint(ss, ssLen, dk, dkLen) || !disjoint(ss, ssLen, ct, ctLen)) return ERR_ARG;
  const st = decapsInternal(ss, dk, ct, k);
  wipe(SCRATCH, WIPE);
  return st;
}

/** FIPS 203 section 7.2 on its own: OK or ERR_EK_MODULUS. */
export function mlkem_check_ek(level: i32, ek: usize): i32 {
  const k = rankOf(level);
  if (k == 0) return ERR_ARG;
  if (!inIO(ek, <usize>ekBytes(k))) return ERR_ARG;
  return ekCheck(ek, k);
}

/** FIPS 203 section 7.3 on its own: OK or ERR_DK_HASH. */
export function mlkem_check_dk(level: i32, dk: usize): i32 {
  const k = rankOf(level);
  if (k == 0) return ERR_ARG;
  if (!inIO(dk, <usize>dkBytes(k))) return ERR_ARG;
  const st = dkCheck(dk, k);
  wipe(SCRATCH, WIPE);
  return st;
}

// ---- FIPS 204 ----------------------------------------------------------------

/** ML-DSA.KeyGen_internal(xi): level in {44, 65, 87}, xi 32 bytes -> pk, sk. */
export function mldsa_keygen(level: i32, xi: usize, pk: usize, sk: usize): i32 {
  const p = paramsOf(level);
  if (changetype<usize>(p) == 0) return ERR_ARG;
  const pkLen = <usize>pkBytes(p);
  const skLen = <usize>skBytes(p);
  const xLen = <usize>MLDSA_SEED_BYTES;
  if (!inIO(xi, xLen) || !inIO(pk, pkLen) || !inIO(sk, skLen)) return ERR_ARG;
  if (!disjoint(pk, pkLen, sk, skLen) || !disjoint(xi, xLen, pk, pkLen) || !disjoint(xi, xLen, sk, skLen)) return ERR_ARG;
  const st = dsa.keyGenInternal(pk, sk, xi, p);
  wipe(SCRATCH, DSA_WIPE);
  return st;
}

/** ML-DSA.Sign_internal given mu = H(tr || M') (64 bytes) and rnd (32 bytes) -> signature. */
export function mldsa_sign(level: i32, sk: usize, mu: usize, rnd: usize, sig: usize): i32 {
  const p = paramsOf(level);
  if (changetype<usize>(p) == 0) return ERR_ARG;
  const skLen = <usize>skBytes(p);
  const sigLen = <usize>sigBytes(p);
  const muLen = <usize>MLDSA_MU_BYTES;
  const rLen = <usize>MLDSA_RND_BYTES;
  if (!inIO(sk, skLen) || !inIO(mu, muLen) || !inIO(rnd, rLen) || !inIO(sig, sigLen)) return ERR_ARG;
  if (!disjoint(sig, sigLen, sk, skLen) || !disjoint(sig, sigLen, mu, muLen) || !disjoint(sig, sigLen, rnd, rLen)) return ERR_ARG;
  const st = dsa.signInternal(sig, sk, mu, rnd, p);
  wipe(SCRATCH, DSA_WIPE);
  return st;
}

/** ML-DSA.Verify_internal given mu: 1 valid, 0 invalid, negative on misuse. */
export function mldsa_verify(level: i32, pk: usize, mu: usize, sig: usize): i32 {
  const p = paramsOf(level);
  if (changetype<usize>(p) == 0) return ERR_ARG;
  if (!inIO(pk, <usize>pkBytes(p)) || !inIO(mu, <usize>MLDSA_MU_BYTES) || !inIO(sig, <usize>sigBytes(p))) return ERR_ARG;
  const v = dsa.verifyInternal(pk, mu, sig, p);
  wipe(SCRATCH, DSA_WIPE);
  return v;
}

/** The public key of a secret key (t1 recomputed from rho, s1, s2). */
export function mldsa_pk_from_sk(level: i32, sk: usize, pk: usize): i32 {
  const p = paramsOf(level);
  if (changetype<usize>(p) == 0) return ERR_ARG;
  const skLen = <usize>skBytes(p);
  const pkLen = <usize>pkBytes(p);
  if (!inIO(sk, skLen) || !inIO(pk, pkLen) || !disjoint(sk, skLen, pk, pkLen)) return ERR_ARG;
  const st = dsa.pkFromSk(pk, sk, p);
  wipe(SCRATCH, DSA_WIPE);
  return st;
}

// ---- NIST SP 800-38D AES-GCM ---------------------------------------------------

/** Start a GCM operation (see assembly/aes/gcm.ts): decrypt = 0 or 1. */
export function gcm_init(key: usize, keyLen: i32, tagLen: i32, decrypt: i32): i32 {
  if (keyLen < 0 || !inIO(key, <usize>keyLen)) return ERR_ARG;
  return gcmInit(key, keyLen, tagLen, decrypt);
}

/** Absorb IV bytes (the whole IV, in one or more chunks, before any AAD). */
export function gcm_iv(src: usize, len: usize): i32 {
  if (!inIO(src, len)) return ERR_ARG;
  return gcmIv(src, len);
}

/** Absorb AAD. */
export function gcm_aad(src: usize, len: usize): i32 {
  if (!inIO(src, len)) return ERR_ARG;
  return gcmAad(src, len);
}

/**
 * Encrypt (then authenticate) or, after verification, decrypt a chunk; src ==
 * dst is allowed. Decrypting, `token` is the 16-byte binding token gcm_auth
 * wrote for the position where this chunk ends (0: none; not needed for the
 * chunk that ends the data); it must not overlap dst. Encrypting, it is
 * ignored (pass 0).
 */
export function gcm_crypt(src: usize, dst: usize, len: usize, token: usize): i32 {
  if (!inIO(src, len) || !inIO(dst, len)) return ERR_ARG;
  if (src != dst && !disjoint(src, len, dst, len)) return ERR_ARG;
  if (token != 0 && gcmDecrypting()
    && (!inIO(token, GCM_BIND_TOKEN_BYTES) || !disjoint(token, GCM_BIND_TOKEN_BYTES, dst, len))) return ERR_ARG;
  return gcmCrypt(src, dst, len, token);
}

/**
 * Decrypt mode: authenticate a ciphertext chunk and write the 16-byte binding
 * token of the position after it at `token` (0: no token), which must not
 * overlap src.
 */
export function gcm_auth(src: usize, len: usize, token: usize): i32 {
  if (!inIO(src, len)) return ERR_ARG;
  if (token != 0 && (!inIO(token, GCM_BIND_TOKEN_BYTES) || !disjoint(src, len, token, GCM_BIND_TOKEN_BYTES))) return ERR_ARG;
  return gcmAuth(src, len, token);
}

/** Write (encrypt) or check (decrypt) the tag; ERR_AUTH on a mismatch. */
export function gcm_finish(tag: usize): i32 {
  if (!inIO(tag, <usize>GCM_TAG_MAX_BYTES)) return ERR_ARG;
  return gcmFinish(tag);
}

/** End the operation and wipe its keys and state. */
export function gcm_end(): void {
  gcmEnd();
}

// ---- The enclave DRBG (docs/drbg.md) --------------------------------------------
// Imports kept with this section so that the rest of the file is unchanged.
import { OK, ERR_TOO_LARGE, ERR_DRBG_UNSEEDED } from '../abi/status';
import { DRBG_MAX_REQUEST_BYTES } from '../abi/lengths';
import { drbgInstantiate, drbgReseed, drbgGenerate, drbgUninstantiate, drbgRequests } from './drbg';

/**
 * Instantiate the DRBG from host-supplied entropy (at least
 * DRBG_MIN_ENTROPY_BYTES, else ERR_LENGTH), a nonce and a personalization
 * string (either may be empty). Replaces any previous state.
 */
export function drbg_instantiate(entropy: usize, entropyLen: usize, nonce: usize, nonceLen: usize, pers: usize, persLen: usize): i32 {
  if (!inIO(entropy, entropyLen) || !inIO(nonce, nonceLen) || !inIO(pers, persLen)) return ERR_ARG;
  return drbgInstantiate(entropy, entropyLen, nonce, nonceLen, pers, persLen);
}

/** Reseed with fresh host entropy (at least DRBG_MIN_ENTROPY_BYTES) and additional input. */
export function drbg_reseed(entropy: usize, entropyLen: usize, add: usize, addLen: usize): i32 {
  if (!inIO(entropy, entropyLen) || !inIO(add, addLen)) return ERR_ARG;
  return drbgReseed(entropy, entropyLen, add, addLen);
}

/**
 * Generate requests served since the last instantiate or reseed (public: a
 * count, not state), or ERR_DRBG_UNSEEDED. The host's QRNG feed reseeds
 * before this reaches its interval (docs/qrng.md), so the vault never sees
 * ERR_DRBG_RESEED.
 */
export function drbg_requests(): i32 {
  const n = drbgRequests();
  return n < 0 ? ERR_DRBG_UNSEEDED : n;
}

/** Zeroize the DRBG state; generate and reseed return ERR_DRBG_UNSEEDED until the next instantiate. */
export function drbg_uninstantiate(): i32 {
  drbgUninstantiate();
  return OK;
}

// ---- The vault (assembly/vault.ts): keys that never leave ----------------------

/** A new ML-KEM key pair from the DRBG (level 512/768/1024): a handle (> 0) or a status. */
export function vault_kem_keygen(level: i32): i32 {
  return vault.kemKeygen(level);
}

/**
 * A new ML-DSA key pair from the DRBG (level 44/65/87) with a usage fixed for
 * its lifetime: 1 handshake (PQC1 v2 only), 2 attest (vault_attest_sign only),
 * 3 general (vault_dsa_sign only). A handle (> 0) or a status.
 */
export function vault_dsa_keygen(level: i32, usage: i32): i32 {
  return vault.dsaKeygen(level, usage);
}

/** The public key of a vault key pair into the I/O window (out must hold vault_public_bytes). */
export function vault_public(handle: i32, out: usize): i32 {
  const n = vault.publicBytes(handle);
  if (n == 0) {
    // A bad handle, or a session (which has no public key).
    const slot = vault.lookup(handle, vault.T_ANY);
    return slot < 0 ? slot : ERR_HANDLE_TYPE;
  }
  if (!inIO(out, <usize>n)) return ERR_ARG;
  return vault.publicInto(handle, out);
}

/** Bytes of a vault key pair's public key (0 for a bad handle). */
export function vault_public_bytes(handle: i32): i32 {
  return vault.publicBytes(handle);
}

/** The parameter set of a vault handle, or a status. */
export function vault_level(handle: i32): i32 {
  return vault.levelOf(handle);
}

/** Hedged ML-DSA signature over a host-computed mu (64 bytes) with a general-use vault key (else ERR_USAGE); rnd from the DRBG. */
export function vault_dsa_sign(handle: i32, mu: usize, sig: usize): i32 {
  const level = vault.levelOf(handle);
  if (level < 0) return level;
  const p = paramsOf(level);
  if (changetype<usize>(p) == 0) return ERR_HANDLE_TYPE;
  const sigLen = <usize>sigBytes(p);
  const muLen = <usize>MLDSA_MU_BYTES;
  if (!inIO(mu, muLen) || !inIO(sig, sigLen) || !disjoint(mu, muLen, sig, sigLen)) return ERR_ARG;
  return vault.dsaSignMu(handle, mu, sig);
}

/** Free a vault handle (a key pair, a pending handshake or a session): its keys are wiped and the handle is dead. */
export function vault_free(handle: i32): i32 {
  return vault.free(handle);
}

/**
 * The attestation signature: pure ML-DSA (FIPS 204, Algorithm 2) with the
 * context "awre-attest-v1" over msgLen bytes at msg, hedged, with an
 * attestation-use vault key (else ERR_USAGE). The vault makes mu itself, so no
 * host can have it sign under another context.
 */
export function vault_attest_sign(handle: i32, msg: usize, msgLen: usize, sig: usize): i32 {
  const st = messageSignArgs(handle, msg, msgLen, sig);
  return st != OK ? st : vault.attestSign(handle, msg, msgLen, sig);
}

/**
 * The checks a signature over a message makes before the vault looks at the
 * key's usage: a live ML-DSA handle (ERR_HANDLE / ERR_HANDLE_TYPE), and the
 * message and the signature inside the window and apart (ERR_ARG).
 */
function messageSignArgs(handle: i32, msg: usize, msgLen: usize, sig: usize): i32 {
  const level = vault.levelOf(handle);
  if (level < 0) return level;
  const p = paramsOf(level);
  if (changetype<usize>(p) == 0) return ERR_HANDLE_TYPE;
  const sigLen = <usize>sigBytes(p);
  if (!inIO(msg, msgLen) || !inIO(sig, sigLen) || !disjoint(msg, msgLen, sig, sigLen)) return ERR_ARG;
  return OK;
}

/**
 * The node identity's signature: pure ML-DSA, context "awre-identity-v1",
 * over msgLen bytes at msg, with an identity-use vault key (else ERR_USAGE).
 */
export function vault_identity_sign(handle: i32, msg: usize, msgLen: usize, sig: usize): i32 {
  const st = messageSignArgs(handle, msg, msgLen, sig);
  return st != OK ? st : vault.identitySign(handle, msg, msgLen, sig);
}

/** Bytes of a sealed identity key of ML-DSA level `level` (0 for an unknown level). */
export function vault_sealed_bytes(level: i32): i32 {
  return <i32>vault.sealedBytes(level);
}

/**
 * Seal an identity key (docs/trust.md, "Sealing"): `secret` is 64 bytes
 * (platform secret || module measurement), `aad` the state the seal
 * authenticates; writes vault_sealed_bytes(level) at out. Its length, or a
 * status (ERR_USAGE for any key that is not an identity key).
 */
export function vault_seal(handle: i32, secret: usize, aad: usize, aadLen: usize, out: usize, outLen: usize): i32 {
  const level = vault.levelOf(handle);
  if (level < 0) return level;
  const n = vault.sealedBytes(level);
  if (n == 0) return ERR_HANDLE_TYPE;
  if (outLen < n) return ERR_LENGTH;
  if (!inIO(secret, 64) || !inIO(aad, aadLen) || !inIO(out, n)) return ERR_ARG;
  if (!disjoint(out, n, secret, 64) || !disjoint(out, n, aad, aadLen)) return ERR_ARG;
  return vault.seal(handle, secret, aad, aadLen, out);
}

/** Unseal a sealed identity key into the vault: its handle, or ERR_ARG / ERR_AUTH / ERR_VAULT_FULL. */
export function vault_unseal(secret: usize, aad: usize, aadLen: usize, blob: usize, blobLen: usize): i32 {
  if (!inIO(secret, 64) || !inIO(aad, aadLen) || !inIO(blob, blobLen)) return ERR_ARG;
  return vault.unseal(secret, aad, aadLen, blob, blobLen);
}

// ---- The PQCNet ABI (assembly/pqc.ts) --------------------------------------------

/** A buffer of len bytes in the upper half of the I/O window, or 0. */
export function pqc_alloc(len: i32): usize { return pqc.pqcAlloc(len); }
/** Release a pqc_alloc buffer (wiped). */
export function pqc_free(ptr: usize, len: i32): void { pqc.pqcFree(ptr, len); }
/** The initiator's PQC1 envelope: bytes written, -1 invalid input, -2 buffer too small, -127 internal. */
/** PQC1 v2, initiator: write INIT (docs/pqc1.md); its length, or -1 invalid, -2 buffer too small, a PQC or vault status, -127 internal. */
export function pqc_handshake(req: usize, reqLen: usize, out: usize, outLen: usize): i32 {
  return pqc.pqcHandshake(req, reqLen, out, outLen);
}

/** PQC1 v2, responder: check INIT and write RESP; its length, or a status. */
export function pqc_respond(req: usize, reqLen: usize, out: usize, outLen: usize): i32 {
  return pqc.pqcRespond(req, reqLen, out, outLen);
}

/** PQC1 v2, initiator: check RESP and write FIN; its length, or a status. The session handle is pqc_last_session(). */
export function pqc_finish(req: usize, reqLen: usize, out: usize, outLen: usize): i32 {
  return pqc.pqcFinish(req, reqLen, out, outLen);
}

/** PQC1 v2, responder: check FIN; the session handle, or a status. */
export function pqc_complete(req: usize, reqLen: usize): i32 {
  return pqc.pqcComplete(req, reqLen);
}

/** Seal len bytes at src into a frame at out (len + 24 bytes) in the session's send direction; its length, or a status. */
export function pqc_seal(session: i32, src: usize, len: usize, out: usize, outLen: usize): i32 {
  return pqc.pqcSeal(session, src, len, out, outLen);
}

/** Open a frame in the session's receive direction into out; the plaintext's length, or a status. */
export function pqc_open(session: i32, src: usize, len: usize, out: usize, outLen: usize): i32 {
  return pqc.pqcOpen(session, src, len, out, outLen);
}

/** A session's public state (80 bytes, docs/pqc1.md section 7) at out. */
export function pqc_session_info(session: i32, out: usize): i32 {
  if (!inIO(out, pqc.SESSION_INFO_BYTES)) return ERR_ARG;
  return pqc.pqcSessionInfo(session, out);
}

/** The handle made by the last successful pqc_handshake / pqc_respond / pqc_finish / pqc_complete. */
export function pqc_last_session(): i32 { return pqc.pqcLastSession(); }
