// Differential tests of ML-DSA (FIPS 204) against @noble/post-quantum 0.7
// (ml-dsa.js): the same seeds give the same keys; the same message, context
// and rnd give byte-identical signatures (deterministic, extraEntropy: false,
// and with an explicit 32-byte rnd); each side verifies the other's
// signatures; hedged signatures (fresh randomness) verify on both sides.
// Inputs come from a seeded generator (tests/helpers/prng.ts): a failure names
// the generator label and the iteration; AWRE_TEST_SEED=<seed> replays a run,
// AWRE_DSA_DIFF_ITERATIONS changes the main loop's length (default 500, at
// least 50: helpers/iterations.ts).
// AWRE_DSA_IMPL=noble runs the harness against noble itself.
import { describe, expect, it } from 'vitest';
import { DSA_SETS, IMPL, IS_NOBLE, type DSA } from './helpers/mldsa-impl.js';
import { PARAMS, keyFromParts, muOf, packBits, pureMessage, sigJoin, sigSplit, trOf } from './helpers/mldsa-ref.js';
import { concat } from './helpers/hex.js';
import { PREHASH, prehashAllowed } from './helpers/mldsa-vectors.js';
import { bytesToHex } from './helpers/hex.js';
import { iterations } from './helpers/iterations.js';
import { DEFAULT_SEED, Prng } from './helpers/prng.js';

const ITERATIONS = iterations('AWRE_DSA_DIFF_ITERATIONS');
const hex = bytesToHex;
const clip = (b: Uint8Array) => (b.length > 48 ? `${hex(b.subarray(0, 24))}...(${b.length} bytes)` : hex(b));

/** Collects failures (the first few in full) so one run reports more than the first mismatch. */
class Failures {
  readonly list: string[] = [];
  count = 0;
  add(msg: string): void {
    this.count++;
    if (this.list.length < 12) this.list.push(msg);
  }
  eq(got: Uint8Array | boolean, want: Uint8Array | boolean, what: string, where: string): void {
    const g = typeof got === 'boolean' ? String(got) : hex(got);
    const w = typeof want === 'boolean' ? String(want) : hex(want);
    if (g === w) return;
    if (typeof got === 'boolean' || typeof want === 'boolean') this.add(`${what}: expected ${w}, got ${g}; ${where}`);
    else {
      let i = 0;
      while (i < g.length && i < w.length && g[i] === w[i]) i++;
      this.add(`${what}: expected ${clip(want as Uint8Array)} got ${clip(got as Uint8Array)} (first difference at byte ${i >> 1}); ${where}`);
    }
  }
  /** Run f; a throw is a failure. */
  run<T>(what: string, where: string, f: () => T): T | undefined {
    try {
      return f();
    } catch (e) {
      this.add(`${what} threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}; ${where}`);
      return undefined;
    }
  }
  done(): void {
    expect(this.list, `${this.count} failure(s), the first ${this.list.length} listed`).toEqual([]);
  }
}

/** Message lengths: 0, 1, the I/O-window edges, then mostly short with some up to 4 KiB and a few up to 64 KiB. */
const FIXED_MSG_LENGTHS = [0, 1, 65536, 32768, 65535, 32767, 32769, 2, 255, 256];
function msgLength(rng: Prng, i: number): number {
  if (i < FIXED_MSG_LENGTHS.length) return FIXED_MSG_LENGTHS[i]!;
  const r = rng.int(100);
  if (r < 85) return rng.int(257);
  if (r < 98) return rng.int(4097);
  return rng.int(65537);
}

/** Contexts: empty, omitted, 255 bytes, 1 byte, else a random length in 0..255. */
function context(rng: Prng, i: number): Uint8Array | undefined {
  if (i % 13 === 5) return undefined;
  if (i % 7 === 0) return new Uint8Array(0);
  if (i % 11 === 3) return rng.bytes(255);
  if (i % 17 === 4) return rng.bytes(1);
  return rng.bytes(rng.int(256));
}

const ctxOpt = (ctx: Uint8Array | undefined) => (ctx === undefined ? {} : { context: ctx });

for (const { name, impl, noble: nb } of DSA_SETS) {
  const P = PARAMS[name];

  describe(`${name}: ${IMPL.name} vs @noble/post-quantum`, () => {
    it('lengths', () => {
      expect({ ...impl.lengths }).toEqual({ ...nb.lengths });
      expect({ ...impl.lengths }).toEqual({ secretKey: P.skBytes, publicKey: P.pkBytes, seed: 32, signature: P.sigBytes, signRand: 32 });
    });

    it('info and securityLevel (as noble)', () => {
      expect(impl.info).toEqual(nb.info);
      expect(impl.securityLevel).toBe(nb.securityLevel);
    });

    it(`${ITERATIONS} random seeds, messages (0 .. 64 KiB) and contexts (0 .. 255 bytes): keygen, deterministic sign, cross-verify`, () => {
      const rng = new Prng(`${DEFAULT_SEED}/mldsa-diff/${name}`);
      const f = new Failures();
      let largest = 0, ctx255 = 0, ctx0 = 0, ran = 0;
      for (let i = 0; i < ITERATIONS; i++) {
        ran++;
        const seed = rng.bytes(32);
        const msg = rng.bytes(msgLength(rng, i));
        const ctx = context(rng, i);
        largest = Math.max(largest, msg.length);
        if (ctx?.length === 255) ctx255++;
        if (ctx === undefined || ctx.length === 0) ctx0++;
        const where = `${name} seed="${rng.seed}" i=${i} keygenSeed=${hex(seed)} |msg|=${msg.length} msg=${clip(msg)} ctx=${ctx === undefined ? 'omitted' : clip(ctx)}`;

        const n = nb.keygen(seed);
        const a = f.run('keygen', where, () => impl.keygen(seed));
        if (a) {
          f.eq(a.publicKey, n.publicKey, 'keygen publicKey', where);
          f.eq(a.secretKey, n.secretKey, 'keygen secretKey', where);
        }
        if (i % 5 === 0) {
          const pk = f.run('getPublicKey', where, () => impl.getPublicKey(n.secretKey));
          if (pk) f.eq(pk, n.publicKey, 'getPublicKey', where);
        }

        const opts = { ...ctxOpt(ctx), extraEntropy: false as const };
        const sn = nb.sign(msg, n.secretKey, opts);
        const sa = f.run('sign (deterministic)', where, () => impl.sign(msg, n.secretKey, opts));
        if (sa) f.eq(sa, sn, 'sign (deterministic)', where);

        // The implementation verifies noble's signature; noble verifies the implementation's.
        const va = f.run('verify(noble signature)', where, () => impl.verify(sn, msg, n.publicKey, ctxOpt(ctx)));
        if (va !== undefined) f.eq(va, true, 'verify(noble signature)', where);
        if (sa && (i % 5 === 0 || hex(sa) !== hex(sn))) f.eq(nb.verify(sa, msg, n.publicKey, ctxOpt(ctx)), true, 'noble verify(signature)', where);

        // The same signature with another context or another message is refused.
        if (i % 2 === 0) {
          const other = ctx !== undefined && ctx.length > 0 ? ctx.subarray(1) : Uint8Array.of(0);
          const v = f.run('verify(other context)', where, () => impl.verify(sn, msg, n.publicKey, { context: other }));
          if (v !== undefined) f.eq(v, false, `verify with context ${clip(other)}`, where);
        } else {
          const m2 = msg.length > 0 ? msg.slice() : Uint8Array.of(0);
          if (msg.length > 0) m2[rng.int(msg.length)]! ^= 1 << rng.int(8);
          const v = f.run('verify(other message)', where, () => impl.verify(sn, m2, n.publicKey, ctxOpt(ctx)));
          if (v !== undefined) f.eq(v, false, 'verify of a changed message', where);
        }
      }
      f.done();
      expect(ran).toBe(ITERATIONS);
      // The input mix covered what it should (with the default 500 iterations: ~40 of each;
      // the iteration floor is above FIXED_MSG_LENGTHS.length).
      expect(largest).toBe(65536);
      expect(ctx255).toBeGreaterThanOrEqual(Math.floor(ITERATIONS / 20));
      expect(ctx0).toBeGreaterThanOrEqual(Math.floor(ITERATIONS / 20));
    });

    it("mu from one call and streamed: tr || M' of 16,383 .. 16,386 bytes (the join limit is 16,384)", () => {
      const rng = new Prng(`${DEFAULT_SEED}/mldsa-diff-mu/${name}`);
      const n = nb.keygen(rng.bytes(32));
      for (const total of [16383, 16384, 16385, 16386]) {
        for (const ctxLen of [0, 7]) {
          const ctx = rng.bytes(ctxLen);
          const msg = rng.bytes(total - 64 - 2 - ctxLen); // tr (64) || 0 || |ctx| || ctx || M
          const opts = { context: ctx, extraEntropy: false as const };
          const sn = nb.sign(msg, n.secretKey, opts);
          expect(hex(impl.sign(msg, n.secretKey, opts)), `total=${total} ctx=${ctxLen}`).toBe(hex(sn));
          expect(impl.verify(sn, msg, n.publicKey, { context: ctx })).toBe(true);
          msg[msg.length - 1]! ^= 1;
          expect(impl.verify(sn, msg, n.publicKey, { context: ctx })).toBe(false);
        }
      }
    });

    it('explicit 32-byte rnd: byte-identical signatures (keys shared by several messages)', () => {
      const rng = new Prng(`${DEFAULT_SEED}/mldsa-diff-rnd/${name}`);
      const f = new Failures();
      for (let key = 0; key < 40; key++) {
        const n = nb.keygen(rng.bytes(32));
        for (let j = 0; j < 4; j++) {
          const msg = rng.bytes(j === 0 ? rng.int(3) : rng.int(2049));
          const ctx = context(rng, key * 4 + j);
          const rnd = j === 3 ? new Uint8Array(32) : rng.bytes(32);
          const rndBefore = hex(rnd);
          const where = `${name} seed="${rng.seed}" key=${key} j=${j} sk=${clip(n.secretKey)} msg=${clip(msg)} ctx=${ctx === undefined ? 'omitted' : clip(ctx)} rnd=${hex(rnd)}`;
          const sn = nb.sign(msg, n.secretKey, { ...ctxOpt(ctx), extraEntropy: rnd });
          const sa = f.run('sign (rnd)', where, () => impl.sign(msg, n.secretKey, { ...ctxOpt(ctx), extraEntropy: rnd }));
          if (sa) f.eq(sa, sn, 'sign with explicit rnd', where);
          if (j === 3 && sa) {
            // rnd = 0^32 is the deterministic variant.
            const sd = f.run('sign (deterministic)', where, () => impl.sign(msg, n.secretKey, { ...ctxOpt(ctx), extraEntropy: false }));
            if (sd) f.eq(sd, sa, 'extraEntropy: 0^32 vs false', where);
          }
          const v = f.run('verify', where, () => impl.verify(sn, msg, n.publicKey, ctxOpt(ctx)));
          if (v !== undefined) f.eq(v, true, 'verify(noble signature with rnd)', where);
          expect(hex(rnd), where).toBe(rndBefore); // the caller's rnd is left alone
        }
      }
      f.done();
    });

    it('hedged signing (no extraEntropy): fresh signatures that verify on both sides', () => {
      const rng = new Prng(`${DEFAULT_SEED}/mldsa-diff-hedged/${name}`);
      const f = new Failures();
      let pairs = 0;
      for (let key = 0; key < 15; key++) {
        const n = nb.keygen(rng.bytes(32));
        for (let j = 0; j < 3; j++) {
          const msg = rng.bytes(rng.int(1025));
          const ctx = context(rng, key * 3 + j);
          const where = `${name} seed="${rng.seed}" key=${key} j=${j} msg=${clip(msg)} ctx=${ctx === undefined ? 'omitted' : clip(ctx)}`;
          const s1 = f.run('sign (hedged)', where, () => impl.sign(msg, n.secretKey, ctxOpt(ctx)));
          const s2 = f.run('sign (hedged)', where, () => impl.sign(msg, n.secretKey, { ...ctxOpt(ctx), extraEntropy: undefined }));
          if (!s1 || !s2) continue; // recorded as a failure by f.run
          pairs++;
          expect(s1).toHaveLength(P.sigBytes);
          if (hex(s1) === hex(s2)) f.add(`two hedged signatures are equal; ${where}`);
          if (hex(s1) === hex(nb.sign(msg, n.secretKey, { ...ctxOpt(ctx), extraEntropy: false }))) f.add(`hedged signature equals the deterministic one; ${where}`);
          f.eq(nb.verify(s1, msg, n.publicKey, ctxOpt(ctx)), true, 'noble verify(hedged signature)', where);
          f.eq(nb.verify(s2, msg, n.publicKey, ctxOpt(ctx)), true, 'noble verify(hedged signature, extraEntropy: undefined)', where);
          const v1 = f.run('verify(own hedged)', where, () => impl.verify(s2, msg, n.publicKey, ctxOpt(ctx)));
          if (v1 !== undefined) f.eq(v1, true, 'verify(own hedged signature)', where);
          const sn = nb.sign(msg, n.secretKey, ctxOpt(ctx));
          const v2 = f.run('verify(noble hedged)', where, () => impl.verify(sn, msg, n.publicKey, ctxOpt(ctx)));
          if (v2 !== undefined) f.eq(v2, true, 'verify(noble hedged signature)', where);
        }
      }
      f.done();
      expect(pairs).toBe(45);
    });

    it('internal.sign / internal.verify (M\' given, and externalMu) agree with noble', () => {
      const rng = new Prng(`${DEFAULT_SEED}/mldsa-diff-internal/${name}`);
      const f = new Failures();
      for (let key = 0; key < 12; key++) {
        const n = nb.keygen(rng.bytes(32));
        const tr = trOf(n.publicKey);
        for (let j = 0; j < 3; j++) {
          const mPrime = rng.bytes(j === 0 ? 0 : rng.int(600));
          const rnd: Uint8Array | false = j === 1 ? false : rng.bytes(32);
          const mu = muOf(tr, mPrime);
          const where = `${name} seed="${rng.seed}" key=${key} j=${j} M'=${clip(mPrime)} rnd=${rnd === false ? 'false' : hex(rnd)}`;
          const sn = nb.internal.sign(mPrime, n.secretKey, { extraEntropy: rnd });
          const sa = f.run('internal.sign', where, () => impl.internal.sign(mPrime, n.secretKey, { extraEntropy: rnd }));
          if (sa) f.eq(sa, sn, 'internal.sign', where);
          const sm = f.run('internal.sign externalMu', where, () => impl.internal.sign(mu, n.secretKey, { extraEntropy: rnd, externalMu: true }));
          if (sm) f.eq(sm, sn, 'internal.sign(mu, externalMu) vs internal.sign(M\')', where);
          const v1 = f.run('internal.verify', where, () => impl.internal.verify(sn, mPrime, n.publicKey));
          if (v1 !== undefined) f.eq(v1, true, 'internal.verify', where);
          const v2 = f.run('internal.verify externalMu', where, () => impl.internal.verify(sn, mu, n.publicKey, { externalMu: true }));
          if (v2 !== undefined) f.eq(v2, true, 'internal.verify(mu, externalMu)', where);
          const mu2 = mu.slice();
          mu2[rng.int(64)]! ^= 1 << rng.int(8);
          const v3 = f.run('internal.verify externalMu (other mu)', where, () => impl.internal.verify(sn, mu2, n.publicKey, { externalMu: true }));
          if (v3 !== undefined) f.eq(v3, false, 'internal.verify with a changed mu', where);
          if (j === 2) {
            // The pure interface is internal.sign over M' = 0 || |ctx| || ctx || M.
            const msg = rng.bytes(rng.int(300));
            const ctx = rng.bytes(rng.int(256));
            const want = nb.sign(msg, n.secretKey, { context: ctx, extraEntropy: false });
            const s = f.run('sign', where, () => impl.sign(msg, n.secretKey, { context: ctx, extraEntropy: false }));
            const si = f.run('internal.sign', where, () => impl.internal.sign(pureMessage(msg, ctx), n.secretKey, { extraEntropy: false }));
            if (s) f.eq(s, want, 'sign vs noble', where);
            if (si) f.eq(si, want, 'internal.sign(0 || |ctx| || ctx || M) vs noble sign(M, ctx)', where);
          }
        }
      }
      f.done();
    });

    it('HashML-DSA prehash(H): byte-identical with noble for every accepted ACVP hash', () => {
      const rng = new Prng(`${DEFAULT_SEED}/mldsa-diff-prehash/${name}`);
      const f = new Failures();
      const n = nb.keygen(rng.bytes(32));
      let used = 0;
      for (const [hname, h] of Object.entries(PREHASH)) {
        if (!prehashAllowed(name, h)) continue;
        used++;
        const pa = impl.prehash(h), pn = nb.prehash(h);
        for (let j = 0; j < 3; j++) {
          const msg = rng.bytes(j === 0 ? 0 : rng.int(3000));
          const ctx = context(rng, j);
          const rnd: Uint8Array | false = j === 2 ? rng.bytes(32) : false;
          const where = `${name} ${hname} seed="${rng.seed}" j=${j} msg=${clip(msg)} ctx=${ctx === undefined ? 'omitted' : clip(ctx)}`;
          const sn = pn.sign(msg, n.secretKey, { ...ctxOpt(ctx), extraEntropy: rnd });
          const sa = f.run('prehash.sign', where, () => pa.sign(msg, n.secretKey, { ...ctxOpt(ctx), extraEntropy: rnd }));
          if (sa) f.eq(sa, sn, 'prehash(H).sign', where);
          const v = f.run('prehash.verify', where, () => pa.verify(sn, msg, n.publicKey, ctxOpt(ctx)));
          if (v !== undefined) f.eq(v, true, 'prehash(H).verify(noble signature)', where);
          const sh = f.run('prehash.sign hedged', where, () => pa.sign(msg, n.secretKey, ctxOpt(ctx)));
          if (sh) f.eq(pn.verify(sh, msg, n.publicKey, ctxOpt(ctx)), true, 'noble prehash(H).verify(hedged signature)', where);
        }
      }
      f.done();
      expect(used).toBe({ 'ML-DSA-44': 9, 'ML-DSA-65': 5, 'ML-DSA-87': 3 }[name]);
    });

    it('secret keys not made by keygen (random rho, K, tr, t0; s1/s2 anywhere in [-eta, eta]): sign and getPublicKey as noble', () => {
      const rng = new Prng(`${DEFAULT_SEED}/mldsa-diff-anysk/${name}`);
      const f = new Failures();
      const keys: [string, Uint8Array][] = [
        ['all-zero sk (s = eta, t0 = 2^12)', new Uint8Array(P.skBytes)],
        [`sk filled with 0x24`, new Uint8Array(P.skBytes).fill(0x24)],
      ];
      for (let i = 0; i < 12; i++) {
        const raw = (n: number, max: number) => Array.from({ length: n }, () => rng.int(max + 1));
        const extreme = i < 2 ? (i === 0 ? 0 : 2 * P.eta) : -1; // first two: every s coefficient at one end of the range
        const s = Array.from({ length: (P.l + P.k) * 256 }, () => (extreme >= 0 ? extreme : rng.int(2 * P.eta + 1)));
        const sk = concat(rng.bytes(128), packBits(s, P.etaBits), packBits(raw(P.k * 256, 8191), 13));
        expect(sk).toHaveLength(P.skBytes);
        keys.push([`random sk #${i}`, sk]);
      }
      for (const [what, sk] of keys) {
        const msg = rng.bytes(rng.int(100));
        const where = `${name} ${what} seed="${rng.seed}" sk=${clip(sk)} msg=${clip(msg)}`;
        const pk = f.run('getPublicKey', where, () => impl.getPublicKey(sk));
        if (pk) f.eq(pk, nb.getPublicKey(sk), 'getPublicKey', where);
        const sn = nb.sign(msg, sk, { extraEntropy: false });
        const sa = f.run('sign', where, () => impl.sign(msg, sk, { extraEntropy: false }));
        if (sa) f.eq(sa, sn, 'sign with a secret key not from keygen', where);
        // The signature is valid for the public key derived from sk only when tr matches it.
        const pkn = nb.getPublicKey(sk);
        const v = f.run('verify', where, () => impl.verify(sn, msg, pkn));
        if (v !== undefined) f.eq(v, nb.verify(sn, msg, pkn), 'verify verdict (tr of sk vs H(pk))', where);
      }
      f.done();
    });

    it('mutated and random signatures: verify verdicts agree with noble and never throw', () => {
      const rng = new Prng(`${DEFAULT_SEED}/mldsa-diff-mutated/${name}`);
      const f = new Failures();
      const hOff = P.sigBytes - P.omega - P.k;
      const bound = P.gamma1 - P.beta;
      const kinds = ['byte', 'hint byte', 'count', 'z coefficient', 'z near the bound', 'hint rows rotated', 'random signature', 'truncated/extended'] as const;
      let accepted = 0;
      for (let i = 0; i < 160; i++) {
        const n = nb.keygen(rng.bytes(32));
        const msg = rng.bytes(rng.int(64));
        const sig = nb.sign(msg, n.secretKey, { extraEntropy: false });
        const kind = kinds[i % kinds.length]!;
        let bad: Uint8Array = sig.slice();
        switch (kind) {
          case 'byte': bad[rng.int(P.sigBytes)] = rng.int(256); break;
          case 'hint byte': bad[hOff + rng.int(P.omega)] = rng.int(256); break;
          case 'count': bad[hOff + P.omega + rng.int(P.k)] = rng.int(P.omega + 6); break;
          case 'z coefficient': case 'z near the bound': {
            const parts = sigSplit(P, sig);
            const v = kind === 'z coefficient' ? rng.int(2 * P.gamma1) - P.gamma1 + 1 : (rng.int(2) ? 1 : -1) * (bound - 2 + rng.int(5));
            parts.z[rng.int(P.l)]![rng.int(256)] = v;
            bad = sigJoin(P, parts);
            break;
          }
          case 'hint rows rotated': {
            const h = bad.subarray(hOff, hOff + P.omega + P.k);
            const counts = h.slice(P.omega);
            h.set([...counts.subarray(1), counts[0]!], P.omega);
            break;
          }
          case 'random signature': bad = rng.bytes(P.sigBytes); break;
          case 'truncated/extended': bad = rng.int(2) ? sig.subarray(0, rng.int(P.sigBytes)) : concat(sig, rng.bytes(1 + rng.int(40))); break;
        }
        const where = `${name} seed="${rng.seed}" i=${i} kind=${kind} pk=${clip(n.publicKey)} msg=${clip(msg)} sig=${clip(bad)}`;
        const want = nb.verify(bad, msg, n.publicKey);
        if (want) accepted++;
        const got = f.run('verify', where, () => impl.verify(bad, msg, n.publicKey));
        if (got !== undefined) f.eq(got, want, `verify(${kind})`, where);
      }
      f.done();
      expect(accepted).toBeLessThan(3); // a mutation that keeps a valid signature is (almost) impossible
    });

    it('edge inputs: constant seeds, messages and contexts', () => {
      const f = new Failures();
      for (const fill of [0x00, 0xff, 0x01, 0x80]) {
        const seed = new Uint8Array(32).fill(fill);
        const n = nb.keygen(seed);
        const a = impl.keygen(seed);
        f.eq(a.publicKey, n.publicKey, 'keygen publicKey', `fill ${fill}`);
        f.eq(a.secretKey, n.secretKey, 'keygen secretKey', `fill ${fill}`);
        for (const [msg, ctx] of [
          [new Uint8Array(0), new Uint8Array(0)],
          [new Uint8Array(100).fill(fill), new Uint8Array(255).fill(fill)],
          [new Uint8Array(1).fill(fill), new Uint8Array(1).fill(fill)],
        ] as const) {
          const where = `seed fill ${fill} |msg|=${msg.length} |ctx|=${ctx.length}`;
          const sn = nb.sign(msg, n.secretKey, { context: ctx, extraEntropy: false });
          const sa = f.run('sign', where, () => impl.sign(msg, n.secretKey, { context: ctx, extraEntropy: false }));
          if (sa) f.eq(sa, sn, 'sign', where);
          const sr = new Uint8Array(32).fill(fill ^ 0x5a);
          const srn = nb.sign(msg, n.secretKey, { context: ctx, extraEntropy: sr });
          const sra = f.run('sign', where, () => impl.sign(msg, n.secretKey, { context: ctx, extraEntropy: sr }));
          if (sra) f.eq(sra, srn, 'sign with a constant rnd', where);
        }
      }
      f.done();
    });

    it('random path: keygen() without a seed gives fresh keys that noble accepts', () => {
      const k1 = impl.keygen();
      const k2 = impl.keygen();
      expect(k1.publicKey).toHaveLength(P.pkBytes);
      expect(k1.secretKey).toHaveLength(P.skBytes);
      expect(hex(k1.publicKey)).not.toBe(hex(k2.publicKey));
      expect(hex(nb.getPublicKey(k1.secretKey))).toBe(hex(k1.publicKey));
      expect(hex(nb.getPublicKey(k2.secretKey))).toBe(hex(k2.publicKey));
      expect(hex(impl.getPublicKey(k1.secretKey))).toBe(hex(nb.getPublicKey(k1.secretKey)));
      const msg = new TextEncoder().encode('random keys');
      const s = impl.sign(msg, k1.secretKey);
      expect(nb.verify(s, msg, k1.publicKey)).toBe(true);
      expect(impl.verify(nb.sign(msg, k2.secretKey), msg, k2.publicKey)).toBe(true);
      expect(impl.verify(s, msg, k2.publicKey)).toBe(false);
    });

    it('inputs are not modified; views at odd offsets work; outputs are fresh copies', () => {
      const rng = new Prng(`${DEFAULT_SEED}/mldsa-diff-views/${name}`);
      const view = (b: Uint8Array, off: number) => {
        const buf = rng.bytes(b.length + off + 3);
        buf.set(b, off);
        return buf.subarray(off, off + b.length);
      };
      const seed = view(rng.bytes(32), 3);
      const seedBefore = seed.slice();
      const a = impl.keygen(seed);
      const n = nb.keygen(seed.slice());
      expect(seed).toEqual(seedBefore);
      expect(hex(a.publicKey)).toBe(hex(n.publicKey));
      expect(hex(a.secretKey)).toBe(hex(n.secretKey));

      const sk = view(n.secretKey, 1), pk = view(n.publicKey, 5);
      const msg = view(rng.bytes(777), 7), ctx = view(rng.bytes(33), 2), rnd = view(rng.bytes(32), 9);
      const before = [sk, pk, msg, ctx, rnd].map((x) => hex(x));
      const sig = impl.sign(msg, sk, { context: ctx, extraEntropy: rnd });
      expect(hex(sig)).toBe(hex(nb.sign(msg.slice(), n.secretKey, { context: ctx.slice(), extraEntropy: rnd.slice() })));
      const sigv = view(sig, 11);
      expect(impl.verify(sigv, msg, pk, { context: ctx })).toBe(true);
      expect(hex(impl.getPublicKey(sk))).toBe(hex(n.publicKey));
      const mu = view(muOf(trOf(n.publicKey), pureMessage(msg, ctx)), 4);
      const muBefore = hex(mu);
      expect(hex(impl.internal.sign(mu, sk, { externalMu: true, extraEntropy: rnd }))).toBe(hex(sig));
      expect(impl.internal.verify(sigv, mu, pk, { externalMu: true })).toBe(true);
      expect([sk, pk, msg, ctx, rnd].map((x) => hex(x))).toEqual(before);
      expect(hex(mu)).toBe(muBefore);

      // Results are not views of the enclave's memory, and later calls leave them alone.
      const outs = [a.publicKey, a.secretKey, sig];
      if (!IS_NOBLE) expect(IMPL.enclaveMemory, 'awre exposes its enclave memory').toBeTypeOf('function');
      if (IMPL.enclaveMemory) for (const o of outs) expect(o.buffer).not.toBe(IMPL.enclaveMemory());
      const keep = outs.map((x) => hex(x));
      impl.keygen(rng.bytes(32));
      impl.sign(rng.bytes(100), n.secretKey, { extraEntropy: false });
      impl.verify(sig, rng.bytes(5), n.publicKey);
      expect(outs.map((x) => hex(x))).toEqual(keep);
    });
  });
}

describe('interleaved parameter sets', () => {
  it('alternating 44/65/87 calls agree with noble', () => {
    const rng = new Prng(`${DEFAULT_SEED}/mldsa-diff-interleaved`);
    const f = new Failures();
    const keys = DSA_SETS.map((s) => s.noble.keygen(rng.bytes(32)));
    for (let i = 0; i < 45; i++) {
      const si = rng.int(3);
      const s = DSA_SETS[si]!;
      const other = DSA_SETS[rng.int(3)]!;
      const msg = rng.bytes(rng.int(200));
      const where = `${s.name} seed="${rng.seed}" i=${i} msg=${clip(msg)}`;
      other.impl.keygen(rng.bytes(32)); // another set's call in between
      const sa = f.run('sign', where, () => s.impl.sign(msg, keys[si]!.secretKey, { extraEntropy: false }));
      if (sa) f.eq(sa, s.noble.sign(msg, keys[si]!.secretKey, { extraEntropy: false }), 'sign', where);
      const o = DSA_SETS.indexOf(other);
      other.impl.verify(new Uint8Array(other.impl.lengths.signature!), msg, keys[o]!.publicKey);
      if (sa) {
        const v = f.run('verify', where, () => s.impl.verify(sa, msg, keys[si]!.publicKey));
        if (v !== undefined) f.eq(v, true, 'verify', where);
      }
    }
    f.done();
  });

  it('keys sharing rho (hence A-hat) within and across parameter sets, interleaved with failing calls, agree with noble', () => {
    const rng = new Prng(`${DEFAULT_SEED}/mldsa-diff-shared-rho`);
    const f = new Failures();
    const rhos = [rng.bytes(32), rng.bytes(32)];
    // Consistent key pairs built around a chosen rho (helpers/mldsa-ref.ts keyFromParts), two per set and rho.
    const keys = DSA_SETS.flatMap((s) => {
      const P = PARAMS[s.name];
      return rhos.flatMap((rho, r) => [0, 1].map((j) => {
        const raw = (n: number) => Array.from({ length: n }, () => Array.from({ length: 256 }, () => rng.int(2 * P.eta + 1)));
        const { publicKey: pk, secretKey: sk } = keyFromParts(P, rho, rng.bytes(32), raw(P.l), raw(P.k));
        return { s, sk, pk, label: `${s.name} rho#${r} key#${j}` };
      }));
    });
    // Harness: noble agrees that these are key pairs.
    for (const k of keys) expect(hex(k.s.noble.getPublicKey(k.sk)), k.label).toBe(hex(k.pk));
    for (let i = 0; i < 60; i++) {
      const key = keys[rng.int(keys.length)]!;
      const msg = rng.bytes(rng.int(100));
      const where = `${key.label} seed="${rng.seed}" i=${i} msg=${clip(msg)}`;
      const sa = f.run('sign', where, () => key.s.impl.sign(msg, key.sk, { extraEntropy: false }));
      if (sa) f.eq(sa, key.s.noble.sign(msg, key.sk, { extraEntropy: false }), 'sign', where);
      const pk = f.run('getPublicKey', where, () => key.s.impl.getPublicKey(key.sk));
      if (pk) f.eq(pk, key.pk, 'getPublicKey', where);
      // Something that fails part-way in between: a bad secret key with the same rho, or a bad signature.
      const other = keys[rng.int(keys.length)]!;
      if (i % 3 === 0) {
        const bad = other.sk.slice();
        bad[128] = 0xff; // first s1 coefficient out of range, same rho
        try { other.s.impl.sign(msg, bad, { extraEntropy: false }); f.add(`sign with a malformed key did not throw; ${where}`); } catch { /* expected */ }
      } else {
        const v = f.run('verify', where, () => other.s.impl.verify(rng.bytes(other.s.impl.lengths.signature!), msg, other.pk));
        if (v !== undefined) f.eq(v, false, 'verify(random signature)', where);
      }
      if (sa) {
        const v = f.run('verify', where, () => key.s.impl.verify(sa, msg, key.pk));
        if (v !== undefined) f.eq(v, true, 'verify', where);
      }
    }
    f.done();
  });

  it('a key of one parameter set is refused by the others (RangeError)', () => {
    const [k44, k65] = [DSA_SETS[0]!.noble.keygen(new Uint8Array(32)), DSA_SETS[1]!.noble.keygen(new Uint8Array(32))];
    const d65: DSA = DSA_SETS[1]!.impl, d44: DSA = DSA_SETS[0]!.impl;
    expect(() => d65.sign(new Uint8Array(1), k44.secretKey)).toThrow(RangeError);
    expect(() => d44.verify(new Uint8Array(2420), new Uint8Array(1), k65.publicKey)).toThrow(RangeError);
  });
});
