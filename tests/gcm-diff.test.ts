// Differential tests of AES-GCM against node:crypto (OpenSSL), and against
// @noble/ciphers 2.x gcm where it applies (16-byte tags, nonces of 8 bytes or
// more): for each case, encrypt must give node's ciphertext || tag byte for
// byte, decrypt must return the plaintext both for its own output and for
// node's, the inputs must be left unchanged and the result must be a fresh
// array (not a view of the enclave's memory).
// Coverage: the three key sizes; every IV length 1..128 (and 12 often), some
// longer ones (vs noble only: OpenSSL refuses IVs over 128 bytes); every AAD
// length 0..300 and some around 32 and 64 KiB and up to 200,000; every
// plaintext length 0..300, those within 2 of a multiple of 16, lengths around
// 16/32/48/64/128/192 KiB (+-1, +-15, +-16, +-17: the enclave's I/O window is
// 64 KiB), and whole 1 MiB messages; every tag length (4, 8, 12..16) with and without opts;
// inputs at odd byte offsets and as Buffers. The 32-bit counter wrap is
// checked with IVs crafted (helpers/gcm-ref.ts ivForJ0) so that J0's low word
// is close to 2^32 - 1, including a wrap at a 64 KiB boundary.
// Inputs come from a seeded generator (tests/helpers/prng.ts): a failure names
// the case; AWRE_TEST_SEED=<seed> replays another run, AWRE_GCM_DIFF_RANDOM
// changes the number of fully random cases (default 800, at least 600:
// helpers/iterations.ts). Each test checks its own planned number of cases
// (PLAN), so counts hold under any -t filter; PLAN adds up to >= 2000.
// AWRE_GCM_IMPL=noble|node runs the harness against a stand-in; cases outside a
// stand-in's limits (noble: nonces under 8 bytes; node: over 128) are skipped
// and counted, and none may be skipped against awre.
import { describe, expect, it } from 'vitest';
import { IMPL, IS_AWRE, nonceSupported, type GcmOpts } from './helpers/gcm-impl.js';
import { describeCase, Failures } from './helpers/gcm-check.js';
import {
  aesBlock, bigToBlock, blockToBig, ivForJ0, j0Of, KEY_LENGTHS, NOBLE_MIN_NONCE, NODE_MAX_IV, nobleEncrypt, nodeDecrypt, nodeEncrypt, TAG_LENGTHS,
} from './helpers/gcm-ref.js';
import { bytesToHex, concat, equalBytes } from './helpers/hex.js';
import { iterations } from './helpers/iterations.js';
import { DEFAULT_SEED, Prng } from './helpers/prng.js';

const RANDOM_CASES = iterations('AWRE_GCM_DIFF_RANDOM');
const MIN_CASES = 2000;
const MIN_NOBLE = 500;

/**
 * Per test: the cases it runs through check(), and a floor on those also
 * compared with noble (16-byte tag, nonce >= 8 bytes: about half of the random
 * ones, so a quarter is a floor no seed misses; exact where the cases are fixed).
 */
const PLAN = {
  ptLengths: { cases: 301, noble: 75 },
  ptEdges: { cases: 279, noble: 69 },
  aadLengths: { cases: 301, noble: 75 },
  ivLengths: { cases: 384, noble: 96 },
  longIvs: { cases: 24, noble: 24 },
  hugeIv: { cases: 3, noble: 3 },
  ptLarge: { cases: 58, noble: 8 },
  aadLarge: { cases: 14, noble: 0 },
  mib: { cases: 6, noble: 4 },
  random: { cases: RANDOM_CASES, noble: Math.floor(RANDOM_CASES / 4) },
  wrap: { cases: 36, noble: 18 },
} as const;
const hex = bytesToHex;
const KiB = 1024, MiB = 1024 * KiB;

interface Case {
  key: Uint8Array;
  iv: Uint8Array;
  aad: Uint8Array | undefined;
  pt: Uint8Array;
  tagLength: number;
  /** Pass { tagLength } (always when tagLength is not 16; for 16, sometimes omitted). */
  useOpts: boolean;
  label: string;
}

interface Spec {
  keyLen?: number;
  ivLen?: number;
  aadLen?: number | undefined; // undefined: random; -1: aad omitted
  ptLen: number;
  tagLength?: number;
}

/** `len` random bytes, sometimes at an odd offset inside a bigger buffer, sometimes as a Buffer. */
function bytesFor(rng: Prng, len: number): Uint8Array {
  const b = rng.bytes(len);
  const r = rng.int(8);
  if (r === 0) {
    const off = 1 + rng.int(7);
    const big = rng.bytes(len + off + 5);
    big.set(b, off);
    return big.subarray(off, off + len);
  }
  if (r === 1) return Buffer.from(b);
  return b;
}

function makeCase(rng: Prng, s: Spec, label: string): Case {
  const keyLen = s.keyLen ?? KEY_LENGTHS[rng.int(3)]!;
  const ivLen = s.ivLen ?? (rng.int(2) === 0 ? 12 : 1 + rng.int(128));
  // Half the cases use the default 16-byte tag, the others one of 4, 8, 12..15.
  const tagLength = s.tagLength ?? (rng.int(2) === 0 ? 16 : TAG_LENGTHS[rng.int(TAG_LENGTHS.length - 1)]!);
  let aad: Uint8Array | undefined;
  if (s.aadLen === -1) aad = undefined;
  else if (s.aadLen !== undefined) aad = bytesFor(rng, s.aadLen);
  else {
    const r = rng.int(10);
    aad = r === 0 ? undefined : r === 1 ? new Uint8Array(0) : bytesFor(rng, rng.int(301));
  }
  return {
    key: bytesFor(rng, keyLen),
    iv: bytesFor(rng, ivLen),
    aad,
    pt: bytesFor(rng, s.ptLen),
    tagLength,
    useOpts: tagLength !== 16 || rng.int(2) === 0,
    label,
  };
}

const optsOf = (c: Case): GcmOpts | undefined => (c.useOpts ? { tagLength: c.tagLength } : undefined);
const cipherOf = (c: Case) => (c.aad === undefined && !c.useOpts ? IMPL.gcm(c.key, c.iv) : IMPL.gcm(c.key, c.iv, c.aad, optsOf(c)));
const where = (c: Case) => `${c.label}: ${describeCase(c, c.useOpts ? '' : 'opts omitted')}`;

/** One case against node (and noble when asked and possible): 'skipped', or whether noble was compared. */
function check(c: Case, fails: Failures, opts: { noble?: boolean; nodeRef?: boolean } = {}): 'skipped' | { noble: boolean } {
  const nodeRef = opts.nodeRef ?? true;
  if (!nonceSupported(c.iv.length) || (nodeRef === false && c.tagLength !== 16)) return 'skipped';
  const w = where(c);
  const before = [c.key, c.iv, c.aad ?? new Uint8Array(0), c.pt].map((b) => b.slice());
  let ref: Uint8Array | undefined;
  if (nodeRef) ref = nodeEncrypt(c.key, c.iv, c.aad, c.pt, c.tagLength);
  const useNoble = (opts.noble ?? false) && c.tagLength === 16 && c.iv.length >= NOBLE_MIN_NONCE;
  const nb = useNoble ? nobleEncrypt(c.key, c.iv, c.aad, c.pt) : undefined;
  if (nb !== undefined) {
    if (ref !== undefined && !equalBytes(nb, ref)) throw new Error(`the references disagree (node vs noble): ${w}`);
  }
  const want = (ref ?? nb)!;

  const got = fails.run('encrypt', w, () => cipherOf(c).encrypt(c.pt));
  if (got !== undefined) {
    fails.eq(got, want, `encrypt vs ${ref ? 'node' : 'noble'}`, w);
    if (IMPL.enclaveMemory !== undefined && got.buffer === IMPL.enclaveMemory().buffer) fails.add(`encrypt returned a view of the enclave memory; ${w}`);
    const back = fails.run('decrypt of its own output', w, () => cipherOf(c).decrypt(got));
    if (back !== undefined) {
      fails.eq(back, c.pt, 'decrypt of its own output', w);
      if (IMPL.enclaveMemory !== undefined && back.buffer === IMPL.enclaveMemory().buffer) fails.add(`decrypt returned a view of the enclave memory; ${w}`);
    }
    // The reference opens the implementation's output (meaningful when they differ).
    if (ref !== undefined && !equalBytes(got, ref) && got.length === ref.length) {
      const opened = nodeDecrypt(c.key, c.iv, c.aad, got, c.tagLength);
      if (opened === null) fails.add(`node refuses the implementation's output; ${w}`);
    }
  }
  if (got === undefined || !equalBytes(got, want)) {
    // Decrypt of the reference output (the same bytes when encrypt agreed).
    const back = fails.run('decrypt of the reference output', w, () => cipherOf(c).decrypt(want));
    if (back !== undefined) fails.eq(back, c.pt, 'decrypt of the reference output', w);
  }
  const after = [c.key, c.iv, c.aad ?? new Uint8Array(0), c.pt];
  for (const [i, name] of ['key', 'nonce', 'aad', 'plaintext'].entries()) {
    if (!equalBytes(after[i]!, before[i]!)) fails.add(`encrypt/decrypt modified the ${name}; ${w}`);
  }
  return { noble: nb !== undefined };
}

/** Check every case; the counts are this test's own (PLAN), so they hold under any filter. */
function runAll(cases: Case[], plan: { cases: number; noble: number }, opts: { nodeRef?: boolean } = {}): void {
  expect(cases.length, 'cases built').toBe(plan.cases);
  const fails = new Failures();
  let ran = 0, skipped = 0, noble = 0;
  for (const c of cases) {
    const r = check(c, fails, { noble: true, nodeRef: opts.nodeRef ?? true });
    if (r === 'skipped') skipped++;
    else {
      ran++;
      if (r.noble) noble++;
    }
  }
  fails.done();
  expect(ran + skipped).toBe(plan.cases);
  if (IS_AWRE) expect(skipped, 'no case may be skipped against awre').toBe(0);
  expect(ran, 'at least one case ran').toBeGreaterThan(0);
  expect(noble, 'cases also compared with noble').toBeGreaterThanOrEqual(plan.noble);
}

describe(`AES-GCM: ${IMPL.name} vs node:crypto and @noble/ciphers`, () => {
  const root = new Prng(`${DEFAULT_SEED}/gcm-diff`);

  it('references: node and noble agree, and node matches the GF(2^128) model of J0', () => {
    // A guard for the harness itself (independent of the implementation under test).
    const rng = root.fork('refs');
    for (let i = 0; i < 40; i++) {
      const key = rng.bytes(KEY_LENGTHS[i % 3]!), iv = rng.bytes(i % 2 ? 12 : 8 + rng.int(120)), aad = rng.bytes(rng.int(40)), pt = rng.bytes(rng.int(100));
      expect(hex(nobleEncrypt(key, iv, aad, pt))).toBe(hex(nodeEncrypt(key, iv, aad, pt)));
      // First keystream block is E_K(inc32(J0)).
      const h = blockToBig(aesBlock(key, new Uint8Array(16)));
      const j0 = j0Of(h, iv);
      const ctr1 = (j0 & ~0xffffffffn) | ((j0 + 1n) & 0xffffffffn);
      expect(hex(nodeEncrypt(key, iv, undefined, new Uint8Array(16)).subarray(0, 16))).toBe(hex(aesBlock(key, bigToBlock(ctr1))));
    }
  });

  it('every plaintext length 0..300 (random key size, IV, AAD and tag length)', () => {
    const rng = root.fork('pt-lengths');
    runAll(Array.from({ length: 301 }, (_, n) => makeCase(rng, { ptLen: n }, `pt length ${n}`)), PLAN.ptLengths);
  });

  it('plaintext lengths within 2 of a multiple of 16 up to 300, each key size', () => {
    const rng = root.fork('pt-edges');
    const lens = new Set<number>();
    for (let m = 0; m <= 304; m += 16) for (let d = -2; d <= 2; d++) if (m + d >= 0 && m + d <= 300) lens.add(m + d);
    const cases: Case[] = [];
    for (const n of lens) for (const keyLen of KEY_LENGTHS) cases.push(makeCase(rng, { ptLen: n, keyLen }, `edge pt length ${n}`));
    expect(cases.length).toBe(lens.size * 3);
    runAll(cases, PLAN.ptEdges);
  });

  it('every AAD length 0..300 (random plaintext up to 64 bytes)', () => {
    const rng = root.fork('aad-lengths');
    runAll(Array.from({ length: 301 }, (_, n) => makeCase(rng, { aadLen: n, ptLen: rng.int(65) }, `aad length ${n}`)), PLAN.aadLengths);
  });

  it('every IV length 1..128, each key size', () => {
    const rng = root.fork('iv-lengths');
    const cases: Case[] = [];
    for (let n = 1; n <= 128; n++) for (const keyLen of KEY_LENGTHS) cases.push(makeCase(rng, { ivLen: n, keyLen, ptLen: rng.int(100) }, `iv length ${n}`));
    runAll(cases, PLAN.ivLengths);
  });

  // Skipped only for a stand-in that refuses such nonces (node); awre takes any length.
  it.skipIf(!IS_AWRE && !nonceSupported(NODE_MAX_IV + 1))('IVs over 128 bytes (vs noble, 16-byte tags)', () => {
    const rng = root.fork('long-ivs');
    const cases: Case[] = [];
    for (const n of [129, 136, 200, 255, 256, 1000, 4096, 16_385]) {
      for (const keyLen of KEY_LENGTHS) cases.push(makeCase(rng, { ivLen: n, keyLen, ptLen: rng.int(200), tagLength: 16 }, `long iv ${n}`));
    }
    runAll(cases, PLAN.longIvs, { nodeRef: false });
  });

  it.skipIf(!IS_AWRE && !nonceSupported(70_001))('a 70,001-byte IV (larger than the 64 KiB I/O window; vs noble)', () => {
    // The API takes a nonce of any length >= 1 byte (SP 800-38D allows up to 2^64 - 1 bits).
    const rng = root.fork('huge-iv');
    runAll(KEY_LENGTHS.map((keyLen) => makeCase(rng, { ivLen: 70_001, keyLen, ptLen: 100, tagLength: 16 }, 'iv 70,001 bytes')), PLAN.hugeIv, { nodeRef: false });
  });

  it('plaintext lengths around 16, 32, 48, 64, 128 and 192 KiB (+-1, +-15, +-16, +-17)', () => {
    const rng = root.fork('pt-large');
    const cases: Case[] = [];
    for (const base of [16 * KiB, 32 * KiB, 48 * KiB, 64 * KiB, 128 * KiB, 192 * KiB]) {
      for (const d of [-17, -16, -15, -1, 0, 1, 15, 16, 17]) cases.push(makeCase(rng, { ptLen: base + d }, `pt length ${base} ${d >= 0 ? '+' : '-'} ${Math.abs(d)}`));
    }
    // The I/O window minus the tag and minus a block.
    for (const n of [64 * KiB - 32, 64 * KiB - 33, 64 * KiB - 31, 128 * KiB - 32]) cases.push(makeCase(rng, { ptLen: n }, `pt length ${n}`));
    runAll(cases, PLAN.ptLarge);
  });

  it('large AAD: 32 KiB - 1 .. 200,000 bytes, with various plaintexts', () => {
    const rng = root.fork('aad-large');
    const cases: Case[] = [];
    const aads = [32 * KiB - 1, 32 * KiB, 32 * KiB + 1, 32 * KiB + 15, 64 * KiB - 1, 64 * KiB, 64 * KiB + 1, 64 * KiB - 16, 64 * KiB + 16, 70_000, 128 * KiB + 17, 200_000];
    const pts = [0, 1, 17, 1000, 64 * KiB + 5];
    for (const [i, a] of aads.entries()) cases.push(makeCase(rng, { aadLen: a, ptLen: pts[i % pts.length]! }, `aad length ${a}`));
    cases.push(makeCase(rng, { aadLen: 70_000, ptLen: 70_000, ivLen: 12 }, 'aad 70,000 + pt 70,000'));
    cases.push(makeCase(rng, { aadLen: 70_000, ptLen: 0, ivLen: 33 }, 'aad 70,000, empty pt, 33-byte IV'));
    runAll(cases, PLAN.aadLarge);
  });

  it('1 MiB messages (each key size, 96-bit and other IVs, full and truncated tags)', () => {
    const rng = root.fork('pt-1mib');
    const cases: Case[] = [];
    for (const keyLen of KEY_LENGTHS) cases.push(makeCase(rng, { ptLen: MiB, keyLen, ivLen: 12, aadLen: rng.int(64), tagLength: 16 }, `1 MiB AES-${keyLen * 8}`));
    cases.push(makeCase(rng, { ptLen: MiB, keyLen: 32, ivLen: 16, aadLen: 13, tagLength: 12 }, '1 MiB, 16-byte IV, tag 12'));
    cases.push(makeCase(rng, { ptLen: MiB - 1, ivLen: 60, tagLength: 16 }, '1 MiB - 1'));
    cases.push(makeCase(rng, { ptLen: MiB + 17, ivLen: 12, aadLen: 70_000, tagLength: 4 }, '1 MiB + 17, 70,000-byte AAD, tag 4'));
    runAll(cases, PLAN.mib);
  });

  it(`${RANDOM_CASES} random cases (mostly short, some up to 300 KiB)`, () => {
    const rng = root.fork('random');
    const cases: Case[] = [];
    for (let i = 0; i < RANDOM_CASES; i++) {
      const r = rng.int(100);
      const ptLen = r < 70 ? rng.int(301) : r < 95 ? 301 + rng.int(8192) : 8193 + rng.int(300 * KiB);
      cases.push(makeCase(rng, { ptLen }, `random ${i}`));
    }
    runAll(cases, PLAN.random);
  });

  it('tag truncation: a t-byte tag is the first t bytes of the 16-byte tag', () => {
    const rng = root.fork('truncation');
    const fails = new Failures();
    let ran = 0;
    for (let i = 0; i < 60; i++) {
      const c = makeCase(rng, { ptLen: rng.int(200), tagLength: 16 }, `truncation ${i}`);
      if (!nonceSupported(c.iv.length)) continue; // a stand-in's limit (counted below)
      ran++;
      const w = where(c);
      // The reference is node's 16-byte tag, not the implementation's own.
      const full = nodeEncrypt(c.key, c.iv, c.aad, c.pt, 16);
      fails.eq(fails.run('encrypt (tag 16)', w, () => IMPL.gcm(c.key, c.iv, c.aad).encrypt(c.pt)), full, 'encrypt tag 16 vs node', w);
      const t = TAG_LENGTHS[i % (TAG_LENGTHS.length - 1)]!; // 4 .. 15
      const short = full.subarray(0, c.pt.length + t);
      fails.eq(fails.run(`encrypt (tag ${t})`, w, () => IMPL.gcm(c.key, c.iv, c.aad, { tagLength: t }).encrypt(c.pt)), short, `encrypt tag ${t} vs the prefix of node's 16-byte tag`, w);
      fails.eq(fails.run(`decrypt (tag ${t})`, w, () => IMPL.gcm(c.key, c.iv, c.aad, { tagLength: t }).decrypt(short.slice())), c.pt, `decrypt tag ${t}`, w);
    }
    fails.done();
    if (IS_AWRE) expect(ran, 'no case may be skipped against awre').toBe(60);
    expect(ran).toBeGreaterThan(0);
  });

  it('counter wrap: IVs whose J0 has a low word near 2^32 - 1 (inc32 wraps within the message)', () => {
    // SP 800-38D: inc32 increments the last 32 bits mod 2^32 and leaves the first
    // 96 bits alone. With a chosen J0 (a 16-byte IV built by ivForJ0), the
    // message runs the counter across 0xffffffff -> 0x00000000.
    const rng = root.fork('wrap');
    const cases: Case[] = [];
    const lows = [0xffffffffn, 0xfffffffen, 0xfffffff0n, 0xffffffffn - 4095n, 0xffffffffn - 4096n, 0xffffffffn - 5000n];
    for (const keyLen of KEY_LENGTHS) {
      for (const low of lows) {
        const key = rng.bytes(keyLen);
        const high = blockToBig(concat(rng.bytes(12), new Uint8Array(4)));
        const j0 = high | low;
        const iv = ivForJ0(key, j0);
        const blocksBeforeWrap = Number(0xffffffffn - low); // counters J0+1 .. 0xffffffff
        const ptLen = (blocksBeforeWrap + 3) * 16 + 5;
        // The model is right about where the keystream wraps: node's block
        // after the wrap is E_K(high || 0x00000000).
        const ks = nodeEncrypt(key, iv, undefined, new Uint8Array(ptLen));
        expect(hex(ks.subarray(blocksBeforeWrap * 16, blocksBeforeWrap * 16 + 16)), 'node wraps at the predicted block').toBe(hex(aesBlock(key, bigToBlock(high))));
        for (const tagLength of [16, 12]) {
          cases.push({ key, iv, aad: rng.bytes(rng.int(40)), pt: rng.bytes(ptLen), tagLength, useOpts: true, label: `wrap after ${blocksBeforeWrap} blocks (J0 low word ${low.toString(16)})` });
        }
      }
    }
    runAll(cases, PLAN.wrap);
  });

  it(`the plan adds up to at least ${MIN_CASES} cases (${MIN_NOBLE} also against noble); each test above checks its own share`, () => {
    // Static: independent of which tests ran, so it holds under any -t filter.
    const total = Object.values(PLAN).reduce((n, p) => n + p.cases, 0);
    const noble = Object.values(PLAN).reduce((n, p) => n + p.noble, 0);
    expect(total).toBeGreaterThanOrEqual(MIN_CASES);
    expect(noble).toBeGreaterThan(MIN_NOBLE);
  });
});

