// NIST ACVP vectors for FIPS 203 ML-KEM: keyGen (KeyGen_internal(d, z)),
// encapsulation (Encaps_internal(ek, m)), decapsulation, and the input
// checks of sections 7.2 (encapsulationKeyCheck) and 7.3
// (decapsulationKeyCheck), through awre's public API and, for the key checks,
// also through the enclave's own check exports.
import { describe, expect, it } from 'vitest';
import * as noble from '@noble/post-quantum/ml-kem.js';
import { abi, AwreError, defaultEnclave, ml_kem1024, ml_kem512, ml_kem768, type MLKEM } from '../host/index.js';
import { bytesToHex, concat, hexToBytes } from './helpers/hex.js';
import { loadAcvp, type EncapDecapGroup, type KeyGenGroup, type MlKemParameterSet } from './helpers/vectors.js';

const KEM: Record<MlKemParameterSet, { kem: MLKEM; level: number; nb: typeof noble.ml_kem768 }> = {
  'ML-KEM-512': { kem: ml_kem512, level: 512, nb: noble.ml_kem512 },
  'ML-KEM-768': { kem: ml_kem768, level: 768, nb: noble.ml_kem768 },
  'ML-KEM-1024': { kem: ml_kem1024, level: 1024, nb: noble.ml_kem1024 },
};

/** Call an enclave check export on `key` placed at the start of the I/O window. */
function rawCheck(fn: 'mlkem_check_ek' | 'mlkem_check_dk', level: number, key: Uint8Array): number {
  const e = defaultEnclave();
  try {
    return e.exports[fn](level, e.put(0, key));
  } finally {
    e.wipe(0, key.length);
  }
}

/** Run f, expecting an AwreError with `code` (and the matching enclave status). */
function expectAwreError(f: () => unknown, code: string, status: number): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a throw').toBeInstanceOf(AwreError);
  expect((err as AwreError).code).toBe(code);
  expect((err as AwreError).status).toBe(status);
}

const hex = bytesToHex;
const lower = (s: string) => s.toLowerCase();

describe('ACVP ML-KEM-keyGen-FIPS203', () => {
  const file = loadAcvp<KeyGenGroup>('ML-KEM-keyGen-FIPS203');

  it('vector file is the expected one', () => {
    expect(file.algorithm).toBe('ML-KEM');
    expect(file.mode).toBe('keyGen');
    expect(file.testGroups.map((g) => [g.parameterSet, g.tests.length])).toEqual([
      ['ML-KEM-512', 25], ['ML-KEM-768', 25], ['ML-KEM-1024', 25],
    ]);
  });

  for (const g of file.testGroups) {
    const { kem } = KEM[g.parameterSet];
    describe(`${g.parameterSet} tgId ${g.tgId}`, () => {
      for (const c of g.tests) {
        it(`tcId ${c.tcId}: keygen(d || z)`, () => {
          const seed = concat(hexToBytes(c.d), hexToBytes(c.z));
          const seedCopy = seed.slice();
          const { publicKey, secretKey } = kem.keygen(seed);
          expect(hex(publicKey)).toBe(lower(c.ek));
          expect(hex(secretKey)).toBe(lower(c.dk));
          expect(hex(kem.getPublicKey(secretKey))).toBe(lower(c.ek));
          expect(seed).toEqual(seedCopy); // the caller's seed is left alone
        });
      }
    });
  }
});

describe('ACVP ML-KEM-encapDecap-FIPS203', () => {
  const file = loadAcvp<EncapDecapGroup>('ML-KEM-encapDecap-FIPS203');

  it('vector file is the expected one', () => {
    expect(file.algorithm).toBe('ML-KEM');
    expect(file.mode).toBe('encapDecap');
    const count: Record<string, number> = {};
    for (const g of file.testGroups) count[g.function] = (count[g.function] ?? 0) + g.tests.length;
    expect(count).toEqual({ encapsulation: 75, decapsulation: 30, encapsulationKeyCheck: 30, decapsulationKeyCheck: 30 });
  });

  for (const g of file.testGroups) {
    const { kem, level, nb } = KEM[g.parameterSet];
    describe(`${g.parameterSet} ${g.function} tgId ${g.tgId}`, () => {
      for (const c of g.tests) {
        switch (g.function) {
          case 'encapsulation':
            it(`tcId ${c.tcId}: encapsulate(ek, m)`, () => {
              const ek = hexToBytes(c.ek!), m = hexToBytes(c.m!);
              const { cipherText, sharedSecret } = kem.encapsulate(ek, m);
              expect(hex(cipherText)).toBe(lower(c.c!));
              expect(hex(sharedSecret)).toBe(lower(c.k!));
              // The prepared key gives the same, and the given dk decapsulates it.
              const p = kem.prepare(ek);
              const again = p.encapsulate(m);
              expect(hex(again.cipherText)).toBe(lower(c.c!));
              expect(hex(again.sharedSecret)).toBe(lower(c.k!));
              expect(hex(kem.decapsulate(cipherText, hexToBytes(c.dk!)))).toBe(lower(c.k!));
            });
            break;
          case 'decapsulation':
            it(`tcId ${c.tcId}: decapsulate(dk, c) (${c.reason})`, () => {
              const dk = hexToBytes(c.dk!), ct = hexToBytes(c.c!);
              expect(hex(kem.decapsulate(ct, dk))).toBe(lower(c.k!));
              expect(hex(kem.prepare(hexToBytes(c.ek!)).decapsulate(ct, dk))).toBe(lower(c.k!));
            });
            break;
          case 'encapsulationKeyCheck':
            it(`tcId ${c.tcId}: ek check, testPassed=${c.testPassed} (${c.reason})`, () => {
              const ek = hexToBytes(c.ek!);
              const m = new Uint8Array(32).fill(0x5c);
              if (ek.length !== kem.lengths.publicKey) {
                expect(c.testPassed).toBe(false);
                expect(() => kem.encapsulate(ek, m)).toThrow(RangeError);
                expect(() => kem.prepare(ek)).toThrow(RangeError);
                return;
              }
              if (c.testPassed) {
                expect(rawCheck('mlkem_check_ek', level, ek)).toBe(abi.OK);
                // Expected values from noble (the vector gives no ciphertext for a key check).
                const want = nb.encapsulate(ek, m);
                const { cipherText, sharedSecret } = kem.encapsulate(ek, m);
                expect(hex(cipherText)).toBe(hex(want.cipherText));
                expect(hex(sharedSecret)).toBe(hex(want.sharedSecret));
                expect(hex(kem.prepare(ek).encapsulate(m).cipherText)).toBe(hex(want.cipherText));
                // The vector's dk belongs to ek: it must recover the shared secret.
                expect(hex(kem.decapsulate(cipherText, hexToBytes(c.dk!)))).toBe(hex(want.sharedSecret));
              } else {
                expect(rawCheck('mlkem_check_ek', level, ek)).toBe(abi.ERR_EK_MODULUS);
                expectAwreError(() => kem.encapsulate(ek, m), 'EK_MODULUS', abi.ERR_EK_MODULUS);
                expectAwreError(() => kem.encapsulate(ek), 'EK_MODULUS', abi.ERR_EK_MODULUS);
                expectAwreError(() => kem.prepare(ek), 'EK_MODULUS', abi.ERR_EK_MODULUS);
              }
            });
            break;
          case 'decapsulationKeyCheck':
            it(`tcId ${c.tcId}: dk check, testPassed=${c.testPassed} (${c.reason})`, () => {
              const dk = hexToBytes(c.dk!);
              const ctLen = kem.lengths.cipherText;
              if (dk.length !== kem.lengths.secretKey) {
                expect(c.testPassed).toBe(false);
                expect(() => kem.decapsulate(new Uint8Array(ctLen), dk)).toThrow(RangeError);
                return;
              }
              if (c.testPassed) {
                expect(rawCheck('mlkem_check_dk', level, dk)).toBe(abi.OK);
                // noble encapsulates to the vector's ek; dk must recover noble's shared secret.
                const { cipherText, sharedSecret } = nb.encapsulate(hexToBytes(c.ek!), new Uint8Array(32).fill(7));
                expect(hex(kem.decapsulate(cipherText, dk))).toBe(hex(sharedSecret));
              } else {
                expect(rawCheck('mlkem_check_dk', level, dk)).toBe(abi.ERR_DK_HASH);
                expectAwreError(() => kem.decapsulate(new Uint8Array(ctLen), dk), 'DK_HASH', abi.ERR_DK_HASH);
                expectAwreError(() => kem.decapsulate(new Uint8Array(ctLen).fill(0xa5), dk), 'DK_HASH', abi.ERR_DK_HASH);
              }
            });
            break;
          default:
            it(`tcId ${c.tcId}: unhandled function ${String(g.function)}`, () => expect.fail('unhandled ACVP function'));
        }
      }
    });
  }
});
