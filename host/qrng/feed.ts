// The QRNG feed: one entropy source behind the SP 800-90B health tests,
// conditioned into seeds (docs/qrng.md). It fails closed: after an alarm it
// serves nothing until an explicit reset(), which re-runs the start-up test.
// Raw samples are health-tested in chunks before any of them can be used;
// the samples of the start-up test are discarded; used samples are zeroed.
import { concatWiping } from '../bytes.js';
import { AwreError } from '../errors.js';
import { OS_MIX_BYTES, SEED_BITS, condition, rawBytesPerSeed } from './condition.js';
import { HealthTests, STARTUP_SAMPLES, type HealthCounters, type HealthFailure } from './health.js';
import type { EntropySource } from './source.js';

export type FeedState = 'idle' | 'ready' | 'failed' | 'closed';

export interface FeedOptions {
  /**
   * Mix 48 bytes of the OS CSPRNG into every seed (never credited). Default
   * true, except for `sim:` sources, whose whole point is a reproducible run.
   */
  mixOs?: boolean;
  /** Raw samples read and tested per source read (default 1,024). */
  chunk?: number;
  /** Start-up test length in samples (default and minimum 1,024). */
  startupSamples?: number;
}

/** What the feed tells its listeners (no sample or seed bytes, ever). */
export type FeedEvent =
  | { kind: 'qrng-startup'; source: string; quantum: boolean; counters: FeedCounters }
  | { kind: 'qrng-failure'; source: string; quantum: boolean; failure: HealthFailure; counters: FeedCounters }
  | { kind: 'qrng-reset'; source: string; quantum: boolean; counters: FeedCounters };

export interface FeedCounters extends HealthCounters {
  state: FeedState;
  /** Raw bytes read from the source since the feed opened (resets included). */
  rawBytesRead: number;
  /** Raw bytes conditioned into seeds. */
  rawBytesUsed: number;
  /** Raw bytes discarded: start-up samples and chunks that alarmed. */
  rawBytesDiscarded: number;
  seeds: number;
  resets: number;
}

/** One conditioned seed and where it came from. */
export interface SeedMaterial {
  seed: Uint8Array;
  /** Credited entropy (bits): the seed length, the raw input carrying 64 bits more. */
  bits: number;
  rawBytes: number;
  osMixed: boolean;
  source: string;
  quantum: boolean;
  health: FeedCounters;
}

export class QrngFeed {
  readonly source: EntropySource;
  private readonly mixOs: boolean;
  private readonly chunk: number;
  private readonly startupSamples: number;
  private tests: HealthTests;
  private stateNow: FeedState = 'idle';
  private pool: Uint8Array = new Uint8Array(0);
  private listeners: ((e: FeedEvent) => void)[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private stats = { rawBytesRead: 0, rawBytesUsed: 0, rawBytesDiscarded: 0, seeds: 0, resets: 0 };

  constructor(source: EntropySource, options: FeedOptions = {}) {
    this.source = source;
    this.mixOs = options.mixOs ?? source.kind !== 'sim';
    this.chunk = options.chunk ?? 1024;
    this.startupSamples = options.startupSamples ?? STARTUP_SAMPLES;
    if (!Number.isSafeInteger(this.chunk) || this.chunk < 1 || this.chunk > 1 << 20) {
      throw new AwreError('QRNG_CONFIG', `"chunk" expected an integer in [1, 1048576], got ${options.chunk}`);
    }
    if (!Number.isSafeInteger(this.startupSamples) || this.startupSamples < STARTUP_SAMPLES) {
      throw new AwreError('QRNG_CONFIG', `"startupSamples" expected an integer >= ${STARTUP_SAMPLES} (SP 800-90B 4.3), got ${options.startupSamples}`);
    }
    this.tests = new HealthTests(source.minEntropy, undefined, this.startupSamples);
  }

  get state(): FeedState {
    return this.stateNow;
  }

  onEvent(listener: (e: FeedEvent) => void): void {
    this.listeners.push(listener);
  }

  counters(): FeedCounters {
    return { ...this.tests.counters(), state: this.stateNow, ...this.stats };
  }

  /** Run the start-up test (once; seed() runs it when needed). */
  start(): Promise<void> {
    return this.serial(() => this.startNow());
  }

  /** One conditioned 48-byte seed; runs the start-up test first if it has not passed. */
  seed(): Promise<SeedMaterial> {
    return this.serial(async () => {
      await this.startNow();
      const n = rawBytesPerSeed(this.source.minEntropy);
      const raw = await this.take(n);
      const os = this.mixOs ? globalThis.crypto.getRandomValues(new Uint8Array(OS_MIX_BYTES)) : new Uint8Array(0);
      const seed = condition(raw, os);
      raw.fill(0);
      os.fill(0);
      this.stats.rawBytesUsed += n;
      this.stats.seeds++;
      return { seed, bits: SEED_BITS, rawBytes: n, osMixed: this.mixOs, source: this.source.label, quantum: this.source.quantum, health: this.counters() };
    });
  }

  /** SeedProvider: every request gets a fresh seed, whatever its tenant and epoch. */
  seedFor(): Promise<SeedMaterial> {
    return this.seed();
  }

  /** Clear a failure (or start afresh): new health-test state, then the start-up test again. */
  reset(): Promise<void> {
    return this.serial(async () => {
      this.pool.fill(0);
      this.pool = new Uint8Array(0);
      this.refuseIfClosed();
      this.tests = new HealthTests(this.source.minEntropy, undefined, this.startupSamples);
      this.stateNow = 'idle';
      this.stats.resets++;
      this.emit({ kind: 'qrng-reset', source: this.source.label, quantum: this.source.quantum, counters: this.counters() });
      await this.startNow();
    });
  }

  /** Wipe the pool and close the source; every later request is refused. */
  close(): Promise<void> {
    return this.serial(async () => {
      this.pool.fill(0);
      this.pool = new Uint8Array(0);
      this.stateNow = 'closed';
      await this.source.close();
    });
  }

  /** Requests run one at a time, so chunks are tested and served in order. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async startNow(): Promise<void> {
    this.refuseIfClosed();
    this.refuseIfFailed();
    if (this.stateNow === 'ready') return;
    let tested = 0;
    while (tested < this.startupSamples) {
      const batch = await this.readExactly(Math.min(this.chunk, this.startupSamples - tested));
      this.stats.rawBytesRead += batch.length;
      this.stats.rawBytesDiscarded += batch.length;
      const failure = this.tests.test(batch);
      batch.fill(0);
      if (failure) this.fail(failure);
      tested += batch.length;
    }
    this.stateNow = 'ready';
    this.emit({ kind: 'qrng-startup', source: this.source.label, quantum: this.source.quantum, counters: this.counters() });
  }

  /** `n` tested samples from the pool, reading and testing whole chunks as needed. */
  private async take(n: number): Promise<Uint8Array> {
    while (this.pool.length < n) {
      const batch = await this.readExactly(Math.max(this.chunk, n - this.pool.length));
      this.stats.rawBytesRead += batch.length;
      const failure = this.tests.test(batch);
      if (failure) {
        batch.fill(0);
        this.stats.rawBytesDiscarded += batch.length;
        this.fail(failure);
      }
      this.pool = concatWiping(this.pool, batch);
    }
    const out = this.pool.slice(0, n);
    this.pool.fill(0, 0, n);
    this.pool = this.pool.subarray(n);
    return out;
  }

  /** A source must return what was asked: anything else is a source error, not a short seed. */
  private async readExactly(n: number): Promise<Uint8Array> {
    const batch = await this.source.read(n);
    if (batch.length !== n) {
      batch.fill(0);
      throw new AwreError('QRNG_SOURCE', `${this.source.label}: asked for ${n} samples, got ${batch.length}`);
    }
    return batch;
  }

  private refuseIfClosed(): void {
    if (this.stateNow === 'closed') throw new AwreError('QRNG_SOURCE', `${this.source.label}: the feed is closed`);
  }

  private fail(failure: HealthFailure): never {
    this.pool.fill(0);
    this.stats.rawBytesDiscarded += this.pool.length;
    this.pool = new Uint8Array(0);
    this.stateNow = 'failed';
    this.emit({ kind: 'qrng-failure', source: this.source.label, quantum: this.source.quantum, failure, counters: this.counters() });
    throw this.failureError(failure);
  }

  private refuseIfFailed(): void {
    const failure = this.tests.failed;
    if (this.stateNow === 'failed' && failure) throw this.failureError(failure);
  }

  private failureError(f: HealthFailure): AwreError {
    const name = f.test === 'rct' ? 'Repetition Count Test' : 'Adaptive Proportion Test';
    const c = this.counters();
    return new AwreError(
      'QRNG_HEALTH',
      `${this.source.label}: SP 800-90B ${name} (${f.test}) failed at sample ${f.sample}: count ${f.count} reached cutoff ${f.cutoff} ` +
        `(${c.samples} samples tested, claimed min-entropy ${c.minEntropy} bits/sample); the feed serves nothing until reset()`,
      { expected: { below: f.cutoff }, got: { test: f.test, count: f.count, sample: f.sample, source: this.source.label, counters: c } },
    );
  }

  private emit(e: FeedEvent): void {
    for (const l of this.listeners) l(e);
  }
}
