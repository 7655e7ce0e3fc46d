// `awre verify <dir>` without --node (host/cli/verify-fleet.ts): many logs
// verified in worker threads, one result. Real runs made by the CLI (`awre
// run`, `awre init` + `awre run --node`): a clean fleet passes; a tampered log
// fails with its findings under its own name only; a run without its key and
// a log that cannot be read are failing entries, not crashes; a nodes/runs
// layout is checked against each node's identity and as one history; --json
// carries each log's full report; an empty directory is a usage error.
// The workers run from dist/: build first (npx tsc -p tsconfig.json).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fleetCommand, renderFleet, runFleet, type FleetResult } from '../host/cli/verify-fleet.js';
import { CliFailure } from '../host/cli/io.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = join(ROOT, 'dist', 'host', 'cli', 'main.js');
const awre = (...args: string[]) => {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};
const run = (out: string, ...extra: string[]) => {
  const r = awre('run', '--out', out, '--sessions', '2', '--frames', '10', '--frame-bytes', '64', ...extra);
  if (r.status !== 0) throw new Error(`awre run failed: ${r.stderr}`);
};

let tmp: string;
let runs: string; // <tmp>/runs/{r1,r2,r3}
let nodes: string; // <tmp>/nodes/{n1: run-1, run-2; n2: run-1}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'awre-fleet-'));
  runs = join(tmp, 'runs');
  for (const r of ['r1', 'r2', 'r3']) run(join(runs, r));
  nodes = join(tmp, 'nodes');
  for (const [n, count] of [['n1', 2], ['n2', 1]] as const) {
    const dir = join(nodes, n);
    const i = awre('init', '--node', dir, '--name', `awre.test/fleet/${n}`);
    if (i.status !== 0) throw new Error(`awre init failed: ${i.stderr}`);
    for (let k = 1; k <= count; k++) run(join(dir, `run-${k}`), '--node', dir);
  }
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A copy of a fleet directory to spoil. */
function copy(from: string, name: string): string {
  const to = join(tmp, name);
  cpSync(from, to, { recursive: true });
  return to;
}

/** The exit code and printed output of the command, in process. */
async function command(dir: string, o: Record<string, unknown> = {}): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((s: unknown) => { lines.push(String(s)); });
  try {
    return { code: await fleetCommand(dir, { jobs: 2, ...o }), out: lines.join('\n') };
  } finally {
    spy.mockRestore();
  }
}

const byName = (r: FleetResult, name: string) => r.logs.find((l) => l.name === name)!;

describe('awre verify <dir> (a fleet)', () => {
  it('a fleet of three clean runs passes, each row filled in', async () => {
    const r = await runFleet(runs, { jobs: 2 });
    expect(r.ok).toBe(true);
    expect(r.logs.map((l) => l.name)).toEqual(['r1', 'r2', 'r3']);
    for (const l of r.logs) {
      expect(l).toMatchObject({ ok: true, errors: 0, firstFailing: null, by: 'attestation key', findings: [] });
      expect(l.tuples).toBe(readFileSync(l.path, 'utf8').trimEnd().split('\n').length);
      expect(l.checkpoints).toBeGreaterThan(0);
    }
    expect(r.totals).toMatchObject({ logs: 3, passed: 3, failed: 0 });
    const { code, out } = await command(runs);
    expect(code).toBe(0);
    expect(out).toMatch(/^log +tuples +checkpoints +verdict +errors +first failing +s +tuples\/s$/m);
    expect(out).toMatch(/OK: every log verifies/);
  });

  it('a byte flipped in one call tuple fails that log alone, its findings under its name only; exit 1', async () => {
    const dir = copy(runs, 'tampered');
    const log = join(dir, 'r2', 'abw34.log');
    const lines = readFileSync(log, 'utf8').trimEnd().split('\n');
    const at = lines.findIndex((l, i) => i > 60 && l.includes('"kind":"call"'));
    // One hex digit of the call's input digest: the line still parses, its leaf hash changes.
    lines[at] = lines[at]!.replace(/"in":"(.)/, (_m, c: string) => `"in":"${c === '0' ? '1' : '0'}`);
    writeFileSync(log, `${lines.join('\n')}\n`);
    const r = await runFleet(dir, { jobs: 2 });
    expect(r.ok).toBe(false);
    expect(byName(r, 'r1').findings).toEqual([]);
    expect(byName(r, 'r3').findings).toEqual([]);
    const bad = byName(r, 'r2');
    expect(bad.ok).toBe(false);
    expect(bad.errors).toBeGreaterThan(0);
    expect(bad.findings.map((f) => f.event)).toContain('prev-mismatch');
    expect(bad.firstFailing?.seq).toBeGreaterThanOrEqual(at);
    const { code, out } = await command(dir);
    expect(code).toBe(1);
    // The one section of findings is r2's, and every FAIL line of the text sits in it.
    const sections = out.split('\n').filter((l) => /^\S.*\(.*checked against: .*\): /.test(l));
    expect(sections).toHaveLength(1);
    expect(sections[0]).toMatch(/^r2 \(/);
    const afterSection = out.slice(out.indexOf(sections[0]!));
    expect(afterSection).toMatch(/FAIL prev-mismatch @\d+/);
    expect(out.slice(0, out.indexOf(sections[0]!))).not.toMatch(/FAIL \w/);
    expect(out).toMatch(/^r2 +\d+ +\d+ +FAIL /m);
    expect(out).toMatch(/FAILED: 1 log\(s\)/);
  });

  it('a run without its key file, and a log that cannot be read, are failing entries with their own findings', async () => {
    const dir = copy(runs, 'nokey');
    rmSync(join(dir, 'r1', 'attestation.pub.json'));
    rmSync(join(dir, 'r3', 'abw34.log'));
    mkdirSync(join(dir, 'r3', 'abw34.log')); // a directory where the log should be: EISDIR when read
    const r = await runFleet(dir, { jobs: 2 });
    expect(r.ok).toBe(false);
    expect(byName(r, 'r1')).toMatchObject({ ok: false, report: null, firstFailing: { event: 'fleet-no-key' } });
    expect(byName(r, 'r1').findings[0]!.message).toMatch(/attestation\.pub\.json/);
    expect(byName(r, 'r2').ok).toBe(true);
    expect(byName(r, 'r3')).toMatchObject({ ok: false, report: null, firstFailing: { event: 'fleet-unreadable' } });
    expect(r.totals).toMatchObject({ passed: 1, failed: 2 });
    expect((await command(dir)).code).toBe(1);
  });

  it('a nodes/runs layout: each run against its node identity, each node\'s runs as one history', async () => {
    const r = await runFleet(nodes, { jobs: 2 });
    expect(r.ok, renderFleet(r)).toBe(true);
    expect(r.logs.map((l) => [l.name, l.node, l.by])).toEqual([
      ['n1/run-1', 'n1', 'node identity'], ['n1/run-2', 'n1', 'node identity'], ['n2/run-1', 'n2', 'node identity'],
    ]);
    for (const l of r.logs) expect(l.report?.guarantees.certified).toBe(true);
    expect(byName(r, 'n1/run-2').report?.run).toMatchObject({ run: 2, prev: { run: 1 } });
    expect(r.nodes.map((n) => [n.name, n.runs, n.findings])).toEqual([['n1', 2, []], ['n2', 1, []]]);
    // A deleted run breaks its node's history, and only that node's.
    const dir = copy(nodes, 'nodes-deleted');
    rmSync(join(dir, 'n1', 'run-1'), { recursive: true });
    const d = await runFleet(dir, { jobs: 2 });
    expect(d.ok).toBe(false);
    expect(d.logs.every((l) => l.ok)).toBe(true);
    expect(d.nodes.find((n) => n.name === 'n1')!.findings.map((f) => f.event)).toContain('run-missing');
    expect(d.nodes.find((n) => n.name === 'n2')!.findings).toEqual([]);
    const { code, out } = await command(dir);
    expect(code).toBe(1);
    expect(out).toMatch(/^node n1: identity [0-9a-f]{64}; its 1 run\(s\) as one history: BROKEN\n {2}FAIL run-missing/m);
    expect(out).toMatch(/^node n2: identity [0-9a-f]{64}; its 1 run\(s\) as one history: ok$/m);
  });

  it('--json is one JSON document with each log\'s full report', async () => {
    const dir = copy(runs, 'json');
    rmSync(join(dir, 'r2', 'attestation.pub.json'));
    const { code, out } = await command(dir, { json: true });
    expect(code).toBe(1);
    const j = JSON.parse(out) as FleetResult;
    expect(j.logs).toHaveLength(3);
    expect(j.logs[0]!.report).not.toHaveProperty('stats'); // as awre verify --json prints a report
    expect(j.logs[0]!.report).toMatchObject({ ok: true, findings: [] });
    expect(j.logs[0]!.report!.tuples).toBe(j.logs[0]!.tuples);
    expect(j.logs[1]).toMatchObject({ name: 'r2', report: null, findings: [{ event: 'fleet-no-key' }] });
    expect(j.totals).toMatchObject({ logs: 3, passed: 2, failed: 1 });
  });

  it('a policy applies to every log; usage errors: an empty directory, an option a fleet does not take, a bad --jobs', async () => {
    const pol = join(tmp, 'policy.json');
    writeFileSync(pol, JSON.stringify({ modules: ['0'.repeat(64)] }));
    const r = await runFleet(runs, { jobs: 2, policy: pol });
    expect(r.logs.map((l) => l.firstFailing?.event)).toEqual(['policy-module', 'policy-module', 'policy-module']);
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    await expect(runFleet(empty)).rejects.toThrow(/no logs to verify/);
    await expect(runFleet(empty)).rejects.toMatchObject({ code: 2 });
    await expect(command(runs, { key: 'k.json' })).rejects.toBeInstanceOf(CliFailure);
    await expect(command(runs, { key: 'k.json' })).rejects.toMatchObject({ code: 2, message: /not --key/ });
    await expect(command(runs, { jobs: 0 })).rejects.toMatchObject({ code: 2, message: /--jobs/ });
  });
});

describe('awre verify <dir> as a command', () => {
  it('exits 0 on the clean fleet, 1 with a run without its key, 2 on an empty directory or an option a fleet does not take; --json parses', () => {
    expect(awre('verify', runs, '--jobs', '2').status).toBe(0);
    const dir = copy(runs, 'cli-nokey');
    rmSync(join(dir, 'r3', 'attestation.pub.json'));
    const j = awre('verify', dir, '--json');
    expect(j.status).toBe(1);
    expect((JSON.parse(j.stdout) as FleetResult).logs[2]!.findings[0]!.event).toBe('fleet-no-key');
    const empty = join(tmp, 'cli-empty');
    mkdirSync(empty);
    const e = awre('verify', empty);
    expect(e.status).toBe(2);
    expect(e.stderr).toMatch(/no logs to verify/);
    const h = awre('verify', runs, '--html', join(tmp, 'r.html'));
    expect(h.status).toBe(2);
    expect(h.stderr).toMatch(/not --html/);
  });
});
