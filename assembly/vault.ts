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
import { keyGenInternal as kemKeyGen } from './mlkem/kem';
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

/** Per slot, 8 bytes: type u8 @0, level u16 @2, generation u16 @4. */
const HDR: usize = memory.data(VAULT_SLOTS * 8, 16);
/** Key material, SLOT_BYTES per slot (secret: wiped on free). */
const KEYS: usize = memory.data(<i32>(VAULT_SLOTS * <i32>SLOT_BYTES), 64);
/** DRBG output on its way into a key generation or a signature (wiped after use). */
const SEED: usize = memory.data(64, 16);

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
  return load<u8>(hdr(slot)) == T_KEM ? ekBytes(rankOf(level)) : pkBytes(paramsOf(level));
}

/** The public key of any vault key pair into `out` (publicBytes(handle) bytes). */
export function publicInto(handle: i32, out: usize): i32 {
  const slot = lookup(handle, T_EMPTY);
  if (slot < 0) return slot;
  return load<u8>(hdr(slot)) == T_KEM ? kemPublic(handle, out) : dsaPublic(handle, out);
}
