// A node's runs as one history (docs/trust.md, "Runs that chain"): given
// each run's verified certificate (run number, the previous finished run and
// its final checkpoint's hash) and its own final checkpoint, find what a node
// could have done to its history: a run deleted (a gap in the numbers, or a
// `prev` naming a run that is not there), a run replayed or the sealed state
// rolled back (two logs with one number), a run replaced (a `prev` whose hash
// is not that run's final checkpoint), runs out of time order. A pure
// function of what verify already established for each log.
import type { Finding } from './verify.js';

export interface RunSummary {
  /** Where the log is (for messages). */
  path: string;
  run: number;
  prev: { run: number; note: string } | null;
  /** SHA-256 (hex) of the final checkpoint note, or null for a run that did not finish (no halt). */
  finalNote: string | null;
  /** Times (ms) of the first and the last tuple. */
  bootT: number;
  lastT: number;
}

export function chainRuns(runs: RunSummary[]): Finding[] {
  const findings: Finding[] = [];
  const add = (event: string, message: string, extra: { got?: unknown; expected?: unknown; severity?: 'error' | 'warning' } = {}) =>
    findings.push({ event, severity: extra.severity ?? 'error', seq: null, message, ...('got' in extra ? { got: extra.got } : {}), ...('expected' in extra ? { expected: extra.expected } : {}) });
  const byRun = new Map<number, RunSummary[]>();
  for (const r of runs) byRun.set(r.run, [...(byRun.get(r.run) ?? []), r]);
  for (const [n, rs] of byRun) {
    if (rs.length > 1) add('run-duplicate', `run ${n} appears ${rs.length} times (a replayed run, or the node's sealed state rolled back)`, { got: rs.map((r) => r.path) });
  }
  const numbers = [...byRun.keys()].sort((a, b) => a - b);
  if (numbers.length === 0) return findings;
  for (let n = 1; n <= numbers[numbers.length - 1]!; n++) {
    if (!byRun.has(n)) add('run-missing', `run ${n} is missing (deleted, or withheld)`, { expected: n });
  }
  const sorted = runs.filter((r) => byRun.get(r.run)!.length === 1).sort((a, b) => a.run - b.run);
  let lastFinished: RunSummary | undefined;
  let previous: RunSummary | undefined;
  for (const r of sorted) {
    const want = lastFinished ? { run: lastFinished.run, note: lastFinished.finalNote } : null;
    if (r.prev === null ? want !== null : want === null || r.prev.run !== want.run || r.prev.note !== want.note) {
      // A prev naming a run not here is reported as missing already; name the break here too.
      add('run-chain', `${r.path}: run ${r.run} does not follow the last finished run before it`, { got: r.prev, expected: want });
    }
    if (previous && r.bootT < previous.lastT) add('run-order', `${r.path}: run ${r.run} starts before run ${previous.run} ended`, { got: r.bootT, expected: previous.lastT });
    if (r.finalNote === null) add('run-unfinished', `${r.path}: run ${r.run} did not finish (no final checkpoint); the next run follows the one before it`, { severity: 'warning' });
    else lastFinished = r;
    previous = r;
  }
  return findings;
}
