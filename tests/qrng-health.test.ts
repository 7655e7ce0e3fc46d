// SP 800-90B section 4.4 health tests (host/qrng/health.ts): the cutoffs
// against the standard's formulas (computed here, exactly, in
// helpers/qrng-ref.ts) and its Table 2, and the branch-free implementation
// against a plain sequential reference written here, on stuck, biased,
// good-then-stuck and good sources. No expected value comes from health.ts.
import { describe, expect, it } from 'vitest';
import { qrng } from '../host/index.js';
import { DEFAULT_SEED, Prng } from './helpers/prng.js';
import { aptCutoffRef, rctCutoffRef } from './helpers/qrng-ref.js';

const { HealthTests, rctCutoff, aptCutoff } = qrng;

/** The plain reference: SP 800-90B 4.4.1 and 4.4.2 as the text writes them (integer H: exact cutoffs). */
const aptRef = new Map<string, number>();
function reference(samples: Uint8Array, h: number, w = 512) {
  const rc = rctCutoffRef(h);
  const key = `${h}/${w}`;
  if (!aptRef.has(key)) aptRef.set(key, aptCutoffRef(h, w));
  const ac = aptRef.get(key)!;
  let a = -1, b = 0, ref = -1, count = 0, pos = 0;
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i]!;
    if (x === a) b++; else { a = x; b = 1; }
    if (b >= rc) return { test: 'rct', sample: i, count: b };
    if (pos === 0) { ref = x; count = 1; } else if (x === ref) count++;
    if (count >= ac) return { test: 'apt', sample: i, count };
    pos = (pos + 1) % w;
  }
  return undefined;
}

/** Feed `samples` to HealthTests in random batch sizes; the first failure. */
function run(samples: Uint8Array, h: number, rng: Prng) {
  const t = new HealthTests(h);
  for (let at = 0; at < samples.length;) {
    const n = 1 + rng.int(3000);
    const f = t.test(samples.subarray(at, at + n));
    if (f) return { f: { test: f.test, sample: f.sample, count: f.count }, t };
    at += n;
  }
  return { f: undefined, t };
}

// H = num/den: 0.1 to 8 in steps of 0.1, and thirds, sevenths and ninths, where
// 20 / H is an integer only in exact arithmetic (the references use integers).
const claims: [number, number][] = [
  ...Array.from({ length: 80 }, (_, i): [number, number] => [i + 1, 10]),
  [20, 3], [10, 3], [40, 7], [20, 7], [20, 9], [1, 3], [23, 3],
];

describe('cutoffs', () => {
  it('RCT: C = 1 + ceil(20 / H) (SP 800-90B 4.4.1)', () => {
    expect([0.5, 1, 2, 4, 7, 8].map((h) => rctCutoff(h))).toEqual([41, 21, 11, 6, 4, 4]);
    for (const [num, den] of claims) expect(rctCutoff(num / den), `H = ${num}/${den}`).toBe(rctCutoffRef(num, den));
  });
  it('APT: SP 800-90B Table 2 (W = 512, alpha = 2^-20)', () => {
    expect([0.5, 1, 2, 4, 8].map((h) => aptCutoff(h))).toEqual([410, 311, 177, 62, 13]);
    // The independent CRITBINOM reproduces the table too, so it can judge the other claims.
    expect([0.5, 1, 2, 4, 8].map((h) => aptCutoffRef(h))).toEqual([410, 311, 177, 62, 13]);
  });
  it('APT: C = 1 + CRITBINOM(512, 2^-H, 1 - 2^-20) for H from 0.1 to 8', () => {
    for (const [num, den] of claims) expect(aptCutoff(num / den), `H = ${num}/${den}`).toBe(aptCutoffRef(num / den));
  });
  it('the cutoffs a HealthTests instance uses are the standard\'s', () => {
    for (const h of [8, 7, 6.5, 3, 1, 0.5]) {
      const c = new HealthTests(h).counters();
      expect([c.rct.cutoff, c.apt.cutoff, c.apt.window], `H = ${h}`).toEqual([rctCutoffRef(2 * h, 2), aptCutoffRef(h), 512]);
    }
  });
  it('claims outside (0, 8] bits per byte are refused', () => {
    for (const h of [0, -1, 8.5, NaN]) expect(() => new HealthTests(h)).toThrow(RangeError);
  });
});

describe('alarms', () => {
  const rng = new Prng(`${DEFAULT_SEED}/qrng-health`);

  it('a stuck source (constant byte) trips the RCT at exactly its cutoff', () => {
    for (const h of [8, 4, 1]) {
      const { f } = run(new Uint8Array(5000).fill(0xa5), h, rng);
      expect(f, `H = ${h}`).toEqual({ test: 'rct', sample: rctCutoffRef(h) - 1, count: rctCutoffRef(h) });
    }
  });

  it('a biased source with no repeats trips the APT inside its first window', () => {
    // Every other sample is 0x55, the others random but never 0x55: no run of two, a 50% bias.
    const s = rng.bytes(4096).map((v, i) => (i % 2 === 0 ? 0x55 : v === 0x55 ? 0x56 : v));
    const { f } = run(s, 8, rng);
    expect(f).toEqual({ test: 'apt', sample: 2 * (13 - 1), count: 13 });
    expect(f).toEqual(reference(s, 8));
  });

  it('a source that is good for a while and then sticks is caught within the RCT cutoff', () => {
    const stick = 300_000;
    const s = new Uint8Array(stick + 100);
    s.set(rng.bytes(stick));
    s.fill(s[stick - 1]! ^ 1, stick);
    const { f } = run(s, 8, rng);
    expect(f?.test).toBe('rct');
    expect(f!.sample).toBe(stick + 4 - 1);
  });

  it('a good source passes 2^21 samples (2/alpha) with no false alarm; counters are exposed', () => {
    const src = new qrng.SimSource('0123456789abcdef');
    return src.read(1 << 21).then((s) => {
      const { f, t } = run(s, 8, rng);
      expect(f).toBeUndefined();
      const c = t.counters();
      expect(c.samples).toBe(1 << 21);
      expect(c.rct).toMatchObject({ cutoff: 4, alarms: 0 });
      expect(c.rct.longestRun).toBeLessThan(4);
      expect(c.apt).toMatchObject({ cutoff: 13, window: 512, windows: (1 << 21) / 512, alarms: 0 });
      expect(c.apt.maxCount).toBeLessThan(13);
      expect(c.startup).toEqual({ required: 1024, passed: true });
    });
  });

  it('the branch-free scan agrees with the reference on 300 random biased streams', () => {
    for (let k = 0; k < 300; k++) {
      const h = [8, 6, 3, 1][k % 4]!;
      const alphabet = 1 + rng.int(k % 3 === 0 ? 4 : 256);
      const s = rng.bytes(2000 + rng.int(6000)).map((v) => v % alphabet);
      expect(run(s, h, rng).f, `stream ${k}: H = ${h}, alphabet ${alphabet}`).toEqual(reference(s, h));
    }
  });

  it('one batch alarms at exactly the cutoff and not one below (a late flag in the scan is not covered by the rescan)', () => {
    for (const h of [8, 6, 3, 1]) {
      const rc = rctCutoffRef(h), ac = aptCutoffRef(h);
      // No two equal neighbours (i % 251), then one run of `len` x 0xfe at sample 1000.
      const rct = (len: number) => Uint8Array.from({ length: 2000 }, (_, i) => i % 251).fill(0xfe, 1000, 1000 + len);
      expect(new HealthTests(h).test(rct(rc)), `H = ${h}`).toEqual({ test: 'rct', sample: 1000 + rc - 1, count: rc, cutoff: rc });
      expect(new HealthTests(h).test(rct(rc - 1)), `H = ${h}`).toBeUndefined();
      // The first window starts with 0xfe and holds it `n` times, in runs shorter than the RCT cutoff.
      const apt = (n: number) => {
        const s = Uint8Array.from({ length: 2048 }, (_, i) => i % 251);
        let at = 0, last = 0;
        for (let placed = 0; placed < n; at++) for (let r = 0; r < rc - 1 && placed < n; r++, placed++) s[last = at++] = 0xfe;
        expect(at, 'fits in the first window').toBeLessThanOrEqual(512);
        return { s, last };
      };
      const hit = apt(ac);
      expect(new HealthTests(h).test(hit.s), `H = ${h}`).toEqual({ test: 'apt', sample: hit.last, count: ac, cutoff: ac });
      expect(reference(hit.s, h)).toEqual({ test: 'apt', sample: hit.last, count: ac });
      expect(new HealthTests(h).test(apt(ac - 1).s), `H = ${h}`).toBeUndefined();
    }
  });

  it('once failed, always failed: later batches report the same alarm', () => {
    const t = new HealthTests(8);
    const f = t.test(new Uint8Array(10));
    expect(t.test(rng.bytes(1000))).toEqual(f);
    expect(t.failed).toEqual(f);
    expect(t.counters().rct.alarms).toBe(1);
  });
});
