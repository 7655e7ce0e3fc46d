// NIST ACVP vectors for ML-DSA (FIPS 204): keyGen, sigGen and sigVer, every
// case of every group. How each ACVP group maps onto the noble-compatible API:
//   signatureInterface "internal", externalMu false -> internal.sign/verify(M', ...)
//     (the vector's "message" is M' itself)
//   signatureInterface "internal", externalMu true  -> internal.sign/verify(mu, ..., { externalMu: true })
//   signatureInterface "external", preHash "pure"    -> sign/verify(message, ..., { context })
//   signatureInterface "external", preHash "preHash" -> prehash(H).sign/verify(message, ..., { context })
//   deterministic true -> extraEntropy: false (rnd = 0^32); false -> extraEntropy: rnd
// HashML-DSA: noble 0.7's prehash(H) refuses a hash whose collision strength
// (outputLen * 4 bits) is below the parameter set's level (128/192/256), e.g.
// SHA2-256 for ML-DSA-65, but ACVP uses any approved hash with any parameter
// set. Those cases are checked through internal.sign/verify with
// M' = 1 || |ctx| || ctx || OID(H) || H(message) built here from
// @noble/hashes; a separate test checks that prehash() refuses those hashes.
// Case counts are pinned so that nothing is silently skipped.
// AWRE_DSA_IMPL=noble runs this file against @noble/post-quantum itself.
import { describe, expect, it } from 'vitest';
import { DSA_SETS, IMPL, implFor, noble } from './helpers/mldsa-impl.js';
import {
  LEVEL, PREHASH, loadDsaKeyGen, loadDsaSigGen, loadDsaSigVer, prehashAllowed,
  type DsaParameterSet, type DsaSigGenCase, type DsaSigGenGroup, type DsaSigVerCase, type DsaSigVerGroup,
} from './helpers/mldsa-vectors.js';
import { prehashMessage } from './helpers/mldsa-ref.js';
import { attempt, hexDiff } from './helpers/mldsa-check.js';
import { bytesToHex, hexToBytes } from './helpers/hex.js';

const keyGen = loadDsaKeyGen();
const sigGen = loadDsaSigGen();
const sigVer = loadDsaSigVer();
const hex = bytesToHex;

// ---- pinned shape of the vector files ------------------------------------------------

const KEYGEN_PINNED: Record<number, [DsaParameterSet, number]> = {
  1: ['ML-DSA-44', 25], 2: ['ML-DSA-65', 25], 3: ['ML-DSA-87', 25],
};
const KEYGEN_TOTAL = 75;

/** tgId -> "set/interface/preHash-or-externalMu/deterministic", 15 cases each. */
const SIGGEN_PINNED: Record<number, string> = {
  1: '44/external/pure/det', 2: '44/external/preHash/det', 3: '65/external/pure/det', 4: '65/external/preHash/det',
  5: '87/external/pure/det', 6: '87/external/preHash/det', 7: '44/internal/mu/det', 8: '44/internal/msg/det',
  9: '65/internal/mu/det', 10: '65/internal/msg/det', 11: '87/internal/mu/det', 12: '87/internal/msg/det',
  13: '44/external/pure/rnd', 14: '44/external/preHash/rnd', 15: '65/external/pure/rnd', 16: '65/external/preHash/rnd',
  17: '87/external/pure/rnd', 18: '87/external/preHash/rnd', 19: '44/internal/mu/rnd', 20: '44/internal/msg/rnd',
  21: '65/internal/mu/rnd', 22: '65/internal/msg/rnd', 23: '87/internal/mu/rnd', 24: '87/internal/msg/rnd',
};
const SIGGEN_PER_GROUP = 15;
const SIGGEN_TOTAL = 360;
/** HashML-DSA sigGen cases per tgId: [via prehash(H), via internal M' (hash below the level)]. */
const SIGGEN_PREHASH_SPLIT: Record<number, [number, number]> = {
  2: [11, 4], 4: [6, 9], 6: [5, 10], 14: [12, 3], 16: [7, 8], 18: [5, 10],
};

const SIGVER_PINNED: Record<number, string> = {
  1: '44/external/pure', 2: '44/external/preHash', 3: '65/external/pure', 4: '65/external/preHash',
  5: '87/external/pure', 6: '87/external/preHash', 7: '44/internal/mu', 8: '44/internal/msg',
  9: '65/internal/mu', 10: '65/internal/msg', 11: '87/internal/mu', 12: '87/internal/msg',
};
const SIGVER_PER_GROUP = 15;
const SIGVER_PASSED_PER_GROUP = 3;
const SIGVER_TOTAL = 180;
const SIGVER_PREHASH_SPLIT: Record<number, [number, number]> = { 2: [12, 3], 4: [6, 9], 6: [4, 11] };

const short = (s: DsaParameterSet) => s.slice(-2);
const sigGenKey = (g: DsaSigGenGroup) =>
  `${short(g.parameterSet)}/${g.signatureInterface}/${g.signatureInterface === 'external' ? g.preHash : g.externalMu ? 'mu' : 'msg'}/${g.deterministic ? 'det' : 'rnd'}`;
const sigVerKey = (g: DsaSigVerGroup) =>
  `${short(g.parameterSet)}/${g.signatureInterface}/${g.signatureInterface === 'external' ? g.preHash : g.externalMu ? 'mu' : 'msg'}`;

/** Hash functions named by the vectors that @noble/hashes lacks (their cases are skipped, counted). */
const MISSING_HASHES = new Set<string>();
for (const g of [...sigGen.testGroups, ...sigVer.testGroups]) {
  for (const t of g.tests as { hashAlg?: string }[]) {
    if (t.hashAlg !== undefined && t.hashAlg !== 'none' && PREHASH[t.hashAlg] === undefined) MISSING_HASHES.add(t.hashAlg);
  }
}

describe('ML-DSA ACVP vector files', () => {
  it(`keyGen: ${KEYGEN_TOTAL} cases in 3 groups`, () => {
    expect(keyGen.algorithm).toBe('ML-DSA');
    expect(keyGen.mode).toBe('keyGen');
    expect(Object.fromEntries(keyGen.testGroups.map((g) => [g.tgId, [g.parameterSet, g.tests.length]]))).toEqual(KEYGEN_PINNED);
    expect(keyGen.testGroups.reduce((n, g) => n + g.tests.length, 0)).toBe(KEYGEN_TOTAL);
  });

  it(`sigGen: ${SIGGEN_TOTAL} cases in 24 groups, every case has its expected signature`, () => {
    expect(sigGen.mode).toBe('sigGen');
    expect(Object.fromEntries(sigGen.testGroups.map((g) => [g.tgId, sigGenKey(g)]))).toEqual(SIGGEN_PINNED);
    for (const g of sigGen.testGroups) {
      expect(g.tests.length, `tgId ${g.tgId}`).toBe(SIGGEN_PER_GROUP);
      for (const t of g.tests) {
        expect(t.rnd !== undefined, `tgId ${g.tgId} tcId ${t.tcId}: rnd present iff not deterministic`).toBe(!g.deterministic);
        expect(t.mu !== undefined, `tgId ${g.tgId} tcId ${t.tcId}: mu iff externalMu`).toBe(g.externalMu === true);
        expect(t.context !== undefined, `tgId ${g.tgId} tcId ${t.tcId}: context iff external`).toBe(g.signatureInterface === 'external');
        expect(t.hashAlg !== undefined, `tgId ${g.tgId} tcId ${t.tcId}: hashAlg iff preHash`).toBe(g.preHash === 'preHash');
      }
    }
    expect(sigGen.testGroups.reduce((n, g) => n + g.tests.length, 0)).toBe(SIGGEN_TOTAL);
  });

  it(`sigVer: ${SIGVER_TOTAL} cases in 12 groups, ${SIGVER_PASSED_PER_GROUP} valid signatures per group`, () => {
    expect(sigVer.mode).toBe('sigVer');
    expect(Object.fromEntries(sigVer.testGroups.map((g) => [g.tgId, sigVerKey(g)]))).toEqual(SIGVER_PINNED);
    for (const g of sigVer.testGroups) {
      expect(g.tests.length, `tgId ${g.tgId}`).toBe(SIGVER_PER_GROUP);
      expect(g.tests.filter((t) => t.testPassed).length, `tgId ${g.tgId}`).toBe(SIGVER_PASSED_PER_GROUP);
    }
    expect(sigVer.testGroups.reduce((n, g) => n + g.tests.length, 0)).toBe(SIGVER_TOTAL);
  });

  it('HashML-DSA: split of the pre-hash cases between prehash(H) and the internal M\' path', () => {
    const split = (groups: { tgId: number; parameterSet: DsaParameterSet; preHash?: string; tests: { hashAlg?: string }[] }[]) =>
      Object.fromEntries(groups.filter((g) => g.preHash === 'preHash').map((g) => {
        const viaApi = g.tests.filter((t) => prehashAllowed(g.parameterSet, PREHASH[t.hashAlg!]!)).length;
        return [g.tgId, [viaApi, g.tests.length - viaApi]];
      }));
    expect(split(sigGen.testGroups)).toEqual(SIGGEN_PREHASH_SPLIT);
    expect(split(sigVer.testGroups)).toEqual(SIGVER_PREHASH_SPLIT);
  });

  it('every pre-hash function named by the vectors is available from @noble/hashes', () => {
    // @noble/hashes is pinned: every named hash must be there, so no case above is skipped.
    expect([...MISSING_HASHES], 'hashes named by the vectors but missing from helpers/mldsa-vectors.ts PREHASH').toEqual([]);
    const named = new Set<string>();
    for (const g of [...sigGen.testGroups, ...sigVer.testGroups]) {
      for (const t of g.tests as { hashAlg?: string }[]) if (t.hashAlg && t.hashAlg !== 'none') named.add(t.hashAlg);
    }
    expect([...named].sort()).toEqual(Object.keys(PREHASH).sort());
    for (const [name, h] of Object.entries(PREHASH)) {
      expect(h.oid, name).toBeInstanceOf(Uint8Array);
      expect(hex(h.oid!.subarray(0, 10)), name).toBe('06096086480165030402');
    }
  });
});

// ---- keyGen -------------------------------------------------------------------------------

describe('ML-DSA keyGen (ACVP)', () => {
  for (const g of keyGen.testGroups) {
    it(`tgId ${g.tgId} ${g.parameterSet}: ${g.tests.length} cases, keygen(seed) and getPublicKey(sk)`, () => {
      const dsa = implFor(g.parameterSet);
      const failures: string[] = [];
      let checked = 0;
      for (const t of g.tests) {
        const where = `${IMPL.name} ${g.parameterSet} tgId ${g.tgId} tcId ${t.tcId} seed=${t.seed}`;
        const r = attempt(() => dsa.keygen(hexToBytes(t.seed)));
        if (!r.ok) {
          failures.push(`${where}: keygen ${r.error}`);
        } else {
          const dp = hexDiff(t.pk, r.value.publicKey);
          const ds = hexDiff(t.sk, r.value.secretKey);
          if (dp) failures.push(`${where}: publicKey ${dp}`);
          if (ds) failures.push(`${where}: secretKey ${ds}`);
        }
        const p = attempt(() => dsa.getPublicKey(hexToBytes(t.sk)));
        if (!p.ok) failures.push(`${where}: getPublicKey ${p.error}`);
        else if (hexDiff(t.pk, p.value)) failures.push(`${where}: getPublicKey ${hexDiff(t.pk, p.value)}`);
        checked++;
      }
      expect(failures).toEqual([]);
      expect(checked).toBe(KEYGEN_PINNED[g.tgId]![1]);
    });
  }
});

// ---- sigGen -------------------------------------------------------------------------------

/** How one sigGen/sigVer case reaches the API, for failure messages. */
type Route = 'sign' | 'prehash' | 'internal-Mprime' | 'internal' | 'internal-mu';

function routeOf(g: { signatureInterface: string; preHash?: string; externalMu?: boolean; parameterSet: DsaParameterSet }, hashAlg?: string): Route {
  if (g.signatureInterface === 'internal') return g.externalMu ? 'internal-mu' : 'internal';
  if (g.preHash === 'pure') return 'sign';
  return prehashAllowed(g.parameterSet, PREHASH[hashAlg!]!) ? 'prehash' : 'internal-Mprime';
}

const bytesOr = (h: string | undefined) => (h === undefined ? undefined : hexToBytes(h));

function signCase(g: DsaSigGenGroup, t: DsaSigGenCase): { route: Route; sign: () => Uint8Array } {
  const dsa = implFor(g.parameterSet);
  const sk = hexToBytes(t.sk);
  const extraEntropy: Uint8Array | false = g.deterministic ? false : hexToBytes(t.rnd!);
  const route = routeOf(g, t.hashAlg);
  const context = bytesOr(t.context);
  switch (route) {
    case 'internal-mu':
      return { route, sign: () => dsa.internal.sign(hexToBytes(t.mu!), sk, { extraEntropy, externalMu: true }) };
    case 'internal':
      return { route, sign: () => dsa.internal.sign(hexToBytes(t.message!), sk, { extraEntropy }) };
    case 'sign':
      return { route, sign: () => dsa.sign(hexToBytes(t.message!), sk, { context, extraEntropy }) };
    case 'prehash':
      return { route, sign: () => dsa.prehash(PREHASH[t.hashAlg!]!).sign(hexToBytes(t.message!), sk, { context, extraEntropy }) };
    case 'internal-Mprime': {
      const h = PREHASH[t.hashAlg!]!;
      const mPrime = prehashMessage(h.oid!, h(hexToBytes(t.message!)), context);
      return { route, sign: () => dsa.internal.sign(mPrime, sk, { extraEntropy }) };
    }
  }
}

function verifyCase(
  g: { signatureInterface: string; preHash?: string; externalMu?: boolean; parameterSet: DsaParameterSet },
  t: { message?: string; mu?: string; context?: string; hashAlg?: string; signature: string },
  pk: Uint8Array,
): { route: Route; verify: () => boolean } {
  const dsa = implFor(g.parameterSet);
  const sig = hexToBytes(t.signature);
  const hashAlg = t.hashAlg === 'none' ? undefined : t.hashAlg;
  const route = routeOf(g, hashAlg);
  const context = bytesOr(t.context);
  switch (route) {
    case 'internal-mu':
      return { route, verify: () => dsa.internal.verify(sig, hexToBytes(t.mu!), pk, { externalMu: true }) };
    case 'internal':
      return { route, verify: () => dsa.internal.verify(sig, hexToBytes(t.message!), pk) };
    case 'sign':
      return { route, verify: () => dsa.verify(sig, hexToBytes(t.message!), pk, { context }) };
    case 'prehash':
      return { route, verify: () => dsa.prehash(PREHASH[hashAlg!]!).verify(sig, hexToBytes(t.message!), pk, { context }) };
    case 'internal-Mprime': {
      const h = PREHASH[hashAlg!]!;
      const mPrime = prehashMessage(h.oid!, h(hexToBytes(t.message!)), context);
      return { route, verify: () => dsa.internal.verify(sig, mPrime, pk) };
    }
  }
}

const usesMissingHash = (t: { hashAlg?: string }) => t.hashAlg !== undefined && MISSING_HASHES.has(t.hashAlg);

describe('ML-DSA sigGen (ACVP)', () => {
  for (const g of sigGen.testGroups) {
    const runnable = g.tests.filter((t) => !usesMissingHash(t));
    const skipped = g.tests.length - runnable.length;
    const label = `tgId ${g.tgId} ${g.parameterSet} ${g.signatureInterface}` +
      `${g.signatureInterface === 'external' ? ` ${g.preHash}` : ` externalMu=${g.externalMu}`} ${g.deterministic ? 'deterministic' : 'with rnd'}`;

    it(`${label}: ${runnable.length} signatures byte-identical`, () => {
      const failures: string[] = [];
      let checked = 0;
      for (const t of runnable) {
        const { route, sign } = signCase(g, t);
        const where = `${IMPL.name} tgId ${g.tgId} tcId ${t.tcId} via ${route}${t.hashAlg ? ` hash=${t.hashAlg}` : ''}` +
          ` |msg|=${t.message === undefined ? '-' : t.message.length / 2} |ctx|=${t.context === undefined ? '-' : t.context.length / 2}`;
        const r = attempt(sign);
        if (!r.ok) failures.push(`${where}: ${r.error}`);
        else {
          const d = hexDiff(t.signature, r.value);
          if (d) failures.push(`${where}: signature ${d}`);
        }
        checked++;
      }
      expect(failures).toEqual([]);
      expect(checked, `${skipped} skipped`).toBe(SIGGEN_PER_GROUP);
      if (g.preHash === 'preHash') {
        const viaApi = runnable.filter((t) => routeOf(g, t.hashAlg) === 'prehash').length;
        expect([viaApi, runnable.length - viaApi]).toEqual(SIGGEN_PREHASH_SPLIT[g.tgId]);
      }
    });

    it(`${label}: the ${runnable.length} expected signatures verify (public key from noble's getPublicKey)`, () => {
      const failures: string[] = [];
      let checked = 0;
      for (const t of runnable) {
        const pk = noble[`ml_dsa${short(g.parameterSet)}` as 'ml_dsa44'].getPublicKey(hexToBytes(t.sk));
        const { route, verify } = verifyCase(g, t, pk);
        const r = attempt(verify);
        const where = `${IMPL.name} tgId ${g.tgId} tcId ${t.tcId} via ${route}${t.hashAlg ? ` hash=${t.hashAlg}` : ''}`;
        if (!r.ok) failures.push(`${where}: verify ${r.error}`);
        else if (r.value !== true) failures.push(`${where}: verify returned ${String(r.value)}, expected true`);
        checked++;
      }
      expect(failures).toEqual([]);
      expect(checked, `${skipped} skipped`).toBe(SIGGEN_PER_GROUP);
    });

    if (skipped > 0) {
      it.skip(`${label}: ${skipped} cases skipped, hash not in @noble/hashes: ${[...new Set(g.tests.filter(usesMissingHash).map((t) => t.hashAlg))].join(', ')}`, () => {});
    }
  }
});

// ---- sigVer -------------------------------------------------------------------------------

describe('ML-DSA sigVer (ACVP)', () => {
  for (const g of sigVer.testGroups) {
    const runnable = g.tests.filter((t) => !usesMissingHash(t));
    const skipped = g.tests.length - runnable.length;
    const label = `tgId ${g.tgId} ${g.parameterSet} ${g.signatureInterface}` +
      `${g.signatureInterface === 'external' ? ` ${g.preHash}` : ` externalMu=${g.externalMu}`}`;

    it(`${label}: ${runnable.length} verdicts (${runnable.filter((t) => t.testPassed).length} valid)`, () => {
      const failures: string[] = [];
      let checked = 0;
      for (const t of runnable as DsaSigVerCase[]) {
        const { route, verify } = verifyCase(g, t, hexToBytes(t.pk));
        const where = `${IMPL.name} tgId ${g.tgId} tcId ${t.tcId} via ${route}${t.hashAlg !== 'none' ? ` hash=${t.hashAlg}` : ''} (${t.reason})`;
        const r = attempt(verify);
        if (!r.ok) failures.push(`${where}: ${r.error}, expected ${t.testPassed}`);
        else if (r.value !== t.testPassed) failures.push(`${where}: verify returned ${String(r.value)}, expected ${t.testPassed}`);
        checked++;
      }
      expect(failures).toEqual([]);
      expect(checked, `${skipped} skipped`).toBe(SIGVER_PER_GROUP);
      if (g.preHash === 'preHash') {
        const viaApi = runnable.filter((t) => routeOf(g, t.hashAlg) === 'prehash').length;
        expect([viaApi, runnable.length - viaApi]).toEqual(SIGVER_PREHASH_SPLIT[g.tgId]);
      }
    });

    it(`${label}: public keys match getPublicKey(sk)`, () => {
      const dsa = implFor(g.parameterSet);
      const failures: string[] = [];
      for (const t of g.tests) {
        const r = attempt(() => dsa.getPublicKey(hexToBytes(t.sk)));
        if (!r.ok) failures.push(`tcId ${t.tcId}: getPublicKey ${r.error}`);
        else if (hexDiff(t.pk, r.value)) failures.push(`tcId ${t.tcId}: getPublicKey ${hexDiff(t.pk, r.value)}`);
      }
      expect(failures).toEqual([]);
    });

    if (skipped > 0) {
      it.skip(`${label}: ${skipped} cases skipped, hash not in @noble/hashes: ${[...new Set(g.tests.filter(usesMissingHash).map((t) => t.hashAlg))].join(', ')}`, () => {});
    }
  }
});

// ---- HashML-DSA hash strength (noble 0.7 semantics) ----------------------------------------

describe('HashML-DSA: prehash() and the hash strength check', () => {
  for (const { name, impl } of DSA_SETS) {
    it(`${name}: prehash(H) accepts a hash iff outputLen * 4 >= ${LEVEL[name]} (as noble 0.7), for all 12 ACVP hashes`, () => {
      expect(Object.keys(PREHASH)).toHaveLength(12);
      for (const [hname, h] of Object.entries(PREHASH)) {
        const ok = prehashAllowed(name, h);
        if (ok) {
          expect(() => impl.prehash(h), `${IMPL.name} ${name} prehash(${hname})`).not.toThrow();
        } else {
          expect(() => impl.prehash(h), `${IMPL.name} ${name} prehash(${hname}) should refuse a ${h.outputLen * 4}-bit hash`).toThrow(Error);
        }
      }
    });

    it(`${name}: prehash(H).sign and internal.sign(1 || |ctx| || ctx || OID || H(M)) both equal noble's prehash(H).sign, for the accepted hashes`, () => {
      const nb = noble[`ml_dsa${short(name)}` as 'ml_dsa44'];
      const { secretKey, publicKey } = nb.keygen(new Uint8Array(32).fill(0x42));
      const msg = new TextEncoder().encode('HashML-DSA message');
      const ctx = Uint8Array.from({ length: 7 }, (_, i) => i);
      let used = 0;
      for (const [hname, h] of Object.entries(PREHASH)) {
        if (!prehashAllowed(name, h)) continue;
        used++;
        const want = nb.prehash(h).sign(msg, secretKey, { context: ctx, extraEntropy: false });
        const ph = impl.prehash(h);
        const a = ph.sign(msg, secretKey, { context: ctx, extraEntropy: false });
        const b = impl.internal.sign(prehashMessage(h.oid!, h(msg), ctx), secretKey, { extraEntropy: false });
        expect(hex(a), `${name} ${hname}: prehash(H).sign vs noble`).toBe(hex(want));
        expect(hex(b), `${name} ${hname}: internal.sign(M') vs noble prehash(H).sign`).toBe(hex(want));
        expect(ph.verify(a, msg, publicKey, { context: ctx }), `${name} ${hname} verify`).toBe(true);
        // HashML-DSA and ML-DSA signatures are domain separated.
        expect(impl.verify(a, msg, publicKey, { context: ctx }), `${name} ${hname}: pure verify of a pre-hash signature`).toBe(false);
      }
      expect(used).toBe({ 'ML-DSA-44': 9, 'ML-DSA-65': 5, 'ML-DSA-87': 3 }[name]);
    });
  }
});
