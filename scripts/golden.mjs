#!/usr/bin/env node
// Golden-output check of every kernel, under both MMU modes (plain module and
// WAVEN), from fixed inputs: see scripts/golden-lib.mjs and docs/platforms.md.
// Plain Node ESM importing dist/ only, so any Node binary runs it (the
// platform lines of scripts/platforms.sh, arm64 Node under qemu-user).
//
//   node scripts/golden.mjs                       # print the outputs (JSON)
//   node scripts/golden.mjs --check tests/golden/outputs.json
//   node scripts/golden.mjs --write tests/golden/outputs.json
//
// Exit codes: 0 identical (and WAVEN = plain, every invariant held), 1 any
// difference or problem (each named on stderr), 2 usage, 3 I/O.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { arch, platform } from 'node:process';
import { compareGolden, computeGolden, goldenText } from './golden-lib.mjs';

const usage = 'usage: node scripts/golden.mjs [--check <file> | --write <file>]';
const args = process.argv.slice(2);
let mode = 'print';
let file;
if (args.length === 2 && (args[0] === '--check' || args[0] === '--write')) {
  mode = args[0].slice(2);
  file = args[1];
} else if (args.length !== 0) {
  console.error(usage);
  process.exit(2);
}

const where = `node ${process.version} (V8 ${process.versions.v8}), ${platform}-${arch}`;
const started = performance.now();
let result;
try {
  result = await computeGolden();
} catch (err) {
  console.error(`golden: the computation failed on ${where}:\n${err && err.stack ? err.stack : err}`);
  process.exit(1);
}
const { outputs, problems, modules } = result;
const ms = Math.round(performance.now() - started);
const count = Object.keys(outputs).length;
for (const p of problems) console.error(`golden: PROBLEM ${p}`);

if (mode === 'print') {
  process.stdout.write(goldenText(outputs));
  process.exit(problems.length ? 1 : 0);
}

if (mode === 'write') {
  if (problems.length) {
    console.error(`golden: not writing ${file}: ${problems.length} problem(s)`);
    process.exit(1);
  }
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, goldenText(outputs));
  } catch (err) {
    console.error(`golden: cannot write ${file}: ${err.message}`);
    process.exit(3);
  }
  console.log(`golden: wrote ${count} entries to ${file} (${where}, ${ms} ms)`);
  process.exit(0);
}

let expected;
try {
  expected = JSON.parse(readFileSync(file, 'utf8'));
} catch (err) {
  console.error(`golden: cannot read ${file}: ${err.message}`);
  process.exit(3);
}
const diffs = compareGolden(expected, outputs);
for (const d of diffs) console.error(`golden: DIFF ${d}`);
if (diffs.length || problems.length) {
  console.error(`golden: FAIL on ${where}: ${diffs.length} difference(s) from ${file}, ${problems.length} problem(s) (modules: plain ${modules.off}, waven ${modules.waven})`);
  process.exit(1);
}
console.log(`golden: OK ${count} entries identical to ${file}, WAVEN = plain (${where}, ${ms} ms)`);
