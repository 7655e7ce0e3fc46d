#!/usr/bin/env node
// Mutation check of the test suite (docs/mutants.md): plants each bug listed
// in scripts/mutants.json, one at a time, in a copy of the project, rebuilds
// what the bug touches, runs the test files that should catch it and prints
// which mutants survive. Not part of `npm test`: it takes minutes.
//
//   npm run mutants                         every mutant
//   npm run mutants -- --only a,b           some, by id
//   npm run mutants -- --list               the list, nothing run
//   npm run mutants -- --baseline           also run each mutant's tests unmutated first
//   npm run mutants -- --json out.json      the table as JSON too
//
// Exit 0 when every mutant is killed, 1 when one survives, 2 on a stale
// mutant (its `find` text no longer occurs exactly once) or a failed baseline.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { mutants: ALL } = JSON.parse(readFileSync(join(root, 'scripts', 'mutants.json'), 'utf8'));
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const value = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const only = value('--only')?.split(',');
const MUTANTS = only ? ALL.filter((m) => only.includes(m.id)) : ALL;
if (only && MUTANTS.length !== only.length) fail(2, `--only: unknown id(s): ${only.filter((id) => !ALL.some((m) => m.id === id)).join(', ')}`);

function fail(code, message) {
  console.error(`mutants: ${message}`);
  process.exit(code);
}

if (flag('--list')) {
  for (const m of MUTANTS) console.log(`${m.id.padEnd(32)} ${m.area.padEnd(10)} ${m.what}`);
  process.exit(0);
}

// The copy: every file git tracks or would track (the working tree as it is,
// uncommitted changes included), the built build/ and dist/, node_modules linked.
function makeCopy() {
  const dir = mkdtempSync(join(tmpdir(), 'awre-mutants-'));
  const ls = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' });
  if (ls.status !== 0) fail(2, `git ls-files failed: ${ls.stderr}`);
  for (const f of ls.stdout.split('\0').filter((x) => x !== '' && existsSync(join(root, x)))) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    cpSync(join(root, f), join(dir, f));
  }
  for (const d of ['build', 'dist']) {
    if (!existsSync(join(root, d))) fail(2, `${d}/ is missing: run npm run build first`);
    cpSync(join(root, d), join(dir, d), { recursive: true });
  }
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

// How each build step is redone in the copy. The digest check is not run: a
// kernel mutant must be caught by the kernel tests, not by the pinned bytes.
const BUILD = {
  plain: [['scripts/build-wasm.mjs']],
  test: [['scripts/build-wasm.mjs', '--test']],
  waven: [['scripts/waven-instrument.mjs']],
  merkle: [['scripts/build-merkle.mjs']],
  ts: [['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json']],
};

function rebuild(dir, steps) {
  for (const s of steps ?? []) {
    for (const args of BUILD[s] ?? fail(2, `unknown build step ${s}`)) {
      const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8' });
      if (r.status !== 0) return `build ${s} failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' / ')}`;
    }
  }
  return undefined;
}

/** Run the mutant's tests; returns { ok, failed: [names], seconds }. */
function runTests(dir, m, baseline = false) {
  const report = join(dir, '.mutant-report.json');
  rmSync(report, { force: true });
  const args = ['node_modules/vitest/vitest.mjs', 'run', ...m.tests, '--project', m.project ?? 'off', '--reporter=json', `--outputFile=${report}`, '--bail=1'];
  if (m.filter) args.push('-t', m.filter);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, ...(baseline ? {} : m.env), CI: 'true' }, timeout: 30 * 60_000, maxBuffer: 1 << 28 });
  const seconds = (performance.now() - t0) / 1000;
  let failed = [];
  let ran = 0;
  if (existsSync(report)) {
    const j = JSON.parse(readFileSync(report, 'utf8'));
    ran = j.numPassedTests + j.numFailedTests;
    failed = j.testResults.flatMap((f) => [
      ...f.assertionResults.filter((a) => a.status === 'failed').map((a) => `${f.name.slice(dir.length + 1)} > ${a.fullName}`),
      ...(f.status === 'failed' && f.assertionResults.every((a) => a.status !== 'failed') ? [`${f.name.slice(dir.length + 1)}: ${(f.message || 'failed to load').split('\n')[0]}`] : []),
    ]);
  }
  if (r.error) failed.push(`runner: ${r.error.message}`);
  return { ok: r.status === 0 && ran > 0, ran, failed, seconds, status: r.status };
}

function plant(dir, m) {
  const path = join(dir, m.file);
  const text = readFileSync(path, 'utf8');
  const count = text.split(m.find).length - 1;
  if (count !== 1) return { stale: `${m.file}: the text to mutate occurs ${count} times (expected once)` };
  writeFileSync(path, text.replace(m.find, m.replace));
  return { restore: () => writeFileSync(path, text) };
}

/** Put back what a rebuild changed. */
function restoreBuilds(dir, steps) {
  if (!steps?.length) return;
  const dirs = steps.includes('ts') ? ['dist'] : [];
  if (steps.some((s) => s !== 'ts')) dirs.push('build');
  for (const d of dirs) {
    rmSync(join(dir, d), { recursive: true, force: true });
    cpSync(join(root, d), join(dir, d), { recursive: true });
  }
}

const dir = makeCopy();
console.log(`mutants: ${MUTANTS.length} in ${dir}`);
const rows = [];
let stale = false;
for (const m of MUTANTS) {
  if (flag('--baseline')) {
    const base = runTests(dir, m, true); // unmutated: neither the code nor the environment
    if (!base.ok) { console.log(`${m.id}: BASELINE FAILS (${base.failed[0] ?? `exit ${base.status}`})`); stale = true; continue; }
  }
  const planted = m.file ? plant(dir, m) : { restore: () => {} };
  if (planted.stale) { console.log(`${m.id}: STALE ${planted.stale}`); rows.push({ ...m, result: 'stale', by: planted.stale, seconds: 0 }); stale = true; continue; }
  const t0 = performance.now();
  // The recorder's worker and the spawned CLI run from dist/: a mutant in the
  // host's TypeScript reaches them only through a rebuild of dist/.
  if (/^(host|recorder)\/.*\.ts$/.test(m.file ?? '') && !(m.build ?? []).includes('ts')) m.build = [...(m.build ?? []), 'ts'];
  const buildError = rebuild(dir, m.build);
  const r = buildError ? { ok: false, ran: 0, failed: [buildError], seconds: 0 } : runTests(dir, m);
  planted.restore();
  restoreBuilds(dir, m.build);
  // A mutant that does not build, or a run that passed no test at all, proves
  // nothing about the tests: the mutant (or its test list) is stale.
  const result = buildError ? 'stale' : r.ok ? 'SURVIVED' : r.ran === 0 && r.status === 0 ? 'stale' : 'killed';
  if (result === 'stale') stale = true;
  const row = { id: m.id, area: m.area, what: m.what, result, by: r.ok ? `${r.ran} tests passed` : (r.failed[0] ?? `exit ${r.status}`), seconds: (performance.now() - t0) / 1000 };
  rows.push(row);
  console.log(`${row.result.padEnd(8)} ${m.id.padEnd(32)} ${row.seconds.toFixed(0).padStart(4)} s  ${row.by}`);
}
rmSync(dir, { recursive: true, force: true });

const survived = rows.filter((r) => r.result === 'SURVIVED');
console.log('');
console.log('| mutant | area | planted bug | result | caught by |');
console.log('|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.id} | ${r.area} | ${r.what} | ${r.result} | ${r.by.replace(/\|/g, '\\|')} |`);
console.log('');
console.log(`${rows.length - survived.length - rows.filter((r) => r.result === 'stale').length} killed, ${survived.length} survived, ${rows.filter((r) => r.result === 'stale').length} stale, of ${MUTANTS.length}`);
if (value('--json')) writeFileSync(value('--json'), `${JSON.stringify(rows, null, 2)}\n`);
process.exit(stale ? 2 : survived.length > 0 ? 1 : 0);
