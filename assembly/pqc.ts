// The PQCNet ABI kept for hosts written against it (DESIGN.md, "The ABI"):
// pqc_alloc / pqc_free over the upper half of the I/O window, and the PQC1
// handshake entered through pqc_handshake, now PQC1 v2 (docs/pqc1.md): a
// three-message authenticated key exchange with an ephemeral ML-KEM key
// (forward secrecy), ML-DSA identity signatures under their own contexts, key
// confirmation, a replay cache, and sessions whose counters, nonces, rekeying
// and receive window live in the vault. PQC1 v1 envelopes are refused
// (PQC_VERSION).
//
//   I: pqc_handshake -> INIT      R: pqc_respond(INIT) -> RESP
//   I: pqc_finish(RESP) -> FIN    R: pqc_complete(FIN) -> session
//   either: pqc_seal / pqc_open by session handle
import { PQC_STATE, ERR_HANDLE_TYPE } from '../abi/status';
import { IO_BYTES } from '../abi/lengths';
import { IO } from './mem';
import * as vault from './vault';
import * as hs from './pqc/handshake';
import * as session from './pqc/session';

export { PQC_INVALID, PQC_BUFFER } from '../abi/status';
export const PQC_INTERNAL: i32 = -127;

/** The handle made by the last successful pqc_handshake / respond / finish / complete (0 if none). */
export function pqcLastSession(): i32 { return hs.lastMade(); }

export function pqcHandshake(req: usize, reqLen: usize, out: usize, outLen: usize): i32 { return hs.start(req, reqLen, out, outLen); }
export function pqcRespond(req: usize, reqLen: usize, out: usize, outLen: usize): i32 { return hs.respond(req, reqLen, out, outLen); }
export function pqcFinish(req: usize, reqLen: usize, out: usize, outLen: usize): i32 { return hs.finish(req, reqLen, out, outLen); }
export function pqcComplete(req: usize, reqLen: usize): i32 { return hs.complete(req, reqLen); }

/** The session a handle names: its slot, or a status (a pending handshake is PQC_STATE). */
function sessionSlot(handle: i32): i32 {
  const slot = vault.lookup(handle, vault.T_ANY);
  if (slot < 0) return slot;
  const t = vault.typeOf(slot);
  if (t == vault.T_SESSION) return slot;
  return t == vault.T_HS_INIT || t == vault.T_HS_RESP ? PQC_STATE : ERR_HANDLE_TYPE;
}

export function pqcSeal(handle: i32, src: usize, len: usize, out: usize, outLen: usize): i32 {
  const slot = sessionSlot(handle);
  return slot < 0 ? slot : session.seal(vault.keys(slot), src, len, out, outLen);
}

export function pqcOpen(handle: i32, src: usize, len: usize, out: usize, outLen: usize): i32 {
  const slot = sessionSlot(handle);
  return slot < 0 ? slot : session.open(vault.keys(slot), src, len, out, outLen);
}

/** A session's public state (docs/pqc1.md section 7) into `out`. */
export function pqcSessionInfo(handle: i32, out: usize): i32 {
  const slot = sessionSlot(handle);
  if (slot < 0) return slot;
  session.info(vault.keys(slot), out);
  return 0;
}

export const SESSION_INFO_BYTES: usize = session.INFO_BYTES;

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
