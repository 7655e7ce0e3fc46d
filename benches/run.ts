// Benchmark entry: `npm run bench -- [suite...] [--json] [--quick] [--peers-only]`
// (node dist/benches/run.js). With no suite names, runs every suite.
//
//   --json        print the results as JSON on stdout instead of the tables
//                 ({ "<suite>": {...} }); progress still goes to stderr
//   --quick       short smoke-test run; nothing is written to benches/results/
//   --peers-only  time only the other implementations, without awre (for a
//                 suite whose awre side does not exist yet; see PEERS_ONLY);
//                 nothing is written to benches/results/
//
// Exit codes: 0 fine, 1 a suite failed (error or correctness check), 2 usage.
import { writeResults } from './lib/results.js';
import type { Suite } from './lib/suite.js';

import { ON_REQUEST, SUITES } from './suites.js';

/** Suites that support --peers-only (the default selection under that flag). */
const PEERS_ONLY: readonly string[] = ['mldsa', 'gcm'];

const USAGE = `usage: npm run bench -- [suite...] [--json] [--quick] [--peers-only]
suites: ${Object.keys(SUITES).join(', ')} (default: all but ${ON_REQUEST.join(' and ')}, which run when named; with --peers-only: ${PEERS_ONLY.join(', ')})`;

interface Args { names: string[]; json: boolean; quick: boolean; peersOnly: boolean }

function parseArgs(argv: string[]): Args | string {
  const names: string[] = [];
  let json = false, quick = false, peersOnly = false;
  for (const arg of argv) {
    if (arg === '--json') json = true;
    else if (arg === '--quick') quick = true;
    else if (arg === '--peers-only') peersOnly = true;
    else if (arg.startsWith('-')) return `unknown option: ${arg}`;
    else if (!(arg in SUITES)) return `unknown suite: ${arg}`;
    else if (!names.includes(arg)) names.push(arg);
  }
  if (peersOnly) {
    const unsupported = names.filter((n) => !PEERS_ONLY.includes(n));
    if (unsupported.length > 0) return `--peers-only is not supported by: ${unsupported.join(', ')}`;
  }
  const all = peersOnly ? [...PEERS_ONLY] : Object.keys(SUITES).filter((n) => !ON_REQUEST.includes(n));
  return { names: names.length > 0 ? names : all, json, quick, peersOnly };
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    console.error(`${args}\n${USAGE}`);
    return 2;
  }
  const log = (m: string) => process.stderr.write(`${m}\n`);
  const json: Record<string, unknown> = {};
  let code = 0;
  for (const name of args.names) {
    try {
      const suite = await SUITES[name]!();
      const started = new Date();
      const report = await suite.run({ quick: args.quick, peersOnly: args.peersOnly, log });
      if (!report.ok) code = 1;
      if (args.quick || args.peersOnly) log(`${name}: ${args.quick ? '--quick' : '--peers-only'} run, results not written`);
      else for (const f of writeResults(name, report.data, started)) log(`${name}: wrote ${f}`);
      if (args.json) json[name] = report.data;
      else console.log(`\n${report.text}\n`);
    } catch (e) {
      console.error(`${name}: failed: ${(e as Error).stack ?? String(e)}`);
      code = 1;
    }
  }
  if (args.json) console.log(JSON.stringify(json, null, 2));
  return code;
}

process.exitCode = await main();
