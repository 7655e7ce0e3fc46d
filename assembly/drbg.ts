// The enclave's deterministic random bit generator: a SHAKE256 sponge DRBG in
// the shape of NIST SP 800-90A (instantiate, reseed, generate, a reseed
// counter, per-request and reseed-interval limits), built on the enclave's
// own Keccak (keccak.ts). docs/drbg.md states and argues the construction.
//
// The enclave draws no randomness: every bit of entropy comes from the host
// (drbg_instantiate / drbg_reseed). The working state is one 64-byte key K and
// a reseed counter, in a region of its own. With D = "awre-drbg-v1" and
// le32/le64 little-endian integers:
//
//   instantiate(e, n, p):  K = SHAKE256(D || 0x01 || le32|e| || e || le32|n| || n || le32|p| || p, 64)
//                          counter = 1
//   reseed(e, a):          K = SHAKE256(D || 0x02 || K || le32|e| || e || le32|a| || a, 64)
//                          counter = 1
//   generate(len, a):      Z = SHAKE256(D || 0x03 || K || le64 counter || le32 len || le32|a| || a, 64 + len)
//                          K = Z[0, 64), out = Z[64, 64 + len), counter += 1
//
// generate replaces K before it returns, so a later state does not give
// earlier outputs (backtracking resistance), and the sponge temporaries are
// wiped at the end of every call: the Keccak permutation is invertible, so a
// leftover sponge state would give back the K it absorbed.
//
// Every branch depends on public values only (lengths, the counter).
import { OK, ERR_LENGTH, ERR_TOO_LARGE, ERR_DRBG_UNSEEDED, ERR_DRBG_RESEED } from '../abi/status';
import {
  DRBG_KEY_BYTES, DRBG_MIN_ENTROPY_BYTES, DRBG_MAX_REQUEST_BYTES, DRBG_RESEED_INTERVAL, SHAKE256_RATE,
} from '../abi/lengths';
import { keccakInit, keccakAbsorb, keccakFinish, keccakSqueeze, DS_SHAKE, KECCAK_STATE_BYTES } from './keccak';
import { wipe } from './ct';

const RATE: u32 = SHAKE256_RATE;
const KEY_BYTES: usize = DRBG_KEY_BYTES;

// The region: nothing else reads or writes it, and the I/O window checks keep
// the host out of it.
const DRBG_BYTES: usize = 320;
const DRBG: usize = memory.data(<i32>DRBG_BYTES, 64);
/** K, the secret state (64 bytes). */
const KEY: usize = DRBG;
/** The reseed counter (u64): 1 after (re)seeding, 0 when not instantiated. */
const CTR: usize = DRBG + 64;
/** Temporary: the Keccak state of the running SHAKE256 (200 bytes). */
const SP: usize = DRBG + 80;
/** Temporary: little-endian encodings of the integers absorbed (16 bytes). */
const NUM: usize = SP + KECCAK_STATE_BYTES;
const NUM_BYTES: usize = 16;

/** "awre-drbg-v1", the construction's name and version. */
const TAG: usize = memory.data<u8>([0x61, 0x77, 0x72, 0x65, 0x2d, 0x64, 0x72, 0x62, 0x67, 0x2d, 0x76, 0x31]);
const TAG_BYTES: usize = 12;

// The function byte after the tag.
const FN_INSTANTIATE: u8 = 0x01;
const FN_RESEED: u8 = 0x02;
const FN_GENERATE: u8 = 0x03;

/** Start a SHAKE256 over D || fn; returns the absorb position. */
function begin(fn: u8): u32 {
  keccakInit(SP);
  const pos = keccakAbsorb(SP, RATE, 0, TAG, TAG_BYTES);
  store<u8>(NUM, fn);
  return keccakAbsorb(SP, RATE, pos, NUM, 1);
}

function absorbU32(pos: u32, v: u32): u32 {
  store<u32>(NUM, v);
  return keccakAbsorb(SP, RATE, pos, NUM, 4);
}

function absorbU64(pos: u32, v: u64): u32 {
  store<u64>(NUM, v);
  return keccakAbsorb(SP, RATE, pos, NUM, 8);
}

/** Absorb le32(len) || bytes: the length prefix keeps the encoding injective. */
function absorbField(pos: u32, p: usize, len: usize): u32 {
  return keccakAbsorb(SP, RATE, absorbU32(pos, <u32>len), p, len);
}

/** Pad, squeeze the new K into the state, return the squeeze position. */
function finishToKey(pos: u32): u32 {
  keccakFinish(SP, RATE, pos, DS_SHAKE);
  return keccakSqueeze(SP, RATE, 0, KEY, KEY_BYTES);
}

/** Wipe the temporaries (the sponge holds K's preimage until then). */
function endCall(): void {
  wipe(SP, KECCAK_STATE_BYTES);
  wipe(NUM, NUM_BYTES);
}

/** True once instantiated (and not uninstantiated since). */
export function drbgSeeded(): bool {
  return load<u64>(CTR) != 0;
}

/** Generate requests since the last (re)seed: c - 1 (at most 2^16, so an i32), or -1 when not instantiated. */
export function drbgRequests(): i32 {
  const c = load<u64>(CTR);
  return c == 0 ? -1 : <i32>(c - 1);
}

/**
 * Instantiate from host-supplied entropy (at least DRBG_MIN_ENTROPY_BYTES),
 * a nonce and a personalization string (either may be empty). Replaces any
 * previous state. ERR_LENGTH (state unchanged) if the entropy is too short.
 */
export function drbgInstantiate(e: usize, eLen: usize, n: usize, nLen: usize, p: usize, pLen: usize): i32 {
  if (eLen < <usize>DRBG_MIN_ENTROPY_BYTES) return ERR_LENGTH;
  let pos = begin(FN_INSTANTIATE);
  pos = absorbField(pos, e, eLen);
  pos = absorbField(pos, n, nLen);
  pos = absorbField(pos, p, pLen);
  finishToKey(pos);
  store<u64>(CTR, 1);
  endCall();
  return OK;
}

/**
 * Mix fresh entropy (at least DRBG_MIN_ENTROPY_BYTES) and additional input
 * into K and reset the counter. ERR_LENGTH or ERR_DRBG_UNSEEDED leave the
 * state unchanged.
 */
export function drbgReseed(e: usize, eLen: usize, a: usize, aLen: usize): i32 {
  if (eLen < <usize>DRBG_MIN_ENTROPY_BYTES) return ERR_LENGTH;
  if (!drbgSeeded()) return ERR_DRBG_UNSEEDED;
  let pos = begin(FN_RESEED);
  pos = keccakAbsorb(SP, RATE, pos, KEY, KEY_BYTES);
  pos = absorbField(pos, e, eLen);
  pos = absorbField(pos, a, aLen);
  finishToKey(pos);
  store<u64>(CTR, 1);
  endCall();
  return OK;
}

/**
 * Write `len` (at most DRBG_MAX_REQUEST_BYTES) pseudorandom bytes to `out`,
 * with optional additional input, and ratchet K. `out` must not overlap this
 * module's region; it may overlap `a` (absorbed before any output is
 * written). ERR_TOO_LARGE, ERR_DRBG_UNSEEDED and ERR_DRBG_RESEED write
 * nothing and leave the state unchanged.
 */
export function drbgGenerate(out: usize, len: usize, a: usize, aLen: usize): i32 {
  if (len > <usize>DRBG_MAX_REQUEST_BYTES) return ERR_TOO_LARGE;
  const ctr = load<u64>(CTR);
  if (ctr == 0) return ERR_DRBG_UNSEEDED;
  if (ctr > <u64>DRBG_RESEED_INTERVAL) return ERR_DRBG_RESEED;
  let pos = begin(FN_GENERATE);
  pos = keccakAbsorb(SP, RATE, pos, KEY, KEY_BYTES);
  pos = absorbU64(pos, ctr);
  pos = absorbU32(pos, <u32>len);
  pos = absorbField(pos, a, aLen);
  // K' first (the ratchet), then the output, from one SHAKE256 stream.
  pos = finishToKey(pos);
  keccakSqueeze(SP, RATE, pos, out, len);
  store<u64>(CTR, ctr + 1);
  endCall();
  return OK;
}

/** Zeroize the whole region (K, the counter, the temporaries): uninstantiated. */
export function drbgUninstantiate(): void {
  wipe(DRBG, DRBG_BYTES);
}
