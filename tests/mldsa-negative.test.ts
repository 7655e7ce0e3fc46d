// Negative tests for ML-DSA (FIPS 204): what verify must refuse and how the
// API must fail.
// - Malformed signatures: verify returns false and never throws (wrong
//   lengths, every HintBitUnpack rule of Algorithm 21, z outside the norm
//   bound, flipped bits). Where the malformation leaves the meaning of the
//   signature intact (hint indices permuted or repeated, nonzero padding, a
//   trailing byte, z just past the bound), the test model in
//   helpers/mldsa-ref.ts proves that a verifier skipping that one check would
//   accept it, so these tests catch a missing check, not just a changed c-tilde.
// - z at the bound: signatures built with the secret key and a chosen mask so
//   that one z coefficient is exactly +-(gamma1 - beta - 1) (valid) or
//   +-(gamma1 - beta), gamma1, -(gamma1 - 1) (invalid).
// - Host API: a wrong type is a TypeError and a wrong length a RangeError, each
//   naming the argument (as noble); a context over 255 bytes is a RangeError;
//   a secret key with an s1/s2 coefficient outside [-eta, eta] is AwreError
//   'SK_MALFORMED' (noble: a plain Error).
// After every failure the same module must still sign and verify correctly
// (checked against noble's answers).
// AWRE_DSA_IMPL=noble runs this file against noble; the awre-only conventions
// (AwreError) are then relaxed to "throws an Error".
import { beforeAll, describe, expect, it } from 'vitest';
import { sha512 } from '@noble/hashes/sha2.js';
import { DSA_SETS, IMPL, IS_NOBLE, type DSA, type SetName } from './helpers/mldsa-impl.js';
import {
  PARAMS, craftSign, hintPack, hintUnpack, muOf, pureMessage, refVerifyMu, setSkEtaCoeff, sigJoin, sigSplit, trOf, unpackBits, skLayout,
  type DsaParams,
} from './helpers/mldsa-ref.js';
import { attempt, expectArgError, thrown } from './helpers/mldsa-check.js';
import { bytesToHex, concat } from './helpers/hex.js';
import { DEFAULT_SEED, Prng } from './helpers/prng.js';

const hex = bytesToHex;

interface Known {
  seed: Uint8Array;
  pk: Uint8Array;
  sk: Uint8Array;
  msg: Uint8Array;
  ctx: Uint8Array;
  sig: Uint8Array;
  mu: Uint8Array;
  rows: number[][];
}

const KNOWN = new Map<SetName, Known>();
const setOf = (name: SetName) => DSA_SETS.find((s) => s.name === name)!;

beforeAll(() => {
  const rng = new Prng(`${DEFAULT_SEED}/mldsa-negative-known`);
  for (const s of DSA_SETS) {
    const p = PARAMS[s.name];
    const seed = rng.bytes(32);
    const { publicKey: pk, secretKey: sk } = s.noble.keygen(seed);
    const ctx = rng.bytes(20);
    // A signature whose hints allow every manipulation below: a row with at
    // least two hints, room for one more hint, a non-empty first row, and a
    // row whose first index is not above the previous row's last one.
    for (let j = 0; ; j++) {
      const msg = rng.bytes(50 + j);
      const sig = s.noble.sign(msg, sk, { context: ctx, extraEntropy: false });
      const rows = hintUnpack(p, sigSplit(p, sig).hint)!;
      const total = rows.reduce((n, r) => n + r.length, 0);
      const crossing = rows.some((r, i) => i > 0 && r.length > 0 && rows[i - 1]!.length > 0 && r[0]! <= rows[i - 1]!.at(-1)!);
      if (rows.some((r) => r.length >= 3) && total <= p.omega - 2 && rows[0]!.length > 0 && crossing) {
        KNOWN.set(s.name, { seed, pk, sk, msg, ctx, sig, mu: muOf(trOf(pk), pureMessage(msg, ctx)), rows });
        break;
      }
      if (j > 50) throw new Error(`no suitable signature for ${s.name}`);
    }
  }
});

/** The module still answers correctly (the given set, or all). */
function expectHealthy(only?: SetName): void {
  for (const s of DSA_SETS) {
    if (only !== undefined && s.name !== only) continue;
    const k = KNOWN.get(s.name)!;
    expect(hex(s.impl.sign(k.msg, k.sk, { context: k.ctx, extraEntropy: false })), `${IMPL.name} ${s.name} sign after a failure`).toBe(hex(k.sig));
    expect(s.impl.verify(k.sig, k.msg, k.pk, { context: k.ctx }), `${IMPL.name} ${s.name} verify after a failure`).toBe(true);
  }
}

function expectAwreError(f: () => unknown, code: string, where: string): void {
  const err = thrown(f) as Error & { code?: string };
  expect(err, where).toBeInstanceOf(Error);
  if (IS_NOBLE) {
    // noble throws a plain Error; make sure it is the malformed-key one.
    expect(err.message, `${where}: noble's error should be about the malformed key`).toMatch(/malformed/i);
    return;
  }
  expect(err, `${where}: expected AwreError, got ${err?.constructor?.name}: ${err?.message}`).toBeInstanceOf(IMPL.AwreError!);
  expect(err.name, where).toBe('AwreError');
  expect(err.code, `${where}: ${err.message}`).toBe(code);
}

/** Hint-count variants that must run per parameter set (all of them). */
const HINT_COUNT_VARIANTS: Record<SetName, number> = { 'ML-DSA-44': 9, 'ML-DSA-65': 9, 'ML-DSA-87': 9 };

const hintOffset = (p: DsaParams) => p.sigBytes - p.omega - p.k;
const withHint = (p: DsaParams, sig: Uint8Array, hint: Uint8Array) => {
  const out = sig.slice();
  out.set(hint, hintOffset(p));
  return out;
};

/** verify(sig) returns false without throwing (and noble agrees); the module stays healthy. */
function expectRejected(name: SetName, sig: Uint8Array, what: string): void {
  const s = setOf(name);
  const k = KNOWN.get(name)!;
  const r = attempt(() => s.impl.verify(sig, k.msg, k.pk, { context: k.ctx }));
  expect(r, `${IMPL.name} ${name} ${what}: verify must return false (not throw)`).toEqual({ ok: true, value: false });
  if (!IS_NOBLE) expect(s.noble.verify(sig, k.msg, k.pk, { context: k.ctx }), `harness: noble on ${what}`).toBe(false);
  expectHealthy(name);
}

/** The model verifier accepts `sig` once the named check is switched off (so the check is what rejects it). */
function expectOnlyCheck(name: SetName, sig: Uint8Array, check: 'strictHints' | 'checkZ', what: string): void {
  const p = PARAMS[name];
  const k = KNOWN.get(name)!;
  expect(refVerifyMu(p, k.pk, k.mu, sig), `harness: model rejects ${what}`).toBe(false);
  expect(refVerifyMu(p, k.pk, k.mu, sig, { [check]: false }), `harness: model without ${check} accepts ${what}`).toBe(true);
}

// ---- malformed signatures -------------------------------------------------------------

for (const { name } of DSA_SETS) {
  const p = PARAMS[name];

  describe(`${name}: malformed signatures (verify returns false, never throws)`, () => {
    it('harness: the base signature is valid, and the model reproduces and accepts it', () => {
      const k = KNOWN.get(name)!;
      expect(setOf(name).impl.verify(k.sig, k.msg, k.pk, { context: k.ctx })).toBe(true);
      expect(refVerifyMu(p, k.pk, k.mu, k.sig)).toBe(true);
      expect(hex(sigJoin(p, sigSplit(p, k.sig)))).toBe(hex(k.sig));
      expect(hex(hintPack(p, k.rows))).toBe(hex(sigSplit(p, k.sig).hint));
    });

    it('wrong lengths: 0, 1, -1, +1 (a trailing zero byte), 2x, 70000; also through internal.verify and prehash().verify', () => {
      const k = KNOWN.get(name)!;
      const s = setOf(name);
      const cases: [string, Uint8Array][] = [
        ['empty', new Uint8Array(0)],
        ['1 byte', k.sig.subarray(0, 1)],
        ['last byte dropped', k.sig.subarray(0, p.sigBytes - 1)],
        ['first byte dropped', k.sig.slice(1)],
        ['a zero byte appended', concat(k.sig, Uint8Array.of(0))],
        ['twice the signature', concat(k.sig, k.sig)],
        ['70000 bytes', concat(k.sig, new Uint8Array(70000 - p.sigBytes))],
      ];
      for (const [what, sig] of cases) {
        expectRejected(name, sig, `signature ${what} (${sig.length} bytes)`);
        const ri = attempt(() => s.impl.internal.verify(sig, k.mu, k.pk, { externalMu: true }));
        expect(ri, `internal.verify(externalMu) ${what}`).toEqual({ ok: true, value: false });
        const rp = attempt(() => s.impl.prehash(sha512).verify(sig, k.msg, k.pk, { context: k.ctx }));
        expect(rp, `prehash(sha512).verify ${what}`).toEqual({ ok: true, value: false });
      }
      // The appended byte is the discriminating case: the first sigBytes are the valid signature.
      expect(refVerifyMu(p, k.pk, k.mu, concat(k.sig, Uint8Array.of(0)).subarray(0, p.sigBytes))).toBe(true);
      expectHealthy();
    });

    it('all-zero and all-0xff signatures', () => {
      expectRejected(name, new Uint8Array(p.sigBytes), 'all-zero signature');
      expectRejected(name, new Uint8Array(p.sigBytes).fill(0xff), 'all-0xff signature');
    });

    it('hint indices out of order within a row (same set of hints: only the order check rejects it)', () => {
      const k = KNOWN.get(name)!;
      const r = k.rows.findIndex((row) => row.length >= 3);
      const variants: [string, number[]][] = [
        ['first two swapped', [k.rows[r]![1]!, k.rows[r]![0]!, ...k.rows[r]!.slice(2)]],
        ['last two swapped', [...k.rows[r]!.slice(0, -2), k.rows[r]!.at(-1)!, k.rows[r]!.at(-2)!]],
        ['row reversed', [...k.rows[r]!].reverse()],
      ];
      for (const [what, row] of variants) {
        const rows = k.rows.map((x, i) => (i === r ? row : x));
        const sig = withHint(p, k.sig, hintPack(p, rows));
        expectOnlyCheck(name, sig, 'strictHints', `row ${r} ${what}`);
        expectRejected(name, sig, `hint row ${r} ${what}`);
      }
    });

    it('hint index repeated within a row', () => {
      const k = KNOWN.get(name)!;
      const r = k.rows.findIndex((row) => row.length >= 3);
      const row = k.rows[r]!;
      // Inserted duplicates keep the set of hints (discriminating); a replaced index changes it.
      const inserted: [string, number[]][] = [
        ['first index doubled', [row[0]!, ...row]],
        ['last index doubled', [...row, row.at(-1)!]],
      ];
      for (const [what, nrow] of inserted) {
        const sig = withHint(p, k.sig, hintPack(p, k.rows.map((x, i) => (i === r ? nrow : x))));
        expectOnlyCheck(name, sig, 'strictHints', `row ${r} ${what}`);
        expectRejected(name, sig, `hint row ${r} ${what}`);
      }
      const replaced = [row[0]!, row[0]!, ...row.slice(2)];
      expectRejected(name, withHint(p, k.sig, hintPack(p, k.rows.map((x, i) => (i === r ? replaced : x)))), `hint row ${r} second index replaced by the first`);
    });

    it('hint counts: a cumulative count over omega, decreasing counts', () => {
      const k = KNOWN.get(name)!;
      const y = sigSplit(p, k.sig).hint;
      const counts = Array.from({ length: p.k }, (_, i) => y[p.omega + i]!);
      const total = counts[p.k - 1]!;
      const variants: [string, (y: Uint8Array) => void][] = [
        [`last count = omega + 1 = ${p.omega + 1}`, (h) => { h[p.omega + p.k - 1] = p.omega + 1; }],
        ['last count = 255', (h) => { h[p.omega + p.k - 1] = 255; }],
        [`first count = omega + 1`, (h) => { h[p.omega] = p.omega + 1; }],
        ['every count = 255', (h) => { h.fill(255, p.omega); }],
        [`count of row 1 one below row 0's (${counts[0]} -> ${counts[0]! - 1})`, (h) => { h[p.omega + 1] = counts[0]! - 1; }],
        ['last count one below the previous one', (h) => { h[p.omega + p.k - 1] = counts[p.k - 2]! - 1; }],
        ['last count = 0 after non-empty rows', (h) => { h[p.omega + p.k - 1] = 0; }],
        ['counts in reverse order', (h) => { for (let i = 0; i < p.k; i++) h[p.omega + i] = counts[p.k - 1 - i]!; }],
        [`count of row 0 raised to omega (${p.omega}) with the rest unchanged`, (h) => { h[p.omega] = p.omega; }],
      ];
      expect(total).toBeGreaterThan(0);
      // The base signature (a non-empty row 0, a non-empty later row, at most
      // omega - 2 hints) makes every variant a change: none may be a no-op.
      let ran = 0;
      for (const [what, mutate] of variants) {
        const h = y.slice();
        mutate(h);
        expect(hex(h), `hint ${what}: the variant must change the hint section`).not.toBe(hex(y));
        expectRejected(name, withHint(p, k.sig, h), `hint ${what}`);
        ran++;
      }
      expect(ran).toBe(HINT_COUNT_VARIANTS[name]);
    });

    it('nonzero padding after the last hint (same set of hints: only the padding check rejects it)', () => {
      const k = KNOWN.get(name)!;
      const y = sigSplit(p, k.sig).hint;
      const total = y[p.omega + p.k - 1]!;
      expect(total).toBeLessThan(p.omega - 1);
      const variants: [string, number, number][] = [
        ['first padding byte = 1', total, 1],
        ['first padding byte = 0xff', total, 0xff],
        ['last padding byte (omega - 1) = 0x80', p.omega - 1, 0x80],
        ['second padding byte = a valid index', total + 1, k.rows[0]![0]! === 0 ? 1 : k.rows[0]![0]!],
      ];
      for (const [what, at, v] of variants) {
        const h = y.slice();
        h[at] = v;
        const sig = withHint(p, k.sig, h);
        expectOnlyCheck(name, sig, 'strictHints', what);
        expectRejected(name, sig, `hint padding: ${what}`);
      }
    });

    it('a row whose first hint index is not above the previous row\'s last index is valid (rows are independent)', () => {
      const k = KNOWN.get(name)!;
      const i = k.rows.findIndex((r, i) => i > 0 && r.length > 0 && k.rows[i - 1]!.length > 0 && r[0]! <= k.rows[i - 1]!.at(-1)!);
      expect(i).toBeGreaterThan(0);
      expect(setOf(name).impl.verify(k.sig, k.msg, k.pk, { context: k.ctx })).toBe(true);
    });

    it('z coefficients outside the bound, by re-encoding a valid signature', () => {
      const k = KNOWN.get(name)!;
      const bound = p.gamma1 - p.beta;
      const values = [bound, -bound, bound + 1, p.gamma1, -(p.gamma1 - 1), p.gamma1 - 1];
      const positions: [number, number][] = [[0, 0], [p.l - 1, 255], [1, 128]];
      for (const v of values) {
        for (const [poly, idx] of positions) {
          const parts = sigSplit(p, k.sig);
          parts.z[poly]![idx] = v;
          const sig = sigJoin(p, parts);
          expect(sigSplit(p, sig).z[poly]![idx]).toBe(v);
          expectRejected(name, sig, `z[${poly}][${idx}] = ${v}`);
        }
      }
    });

    it('any public key of the right length is well-formed: another, random, all-zero or all-0xff key gives false, never a throw', () => {
      const k = KNOWN.get(name)!;
      const s = setOf(name);
      const rng = new Prng(`${DEFAULT_SEED}/mldsa-negative-pk/${name}`);
      const flipped = k.pk.slice();
      flipped[40]! ^= 0x10;
      const keys: [string, Uint8Array][] = [
        ['random', rng.bytes(p.pkBytes)],
        ['all-zero', new Uint8Array(p.pkBytes)],
        ['all-0xff', new Uint8Array(p.pkBytes).fill(0xff)],
        ['a t1 bit flipped', flipped],
        ['another key', s.noble.keygen(rng.bytes(32)).publicKey],
      ];
      for (const [what, pk] of keys) {
        const r = attempt(() => s.impl.verify(k.sig, k.msg, pk, { context: k.ctx }));
        expect(r, `${IMPL.name} ${name} verify with a ${what} public key`).toEqual({ ok: true, value: false });
        if (!IS_NOBLE) expect(s.noble.verify(k.sig, k.msg, pk, { context: k.ctx }), `harness: noble, ${what}`).toBe(false);
      }
      expectHealthy(name);
    });

    it('bit flips in c-tilde, z and the hint section', () => {
      const k = KNOWN.get(name)!;
      const rng = new Prng(`${DEFAULT_SEED}/mldsa-negative-flips/${name}`);
      const ctBits = p.cTildeBytes * 8, zEnd = (p.sigBytes - p.omega - p.k) * 8, end = p.sigBytes * 8;
      const bits = new Set<number>([0, 1, 7, ctBits - 1, ctBits, ctBits + 1, zEnd - 1, zEnd, end - 1]);
      for (let i = 0; i < 24; i++) {
        bits.add(rng.int(ctBits));
        bits.add(ctBits + rng.int(zEnd - ctBits));
        bits.add(zEnd + rng.int(end - zEnd));
      }
      for (let i = 0; i < p.k; i++) bits.add(zEnd + (p.omega + i) * 8); // low bit of every count
      for (const bit of bits) {
        const sig = k.sig.slice();
        sig[bit >> 3]! ^= 1 << (bit & 7);
        const region = bit < ctBits ? 'c-tilde' : bit < zEnd ? 'z' : 'hint';
        expectRejected(name, sig, `bit ${bit} (${region}) flipped, seed="${rng.seed}"`);
      }
    });
  });

  describe(`${name}: z exactly at the bound (signatures crafted with the secret key)`, () => {
    const bound = p.gamma1 - p.beta;
    const targets: { value: number; valid: boolean }[] = [
      { value: bound - 1, valid: true },
      { value: -(bound - 1), valid: true },
      { value: bound, valid: false },
      { value: -bound, valid: false },
      { value: p.gamma1, valid: false },
      { value: -(p.gamma1 - 1), valid: false },
    ];
    const crafted: { value: number; valid: boolean; poly: number; idx: number; sig: Uint8Array; tries: number }[] = [];
    beforeAll(() => {
      const k = KNOWN.get(name)!;
      const rng = new Prng(`${DEFAULT_SEED}/mldsa-negative-craft/${name}`);
      targets.forEach((t, i) => {
        const poly = i % p.l, idx = (37 * i + 5) % 256;
        const { sig, tries } = craftSign(p, k.sk, k.mu, { bytes: (n) => rng.bytes(n), target: { poly, idx, value: t.value } });
        crafted.push({ ...t, poly, idx, sig, tries });
      });
    });

    for (const [i, t] of targets.entries()) {
      it(`z = ${t.value} (${t.valid ? 'inside' : 'outside'} |z| < gamma1 - beta = ${bound}): verify returns ${t.valid}`, () => {
        const k = KNOWN.get(name)!;
        const c = crafted[i]!;
        const s = setOf(name);
        expect(sigSplit(p, c.sig).z[c.poly]![c.idx]).toBe(t.value);
        // Harness: noble agrees, and the model accepts the signature once the z check is off.
        expect(s.noble.verify(c.sig, k.msg, k.pk, { context: k.ctx }), 'harness: noble').toBe(t.valid);
        expect(refVerifyMu(p, k.pk, k.mu, c.sig, { checkZ: false }), 'harness: model without the z check').toBe(true);
        const where = `${IMPL.name} ${name} z[${c.poly}][${c.idx}] = ${t.value} sig=${hex(c.sig.subarray(0, 16))}...`;
        const r = attempt(() => s.impl.verify(c.sig, k.msg, k.pk, { context: k.ctx }));
        expect(r, where).toEqual({ ok: true, value: t.valid });
        const ri = attempt(() => s.impl.internal.verify(c.sig, k.mu, k.pk, { externalMu: true }));
        expect(ri, `${where} (internal.verify, externalMu)`).toEqual({ ok: true, value: t.valid });
        expectHealthy(name);
      });
    }
  });
}

// ---- host API argument checks -------------------------------------------------------

const NOT_BYTES: [string, unknown][] = [
  ['null', null],
  ['a string', 'aa'.repeat(32)],
  ['a number', 64],
  ['an array', Array.from({ length: 32 }, () => 1)],
  ['an object', { length: 32 }],
  ['an ArrayBuffer', new ArrayBuffer(32)],
  ['a Uint16Array', new Uint16Array(16)],
  ['an Int8Array', new Int8Array(32)],
  ['a Uint8ClampedArray', new Uint8ClampedArray(32)],
  ['a DataView', new DataView(new ArrayBuffer(32))],
];

/** Wrong lengths for an argument of `len` bytes, including empty and bigger than the I/O window. */
const badLengths = (len: number) => [0, 1, len - 1, len + 1, 2 * len, 70000];

const ARG = {
  seed: /seed/,
  msg: /msg|message/,
  secretKey: /secretKey/,
  publicKey: /publicKey/,
  signature: /signature/,
  mu: /\bmu\b/,
  context: /context/,
  extraEntropy: /extraEntropy/,
};

for (const s of DSA_SETS) {
  const { name, impl, noble: nb } = s;
  const p = PARAMS[name];

  describe(`${name}: argument types and lengths`, () => {
    // Each entry: a call with `v` in place of one argument, on the implementation and on noble.
    // nobleLax: noble 0.7's internal surface does not type-check this argument itself (a
    // non-bytes message fails inside the hash with an unnamed TypeError; a non-bytes
    // signature is read through .length, so a string just fails to verify). awre must
    // still throw a TypeError naming it; against noble the test only requires no success.
    type Call = { fn: string; arg: keyof typeof ARG; len?: number; optional?: boolean; nobleLax?: boolean; call: (d: DSA, v: any) => unknown };
    const calls = (): Call[] => {
      const k = KNOWN.get(name)!;
      const ph = (d: DSA) => d.prehash(sha512);
      return [
        { fn: 'keygen', arg: 'seed', len: 32, optional: true, call: (d, v) => d.keygen(v) },
        { fn: 'sign', arg: 'msg', call: (d, v) => d.sign(v, k.sk) },
        { fn: 'sign', arg: 'secretKey', len: p.skBytes, call: (d, v) => d.sign(k.msg, v) },
        { fn: 'verify', arg: 'signature', call: (d, v) => d.verify(v, k.msg, k.pk) },
        { fn: 'verify', arg: 'msg', call: (d, v) => d.verify(k.sig, v, k.pk) },
        { fn: 'verify', arg: 'publicKey', len: p.pkBytes, call: (d, v) => d.verify(k.sig, k.msg, v) },
        { fn: 'getPublicKey', arg: 'secretKey', len: p.skBytes, call: (d, v) => d.getPublicKey(v) },
        { fn: 'internal.sign', arg: 'msg', nobleLax: true, call: (d, v) => d.internal.sign(v, k.sk) },
        { fn: 'internal.sign', arg: 'secretKey', len: p.skBytes, call: (d, v) => d.internal.sign(k.msg, v) },
        { fn: 'internal.sign(externalMu)', arg: 'mu', len: 64, call: (d, v) => d.internal.sign(v, k.sk, { externalMu: true }) },
        { fn: 'internal.sign(externalMu)', arg: 'secretKey', len: p.skBytes, call: (d, v) => d.internal.sign(k.mu, v, { externalMu: true }) },
        { fn: 'internal.verify', arg: 'signature', nobleLax: true, call: (d, v) => d.internal.verify(v, k.msg, k.pk) },
        { fn: 'internal.verify', arg: 'publicKey', len: p.pkBytes, call: (d, v) => d.internal.verify(k.sig, k.msg, v) },
        { fn: 'internal.verify(externalMu)', arg: 'mu', len: 64, call: (d, v) => d.internal.verify(k.sig, v, k.pk, { externalMu: true }) },
        { fn: 'internal.verify(externalMu)', arg: 'publicKey', len: p.pkBytes, call: (d, v) => d.internal.verify(k.sig, k.mu, v, { externalMu: true }) },
        { fn: 'prehash().sign', arg: 'msg', call: (d, v) => ph(d).sign(v, k.sk) },
        { fn: 'prehash().sign', arg: 'secretKey', len: p.skBytes, call: (d, v) => ph(d).sign(k.msg, v) },
        { fn: 'prehash().verify', arg: 'signature', call: (d, v) => ph(d).verify(v, k.msg, k.pk) },
        { fn: 'prehash().verify', arg: 'publicKey', len: p.pkBytes, call: (d, v) => ph(d).verify(k.sig, k.msg, v) },
        { fn: 'sign', arg: 'context', optional: true, call: (d, v) => d.sign(k.msg, k.sk, { context: v }) },
        { fn: 'verify', arg: 'context', optional: true, call: (d, v) => d.verify(k.sig, k.msg, k.pk, { context: v }) },
        { fn: 'prehash().sign', arg: 'context', optional: true, call: (d, v) => ph(d).sign(k.msg, k.sk, { context: v }) },
        { fn: 'sign', arg: 'extraEntropy', len: 32, optional: true, call: (d, v) => d.sign(k.msg, k.sk, { extraEntropy: v }) },
        { fn: 'internal.sign', arg: 'extraEntropy', len: 32, optional: true, call: (d, v) => d.internal.sign(k.msg, k.sk, { extraEntropy: v }) },
        { fn: 'prehash().sign', arg: 'extraEntropy', len: 32, optional: true, call: (d, v) => ph(d).sign(k.msg, k.sk, { extraEntropy: v }) },
      ];
    };
    const list: [string, keyof typeof ARG, boolean][] = [
      ['keygen', 'seed', true], ['sign', 'msg', false], ['sign', 'secretKey', true], ['verify', 'signature', false],
      ['verify', 'msg', false], ['verify', 'publicKey', true], ['getPublicKey', 'secretKey', true], ['internal.sign', 'msg', false],
      ['internal.sign', 'secretKey', true], ['internal.sign(externalMu)', 'mu', true], ['internal.sign(externalMu)', 'secretKey', true],
      ['internal.verify', 'signature', false], ['internal.verify', 'publicKey', true], ['internal.verify(externalMu)', 'mu', true],
      ['internal.verify(externalMu)', 'publicKey', true], ['prehash().sign', 'msg', false], ['prehash().sign', 'secretKey', true],
      ['prehash().verify', 'signature', false], ['prehash().verify', 'publicKey', true], ['sign', 'context', false],
      ['verify', 'context', false], ['prehash().sign', 'context', false], ['sign', 'extraEntropy', true],
      ['internal.sign', 'extraEntropy', true], ['prehash().sign', 'extraEntropy', true],
    ];

    for (const [fn, arg, hasLength] of list) {
      it(`${fn}: "${arg}" of a wrong type is a TypeError naming it (as noble)`, () => {
        const c = calls().find((x) => x.fn === fn && x.arg === arg)!;
        const bad = arg === 'extraEntropy' ? [...NOT_BYTES, ['true', true] as [string, unknown]] : NOT_BYTES;
        for (const [what, v] of c.optional ? bad : [...bad, ['undefined', undefined] as [string, unknown]]) {
          const where = `${IMPL.name} ${name} ${fn} ${arg} = ${what}`;
          if (IS_NOBLE && c.nobleLax) {
            const r = attempt(() => c.call(impl, v));
            expect(r.ok ? r.value : false, `${where}: must not succeed`).toBe(false);
            continue;
          }
          expectArgError(() => c.call(impl, v), TypeError, ARG[arg], where);
          if (!c.nobleLax) expect(thrown(() => c.call(nb, v))?.constructor, `harness: noble's class for ${what}`).toBe(TypeError);
        }
        if (c.optional) expect(() => c.call(impl, undefined)).not.toThrow();
        expectHealthy(name);
      });

      if (hasLength) {
        it(`${fn}: "${arg}" of a wrong length is a RangeError naming it (as noble)`, () => {
          const c = calls().find((x) => x.fn === fn && x.arg === arg)!;
          for (const n of badLengths(c.len!)) {
            expectArgError(() => c.call(impl, new Uint8Array(n)), RangeError, ARG[arg], `${IMPL.name} ${name} ${fn} ${arg} of ${n} bytes`);
            expect(thrown(() => c.call(nb, new Uint8Array(n)))?.constructor, `harness: noble's class for length ${n}`).toBe(RangeError);
            expectHealthy(name);
          }
        });
      }
    }

    it('verify with a wrong-length public key throws (RangeError) rather than returning false, whatever the signature', () => {
      const k = KNOWN.get(name)!;
      for (const sig of [k.sig, new Uint8Array(0), new Uint8Array(p.sigBytes)]) {
        expectArgError(() => impl.verify(sig, k.msg, k.pk.subarray(1)), RangeError, ARG.publicKey, `${IMPL.name} ${name} verify, |sig|=${sig.length}`);
      }
      expectHealthy(name);
    });

    it('context of 256 (and 1000) bytes is a RangeError naming "context" (sign, verify, prehash sign/verify); 255 is fine', () => {
      const k = KNOWN.get(name)!;
      const ph = impl.prehash(sha512);
      for (const n of [256, 257, 1000]) {
        const ctx = new Uint8Array(n);
        const calls: [string, () => unknown][] = [
          ['sign', () => impl.sign(k.msg, k.sk, { context: ctx })],
          ['sign deterministic', () => impl.sign(k.msg, k.sk, { context: ctx, extraEntropy: false })],
          ['verify', () => impl.verify(k.sig, k.msg, k.pk, { context: ctx })],
          ['prehash().sign', () => ph.sign(k.msg, k.sk, { context: ctx })],
          ['prehash().verify', () => ph.verify(k.sig, k.msg, k.pk, { context: ctx })],
        ];
        for (const [fn, f] of calls) {
          const where = `${IMPL.name} ${name} ${fn} with a ${n}-byte context`;
          // awre: RangeError. noble: any Error (0.7.1 happens to throw a RangeError too).
          if (IS_NOBLE) {
            const e = thrown(f) as Error;
            expect(e, where).toBeInstanceOf(Error);
            expect(e.message, where).toMatch(ARG.context);
          } else {
            expectArgError(f, RangeError, ARG.context, where);
          }
        }
        expect(() => nb.sign(k.msg, k.sk, { context: ctx }), 'harness: noble').toThrow();
        expectHealthy(name);
      }
      const ctx255 = new Uint8Array(255).fill(7);
      const sig = impl.sign(k.msg, k.sk, { context: ctx255, extraEntropy: false });
      expect(hex(sig)).toBe(hex(nb.sign(k.msg, k.sk, { context: ctx255, extraEntropy: false })));
      expect(impl.verify(sig, k.msg, k.pk, { context: ctx255 })).toBe(true);
    });

    it('a secret key with an s1 or s2 coefficient outside [-eta, eta]: AwreError SK_MALFORMED from sign, internal.sign, prehash().sign and getPublicKey', () => {
      const k = KNOWN.get(name)!;
      const maxRaw = 2 ** p.etaBits - 1; // packed eta - s: valid raw values are 0 .. 2 eta
      const bads: [string, Uint8Array][] = [];
      for (const [which, poly, idx] of [['s1', 0, 0], ['s1', p.l - 1, 255], ['s2', 0, 1], ['s2', p.k - 1, 255]] as const) {
        for (const raw of [2 * p.eta + 1, maxRaw]) {
          bads.push([`${which}[${poly}][${idx}] = ${p.eta - raw}`, setSkEtaCoeff(p, k.sk, which, poly, idx, raw)]);
        }
      }
      for (const [what, bad] of bads) {
        const where = `${IMPL.name} ${name} secret key with ${what}`;
        expect(() => nb.sign(k.msg, bad, { extraEntropy: false }), `harness: noble rejects ${what}`).toThrow();
        expectAwreError(() => impl.sign(k.msg, bad, { extraEntropy: false }), 'SK_MALFORMED', `${where}: sign`);
        expectAwreError(() => impl.sign(k.msg, bad), 'SK_MALFORMED', `${where}: sign (hedged)`);
        expectAwreError(() => impl.internal.sign(k.mu, bad, { externalMu: true, extraEntropy: false }), 'SK_MALFORMED', `${where}: internal.sign`);
        expectAwreError(() => impl.prehash(sha512).sign(k.msg, bad, { extraEntropy: false }), 'SK_MALFORMED', `${where}: prehash().sign`);
        expectAwreError(() => impl.getPublicKey(bad), 'SK_MALFORMED', `${where}: getPublicKey`);
        expectHealthy(name);
      }
    });

    it('a secret key with s1/s2 coefficients exactly -eta and +eta is accepted (and signs as noble)', () => {
      const k = KNOWN.get(name)!;
      let sk = k.sk;
      sk = setSkEtaCoeff(p, sk, 's1', 0, 3, 0); // +eta
      sk = setSkEtaCoeff(p, sk, 's1', p.l - 1, 200, 2 * p.eta); // -eta
      sk = setSkEtaCoeff(p, sk, 's2', 0, 9, 2 * p.eta);
      sk = setSkEtaCoeff(p, sk, 's2', p.k - 1, 255, 0);
      const L = skLayout(p);
      expect(unpackBits(sk.subarray(L.s1, L.s1 + L.polyEta), p.etaBits, 256)[3]).toBe(0);
      const sig = impl.sign(k.msg, sk, { extraEntropy: false });
      expect(hex(sig)).toBe(hex(nb.sign(k.msg, sk, { extraEntropy: false })));
      expect(hex(impl.getPublicKey(sk))).toBe(hex(nb.getPublicKey(sk)));
    });

    it('internal.sign and internal.verify refuse a context option (noble 0.7: it would be silently ignored)', () => {
      const k = KNOWN.get(name)!;
      expect(thrown(() => impl.internal.sign(k.msg, k.sk, { context: k.ctx } as any))).toBeInstanceOf(TypeError);
      expect(thrown(() => impl.internal.verify(k.sig, k.msg, k.pk, { context: k.ctx } as any))).toBeInstanceOf(TypeError);
      expect(thrown(() => nb.internal.sign(k.msg, k.sk, { context: k.ctx } as any)), 'harness: noble').toBeInstanceOf(TypeError);
      expectHealthy(name);
    });

    it('prehash with a hash whose output is not bytes (a hex string, an Array) throws a TypeError naming it, for sign and verify', () => {
      const k = KNOWN.get(name)!;
      for (const out of [(m: Uint8Array) => hex(sha512(m)), (m: Uint8Array) => Array.from(sha512(m))]) {
        const h = Object.assign((m: Uint8Array) => out(m), { outputLen: sha512.outputLen, blockLen: sha512.blockLen, oid: sha512.oid, create: sha512.create });
        const ps = impl.prehash(h as any);
        const e1 = thrown(() => ps.sign(k.msg, k.sk, { extraEntropy: false }));
        expect(e1).toBeInstanceOf(TypeError);
        expect(String((e1 as Error).message)).toContain('hash output');
        expect(thrown(() => ps.verify(k.sig, k.msg, k.pk))).toBeInstanceOf(TypeError);
      }
      expectHealthy(name);
    });

    it('a Buffer (a Uint8Array subclass) is accepted everywhere', () => {
      const k = KNOWN.get(name)!;
      const B = (x: Uint8Array) => Buffer.from(x);
      expect(hex(impl.keygen(B(k.seed)).publicKey)).toBe(hex(k.pk));
      expect(hex(impl.sign(B(k.msg), B(k.sk), { context: B(k.ctx), extraEntropy: false }))).toBe(hex(k.sig));
      expect(impl.verify(B(k.sig), B(k.msg), B(k.pk), { context: B(k.ctx) })).toBe(true);
      expect(hex(impl.getPublicKey(B(k.sk)))).toBe(hex(k.pk));
      expect(impl.internal.verify(B(k.sig), B(k.mu), B(k.pk), { externalMu: true })).toBe(true);
    });
  });
}

describe('after all the failures', () => {
  it('every parameter set still signs and verifies as noble', () => {
    expectHealthy();
  });
});
