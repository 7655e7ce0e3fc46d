// Decryption bound to the authenticated bytes (docs/gcm.md, "Decryption bound
// to the authenticated bytes"; issue 13, point 5).
//
// At the ABI, on the plain and on the WAVEN module: C is authenticated with
// gcm_auth (in several chunks, collecting the binding tokens, and in one
// chunk), the tag is checked, and then the decrypt pass presents C' (a bit
// flipped in the first, a middle and the last chunk; chunks swapped,
// duplicated or taken from another operation with the same key and IV; a
// token from another position or another operation, or none; other chunk
// boundaries). Each must be ERR_AUTH at the first chunk that differs, with
// dst untouched (filled with a marker first; in place: the source unchanged),
// and the context wiped (a further gcm_crypt is refused, H and the key are
// gone from memory). The unmodified pass decrypts to node:crypto's plaintext;
// the token is checked against the documented construction
// (SHAKE256("awre-gcm-bind-v1" || H || le64(serial) || le64(count) || Y));
// random cases with random chunkings match node:crypto and refuse a random
// tampering.
// Through gcm(): a ciphertext in a SharedArrayBuffer that another party
// changes after the first pass has begun decrypts to the original plaintext
// (the host took one private copy), never to the plaintext of the changed
// bytes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { shake256 } from '@noble/hashes/sha3.js';
import { AwreError, Enclave, defaultEnclave, gcm, readModule } from '../host/index.js';
import * as S from '../abi/status.js';
import { aesBlock, bigToBlock, blockToBig, gfMul, nodeDecrypt, nodeEncrypt } from './helpers/gcm-ref.js';
import { bytesToHex, concat, equalBytes, indexOfBytes } from './helpers/hex.js';
import { DEFAULT_SEED, Prng } from './helpers/prng.js';

const hex = bytesToHex;
const KiB = 1024;

// I/O window layout of the ABI tests.
const A = { KEY: 0, IV: 64, AAD: 256, TAG: 800, TOK: 832, SRC: 1024, DST: 33792 } as const;
const MAX_CHUNK = 24 * KiB; // SRC and DST each hold one chunk
const MARK = 0x5a;

interface Msg {
  key: Uint8Array;
  iv: Uint8Array;
  aad: Uint8Array;
  pt: Uint8Array;
  ct: Uint8Array;
  tag: Uint8Array;
  tagLength: number;
}

function encryptWith(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, pt: Uint8Array, tagLength = 16): Msg {
  const out = nodeEncrypt(key, iv, aad, pt, tagLength);
  return { key, iv, aad, pt, ct: out.subarray(0, pt.length), tag: out.subarray(pt.length), tagLength };
}

function makeMsg(rng: Prng, n: number, keyLen = 32, ivLen = 12, aadLen = 20, tagLength = 16): Msg {
  return encryptWith(rng.bytes(keyLen), rng.bytes(ivLen), rng.bytes(aadLen), rng.bytes(n), tagLength);
}

/** A copy of `b` with bit `bit` (0 = LSB of byte 0) flipped. */
function flip(b: Uint8Array, bit: number): Uint8Array {
  const c = b.slice();
  c[bit >> 3]! ^= 1 << (bit & 7);
  return c;
}

const MODES = [
  { name: 'plain module', make: () => new Enclave(readModule()) },
  { name: 'WAVEN module', make: () => new Enclave(readModule('enclave.waven.wasm'), { mmu: 'waven' }) },
] as const;

/**
 * The enclave holds a decryption's ciphertext while it fits in 1 MiB and came
 * in at most HOLD_ENDS auth chunks that asked for a token (docs/gcm.md, "Held
 * messages"); past that it drops the copy and the decrypt pass GHASHes again
 * (streamed). Every ABI test below runs both ways: `streamed` opens each
 * decryption with HOLD_ENDS + 1 empty auth chunks that ask for a token, which
 * changes no position and no GHASH state but leaves the held path.
 */
const HOLD_ENDS = 64;
const HOLD_BYTES = 1 << 20;
const PATHS = ['held', 'streamed'] as const;
let streamed = false;

/** gcm_init (key wiped from the window at once), IV and AAD. */
function begin(e: Enclave, m: Msg, decrypt: boolean): void {
  const x = e.exports;
  expect(x.gcm_init(e.put(A.KEY, m.key), m.key.length, m.tagLength, decrypt ? 1 : 0)).toBe(S.OK);
  e.wipe(A.KEY, 32);
  expect(x.gcm_iv(e.put(A.IV, m.iv), m.iv.length)).toBe(S.OK);
  expect(x.gcm_aad(e.put(A.AAD, m.aad), m.aad.length)).toBe(S.OK);
  if (decrypt && streamed) {
    for (let i = 0; i <= HOLD_ENDS; i++) expect(x.gcm_auth(e.io + A.SRC, 0, e.io + A.TOK)).toBe(S.OK);
  }
}

/** The auth pass over `ct`, chunks ending at `ends` (the last is ct.length); the token after each chunk (null without). */
function authPass(e: Enclave, ct: Uint8Array, ends: number[], withTokens = true): (Uint8Array | null)[] {
  const tokens: (Uint8Array | null)[] = [];
  let at = 0;
  for (const end of ends) {
    const part = ct.subarray(at, end);
    expect(part.length).toBeLessThanOrEqual(MAX_CHUNK);
    e.put(A.SRC, part);
    expect(e.exports.gcm_auth(e.io + A.SRC, part.length, withTokens ? e.io + A.TOK : 0)).toBe(S.OK);
    tokens.push(withTokens ? e.get(A.TOK, 16) : null);
    at = end;
  }
  expect(at).toBe(ct.length);
  return tokens;
}

function finish(e: Enclave, m: Msg): number {
  const padded = new Uint8Array(16);
  padded.set(m.tag);
  return e.exports.gcm_finish(e.put(A.TAG, padded));
}

/** One decrypt-pass chunk: src in SRC, dst in DST filled with MARK (or in place). */
function cryptChunk(e: Enclave, bytes: Uint8Array, token: Uint8Array | null, inPlace: boolean): { st: number; out: Uint8Array; untouched: boolean } {
  e.put(A.SRC, bytes);
  const dst = inPlace ? A.SRC : A.DST;
  if (!inPlace) e.put(A.DST, new Uint8Array(bytes.length + 16).fill(MARK));
  const tp = token === null ? 0 : e.put(A.TOK, token);
  const st = e.exports.gcm_crypt(e.io + A.SRC, e.io + dst, bytes.length, tp);
  const out = e.get(dst, bytes.length);
  const untouched = inPlace ? equalBytes(out, bytes) : e.get(A.DST, bytes.length + 16).every((b) => b === MARK);
  return { st, out, untouched };
}

/** A decrypt-pass chunk: the bytes presented for [at, at + bytes.length) and the token presented with them. */
interface Piece { at: number; bytes: Uint8Array; token: Uint8Array | null }

/** The genuine decrypt pass for auth chunks ending at `ends`: each chunk with the token of its end (none for the last). */
function genuine(m: Msg, ends: number[], tokens: (Uint8Array | null)[]): Piece[] {
  return ends.map((end, i) => {
    const at = i === 0 ? 0 : ends[i - 1]!;
    return { at, bytes: m.ct.subarray(at, end), token: i < ends.length - 1 ? tokens[i]! : null };
  });
}

/**
 * Authenticate m.ct at `authEnds`, check the tag, then present `pieces(tokens)`.
 * failAt undefined: every piece decrypts to node's plaintext. Otherwise the
 * pieces before failAt decrypt correctly and piece failAt is ERR_AUTH with dst
 * untouched; then the context is wiped.
 */
function run(e: Enclave, m: Msg, authEnds: number[], pieces: (tokens: (Uint8Array | null)[]) => Piece[], failAt: number | undefined, inPlace: boolean): void {
  begin(e, m, true);
  const tokens = authPass(e, m.ct, authEnds);
  expect(finish(e, m), 'the tag of the authenticated ciphertext').toBe(S.OK);
  const ps = pieces(tokens);
  const last = failAt ?? ps.length;
  for (let i = 0; i < last; i++) {
    const p = ps[i]!;
    const r = cryptChunk(e, p.bytes, p.token, inPlace);
    expect(r.st, `piece ${i} at ${p.at}`).toBe(S.OK);
    expect(hex(r.out), `plaintext of piece ${i}`).toBe(hex(m.pt.subarray(p.at, p.at + p.bytes.length)));
  }
  if (failAt === undefined) {
    e.exports.gcm_end();
    return;
  }
  const bad = ps[failAt]!;
  const r = cryptChunk(e, bad.bytes, bad.token, inPlace);
  expect(r.st, `piece ${failAt} at ${bad.at} must be refused`).toBe(S.ERR_AUTH);
  expect(r.untouched, 'dst untouched by the refused chunk').toBe(true);
  expectWiped(e, m, bad.at, inPlace);
}

/** After a refusal: the operation is gone (the genuine next chunk is refused, untouched) and so are H and the key. */
function expectWiped(e: Enclave, m: Msg, at: number, inPlace: boolean): void {
  const end = Math.min(m.ct.length, at + 16 * 8);
  const r = cryptChunk(e, m.ct.subarray(at, end), null, inPlace);
  expect(r.st, 'a further gcm_crypt after the refusal').toBe(S.ERR_HASH_STATE);
  expect(r.untouched, 'dst untouched by the further gcm_crypt').toBe(true);
  expect(finish(e, m), 'gcm_finish after the refusal').toBe(S.ERR_HASH_STATE);
  const mem = e.memory();
  expect(indexOfBytes(mem, aesBlock(m.key, new Uint8Array(16))), 'H left in memory').toBe(-1);
  expect(indexOfBytes(mem, m.key), 'key left in memory').toBe(-1);
}

/** The token the documentation specifies, computed here with @noble/hashes and a GF(2^128) model. */
function modelToken(m: Msg, serial: bigint, count: number): Uint8Array {
  const h = blockToBig(aesBlock(m.key, new Uint8Array(16)));
  let y = 0n;
  const ghash = (data: Uint8Array) => {
    for (let i = 0; i < data.length; i += 16) {
      const blk = new Uint8Array(16);
      blk.set(data.subarray(i, Math.min(i + 16, data.length)));
      y = gfMul(y ^ blockToBig(blk), h);
    }
  };
  ghash(m.aad);
  ghash(m.ct.subarray(0, count));
  const input = new Uint8Array(64);
  input.set(new TextEncoder().encode('awre-gcm-bind-v1'), 0);
  input.set(bigToBlock(h), 16);
  const dv = new DataView(input.buffer);
  dv.setBigUint64(32, serial, true);
  dv.setBigUint64(40, BigInt(count), true);
  input.set(bigToBlock(y), 48);
  return shake256(input, { dkLen: 16 });
}

for (const mode of MODES) for (const path of PATHS) {
  describe(`gcm_crypt is bound to the bytes gcm_auth authenticated (${mode.name}, ${path})`, () => {
    beforeEach(() => { streamed = path === 'streamed'; });
    afterEach(() => { streamed = false; });
    const rng = new Prng(`${DEFAULT_SEED}/gcm-binding/${mode.name}`);
    // Five auth chunks: four of 4 KiB and a partial-block last one.
    const N = 4 * 4096 + 1234;
    const ENDS = [4096, 8192, 12288, 16384, N];
    const m = makeMsg(rng, N);
    // The same key, IV and AAD, another plaintext.
    const other = encryptWith(m.key, m.iv, m.aad, rng.bytes(N));

    it('the token is SHAKE256("awre-gcm-bind-v1" || H || le64(serial) || le64(count) || Y)[0..16], serial counting every gcm_init', () => {
      const e = mode.make(); // a fresh instance: its first gcm_init is serial 1
      for (const serial of [1n, 2n]) {
        begin(e, m, true);
        const tokens = authPass(e, m.ct, ENDS);
        tokens.forEach((t, i) => expect(hex(t!), `token ${i} of operation ${serial}`).toBe(hex(modelToken(m, serial, ENDS[i]!))));
        e.exports.gcm_end();
      }
      // A refused gcm_init counts as well; an encrypt operation too.
      expect(e.exports.gcm_init(e.io, 5, 16, 1)).toBe(S.ERR_ARG);
      begin(e, m, false);
      e.exports.gcm_end();
      begin(e, m, true);
      expect(hex(authPass(e, m.ct, ENDS)[0]!)).toBe(hex(modelToken(m, 5n, 4096)));
      e.exports.gcm_end();
    });

    for (const inPlace of [false, true]) {
      const where = inPlace ? 'in place' : 'into another buffer';

      it(`unmodified passes decrypt to node's plaintext (${where}): chunk by chunk, merged chunks, one chunk`, () => {
        const e = mode.make();
        expect(hex(nodeDecrypt(m.key, m.iv, m.aad, concat(m.ct, m.tag))!)).toBe(hex(m.pt));
        run(e, m, ENDS, (t) => genuine(m, ENDS, t), undefined, inPlace);
        // Decrypt chunks that end at auth boundaries but merge several auth chunks.
        run(e, m, ENDS, (t) => [
          { at: 0, bytes: m.ct.subarray(0, 4096), token: t[0]! },
          { at: 4096, bytes: m.ct.subarray(4096, 12288), token: t[2]! },
          { at: 12288, bytes: m.ct.subarray(12288), token: null },
        ], undefined, inPlace);
        run(e, m, ENDS, () => [{ at: 0, bytes: m.ct, token: null }], undefined, inPlace);
        // One auth chunk, one decrypt chunk, no tokens at all.
        const s = makeMsg(rng, 1000, 16, 15, 3, 12);
        begin(e, s, true);
        authPass(e, s.ct, [s.ct.length], false);
        expect(finish(e, s)).toBe(S.OK);
        const r = cryptChunk(e, s.ct, null, inPlace);
        expect(r.st).toBe(S.OK);
        expect(hex(r.out)).toBe(hex(s.pt));
        e.exports.gcm_end();
        // The empty message: an empty auth chunk and an empty decrypt chunk.
        const z = makeMsg(rng, 0);
        run(e, z, [0], (t) => genuine(z, [0], t), undefined, inPlace);
      });

      it(`a bit flipped in the first, a middle or the last chunk is ERR_AUTH there, dst untouched, context wiped (${where})`, () => {
        const e = mode.make();
        const flipped = (i: number, bit: number) => (t: (Uint8Array | null)[]) => {
          const ps = genuine(m, ENDS, t);
          ps[i] = { ...ps[i]!, bytes: flip(ps[i]!.bytes, bit) };
          return ps;
        };
        run(e, m, ENDS, flipped(0, 0), 0, inPlace);
        run(e, m, ENDS, flipped(0, 4096 * 8 - 1), 0, inPlace);
        run(e, m, ENDS, flipped(2, 1234), 2, inPlace);
        run(e, m, ENDS, flipped(4, 0), 4, inPlace);
        run(e, m, ENDS, flipped(4, 1234 * 8 - 1), 4, inPlace); // the last bit of the partial last block
        // A flipped bit in the token of a genuine chunk.
        run(e, m, ENDS, (t) => { const ps = genuine(m, ENDS, t); ps[1] = { ...ps[1]!, token: flip(ps[1]!.token!, 77) }; return ps; }, 1, inPlace);
        // All chunks merged into one, with one bit flipped: checked against Y_F.
        run(e, m, ENDS, () => [{ at: 0, bytes: flip(m.ct, 5000 * 8 + 3), token: null }], 0, inPlace);
      });

      it(`chunks swapped, duplicated, or taken from another operation with the same key and IV: ERR_AUTH (${where})`, () => {
        const e = mode.make();
        // Chunks 1 and 2 swapped, the tokens left by position.
        run(e, m, ENDS, (t) => { const ps = genuine(m, ENDS, t); [ps[1], ps[2]] = [{ ...ps[1]!, bytes: ps[2]!.bytes }, { ...ps[2]!, bytes: ps[1]!.bytes }]; return ps; }, 1, inPlace);
        // Chunks 1 and 2 swapped together with their tokens.
        run(e, m, ENDS, (t) => { const ps = genuine(m, ENDS, t); [ps[1], ps[2]] = [{ ...ps[2]!, at: 4096 }, { ...ps[1]!, at: 8192 }]; return ps; }, 1, inPlace);
        // Chunk 1 presented again at position 2, with token 1 and with token 2.
        run(e, m, ENDS, (t) => { const ps = genuine(m, ENDS, t); ps[2] = { ...ps[2]!, bytes: ps[1]!.bytes }; return ps; }, 2, inPlace);
        run(e, m, ENDS, (t) => { const ps = genuine(m, ENDS, t); ps[2] = { ...ps[1]!, at: 8192 }; return ps; }, 2, inPlace);
        // The first and the last chunk swapped (different lengths: the last is a whole prefix of the other).
        run(e, m, ENDS, (t) => { const ps = genuine(m, ENDS, t); ps[4] = { ...ps[4]!, bytes: m.ct.subarray(0, 1234) }; return ps; }, 4, inPlace);
        // Another operation's ciphertext (same key, IV, AAD) at chunk 0, 2 and 4, with this operation's tokens.
        for (const i of [0, 2, 4]) {
          run(e, m, ENDS, (t) => { const ps = genuine(m, ENDS, t); ps[i] = { ...ps[i]!, bytes: other.ct.subarray(ps[i]!.at, ps[i]!.at + ps[i]!.bytes.length) }; return ps; }, i, inPlace);
        }
        // ... and with that operation's own tokens (from a full auth pass of it just before).
        begin(e, other, true);
        const otherTokens = authPass(e, other.ct, ENDS);
        expect(finish(e, other)).toBe(S.OK);
        e.exports.gcm_end();
        run(e, m, ENDS, (t) => { const ps = genuine(m, ENDS, t); ps[2] = genuine(other, ENDS, otherTokens)[2]!; return ps; }, 2, inPlace);
        run(e, m, ENDS, () => genuine(other, ENDS, otherTokens), 0, inPlace);
      });

      it(`a token from another position or another operation (same key, IV and ciphertext), or none: ERR_AUTH (${where})`, () => {
        const e = mode.make();
        run(e, m, ENDS, (t) => { const ps = genuine(m, ENDS, t); ps[0] = { ...ps[0]!, token: t[1]! }; return ps; }, 0, inPlace);
        run(e, m, ENDS, (t) => { const ps = genuine(m, ENDS, t); ps[1] = { ...ps[1]!, token: t[0]! }; return ps; }, 1, inPlace);
        run(e, m, ENDS, (t) => { const ps = genuine(m, ENDS, t); ps[3] = { ...ps[3]!, token: null }; return ps; }, 3, inPlace);
        run(e, m, ENDS, (t) => { const ps = genuine(m, ENDS, t); ps[2] = { ...ps[2]!, token: new Uint8Array(16) }; return ps; }, 2, inPlace);
        // Tokens of an earlier operation over the very same C (same key, IV, AAD): only the serial differs.
        begin(e, m, true);
        const old = authPass(e, m.ct, ENDS);
        expect(finish(e, m)).toBe(S.OK);
        e.exports.gcm_end();
        run(e, m, ENDS, () => genuine(m, ENDS, old), 0, inPlace);
        run(e, m, ENDS, (t) => { const ps = genuine(m, ENDS, t); ps[3] = { ...ps[3]!, token: old[3]! }; return ps; }, 3, inPlace);
      });

      it(`decrypt chunks that end where no auth chunk ended: ERR_AUTH (${where})`, () => {
        const e = mode.make();
        // The first chunk cut short (with the token of its auth chunk, with none).
        run(e, m, ENDS, (t) => [{ at: 0, bytes: m.ct.subarray(0, 2048), token: t[0]! }], 0, inPlace);
        run(e, m, ENDS, () => [{ at: 0, bytes: m.ct.subarray(0, 2048), token: null }], 0, inPlace);
        // A chunk that runs past an auth boundary to a position where none ended.
        run(e, m, ENDS, (t) => [
          { at: 0, bytes: m.ct.subarray(0, 4096), token: t[0]! },
          { at: 4096, bytes: m.ct.subarray(4096, 10240), token: t[1]! },
        ], 1, inPlace);
        run(e, m, ENDS, (t) => [
          { at: 0, bytes: m.ct.subarray(0, 4096), token: t[0]! },
          { at: 4096, bytes: m.ct.subarray(4096, 10240), token: t[2]! },
        ], 1, inPlace);
        // One auth chunk, a decrypt pass in two: the first has no token to show.
        const s = makeMsg(rng, 3000);
        run(e, s, [3000], () => [{ at: 0, bytes: s.ct.subarray(0, 1024), token: null }, { at: 1024, bytes: s.ct.subarray(1024), token: null }], 0, inPlace);
        // One auth chunk and one decrypt chunk of another ciphertext (bit flipped; another operation's).
        run(e, s, [3000], () => [{ at: 0, bytes: flip(s.ct, 12_000), token: null }], 0, inPlace);
        const s2 = encryptWith(s.key, s.iv, s.aad, rng.bytes(3000));
        run(e, s, [3000], () => [{ at: 0, bytes: s2.ct, token: null }], 0, inPlace);
      });
    }

    it('a message longer than the I/O window (100,000 bytes in 16 KiB chunks): decrypts; a flipped bit in chunk 4 is refused there', () => {
      const e = mode.make();
      const big = makeMsg(rng, 100_000, 16, 12, 0);
      const ends = [16384, 32768, 49152, 65536, 81920, 98304, 100_000];
      run(e, big, ends, (t) => genuine(big, ends, t), undefined, false);
      run(e, big, ends, (t) => { const ps = genuine(big, ends, t); ps[4] = { ...ps[4]!, bytes: flip(ps[4]!.bytes, 9999) }; return ps; }, 4, true);
    });

    it('a message past the hold (1 MiB + 100 bytes in 24 KiB chunks): held for its first chunks, then streamed; a flipped bit in a held chunk is refused there', () => {
      const e = mode.make();
      const big = makeMsg(rng, HOLD_BYTES + 100, 32, 12, 5);
      const ends: number[] = [];
      for (let at = MAX_CHUNK; at < big.ct.length; at += MAX_CHUNK) ends.push(at);
      ends.push(big.ct.length);
      run(e, big, ends, (t) => genuine(big, ends, t), undefined, false);
      run(e, big, ends, (t) => { const ps = genuine(big, ends, t); ps[2] = { ...ps[2]!, bytes: flip(ps[2]!.bytes, 77) }; return ps; }, 2, true);
      run(e, big, ends, (t) => { const ps = genuine(big, ends, t); ps[3] = { ...ps[3]!, token: t[4]! }; return ps; }, 3, false);
    });

    it('no copy of the ciphertext is left in memory after gcm_end, after a refusal, or after a wrong tag', () => {
      const e = mode.make();
      const pieces = [0, 4096, 9000, N - 64].map((at) => m.ct.subarray(at, at + 64));
      const expectGone = (what: string) => {
        e.wipe(0, e.ioBytes); // the test's own copies in the window
        const mem = e.memory();
        for (const p of pieces) expect(indexOfBytes(mem, p), `${what}: ciphertext left in memory`).toBe(-1);
      };
      run(e, m, ENDS, (t) => genuine(m, ENDS, t), undefined, false);
      expectGone('after gcm_end');
      run(e, m, ENDS, (t) => { const ps = genuine(m, ENDS, t); ps[3] = { ...ps[3]!, bytes: flip(ps[3]!.bytes, 5) }; return ps; }, 3, false);
      expectGone('after a refused chunk');
      begin(e, m, true);
      authPass(e, m.ct, ENDS);
      const badTag = flip(m.tag, 3);
      expect(finish(e, { ...m, tag: badTag })).toBe(S.ERR_AUTH);
      expectGone('after a wrong tag');
    });

    it('the existing rules hold: chunking, length, phases, token pointers (ERR_ARG leaves the operation intact)', () => {
      const e = mode.make();
      const x = e.exports;
      begin(e, m, true);
      e.put(A.SRC, m.ct.subarray(0, 4096));
      // A token overlapping src, outside the window, straddling its end: ERR_ARG, nothing written.
      expect(x.gcm_auth(e.io + A.SRC, 4096, e.io + A.SRC + 4080)).toBe(S.ERR_ARG);
      expect(x.gcm_auth(e.io + A.SRC, 4096, 1)).toBe(S.ERR_ARG);
      expect(x.gcm_auth(e.io + A.SRC, 4096, e.io + e.ioBytes - 8)).toBe(S.ERR_ARG);
      expect(x.gcm_crypt(e.io + A.SRC, e.io + A.SRC, 4096, 0), 'no decrypt before the tag').toBe(S.ERR_HASH_STATE);
      const tokens = authPass(e, m.ct, ENDS);
      expect(finish(e, m)).toBe(S.OK);
      // A token overlapping dst, or outside the window: ERR_ARG, dst untouched, the operation goes on.
      e.put(A.SRC, m.ct.subarray(0, 4096));
      e.put(A.DST, new Uint8Array(4096).fill(MARK));
      expect(x.gcm_crypt(e.io + A.SRC, e.io + A.DST, 4096, e.put(A.DST + 100, tokens[0]!))).toBe(S.ERR_ARG);
      expect(x.gcm_crypt(e.io + A.SRC, e.io + A.SRC, 4096, e.io - 16)).toBe(S.ERR_ARG);
      expect(e.get(A.DST + 116, 4096 - 116).every((b) => b === MARK)).toBe(true);
      expect(hex(e.get(A.SRC, 4096))).toBe(hex(m.ct.subarray(0, 4096)));
      // A chunk that is not whole blocks before the end; more than was authenticated: ERR_ARG (as before).
      const r0 = cryptChunk(e, m.ct.subarray(0, 4096), tokens[0]!, false);
      expect(r0.st).toBe(S.OK);
      expect(hex(r0.out)).toBe(hex(m.pt.subarray(0, 4096)));
      e.put(A.SRC, m.ct.subarray(4096));
      expect(x.gcm_crypt(e.io + A.SRC, e.io + A.SRC, N - 4096 + 1, 0)).toBe(S.ERR_ARG);
      const rest = cryptChunk(e, m.ct.subarray(4096), null, true);
      expect(rest.st).toBe(S.OK);
      expect(hex(rest.out)).toBe(hex(m.pt.subarray(4096)));
      x.gcm_end();
      // Encrypt mode ignores the token argument (any value) and writes none.
      begin(e, m, false);
      e.put(A.SRC, m.pt);
      expect(x.gcm_crypt(e.io + A.SRC, e.io + A.SRC, 0, 1)).toBe(S.OK);
      expect(x.gcm_crypt(e.io + A.SRC, e.io + A.SRC, N, e.io + A.SRC)).toBe(S.OK);
      expect(x.gcm_auth(e.io + A.SRC, 0, 0), 'gcm_auth in encrypt mode').toBe(S.ERR_HASH_STATE);
      expect(x.gcm_finish(e.io + A.TAG)).toBe(S.OK);
      expect(hex(concat(e.get(A.SRC, N), e.get(A.TAG, 16)))).toBe(hex(concat(m.ct, m.tag)));
    });

    it(`random keys, IVs, AADs, lengths and chunkings: the decrypt pass matches node:crypto, and a random tampering is refused at its chunk`, () => {
      const e = mode.make();
      const r = new Prng(`${DEFAULT_SEED}/gcm-binding/random/${mode.name}`);
      const cases = mode.name === 'plain module' ? 1500 : 300;
      let refused = 0;
      for (let c = 0; c < cases; c++) {
        const keyLen = [16, 24, 32][r.int(3)]!;
        const ivLen = r.int(3) === 0 ? 1 + r.int(40) : 12;
        const n = r.int(8) === 0 ? r.int(60_000) : r.int(2000);
        const cm = makeMsg(r, n, keyLen, ivLen, r.int(4) === 0 ? 0 : r.int(100), [4, 8, 12, 13, 14, 15, 16][r.int(7)]!);
        // Auth chunks: whole blocks (sometimes empty) but the last, at most MAX_CHUNK.
        const ends: number[] = [];
        for (let at = 0; ;) {
          const len = Math.min(16 * r.int(r.int(2) === 0 ? 8 : MAX_CHUNK / 16 + 1), n - at);
          if (n - at <= MAX_CHUNK && r.int(3) === 0) { ends.push(n); break; }
          at += len;
          if (at === n) { ends.push(n); break; }
          ends.push(at);
        }
        const what = `case ${c}: n=${n} key=${keyLen} iv=${ivLen} tag=${cm.tagLength} auth ends=${ends.join(',')}`;
        // Decrypt chunks: end at a random subset of the auth ends (always the last), each at most MAX_CHUNK.
        const dEnds: number[] = [];
        const positions = [...new Set(ends)];
        for (let i = 0; i < positions.length; i++) {
          const p = positions[i]!;
          const from = dEnds.length === 0 ? 0 : dEnds[dEnds.length - 1]!;
          const next = positions[i + 1];
          if (p === n || (next !== undefined && next - from > MAX_CHUNK) || r.int(2) === 0) dEnds.push(p);
        }
        const tamper = r.int(3) === 0 && n > 0 ? r.int(8 * n) : -1;
        const tamperAt = tamper < 0 ? undefined : dEnds.findIndex((end) => end > tamper >> 3);
        begin(e, cm, true);
        const tokens = authPass(e, cm.ct, ends);
        expect(finish(e, cm), what).toBe(S.OK);
        const tokenAt = new Map(ends.map((end, i) => [end, tokens[i]!]));
        const out = new Uint8Array(n);
        let from = 0;
        for (let i = 0; i < dEnds.length; i++) {
          const end = dEnds[i]!;
          let bytes = cm.ct.subarray(from, end);
          if (i === tamperAt) bytes = flip(bytes, tamper - 8 * from);
          const res = cryptChunk(e, bytes, end === n ? null : tokenAt.get(end)!, r.int(2) === 0);
          if (i === tamperAt) {
            expect(res.st, `${what}: bit ${tamper} flipped`).toBe(S.ERR_AUTH);
            expect(res.untouched, what).toBe(true);
            refused++;
            break;
          }
          expect(res.st, `${what}: decrypt chunk ${i} [${from}, ${end})`).toBe(S.OK);
          out.set(res.out, from);
          from = end;
        }
        if (tamperAt === undefined) expect(hex(out), what).toBe(hex(nodeDecrypt(cm.key, cm.iv, cm.aad, concat(cm.ct, cm.tag), cm.tagLength)!));
        e.exports.gcm_end();
      }
      expect(refused, 'tampered cases').toBeGreaterThan(cases / 5);
    });
  });
}

// ---- through gcm(): a SharedArrayBuffer changed between the passes ----------------------------

describe('gcm().decrypt: a ciphertext in a SharedArrayBuffer changed after the first pass began', () => {
  type Hooked = 'gcm_auth' | 'gcm_finish';
  /**
   * Run `body` with the enclave's `name` export wrapped: after its call number
   * `after` (counted from 1; -1: every call) returns, `change()` runs once.
   * Returns whether the change happened.
   */
  function withHook(name: Hooked, after: number | 'last', total: () => number, change: () => void, body: () => void): boolean {
    const ex = defaultEnclave().exports as unknown as Record<string, unknown>;
    const orig = ex[name] as (...a: number[]) => number;
    let calls = 0, done = false;
    ex[name] = (...a: number[]) => {
      const r = orig(...a);
      calls++;
      if (!done && calls === (after === 'last' ? total() : after)) {
        change();
        done = true;
      }
      return r;
    };
    try {
      body();
    } finally {
      ex[name] = orig;
    }
    return done;
  }

  const CHUNK = 32768; // host/gcm.ts streams in chunks of this size
  const SIZES = [1, 1000, CHUNK - 1, CHUNK, CHUNK + 1, 100_000, 3 * CHUNK + 17];

  for (const n of SIZES) {
    it(`${n} bytes: the original plaintext, never that of the changed bytes`, () => {
      const rng = new Prng(`${DEFAULT_SEED}/gcm-binding/sab/${n}`);
      const m = makeMsg(rng, n);
      const chunks = Math.max(1, Math.ceil(n / CHUNK));
      const sab = new SharedArrayBuffer(n + 16);
      const view = new Uint8Array(sab);
      const cases: { hook: Hooked; after: number | 'last'; pos: number }[] = [];
      for (const pos of new Set([0, n >> 1, n - 1])) {
        cases.push({ hook: 'gcm_auth', after: 1, pos }, { hook: 'gcm_auth', after: 'last', pos }, { hook: 'gcm_finish', after: 1, pos });
      }
      for (const c of cases) {
        for (const withOutput of [false, true]) {
          view.set(m.ct, 0);
          view.set(m.tag, n);
          const changedPt = flip(m.pt, 8 * c.pos);
          let got: Uint8Array | undefined;
          const output = withOutput ? new Uint8Array(n) : undefined;
          const fired = withHook(c.hook, c.after, () => chunks, () => { view[c.pos]! ^= 1; }, () => {
            got = gcm(m.key, m.iv, m.aad).decrypt(view, output);
          });
          const what = `change of byte ${c.pos} after ${c.hook} call ${c.after} (${chunks} chunks)${withOutput ? ', output buffer' : ''}`;
          expect(fired, `${what}: the hook ran`).toBe(true);
          expect(view[c.pos], `${what}: the caller's buffer was changed`).toBe(m.ct[c.pos]! ^ 1);
          expect(equalBytes(got!, changedPt), `${what}: plaintext of the changed bytes`).toBe(false);
          expect(hex(got!), `${what}: the original plaintext`).toBe(hex(m.pt));
          if (withOutput) expect(got).toBe(output);
        }
      }
      // The changed message itself does not authenticate.
      view.set(m.ct, 0);
      view.set(m.tag, n);
      view[0]! ^= 1;
      let err: unknown;
      try { gcm(m.key, m.iv, m.aad).decrypt(view); } catch (e) { err = e; }
      expect(err instanceof AwreError && err.code === 'AUTH_FAILED', 'the changed message is AUTH_FAILED').toBe(true);
    });
  }

  it('without a change, shared and unshared inputs decrypt alike, and the result is a fresh array', () => {
    const rng = new Prng(`${DEFAULT_SEED}/gcm-binding/sab/plain`);
    for (const n of [0, 17, 70_000]) {
      const m = makeMsg(rng, n);
      const view = new Uint8Array(new SharedArrayBuffer(n + 16));
      view.set(concat(m.ct, m.tag));
      const got = gcm(m.key, m.iv, m.aad).decrypt(view);
      expect(hex(got)).toBe(hex(m.pt));
      expect(got.buffer).not.toBe(view.buffer);
      expect(got.buffer instanceof SharedArrayBuffer).toBe(false);
      expect(hex(view), 'the input is unchanged').toBe(hex(concat(m.ct, m.tag)));
    }
  });
});
