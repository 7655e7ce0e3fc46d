// The host-facing hash exports: one-shot SHA-3/SHAKE and an incremental
// context (HCTX) that the host swaps in and out, so any number of hash
// objects can live on the host while the enclave keeps no per-object state.
//
// HCTX layout: Keccak state (200 bytes) | pos: u32 | phase: u32 (0 absorbing,
// 1 squeezing). Everything is validated before use: a malformed context is
// ERR_HASH_STATE, never an out-of-bounds access.
import { keccakAbsorb, keccakFinish, keccakHash, keccakSqueeze, KECCAK_STATE_BYTES } from './keccak';
import { OK, ERR_ARG, ERR_HASH_STATE } from '../abi/status';
import { HCTX } from './mem';

const POS: usize = KECCAK_STATE_BYTES;
const PHASE: usize = KECCAK_STATE_BYTES + 4;

/** The FIPS 202 rates this enclave serves: SHA3-224/256/384/512, SHAKE128/256. */
export function validRate(rate: u32): bool {
  return rate == 144 || rate == 136 || rate == 104 || rate == 72 || rate == 168;
}

/**
 * Delimited suffixes accepted: any non-zero byte (SHA-3 0x06, SHAKE 0x1F,
 * plain Keccak 0x01, or one of those shifted over a message's last bits).
 */
export function validDs(ds: u32): bool {
  return ds >= 1 && ds <= 0xff;
}

/** One-shot: out = Keccak[rate](in || ds-padding), outLen bytes. */
export function hashOneShot(rate: u32, ds: u32, src: usize, len: usize, dst: usize, outLen: usize, st: usize): i32 {
  if (!validRate(rate) || !validDs(ds)) return ERR_ARG;
  keccakHash(st, rate, <u8>ds, src, len, dst, outLen);
  return OK;
}

/** Absorb len bytes into HCTX (phase must be absorbing, pos < rate). */
export function ctxAbsorb(rate: u32, src: usize, len: usize): i32 {
  if (!validRate(rate)) return ERR_ARG;
  const pos = load<u32>(HCTX + POS);
  if (load<u32>(HCTX + PHASE) != 0 || pos >= rate) return ERR_HASH_STATE;
  store<u32>(HCTX + POS, keccakAbsorb(HCTX, rate, pos, src, len));
  return OK;
}

/** Pad HCTX with ds and switch it to squeezing. */
export function ctxFinish(rate: u32, ds: u32): i32 {
  if (!validRate(rate) || !validDs(ds)) return ERR_ARG;
  const pos = load<u32>(HCTX + POS);
  if (load<u32>(HCTX + PHASE) != 0 || pos >= rate) return ERR_HASH_STATE;
  store<u32>(HCTX + POS, keccakFinish(HCTX, rate, pos, <u8>ds));
  store<u32>(HCTX + PHASE, 1);
  return OK;
}

/** Squeeze len bytes from HCTX (phase must be squeezing, pos <= rate). */
export function ctxSqueeze(rate: u32, dst: usize, len: usize): i32 {
  if (!validRate(rate)) return ERR_ARG;
  const pos = load<u32>(HCTX + POS);
  if (load<u32>(HCTX + PHASE) != 1 || pos > rate) return ERR_HASH_STATE;
  store<u32>(HCTX + POS, keccakSqueeze(HCTX, rate, pos, dst, len));
  return OK;
}
