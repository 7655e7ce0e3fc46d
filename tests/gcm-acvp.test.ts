// Known answers for AES-GCM (SP 800-38D) through the public API gcm(key, nonce, aad, { tagLength }):
// - NIST ACVP vectors, tests/vectors/ACVP-AES-GCM-1.0 (AES-128 only): encrypt
//   groups (pt, key, aad, iv -> ct, tag) and decrypt groups (ct, tag -> pt, or
//   testPassed false: AwreError 'AUTH_FAILED' and no plaintext). The file has
//   96- and 120-bit IVs (the GHASH path for J0) and 128- and 32-bit tags.
//   Every case runs; the counts are pinned so a change in the file is noticed.
// - The 18 test cases of the GCM specification (AES-128/192/256, 64-, 96- and
//   480-bit IVs), checked against node:crypto too so the table itself is right.
// AWRE_GCM_IMPL=noble|node runs this file against a stand-in (helpers/gcm-impl.ts).
import { describe, expect, it } from 'vitest';
import { IMPL, IS_AWRE, nonceSupported } from './helpers/gcm-impl.js';
import { authFailureProblem, clip, Failures } from './helpers/gcm-check.js';
import { nodeEncrypt } from './helpers/gcm-ref.js';
import { SPEC_CASES, type GcmAcvpCase, type GcmAcvpGroup } from './helpers/gcm-vectors.js';
import { bytesToHex, concat, hexToBytes } from './helpers/hex.js';
import { loadAcvp } from './helpers/vectors.js';

const hex = bytesToHex;
const file = loadAcvp<GcmAcvpGroup>('ACVP-AES-GCM-1.0');

/** Pinned: 4 groups of 15; decrypt groups hold 20 valid and 10 forged cases. */
const EXPECTED = {
  groups: 4,
  encrypt: 30,
  decryptValid: 20,
  decryptForged: 10,
  perGroup: [
    { tgId: 1, direction: 'encrypt', keyLen: 128, ivLen: 96, payloadLen: 0, aadLen: 120, tagLen: 128, cases: 15, forged: 0 },
    { tgId: 2, direction: 'encrypt', keyLen: 128, ivLen: 120, payloadLen: 120, aadLen: 0, tagLen: 32, cases: 15, forged: 0 },
    { tgId: 3, direction: 'decrypt', keyLen: 128, ivLen: 96, payloadLen: 0, aadLen: 0, tagLen: 128, cases: 15, forged: 3 },
    { tgId: 4, direction: 'decrypt', keyLen: 128, ivLen: 120, payloadLen: 120, aadLen: 120, tagLen: 32, cases: 15, forged: 7 },
  ],
};

const describeAcvp = (g: GcmAcvpGroup, c: GcmAcvpCase) =>
  `tgId ${g.tgId} tcId ${c.tcId}: key=${c.key} iv=${c.iv} aad=${c.aad || '(empty)'} pt=${c.pt || '(empty)'} ct=${c.ct || '(empty)'} tag=${c.tag} tagLength=${g.tagLen / 8}`;

describe('ACVP-AES-GCM-1.0', () => {
  it('the vector file is the expected one (counts and lengths pinned)', () => {
    expect(file.algorithm).toBe('ACVP-AES-GCM');
    expect(file.revision).toBe('1.0');
    expect(file.testGroups.length).toBe(EXPECTED.groups);
    let encrypt = 0, valid = 0, forged = 0;
    for (const [i, g] of file.testGroups.entries()) {
      const want = EXPECTED.perGroup[i]!;
      const { cases, forged: f, ...meta } = want;
      expect({ tgId: g.tgId, direction: g.direction, keyLen: g.keyLen, ivLen: g.ivLen, payloadLen: g.payloadLen, aadLen: g.aadLen, tagLen: g.tagLen }).toEqual(meta);
      expect(g.testType).toBe('AFT');
      expect(g.ivGen).toBe('external');
      expect(g.tests.length, `tgId ${g.tgId} cases`).toBe(cases);
      expect(g.tests.filter((c) => !c.testPassed).length, `tgId ${g.tgId} forged cases`).toBe(f);
      for (const c of g.tests) {
        const where = `tgId ${g.tgId} tcId ${c.tcId}`;
        expect(c.deferred, where).toBe(false);
        expect(c.key.length * 4, where).toBe(g.keyLen);
        expect(c.iv.length * 4, where).toBe(g.ivLen);
        expect(c.aad.length * 4, where).toBe(g.aadLen);
        expect(c.ct.length * 4, where).toBe(g.payloadLen);
        expect(c.tag.length * 4, where).toBe(g.tagLen);
        if (c.testPassed) expect(c.pt.length * 4, where).toBe(g.payloadLen);
      }
      if (g.direction === 'encrypt') encrypt += g.tests.length;
      else {
        valid += g.tests.filter((c) => c.testPassed).length;
        forged += g.tests.filter((c) => !c.testPassed).length;
      }
    }
    expect({ encrypt, valid, forged }).toEqual({ encrypt: EXPECTED.encrypt, valid: EXPECTED.decryptValid, forged: EXPECTED.decryptForged });
  });

  for (const g of file.testGroups) {
    const tagLength = g.tagLen / 8;
    const pinned = EXPECTED.perGroup.find((x) => x.tgId === g.tgId);
    const title = `tgId ${g.tgId}: ${g.direction}, AES-${g.keyLen}, ${g.ivLen}-bit IV, ${g.aadLen}-bit AAD, ${g.payloadLen}-bit payload, ${g.tagLen}-bit tag`;

    if (g.direction === 'encrypt') {
      it(`${title}: ${g.tests.length} cases (and each output decrypts)`, () => {
        const fails = new Failures(20);
        let ran = 0;
        for (const c of g.tests) {
          const key = hexToBytes(c.key), iv = hexToBytes(c.iv), aad = hexToBytes(c.aad), pt = hexToBytes(c.pt);
          const want = hexToBytes(c.ct + c.tag);
          const where = describeAcvp(g, c);
          const got = fails.run('encrypt', where, () => IMPL.gcm(key, iv, aad, { tagLength }).encrypt(pt));
          fails.eq(got, want, 'encrypt (ct || tag)', where);
          if (tagLength === 16) {
            // The default tag length is 16: the same bytes without opts.
            fails.eq(fails.run('encrypt without opts', where, () => IMPL.gcm(key, iv, aad).encrypt(pt)), want, 'encrypt without opts', where);
          }
          fails.eq(fails.run('decrypt of the expected ct || tag', where, () => IMPL.gcm(key, iv, aad, { tagLength }).decrypt(want)), pt, 'decrypt', where);
          ran++;
        }
        fails.done();
        expect(ran).toBe(pinned?.cases);
      });
    } else {
      it(`${title}: ${g.tests.length} cases (valid ones also re-encrypt)`, () => {
        const fails = new Failures(20);
        let valid = 0, forged = 0;
        for (const c of g.tests) {
          const key = hexToBytes(c.key), iv = hexToBytes(c.iv), aad = hexToBytes(c.aad);
          const input = hexToBytes(c.ct + c.tag);
          const where = describeAcvp(g, c);
          if (c.testPassed) {
            const pt = hexToBytes(c.pt);
            fails.eq(fails.run('decrypt', where, () => IMPL.gcm(key, iv, aad, { tagLength }).decrypt(input)), pt, 'decrypt', where);
            fails.eq(fails.run('encrypt of the expected pt', where, () => IMPL.gcm(key, iv, aad, { tagLength }).encrypt(pt)), input, 'encrypt', where);
            valid++;
          } else {
            const problem = authFailureProblem(() => IMPL.gcm(key, iv, aad, { tagLength }).decrypt(input));
            if (problem !== null) fails.add(`forged case: ${problem}; ${where}`);
            forged++;
          }
        }
        fails.done();
        expect({ valid, forged }).toEqual({ valid: pinned!.cases - pinned!.forged, forged: pinned!.forged });
      });
    }
  }
});

describe('GCM specification test cases 1-18', () => {
  const cases = SPEC_CASES.map((c) => ({
    ...c,
    k: hexToBytes(c.key), n: hexToBytes(c.iv), a: hexToBytes(c.aad), p: hexToBytes(c.pt), out: hexToBytes(c.ct + c.tag),
  }));

  it('the table agrees with node:crypto (a check of the transcription)', () => {
    expect(cases.map((c) => c.tc)).toEqual(Array.from({ length: 18 }, (_, i) => i + 1));
    for (const c of cases) expect(hex(nodeEncrypt(c.k, c.n, c.a, c.p)), `test case ${c.tc}`).toBe(hex(c.out));
  });

  for (const c of cases) {
    const label = `test case ${c.tc}: AES-${c.k.length * 8}, ${c.n.length * 8}-bit IV, ${c.a.length}-byte AAD, ${c.p.length}-byte plaintext`;
    it.skipIf(!IS_AWRE && !nonceSupported(c.n.length))(label, () => { // awre takes every nonce length
      const where = `${label}; key=${c.key} iv=${c.iv} aad=${c.aad} pt=${clip(c.p)}`;
      expect(hex(IMPL.gcm(c.k, c.n, c.a).encrypt(c.p)), `encrypt ${where}`).toBe(hex(c.out));
      // An empty AAD and an omitted one are the same.
      if (c.a.length === 0) expect(hex(IMPL.gcm(c.k, c.n).encrypt(c.p)), `encrypt, AAD omitted, ${where}`).toBe(hex(c.out));
      expect(hex(IMPL.gcm(c.k, c.n, c.a).decrypt(c.out)), `decrypt ${where}`).toBe(c.pt);
      // Truncated tags are the leading bytes of the full tag (SP 800-38D section 7.1 step 6: MSB_t).
      for (const t of [4, 8, 12, 13, 14, 15]) {
        const want = concat(hexToBytes(c.ct), hexToBytes(c.tag).subarray(0, t));
        expect(hex(IMPL.gcm(c.k, c.n, c.a, { tagLength: t }).encrypt(c.p)), `encrypt tagLength ${t} ${where}`).toBe(hex(want));
        expect(hex(IMPL.gcm(c.k, c.n, c.a, { tagLength: t }).decrypt(want)), `decrypt tagLength ${t} ${where}`).toBe(c.pt);
      }
    });
  }
});
