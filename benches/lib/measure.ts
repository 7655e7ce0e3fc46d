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
import { Bench } from 'tinybench';
import { median, spread } from './stats.js';

export interface MeasureOptions {
  rounds: number;
  timeMs: number;
  warmupMs: number;
  log?: (message: string) => void;
}

export interface Group {
  id: string;
  impls: Record<string, () => unknown>;
}

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
}

export interface Measured {
  /** Median over rounds of the per-round ops/s (from median latency). */
  opsPerSec: number;
  /** Median over rounds of the per-round mean throughput. */
  meanOpsPerSec: number;
  /** (max - min) / median of the per-round ops/s. */
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
      const bench = new Bench({ time: o.timeMs, warmup: true, warmupTime: o.warmupMs, throws: true });
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
        list.push({
          opsPerSec: 1000 / r.latency.p50,
          meanOpsPerSec: 1000 / r.period,
          iterations: task.runs,
          totalMs: r.totalTime,
          p50LatencyMs: r.latency.p50,
          rme: r.latency.rme,
        });
      }
    });
    o.log?.(`round ${round + 1}/${o.rounds} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const out: Measurements = {};
  for (const [id, perGroup] of samples) {
    out[id] = {};
    for (const [name, rounds] of perGroup) {
      const ops = rounds.map((s) => s.opsPerSec);
      const mean = median(rounds.map((s) => s.meanOpsPerSec));
      out[id][name] = { opsPerSec: median(ops), meanOpsPerSec: mean, spread: spread(ops), rounds };
    }
  }
  return out;
}
