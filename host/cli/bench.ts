// `awre bench [--suite <name...>] [--quick] [--json] [--out <file>] [--svg <file>]`:
// the suites of benches/ side by side with the peers, a progress bar on a
// terminal (quiet when piped), the tables with ratios against each peer, the
// machine they ran on, the results as JSON, and optionally a bar chart of
// the ratios.
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { ON_REQUEST, SUITES } from '../../benches/suites.js';
import { machineInfo, machineLine, type MachineInfo } from '../../benches/lib/machine.js';
import { ratiosOf, type Ratio } from '../../benches/lib/ratios.js';
import { ratioChart } from '../../benches/lib/svg.js';
import { CliFailure, EXIT, writeText } from './io.js';

export interface BenchResult {
  machine: MachineInfo;
  suites: Record<string, { ok: boolean; text: string; data: Record<string, unknown> }>;
  ratios: Ratio[];
  ok: boolean;
}

export async function runBench(o: { suite?: string[]; quick?: boolean }, bar?: SingleBar, log: (m: string) => void = () => {}): Promise<BenchResult> {
  const names = o.suite && o.suite.length > 0 ? o.suite : Object.keys(SUITES).filter((n) => !ON_REQUEST.includes(n));
  const unknown = names.filter((n) => !(n in SUITES));
  if (unknown.length > 0) throw new CliFailure(EXIT.usage, `--suite: unknown suite ${unknown.join(', ')} (have: ${Object.keys(SUITES).join(', ')})`);
  const result: BenchResult = { machine: machineInfo(), suites: {}, ratios: [], ok: true };
  bar?.start(names.length, 0, { suite: names[0] });
  for (const name of names) {
    bar?.update({ suite: name });
    const suite = await SUITES[name]!();
    const r = await suite.run({ quick: o.quick ?? false, peersOnly: false, log, write: false });
    result.suites[name] = { ok: r.ok, text: r.text, data: r.data };
    result.ratios.push(...ratiosOf(name, r.data));
    result.ok &&= r.ok;
    bar?.increment();
  }
  bar?.stop();
  return result;
}

export function renderBench(r: BenchResult): string {
  return [`machine: ${machineLine(r.machine)}`, ...Object.entries(r.suites).map(([n, s]) => `\n== ${n} ==\n${s.text}`)].join('\n');
}

export function registerBench(program: Command, done: (code: number) => void): void {
  program.command('bench')
    .description('run the benchmark suites (mlkem, mldsa, gcm, waven, qrng, recorder) against the peers; tables, JSON, and a ratio chart')
    .option('--suite <name...>', `suites to run (default: all of ${Object.keys(SUITES).filter((n) => !ON_REQUEST.includes(n)).join(', ')}; ${ON_REQUEST.join(' and ')} only when named)`)
    .option('--quick', 'a short smoke run (fewer, shorter rounds)')
    .option('--out <file>', 'write the results as JSON here', 'awre-bench.json')
    .option('--svg <file>', 'draw the ratios as a bar chart (SVG)')
    .option('--json', 'print the results as JSON')
    .action(async (o: { suite?: string[]; quick?: boolean; out: string; svg?: string; json?: boolean }) => {
      // The outputs must be writable before minutes of measuring, not after.
      for (const path of [o.out, o.svg]) {
        if (path === undefined) continue;
        writeText(path, '');
      }
      const tty = process.stderr.isTTY && !o.json;
      const bar = tty ? new SingleBar({ format: 'bench [{bar}] {value}/{total} suites, now: {suite}', stream: process.stderr, hideCursor: true }) : undefined;
      const r = await runBench(o, bar);
      writeText(o.out, `${JSON.stringify(r, null, 2)}\n`);
      if (o.svg) writeText(o.svg, ratioChart(r.ratios, 'awre: ratios against peers and overheads', `${machineLine(r.machine)}${o.quick ? ' (quick run)' : ''}`));
      console.log(o.json ? JSON.stringify(r, null, 2) : `${renderBench(r)}\n\nresults: ${o.out}${o.svg ? `, chart: ${o.svg}` : ''}`);
      done(r.ok ? EXIT.ok : EXIT.failed);
    });
}
