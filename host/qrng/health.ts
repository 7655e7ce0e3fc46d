// NIST SP 800-90B section 4.4: the continuous health tests on raw noise
// samples (here bytes), with cutoffs computed from the claimed min-entropy H
// per sample and a false-positive probability alpha = 2^-20.
//
// - Repetition Count Test (4.4.1): C = 1 + ceil(-log2(alpha) / H). An alarm
//   when one value repeats C times in a row.
// - Adaptive Proportion Test (4.4.2): window W = 512 for non-binary samples,
//   C = 1 + CRITBINOM(W, 2^-H, 1 - alpha). An alarm when the window's first
//   value occurs C times in the window (counting itself).
//
// The per-sample work is branch-free on sample values (the samples become
// seeds): equality is computed arithmetically and alarms are OR-ed into a
// flag; only the flag, a public event, is branched on, once per batch. When
// it is set, the batch is rescanned sequentially to name the exact sample
// and counters of the alarm (the source is dead by then).

/** -log2(alpha) for the standard's alpha = 2^-20. */
export const ALPHA_LOG2 = 20;
/** SP 800-90B 4.4.2: W for non-binary samples. */
export const APT_WINDOW = 512;
/** SP 800-90B 4.3 (10): the start-up test covers at least 1,024 consecutive samples. */
export const STARTUP_SAMPLES = 1024;

export type HealthTestName = 'rct' | 'apt';

/** RCT cutoff (SP 800-90B 4.4.1). `h` in (0, 8] bits per byte sample. */
export function rctCutoff(h: number, alphaLog2 = ALPHA_LOG2): number {
  checkEntropy(h);
  // The epsilon keeps a quotient that floating point lands just above an integer (20 / (20/3)) on it.
  return 1 + Math.ceil(alphaLog2 / h - 1e-9);
}

/**
 * APT cutoff (SP 800-90B 4.4.2): 1 + the smallest k with P(X <= k) >= 1 - alpha,
 * X ~ Binomial(W, 2^-h); the tail is summed exactly in log space from the top.
 */
export function aptCutoff(h: number, window = APT_WINDOW, alphaLog2 = ALPHA_LOG2): number {
  checkEntropy(h);
  const p = 2 ** -h;
  const alpha = 2 ** -alphaLog2;
  // log pmf(j) for j = 0..W, built by the ratio pmf(j+1)/pmf(j) = (W-j)/(j+1) * p/(1-p).
  const logPmf = new Float64Array(window + 1);
  logPmf[0] = window * Math.log1p(-p);
  const ratio = Math.log(p) - Math.log1p(-p);
  for (let j = 0; j < window; j++) logPmf[j + 1] = logPmf[j]! + Math.log((window - j) / (j + 1)) + ratio;
  // tail(k) = P(X > k); walk k down from W while the tail stays within alpha.
  let tail = 0;
  let k = window;
  while (k > 0 && tail + Math.exp(logPmf[k]!) <= alpha) {
    tail += Math.exp(logPmf[k]!);
    k--;
  }
  return 1 + k;
}

function checkEntropy(h: number): void {
  if (!(typeof h === 'number' && h > 0 && h <= 8)) throw new RangeError(`"minEntropy" expected bits per byte sample in (0, 8], got ${h}`);
}

/** The counters an operator and the recorder see (no sample values). */
export interface HealthCounters {
  /** Claimed min-entropy, bits per byte sample. */
  minEntropy: number;
  /** Samples run through both tests since the last reset (start-up included). */
  samples: number;
  startup: { required: number; passed: boolean };
  rct: { cutoff: number; longestRun: number; alarms: number };
  apt: { cutoff: number; window: number; windows: number; maxCount: number; alarms: number };
}

/** Where and why a test alarmed. */
export interface HealthFailure {
  test: HealthTestName;
  /** Index of the alarming sample since the last reset. */
  sample: number;
  /** The repeat count (RCT) or the window count (APT) that reached the cutoff. */
  count: number;
  cutoff: number;
}

/** The RCT and APT over a stream of byte samples (pure: no I/O, no events). */
export class HealthTests {
  readonly minEntropy: number;
  readonly rctCutoff: number;
  readonly aptCutoff: number;
  readonly window: number;
  private samples = 0;
  private last = -1; // no previous sample: never equal to a byte
  private run = 0;
  private longestRun = 0;
  private ref = 0;
  private count = 0;
  private pos = 0; // position in the current APT window (public)
  private windows = 0;
  private maxCount = 0;
  private failure: HealthFailure | undefined;

  constructor(minEntropy: number, window = APT_WINDOW, readonly startupRequired = STARTUP_SAMPLES) {
    this.minEntropy = minEntropy;
    this.rctCutoff = rctCutoff(minEntropy);
    this.aptCutoff = aptCutoff(minEntropy, window);
    this.window = window;
  }

  /** The first alarm so far, if any; once failed, always failed. */
  get failed(): HealthFailure | undefined {
    return this.failure;
  }

  /**
   * Run both tests over `batch`. Returns the alarm, if one fired; the state
   * then stays failed, and a new HealthTests (an explicit reset) is the only way on.
   */
  test(batch: Uint8Array): HealthFailure | undefined {
    if (this.failure) return this.failure;
    const snapshot = this.save();
    if (this.scan(batch) === 0) return undefined;
    this.restore(snapshot);
    this.failure = this.locate(batch);
    return this.failure;
  }

  counters(): HealthCounters {
    const rctAlarms = this.failure?.test === 'rct' ? 1 : 0;
    return {
      minEntropy: this.minEntropy,
      samples: this.samples,
      startup: { required: this.startupRequired, passed: this.samples >= this.startupRequired && !this.failure },
      rct: { cutoff: this.rctCutoff, longestRun: this.longestRun, alarms: rctAlarms },
      apt: { cutoff: this.aptCutoff, window: this.window, windows: this.windows, maxCount: this.maxCount, alarms: this.failure ? 1 - rctAlarms : 0 },
    };
  }

  /** Branch-free pass: returns a non-zero flag when an alarm fired somewhere in the batch. */
  private scan(batch: Uint8Array): number {
    let { last, run, longestRun, ref, count, pos, maxCount, windows } = this;
    const rc = this.rctCutoff, ac = this.aptCutoff, w = this.window;
    let alarm = 0;
    for (let i = 0; i < batch.length; i++) {
      const x = batch[i]!;
      // eq = 1 when x === last: (x ^ last) is 0 only then; (v - 1) >>> 31 is 1 only for v = 0 (v < 2^31).
      const eq = (((x ^ last) & 0x1ff) - 1) >>> 31;
      run = 1 + eq * run;
      longestRun += (run - longestRun) & -(((longestRun - run) >>> 31));
      alarm |= (rc - 1 - run) >>> 31; // run >= rc
      last = x;
      if (pos === 0) { ref = x; count = 0; windows++; } // window start: public position, not a value
      count += (((x ^ ref) - 1) >>> 31);
      maxCount += (count - maxCount) & -(((maxCount - count) >>> 31));
      alarm |= (ac - 1 - count) >>> 31; // count >= ac
      pos = pos + 1 === w ? 0 : pos + 1;
    }
    Object.assign(this, { last, run, longestRun, ref, count, pos, maxCount, windows });
    this.samples += batch.length;
    return alarm;
  }

  /** Sequential rescan of a batch known to alarm: the first alarming sample. */
  private locate(batch: Uint8Array): HealthFailure {
    for (let i = 0; i < batch.length; i++) {
      const x = batch[i]!;
      this.run = x === this.last ? this.run + 1 : 1;
      this.longestRun = Math.max(this.longestRun, this.run);
      this.last = x;
      if (this.pos === 0) { this.ref = x; this.count = 0; this.windows++; }
      if (x === this.ref) this.count++;
      this.maxCount = Math.max(this.maxCount, this.count);
      this.pos = this.pos + 1 === this.window ? 0 : this.pos + 1;
      this.samples++;
      if (this.run >= this.rctCutoff) return { test: 'rct', sample: this.samples - 1, count: this.run, cutoff: this.rctCutoff };
      if (this.count >= this.aptCutoff) return { test: 'apt', sample: this.samples - 1, count: this.count, cutoff: this.aptCutoff };
    }
    throw new Error('HealthTests: the branch-free scan and the rescan disagree'); // unreachable
  }

  private save(): number[] {
    return [this.last, this.run, this.longestRun, this.ref, this.count, this.pos, this.maxCount, this.windows, this.samples];
  }

  private restore(s: number[]): void {
    [this.last, this.run, this.longestRun, this.ref, this.count, this.pos, this.maxCount, this.windows, this.samples] = s as [number, number, number, number, number, number, number, number, number];
  }
}
