// The PQCNet ABI kept for hosts written against it (DESIGN.md, "The ABI"):
// pqc_alloc / pqc_free over the upper half of the I/O window, and
// pqc_handshake producing a PQC1 envelope. Unlike the origin, the envelope
// carries a real ML-KEM ciphertext to the peer's key and a real ML-DSA
// signature over the transcript, and never the shared secret: the session
// keys stay in the vault (pqc_last_session returns the handle).
//
// PQC1 envelope v1 (all integers little-endian; docs/abi.md):
//   0   4  magic "PQC1"
//   4   1  version (1)
//   5   1  flags (0)
//   6   2  KEM level (512, 768, 1024)
//   8   2  DSA level (44, 65, 87)
//   10  32 initiator key id: SHA3-256(initiator's ML-DSA public key)
//   42  32 responder key id: SHA3-256(responder's ML-KEM encapsulation key)
//   74  8  time (host clock, ms)
//   82  4  ciphertext length
//   86  4  signature length
//   90  .. ciphertext, then signature
// Transcript T = SHA3-256(envelope[0 .. 90 + ciphertext length)). The
// signature is ML-DSA (pure, empty context) over T; both sides derive the
// session keys from the shared secret and T (vault.ts).
import { keccakAbsorb, keccakFinish, keccakHash, keccakInit, keccakSqueeze, DS_SHA3, DS_SHAKE } from './keccak';
import { IO_BYTES } from '../abi/lengths';
import { OK } from '../abi/status';
import { IO, inIO, disjoint } from './mem';
import { ctDiffer } from './ct';
import { rankOf, ekBytes, ctBytes } from './mlkem/params';
import { Params, paramsOf, pkBytes, sigBytes } from './mldsa/params';
import { signInternal, verifyInternal } from './mldsa/dsa';
import * as vault from './vault';
import { drbgGenerate } from './drbg';
import { SCRATCH } from './mem';
import { WIPE as DSA_WIPE } from './mldsa/scratch';

export const PQC_INVALID: i32 = -1;
export const PQC_BUFFER: i32 = -2;
export const PQC_INTERNAL: i32 = -127;
const HEADER: usize = 90;
const MAGIC: u32 = 0x31435150; // "PQC1"

const T: usize = memory.data(32, 16);
const ID: usize = memory.data(32, 16);
const MU: usize = memory.data(64, 16);
const BUF: usize = memory.data(208 + 64, 16); // Keccak state + tr
const RND: usize = memory.data(32, 16);
let lastSession: i32 = 0;

/** The session handle made by the last successful handshake or accept (0 if none). */
export function pqcLastSession(): i32 { return lastSession; }

/** mu = SHAKE256(tr || 0x00 || 0x00 || T, 64): pure ML-DSA with an empty context over T. */
function muOf(tr: usize): void {
  const st = BUF;
  keccakInit(st);
  let pos = keccakAbsorb(st, 136, 0, tr, 64);
  store<u16>(ID, 0);
  pos = keccakAbsorb(st, 136, pos, ID, 2);
  pos = keccakAbsorb(st, 136, pos, T, 32);
  keccakFinish(st, 136, pos, DS_SHAKE);
  keccakSqueeze(st, 136, 0, MU, 64);
  memory.fill(st, 0, 208);
}

/**
 * pqc_handshake(req, reqLen, resp, respLen): the initiator. req = KEM level
 * u16 | DSA level u16 | DSA vault handle i32 | time u64 | responder ek.
 * Returns the bytes written, -1 invalid input, -2 response buffer too small,
 * -127 internal error.
 */
export function pqcHandshake(req: usize, reqLen: usize, resp: usize, respLen: usize): i32 {
  if (reqLen < 16 || !inIO(req, reqLen)) return PQC_INVALID;
  const kemLevel = <i32>load<u16>(req);
  const dsaLevel = <i32>load<u16>(req, 2);
  const dsaHandle = load<i32>(req, 4);
  const k = rankOf(kemLevel);
  const p = paramsOf(dsaLevel);
  if (k == 0 || changetype<usize>(p) == 0) return PQC_INVALID;
  if (reqLen != 16 + <usize>ekBytes(k)) return PQC_INVALID;
  if (vault.levelOf(dsaHandle) != dsaLevel || vault.dsaSkAddr(dsaHandle) == 0) return PQC_INVALID;
  const ctLen = <usize>ctBytes(k);
  const sigLen = <usize>sigBytes(p);
  const total = HEADER + ctLen + sigLen;
  if (respLen < total) return PQC_BUFFER;
  if (!inIO(resp, total) || !disjoint(req, reqLen, resp, total)) return PQC_INVALID;
  const ek = req + 16;
  store<u32>(resp, MAGIC);
  store<u8>(resp, 1, 4);
  store<u8>(resp, 0, 5);
  store<u16>(resp, <u16>kemLevel, 6);
  store<u16>(resp, <u16>dsaLevel, 8);
  keccakHash(BUF, 136, DS_SHA3, vault.dsaPkAddr(dsaHandle), <usize>pkBytes(p), resp + 10, 32);
  keccakHash(BUF, 136, DS_SHA3, ek, <usize>ekBytes(k), resp + 42, 32);
  store<u64>(resp, load<u64>(req, 8), 74);
  store<u32>(resp, <u32>ctLen, 82);
  store<u32>(resp, <u32>sigLen, 86);
  const st = vault.encapsToSS(kemLevel, ek, resp + HEADER);
  if (st != OK) {
    memory.fill(resp, 0, total);
    return st == -10 ? PQC_INVALID : PQC_INTERNAL; // -10: the ek fails the modulus check
  }
  keccakHash(BUF, 136, DS_SHA3, resp, HEADER + ctLen, T, 32);
  const session = vault.sessionFromSS(kemLevel, T, 32);
  if (session < 0) {
    memory.fill(resp, 0, total);
    return PQC_INTERNAL;
  }
  const sk = vault.dsaSkAddr(dsaHandle);
  muOf(sk + 64);
  let sst = drbgGenerate(RND, 32, 0, 0);
  if (sst == OK) sst = signInternal(resp + HEADER + ctLen, sk, MU, RND, p);
  memory.fill(RND, 0, 32);
  memory.fill(SCRATCH, 0, DSA_WIPE);
  if (sst != OK) {
    vault.free(session);
    memory.fill(resp, 0, total);
    return PQC_INTERNAL;
  }
  lastSession = session;
  return <i32>total;
}

/**
 * pqc_accept(env, envLen, kemHandle, pk, pkLen): the responder. Checks the
 * envelope (magic, version, levels, lengths, both key ids, the signature
 * under the initiator's ML-DSA public key `pk`), decapsulates with the vault
 * key and derives the same session. Returns the session handle, or -1 for
 * any invalid envelope (nothing is kept), -127 internal.
 */
export function pqcAccept(env: usize, envLen: usize, kemHandle: i32, pk: usize, pkLen: usize): i32 {
  if (envLen < HEADER || !inIO(env, envLen) || !inIO(pk, pkLen)) return PQC_INVALID;
  if (load<u32>(env) != MAGIC || load<u8>(env, 4) != 1 || load<u8>(env, 5) != 0) return PQC_INVALID;
  const kemLevel = <i32>load<u16>(env, 6);
  const dsaLevel = <i32>load<u16>(env, 8);
  const k = rankOf(kemLevel);
  const p = paramsOf(dsaLevel);
  if (k == 0 || changetype<usize>(p) == 0) return PQC_INVALID;
  if (vault.levelOf(kemHandle) != kemLevel) return PQC_INVALID;
  const ek = vault.kemEkAddr(kemHandle);
  if (ek == 0) return PQC_INVALID;
  const ctLen = <usize>ctBytes(k);
  const sigLen = <usize>sigBytes(p);
  if (<usize>load<u32>(env, 82) != ctLen || <usize>load<u32>(env, 86) != sigLen) return PQC_INVALID;
  if (envLen != HEADER + ctLen + sigLen || pkLen != <usize>pkBytes(p)) return PQC_INVALID;
  keccakHash(BUF, 136, DS_SHA3, pk, pkLen, ID, 32);
  if (ctDiffer(ID, env + 10, 32) != 0) return PQC_INVALID;
  keccakHash(BUF, 136, DS_SHA3, ek, <usize>ekBytes(k), ID, 32);
  if (ctDiffer(ID, env + 42, 32) != 0) return PQC_INVALID;
  keccakHash(BUF, 136, DS_SHA3, env, HEADER + ctLen, T, 32);
  keccakHash(BUF, 136, DS_SHAKE, pk, pkLen, BUF + 208, 64); // tr = H(pk, 64)
  muOf(BUF + 208);
  const ok = verifyInternal(pk, MU, env + HEADER + ctLen, p);
  memory.fill(SCRATCH, 0, DSA_WIPE);
  if (ok != 1) return PQC_INVALID;
  if (vault.decapsToSS(kemHandle, env + HEADER) != OK) return PQC_INTERNAL;
  const session = vault.sessionFromSS(kemLevel, T, 32);
  if (session < 0) return PQC_INTERNAL;
  lastSession = session;
  return session;
}

// ---- pqc_alloc / pqc_free: 1 KiB blocks in the upper half of the I/O window --

const BLOCK: usize = 1024;
const BLOCKS: i32 = 32;
const POOL: usize = IO + (<usize>IO_BYTES >> 1);
let used: u32 = 0; // bit i: block i is allocated

/** A buffer of `len` bytes (1..32768) in the pool, or 0. */
export function pqcAlloc(len: i32): usize {
  if (len <= 0 || len > BLOCKS * <i32>BLOCK) return 0;
  const n = (len + <i32>BLOCK - 1) / <i32>BLOCK;
  const run: u32 = n == 32 ? 0xffffffff : ((<u32>1 << <u32>n) - 1);
  for (let i = 0; i + n <= BLOCKS; i++) {
    if ((used & (run << <u32>i)) == 0) {
      used |= run << <u32>i;
      return POOL + <usize>i * BLOCK;
    }
  }
  return 0;
}

/** Release a buffer from pqcAlloc (anything else is ignored); its bytes are wiped. */
export function pqcFree(ptr: usize, len: i32): void {
  if (len <= 0 || len > BLOCKS * <i32>BLOCK || ptr < POOL || (ptr - POOL) % BLOCK != 0) return;
  const i = <i32>((ptr - POOL) / BLOCK);
  const n = (len + <i32>BLOCK - 1) / <i32>BLOCK;
  if (i + n > BLOCKS) return;
  const run: u32 = n == 32 ? 0xffffffff : ((<u32>1 << <u32>n) - 1);
  if ((used & (run << <u32>i)) != run << <u32>i) return;
  memory.fill(ptr, 0, <usize>n * BLOCK);
  used &= ~(run << <u32>i);
}
