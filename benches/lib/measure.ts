// Side-by-side throughput of several implementations of the same operation,
// measured with tinybench in one process.
//
// Each group (one operation, e.g. "ML-KEM-768 keygen") holds one function per
// implementation. The measurement runs `rounds` rounds; in every round, every
// group gets a fresh tinybench Bench with its implementations in a rotated
// order, warmed up (warmupMs each) and then timed (timeMs each). So all
// implementations of an operation are measured within about a second of each
// other, in varying order, many times over the run: drift in the machine
// (frequency, other load, GC debt) lands on all of them alike.
//
// Per round, ops/s = 1000 / tinybench's median per-call latency (ms): robust
// against preemption by other processes, which only hits a few calls. The
// reported figure is the median of that over rounds. The mean throughput
// (iterations / summed latency, tinybench's `1000 / period`) is kept too: it
// also counts the occasional GC pause an implementation's garbage causes,
// which the median leaves out (that favours allocation-heavy code).
//
// A group can ask for the mean instead (`statistic: 'mean'`): for operations
// whose cost varies from call to call by design, such as ML-DSA signing with
// its rejection loop, the median latency is not the typical cost (it is the
// cost of the median number of loop iterations, and jumps between rounds).
// Per round, ops/s is then calls / summed latency, leaving out calls slower
// than OUTLIER_FACTOR x that round's median latency: for an operation whose
// own slow tail stays far below that (the ML-DSA loop: probability 1e-6 or
// less), such calls are the machine (preemption), not the operation. Calls
// slowed by GC or by load spread over the round stay in. A group can also
// set its own time budget (`timeMs`, `warmupMs`), e.g. to collect enough
// calls of a slow operation, and its own minimum call counts (`iterations`,
// `warmupIterations`; tinybench's defaults are 64 and 16, and it runs until
// both the time budget and the minimum are reached), e.g. fewer for an
// operation so slow that 64 calls would far exceed the time budget.
import { Bench } from 'tinybench';
import { median, spread } from './stats.js';

export interface MeasureOptions {
  rounds: number;
  timeMs: number;
  warmupMs: number;
  log?: (message: string) => void;
}

export type Statistic = 'median' | 'mean';

export interface Group {
  id: string;
  impls: Record<string, () => unknown>;
  /** Per-round figure: 'median' (default) = 1000 / median latency; 'mean' = trimmed mean throughput. */
  statistic?: Statistic;
  /** Time budget per task and round for this group, ms (default: MeasureOptions.timeMs). */
  timeMs?: number;
  /** Warm-up budget per task and round for this group, ms (default: MeasureOptions.warmupMs). */
  warmupMs?: number;
  /** Minimum timed calls per task and round (default: tinybench's 64). */
  iterations?: number;
  /** Minimum warm-up calls per task and round (default: tinybench's 16). */
  warmupIterations?: number;
}

/** With statistic 'mean', calls slower than this many times the round's median latency are left out. */
export const OUTLIER_FACTOR = 20;

/** How measure() warms up and orders the implementations, for the method section of a report. */
export const ROUND_METHOD = {
  warmup: 'tinybench warm-up of every task before each round',
  order: 'one process; per round and operation, the implementations run back to back in a rotated order',
} as const;

export interface RoundSample {
  /** 1000 / p50LatencyMs. */
  opsPerSec: number;
  /** iterations / totalMs, in ops/s. */
  meanOpsPerSec: number;
  iterations: number;
  totalMs: number;
  /** tinybench's median latency of the round, ms. */
  p50LatencyMs: number;
  /** tinybench's relative margin of error of the mean latency, %. */
  rme: number;
  /** statistic 'mean' only: kept calls / their summed latency, in ops/s. */
  trimmedMeanOpsPerSec?: number;
  /** statistic 'mean' only: calls left out as slower than OUTLIER_FACTOR x the median latency. */
  leftOut?: number;
}

export interface Measured {
  /** Which per-round figure `opsPerSec` and `spread` use (the group's statistic). */
  statistic: Statistic;
  /** Median over rounds of the per-round ops/s: from median latency, or the trimmed mean for statistic 'mean'. */
  opsPerSec: number;
  /** Median over rounds of the per-round mean throughput (nothing left out). */
  meanOpsPerSec: number;
  /** (max - min) / median of the per-round figure `opsPerSec` is the median of. */
  spread: number;
  rounds: RoundSample[];
}

/** group id -> implementation name -> measurement */
export type Measurements = Record<string, Record<string, Measured>>;

/** Results land here so no call can be optimised away. */
export let sink: unknown;

function rotate<T>(xs: readonly T[], by: number): T[] {
  return [...xs.slice(by), ...xs.slice(0, by)];
}

export function measure(groups: readonly Group[], o: MeasureOptions): Measurements {
  const samples = new Map<string, Map<string, RoundSample[]>>();
  for (let round = 0; round < o.rounds; round++) {
    const t0 = performance.now();
    groups.forEach((group, gi) => {
      const names = Object.keys(group.impls);
      const mean = group.statistic === 'mean';
      const bench = new Bench({
        time: group.timeMs ?? o.timeMs, warmup: true, warmupTime: group.warmupMs ?? o.warmupMs, throws: true, retainSamples: mean,
        ...(group.iterations !== undefined ? { iterations: group.iterations } : {}),
        ...(group.warmupIterations !== undefined ? { warmupIterations: group.warmupIterations } : {}),
      });
      for (const name of rotate(names, (round + gi) % names.length)) {
        const fn = group.impls[name]!;
        bench.add(name, () => { sink = fn(); });
      }
      for (const task of bench.runSync()) {
        const r = task.result;
        if (r.state !== 'completed') throw new Error(`${group.id} ${task.name}: tinybench state ${r.state}`);
        const perGroup = samples.get(group.id) ?? new Map<string, RoundSample[]>();
        samples.set(group.id, perGroup);
        const list = perGroup.get(task.name) ?? [];
        perGroup.set(task.name, list);
        const sample: RoundSample = {
          opsPerSec: 1000 / r.latency.p50,
          meanOpsPerSec: 1000 / r.period,
          iterations: task.runs,
          totalMs: r.totalTime,
          p50LatencyMs: r.latency.p50,
          rme: r.latency.rme,
        };
        if (mean) {
          const all = r.latency.samples;
          if (all === undefined) throw new Error(`${group.id} ${task.name}: tinybench kept no samples`);
          const kept = all.filter((x) => x <= OUTLIER_FACTOR * r.latency.p50);
          sample.trimmedMeanOpsPerSec = (1000 * kept.length) / kept.reduce((a, b) => a + b, 0);
          sample.leftOut = all.length - kept.length;
        }
        list.push(sample);
      }
    });
    o.log?.(`round ${round + 1}/${o.rounds} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const out: Measurements = {};
  for (const [id, perGroup] of samples) {
    const statistic = groups.find((g) => g.id === id)?.statistic ?? 'median';
    out[id] = {};
    for (const [name, rounds] of perGroup) {
      const ops = figures(statistic, rounds);
      const mean = median(rounds.map((s) => s.meanOpsPerSec));
      out[id][name] = { statistic, opsPerSec: median(ops), meanOpsPerSec: mean, spread: spread(ops), rounds };
    }
  }
  return out;
}

/** The per-round figures of a statistic: 1000 / median latency, or the trimmed mean for 'mean'. */
function figures(statistic: Statistic, rounds: readonly RoundSample[]): number[] {
  return rounds.map((s) => (statistic === 'mean' ? s.trimmedMeanOpsPerSec! : s.opsPerSec));
}

/**
 * The per-round ops/s of a measurement, in round order (the figure its
 * `opsPerSec` is the median of): for pairing with another implementation of
 * the same group, measured back to back in the same rounds (stats.ts pairedRatio).
 */
export function roundFigures(m: Measured): number[] {
  return figures(m.statistic, m.rounds);
}
