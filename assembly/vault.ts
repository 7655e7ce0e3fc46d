// The vault: key pairs generated inside the enclave from the enclave DRBG and
// addressed by opaque handles; no vault export ever returns secret bytes.
//
// A handle is 0x5A << 24 | generation << 8 | slot (a positive i32, so that
// every status stays negative). A slot records its type (ML-KEM or ML-DSA key
// pair), parameter set and a 16-bit generation that advances when the slot is
// freed: a freed or stale handle no longer matches, a forged one fails the
// magic, range or generation check, and a handle of the wrong type is refused
// with its own status. Freeing wipes the slot's key material.
import { OK, ERR_ARG, ERR_HANDLE, ERR_HANDLE_TYPE, ERR_VAULT_FULL } from '../abi/status';
import { drbgGenerate } from './drbg';
import { keyGenInternal as kemKeyGen, encapsInternal, decapsInternal } from './mlkem/kem';
import { keccakAbsorb, keccakFinish, keccakInit, keccakSqueeze, DS_SHAKE } from './keccak';
import { gcmInit } from './aes/gcm';
import { rankOf, ekBytes, dkBytes } from './mlkem/params';
import { keyGenInternal as dsaKeyGen, signInternal as dsaSign } from './mldsa/dsa';
import { Params, paramsOf, pkBytes, skBytes } from './mldsa/params';
import { SCRATCH } from './mem';
import { WIPE as KEM_WIPE } from './mlkem/scratch';
import { WIPE as DSA_WIPE } from './mldsa/scratch';

export const VAULT_SLOTS: i32 = 16;
/** Key material per slot: the largest is ML-DSA-87, sk 4896 + pk 2592 bytes. */
const SLOT_BYTES: usize = 7552;
const MAGIC: u32 = 0x5a;
export const T_EMPTY: u8 = 0;
export const T_KEM: u8 = 1;
export const T_DSA: u8 = 2;
export const T_SESSION: u8 = 3;

/** Per slot, 8 bytes: type u8 @0, level u16 @2, generation u16 @4. */
const HDR: usize = memory.data(VAULT_SLOTS * 8, 16);
/** Key material, SLOT_BYTES per slot (secret: wiped on free). */
const KEYS: usize = memory.data(<i32>(VAULT_SLOTS * <i32>SLOT_BYTES), 64);
/** DRBG output on its way into a key generation or a signature (wiped after use). */
const SEED: usize = memory.data(64, 16);
/** A shared secret on its way into the session KDF, and the KDF's sponge (wiped after use). */
const SS: usize = memory.data(32, 16);
const KDF_ST: usize = memory.data(208, 16);
/** The KDF's domain: "awre-session-v1". */
const KDF_DOMAIN: usize = memory.data<u8>([0x61, 0x77, 0x72, 0x65, 0x2d, 0x73, 0x65, 0x73, 0x73, 0x69, 0x6f, 0x6e, 0x2d, 0x76, 0x31]);
const KDF_DOMAIN_BYTES: usize = 15;

// @ts-ignore: decorator
@inline function hdr(slot: i32): usize { return HDR + (<usize>slot << 3); }
// @ts-ignore: decorator
@inline function keys(slot: i32): usize { return KEYS + <usize>slot * SLOT_BYTES; }

function handleOf(slot: i32): i32 {
  return <i32>((MAGIC << 24) | (<u32>load<u16>(hdr(slot), 4) << 8) | <u32>slot);
}

/** The slot a handle names, or ERR_HANDLE / ERR_HANDLE_TYPE. */
export function lookup(handle: i32, type: u8): i32 {
  const h = <u32>handle;
  if (h >>> 24 != MAGIC) return ERR_HANDLE;
  const slot = <i32>(h & 0xff);
  if (slot >= VAULT_SLOTS) return ERR_HANDLE;
  const t = load<u8>(hdr(slot));
  if (t == T_EMPTY || <u32>load<u16>(hdr(slot), 4) != ((h >>> 8) & 0xffff)) return ERR_HANDLE;
  if (type != T_EMPTY && t != type) return ERR_HANDLE_TYPE;
  return slot;
}

/** A free slot claimed for `type` at `level`, or -1. */
function claim(type: u8, level: i32): i32 {
  for (let s = 0; s < VAULT_SLOTS; s++) {
    if (load<u8>(hdr(s)) == T_EMPTY) {
      store<u8>(hdr(s), type);
      store<u16>(hdr(s), <u16>level, 2);
      return s;
    }
  }
  return -1;
}

/** Wipe a slot's keys, mark it empty and advance its generation. */
function release(slot: i32): void {
  memory.fill(keys(slot), 0, SLOT_BYTES);
  store<u8>(hdr(slot), T_EMPTY);
  store<u16>(hdr(slot), <u16>(load<u16>(hdr(slot), 4) + 1), 4);
}

/** An ML-KEM key pair (level 512/768/1024) from the DRBG: its handle, or a status. */
export function kemKeygen(level: i32): i32 {
  const k = rankOf(level);
  if (k == 0) return ERR_ARG;
  const slot = claim(T_KEM, level);
  if (slot < 0) return ERR_VAULT_FULL;
  let st = drbgGenerate(SEED, 64, 0, 0); // d || z
  if (st == OK) st = kemKeyGen(keys(slot) + <usize>dkBytes(k), keys(slot), SEED, k);
  memory.fill(SEED, 0, 64);
  memory.fill(SCRATCH, 0, KEM_WIPE);
  if (st != OK) {
    release(slot);
    return st;
  }
  return handleOf(slot);
}

/** ML-KEM encapsulation key of a handle into `out` (public). */
export function kemPublic(handle: i32, out: usize): i32 {
  const slot = lookup(handle, T_KEM);
  if (slot < 0) return slot;
  const k = rankOf(<i32>load<u16>(hdr(slot), 2));
  memory.copy(out, keys(slot) + <usize>dkBytes(k), <usize>ekBytes(k));
  return OK;
}

/** An ML-DSA key pair (level 44/65/87) from the DRBG: its handle, or a status. */
export function dsaKeygen(level: i32): i32 {
  const p = paramsOf(level);
  if (changetype<usize>(p) == 0) return ERR_ARG;
  const slot = claim(T_DSA, level);
  if (slot < 0) return ERR_VAULT_FULL;
  let st = drbgGenerate(SEED, 32, 0, 0); // xi
  if (st == OK) st = dsaKeyGen(keys(slot) + <usize>skBytes(p), keys(slot), SEED, p);
  memory.fill(SEED, 0, 64);
  memory.fill(SCRATCH, 0, DSA_WIPE);
  if (st != OK) {
    release(slot);
    return st;
  }
  return handleOf(slot);
}

function dsaParams(slot: i32): Params {
  return paramsOf(<i32>load<u16>(hdr(slot), 2));
}

/** ML-DSA public key of a handle into `out`. */
export function dsaPublic(handle: i32, out: usize): i32 {
  const slot = lookup(handle, T_DSA);
  if (slot < 0) return slot;
  const p = dsaParams(slot);
  memory.copy(out, keys(slot) + <usize>skBytes(p), <usize>pkBytes(p));
  return OK;
}

/** Hedged ML-DSA signature (rnd from the DRBG) over mu with a vault key. */
export function dsaSignMu(handle: i32, mu: usize, sig: usize): i32 {
  const slot = lookup(handle, T_DSA);
  if (slot < 0) return slot;
  let st = drbgGenerate(SEED, 32, 0, 0);
  if (st == OK) st = dsaSign(sig, keys(slot), mu, SEED, dsaParams(slot));
  memory.fill(SEED, 0, 64);
  memory.fill(SCRATCH, 0, DSA_WIPE);
  return st;
}

/** The parameter set of a handle (public), or a status. */
export function levelOf(handle: i32): i32 {
  const slot = lookup(handle, T_EMPTY);
  if (slot < 0) return slot;
  return <i32>load<u16>(hdr(slot), 2);
}

/** Free a handle: wipe its keys; the handle (and any copy of it) is dead. */
export function free(handle: i32): i32 {
  const slot = lookup(handle, T_EMPTY);
  if (slot < 0) return slot;
  release(slot);
  return OK;
}

/** Bytes of a parameter set's public key for the host (ek or pk), 0 if unknown. */
export function publicBytes(handle: i32): i32 {
  const slot = lookup(handle, T_EMPTY);
  if (slot < 0) return 0;
  const level = <i32>load<u16>(hdr(slot), 2);
  const t = load<u8>(hdr(slot));
  if (t == T_SESSION) return 0;
  return t == T_KEM ? ekBytes(rankOf(level)) : pkBytes(paramsOf(level));
}

/** The public key of any vault key pair into `out` (publicBytes(handle) bytes). */
export function publicInto(handle: i32, out: usize): i32 {
  const slot = lookup(handle, T_EMPTY);
  if (slot < 0) return slot;
  const t = load<u8>(hdr(slot));
  if (t == T_SESSION) return ERR_HANDLE_TYPE;
  return t == T_KEM ? kemPublic(handle, out) : dsaPublic(handle, out);
}

// ---- Sessions: AES-256-GCM keys derived from an ML-KEM shared secret ---------
//
// KDF (docs/vault.md): keys = SHAKE256("awre-session-v1" || K || le32(len T)
// || T, 64), where K is the ML-KEM shared secret and T the transcript hash the
// host supplies (the hash of everything the handshake exchanged). The first 32
// bytes key the initiator-to-responder direction, the last 32 the reverse, so
// the two directions never share a (key, nonce) pair. K never leaves the
// enclave; the session is used by handle (gcm_init_session).

/** Derive a session from SS and the transcript into a new slot: its handle, or a status. */
function deriveSession(level: i32, transcript: usize, tLen: usize): i32 {
  const slot = claim(T_SESSION, level);
  if (slot < 0) return ERR_VAULT_FULL;
  keccakInit(KDF_ST);
  let pos = keccakAbsorb(KDF_ST, 136, 0, KDF_DOMAIN, KDF_DOMAIN_BYTES);
  pos = keccakAbsorb(KDF_ST, 136, pos, SS, 32);
  store<u32>(SEED, <u32>tLen);
  pos = keccakAbsorb(KDF_ST, 136, pos, SEED, 4);
  pos = keccakAbsorb(KDF_ST, 136, pos, transcript, tLen);
  keccakFinish(KDF_ST, 136, pos, DS_SHAKE);
  keccakSqueeze(KDF_ST, 136, 0, keys(slot), 64);
  memory.fill(KDF_ST, 0, 208);
  return handleOf(slot);
}

/**
 * Initiator: encapsulate to the peer's ML-KEM key `ek` (m from the DRBG),
 * write the ciphertext, and keep the session. Returns a session handle.
 */
export function kemEncapsSession(level: i32, ek: usize, ct: usize, transcript: usize, tLen: usize): i32 {
  const k = rankOf(level);
  if (k == 0) return ERR_ARG;
  let st = drbgGenerate(SEED, 32, 0, 0);
  if (st == OK) st = encapsInternal(ct, SS, ek, SEED, k);
  memory.fill(SEED, 0, 64);
  return sessionOrStatus(st, level, transcript, tLen);
}

/** Responder: decapsulate `ct` with a vault ML-KEM key and keep the session. */
export function kemDecapsSession(handle: i32, ct: usize, transcript: usize, tLen: usize): i32 {
  const slot = lookup(handle, T_KEM);
  if (slot < 0) return slot;
  const level = <i32>load<u16>(hdr(slot), 2);
  const st = decapsInternal(SS, keys(slot), ct, rankOf(level));
  return sessionOrStatus(st, level, transcript, tLen);
}

/**
 * The one exit of both sides: wipe the KEM scratch, derive the session from
 * SS when the KEM step succeeded (else pass its status on), and wipe SS.
 */
function sessionOrStatus(st: i32, level: i32, transcript: usize, tLen: usize): i32 {
  memory.fill(SCRATCH, 0, KEM_WIPE);
  const h = st == OK ? deriveSession(level, transcript, tLen) : st;
  memory.fill(SS, 0, 32);
  return h;
}

/**
 * Start an AES-256-GCM operation with a session key: direction 0 is
 * initiator-to-responder, 1 the reverse (assembly/aes/gcm.ts takes it from here).
 */
export function gcmInitSession(handle: i32, direction: i32, tagLen: i32, decrypt: i32): i32 {
  const slot = lookup(handle, T_SESSION);
  if (slot < 0) return slot;
  if (direction != 0 && direction != 1) return ERR_ARG;
  return gcmInit(keys(slot) + (<usize>direction << 5), 32, tagLen, decrypt);
}

// ---- Pieces for the PQC1 handshake (assembly/pqc.ts) ----------------------------

/** Encapsulate to `ek` (m from the DRBG) into `ct`, keeping the shared secret in SS. */
export function encapsToSS(level: i32, ek: usize, ct: usize): i32 {
  let st = drbgGenerate(SEED, 32, 0, 0);
  if (st == OK) st = encapsInternal(ct, SS, ek, SEED, rankOf(level));
  memory.fill(SEED, 0, 64);
  memory.fill(SCRATCH, 0, KEM_WIPE);
  if (st != OK) memory.fill(SS, 0, 32);
  return st;
}

/** Decapsulate `ct` with a vault ML-KEM key into SS. */
export function decapsToSS(handle: i32, ct: usize): i32 {
  const slot = lookup(handle, T_KEM);
  if (slot < 0) return slot;
  const st = decapsInternal(SS, keys(slot), ct, rankOf(<i32>load<u16>(hdr(slot), 2)));
  memory.fill(SCRATCH, 0, KEM_WIPE);
  if (st != OK) memory.fill(SS, 0, 32);
  return st;
}

/** The session derived from SS and a transcript (SS is wiped either way). */
export function sessionFromSS(level: i32, transcript: usize, tLen: usize): i32 {
  const h = deriveSession(level, transcript, tLen);
  memory.fill(SS, 0, 32);
  return h;
}

/** Address of a live ML-DSA key pair's sk (tr is sk[64..128]) and pk, or 0. */
export function dsaSkAddr(handle: i32): usize {
  const slot = lookup(handle, T_DSA);
  return slot < 0 ? 0 : keys(slot);
}
export function dsaPkAddr(handle: i32): usize {
  const slot = lookup(handle, T_DSA);
  return slot < 0 ? 0 : keys(slot) + <usize>skBytes(dsaParams(slot));
}
/** Address of a live ML-KEM key pair's ek, or 0. */
export function kemEkAddr(handle: i32): usize {
  const slot = lookup(handle, T_KEM);
  return slot < 0 ? 0 : keys(slot) + <usize>dkBytes(rankOf(<i32>load<u16>(hdr(slot), 2)));
}
