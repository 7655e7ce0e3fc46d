// The vault: key pairs generated inside the enclave from the enclave DRBG and
// addressed by opaque handles; no vault export ever returns secret bytes.
//
// A handle is TAG | generation << 5 | slot (bit 30 set, bit 31 clear: a
// positive i32, so that every status stays negative). A slot records its type
// (ML-KEM or ML-DSA key pair, pending handshake, session), its usage, its
// parameter set and a 25-bit generation that advances when the slot is freed:
// a freed or stale handle no longer matches, a forged one fails the tag,
// range or generation check, and a handle of the wrong type is refused with
// its own status. A slot whose generation would wrap is retired for the
// instance's lifetime instead, so a handle can never come back to name a new
// key (issue 13, point 4). Slots are claimed only once their key generation
// succeeded: a failed keygen leaves every generation as it was. Freeing wipes
// the slot's key material.
//
// ML-DSA key pairs carry a usage fixed at generation, each with its own FIPS
// 204 context so that no signature of one use is valid in another:
//   U_HANDSHAKE  only PQC1 v2 (assembly/pqc.ts) signs with it, under
//                "awre-pqc1-v2 initiator" / "awre-pqc1-v2 responder";
//   U_ATTEST     only vault_attest_sign, over a message, under "awre-attest-v1";
//   U_GENERAL    only vault_dsa_sign, over a host-computed mu (external mu);
//   U_IDENTITY   only vault_identity_sign, over a message, under
//                "awre-identity-v1": a node's long-lived identity, which
//                certifies each run's attestation key (docs/trust.md). It is
//                the one usage that may leave the enclave, and only sealed
//                (vault_seal / vault_unseal below).
import { OK, ERR_ARG, ERR_AUTH, ERR_HANDLE, ERR_HANDLE_TYPE, ERR_VAULT_FULL, ERR_USAGE } from '../abi/status';
import { gcmInit, gcmIv, gcmAad, gcmCrypt, gcmAuth, gcmFinish, gcmEnd } from './aes/gcm';
import { drbgGenerate } from './drbg';
import { keyGenInternal as kemKeyGen } from './mlkem/kem';
import { keccakAbsorb, keccakFinish, keccakInit, keccakSqueeze, DS_SHAKE } from './keccak';
import { rankOf, ekBytes, dkBytes } from './mlkem/params';
import { keyGenInternal as dsaKeyGen, signInternal as dsaSign, verifyInternal as dsaVerify } from './mldsa/dsa';
import { Params, paramsOf, pkBytes, skBytes } from './mldsa/params';
import { SCRATCH } from './mem';
import { WIPE as KEM_WIPE } from './mlkem/scratch';
import { WIPE as DSA_WIPE } from './mldsa/scratch';

export const VAULT_SLOTS: i32 = 32;
/** Key material per slot: the largest is ML-DSA-87, sk 4896 + pk 2592 bytes. */
export const SLOT_BYTES: usize = 7552;
const TAG: u32 = 0x40000000;
const SLOT_MASK: u32 = 31;
const GEN_SHIFT: u32 = 5;
/** The largest generation (25 bits); a slot freed at it is retired. */
export const GEN_MAX: u32 = (1 << 25) - 1;
export const T_EMPTY: u8 = 0;
export const T_KEM: u8 = 1;
export const T_DSA: u8 = 2;
export const T_SESSION: u8 = 3;
export const T_HS_INIT: u8 = 4;
export const T_HS_RESP: u8 = 5;
export const T_RETIRED: u8 = 0xff;
/** lookup(): any live type. */
export const T_ANY: u8 = 0;

export const U_HANDSHAKE: u8 = 1;
export const U_ATTEST: u8 = 2;
export const U_GENERAL: u8 = 3;
export const U_IDENTITY: u8 = 4;

/** Per slot, 16 bytes: type u8 @0, usage u8 @1, level u16 @2, generation u32 @4, order u64 @8. */
const HDR: usize = memory.data(VAULT_SLOTS * 16, 16);
/** Key material, SLOT_BYTES per slot (secret: wiped on free). */
const KEYS: usize = memory.data(<i32>(VAULT_SLOTS * <i32>SLOT_BYTES), 64);
/** DRBG output on its way into a key generation or a signature (wiped after use). */
const SEED: usize = memory.data(64, 16);
/** mu and the sponge that makes it (wiped after use). */
const MU: usize = memory.data(64, 16);
const MU_ST: usize = memory.data(208, 16);
const ZERO_CTX: usize = memory.data(2, 16);
/** "awre-attest-v1": the attestation key's FIPS 204 context. */
const CTX_ATTEST: usize = memory.data<u8>([0x61, 0x77, 0x72, 0x65, 0x2d, 0x61, 0x74, 0x74, 0x65, 0x73, 0x74, 0x2d, 0x76, 0x31]);
const CTX_ATTEST_BYTES: usize = 14;
/** "awre-identity-v1": the node identity's FIPS 204 context. */
const CTX_IDENTITY: usize = memory.data<u8>([0x61, 0x77, 0x72, 0x65, 0x2d, 0x69, 0x64, 0x65, 0x6e, 0x74, 0x69, 0x74, 0x79, 0x2d, 0x76, 0x31]);
const CTX_IDENTITY_BYTES: usize = 16;
/** "awre-seal-v1" || 0x00: the sealing key's derivation prefix. */
const SEAL_LABEL: usize = memory.data<u8>([0x61, 0x77, 0x72, 0x65, 0x2d, 0x73, 0x65, 0x61, 0x6c, 0x2d, 0x76, 0x31, 0x00]);
const SEAL_LABEL_BYTES: usize = 13;
/** "AWSL": a sealed key's magic, read little-endian. */
const SEAL_MAGIC: u32 = 0x4c535741;
/** Sealed key header: magic u32 | version u8 (1) | usage u8 | level u16 | nonce (12). */
export const SEAL_HEADER: usize = 20;
const SEAL_TAG: usize = 16;
/** The sealing key (secret: wiped after every use). */
const SEAL_KEY: usize = memory.data(32, 16);
/** Claim order, for evicting the oldest pending handshake. */
let order: u64 = 0;

// @ts-ignore: decorator
@inline function hdr(slot: i32): usize { return HDR + (<usize>slot << 4); }
// @ts-ignore: decorator
@inline export function keys(slot: i32): usize { return KEYS + <usize>slot * SLOT_BYTES; }

export function typeOf(slot: i32): u8 { return load<u8>(hdr(slot)); }
export function usageOf(slot: i32): u8 { return load<u8>(hdr(slot), 1); }
export function levelOfSlot(slot: i32): i32 { return <i32>load<u16>(hdr(slot), 2); }
export function orderOf(slot: i32): u64 { return load<u64>(hdr(slot), 8); }
/** Whether freeing this slot retires it (its generation is the last). */
export function retiresOnFree(slot: i32): bool { return load<u32>(hdr(slot), 4) >= GEN_MAX; }

function handleOf(slot: i32): i32 {
  return <i32>(TAG | (load<u32>(hdr(slot), 4) << GEN_SHIFT) | <u32>slot);
}

/** The slot a handle names, or ERR_HANDLE / ERR_HANDLE_TYPE (type T_ANY: any live slot). */
export function lookup(handle: i32, type: u8): i32 {
  const h = <u32>handle;
  if ((h & 0xc0000000) != TAG) return ERR_HANDLE;
  const slot = <i32>(h & SLOT_MASK);
  const t = load<u8>(hdr(slot));
  if (t == T_EMPTY || t == T_RETIRED || load<u32>(hdr(slot), 4) != ((h >>> GEN_SHIFT) & GEN_MAX)) return ERR_HANDLE;
  if (type != T_ANY && t != type) return ERR_HANDLE_TYPE;
  return slot;
}

/** A free slot (not yet claimed: commit() claims it), or -1. */
export function freeSlot(): i32 {
  for (let s = 0; s < VAULT_SLOTS; s++) if (load<u8>(hdr(s)) == T_EMPTY) return s;
  return -1;
}

/** Claim a free slot whose key material is in place: its handle. */
export function commit(slot: i32, type: u8, level: i32, usage: u8): i32 {
  store<u8>(hdr(slot), type);
  store<u8>(hdr(slot), usage, 1);
  store<u16>(hdr(slot), <u16>level, 2);
  store<u64>(hdr(slot), ++order, 8);
  return handleOf(slot);
}

/** Wipe a slot's keys, mark it empty and advance its generation (or retire it at GEN_MAX). */
export function release(slot: i32): void {
  memory.fill(keys(slot), 0, SLOT_BYTES);
  const gen = load<u32>(hdr(slot), 4);
  store<u64>(hdr(slot), 0, 8);
  store<u16>(hdr(slot), 0, 2);
  store<u8>(hdr(slot), 0, 1);
  if (gen >= GEN_MAX) {
    store<u8>(hdr(slot), T_RETIRED);
  } else {
    store<u32>(hdr(slot), gen + 1, 4);
    store<u8>(hdr(slot), T_EMPTY);
  }
}

/** Test builds only (assembly/index.test.ts): move a free slot's generation, to test retirement. */
export function setGenerationForTest(slot: i32, gen: u32): i32 {
  if (slot < 0 || slot >= VAULT_SLOTS || load<u8>(hdr(slot)) != T_EMPTY || gen > GEN_MAX) return ERR_ARG;
  store<u32>(hdr(slot), gen, 4);
  return OK;
}

/** An ML-KEM key pair (level 512/768/1024) from the DRBG: its handle, or a status. */
export function kemKeygen(level: i32): i32 {
  const k = rankOf(level);
  if (k == 0) return ERR_ARG;
  const slot = freeSlot();
  if (slot < 0) return ERR_VAULT_FULL;
  let st = drbgGenerate(SEED, 64, 0, 0); // d || z
  if (st == OK) st = kemKeyGen(keys(slot) + <usize>dkBytes(k), keys(slot), SEED, k);
  memory.fill(SEED, 0, 64);
  memory.fill(SCRATCH, 0, KEM_WIPE);
  if (st != OK) {
    memory.fill(keys(slot), 0, SLOT_BYTES); // nothing claimed: the generation stays
    return st;
  }
  return commit(slot, T_KEM, level, U_GENERAL);
}

/** ML-KEM encapsulation key of a handle into `out` (public). */
export function kemPublic(handle: i32, out: usize): i32 {
  const slot = lookup(handle, T_KEM);
  if (slot < 0) return slot;
  const k = rankOf(levelOfSlot(slot));
  memory.copy(out, keys(slot) + <usize>dkBytes(k), <usize>ekBytes(k));
  return OK;
}

/** An ML-DSA key pair (level 44/65/87) with a usage (U_HANDSHAKE, U_ATTEST, U_GENERAL) from the DRBG: its handle, or a status. */
export function dsaKeygen(level: i32, usage: i32): i32 {
  const p = paramsOf(level);
  if (changetype<usize>(p) == 0) return ERR_ARG;
  if (usage != U_HANDSHAKE && usage != U_ATTEST && usage != U_GENERAL && usage != U_IDENTITY) return ERR_ARG;
  const slot = freeSlot();
  if (slot < 0) return ERR_VAULT_FULL;
  let st = drbgGenerate(SEED, 32, 0, 0); // xi
  if (st == OK) st = dsaKeyGen(keys(slot) + <usize>skBytes(p), keys(slot), SEED, p);
  memory.fill(SEED, 0, 64);
  memory.fill(SCRATCH, 0, DSA_WIPE);
  if (st != OK) {
    memory.fill(keys(slot), 0, SLOT_BYTES);
    return st;
  }
  return commit(slot, T_DSA, level, <u8>usage);
}

export function dsaParams(slot: i32): Params {
  return paramsOf(levelOfSlot(slot));
}

/** ML-DSA public key of a handle into `out`. */
export function dsaPublic(handle: i32, out: usize): i32 {
  const slot = lookup(handle, T_DSA);
  if (slot < 0) return slot;
  const p = dsaParams(slot);
  memory.copy(out, keys(slot) + <usize>skBytes(p), <usize>pkBytes(p));
  return OK;
}

/** A live ML-DSA key of exactly this usage: its slot, or ERR_HANDLE / ERR_HANDLE_TYPE / ERR_USAGE. */
export function dsaSlotFor(handle: i32, usage: u8): i32 {
  const slot = lookup(handle, T_DSA);
  if (slot < 0) return slot;
  return usageOf(slot) == usage ? slot : ERR_USAGE;
}

/** Hedged ML-DSA signature (rnd from the DRBG) over a host-computed mu: general-use keys only. */
export function dsaSignMu(handle: i32, mu: usize, sig: usize): i32 {
  const slot = dsaSlotFor(handle, U_GENERAL);
  if (slot < 0) return slot;
  return signMu(slot, mu, sig);
}

/**
 * FIPS 204 Algorithm 2 (ML-DSA.Sign, pure, hedged) inside the vault:
 * mu = SHAKE256(tr || 0x00 || u8(|ctx|) || ctx || M, 64) with tr = sk[64 .. 128),
 * then Sign_internal with rnd from the DRBG. The slot's usage has been checked.
 */
export function signWithContext(slot: i32, ctx: usize, ctxLen: usize, msg: usize, msgLen: usize, sig: usize): i32 {
  store<u8>(ZERO_CTX, 0);
  store<u8>(ZERO_CTX, <u8>ctxLen, 1);
  keccakInit(MU_ST);
  let pos = keccakAbsorb(MU_ST, 136, 0, keys(slot) + 64, 64);
  pos = keccakAbsorb(MU_ST, 136, pos, ZERO_CTX, 2);
  pos = keccakAbsorb(MU_ST, 136, pos, ctx, ctxLen);
  pos = keccakAbsorb(MU_ST, 136, pos, msg, msgLen);
  keccakFinish(MU_ST, 136, pos, DS_SHAKE);
  keccakSqueeze(MU_ST, 136, 0, MU, 64);
  memory.fill(MU_ST, 0, 208);
  const st = signMu(slot, MU, sig);
  memory.fill(MU, 0, 64);
  return st;
}

/**
 * FIPS 204 Algorithm 3 (ML-DSA.Verify, pure) of `sig` over M with a context:
 * 1 valid, 0 not. `tr` = SHAKE256(pk, 64), which the caller keeps per key
 * (assembly/pqc/peers.ts) rather than hashing pk again for every signature.
 */
export function verifyWithContext(pk: usize, tr: usize, p: Params, ctx: usize, ctxLen: usize, msg: usize, msgLen: usize, sig: usize): i32 {
  store<u8>(ZERO_CTX, 0);
  store<u8>(ZERO_CTX, <u8>ctxLen, 1);
  keccakInit(MU_ST);
  let pos = keccakAbsorb(MU_ST, 136, 0, tr, 64);
  pos = keccakAbsorb(MU_ST, 136, pos, ZERO_CTX, 2);
  pos = keccakAbsorb(MU_ST, 136, pos, ctx, ctxLen);
  pos = keccakAbsorb(MU_ST, 136, pos, msg, msgLen);
  keccakFinish(MU_ST, 136, pos, DS_SHAKE);
  keccakSqueeze(MU_ST, 136, 0, MU, 64);
  const ok = dsaVerify(pk, MU, sig, p);
  memory.fill(SCRATCH, 0, DSA_WIPE);
  return ok == 1 ? 1 : 0;
}

/** The attestation signature: pure ML-DSA with the context "awre-attest-v1" over M (attestation keys only). */
export function attestSign(handle: i32, msg: usize, msgLen: usize, sig: usize): i32 {
  const slot = dsaSlotFor(handle, U_ATTEST);
  if (slot < 0) return slot;
  return signWithContext(slot, CTX_ATTEST, CTX_ATTEST_BYTES, msg, msgLen, sig);
}

/** The identity signature: pure ML-DSA with the context "awre-identity-v1" over M (identity keys only). */
export function identitySign(handle: i32, msg: usize, msgLen: usize, sig: usize): i32 {
  const slot = dsaSlotFor(handle, U_IDENTITY);
  if (slot < 0) return slot;
  return signWithContext(slot, CTX_IDENTITY, CTX_IDENTITY_BYTES, msg, msgLen, sig);
}

/** Bytes of a sealed key of ML-DSA level `level`: header, sk || pk, tag (0 for an unknown level). */
export function sealedBytes(level: i32): usize {
  const p = paramsOf(level);
  if (changetype<usize>(p) == 0) return 0;
  return SEAL_HEADER + <usize>skBytes(p) + <usize>pkBytes(p) + SEAL_TAG;
}

/**
 * Start the seal's AES-256-GCM (encrypt or decrypt) on the sealed key at
 * `blob`: K_seal = SHAKE256("awre-seal-v1" || 0x00 || platform secret (32) ||
 * measurement (32), 32), wiped once the cipher is keyed; nonce = blob[8, 20);
 * aad = the 20-byte header || the host's state bytes.
 */
function sealGcm(decrypt: i32, secret: usize, blob: usize, aad: usize, aadLen: usize): void {
  keccakInit(MU_ST);
  let pos = keccakAbsorb(MU_ST, 136, 0, SEAL_LABEL, SEAL_LABEL_BYTES);
  pos = keccakAbsorb(MU_ST, 136, pos, secret, 64);
  keccakFinish(MU_ST, 136, pos, DS_SHAKE);
  keccakSqueeze(MU_ST, 136, 0, SEAL_KEY, 32);
  memory.fill(MU_ST, 0, 208);
  gcmInit(SEAL_KEY, 32, 16, decrypt);
  memory.fill(SEAL_KEY, 0, 32);
  gcmIv(blob + 8, 12);
  gcmAad(blob, SEAL_HEADER);
  gcmAad(aad, aadLen);
}

/**
 * Seal an identity key for storage outside the enclave (docs/trust.md,
 * "Sealing"): AES-256-GCM under K_seal with a 12-byte nonce from the DRBG,
 * over sk || pk, with aad = the 20-byte header || the host's state bytes
 * (which the seal then authenticates). `secret` is 64 bytes: the platform
 * secret, then the module's measurement. Writes sealedBytes(level) at `out`;
 * returns that length or a status. Only identity keys can be sealed.
 */
export function seal(handle: i32, secret: usize, aad: usize, aadLen: usize, out: usize): i32 {
  const slot = dsaSlotFor(handle, U_IDENTITY);
  if (slot < 0) return slot;
  const level = levelOfSlot(slot);
  const p = paramsOf(level);
  const body = <usize>skBytes(p) + <usize>pkBytes(p);
  store<u32>(out, SEAL_MAGIC);
  store<u8>(out, 1, 4);
  store<u8>(out, U_IDENTITY, 5);
  store<u16>(out, <u16>level, 6);
  const st = drbgGenerate(out + 8, 12, 0, 0);
  if (st != OK) {
    memory.fill(out, 0, SEAL_HEADER);
    return st;
  }
  sealGcm(0, secret, out, aad, aadLen);
  gcmCrypt(keys(slot), out + SEAL_HEADER, body, 0);
  gcmFinish(out + SEAL_HEADER + body);
  return <i32>(SEAL_HEADER + body + SEAL_TAG);
}

/**
 * Unseal a key sealed by seal() under the same platform secret, measurement
 * and state bytes into a new vault slot: its handle, or ERR_ARG (not a
 * sealed key of this version, usage or a known level, or a wrong length),
 * ERR_AUTH (another secret, another measurement, other state bytes, or any
 * byte changed: nothing is kept), ERR_VAULT_FULL.
 */
export function unseal(secret: usize, aad: usize, aadLen: usize, blob: usize, blobLen: usize): i32 {
  if (blobLen < SEAL_HEADER + SEAL_TAG || load<u32>(blob) != SEAL_MAGIC || load<u8>(blob, 4) != 1 || load<u8>(blob, 5) != U_IDENTITY) return ERR_ARG;
  const level = <i32>load<u16>(blob, 6);
  if (sealedBytes(level) == 0 || blobLen != sealedBytes(level)) return ERR_ARG;
  const slot = freeSlot();
  if (slot < 0) return ERR_VAULT_FULL;
  const body = blobLen - SEAL_HEADER - SEAL_TAG;
  sealGcm(1, secret, blob, aad, aadLen);
  gcmAuth(blob + SEAL_HEADER, body, 0);
  if (gcmFinish(blob + SEAL_HEADER + body) != OK) {
    gcmEnd();
    return ERR_AUTH;
  }
  // The one chunk just authenticated: gcmCrypt checks it against what was authenticated and decrypts into the slot.
  const st = gcmCrypt(blob + SEAL_HEADER, keys(slot), body, 0);
  gcmEnd();
  if (st != OK) {
    memory.fill(keys(slot), 0, SLOT_BYTES);
    return st;
  }
  return commit(slot, T_DSA, level, U_IDENTITY);
}

function signMu(slot: i32, mu: usize, sig: usize): i32 {
  let st = drbgGenerate(SEED, 32, 0, 0);
  if (st == OK) st = dsaSign(sig, keys(slot), mu, SEED, dsaParams(slot));
  memory.fill(SEED, 0, 64);
  memory.fill(SCRATCH, 0, DSA_WIPE);
  return st;
}

/** The parameter set of a handle (public), or a status. */
export function levelOf(handle: i32): i32 {
  const slot = lookup(handle, T_ANY);
  if (slot < 0) return slot;
  return levelOfSlot(slot);
}

/** Free a handle: wipe its keys; the handle (and any copy of it) is dead. */
export function free(handle: i32): i32 {
  const slot = lookup(handle, T_ANY);
  if (slot < 0) return slot;
  release(slot);
  return OK;
}

/** Bytes of a key pair's public key for the host (ek or pk), 0 for anything else. */
export function publicBytes(handle: i32): i32 {
  const slot = lookup(handle, T_ANY);
  if (slot < 0) return 0;
  const t = typeOf(slot);
  if (t == T_KEM) return ekBytes(rankOf(levelOfSlot(slot)));
  if (t == T_DSA) return pkBytes(dsaParams(slot));
  return 0;
}

/** The public key of any vault key pair into `out` (publicBytes(handle) bytes). */
export function publicInto(handle: i32, out: usize): i32 {
  const slot = lookup(handle, T_ANY);
  if (slot < 0) return slot;
  const t = typeOf(slot);
  if (t == T_KEM) return kemPublic(handle, out);
  if (t == T_DSA) return dsaPublic(handle, out);
  return ERR_HANDLE_TYPE;
}
