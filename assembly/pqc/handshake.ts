// PQC1 v2's handshake (docs/pqc1.md sections 3-5): INIT, RESP, FIN between
// an initiator and a responder that hold ML-DSA identity keys (vault usage
// U_HANDSHAKE) and know each other's public keys. Forward secrecy comes from
// an ephemeral ML-KEM key pair the initiator generates here and keeps in its
// pending handshake until FIN; key confirmation from confirmR / confirmI.
//
// Every step refuses with a status and changes nothing it was given (a
// pending handshake survives a forged answer); secrets (the ephemeral dk, K,
// HS) live in vault slots or in module buffers wiped at each exit.
import {
  OK, ERR_HANDLE_TYPE, ERR_VAULT_FULL,
  PQC_INVALID, PQC_BUFFER, PQC_VERSION, PQC_POLICY, PQC_REPLAY, PQC_AUTH, PQC_STATE,
} from '../../abi/status';
import { inIO, disjoint, SCRATCH } from '../mem';
import { ctDiffer } from '../ct';
import { drbgGenerate } from '../drbg';
import { rankOf, ekBytes, ctBytes } from '../mlkem/params';
import { keyGenInternal as kemKeyGen, encapsInternal, decapsInternal, ekCheck } from '../mlkem/kem';
import { WIPE as KEM_WIPE } from '../mlkem/scratch';
import { Params, paramsOf, pkBytes, skBytes, sigBytes } from '../mldsa/params';
import * as vault from '../vault';
import { derive, thInit, thAbsorb, thDigest, TH_BYTES } from './kdf';
import { peerDigests, E_ID, E_TR } from './peers';
import { sessionInit, SESSION_BYTES, ROLE_INITIATOR, ROLE_RESPONDER } from './session';

const MAGIC: u32 = 0x31435150; // "PQC1" read little-endian
const VERSION: u8 = 2;
export const T_INIT: u8 = 1;
export const T_RESP: u8 = 2;
export const T_FIN: u8 = 3;
const HEADER: usize = 16;
const INIT_FIXED: usize = 124;
const RESP_FIXED: usize = 88;
const FIN_FIXED: usize = 48;
const CONFIRM: usize = 32;

/** Defaults and bounds (docs/pqc1.md section 2). */
const DEFAULT_MIN_KEM: i32 = 768;
const DEFAULT_MIN_DSA: i32 = 65;
const DEFAULT_MAX_REKEY: u32 = 1 << 24;
const DEFAULT_LIMIT: u64 = <u64>1 << 48;
const MAX_LIMIT: u64 = <u64>1 << 63;
/** Pending responder handshakes kept at once; a new INIT evicts the oldest. */
export const MAX_PENDING: i32 = 8;
/** INITs remembered for the replay check. */
const REPLAY_CACHE: i32 = 64;

// Pending initiator handshake, in its vault slot.
const I_KEM: usize = 0; // u16
const I_DSA: usize = 2; // u16
const I_REKEY: usize = 4; // u32
const I_SKEW: usize = 8; // u32
const I_ID: usize = 12; // i32: the identity key's handle
const I_LIMIT: usize = 16; // u64
const I_TIME: usize = 24; // u64: tI
const I_H1: usize = 32; // H(INIT)
const I_TH: usize = 64; // transcript after INIT (TH_BYTES)
const I_PK: usize = 272; // pkR
const I_DK: usize = 2864; // dkE (secret)
// Pending responder handshake.
const R_KEM: usize = 0;
const R_DSA: usize = 2;
const R_REKEY: usize = 4;
const R_LIMIT: usize = 16;
const R_H2: usize = 32; // h2 = H(INIT || RESP)
const R_TH: usize = 64; // transcript after RESP
const R_HS: usize = 272; // HS (secret)
const R_PK: usize = 304; // pkI

/** "awre-pqc1-v2 responder" and "awre-pqc1-v2 initiator": the FIPS 204 contexts of the two signatures. */
const CTX_RESP: usize = memory.data<u8>([0x61, 0x77, 0x72, 0x65, 0x2d, 0x70, 0x71, 0x63, 0x31, 0x2d, 0x76, 0x32, 0x20, 0x72, 0x65, 0x73, 0x70, 0x6f, 0x6e, 0x64, 0x65, 0x72]);
const CTX_INIT: usize = memory.data<u8>([0x61, 0x77, 0x72, 0x65, 0x2d, 0x70, 0x71, 0x63, 0x31, 0x2d, 0x76, 0x32, 0x20, 0x69, 0x6e, 0x69, 0x74, 0x69, 0x61, 0x74, 0x6f, 0x72]);
const CTX_BYTES: usize = 22;
const L_HANDSHAKE: usize = memory.data<u8>([0x68, 0x61, 0x6e, 0x64, 0x73, 0x68, 0x61, 0x6b, 0x65]); // "handshake"
const L_RCONF: usize = memory.data<u8>([0x72, 0x65, 0x73, 0x70, 0x6f, 0x6e, 0x64, 0x65, 0x72, 0x20, 0x63, 0x6f, 0x6e, 0x66, 0x69, 0x72, 0x6d]); // "responder confirm"
const L_ICONF: usize = memory.data<u8>([0x69, 0x6e, 0x69, 0x74, 0x69, 0x61, 0x74, 0x6f, 0x72, 0x20, 0x63, 0x6f, 0x6e, 0x66, 0x69, 0x72, 0x6d]); // "initiator confirm"

// Working memory. Secret: SEED, SS, HSB, CONF, SESS (wiped at every exit).
const SEED: usize = memory.data(64, 16);
const SS: usize = memory.data(32, 16);
const HSB: usize = memory.data(32, 16);
const CONF: usize = memory.data(32, 16);
const SESS: usize = memory.data(<i32>SESSION_BYTES, 16);
/** A responder's pending handshake, built here and moved into a slot only once RESP is complete. */
const STAGE: usize = memory.data(<i32>(R_PK + 2592), 16);
const T2: usize = memory.data(<i32>TH_BYTES, 16); // a working copy of a transcript
const TH: usize = memory.data(32, 16); // the transcript hash of the moment
const HX: usize = memory.data(32, 16); // h1 of the INIT being answered
const CACHE: usize = memory.data(REPLAY_CACHE * 32, 16);
let cacheNext: i32 = 0;
let cacheCount: i32 = 0;
let lastHandle: i32 = 0;

/** The handle made by the last successful handshake step (0 if none). */
export function lastMade(): i32 { return lastHandle; }

function wipeWork(): void {
  memory.fill(STAGE, 0, R_PK + 2592);
  memory.fill(SEED, 0, 64);
  memory.fill(SS, 0, 32);
  memory.fill(HSB, 0, 32);
  memory.fill(CONF, 0, 32);
  memory.fill(SESS, 0, SESSION_BYTES);
  memory.fill(T2, 0, TH_BYTES);
}

/** The header checks every receiver makes, in docs/pqc1.md's order. */
function checkHeader(m: usize, len: usize, type: u8): i32 {
  if (len < HEADER) return PQC_INVALID;
  if (load<u32>(m) != MAGIC || load<u8>(m, 4) != VERSION) return PQC_VERSION;
  if (load<u8>(m, 5) != type) return PQC_STATE;
  if (load<u16>(m, 10) != 0) return PQC_INVALID;
  if (rankOf(<i32>load<u16>(m, 6)) == 0 || changetype<usize>(paramsOf(<i32>load<u16>(m, 8))) == 0) return PQC_INVALID;
  if (<usize>load<u32>(m, 12) != len) return PQC_INVALID;
  return OK;
}

function writeHeader(out: usize, type: u8, kem: i32, dsa: i32, len: usize): void {
  store<u32>(out, MAGIC);
  store<u8>(out, VERSION, 4);
  store<u8>(out, type, 5);
  store<u16>(out, <u16>kem, 6);
  store<u16>(out, <u16>dsa, 8);
  store<u16>(out, 0, 10);
  store<u32>(out, <u32>len, 12);
}

function skewed(a: u64, b: u64, skew: u32): bool {
  return skew != 0 && (a > b ? a - b : b - a) > <u64>skew;
}

/** id = H(pk) of an identity key in the vault. */
function identityId(slot: i32, p: Params): usize {
  return peerDigests(vault.keys(slot) + <usize>skBytes(p), p) + E_ID;
}

function replaySeen(h: usize): bool {
  for (let i = 0; i < cacheCount; i++) if (ctDiffer(CACHE + <usize>i * 32, h, 32) == 0) return true;
  return false;
}

function replayAdd(h: usize): void {
  memory.copy(CACHE + <usize>cacheNext * 32, h, 32);
  cacheNext = (cacheNext + 1) % REPLAY_CACHE;
  if (cacheCount < REPLAY_CACHE) cacheCount++;
}

/**
 * The pending responder handshake a new one replaces, else -1: the oldest
 * when MAX_PENDING are pending, or when the vault has no free slot (then
 * only one whose slot stays usable once freed, so that the new handshake
 * really gets its slot).
 */
function pendingVictim(): i32 {
  let count = 0;
  let oldest = -1;
  let reusable = -1;
  for (let s = 0; s < vault.VAULT_SLOTS; s++) {
    if (vault.typeOf(s) != vault.T_HS_RESP) continue;
    count++;
    if (oldest < 0 || vault.orderOf(s) < vault.orderOf(oldest)) oldest = s;
    if (!vault.retiresOnFree(s) && (reusable < 0 || vault.orderOf(s) < vault.orderOf(reusable))) reusable = s;
  }
  if (vault.freeSlot() >= 0) return count >= MAX_PENDING ? oldest : -1;
  return reusable;
}

/**
 * Whether the pending handshake in `slot` can become a session: it can when
 * freeing it does not retire it (the session takes the same slot) or another
 * slot is free. Checked before anything changes, so a full vault never costs
 * a pending handshake.
 */
function sessionRoom(slot: i32): bool {
  return !vault.retiresOnFree(slot) || vault.freeSlot() >= 0;
}

/** Turn the pending handshake in `slot` into the session prepared in SESS: its handle (sessionRoom held). */
function becomeSession(slot: i32, kem: i32): i32 {
  vault.release(slot); // the handshake handle dies here
  const s = vault.freeSlot();
  if (s < 0) return ERR_VAULT_FULL; // unreachable after sessionRoom
  memory.copy(vault.keys(s), SESS, SESSION_BYTES);
  return vault.commit(s, vault.T_SESSION, kem, 0);
}

/** A pending handshake of `want`'s type, or the status for the handle. */
function pendingSlot(handle: i32, want: u8): i32 {
  const slot = vault.lookup(handle, vault.T_ANY);
  if (slot < 0) return slot;
  const t = vault.typeOf(slot);
  if (t == want) return slot;
  return t == vault.T_HS_INIT || t == vault.T_HS_RESP || t == vault.T_SESSION ? PQC_STATE : ERR_HANDLE_TYPE;
}

/**
 * I: start a handshake. req = KEM level u16 | DSA level u16 | identity handle
 * i32 | time u64 | rekey u32 | max skew ms u32 | frame limit u64 | pkR. Writes
 * INIT (124 + ek bytes) at `out`; returns its length or a status.
 */
export function start(req: usize, reqLen: usize, out: usize, outLen: usize): i32 {
  if (reqLen < 32 || !inIO(req, reqLen)) return PQC_INVALID;
  const kem = <i32>load<u16>(req);
  const dsa = <i32>load<u16>(req, 2);
  const k = rankOf(kem);
  const p = paramsOf(dsa);
  if (k == 0 || changetype<usize>(p) == 0) return PQC_INVALID;
  const pkLen = <usize>pkBytes(p);
  if (reqLen != 32 + pkLen) return PQC_INVALID;
  const rekey = load<u32>(req, 16);
  let limit = load<u64>(req, 24);
  if (limit == 0) limit = DEFAULT_LIMIT;
  if (rekey == 0 || limit > MAX_LIMIT) return PQC_INVALID;
  const id = vault.dsaSlotFor(load<i32>(req, 4), vault.U_HANDSHAKE);
  if (id < 0) return id;
  if (vault.levelOfSlot(id) != dsa) return PQC_INVALID;
  const total = INIT_FIXED + <usize>ekBytes(k);
  if (outLen < total) return PQC_BUFFER;
  if (!inIO(out, total) || !disjoint(req, reqLen, out, total)) return PQC_INVALID;
  const slot = vault.freeSlot();
  if (slot < 0) return ERR_VAULT_FULL;
  const st = vault.keys(slot);
  let r = drbgGenerate(out + 80, 32, 0, 0); // nI
  if (r == OK) r = drbgGenerate(SEED, 64, 0, 0); // d || z
  if (r == OK) r = kemKeyGen(out + INIT_FIXED, st + I_DK, SEED, k);
  memory.fill(SCRATCH, 0, KEM_WIPE);
  if (r != OK) {
    wipeWork();
    memory.fill(st, 0, vault.SLOT_BYTES);
    memory.fill(out, 0, total);
    return r;
  }
  writeHeader(out, T_INIT, kem, dsa, total);
  memory.copy(out + 16, identityId(id, p), 32);
  memory.copy(out + 48, peerDigests(req + 32, p) + E_ID, 32);
  store<u64>(out, load<u64>(req, 8), 112);
  store<u32>(out, rekey, 120);
  store<u16>(st, <u16>kem, I_KEM);
  store<u16>(st, <u16>dsa, I_DSA);
  store<u32>(st, rekey, I_REKEY);
  store<u32>(st, load<u32>(req, 20), I_SKEW);
  store<i32>(st, load<i32>(req, 4), I_ID);
  store<u64>(st, limit, I_LIMIT);
  store<u64>(st, load<u64>(req, 8), I_TIME);
  memory.copy(st + I_PK, req + 32, pkLen);
  thInit(st + I_TH);
  thAbsorb(st + I_TH, out, total);
  thDigest(st + I_TH, st + I_H1); // h1 = H(INIT): the transcript so far
  wipeWork();
  lastHandle = vault.commit(slot, vault.T_HS_INIT, kem, 0);
  return <i32>total;
}

/**
 * R: answer an INIT. req = min KEM level u16 | min DSA level u16 | identity
 * handle i32 | time u64 | max rekey u32 | max skew ms u32 | frame limit u64 |
 * INIT length u32 | INIT | pkI. Writes RESP; returns its length or a status.
 */
export function respond(req: usize, reqLen: usize, out: usize, outLen: usize): i32 {
  if (reqLen < 36 || !inIO(req, reqLen)) return PQC_INVALID;
  const m = req + 36;
  const mLen = <usize>load<u32>(req, 32);
  if (mLen > reqLen - 36) return PQC_INVALID;
  const h = checkHeader(m, mLen, T_INIT);
  if (h != OK) return h;
  const kem = <i32>load<u16>(m, 6);
  const dsa = <i32>load<u16>(m, 8);
  const k = rankOf(kem);
  const p = paramsOf(dsa);
  const pkLen = <usize>pkBytes(p);
  if (mLen != INIT_FIXED + <usize>ekBytes(k) || reqLen != 36 + mLen + pkLen) return PQC_INVALID;
  let limit = load<u64>(req, 24);
  if (limit == 0) limit = DEFAULT_LIMIT;
  if (limit > MAX_LIMIT) return PQC_INVALID;
  const id = vault.dsaSlotFor(load<i32>(req, 4), vault.U_HANDSHAKE);
  if (id < 0) return id;
  let minKem = <i32>load<u16>(req);
  let minDsa = <i32>load<u16>(req, 2);
  let maxRekey = load<u32>(req, 16);
  if (minKem == 0) minKem = DEFAULT_MIN_KEM;
  if (minDsa == 0) minDsa = DEFAULT_MIN_DSA;
  if (maxRekey == 0) maxRekey = DEFAULT_MAX_REKEY;
  const rekey = load<u32>(m, 120);
  if (kem < minKem || dsa < minDsa || dsa != vault.levelOfSlot(id) || rekey == 0 || rekey > maxRekey) return PQC_POLICY;
  if (ctDiffer(identityId(id, p), m + 48, 32) != 0) return PQC_AUTH;
  const pkI = m + mLen;
  if (ctDiffer(peerDigests(pkI, p) + E_ID, m + 16, 32) != 0) return PQC_AUTH;
  if (skewed(load<u64>(req, 8), load<u64>(m, 112), load<u32>(req, 20))) return PQC_POLICY;
  thInit(T2);
  thAbsorb(T2, m, mLen);
  thDigest(T2, HX); // h1 = H(INIT): the transcript so far
  if (replaySeen(HX)) return PQC_REPLAY;
  if (ekCheck(m + INIT_FIXED, k) != OK) return PQC_INVALID;
  const ct = <usize>ctBytes(k);
  const sig = <usize>sigBytes(p);
  const total = RESP_FIXED + ct + sig + CONFIRM;
  if (outLen < total) return PQC_BUFFER;
  if (!inIO(out, total) || !disjoint(req, reqLen, out, total)) return PQC_INVALID;
  // Room for the new pending handshake: a free slot, or the oldest pending one once RESP is made.
  if (vault.freeSlot() < 0 && pendingVictim() < 0) return ERR_VAULT_FULL;
  const st = STAGE;
  let r = drbgGenerate(out + 48, 32, 0, 0); // nR
  if (r == OK) r = drbgGenerate(SEED, 32, 0, 0); // the encapsulation's m
  if (r == OK) r = encapsInternal(out + RESP_FIXED, SS, m + INIT_FIXED, SEED, k);
  memory.fill(SCRATCH, 0, KEM_WIPE);
  if (r == OK) {
    writeHeader(out, T_RESP, kem, dsa, total);
    memory.copy(out + 16, HX, 32);
    store<u64>(out, load<u64>(req, 8), 80);
    thAbsorb(T2, out, RESP_FIXED + ct);
    thDigest(T2, TH); // TH2
    derive(SS, L_HANDSHAKE, 9, TH, 32, st + R_HS, 32);
    memory.fill(SS, 0, 32);
    r = vault.signWithContext(id, CTX_RESP, CTX_BYTES, TH, 32, out + RESP_FIXED + ct);
  }
  if (r != OK) {
    wipeWork();
    memory.fill(out, 0, total);
    return r;
  }
  thAbsorb(T2, out + RESP_FIXED + ct, sig);
  thDigest(T2, TH); // TH2s
  derive(st + R_HS, L_RCONF, 17, TH, 32, out + RESP_FIXED + ct + sig, 32);
  thAbsorb(T2, out + RESP_FIXED + ct + sig, CONFIRM);
  memory.copy(st + R_TH, T2, TH_BYTES);
  thDigest(T2, st + R_H2); // h2 = H(INIT || RESP)
  store<u16>(st, <u16>kem, R_KEM);
  store<u16>(st, <u16>dsa, R_DSA);
  store<u32>(st, rekey, R_REKEY);
  store<u64>(st, limit, R_LIMIT);
  memory.copy(st + R_PK, pkI, pkLen);
  // RESP is complete: only now may an older pending handshake make room.
  const victim = pendingVictim();
  if (victim >= 0) vault.release(victim);
  const slot = vault.freeSlot();
  if (slot < 0) { // unreachable: checked above
    wipeWork();
    memory.fill(out, 0, total);
    return ERR_VAULT_FULL;
  }
  memory.copy(vault.keys(slot), STAGE, R_PK + pkLen);
  replayAdd(HX);
  wipeWork();
  lastHandle = vault.commit(slot, vault.T_HS_RESP, kem, 0);
  return <i32>total;
}

/**
 * I: check RESP and write FIN. req = handshake handle i32 | RESP. Returns
 * FIN's length; the session handle is lastMade(). A refused RESP leaves the
 * pending handshake as it was.
 */
export function finish(req: usize, reqLen: usize, out: usize, outLen: usize): i32 {
  if (reqLen < 4 || !inIO(req, reqLen)) return PQC_INVALID;
  const slot = pendingSlot(load<i32>(req), vault.T_HS_INIT);
  if (slot < 0) return slot;
  const st = vault.keys(slot);
  const m = req + 4;
  const mLen = reqLen - 4;
  const h = checkHeader(m, mLen, T_RESP);
  if (h != OK) return h;
  const kem = <i32>load<u16>(st, I_KEM);
  const dsa = <i32>load<u16>(st, I_DSA);
  if (<i32>load<u16>(m, 6) != kem || <i32>load<u16>(m, 8) != dsa) return PQC_INVALID;
  const k = rankOf(kem);
  const p = paramsOf(dsa);
  const ct = <usize>ctBytes(k);
  const sig = <usize>sigBytes(p);
  if (mLen != RESP_FIXED + ct + sig + CONFIRM) return PQC_INVALID;
  if (ctDiffer(m + 16, st + I_H1, 32) != 0) return PQC_STATE;
  if (skewed(load<u64>(st, I_TIME), load<u64>(m, 80), load<u32>(st, I_SKEW))) return PQC_POLICY;
  const id = vault.dsaSlotFor(load<i32>(st, I_ID), vault.U_HANDSHAKE);
  if (id < 0) return id;
  if (!sessionRoom(slot)) return ERR_VAULT_FULL;
  const total = FIN_FIXED + sig + CONFIRM;
  if (outLen < total) return PQC_BUFFER;
  if (!inIO(out, total) || !disjoint(req, reqLen, out, total)) return PQC_INVALID;
  memory.copy(T2, st + I_TH, TH_BYTES);
  thAbsorb(T2, m, RESP_FIXED + ct);
  thDigest(T2, TH); // TH2
  if (vault.verifyWithContext(st + I_PK, peerDigests(st + I_PK, p) + E_TR, p, CTX_RESP, CTX_BYTES, TH, 32, m + RESP_FIXED + ct) != 1) {
    wipeWork();
    return PQC_AUTH;
  }
  decapsInternal(SS, st + I_DK, m + RESP_FIXED, k);
  memory.fill(SCRATCH, 0, KEM_WIPE);
  derive(SS, L_HANDSHAKE, 9, TH, 32, HSB, 32);
  memory.fill(SS, 0, 32);
  thAbsorb(T2, m + RESP_FIXED + ct, sig);
  thDigest(T2, TH); // TH2s
  derive(HSB, L_RCONF, 17, TH, 32, CONF, 32);
  if (ctDiffer(CONF, m + RESP_FIXED + ct + sig, 32) != 0) {
    wipeWork();
    return PQC_AUTH;
  }
  thAbsorb(T2, m + RESP_FIXED + ct + sig, CONFIRM);
  writeHeader(out, T_FIN, kem, dsa, total);
  thDigest(T2, out + 16); // h2 = H(INIT || RESP)
  thAbsorb(T2, out, FIN_FIXED);
  thDigest(T2, TH); // TH3
  const r = vault.signWithContext(id, CTX_INIT, CTX_BYTES, TH, 32, out + FIN_FIXED);
  if (r != OK) {
    wipeWork();
    memory.fill(out, 0, total);
    return r;
  }
  thAbsorb(T2, out + FIN_FIXED, sig);
  thDigest(T2, TH); // TH3s
  derive(HSB, L_ICONF, 17, TH, 32, out + FIN_FIXED + sig, 32);
  thAbsorb(T2, out + FIN_FIXED + sig, CONFIRM);
  thDigest(T2, TH); // TH: the session id
  sessionInit(SESS, ROLE_INITIATOR, HSB, TH, load<u32>(st, I_REKEY), load<u64>(st, I_LIMIT));
  const handle = becomeSession(slot, kem);
  wipeWork();
  if (handle < 0) {
    memory.fill(out, 0, total);
    return handle;
  }
  lastHandle = handle;
  return <i32>total;
}

/**
 * R: check FIN. req = handshake handle i32 | FIN. Returns the session handle,
 * or a status (the pending handshake is kept on a refusal).
 */
export function complete(req: usize, reqLen: usize): i32 {
  if (reqLen < 4 || !inIO(req, reqLen)) return PQC_INVALID;
  const slot = pendingSlot(load<i32>(req), vault.T_HS_RESP);
  if (slot < 0) return slot;
  const st = vault.keys(slot);
  const m = req + 4;
  const mLen = reqLen - 4;
  const h = checkHeader(m, mLen, T_FIN);
  if (h != OK) return h;
  const kem = <i32>load<u16>(st, R_KEM);
  const dsa = <i32>load<u16>(st, R_DSA);
  if (<i32>load<u16>(m, 6) != kem || <i32>load<u16>(m, 8) != dsa) return PQC_INVALID;
  const p = paramsOf(dsa);
  const sig = <usize>sigBytes(p);
  if (mLen != FIN_FIXED + sig + CONFIRM) return PQC_INVALID;
  if (ctDiffer(m + 16, st + R_H2, 32) != 0) return PQC_STATE;
  if (!sessionRoom(slot)) return ERR_VAULT_FULL;
  memory.copy(T2, st + R_TH, TH_BYTES);
  thAbsorb(T2, m, FIN_FIXED);
  thDigest(T2, TH); // TH3
  if (vault.verifyWithContext(st + R_PK, peerDigests(st + R_PK, p) + E_TR, p, CTX_INIT, CTX_BYTES, TH, 32, m + FIN_FIXED) != 1) {
    wipeWork();
    return PQC_AUTH;
  }
  thAbsorb(T2, m + FIN_FIXED, sig);
  thDigest(T2, TH); // TH3s
  derive(st + R_HS, L_ICONF, 17, TH, 32, CONF, 32);
  if (ctDiffer(CONF, m + FIN_FIXED + sig, 32) != 0) {
    wipeWork();
    return PQC_AUTH;
  }
  thAbsorb(T2, m + FIN_FIXED + sig, CONFIRM);
  thDigest(T2, TH);
  sessionInit(SESS, ROLE_RESPONDER, st + R_HS, TH, load<u32>(st, R_REKEY), load<u64>(st, R_LIMIT));
  const handle = becomeSession(slot, kem);
  wipeWork();
  if (handle < 0) return handle;
  lastHandle = handle;
  return handle;
}
