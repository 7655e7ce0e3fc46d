// PQC1 v2 sessions and frames (docs/pqc1.md sections 4 and 6): traffic keys
// from MS, counters the enclave owns, a key ratchet every `rekey` frames, an
// RFC 6479 receive window, and AES-256-GCM over a private copy of each frame.
//
//   frame = le64(c) || C || tag,  e = floor(c / rekey),
//   nonce = iv XOR (0^4 || be64(c)),  C || tag = GCM(k[e], nonce, le64(c), P)
//
// A session seals only in its own send direction and opens only in its
// receive direction; the host never names a nonce or a direction.
import { OK, ERR_AUTH, PQC_INVALID, PQC_BUFFER, FRAME_REPLAY, FRAME_OLD, FRAME_AHEAD, SESSION_LIMIT } from '../../abi/status';
import { gcmInit, gcmIv, gcmAad, gcmCrypt, gcmAuth, gcmFinish, gcmEnd } from '../aes/gcm';
import { inIO, disjoint } from '../mem';
import { derive } from './kdf';

/**
 * Largest plaintext per frame through the ABI: the plaintext and its frame
 * (24 bytes longer) must both fit in the 64 KiB I/O window without
 * overlapping, so (65536 - 24) / 2.
 */
export const MAX_FRAME_PLAINTEXT: usize = 32756;
export const FRAME_OVERHEAD: usize = 24;
/** Frames up to WINDOW counters behind the highest accepted are accepted once each. */
export const WINDOW: u64 = 192;
/**
 * A frame more than MAX_SKIP epochs ahead of the receiver's key is refused:
 * a forged far-ahead frame then costs at most 64 ratchet steps (one
 * Keccak-f[1600] each) before its tag fails.
 */
export const MAX_SKIP: u32 = 64;
export const ROLE_INITIATOR: u8 = 0;
export const ROLE_RESPONDER: u8 = 1;

// Session layout inside its vault slot (SESSION_BYTES).
const S_ROLE: usize = 0; // u8
const S_HAVE: usize = 1; // u8: 1 once a frame was accepted (top is valid)
const S_PVALID: usize = 2; // u8: 1 once the receive key moved past epoch 0 (S_PKEY holds k[er - 1])
const S_REKEY: usize = 4; // u32: frames per key epoch
const S_LIMIT: usize = 8; // u64: the send counter's limit
const S_SEND: usize = 16; // u64: next send counter
const S_SEPOCH: usize = 24; // u64: epoch of the send key
const S_REPOCH: usize = 32; // u64: epoch of the receive key
const S_TOP: usize = 40; // u64: highest counter accepted
const S_WIN: usize = 48; // 4 x u64: the window's ring of blocks
const S_SKEY: usize = 80; // 32: send key
const S_SIV: usize = 112; // 16: send IV (12 used)
const S_RKEY: usize = 128; // 32: receive key
const S_RIV: usize = 160; // 16: receive IV (12 used)
const S_TH: usize = 176; // 32: the session id TH
const S_PKEY: usize = 208; // 32: the receive key of the previous epoch, for frames reordered across a rekey
export const SESSION_BYTES: usize = 240;
/** Bytes pqc_session_info writes. */
export const INFO_BYTES: usize = 80;

const L_TRAFFIC: usize = memory.data<u8>([0x74, 0x72, 0x61, 0x66, 0x66, 0x69, 0x63]); // "traffic"
const L_I2R_KEY: usize = memory.data<u8>([0x69, 0x32, 0x72, 0x20, 0x6b, 0x65, 0x79]); // "i2r key"
const L_I2R_IV: usize = memory.data<u8>([0x69, 0x32, 0x72, 0x20, 0x69, 0x76]); // "i2r iv"
const L_R2I_KEY: usize = memory.data<u8>([0x72, 0x32, 0x69, 0x20, 0x6b, 0x65, 0x79]); // "r2i key"
const L_R2I_IV: usize = memory.data<u8>([0x72, 0x32, 0x69, 0x20, 0x69, 0x76]); // "r2i iv"
const L_REKEY: usize = memory.data<u8>([0x72, 0x65, 0x6b, 0x65, 0x79]); // "rekey"

const MS: usize = memory.data(32, 16); // secret: wiped after the keys are made
const TK: usize = memory.data(32, 16); // a receive key being tried (secret)
const TP: usize = memory.data(32, 16); // the key of the epoch before it (secret)
const EPOCH: usize = memory.data(8, 16);
const NONCE: usize = memory.data(16, 16);
/**
 * The private copy of a frame being opened: authenticated and decrypted from
 * here, never from the window. It lies inside one 64 KiB page of its own, so
 * that no access to it (the tag at any offset, the kernels' unaligned lanes)
 * straddles a WAVEN page (docs/waven.md), and starts 8 bytes in so that the
 * ciphertext after the 8-byte counter is 16-aligned.
 */
const FRAME: usize = memory.data(65536, 65536) + 8;

/**
 * Fill a session at `s` from HS and TH: MS = Derive(HS, "traffic", TH), then
 * both directions' epoch-0 keys and IVs; the role picks which is sent.
 */
export function sessionInit(s: usize, role: u8, hs: usize, th: usize, rekey: u32, limit: u64): void {
  memory.fill(s, 0, SESSION_BYTES);
  derive(hs, L_TRAFFIC, 7, th, 32, MS, 32);
  const mine = role == ROLE_INITIATOR;
  derive(MS, L_I2R_KEY, 7, 0, 0, s + (mine ? S_SKEY : S_RKEY), 32);
  derive(MS, L_I2R_IV, 6, 0, 0, s + (mine ? S_SIV : S_RIV), 12);
  derive(MS, L_R2I_KEY, 7, 0, 0, s + (mine ? S_RKEY : S_SKEY), 32);
  derive(MS, L_R2I_IV, 6, 0, 0, s + (mine ? S_RIV : S_SIV), 12);
  memory.fill(MS, 0, 32);
  store<u8>(s, role, S_ROLE);
  store<u32>(s, rekey, S_REKEY);
  store<u64>(s, limit, S_LIMIT);
  memory.copy(s + S_TH, th, 32);
}

/** k[e + 1] = Derive(k[e], "rekey", le64(e + 1), 32), in place at `key`. */
function ratchet(key: usize, toEpoch: u64): void {
  store<u64>(EPOCH, toEpoch);
  derive(key, L_REKEY, 5, EPOCH, 8, key, 32);
}

/** nonce = iv XOR (0^4 || be64(c)) (TLS 1.3's per-record nonce). */
function nonceFor(iv: usize, c: u64): void {
  memory.copy(NONCE, iv, 12);
  store<u64>(NONCE + 4, load<u64>(NONCE + 4) ^ bswap<u64>(c));
}

/**
 * Seal `len` bytes at `src` into `out` (len + 24 bytes): the frame's length,
 * or PQC_INVALID / PQC_BUFFER / SESSION_LIMIT. The counter advances only on success.
 */
export function seal(s: usize, src: usize, len: usize, out: usize, outLen: usize): i32 {
  if (len > MAX_FRAME_PLAINTEXT || !inIO(src, len)) return PQC_INVALID;
  const total = len + FRAME_OVERHEAD;
  if (outLen < total) return PQC_BUFFER;
  if (!inIO(out, total) || !disjoint(src, len, out, total)) return PQC_INVALID;
  const c = load<u64>(s, S_SEND);
  if (c >= load<u64>(s, S_LIMIT)) return SESSION_LIMIT;
  const e = c / <u64>load<u32>(s, S_REKEY);
  for (let at = load<u64>(s, S_SEPOCH); at < e; at++) ratchet(s + S_SKEY, at + 1);
  store<u64>(s, e, S_SEPOCH);
  nonceFor(s + S_SIV, c);
  store<u64>(out, c);
  gcmInit(s + S_SKEY, 32, 16, 0);
  gcmIv(NONCE, 12);
  gcmAad(out, 8);
  gcmCrypt(src, out + 8, len, 0);
  gcmFinish(out + 8 + len);
  store<u64>(s, c + 1, S_SEND);
  return <i32>total;
}

/** Whether counter c passes the window: OK, FRAME_REPLAY or FRAME_OLD (RFC 6479). */
function windowCheck(s: usize, c: u64): i32 {
  if (load<u8>(s, S_HAVE) == 0) return OK;
  const top = load<u64>(s, S_TOP);
  if (c > top) return OK;
  if (top - c >= WINDOW) return FRAME_OLD;
  const block = s + S_WIN + <usize>(((c >> 6) & 3) << 3);
  return (load<u64>(block) >> (c & 63)) & 1 ? FRAME_REPLAY : OK;
}

/** Mark counter c accepted, moving the window forward when c is past the top. */
function windowMark(s: usize, c: u64): void {
  const have = load<u8>(s, S_HAVE) != 0;
  const top = load<u64>(s, S_TOP);
  if (!have || c > top) {
    // Clear the blocks the top moves into (all four on the first frame or a far jump).
    let n: u64 = have ? (c >> 6) - (top >> 6) : 4;
    if (n > 4) n = 4;
    for (let i: u64 = 0; i < n; i++) store<u64>(s + S_WIN + <usize>((((c >> 6) - i) & 3) << 3), 0);
    store<u64>(s, c, S_TOP);
    store<u8>(s, 1, S_HAVE);
  }
  const block = s + S_WIN + <usize>(((c >> 6) & 3) << 3);
  store<u64>(block, load<u64>(block) | (<u64>1 << (c & 63)));
}

/**
 * Open a frame of `len` bytes at `src` into `out`: the plaintext's length, or
 * PQC_INVALID / PQC_BUFFER / FRAME_REPLAY / FRAME_OLD / FRAME_AHEAD /
 * ERR_AUTH. The frame is copied once into enclave memory; the tag is checked
 * on that copy and the plaintext decrypted from it, so nothing the host
 * changes afterwards is ever decrypted. A refused frame changes nothing.
 */
export function open(s: usize, src: usize, len: usize, out: usize, outLen: usize): i32 {
  if (len < FRAME_OVERHEAD || len - FRAME_OVERHEAD > MAX_FRAME_PLAINTEXT || !inIO(src, len)) return PQC_INVALID;
  const n = len - FRAME_OVERHEAD;
  if (outLen < n) return PQC_BUFFER;
  if (!inIO(out, n) || !disjoint(src, len, out, n)) return PQC_INVALID;
  memory.copy(FRAME, src, len);
  const c = load<u64>(FRAME);
  const w = windowCheck(s, c);
  if (w != OK) return w;
  const e = c / <u64>load<u32>(s, S_REKEY);
  const er = load<u64>(s, S_REPOCH);
  // The previous epoch's key stays for frames reordered across a rekey (inside the window).
  const previous = e + 1 == er && load<u8>(s, S_PVALID) != 0;
  if (previous) {
    memory.copy(TK, s + S_PKEY, 32);
  } else {
    if (e < er) return FRAME_OLD;
    if (e > er + <u64>MAX_SKIP) return FRAME_AHEAD;
    memory.copy(TK, s + S_RKEY, 32);
    for (let at = er; at < e; at++) {
      memory.copy(TP, TK, 32);
      ratchet(TK, at + 1);
    }
  }
  nonceFor(s + S_RIV, c);
  gcmInit(TK, 32, 16, 1);
  gcmIv(NONCE, 12);
  gcmAad(FRAME, 8);
  gcmAuth(FRAME + 8, n, 0);
  if (gcmFinish(FRAME + 8 + n) != OK) {
    memory.fill(TK, 0, 32);
    memory.fill(TP, 0, 32);
    memory.fill(FRAME, 0, len);
    return ERR_AUTH;
  }
  windowMark(s, c);
  if (!previous && e > er) {
    // Move forward: k[e - 1] becomes the previous key; every older key is gone.
    memory.copy(s + S_PKEY, TP, 32);
    store<u8>(s, 1, S_PVALID);
    memory.copy(s + S_RKEY, TK, 32);
    store<u64>(s, e, S_REPOCH);
  }
  memory.fill(TK, 0, 32);
  memory.fill(TP, 0, 32);
  // One chunk, the one just authenticated: gcmCrypt checks it against Y_F and decrypts.
  const st = gcmCrypt(FRAME + 8, out, n, 0);
  gcmEnd();
  memory.fill(FRAME, 0, len);
  if (st != OK) {
    memory.fill(out, 0, n);
    return st;
  }
  return <i32>n;
}

/**
 * The public state of a session into `out` (INFO_BYTES = 80): TH (32), role
 * u8, state u8 (3: session), 6 zero bytes, send counter le64 @40, receive top
 * le64 @48 (0 before any frame), send epoch le64 @56, receive epoch le64 @64,
 * rekey le32 @72, 4 zero bytes.
 */
export function info(s: usize, out: usize): void {
  memory.fill(out, 0, INFO_BYTES);
  memory.copy(out, s + S_TH, 32);
  store<u8>(out, load<u8>(s, S_ROLE), 32);
  store<u8>(out, 3, 33);
  store<u64>(out, load<u64>(s, S_SEND), 40);
  store<u64>(out, load<u64>(s, S_TOP), 48);
  store<u64>(out, load<u64>(s, S_SEPOCH), 56);
  store<u64>(out, load<u64>(s, S_REPOCH), 64);
  store<u32>(out, load<u32>(s, S_REKEY), 72);
}
