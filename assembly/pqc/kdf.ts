// PQC1 v2's two hash tools (docs/pqc1.md sections 1 and 4): the labelled
// derivation and the running transcript hash.
//
//   Derive(S, label, ctx, L) = SHAKE256("awre-pqc1-v2" || 0x00 || u8(len label)
//                              || label || S || le16(len ctx) || ctx || le16(L), L)
//
// S is always 32 bytes. The transcript is a SHA3-256 sponge kept across
// messages (200 bytes of state, the absorb position as a u32 at byte 200);
// a digest finishes a copy, so the running state goes on absorbing.
import { keccakAbsorb, keccakFinish, keccakInit, keccakSqueeze, DS_SHA3, DS_SHAKE } from '../keccak';

/** Bytes of a saved transcript sponge. */
export const TH_BYTES: usize = 208;
const SHA3_256_RATE: u32 = 136;
const SHAKE256_RATE: u32 = 136;

/** "awre-pqc1-v2" || 0x00 */
const PREFIX: usize = memory.data<u8>([0x61, 0x77, 0x72, 0x65, 0x2d, 0x70, 0x71, 0x63, 0x31, 0x2d, 0x76, 0x32, 0x00]);
const PREFIX_BYTES: usize = 13;

const ST: usize = memory.data(208, 16); // the derivation's sponge (secret input: wiped)
const TMP: usize = memory.data(208, 16); // a transcript copy being finished
const ENC: usize = memory.data(16, 16); // length encodings

/** Derive(S, label, ctx, L) into `out` (L bytes). S: 32 bytes. */
export function derive(s: usize, label: usize, labelLen: usize, ctx: usize, ctxLen: usize, out: usize, outLen: usize): void {
  keccakInit(ST);
  let pos = keccakAbsorb(ST, SHAKE256_RATE, 0, PREFIX, PREFIX_BYTES);
  store<u8>(ENC, <u8>labelLen);
  pos = keccakAbsorb(ST, SHAKE256_RATE, pos, ENC, 1);
  pos = keccakAbsorb(ST, SHAKE256_RATE, pos, label, labelLen);
  pos = keccakAbsorb(ST, SHAKE256_RATE, pos, s, 32);
  store<u16>(ENC, <u16>ctxLen);
  pos = keccakAbsorb(ST, SHAKE256_RATE, pos, ENC, 2);
  pos = keccakAbsorb(ST, SHAKE256_RATE, pos, ctx, ctxLen);
  store<u16>(ENC, <u16>outLen);
  pos = keccakAbsorb(ST, SHAKE256_RATE, pos, ENC, 2);
  keccakFinish(ST, SHAKE256_RATE, pos, DS_SHAKE);
  keccakSqueeze(ST, SHAKE256_RATE, 0, out, outLen);
  memory.fill(ST, 0, 208);
}

/** An empty transcript sponge at `t` (TH_BYTES). */
export function thInit(t: usize): void {
  keccakInit(t);
  store<u32>(t, 0, 200);
}

/** Absorb `len` bytes into the transcript at `t`. */
export function thAbsorb(t: usize, src: usize, len: usize): void {
  store<u32>(t, keccakAbsorb(t, SHA3_256_RATE, load<u32>(t, 200), src, len), 200);
}

/** SHA3-256 of everything absorbed so far into `out` (32 bytes); `t` goes on unchanged. */
export function thDigest(t: usize, out: usize): void {
  memory.copy(TMP, t, TH_BYTES);
  keccakFinish(TMP, SHA3_256_RATE, load<u32>(TMP, 200), DS_SHA3);
  keccakSqueeze(TMP, SHA3_256_RATE, 0, out, 32);
  memory.fill(TMP, 0, TH_BYTES);
}
