// NIST SP 800-38D: GCM over the bitsliced AES (aes.ts) and the constant-time
// GHASH (ghash.ts), streamed through the I/O window so that no length is
// capped by a buffer: the host feeds the AAD and the data in chunks.
//
// One context (CTX) serves one operation at a time:
//   encrypt:  gcmInit -> gcmIv+ -> gcmAad* -> gcmCrypt* -> gcmFinish (writes the tag)
//   decrypt:  gcmInit -> gcmIv+ -> gcmAad* -> gcmAuth* -> gcmFinish (checks the tag)
//             -> gcmCrypt* over the same ciphertext -> gcmEnd
// Decryption authenticates the whole ciphertext before any plaintext is
// produced: gcmCrypt refuses to run in decrypt mode until the tag has been
// verified, and then only over as many bytes as were authenticated, and only
// over exactly the bytes that were authenticated (docs/gcm.md, "Decryption
// bound to the authenticated bytes"): the decrypt pass GHASHes each chunk
// again, continuing from Y_A (the accumulator when the data phase began), and
// compares the result at the chunk's end with Y_F (the accumulator after the
// last authenticated chunk) or, before the end, through the binding token
// gcmAuth wrote for that position. A decryption whose ciphertext fits in
// HOLD (1 MiB, at most 64 auth chunks with tokens) is held instead: gcmAuth
// copies each chunk into HOLD and GHASHes the copy, and the decrypt pass
// compares the presented bytes with the held ones (and the tokens with the
// ones released) and decrypts the held bytes: one GHASH pass, not two
// (docs/gcm.md, "Held messages"). Every data chunk but the last is a
// multiple of 16 bytes. The round keys, H, J0, the counter and every
// keystream block are wiped at the end of the operation and on any failure.
import { OK, ERR_ARG, ERR_AUTH, ERR_HASH_STATE, ERR_TOO_LARGE } from '../../abi/status';
import { transpose, encryptBitsliced, expandKey, RK_BYTES } from './aes';
import { ghashInit, ghashBlocks, ghashOutput, GHASH_BYTES } from './ghash';
import { ctDiffer } from '../ct';
import { keccakInit, keccakAbsorb, keccakFinish, keccakSqueeze, DS_SHAKE } from '../keccak';

// Context layout.
const CTX_BYTES: usize = 15 * 128 + GHASH_BYTES + 16 * 4 + 128 + 128 + 256 + 128 + 64 + 16 * 4 + 64 + 208 + 16 + 16 + 64 * 32;
export const CTX: usize = memory.data(<i32>CTX_BYTES, 64);
const RK: usize = CTX; // 15 bitsliced round keys
const G: usize = RK + 15 * RK_BYTES; // GHASH state and the powers of H
const J0: usize = G + GHASH_BYTES; // pre-counter block (16)
const PART: usize = J0 + 16; // partial AAD block (16)
const TAG: usize = PART + 16; // computed tag (16)
const LENBLK: usize = TAG + 16; // [len(A)]64 || [len(C)]64 (16)
const Q: usize = LENBLK + 16; // bitsliced batch (128)
const KS: usize = Q + 128; // keystream of the batch (128)
const W: usize = KS + 128; // key schedule words (240 -> 256)
const TMP: usize = W + 256; // key schedule scratch (128)
const META: usize = TMP + 128; // the fields below (64)

// Fields in META.
const NR: usize = META; // i32: rounds
const TAGLEN: usize = META + 4; // i32
const PHASE: usize = META + 8; // i32, see below
const PARTLEN: usize = META + 12; // i32: bytes in PART
const DECRYPT: usize = META + 16; // i32: 1 when decrypting
const CTR: usize = META + 20; // u32: next counter value (inc32 of J0's last word)
const TAIL: usize = META + 24; // i32: 1 once a data chunk was not a multiple of 16
const TAIL2: usize = META + 28; // i32: the same for the decryption pass
const AADLEN: usize = META + 32; // u64 bytes
const CTLEN: usize = META + 40; // u64 bytes (GHASHed)
const OUTLEN: usize = META + 48; // u64 bytes (encrypted or decrypted)
const IVLEN: usize = META + 56; // u64 bytes of IV

// Binding of the decrypt pass to the authenticated bytes (after META).
const HB: usize = META + 64; // H = E_K(0^128) as bytes (16), a key of the binding tokens
const YA: usize = HB + 16; // Y_A: GHASH accumulator when the data phase began (16, G's format)
const YF: usize = YA + 16; // Y_F: accumulator after the last data chunk, before the length block (16)
const TOK: usize = YF + 16; // a recomputed binding token (16)
const TIN: usize = TOK + 16; // the token's SHAKE256 input (64)
const KST: usize = TIN + 64; // Keccak state for the token (200 -> 208)
const SERIAL: usize = KST + 208; // u64: this operation's serial (16 with padding)

// Held decryption (docs/gcm.md, "Held messages"): while the ciphertext
// authenticated so far fits in HOLD and came in at most HOLD_ENDS chunks, the
// enclave keeps a copy of it and the tokens it released.
// While held, HOLD holds exactly the CTLEN bytes authenticated so far. ENDS is
// the context's last field; only its first NENDS entries are ever non-zero.
const HELD: usize = SERIAL + 16; // i32: 1 while the ciphertext is held
const NENDS: usize = HELD + 4; // i32: entries in ENDS
const ENDS: usize = HELD + 16; // HOLD_ENDS x (le64 position, 8 zero bytes, 16-byte token)
const HOLD_ENDS: i32 = 64;
const END_BYTES: usize = 32;

/** Bytes of a binding token. */
export const GCM_BIND_TOKEN_BYTES: usize = 16;
/** The token's domain label, "awre-gcm-bind-v1" (16 bytes). */
const BIND_LABEL: usize = memory.data<u8>([
  0x61, 0x77, 0x72, 0x65, 0x2d, 0x67, 0x63, 0x6d, 0x2d, 0x62, 0x69, 0x6e, 0x64, 0x2d, 0x76, 0x31,
]);
/** SHAKE256's rate in bytes. */
const SHAKE256_RATE: u32 = 136;

/**
 * Operations started in this instance (every gcmInit counts, including
 * refused ones). A wasm global, outside linear memory: gcmEnd does not reset
 * it, and nothing the host writes into memory can change it.
 */
let opSerial: u64 = 0;

// Phases (0 after gcmEnd: idle).
const P_IV = 4;
const P_AAD = 1;
const P_DATA = 2;
const P_VERIFIED = 3;

/** SP 800-38D section 5.2.1.1: plaintext at most 2^39 - 256 bits. */
const MAX_DATA: u64 = (<u64>1 << 36) - 32;

/**
 * Bytes of ciphertext a decryption may hold: 16 pages of 64 KiB. WAVEN
 * confines an access to the page of its base (docs/waven.md, "Confined
 * accesses"), so every pass over HOLD is cut at page ends (holdRun).
 */
export const GCM_HOLD_BYTES: usize = 1 << 20;
const HOLD: usize = memory.data(<i32>GCM_HOLD_BYTES, 65536);

/** Bytes from HOLD + at to the end of its page, at most len. */
// @ts-ignore: decorator
@inline function holdRun(at: usize, len: usize): usize {
  const room: usize = 65536 - (at & 0xffff);
  return len < room ? len : room;
}

/** Wipe what HOLD holds and the stored tokens: the operation is no longer held. */
function dropHold(): void {
  if (load<i32>(HELD) != 0) {
    let n = <usize>load<u64>(CTLEN);
    if (n > GCM_HOLD_BYTES) n = GCM_HOLD_BYTES;
    memory.fill(HOLD, 0, n);
  }
  let ends = <usize>load<i32>(NENDS);
  if (ends > <usize>HOLD_ENDS) ends = <usize>HOLD_ENDS;
  memory.fill(ENDS, 0, ends * END_BYTES);
  store<i32>(HELD, 0);
  store<i32>(NENDS, 0);
}

/**
 * Wipe the whole context (keys, H, J0, counters, keystream) and the held
 * ciphertext. The ENDS table is wiped by dropHold as far as it was used.
 */
export function gcmEnd(): void {
  dropHold();
  memory.fill(CTX, 0, ENDS - CTX);
}

/**
 * Encrypt the 8 counter blocks J0 with counters ctr .. ctr + 7 (inc32,
 * big-endian, SP 800-38D section 6.2) into KS: the keystream of one batch.
 */
function keystream(ctr: u32): void {
  const base = v128.load(J0);
  for (let b: u32 = 0; b < 8; b++) {
    v128.store(KS + (<usize>b << 4), i32x4.replace_lane(base, 3, <i32>bswap<u32>(ctr + b)));
  }
  transpose(KS);
  encryptBitsliced(KS, RK, load<i32>(NR));
  transpose(KS);
}

/** GHASH over len bytes of AAD-or-data, zero-padding a final partial block. */
function ghashPadded(src: usize, len: usize): void {
  const full = len >> 4;
  ghashBlocks(G, src, full);
  const rest = len & 15;
  if (rest != 0) {
    memory.fill(PART, 0, 16);
    memory.copy(PART, src + (full << 4), rest);
    ghashBlocks(G, PART, 1);
  }
}

/**
 * Start an operation: key (16/24/32 bytes) and tag length in {4, 8, 12, 13,
 * 14, 15, 16} bytes. The IV follows through gcmIv (any length >= 1 byte, in
 * any chunking). Nothing of a previous operation survives.
 */
export function gcmInit(key: usize, keyLen: i32, tagLen: i32, decrypt: i32): i32 {
  gcmEnd();
  opSerial += 1;
  store<u64>(SERIAL, opSerial);
  if (keyLen != 16 && keyLen != 24 && keyLen != 32) return ERR_ARG;
  if (!(tagLen == 4 || tagLen == 8 || (tagLen >= 12 && tagLen <= 16))) return ERR_ARG;
  const nr = expandKey(RK, key, keyLen, W, TMP);
  memory.fill(W, 0, 256);
  memory.fill(TMP, 0, 128);
  store<i32>(NR, nr);
  // H = E_K(0^128): block 0 of a batch of zero blocks.
  memory.fill(KS, 0, 128);
  transpose(KS);
  encryptBitsliced(KS, RK, nr);
  transpose(KS);
  ghashInit(G, KS);
  v128.store(HB, v128.load(KS));
  memory.fill(KS, 0, 128);
  store<i32>(TAGLEN, tagLen);
  store<i32>(DECRYPT, decrypt != 0 ? 1 : 0);
  store<i32>(HELD, decrypt != 0 ? 1 : 0);
  store<i32>(PHASE, P_IV);
  return OK;
}

/**
 * Absorb IV bytes (any chunking). The IV's first 12 bytes are also kept in
 * J0 for the 96-bit fast path; every IV goes through GHASH, whose result is
 * only used when the IV is not 12 bytes long.
 */
export function gcmIv(src: usize, len: usize): i32 {
  if (load<i32>(PHASE) != P_IV) return ERR_HASH_STATE;
  const seen = load<u64>(IVLEN);
  if (seen < 12) {
    let keep = <usize>(12 - seen);
    if (keep > len) keep = len;
    memory.copy(J0 + <usize>seen, src, keep);
  }
  store<u64>(IVLEN, seen + <u64>len);
  absorbPartial(src, len);
  return OK;
}

/**
 * Close the IV: J0 = IV || 0^31 || 1 for a 12-byte IV, else
 * J0 = GHASH(IV || 0^s || 0^64 || [len(IV)]64) (SP 800-38D Algorithm 4
 * step 2); then Y = 0 again and the first counter is inc32(J0).
 */
function closeIv(): i32 {
  const ivLen = load<u64>(IVLEN);
  if (ivLen == 0) return ERR_ARG;
  if (ivLen == 12) {
    store<u32>(J0 + 12, bswap<u32>(1));
  } else {
    flushPartial();
    store<u64>(LENBLK, 0);
    store<u64>(LENBLK + 8, bswap<u64>(ivLen << 3));
    ghashBlocks(G, LENBLK, 1);
    ghashOutput(G, J0);
  }
  store<u64>(G, 0);
  store<u64>(G + 8, 0);
  store<i32>(PARTLEN, 0);
  memory.fill(PART, 0, 16);
  store<u32>(CTR, bswap<u32>(load<u32>(J0 + 12)) + 1);
  store<i32>(PHASE, P_AAD);
  return OK;
}

/** GHASH `len` bytes continuing a partial block in PART (AAD and long IVs). */
function absorbPartial(src: usize, len: usize): void {
  let part = <usize>load<i32>(PARTLEN);
  if (part != 0) {
    let take: usize = 16 - part;
    if (take > len) take = len;
    memory.copy(PART + part, src, take);
    part += take;
    src += take;
    len -= take;
    if (part == 16) {
      ghashBlocks(G, PART, 1);
      part = 0;
    }
  }
  const full = len >> 4;
  ghashBlocks(G, src, full);
  const rest = len & 15;
  if (rest != 0) {
    memory.copy(PART, src + (full << 4), rest);
    part = rest;
  }
  store<i32>(PARTLEN, <i32>part);
}

/** Zero-pad and GHASH the partial block in PART, if any. */
function flushPartial(): void {
  const part = <usize>load<i32>(PARTLEN);
  if (part != 0) {
    memory.fill(PART + part, 0, 16 - part);
    ghashBlocks(G, PART, 1);
    store<i32>(PARTLEN, 0);
  }
}

/** Move the operation past the IV (and the AAD) as the next input requires. */
function advance(to: i32): i32 {
  if (load<i32>(PHASE) == P_IV) {
    const st = closeIv();
    if (st != OK) return st;
  }
  if (to == P_DATA && load<i32>(PHASE) == P_AAD) {
    flushPartial();
    v128.store(YA, v128.load(G)); // Y_A: where the decrypt pass starts again
    store<i32>(PHASE, P_DATA);
  }
  return OK;
}

/** Absorb AAD (any chunking, any length). */
export function gcmAad(src: usize, len: usize): i32 {
  const st = advance(P_AAD);
  if (st != OK) return st;
  if (load<i32>(PHASE) != P_AAD) return ERR_HASH_STATE;
  store<u64>(AADLEN, load<u64>(AADLEN) + <u64>len);
  absorbPartial(src, len);
  return OK;
}

/** From the IV or AAD phase into the data phase; ERR_HASH_STATE from any other. */
function enterData(phase: i32): i32 {
  if (phase == P_IV || phase == P_AAD) return advance(P_DATA);
  return phase == P_DATA ? OK : ERR_HASH_STATE;
}

/** Check a data chunk against the chunking rule and the length limit. */
function acceptChunk(len: usize, total: usize): i32 {
  if (load<i32>(TAIL) != 0 && len != 0) return ERR_ARG; // a partial block was already last
  if (load<u64>(total) + <u64>len > MAX_DATA) return ERR_TOO_LARGE;
  if ((len & 15) != 0) store<i32>(TAIL, 1);
  return OK;
}

/** Whether the current operation decrypts (public: the host chose it). */
export function gcmDecrypting(): bool {
  return load<i32>(DECRYPT) != 0;
}

/**
 * The binding token of position `count` (bytes of data so far) with the
 * current accumulator Y in G: the first 16 bytes of
 * SHAKE256("awre-gcm-bind-v1" || H || le64(serial) || le64(count) || Y),
 * Y as its 16-byte block (ghashOutput), written at `out`. The input and the
 * Keccak state are wiped before returning.
 */
function bindToken(count: u64, out: usize): void {
  memory.copy(TIN, BIND_LABEL, 16);
  v128.store(TIN + 16, v128.load(HB));
  store<u64>(TIN + 32, load<u64>(SERIAL));
  store<u64>(TIN + 40, count);
  ghashOutput(G, TIN + 48);
  keccakInit(KST);
  const pos = keccakAbsorb(KST, SHAKE256_RATE, 0, TIN, 64);
  keccakFinish(KST, SHAKE256_RATE, pos, DS_SHAKE);
  keccakSqueeze(KST, SHAKE256_RATE, 0, out, GCM_BIND_TOKEN_BYTES);
  memory.fill(TIN, 0, 64);
  memory.fill(KST, 0, 208);
}

/**
 * CTR over len bytes from src to dst (they may be the same), continuing the
 * counter. (GHASH runs as a separate pass over the chunk: interleaving it per
 * 128-byte batch measured 9% slower on V8.)
 */
function ctr(src: usize, dst: usize, len: usize): void {
  let c = load<u32>(CTR);
  let off: usize = 0;
  while (off < len) {
    keystream(c);
    let n = len - off;
    if (n > 128) n = 128;
    let i: usize = 0;
    for (; i + 16 <= n; i += 16) {
      v128.store(dst + off + i, v128.xor(v128.load(src + off + i), v128.load(KS + i)));
    }
    for (; i < n; i++) store<u8>(dst + off + i, load<u8>(src + off + i) ^ load<u8>(KS + i));
    c += 8;
    off += n;
  }
  // Only whole blocks advance the counter; a partial last block ends the data.
  store<u32>(CTR, load<u32>(CTR) + <u32>((len + 15) >> 4));
  memory.fill(KS, 0, 128);
}

/**
 * Encrypt (encrypt mode, then GHASH the ciphertext; `token` is ignored) or
 * decrypt (decrypt mode, only after gcmFinish verified the tag, over no more
 * bytes than were authenticated, and only over the bytes that were
 * authenticated). Decrypting, the chunk is GHASHed first, continuing the
 * decrypt pass's accumulator (Y_A at the start); then, if the chunk ends the
 * authenticated data, the accumulator must equal Y_F, and otherwise the
 * 16-byte token at `token` (from gcmAuth; 0: none) must equal the token of
 * this position and accumulator. A mismatch writes nothing to dst, wipes the
 * context and returns ERR_AUTH.
 */
export function gcmCrypt(src: usize, dst: usize, len: usize, token: usize): i32 {
  const phase = load<i32>(PHASE);
  if (load<i32>(DECRYPT) == 0) {
    const adv = enterData(phase);
    if (adv != OK) return adv;
    const st = acceptChunk(len, CTLEN);
    if (st != OK) return st;
    ctr(src, dst, len);
    ghashPadded(dst, len);
    store<u64>(CTLEN, load<u64>(CTLEN) + <u64>len);
    return OK;
  }
  if (phase != P_VERIFIED) return ERR_HASH_STATE;
  const done = load<u64>(OUTLEN) + <u64>len;
  if (done > load<u64>(CTLEN)) return ERR_ARG;
  if (load<i32>(TAIL2) != 0 && len != 0) return ERR_ARG;
  if (load<i32>(HELD) != 0) return cryptHeld(src, dst, len, token, done);
  // Bind: the bytes at src must be the ones authenticated at this position.
  ghashPadded(src, len);
  let differ: u32 = 1;
  if (done == load<u64>(CTLEN)) {
    differ = ctDiffer(G, YF, 16);
  } else if (token != 0) {
    bindToken(done, TOK);
    differ = ctDiffer(TOK, token, GCM_BIND_TOKEN_BYTES);
    memory.fill(TOK, 0, 16);
  }
  if (differ != 0) {
    gcmEnd();
    return ERR_AUTH;
  }
  if ((len & 15) != 0) store<i32>(TAIL2, 1);
  ctr(src, dst, len);
  store<u64>(OUTLEN, done);
  return OK;
}

/**
 * The decrypt pass of a held operation: the chunk at src must equal the held
 * bytes at its position, and a chunk that does not end the data must end
 * where an auth chunk ended whose token was asked for, and show that token.
 * Then the held bytes (not src) are decrypted into dst. A mismatch writes
 * nothing, wipes the context and returns ERR_AUTH, as in the streamed pass.
 */
function cryptHeld(src: usize, dst: usize, len: usize, token: usize, done: u64): i32 {
  const from = <usize>load<u64>(OUTLEN);
  let differ: u32 = 0;
  for (let o: usize = 0; o < len;) {
    const n = holdRun(from + o, len - o);
    differ |= ctDiffer(src + o, HOLD + from + o, n);
    o += n;
  }
  if (done != load<u64>(CTLEN)) {
    // Positions are public (the host chose the chunking): a plain search.
    let found: usize = 0;
    const n = load<i32>(NENDS);
    for (let i = 0; i < n; i++) {
      const e = ENDS + <usize>i * END_BYTES;
      if (load<u64>(e) == done) found = e;
    }
    if (found == 0 || token == 0) differ = 1;
    else differ |= ctDiffer(found + 16, token, GCM_BIND_TOKEN_BYTES);
  }
  if (differ != 0) {
    gcmEnd();
    return ERR_AUTH;
  }
  if ((len & 15) != 0) store<i32>(TAIL2, 1);
  // Every piece but the last is whole blocks (pages are), so ctr's counter
  // runs on as it would over the whole chunk.
  for (let o: usize = 0; o < len;) {
    const n = holdRun(from + o, len - o);
    ctr(HOLD + from + o, dst + o, n);
    o += n;
  }
  store<u64>(OUTLEN, done);
  return OK;
}

/**
 * Decrypt mode: GHASH a ciphertext chunk (no plaintext is produced) and,
 * unless `token` is 0, write the binding token of the position after this
 * chunk there (16 bytes): the decrypt pass presents it back to gcmCrypt for a
 * chunk that ends at the same position.
 */
export function gcmAuth(src: usize, len: usize, token: usize): i32 {
  const phase = load<i32>(PHASE);
  if (load<i32>(DECRYPT) == 0) return ERR_HASH_STATE;
  const adv = enterData(phase);
  if (adv != OK) return adv;
  const st = acceptChunk(len, CTLEN);
  if (st != OK) return st;
  const at = load<u64>(CTLEN);
  const done = at + <u64>len;
  if (load<i32>(HELD) != 0 && !(done <= <u64>GCM_HOLD_BYTES && load<i32>(NENDS) < HOLD_ENDS)) {
    dropHold(); // too long or too many chunks: the streamed pass binds it
  }
  if (load<i32>(HELD) != 0) {
    // Hold a copy and GHASH the copy: what is held is what is authenticated.
    // Pieces end at page ends, which are block ends (at is whole blocks).
    const a = <usize>at;
    for (let o: usize = 0; o < len;) {
      const n = holdRun(a + o, len - o);
      memory.copy(HOLD + a + o, src + o, n);
      ghashPadded(HOLD + a + o, n);
      o += n;
    }
  } else {
    ghashPadded(src, len);
  }
  store<u64>(CTLEN, done);
  if (token == 0) return OK;
  if (load<i32>(HELD) == 0) {
    bindToken(done, token);
    return OK;
  }
  // Held: keep the token released for this position (the decrypt pass compares it).
  const e = ENDS + <usize>load<i32>(NENDS) * END_BYTES;
  store<u64>(e, done);
  bindToken(done, e + 16);
  memory.copy(token, e + 16, GCM_BIND_TOKEN_BYTES);
  store<i32>(NENDS, load<i32>(NENDS) + 1);
  return OK;
}

/**
 * Compute T = MSB_t(E(J0) ^ GHASH(A, C, lengths)) (SP 800-38D Algorithm 4
 * steps 5-6). Encrypt mode: write the tagLen-byte tag at `tag` and end the
 * operation. Decrypt mode: compare with the tag at `tag` in constant time;
 * on a match the operation moves on to decryption, otherwise it is wiped and
 * ERR_AUTH returned.
 */
export function gcmFinish(tag: usize): i32 {
  const phase = load<i32>(PHASE);
  const adv = enterData(phase);
  if (adv != OK) return adv;
  v128.store(YF, v128.load(G)); // Y_F: the accumulator over the whole data
  store<u64>(LENBLK, bswap<u64>(load<u64>(AADLEN) << 3));
  store<u64>(LENBLK + 8, bswap<u64>(load<u64>(CTLEN) << 3));
  ghashBlocks(G, LENBLK, 1);
  ghashOutput(G, TAG);
  // E(J0): counter value of J0 itself.
  keystream(bswap<u32>(load<u32>(J0 + 12)));
  v128.store(TAG, v128.xor(v128.load(TAG), v128.load(KS)));
  memory.fill(KS, 0, 128);
  const tagLen = <usize>load<i32>(TAGLEN);
  if (load<i32>(DECRYPT) == 0) {
    memory.copy(tag, TAG, tagLen);
    gcmEnd();
    return OK;
  }
  if (ctDiffer(TAG, tag, tagLen) != 0) {
    gcmEnd();
    return ERR_AUTH;
  }
  memory.fill(TAG, 0, 16);
  // The decrypt pass GHASHes the ciphertext again, from Y_A.
  v128.store(G, v128.load(YA));
  store<i32>(PHASE, P_VERIFIED);
  return OK;
}
