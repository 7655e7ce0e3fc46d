// Negative tests: everything awre must refuse, and how.
// - Host API: a wrong type is a TypeError and a wrong length a RangeError,
//   each naming the argument (as @noble/post-quantum does); FIPS 203 input
//   checks are AwreError 'EK_MODULUS' (section 7.2) and 'DK_HASH' (7.3).
// - Enclave exports: pointers outside the I/O window, overlapping outputs and
//   unknown parameter sets return a negative status (abi/status.ts), never
//   trap, and write no output byte.
// - Hash objects: use after digest()/destroy() is AwreError 'HASH_STATE'.
// After every failure the same module must still give correct answers
// (checked against noble).
import { beforeAll, describe, expect, it } from 'vitest';
import * as noble from '@noble/post-quantum/ml-kem.js';
import * as nh from '@noble/hashes/sha3.js';
import {
  abi, AwreError, defaultEnclave, ml_kem1024, ml_kem512, ml_kem768, sha3_256, sha3_512, shake128, shake256, type MLKEM,
} from '../host/index.js';
import { bytesToHex, indexOfBytes } from './helpers/hex.js';
import { DEFAULT_SEED, Prng } from './helpers/prng.js';

const hex = bytesToHex;
type NobleKEM = typeof noble.ml_kem768;

const SETS: { name: string; level: number; k: number; awre: MLKEM; noble: NobleKEM }[] = [
  { name: 'ML-KEM-512', level: 512, k: 2, awre: ml_kem512, noble: noble.ml_kem512 },
  { name: 'ML-KEM-768', level: 768, k: 3, awre: ml_kem768, noble: noble.ml_kem768 },
  { name: 'ML-KEM-1024', level: 1024, k: 4, awre: ml_kem1024, noble: noble.ml_kem1024 },
];

// ---- helpers ---------------------------------------------------------------------

/** The thrown value of f (fails the test if f returns). */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return expect.fail('expected a throw, but the call returned');
}

function expectAwreError(f: () => unknown, code: string, status?: number): AwreError {
  const err = thrown(f);
  expect(err).toBeInstanceOf(AwreError);
  expect(err).toBeInstanceOf(Error);
  const e = err as AwreError;
  expect(e.name).toBe('AwreError');
  expect(e.code).toBe(code);
  if (status !== undefined) expect(e.status).toBe(status);
  expect(e.message.length).toBeGreaterThan(0);
  return e;
}

/** f throws exactly `cls` (not a subclass of it such as AwreError) naming `arg`. */
function expectArgError(f: () => unknown, cls: typeof TypeError | typeof RangeError, arg: string): void {
  const err = thrown(f);
  expect(err).toBeInstanceOf(cls);
  expect((err as Error).constructor).toBe(cls);
  expect((err as Error).message).toContain(arg);
}

/** The error class noble throws for the same call (for parity checks). */
function errorClass(f: () => unknown): unknown {
  const e = thrown(f) as Error;
  return e.constructor;
}

// Known answers from noble for one fixed seed and message per parameter set.
const KNOWN = new Map<string, { seed: Uint8Array; msg: Uint8Array; pk: string; sk: string; ct: string; ss: string }>();
beforeAll(() => {
  const rng = new Prng(`${DEFAULT_SEED}/negative-known`);
  for (const s of SETS) {
    const seed = rng.bytes(64), msg = rng.bytes(32);
    const kp = s.noble.keygen(seed);
    const e = s.noble.encapsulate(kp.publicKey, msg);
    KNOWN.set(s.name, { seed, msg, pk: hex(kp.publicKey), sk: hex(kp.secretKey), ct: hex(e.cipherText), ss: hex(e.sharedSecret) });
  }
});

/** The module still answers correctly: every parameter set and a hash. */
function expectHealthy(): void {
  for (const s of SETS) {
    const kn = KNOWN.get(s.name)!;
    const kp = s.awre.keygen(kn.seed);
    expect(hex(kp.publicKey), `${s.name} keygen after a failure`).toBe(kn.pk);
    expect(hex(kp.secretKey), `${s.name} keygen after a failure`).toBe(kn.sk);
    const e = s.awre.encapsulate(kp.publicKey, kn.msg);
    expect(hex(e.cipherText), `${s.name} encapsulate after a failure`).toBe(kn.ct);
    expect(hex(e.sharedSecret), `${s.name} encapsulate after a failure`).toBe(kn.ss);
    expect(hex(s.awre.decapsulate(e.cipherText, kp.secretKey)), `${s.name} decapsulate after a failure`).toBe(kn.ss);
  }
  const m = new TextEncoder().encode('abc');
  expect(hex(sha3_256(m))).toBe('3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532');
  expect(hex(shake128.create().update(m).xof(40))).toBe(hex(nh.shake128(m, { dkLen: 40 })));
}

/** Set coefficient `idx` (0 .. 256k - 1) of t-hat in an encoded ek to `val` (12 bits). */
function setCoeff(ek: Uint8Array, idx: number, val: number): void {
  const b = (idx >> 1) * 3;
  if ((idx & 1) === 0) {
    ek[b] = val & 0xff;
    ek[b + 1] = (ek[b + 1]! & 0xf0) | (val >> 8);
  } else {
    ek[b + 1] = (ek[b + 1]! & 0x0f) | ((val & 0x0f) << 4);
    ek[b + 2] = val >> 4;
  }
}

function getCoeff(ek: Uint8Array, idx: number): number {
  const b = (idx >> 1) * 3;
  return (idx & 1) === 0 ? ek[b]! | ((ek[b + 1]! & 0x0f) << 8) : (ek[b + 1]! >> 4) | (ek[b + 2]! << 4);
}

const NOT_BYTES: [string, unknown][] = [
  ['null', null],
  ['a string', 'aa'.repeat(32)],
  ['a number', 64],
  ['an array', Array.from({ length: 64 }, () => 1)],
  ['an object', { length: 64 }],
  ['an ArrayBuffer', new ArrayBuffer(64)],
  ['a Uint16Array', new Uint16Array(32)],
  ['an Int8Array', new Int8Array(64)],
  ['a Uint8ClampedArray', new Uint8ClampedArray(64)],
  ['a DataView', new DataView(new ArrayBuffer(64))],
];

/** Wrong lengths for an argument of `len` bytes, including empty and bigger than the I/O window. */
const badLengths = (len: number) => [0, 1, len - 1, len + 1, 2 * len, 70000];

// ---- host API argument checks -----------------------------------------------------

for (const s of SETS) {
  const { awre, noble: nb, name } = s;
  const L = awre.lengths;

  describe(`${name}: argument types and lengths`, () => {
    let kp: { publicKey: Uint8Array; secretKey: Uint8Array };
    let ct: Uint8Array;
    beforeAll(() => {
      const kn = KNOWN.get(name)!;
      kp = awre.keygen(kn.seed);
      ct = awre.encapsulate(kp.publicKey, kn.msg).cipherText;
    });

    // Each entry: the argument's name, its length, and a call with `v` in its place.
    const calls = (): { fn: string; arg: string; len: number; awre: (v: any) => unknown; noble: (v: any) => unknown }[] => [
      { fn: 'keygen', arg: 'seed', len: L.seed, awre: (v) => awre.keygen(v), noble: (v) => nb.keygen(v) },
      { fn: 'encapsulate', arg: 'publicKey', len: L.publicKey, awre: (v) => awre.encapsulate(v, new Uint8Array(32)), noble: (v) => nb.encapsulate(v, new Uint8Array(32)) },
      { fn: 'encapsulate', arg: 'message', len: L.msg, awre: (v) => awre.encapsulate(kp.publicKey, v), noble: (v) => nb.encapsulate(kp.publicKey, v) },
      { fn: 'decapsulate', arg: 'cipherText', len: L.cipherText, awre: (v) => awre.decapsulate(v, kp.secretKey), noble: (v) => nb.decapsulate(v, kp.secretKey) },
      { fn: 'decapsulate', arg: 'secretKey', len: L.secretKey, awre: (v) => awre.decapsulate(ct, v), noble: (v) => nb.decapsulate(ct, v) },
      { fn: 'getPublicKey', arg: 'secretKey', len: L.secretKey, awre: (v) => awre.getPublicKey(v), noble: (v) => nb.getPublicKey(v) },
      { fn: 'prepare', arg: 'publicKey', len: L.publicKey, awre: (v) => awre.prepare(v), noble: (v) => nb.prepare(v) },
      { fn: 'prepare().encapsulate', arg: 'message', len: L.msg, awre: (v) => awre.prepare(kp.publicKey).encapsulate(v), noble: (v) => nb.prepare(kp.publicKey).encapsulate(v) },
      { fn: 'prepare().decapsulate', arg: 'cipherText', len: L.cipherText, awre: (v) => awre.prepare(kp.publicKey).decapsulate(v, kp.secretKey), noble: (v) => nb.prepare(kp.publicKey).decapsulate(v, kp.secretKey) },
      { fn: 'prepare().decapsulate', arg: 'secretKey', len: L.secretKey, awre: (v) => awre.prepare(kp.publicKey).decapsulate(ct, v), noble: (v) => nb.prepare(kp.publicKey).decapsulate(ct, v) },
    ];

    const names = [
      ['keygen', 'seed'], ['encapsulate', 'publicKey'], ['encapsulate', 'message'], ['decapsulate', 'cipherText'],
      ['decapsulate', 'secretKey'], ['getPublicKey', 'secretKey'], ['prepare', 'publicKey'], ['prepare().encapsulate', 'message'],
      ['prepare().decapsulate', 'cipherText'], ['prepare().decapsulate', 'secretKey'],
    ] as const;

    for (const [fn, arg] of names) {
      it(`${fn}: "${arg}" of a wrong type is a TypeError naming it (as noble)`, () => {
        const c = calls().find((x) => x.fn === fn && x.arg === arg)!;
        for (const [what, v] of NOT_BYTES) {
          expectArgError(() => c.awre(v), TypeError, arg);
          expect(errorClass(() => c.noble(v)), `noble's class for ${what}`).toBe(TypeError);
          expectHealthy();
        }
        // undefined: optional (random) for keygen's seed and the messages, required otherwise.
        if (arg === 'seed' || arg === 'message') expect(() => c.awre(undefined)).not.toThrow();
        else expectArgError(() => c.awre(undefined), TypeError, arg);
      });

      it(`${fn}: "${arg}" of a wrong length is a RangeError naming it (as noble)`, () => {
        const c = calls().find((x) => x.fn === fn && x.arg === arg)!;
        for (const n of badLengths(c.len)) {
          expectArgError(() => c.awre(new Uint8Array(n)), RangeError, arg);
          expect(errorClass(() => c.noble(new Uint8Array(n))), `noble's class for length ${n}`).toBe(RangeError);
          expectHealthy();
        }
      });
    }

    it('decapsulate with both arguments wrong names secretKey first (as noble)', () => {
      const err = thrown(() => awre.decapsulate(new Uint8Array(1), new Uint8Array(1))) as Error;
      const nerr = thrown(() => nb.decapsulate(new Uint8Array(1), new Uint8Array(1))) as Error;
      expect(err).toBeInstanceOf(RangeError);
      expect(err.message).toContain('secretKey');
      expect(nerr.message).toContain('secretKey');
    });

    it('a Buffer (a Uint8Array subclass) is accepted', () => {
      const kn = KNOWN.get(name)!;
      const k = awre.keygen(Buffer.from(kn.seed));
      expect(hex(k.publicKey)).toBe(kn.pk);
      const e = awre.encapsulate(Buffer.from(k.publicKey), Buffer.from(kn.msg));
      expect(hex(e.cipherText)).toBe(kn.ct);
      expect(hex(awre.decapsulate(Buffer.from(e.cipherText), Buffer.from(k.secretKey)))).toBe(kn.ss);
    });

    it('prepare().decapsulate with the secret key of another public key: AwreError KEY_MISMATCH', () => {
      const other = awre.keygen(new Uint8Array(64).fill(9));
      expectAwreError(() => awre.prepare(kp.publicKey).decapsulate(ct, other.secretKey), 'KEY_MISMATCH');
      expect(() => nb.prepare(kp.publicKey).decapsulate(ct, other.secretKey)).toThrow();
      expectHealthy();
    });
  });
}

// ---- FIPS 203 input checks -------------------------------------------------------------

for (const s of SETS) {
  const { awre, noble: nb, name, level, k } = s;
  const L = awre.lengths;

  describe(`${name}: FIPS 203 section 7.2 (ek modulus)`, () => {
    const rawCheckEk = (ek: Uint8Array) => {
      const e = defaultEnclave();
      try {
        return e.exports.mlkem_check_ek(level, e.put(0, ek));
      } finally {
        e.wipe(0, ek.length);
      }
    };
    const last = 256 * k - 1;
    const positions = [0, 1, 2, 255, 256, 257, 128 * k, last - 1, last];

    for (const val of [3329, 3330, 4095]) {
      it(`a coefficient = ${val} anywhere in t-hat: AwreError EK_MODULUS from encapsulate and prepare`, () => {
        const { publicKey } = awre.keygen(KNOWN.get(name)!.seed);
        for (const idx of positions) {
          const bad = publicKey.slice();
          setCoeff(bad, idx, val);
          expect(getCoeff(bad, idx)).toBe(val);
          const where = `coefficient ${idx} = ${val}`;
          expect(rawCheckEk(bad), where).toBe(abi.ERR_EK_MODULUS);
          expectAwreError(() => awre.encapsulate(bad, new Uint8Array(32)), 'EK_MODULUS', abi.ERR_EK_MODULUS);
          expectAwreError(() => awre.encapsulate(bad), 'EK_MODULUS', abi.ERR_EK_MODULUS);
          expectAwreError(() => awre.prepare(bad), 'EK_MODULUS', abi.ERR_EK_MODULUS);
          expect(() => nb.encapsulate(bad, new Uint8Array(32)), `noble rejects ${where}`).toThrow();
          expectHealthy();
        }
      });
    }

    it('coefficients = q - 1 = 3328 and an arbitrary rho are accepted (and match noble)', () => {
      const { publicKey } = awre.keygen(KNOWN.get(name)!.seed);
      const ek = publicKey.slice();
      for (const idx of positions) setCoeff(ek, idx, 3328);
      ek.fill(0xff, L.publicKey - 32); // rho is not range-checked
      expect(rawCheckEk(ek)).toBe(abi.OK);
      const m = new Uint8Array(32).fill(3);
      const a = awre.encapsulate(ek, m);
      const n = nb.encapsulate(ek, m);
      expect(hex(a.cipherText)).toBe(hex(n.cipherText));
      expect(hex(a.sharedSecret)).toBe(hex(n.sharedSecret));
      expect(hex(awre.prepare(ek).encapsulate(m).cipherText)).toBe(hex(n.cipherText));
    });

    it('an all-0xff ek (every coefficient 4095) is rejected', () => {
      const ek = new Uint8Array(L.publicKey).fill(0xff);
      expectAwreError(() => awre.encapsulate(ek, new Uint8Array(32)), 'EK_MODULUS', abi.ERR_EK_MODULUS);
      expectHealthy();
    });

    it('on EK_MODULUS no output was written into the I/O window', () => {
      const e = defaultEnclave();
      const { publicKey } = awre.keygen(KNOWN.get(name)!.seed);
      const bad = publicKey.slice();
      setCoeff(bad, 5, 3329);
      const io = e.io;
      const ekOff = 0, mOff = 4096, ctOff = 8192, ssOff = 16384;
      e.memory().fill(0xa5, io + ctOff, io + ssOff + 32);
      const st = e.exports.mlkem_encaps(level, e.put(ekOff, bad), e.put(mOff, new Uint8Array(32).fill(1)), io + ctOff, io + ssOff);
      expect(st).toBe(abi.ERR_EK_MODULUS);
      expect(e.memory().subarray(io + ctOff, io + ctOff + L.cipherText).every((b) => b === 0xa5)).toBe(true);
      expect(e.memory().subarray(io + ssOff, io + ssOff + 32).every((b) => b === 0xa5)).toBe(true);
      e.wipe(0, e.ioBytes);
      expectHealthy();
    });
  });

  describe(`${name}: FIPS 203 section 7.3 (dk hash)`, () => {
    const hOff = 768 * k + 32; // H(ek) in dk
    const ekOff = 384 * k; // ek in dk
    const zOff = 768 * k + 64;
    const rawCheckDk = (dk: Uint8Array) => {
      const e = defaultEnclave();
      try {
        return e.exports.mlkem_check_dk(level, e.put(0, dk));
      } finally {
        e.wipe(0, dk.length);
      }
    };

    it('valid dk passes the enclave check', () => {
      const { secretKey } = awre.keygen(KNOWN.get(name)!.seed);
      expect(rawCheckDk(secretKey)).toBe(abi.OK);
    });

    const corruptions: [string, number][] = [
      ['first byte of H(ek)', hOff],
      ['last byte of H(ek)', hOff + 31],
      ['first byte of the embedded ek', ekOff],
      ['a middle byte of the embedded ek', ekOff + 200],
      ['first byte of rho in the embedded ek', hOff - 32],
      ['last byte of the embedded ek', hOff - 1],
    ];
    for (const [what, off] of corruptions) {
      it(`dk with a corrupted ${what}: AwreError DK_HASH (noble rejects too)`, () => {
        const kn = KNOWN.get(name)!;
        const { secretKey } = awre.keygen(kn.seed);
        const ct = Uint8Array.from(Buffer.from(kn.ct, 'hex'));
        for (const mask of [0x01, 0x80, 0xff]) {
          const bad = secretKey.slice();
          bad[off]! ^= mask;
          expect(rawCheckDk(bad)).toBe(abi.ERR_DK_HASH);
          expectAwreError(() => awre.decapsulate(ct, bad), 'DK_HASH', abi.ERR_DK_HASH);
          expect(() => nb.decapsulate(ct, bad)).toThrow();
          expectHealthy();
        }
      });
    }

    it('dk whose embedded ek and H(ek) were both replaced consistently is accepted (as noble)', () => {
      // 7.3 only checks consistency of ek and H(ek) inside dk; noble agrees.
      const kn = KNOWN.get(name)!;
      const { secretKey } = awre.keygen(kn.seed);
      const other = awre.keygen(new Uint8Array(64).fill(0x42));
      const mixed = secretKey.slice();
      mixed.set(other.secretKey.subarray(ekOff, zOff), ekOff);
      expect(rawCheckDk(mixed)).toBe(abi.OK);
      const ct = Uint8Array.from(Buffer.from(kn.ct, 'hex'));
      expect(hex(awre.decapsulate(ct, mixed))).toBe(hex(nb.decapsulate(ct, mixed)));
    });

    it('dk with a changed z or dk_PKE is not detectable: same (rejection) secret as noble', () => {
      const kn = KNOWN.get(name)!;
      const { secretKey } = awre.keygen(kn.seed);
      const ct = Uint8Array.from(Buffer.from(kn.ct, 'hex'));
      for (const off of [0, 100, zOff, zOff + 31]) {
        const bad = secretKey.slice();
        bad[off]! ^= 0x10;
        expect(hex(awre.decapsulate(ct, bad)), `byte ${off}`).toBe(hex(nb.decapsulate(ct, bad)));
      }
    });

    it('on DK_HASH no output was written into the I/O window', () => {
      const e = defaultEnclave();
      const kn = KNOWN.get(name)!;
      const { secretKey } = awre.keygen(kn.seed);
      const bad = secretKey.slice();
      bad[hOff]! ^= 1;
      const io = e.io;
      const ssOff = 20000;
      e.memory().fill(0xa5, io + ssOff, io + ssOff + 32);
      const st = e.exports.mlkem_decaps(level, e.put(0, bad), e.put(8000, Buffer.from(kn.ct, 'hex')), io + ssOff);
      expect(st).toBe(abi.ERR_DK_HASH);
      expect(e.memory().subarray(io + ssOff, io + ssOff + 32).every((b) => b === 0xa5)).toBe(true);
      e.wipe(0, e.ioBytes);
      expectHealthy();
    });
  });
}

// ---- the enclave's own guards --------------------------------------------------------------

describe('enclave exports refuse bad pointers, overlaps and unknown levels without trapping', () => {
  const e = () => defaultEnclave();
  const X = () => defaultEnclave().exports;

  /**
   * Call a raw export with the window and HCTX filled with a pattern; it must
   * return `want`, not trap, and leave every window and HCTX byte as it was.
   */
  function expectRefused(what: string, call: () => number, want: number = abi.ERR_ARG): void {
    const en = e();
    // Virtual addresses (write/read), so that this holds under WAVEN too.
    const pattern = new Prng(`${DEFAULT_SEED}/pattern`).bytes(en.ioBytes);
    en.write(en.io, pattern);
    const hctx = en.read(en.hctx, en.hctxBytes);
    let st: number | undefined;
    expect(() => { st = call(); }, `${what}: must not trap`).not.toThrow();
    expect(st, what).toBe(want);
    expect(indexOfBytes(en.read(en.io, en.ioBytes), pattern) === 0, `${what}: the I/O window changed`).toBe(true);
    expect(hex(en.read(en.hctx, en.hctxBytes)), `${what}: HCTX changed`).toBe(hex(hctx));
    en.wipe(0, en.ioBytes);
  }

  it('layout sanity: the window is where the ABI says', () => {
    expect(e().ioBytes).toBe(abi.IO_BYTES);
    expect(e().hctxBytes).toBe(abi.KECCAK_CTX_BYTES);
    expect(X().abi_version()).toBe(abi.ABI_VERSION);
    // HCTX and the window do not overlap.
    expect(e().hctx + e().hctxBytes <= e().io || e().io + e().ioBytes <= e().hctx).toBe(true);
  });

  for (const s of SETS) {
    const { level, awre, name } = s;
    const L = awre.lengths;

    it(`${name}: positive control at the layout the negative cases vary`, () => {
      const en = e(), io = en.io;
      const kn = KNOWN.get(name)!;
      expect(X().mlkem_keygen(level, en.put(0, kn.seed), io + 64, io + 64 + L.publicKey)).toBe(abi.OK);
      expect(hex(en.get(64, L.publicKey))).toBe(kn.pk);
      expect(hex(en.get(64 + L.publicKey, L.secretKey))).toBe(kn.sk);
      en.wipe(0, en.ioBytes);
      expect(X().mlkem_encaps(level, en.put(0, Buffer.from(kn.pk, 'hex')), en.put(L.publicKey, kn.msg), io + 8192, io + 16384)).toBe(abi.OK);
      expect(hex(en.get(8192, L.cipherText))).toBe(kn.ct);
      expect(hex(en.get(16384, 32))).toBe(kn.ss);
      en.wipe(0, en.ioBytes);
      expect(X().mlkem_decaps(level, en.put(0, Buffer.from(kn.sk, 'hex')), en.put(8192, Buffer.from(kn.ct, 'hex')), io + 16384)).toBe(abi.OK);
      expect(hex(en.get(16384, 32))).toBe(kn.ss);
      en.wipe(0, en.ioBytes);
      // Inputs and outputs may end exactly at the end of the window.
      const end = en.ioBytes;
      expect(X().mlkem_decaps(level, en.put(0, Buffer.from(kn.sk, 'hex')), en.put(end - 32 - L.cipherText, Buffer.from(kn.ct, 'hex')), io + end - 32)).toBe(abi.OK);
      expect(hex(en.get(end - 32, 32))).toBe(kn.ss);
      en.wipe(0, en.ioBytes);
    });

    it(`${name}: mlkem_keygen refusals`, () => {
      const io = e().io, N = e().ioBytes, ek = io + 64, dk = io + 64 + L.publicKey;
      for (const lv of [700, 0, -1, 513, 1023, 2048, 0x7fffffff]) expectRefused(`keygen level ${lv}`, () => X().mlkem_keygen(lv, io, ek, dk));
      expectRefused('seed at address 0', () => X().mlkem_keygen(level, 0, ek, dk));
      expectRefused('seed just below the window', () => X().mlkem_keygen(level, io - 1, ek, dk));
      expectRefused('seed straddles the end', () => X().mlkem_keygen(level, io + N - 63, ek, dk));
      expectRefused('ek at the end of the window', () => X().mlkem_keygen(level, io, io + N, dk));
      expectRefused('ek straddles the end', () => X().mlkem_keygen(level, io, io + N - L.publicKey + 1, dk));
      expectRefused('dk = -1 (0xffffffff)', () => X().mlkem_keygen(level, io, ek, -1));
      expectRefused('dk = 0xfffffff0', () => X().mlkem_keygen(level, io, ek, 0xfffffff0 | 0));
      expectRefused('dk = 0x7fffffff', () => X().mlkem_keygen(level, io, ek, 0x7fffffff));
      expectRefused('ek overlaps dk', () => X().mlkem_keygen(level, io, ek, ek + L.publicKey - 1));
      expectRefused('dk overlaps ek', () => X().mlkem_keygen(level, io, dk + L.secretKey - 1, dk));
      expectRefused('ek == dk', () => X().mlkem_keygen(level, io, ek, ek));
      expectRefused('seed overlaps ek', () => X().mlkem_keygen(level, io, io + 63, dk + 100));
      expectRefused('seed overlaps dk', () => X().mlkem_keygen(level, io + 64 + L.publicKey + 10, ek, dk));
      expectHealthy();
    });

    it(`${name}: mlkem_encaps refusals`, () => {
      const io = e().io, N = e().ioBytes;
      const ek = io, m = io + 4096, ct = io + 8192, ss = io + 16384;
      for (const lv of [700, 0, -1, 1025]) expectRefused(`encaps level ${lv}`, () => X().mlkem_encaps(lv, ek, m, ct, ss));
      expectRefused('ek outside', () => X().mlkem_encaps(level, 16, m, ct, ss));
      expectRefused('ek straddles the end', () => X().mlkem_encaps(level, io + N - L.publicKey + 1, m, ct, ss));
      expectRefused('m outside', () => X().mlkem_encaps(level, ek, io + N, ct, ss));
      expectRefused('m = -1', () => X().mlkem_encaps(level, ek, -1, ct, ss));
      expectRefused('ct outside', () => X().mlkem_encaps(level, ek, m, io + N - L.cipherText + 1, ss));
      expectRefused('ss outside', () => X().mlkem_encaps(level, ek, m, ct, io + N - 31));
      expectRefused('ss below the window', () => X().mlkem_encaps(level, ek, m, ct, io - 32));
      expectRefused('ct overlaps ss', () => X().mlkem_encaps(level, ek, m, ct, ct + L.cipherText - 1));
      expectRefused('ss overlaps ct', () => X().mlkem_encaps(level, ek, m, ss + 31, ss));
      expectRefused('ct overlaps ek', () => X().mlkem_encaps(level, ek, m, ek + L.publicKey - 1, ss));
      expectRefused('ct overlaps m', () => X().mlkem_encaps(level, ek, m, m - L.cipherText + 1, ss));
      expectRefused('ss overlaps ek', () => X().mlkem_encaps(level, ek, m, ct, ek + 10));
      expectRefused('ss overlaps m', () => X().mlkem_encaps(level, ek, m, ct, m + 31));
      expectHealthy();
    });

    it(`${name}: mlkem_decaps refusals`, () => {
      const io = e().io, N = e().ioBytes;
      const dk = io, ct = io + 8192, ss = io + 16384;
      for (const lv of [700, 0, -1, 511]) expectRefused(`decaps level ${lv}`, () => X().mlkem_decaps(lv, dk, ct, ss));
      expectRefused('dk outside', () => X().mlkem_decaps(level, io - 1, ct, ss));
      expectRefused('dk straddles the end', () => X().mlkem_decaps(level, io + N - L.secretKey + 1, ct, ss));
      expectRefused('ct outside', () => X().mlkem_decaps(level, dk, 0, ss));
      expectRefused('ct straddles the end', () => X().mlkem_decaps(level, dk, io + N - L.cipherText + 1, ss));
      expectRefused('ss outside', () => X().mlkem_decaps(level, dk, ct, io + N));
      expectRefused('ss = 0xffffffe0', () => X().mlkem_decaps(level, dk, ct, 0xffffffe0 | 0));
      expectRefused('ss overlaps dk', () => X().mlkem_decaps(level, dk, ct, dk + L.secretKey - 1));
      expectRefused('ss overlaps ct', () => X().mlkem_decaps(level, dk, ct, ct + 5));
      expectRefused('ss overlaps ct from below', () => X().mlkem_decaps(level, dk, ct, ct - 31));
      expectHealthy();
    });

    it(`${name}: mlkem_check_ek / mlkem_check_dk refusals`, () => {
      const io = e().io, N = e().ioBytes;
      for (const lv of [700, 0, -1]) {
        expectRefused(`check_ek level ${lv}`, () => X().mlkem_check_ek(lv, io));
        expectRefused(`check_dk level ${lv}`, () => X().mlkem_check_dk(lv, io));
      }
      expectRefused('check_ek outside', () => X().mlkem_check_ek(level, io + N - L.publicKey + 1));
      expectRefused('check_ek below', () => X().mlkem_check_ek(level, 0));
      expectRefused('check_dk outside', () => X().mlkem_check_dk(level, io + N - L.secretKey + 1));
      expectRefused('check_dk = -1', () => X().mlkem_check_dk(level, -1));
      expectHealthy();
    });
  }

  it('sha3_oneshot refusals and edge cases', () => {
    const io = e().io, N = e().ioBytes;
    expectRefused('src outside', () => X().sha3_oneshot(136, 0x06, 0, 10, io + 1000, 32));
    expectRefused('src straddles the end', () => X().sha3_oneshot(136, 0x06, io + N - 9, 10, io, 32));
    expectRefused('len > window', () => X().sha3_oneshot(136, 0x06, io, N + 1, io, 32));
    expectRefused('len = -1', () => X().sha3_oneshot(136, 0x06, io, -1, io, 32));
    expectRefused('dst outside', () => X().sha3_oneshot(136, 0x06, io, 10, io + N - 31, 32));
    expectRefused('outLen = -1', () => X().sha3_oneshot(136, 0x06, io, 10, io, -1));
    expectRefused('dst = -1', () => X().sha3_oneshot(136, 0x06, io, 10, -1, 32));
    for (const rate of [0, 1, 100, 135, 137, 200, 168 * 2, -136]) expectRefused(`rate ${rate}`, () => X().sha3_oneshot(rate, 0x06, io, 10, io + 100, 32));
    // The delimited suffix must be one non-zero byte (docs/abi.md).
    for (const ds of [0, 0x100, 0x106, -1, -0x7f]) expectRefused(`ds ${ds}`, () => X().sha3_oneshot(136, ds, io, 10, io + 100, 32));
    // Zero lengths at the very end of the window are inside it.
    const en = e();
    expect(X().sha3_oneshot(136, 0x06, io + N, 0, io, 32)).toBe(abi.OK);
    expect(hex(en.get(0, 32))).toBe('a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a');
    expect(X().sha3_oneshot(136, 0x06, io, 0, io + N, 0)).toBe(abi.OK);
    // The output may overlap the input.
    const msg = new TextEncoder().encode('abc');
    en.put(0, msg);
    expect(X().sha3_oneshot(136, 0x06, io, 3, io, 32)).toBe(abi.OK);
    expect(hex(en.get(0, 32))).toBe('3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532');
    en.wipe(0, N);
    expectHealthy();
  });

  it('keccak_absorb / keccak_finish / keccak_squeeze refusals, including malformed contexts', () => {
    const en = e(), io = en.io, N = en.ioBytes;
    // Through the enclave's virtual addresses (write/zero), so that this runs under WAVEN too.
    const setCtx = (pos: number, phase: number) => {
      const ctx = new Uint8Array(en.hctxBytes);
      new DataView(ctx.buffer).setUint32(200, pos >>> 0, true);
      new DataView(ctx.buffer).setUint32(204, phase >>> 0, true);
      en.write(en.hctx, ctx);
    };
    // A fresh absorbing context.
    setCtx(0, 0);
    expectRefused('absorb bad rate', () => X().keccak_absorb(100, io, 10));
    expectRefused('absorb src outside', () => X().keccak_absorb(136, io + N - 5, 10));
    expectRefused('absorb len = -1', () => X().keccak_absorb(136, io, -1));
    expectRefused('finish bad rate', () => X().keccak_finish(0, 0x06));
    expectRefused('finish ds 0', () => X().keccak_finish(136, 0));
    expectRefused('finish ds 0x100', () => X().keccak_finish(136, 0x100));
    expectRefused('squeeze bad rate', () => X().keccak_squeeze(7, io, 10));
    expectRefused('squeeze dst outside', () => X().keccak_squeeze(136, io + N, 1));
    // Phase and position checks: ERR_HASH_STATE.
    expectRefused('squeeze while absorbing', () => X().keccak_squeeze(136, io, 10), abi.ERR_HASH_STATE);
    for (const pos of [136, 137, 1000, 0xffffffff]) {
      setCtx(pos, 0);
      expectRefused(`absorb with pos ${pos}`, () => X().keccak_absorb(136, io, 10), abi.ERR_HASH_STATE);
      expectRefused(`finish with pos ${pos}`, () => X().keccak_finish(136, 0x06), abi.ERR_HASH_STATE);
    }
    setCtx(100, 0);
    expectRefused('absorb at rate 72 with pos 100 (rate of another hash)', () => X().keccak_absorb(72, io, 10), abi.ERR_HASH_STATE);
    setCtx(0, 1);
    expectRefused('absorb while squeezing', () => X().keccak_absorb(136, io, 10), abi.ERR_HASH_STATE);
    expectRefused('finish twice', () => X().keccak_finish(136, 0x06), abi.ERR_HASH_STATE);
    for (const pos of [137, 0x80000000]) {
      setCtx(pos, 1);
      expectRefused(`squeeze with pos ${pos}`, () => X().keccak_squeeze(136, io, 10), abi.ERR_HASH_STATE);
    }
    for (const phase of [2, 7, 0xffffffff]) {
      setCtx(0, phase);
      expectRefused(`absorb with phase ${phase}`, () => X().keccak_absorb(136, io, 10), abi.ERR_HASH_STATE);
      expectRefused(`squeeze with phase ${phase}`, () => X().keccak_squeeze(136, io, 10), abi.ERR_HASH_STATE);
    }
    // A well-formed round trip through the raw exports: SHA3-256("abc").
    setCtx(0, 0);
    en.put(0, new TextEncoder().encode('abc'));
    expect(X().keccak_absorb(136, io, 3)).toBe(abi.OK);
    expect(X().keccak_finish(136, 0x06)).toBe(abi.OK);
    expect(X().keccak_squeeze(136, io + 100, 32)).toBe(abi.OK);
    expect(hex(en.get(100, 32))).toBe('3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532');
    // pos == rate while squeezing is valid (the next squeeze permutes first).
    setCtx(136, 1);
    expect(X().keccak_squeeze(136, io, 10)).toBe(abi.OK);
    en.zero(en.hctx, en.hctxBytes);
    en.wipe(0, N);
    expectHealthy();
  });

  it('garbage left in HCTX by raw calls does not affect host hash objects', () => {
    const en = e();
    const h = sha3_512.create().update(new Uint8Array(1000).fill(1));
    en.write(en.hctx, new Uint8Array(en.hctxBytes).fill(0xff));
    h.update(new Uint8Array(10).fill(2));
    en.write(en.hctx, new Uint8Array(en.hctxBytes).fill(0x77));
    const n = nh.sha3_512.create().update(new Uint8Array(1000).fill(1)).update(new Uint8Array(10).fill(2));
    expect(hex(h.digest())).toBe(hex(n.digest()));
    // The host's save/restore leaves HCTX zeroed after each use.
    expect(en.read(en.hctx, en.hctxBytes).every((b) => b === 0)).toBe(true);
  });
});

// ---- memory hygiene ---------------------------------------------------------------------------

describe('no secret is left in the enclave memory after an operation', () => {
  const memory = () => defaultEnclave().memory();
  const absent = (what: string, secret: Uint8Array) =>
    expect(indexOfBytes(memory(), secret), `${what} found in enclave memory`).toBe(-1);

  for (const s of SETS) {
    it(`${s.name}: keygen, encapsulate, decapsulate (also after DK_HASH)`, () => {
      const rng = new Prng(`${DEFAULT_SEED}/hygiene/${s.name}`);
      const seed = rng.bytes(64);
      const kp = s.awre.keygen(seed);
      absent('d', seed.subarray(0, 32));
      absent('z', seed.subarray(32));
      absent('dk_PKE prefix', kp.secretKey.subarray(0, 32));
      const msg = rng.bytes(32);
      const enc = s.awre.encapsulate(kp.publicKey, msg);
      absent('m', msg);
      absent('shared secret (encapsulate)', enc.sharedSecret);
      const ss = s.awre.decapsulate(enc.cipherText, kp.secretKey);
      absent('shared secret (decapsulate)', ss);
      absent('dk_PKE prefix (decapsulate)', kp.secretKey.subarray(0, 32));
      absent('z (decapsulate)', seed.subarray(32));
      // Implicit rejection: K-bar must not be left either.
      const kbar = s.awre.decapsulate(rng.bytes(s.awre.lengths.cipherText), kp.secretKey);
      absent('K-bar', kbar);
      // A failing decapsulation wipes what it put into the window.
      const bad = kp.secretKey.slice();
      bad[768 * s.k + 32]! ^= 1;
      expectAwreError(() => s.awre.decapsulate(enc.cipherText, bad), 'DK_HASH', abi.ERR_DK_HASH);
      absent('dk_PKE prefix (after DK_HASH)', kp.secretKey.subarray(0, 32));
      // keygen() without a seed: the generated seed is not left in the window.
      const r = s.awre.keygen();
      absent('random keygen dk_PKE prefix', r.secretKey.subarray(0, 32));
      absent('random keygen z', r.secretKey.subarray(768 * s.k + 64));
    });
  }
});

// ---- hash objects ----------------------------------------------------------------------------

describe('hash objects: state errors and argument checks', () => {
  const msg = new Uint8Array(100).fill(0x61);

  it('update/digest/xof after digest(): AwreError HASH_STATE', () => {
    for (const [H, xof] of [[sha3_256, false], [sha3_512, false], [shake128, true], [shake256, true]] as const) {
      expect(H.canXOF).toBe(xof);
      const h = H.create().update(msg);
      h.digest();
      expectAwreError(() => h.update(msg), 'HASH_STATE');
      expectAwreError(() => h.digest(), 'HASH_STATE');
      expectAwreError(() => h.digestInto(new Uint8Array(H.outputLen)), 'HASH_STATE');
      if (xof) expectAwreError(() => h.xof(10), 'HASH_STATE');
      expectHealthy();
    }
  });

  it('update/digest after xof(): AwreError HASH_STATE (as noble, which throws)', () => {
    for (const [H, N] of [[shake128, nh.shake128], [shake256, nh.shake256]] as const) {
      const h = H.create().update(msg);
      h.xof(10);
      expectAwreError(() => h.update(msg), 'HASH_STATE');
      expectAwreError(() => h.digest(), 'HASH_STATE');
      const n = N.create().update(msg);
      n.xof(10);
      expect(() => n.update(msg)).toThrow();
      expect(() => n.digest()).toThrow();
      // xof can go on.
      expect(hex(h.xof(20))).toBe(hex(n.xof(20)));
      expectHealthy();
    }
  });

  it('after destroy(): every use is AwreError HASH_STATE, clones too', () => {
    const h = shake256.create().update(msg);
    h.destroy();
    expectAwreError(() => h.update(msg), 'HASH_STATE');
    expectAwreError(() => h.digest(), 'HASH_STATE');
    expectAwreError(() => h.xof(5), 'HASH_STATE');
    const c = h.clone();
    expectAwreError(() => c.update(msg), 'HASH_STATE');
    expectAwreError(() => c.xof(5), 'HASH_STATE');
    expectHealthy();
  });

  it('xof on a non-XOF hash throws (AwreError HASH_STATE), and the object stays usable', () => {
    for (const H of [sha3_256, sha3_512]) {
      const h = H.create().update(msg);
      expect(H.canXOF).toBe(false);
      expectAwreError(() => h.xof(10), 'HASH_STATE');
      expectAwreError(() => h.xofInto(new Uint8Array(10)), 'HASH_STATE');
      expect(() => (nh.sha3_256.create() as nh.Keccak).xof(10)).toThrow(); // noble too
      expect(hex(h.digest())).toBe(hex((H === sha3_256 ? nh.sha3_256 : nh.sha3_512)(msg)));
    }
  });

  it('wrong argument types and values: TypeError / RangeError, same class as noble', () => {
    const cases: [string, () => unknown, () => unknown, typeof TypeError | typeof RangeError][] = [
      ['sha3_256(string)', () => sha3_256('abc' as any), () => nh.sha3_256('abc' as any), TypeError],
      ['sha3_256(array)', () => sha3_256([1, 2] as any), () => nh.sha3_256([1, 2] as any), TypeError],
      ['sha3_256(undefined)', () => sha3_256(undefined as any), () => nh.sha3_256(undefined as any), TypeError],
      ['update(number)', () => sha3_256.create().update(5 as any), () => nh.sha3_256.create().update(5 as any), TypeError],
      ['update(Uint16Array)', () => sha3_256.create().update(new Uint16Array(4) as any), () => nh.sha3_256.create().update(new Uint16Array(4) as any), TypeError],
      ['shake128 dkLen -1', () => shake128(msg, { dkLen: -1 }), () => nh.shake128(msg, { dkLen: -1 }), RangeError],
      ['shake128 dkLen 1.5', () => shake128(msg, { dkLen: 1.5 }), () => nh.shake128(msg, { dkLen: 1.5 }), RangeError],
      ['shake128 dkLen NaN', () => shake128(msg, { dkLen: NaN }), () => nh.shake128(msg, { dkLen: NaN }), RangeError],
      ['shake128 dkLen "16"', () => shake128(msg, { dkLen: '16' as any }), () => nh.shake128(msg, { dkLen: '16' as any }), TypeError],
      ['shake256.create dkLen -5', () => shake256.create({ dkLen: -5 }), () => nh.shake256.create({ dkLen: -5 }), RangeError],
      ['shake128 opts null', () => shake128(msg, null as any), () => nh.shake128(msg, null as any), TypeError],
      ['shake128 opts number', () => shake128(msg, 5 as any), () => nh.shake128(msg, 5 as any), TypeError],
      ['xof(-1)', () => shake128.create().xof(-1), () => nh.shake128.create().xof(-1), RangeError],
      ['xof("5")', () => shake128.create().xof('5' as any), () => nh.shake128.create().xof('5' as any), TypeError],
      ['xofInto(array)', () => shake128.create().xofInto([0, 0] as any), () => nh.shake128.create().xofInto([0, 0] as any), TypeError],
      ['digestInto(short)', () => sha3_256.create().digestInto(new Uint8Array(31)), () => nh.sha3_256.create().digestInto(new Uint8Array(31)), RangeError],
      ['digestInto(string)', () => sha3_256.create().digestInto('x'.repeat(32) as any), () => nh.sha3_256.create().digestInto('x'.repeat(32) as any), TypeError],
    ];
    for (const [what, a, n, cls] of cases) {
      const err = thrown(a) as Error;
      expect(err, what).toBeInstanceOf(cls);
      expect(err.constructor, what).toBe(cls);
      expect(errorClass(n), `noble: ${what}`).toBe(cls);
      expectHealthy();
    }
  });

  it('a failed update leaves the object usable and unchanged', () => {
    const h = sha3_256.create().update(msg);
    expect(() => h.update('nope' as any)).toThrow(TypeError);
    expect(hex(h.update(msg).digest())).toBe(hex(nh.sha3_256.create().update(msg).update(msg).digest()));
  });
});
