// Differential tests of awre's ML-KEM against @noble/post-quantum 0.7
// (ml-kem.js): the same seeds and messages must give the same bytes, and
// implicit rejection must give the same shared secret. Inputs come from a
// seeded generator (tests/helpers/prng.ts): a failure message names the
// generator label and the iteration; AWRE_TEST_SEED=<seed> replays a run,
// AWRE_DIFF_ITERATIONS changes the main loop's length (default 1000, at least
// 100: helpers/iterations.ts).
import { describe, expect, it } from 'vitest';
import * as noble from '@noble/post-quantum/ml-kem.js';
import { defaultEnclave, ml_kem1024, ml_kem512, ml_kem768, type MLKEM } from '../host/index.js';
import { bytesToHex } from './helpers/hex.js';
import { iterations } from './helpers/iterations.js';
import { DEFAULT_SEED, Prng } from './helpers/prng.js';

const ITERATIONS = iterations('AWRE_DIFF_ITERATIONS');

type NobleKEM = typeof noble.ml_kem768;
const SETS: { name: string; awre: MLKEM; noble: NobleKEM }[] = [
  { name: 'ML-KEM-512', awre: ml_kem512, noble: noble.ml_kem512 },
  { name: 'ML-KEM-768', awre: ml_kem768, noble: noble.ml_kem768 },
  { name: 'ML-KEM-1024', awre: ml_kem1024, noble: noble.ml_kem1024 },
];

const hex = bytesToHex;

for (const { name, awre, noble: nb } of SETS) {
  describe(`${name} vs @noble/post-quantum`, () => {
    it('lengths and info', () => {
      expect({ ...awre.lengths }).toEqual({ ...nb.lengths });
      expect(awre.info).toEqual(nb.info);
    });

    it(`${ITERATIONS} random seeds: keygen, encapsulate, decapsulate, random and bit-flipped ciphertexts`, () => {
      const rng = new Prng(`${DEFAULT_SEED}/diff-mlkem/${name}`);
      const { cipherText: ctLen } = awre.lengths;
      let rejections = 0;
      for (let i = 0; i < ITERATIONS; i++) {
        const seed = rng.bytes(64);
        const msg = rng.bytes(32);
        const where = `${name} seed="${rng.seed}" i=${i} keygenSeed=${hex(seed)} msg=${hex(msg)}`;

        const a = awre.keygen(seed);
        const n = nb.keygen(seed);
        expect(hex(a.publicKey), `keygen publicKey: ${where}`).toBe(hex(n.publicKey));
        expect(hex(a.secretKey), `keygen secretKey: ${where}`).toBe(hex(n.secretKey));

        const ea = awre.encapsulate(a.publicKey, msg);
        const en = nb.encapsulate(n.publicKey, msg);
        expect(hex(ea.cipherText), `encapsulate cipherText: ${where}`).toBe(hex(en.cipherText));
        expect(hex(ea.sharedSecret), `encapsulate sharedSecret: ${where}`).toBe(hex(en.sharedSecret));

        const da = awre.decapsulate(ea.cipherText, a.secretKey);
        expect(hex(da), `decapsulate: ${where}`).toBe(hex(en.sharedSecret));

        // A uniformly random ciphertext: implicit rejection, K-bar = J(z || c).
        const rct = rng.bytes(ctLen);
        expect(hex(awre.decapsulate(rct, a.secretKey)), `decapsulate(random ct=${hex(rct)}): ${where}`)
          .toBe(hex(nb.decapsulate(rct, n.secretKey)));

        // The valid ciphertext with one bit flipped.
        const bit = rng.int(ctLen * 8);
        const flipped = ea.cipherText.slice();
        flipped[bit >> 3]! ^= 1 << (bit & 7);
        const fa = awre.decapsulate(flipped, a.secretKey);
        expect(hex(fa), `decapsulate(flipped bit ${bit}): ${where}`).toBe(hex(nb.decapsulate(flipped, n.secretKey)));
        if (hex(fa) !== hex(ea.sharedSecret)) rejections++;
      }
      // Every single-bit change of a ciphertext is rejected (FIPS 203's re-encryption check).
      expect(rejections).toBe(ITERATIONS);
    });

    it('prepare(): encapsulate and decapsulate agree with noble', () => {
      const rng = new Prng(`${DEFAULT_SEED}/diff-mlkem-prepare/${name}`);
      for (let i = 0; i < 50; i++) {
        const seed = rng.bytes(64);
        const n = nb.keygen(seed);
        const pa = awre.prepare(n.publicKey);
        const pn = nb.prepare(n.publicKey);
        expect(hex(pa.publicKey)).toBe(hex(n.publicKey));
        for (let j = 0; j < 4; j++) {
          const msg = rng.bytes(32);
          const where = `${name} seed="${rng.seed}" i=${i} j=${j}`;
          const ea = pa.encapsulate(msg);
          const en = pn.encapsulate(msg);
          expect(hex(ea.cipherText), where).toBe(hex(en.cipherText));
          expect(hex(ea.sharedSecret), where).toBe(hex(en.sharedSecret));
          expect(hex(pa.decapsulate(ea.cipherText, n.secretKey)), where).toBe(hex(en.sharedSecret));
          const rct = rng.bytes(awre.lengths.cipherText);
          expect(hex(pa.decapsulate(rct, n.secretKey)), where).toBe(hex(pn.decapsulate(rct, n.secretKey)));
        }
        pa.clean();
        pn.clean();
      }
    });

    it('edge inputs: constant seeds, messages and ciphertexts', () => {
      const { cipherText: ctLen } = awre.lengths;
      for (const fill of [0x00, 0xff, 0x01, 0x80]) {
        const seed = new Uint8Array(64).fill(fill);
        const msg = new Uint8Array(32).fill(fill);
        const a = awre.keygen(seed);
        const n = nb.keygen(seed);
        expect(hex(a.publicKey)).toBe(hex(n.publicKey));
        expect(hex(a.secretKey)).toBe(hex(n.secretKey));
        const ea = awre.encapsulate(a.publicKey, msg);
        const en = nb.encapsulate(n.publicKey, msg);
        expect(hex(ea.cipherText)).toBe(hex(en.cipherText));
        expect(hex(ea.sharedSecret)).toBe(hex(en.sharedSecret));
        for (const cfill of [0x00, 0xff, 0x55]) {
          const ct = new Uint8Array(ctLen).fill(cfill);
          expect(hex(awre.decapsulate(ct, a.secretKey)), `fill ${fill} ct fill ${cfill}`).toBe(hex(nb.decapsulate(ct, n.secretKey)));
        }
      }
    });

    it('random path: keygen() and encapsulate() without seed/msg give working, fresh keys', () => {
      const k1 = awre.keygen();
      const k2 = awre.keygen();
      expect(k1.publicKey).toHaveLength(awre.lengths.publicKey);
      expect(k1.secretKey).toHaveLength(awre.lengths.secretKey);
      expect(hex(k1.publicKey)).not.toBe(hex(k2.publicKey));
      expect(hex(k1.secretKey)).not.toBe(hex(k2.secretKey));
      // The keys are well-formed: noble accepts them and they round-trip both ways.
      expect(hex(nb.getPublicKey(k1.secretKey))).toBe(hex(k1.publicKey));
      const e1 = awre.encapsulate(k1.publicKey);
      const e2 = awre.encapsulate(k1.publicKey);
      expect(hex(e1.cipherText)).not.toBe(hex(e2.cipherText));
      expect(hex(e1.sharedSecret)).not.toBe(hex(e2.sharedSecret));
      expect(hex(awre.decapsulate(e1.cipherText, k1.secretKey))).toBe(hex(e1.sharedSecret));
      expect(hex(nb.decapsulate(e1.cipherText, k1.secretKey))).toBe(hex(e1.sharedSecret));
      // noble's random key with awre's random encapsulation, and the reverse.
      const kn = nb.keygen();
      const ea = awre.encapsulate(kn.publicKey);
      expect(hex(nb.decapsulate(ea.cipherText, kn.secretKey))).toBe(hex(ea.sharedSecret));
      const en = nb.encapsulate(k2.publicKey);
      expect(hex(awre.decapsulate(en.cipherText, k2.secretKey))).toBe(hex(en.sharedSecret));
      // And prepare() on a random key.
      const p = awre.prepare(k2.publicKey);
      const ep = p.encapsulate();
      expect(hex(nb.decapsulate(ep.cipherText, k2.secretKey))).toBe(hex(ep.sharedSecret));
      expect(hex(p.decapsulate(ep.cipherText, k2.secretKey))).toBe(hex(ep.sharedSecret));
    });

    it('inputs are not modified; views at odd offsets work; outputs are fresh copies', () => {
      const rng = new Prng(`${DEFAULT_SEED}/diff-mlkem-views/${name}`);
      const seedBuf = rng.bytes(64 + 3);
      const seed = seedBuf.subarray(3); // byteOffset 3
      const seedBefore = seed.slice();
      const a = awre.keygen(seed);
      const n = nb.keygen(seed.slice());
      expect(seed).toEqual(seedBefore);
      expect(hex(a.publicKey)).toBe(hex(n.publicKey));
      expect(hex(a.secretKey)).toBe(hex(n.secretKey));

      const pkBuf = new Uint8Array(awre.lengths.publicKey + 5);
      pkBuf.set(a.publicKey, 5);
      const pk = pkBuf.subarray(5);
      const msgBuf = rng.bytes(40);
      const msg = msgBuf.subarray(1, 33);
      const pkBefore = pk.slice(), msgBefore = msg.slice();
      const ea = awre.encapsulate(pk, msg);
      const en = nb.encapsulate(a.publicKey, msg.slice());
      expect(pk).toEqual(pkBefore);
      expect(msg).toEqual(msgBefore);
      expect(hex(ea.cipherText)).toBe(hex(en.cipherText));
      expect(hex(ea.sharedSecret)).toBe(hex(en.sharedSecret));

      const ctBuf = new Uint8Array(awre.lengths.cipherText + 7);
      ctBuf.set(ea.cipherText, 7);
      const skBuf = new Uint8Array(awre.lengths.secretKey + 1);
      skBuf.set(a.secretKey, 1);
      const ct = ctBuf.subarray(7), sk = skBuf.subarray(1);
      const ctBefore = ct.slice(), skBefore = sk.slice();
      const ss = awre.decapsulate(ct, sk);
      expect(ct).toEqual(ctBefore);
      expect(sk).toEqual(skBefore);
      expect(hex(ss)).toBe(hex(en.sharedSecret));
      expect(hex(awre.getPublicKey(sk))).toBe(hex(a.publicKey));

      // Results are not views of the enclave's memory, and later calls leave them alone.
      const mem = defaultEnclave().exports.memory.buffer;
      for (const out of [a.publicKey, a.secretKey, ea.cipherText, ea.sharedSecret, ss]) {
        expect(out.buffer).not.toBe(mem);
      }
      const keep = [hex(a.publicKey), hex(a.secretKey), hex(ea.cipherText), hex(ea.sharedSecret), hex(ss)];
      awre.keygen(rng.bytes(64));
      awre.encapsulate(a.publicKey, rng.bytes(32));
      awre.decapsulate(rng.bytes(awre.lengths.cipherText), a.secretKey);
      expect([hex(a.publicKey), hex(a.secretKey), hex(ea.cipherText), hex(ea.sharedSecret), hex(ss)]).toEqual(keep);
    });
  });
}

describe('interleaved parameter sets', () => {
  it('alternating 512/768/1024 calls agree with noble', () => {
    const rng = new Prng(`${DEFAULT_SEED}/diff-mlkem-interleaved`);
    for (let i = 0; i < 60; i++) {
      const s = SETS[rng.int(3)]!;
      const seed = rng.bytes(64), msg = rng.bytes(32);
      const a = s.awre.keygen(seed);
      const other = SETS[rng.int(3)]!;
      other.awre.keygen(rng.bytes(64)); // another set's call in between
      const ea = s.awre.encapsulate(a.publicKey, msg);
      const en = s.noble.encapsulate(s.noble.keygen(seed).publicKey, msg);
      expect(hex(ea.cipherText), `${s.name} i=${i}`).toBe(hex(en.cipherText));
      expect(hex(s.awre.decapsulate(ea.cipherText, a.secretKey)), `${s.name} i=${i}`).toBe(hex(en.sharedSecret));
    }
  });
});
