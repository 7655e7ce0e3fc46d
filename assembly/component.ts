// The enclave as a WebAssembly component (docs/component.md): canonical-ABI
// wrappers around the core exports of ./index, one per function of the world
// in abi/awre.wit. Compiled as its own entry by scripts/build-component.mjs:
// only the functions exported here reach this core module (build/enclave.wasm
// itself is untouched). AssemblyScript cannot spell a name such as
// "awre:enclave/sha3@2.0.0#oneshot", so each wrapper is exported as
// <iface>__<func> ('-' -> '_') and the build renames it; post__<iface>__<func>
// becomes cabi_post_<canonical name>.
//
// Memory rules (the same window and wiping as docs/abi.md):
// - cabi_realloc is a bump allocator over the I/O window (io_ptr() ..
//   io_ptr() + io_bytes()): every list the host lowers lies where the core
//   exports accept it. Out of window space, or a bad alignment: trap (the
//   canonical ABI has no failure return for realloc).
// - Inputs are lowered first, so they occupy [IO, IO + inEnd); outputs are
//   allocated after them. Each wrapper wipes its inputs right after the core
//   call (gcm.crypt works in place: its input is its output).
// - Functions that return lists have a post-return that wipes every window
//   byte handed out since the last reset (the outputs, after the host copied
//   them) and resets the allocator. Functions that return no list wipe and
//   reset before they return.
// - Every list whose length the core export assumes is checked here first:
//   another length is err(ERR_LENGTH).
// - Every list argument must lie in the window bytes handed out for this call
//   (given()), else err(ERR_ARG): a host call made while the lists were
//   lowered resets the window, and a list would then be stale, wiped bytes
//   (the kernel would run on zeros). Fixed-length checks come first, then this.
import {
  abi_version, io_ptr, io_bytes, hctx_ptr, hctx_bytes,
  sha3_oneshot, keccak_absorb, keccak_finish, keccak_squeeze,
  mlkem_keygen, mlkem_encaps, mlkem_decaps, mlkem_check_ek, mlkem_check_dk,
  mldsa_keygen, mldsa_sign, mldsa_verify, mldsa_pk_from_sk,
  gcm_init, gcm_iv, gcm_aad, gcm_crypt, gcm_auth, gcm_finish, gcm_end,
  drbg_instantiate, drbg_reseed, drbg_uninstantiate, drbg_requests,
  vault_kem_keygen, vault_dsa_keygen, vault_public, vault_public_bytes, vault_level,
  vault_dsa_sign, vault_attest_sign, vault_identity_sign, vault_seal, vault_sealed_bytes,
  vault_unseal, vault_free,
  pqc_handshake, pqc_respond, pqc_finish, pqc_complete, pqc_seal, pqc_open, pqc_session_info,
  pqc_last_session,
} from './index';
import { ekBytes, dkBytes, ctBytes, rankOf } from './mlkem/params';
import { paramsOf, pkBytes, skBytes, sigBytes } from './mldsa/params';
import { gcmDecrypting } from './aes/gcm';
import { ERR_ARG, ERR_LENGTH, ERR_HANDLE_TYPE } from '../abi/status';

// ---- allocator over the I/O window ---------------------------------------------
let top: usize = 0;  // bytes handed out from io_ptr()
let high: usize = 0; // high-water mark since the last wipe

export function cabi_realloc(oldPtr: usize, oldSize: usize, align: usize, newSize: usize): usize {
  const base = io_ptr();
  const size = <usize>io_bytes();
  if (align == 0 || (align & (align - 1)) != 0) unreachable();
  const at = (top + align - 1) & ~(align - 1);
  if (at > size || newSize > size - at) unreachable();
  const p = base + at;
  // Lowering only ever asks for fresh memory (0, 0); growing a block from an arbitrary pointer
  // would copy bytes from anywhere in memory into the window (review finding).
  if (oldPtr != 0 || oldSize != 0) unreachable();
  top = at + newSize;
  if (top > high) high = top;
  return p;
}

function alloc(n: usize): usize { return cabi_realloc(0, 0, 1, n); }
/** `p .. p + len` lies in the bytes handed out so far: a list this call was given (not stale, not outside the window). */
function given(p: usize, len: usize): bool {
  const base = io_ptr();
  return p >= base && len <= top && p - base <= top - len;
}
/** The window bytes still free. */
function room(): usize { return <usize>io_bytes() - top; }
/** Wipe the inputs: every byte handed out before the wrapper began. */
function wipeInputs(inEnd: usize): void { memory.fill(io_ptr(), 0, inEnd); }
function wipeWindow(): void {
  memory.fill(io_ptr(), 0, high);
  top = 0; high = 0;
}

// ---- return area (outside the window: pointers, lengths and statuses only) ------
const RET: usize = memory.data(24, 8);

function retErr(st: i32): usize { store<u8>(RET, 1); store<i32>(RET, st, 4); return RET; }
function retList(p: usize, n: usize): usize {
  store<u8>(RET, 0); store<u32>(RET, <u32>p, 4); store<u32>(RET, <u32>n, 8); return RET;
}
function retList2(p: usize, n: usize, q: usize, m: usize): usize {
  store<u8>(RET, 0); store<u32>(RET, <u32>p, 4); store<u32>(RET, <u32>n, 8);
  store<u32>(RET, <u32>q, 12); store<u32>(RET, <u32>m, 16); return RET;
}
function retListHandle(p: usize, n: usize, h: i32): usize {
  store<u8>(RET, 0); store<u32>(RET, <u32>p, 4); store<u32>(RET, <u32>n, 8); store<i32>(RET, h, 12); return RET;
}
function retI32(v: i32): usize { store<u8>(RET, 0); store<i32>(RET, v, 4); return RET; }
function retBool(v: bool): usize { store<u8>(RET, 0); store<u8>(RET, v ? 1 : 0, 4); return RET; }
function retUnit(): usize { store<u8>(RET, 0); return RET; }
/** result<_, status> for a function that returns no list: wipe and reset now. */
function doneUnit(st: i32): usize { wipeWindow(); return st < 0 ? retErr(st) : retUnit(); }
/** result<s32-like, status> for a function that returns no list. */
function doneI32(st: i32): usize { wipeWindow(); return st < 0 ? retErr(st) : retI32(st); }

// ---- awre:enclave/info ------------------------------------------------------------
export function info__abi_version(): i32 { return abi_version(); }
export function info__io_bytes(): i32 { return io_bytes(); }

// ---- awre:enclave/sha3 ------------------------------------------------------------
export function sha3__oneshot(rate: u32, ds: u32, data: usize, len: usize, outLen: u32): usize {
  const inEnd = top;
  if (<usize>outLen > room() || !given(data, len)) { wipeInputs(inEnd); return retErr(ERR_ARG); }
  const out = alloc(<usize>outLen);
  const st = sha3_oneshot(rate, ds, data, len, out, outLen);
  wipeInputs(inEnd);
  return st < 0 ? retErr(st) : retList(out, outLen);
}
export function post__sha3__oneshot(ret: usize): void { wipeWindow(); }

export function sha3__absorb(rate: u32, data: usize, len: usize): usize {
  return doneUnit(given(data, len) ? keccak_absorb(rate, data, len) : ERR_ARG);
}
export function sha3__finish(rate: u32, ds: u32): usize { return doneUnit(keccak_finish(rate, ds)); }

export function sha3__squeeze(rate: u32, len: u32): usize {
  if (<usize>len > room()) return retErr(ERR_ARG);
  const out = alloc(<usize>len);
  const st = keccak_squeeze(rate, out, len);
  return st < 0 ? retErr(st) : retList(out, len);
}
export function post__sha3__squeeze(ret: usize): void { wipeWindow(); }

/** The hash context (208 bytes), for the host to keep while it hashes something else. */
export function sha3__context_save(): usize {
  const n = <usize>hctx_bytes();
  const out = alloc(n);
  memory.copy(out, hctx_ptr(), n);
  store<u32>(RET, <u32>out, 0); store<u32>(RET, <u32>n, 4);
  return RET;
}
export function post__sha3__context_save(ret: usize): void { wipeWindow(); }

export function sha3__context_restore(ctx: usize, len: usize): usize {
  const n = <usize>hctx_bytes();
  if (len != n) return doneUnit(ERR_LENGTH);
  if (!given(ctx, len)) return doneUnit(ERR_ARG);
  memory.copy(hctx_ptr(), ctx, n);
  return doneUnit(0);
}

// ---- awre:enclave/ml-kem ----------------------------------------------------------
export function ml_kem__keygen(level: i32, seed: usize, seedLen: usize): usize {
  const inEnd = top;
  const k = rankOf(level);
  let st: i32 = ERR_ARG;
  let ek: usize = 0, dk: usize = 0;
  const ekLen: usize = k == 0 ? 0 : <usize>ekBytes(k);
  const dkLen: usize = k == 0 ? 0 : <usize>dkBytes(k);
  if (k != 0) {
    if (seedLen != 64) st = ERR_LENGTH;
    else if (!given(seed, seedLen)) st = ERR_ARG;
    else { ek = alloc(ekLen); dk = alloc(dkLen); st = mlkem_keygen(level, seed, ek, dk); }
  }
  wipeInputs(inEnd);
  return st < 0 ? retErr(st) : retList2(ek, ekLen, dk, dkLen);
}
export function post__ml_kem__keygen(ret: usize): void { wipeWindow(); }

export function ml_kem__encaps(level: i32, ek: usize, ekLen: usize, m: usize, mLen: usize): usize {
  const inEnd = top;
  const k = rankOf(level);
  let st: i32 = ERR_ARG;
  let ct: usize = 0, ss: usize = 0;
  const ctLen: usize = k == 0 ? 0 : <usize>ctBytes(k);
  if (k != 0) {
    if (ekLen != <usize>ekBytes(k) || mLen != 32) st = ERR_LENGTH;
    else if (!given(ek, ekLen) || !given(m, mLen)) st = ERR_ARG;
    else { ct = alloc(ctLen); ss = alloc(32); st = mlkem_encaps(level, ek, m, ct, ss); }
  }
  wipeInputs(inEnd);
  return st < 0 ? retErr(st) : retList2(ct, ctLen, ss, 32);
}
export function post__ml_kem__encaps(ret: usize): void { wipeWindow(); }

export function ml_kem__decaps(level: i32, dk: usize, dkLen: usize, ct: usize, ctLen: usize): usize {
  const inEnd = top;
  const k = rankOf(level);
  let st: i32 = ERR_ARG;
  let ss: usize = 0;
  if (k != 0) {
    if (dkLen != <usize>dkBytes(k) || ctLen != <usize>ctBytes(k)) st = ERR_LENGTH;
    else if (!given(dk, dkLen) || !given(ct, ctLen)) st = ERR_ARG;
    else { ss = alloc(32); st = mlkem_decaps(level, dk, ct, ss); }
  }
  wipeInputs(inEnd);
  return st < 0 ? retErr(st) : retList(ss, 32);
}
export function post__ml_kem__decaps(ret: usize): void { wipeWindow(); }

export function ml_kem__check_ek(level: i32, ek: usize, ekLen: usize): usize {
  const k = rankOf(level);
  let st: i32 = ERR_ARG;
  if (k != 0) st = ekLen != <usize>ekBytes(k) ? ERR_LENGTH : !given(ek, ekLen) ? ERR_ARG : mlkem_check_ek(level, ek);
  return doneUnit(st);
}

export function ml_kem__check_dk(level: i32, dk: usize, dkLen: usize): usize {
  const k = rankOf(level);
  let st: i32 = ERR_ARG;
  if (k != 0) st = dkLen != <usize>dkBytes(k) ? ERR_LENGTH : !given(dk, dkLen) ? ERR_ARG : mlkem_check_dk(level, dk);
  return doneUnit(st);
}

// ---- awre:enclave/ml-dsa ----------------------------------------------------------
export function ml_dsa__keygen(level: i32, xi: usize, xiLen: usize): usize {
  const inEnd = top;
  const p = paramsOf(level);
  let st: i32 = ERR_ARG;
  let pk: usize = 0, sk: usize = 0, pkLen: usize = 0, skLen: usize = 0;
  if (changetype<usize>(p) != 0) {
    pkLen = <usize>pkBytes(p); skLen = <usize>skBytes(p);
    if (xiLen != 32) st = ERR_LENGTH;
    else if (!given(xi, xiLen)) st = ERR_ARG;
    else { pk = alloc(pkLen); sk = alloc(skLen); st = mldsa_keygen(level, xi, pk, sk); }
  }
  wipeInputs(inEnd);
  return st < 0 ? retErr(st) : retList2(pk, pkLen, sk, skLen);
}
export function post__ml_dsa__keygen(ret: usize): void { wipeWindow(); }

export function ml_dsa__sign(level: i32, sk: usize, skLen: usize, mu: usize, muLen: usize, rnd: usize, rndLen: usize): usize {
  const inEnd = top;
  const p = paramsOf(level);
  let st: i32 = ERR_ARG;
  let sig: usize = 0, sigLen: usize = 0;
  if (changetype<usize>(p) != 0) {
    sigLen = <usize>sigBytes(p);
    if (skLen != <usize>skBytes(p) || muLen != 64 || rndLen != 32) st = ERR_LENGTH;
    else if (!given(sk, skLen) || !given(mu, muLen) || !given(rnd, rndLen)) st = ERR_ARG;
    else { sig = alloc(sigLen); st = mldsa_sign(level, sk, mu, rnd, sig); }
  }
  wipeInputs(inEnd);
  return st < 0 ? retErr(st) : retList(sig, sigLen);
}
export function post__ml_dsa__sign(ret: usize): void { wipeWindow(); }

export function ml_dsa__verify(level: i32, pk: usize, pkLen: usize, mu: usize, muLen: usize, sig: usize, sigLen: usize): usize {
  const p = paramsOf(level);
  let st: i32 = ERR_ARG;
  if (changetype<usize>(p) != 0) {
    if (pkLen != <usize>pkBytes(p) || muLen != 64) st = ERR_LENGTH;
    else if (!given(pk, pkLen) || !given(mu, muLen) || !given(sig, sigLen)) st = ERR_ARG;
    // A signature of another length is not a signature: invalid, not misuse.
    else if (sigLen != <usize>sigBytes(p)) st = 0;
    else st = mldsa_verify(level, pk, mu, sig);
  }
  wipeWindow();
  return st < 0 ? retErr(st) : retBool(st == 1);
}

export function ml_dsa__public_key(level: i32, sk: usize, skLen: usize): usize {
  const inEnd = top;
  const p = paramsOf(level);
  let st: i32 = ERR_ARG;
  let pk: usize = 0, pkLen: usize = 0;
  if (changetype<usize>(p) != 0) {
    pkLen = <usize>pkBytes(p);
    if (skLen != <usize>skBytes(p)) st = ERR_LENGTH;
    else if (!given(sk, skLen)) st = ERR_ARG;
    else { pk = alloc(pkLen); st = mldsa_pk_from_sk(level, sk, pk); }
  }
  wipeInputs(inEnd);
  return st < 0 ? retErr(st) : retList(pk, pkLen);
}
export function post__ml_dsa__public_key(ret: usize): void { wipeWindow(); }

// ---- awre:enclave/gcm -------------------------------------------------------------
// The direction is the core's own (gcmDecrypting: 0 after gcm_end or a failed init); the tag length
// is the one the last successful init chose.
let gcmTagLen: i32 = 16;

export function gcm__init(key: usize, keyLen: usize, tagLen: i32, decrypt: i32): usize {
  // A list must be one this call was given: a host call made while the lists were lowered resets the
  // window, and the key would then be zeros (review finding).
  if (!given(key, keyLen)) return doneUnit(ERR_ARG);
  const st = gcm_init(key, <i32>keyLen, tagLen, decrypt);
  if (st >= 0) gcmTagLen = tagLen;
  return doneUnit(st);
}
export function gcm__iv(iv: usize, len: usize): usize { return doneUnit(given(iv, len) ? gcm_iv(iv, len) : ERR_ARG); }
export function gcm__aad(data: usize, len: usize): usize { return doneUnit(given(data, len) ? gcm_aad(data, len) : ERR_ARG); }

/**
 * In place (the core allows src == dst): the output list is the input's bytes. Encrypting, the token
 * is ignored (the WIT): none, or a list of any length. Decrypting, it is none or 16 bytes.
 */
export function gcm__crypt(data: usize, len: usize, hasToken: i32, token: usize, tokenLen: usize): usize {
  const useToken = gcmDecrypting() && hasToken != 0;
  let st: i32;
  if (useToken && tokenLen != 16) st = ERR_LENGTH;
  else if (!given(data, len) || (useToken && !given(token, tokenLen))) st = ERR_ARG;
  else st = gcm_crypt(data, data, len, useToken ? token : 0);
  // The token is an input: wipe it, but only where it is a list this call was given (an ignored or
  // stale token's pointer may point anywhere) and not the data, which is the result.
  if (hasToken != 0 && given(token, tokenLen) && (token + tokenLen <= data || data + len <= token)) memory.fill(token, 0, tokenLen);
  if (st < 0) wipeWindow();
  return st < 0 ? retErr(st) : retList(data, len);
}
export function post__gcm__crypt(ret: usize): void { wipeWindow(); }

export function gcm__auth(data: usize, len: usize): usize {
  const inEnd = top;
  if (room() < 16 || !given(data, len)) { wipeInputs(inEnd); return retErr(ERR_ARG); }
  const tok = alloc(16);
  const st = gcm_auth(data, len, tok);
  wipeInputs(inEnd);
  return st < 0 ? retErr(st) : retList(tok, 16);
}
export function post__gcm__auth(ret: usize): void { wipeWindow(); }

/**
 * Encrypting: `tag` is ignored (the WIT), whatever its length, and the result is the tag. Decrypting:
 * `tag` is tag-len bytes and the result is empty.
 */
export function gcm__finish(tag: usize, len: usize): usize {
  const decrypting = gcmDecrypting();
  let inEnd = top;
  let st: i32;
  let buf: usize = 0;
  if (!decrypting) {
    // The ignored tag list is wiped with the rest of the window and its space reused: any length fits
    // the 16 result bytes (an earlier version returned err(ERR_ARG) for a list that left < 16 bytes).
    wipeWindow(); inEnd = 0;
    buf = alloc(16);
    st = gcm_finish(buf);
  } else if (len != <usize>gcmTagLen) st = ERR_LENGTH;
  else if (room() < 16 || !given(tag, len)) st = ERR_ARG;
  else {
    buf = alloc(16);
    memory.copy(buf, tag, len);
    st = gcm_finish(buf);
  }
  wipeInputs(inEnd);
  return st < 0 ? retErr(st) : retList(buf, decrypting ? 0 : <usize>gcmTagLen);
}
export function post__gcm__finish(ret: usize): void { wipeWindow(); }

export function gcm__end(): void { gcm_end(); wipeWindow(); }

// ---- awre:enclave/drbg ------------------------------------------------------------
export function drbg__instantiate(e: usize, eLen: usize, n: usize, nLen: usize, p: usize, pLen: usize): usize {
  const ok = given(e, eLen) && given(n, nLen) && given(p, pLen);
  return doneUnit(ok ? drbg_instantiate(e, eLen, n, nLen, p, pLen) : ERR_ARG);
}
export function drbg__reseed(e: usize, eLen: usize, a: usize, aLen: usize): usize {
  return doneUnit(given(e, eLen) && given(a, aLen) ? drbg_reseed(e, eLen, a, aLen) : ERR_ARG);
}
export function drbg__uninstantiate(): usize { return doneUnit(drbg_uninstantiate()); }
export function drbg__requests(): usize { return doneI32(drbg_requests()); }

// ---- awre:enclave/vault -----------------------------------------------------------
export function vault__kem_keygen(level: i32): usize { return doneI32(vault_kem_keygen(level)); }
export function vault__dsa_keygen(level: i32, usage: i32): usize { return doneI32(vault_dsa_keygen(level, usage)); }
export function vault__level(key: i32): usize { return doneI32(vault_level(key)); }
export function vault__free(key: i32): usize { return doneUnit(vault_free(key)); }

export function vault__public_key(key: i32): usize {
  const n = <usize>vault_public_bytes(key);
  // n == 0: a bad handle or a session; vault_public then only returns the status.
  if (n == 0) return retErr(vault_public(key, io_ptr()));
  if (n > room()) return retErr(ERR_ARG);
  const out = alloc(n);
  const st = vault_public(key, out);
  return st < 0 ? retErr(st) : retList(out, n);
}
export function post__vault__public_key(ret: usize): void { wipeWindow(); }

/** Bytes of a signature by a vault ML-DSA key, or a status. */
function vaultSigBytes(key: i32): i32 {
  const level = vault_level(key);
  if (level < 0) return level;
  const p = paramsOf(level);
  return changetype<usize>(p) == 0 ? ERR_HANDLE_TYPE : sigBytes(p);
}

export function vault__dsa_sign(key: i32, mu: usize, muLen: usize): usize {
  const inEnd = top;
  let st = vaultSigBytes(key);
  const n: usize = st < 0 ? 0 : <usize>st;
  let sig: usize = 0;
  if (st >= 0) {
    if (muLen != 64) st = ERR_LENGTH;
    else if (!given(mu, muLen) || n > room()) st = ERR_ARG;
    else { sig = alloc(n); st = vault_dsa_sign(key, mu, sig); }
  }
  wipeInputs(inEnd);
  return st < 0 ? retErr(st) : retList(sig, n);
}
export function post__vault__dsa_sign(ret: usize): void { wipeWindow(); }

function messageSign(key: i32, msg: usize, len: usize, identity: bool): usize {
  const inEnd = top;
  let st = vaultSigBytes(key);
  const n: usize = st < 0 ? 0 : <usize>st;
  let sig: usize = 0;
  if (st >= 0) {
    if (!given(msg, len) || n > room()) st = ERR_ARG;
    else {
      sig = alloc(n);
      st = identity ? vault_identity_sign(key, msg, len, sig) : vault_attest_sign(key, msg, len, sig);
    }
  }
  wipeInputs(inEnd);
  return st < 0 ? retErr(st) : retList(sig, n);
}
export function vault__attest_sign(key: i32, msg: usize, len: usize): usize { return messageSign(key, msg, len, false); }
export function post__vault__attest_sign(ret: usize): void { wipeWindow(); }
export function vault__identity_sign(key: i32, msg: usize, len: usize): usize { return messageSign(key, msg, len, true); }
export function post__vault__identity_sign(ret: usize): void { wipeWindow(); }

export function vault__seal(key: i32, secret: usize, secretLen: usize, state: usize, stateLen: usize): usize {
  const inEnd = top;
  let st: i32 = vault_level(key);
  let out: usize = 0;
  if (st >= 0) {
    const n = <usize>vault_sealed_bytes(st);
    if (n == 0) st = ERR_HANDLE_TYPE;
    else if (secretLen != 64) st = ERR_LENGTH;
    else if (!given(secret, secretLen) || !given(state, stateLen) || n > room()) st = ERR_ARG;
    else { out = alloc(n); st = vault_seal(key, secret, state, stateLen, out, n); }
  }
  wipeInputs(inEnd);
  return st < 0 ? retErr(st) : retList(out, <usize>st);
}
export function post__vault__seal(ret: usize): void { wipeWindow(); }

export function vault__unseal(secret: usize, secretLen: usize, state: usize, stateLen: usize, sealed: usize, sealedLen: usize): usize {
  let st: i32;
  if (secretLen != 64) st = ERR_LENGTH;
  else if (!given(secret, secretLen) || !given(state, stateLen) || !given(sealed, sealedLen)) st = ERR_ARG;
  else st = vault_unseal(secret, state, stateLen, sealed, sealedLen);
  return doneI32(st);
}

// ---- awre:enclave/pqcnet ----------------------------------------------------------
/** A handshake message into the rest of the window (post-return wipes it all). */
function handshakeStep(step: i32, req: usize, len: usize): usize {
  const inEnd = top;
  let st: i32 = ERR_ARG;
  let out: usize = 0;
  if (given(req, len)) {
    const outLen = room();
    out = alloc(outLen);
    if (step == 0) st = pqc_handshake(req, len, out, outLen);
    else if (step == 1) st = pqc_respond(req, len, out, outLen);
    else st = pqc_finish(req, len, out, outLen);
  }
  wipeInputs(inEnd);
  return st < 0 ? retErr(st) : retListHandle(out, <usize>st, pqc_last_session());
}
export function pqcnet__handshake(req: usize, len: usize): usize { return handshakeStep(0, req, len); }
export function post__pqcnet__handshake(ret: usize): void { wipeWindow(); }
export function pqcnet__respond(req: usize, len: usize): usize { return handshakeStep(1, req, len); }
export function post__pqcnet__respond(ret: usize): void { wipeWindow(); }
export function pqcnet__finish(req: usize, len: usize): usize { return handshakeStep(2, req, len); }
export function post__pqcnet__finish(ret: usize): void { wipeWindow(); }

export function pqcnet__complete(req: usize, len: usize): usize { return doneI32(given(req, len) ? pqc_complete(req, len) : ERR_ARG); }

export function pqcnet__seal(session: i32, src: usize, len: usize): usize {
  const inEnd = top;
  let st: i32;
  let out: usize = 0;
  // given first: it bounds len, so len + 24 cannot wrap.
  if (!given(src, len)) st = ERR_ARG;
  else if (len + 24 > room()) st = ERR_LENGTH;
  else { out = alloc(len + 24); st = pqc_seal(session, src, len, out, len + 24); }
  wipeInputs(inEnd);
  return st < 0 ? retErr(st) : retList(out, <usize>st);
}
export function post__pqcnet__seal(ret: usize): void { wipeWindow(); }

export function pqcnet__open(session: i32, src: usize, len: usize): usize {
  const inEnd = top;
  const outLen: usize = len > 24 ? len - 24 : 1;
  let st: i32;
  let out: usize = 0;
  if (!given(src, len)) st = ERR_ARG;
  else if (outLen > room()) st = ERR_LENGTH;
  else { out = alloc(outLen); st = pqc_open(session, src, len, out, outLen); }
  wipeInputs(inEnd);
  return st < 0 ? retErr(st) : retList(out, <usize>st);
}
export function post__pqcnet__open(ret: usize): void { wipeWindow(); }

export function pqcnet__session_info(session: i32): usize {
  const out = alloc(80);
  const st = pqc_session_info(session, out);
  return st < 0 ? retErr(st) : retList(out, 80);
}
export function post__pqcnet__session_info(ret: usize): void { wipeWindow(); }
