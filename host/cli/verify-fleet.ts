// `awre verify <dir>` without --node: a fleet of logs verified in parallel.
// <dir> holds runs (<dir>/<run>/abw34.log, each beside its
// attestation.pub.json) or nodes (<dir>/<node>/<run>/abw34.log, with the
// node's identity.pub.json in <dir>/<node> when it has one: its runs are then
// verified against the identity and checked as one history, as --node does).
// Logs go to --jobs worker threads (recorder/fleet-worker.ts), one log per
// worker at a time. One result object; the text and the --json output both
// render it. A log that cannot be read, or has no key to check it with, is a
// failing entry with a finding of its own: the fleet never stops on one log.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SingleBar } from 'cli-progress';
import { chainRuns, type RunSummary } from '../../recorder/chain.js';
import type { FleetAnswer, FleetEdges, FleetJob, FleetReport } from '../../recorder/fleet-worker.js';
import { parseAttestationKey } from '../../recorder/keys.js';
import { fingerprint, parseNodeIdentity, type NodeIdentity } from '../../recorder/node.js';
import { parsePolicy, type Policy } from '../../recorder/policy.js';
import { parseTlogPolicy } from '../../recorder/tlog-policy.js';
import type { Finding } from '../../recorder/verify.js';
import { CliFailure, EXIT, parseWith, readText } from './io.js';

export interface FleetOptions {
  /** A policy file (docs/abw34.md) applied to every log; its `nodes` can stand in for missing key files. */
  policy?: string;
  /** A C2SP tlog-policy: each run's checkpoint.txt must carry the quorum's cosignatures. */
  witnesses?: string;
  json?: boolean;
  /** Logs verified at once (worker threads); default: the number of CPUs. */
  jobs?: number;
  /** Show the progress bar (default: when stderr is a terminal and not --json). */
  progress?: boolean;
}

export interface FleetLog {
  /** The run directory, relative to the fleet directory. */
  name: string;
  path: string;
  /** The node directory (relative) whose identity checked it, or null. */
  node: string | null;
  /** What the log was checked against. */
  by: 'node identity' | 'attestation key' | 'policy nodes' | 'nothing';
  ok: boolean;
  tuples: number;
  checkpoints: number;
  bytes: number;
  errors: number;
  /** The error finding earliest in the log. */
  firstFailing: { event: string; seq: number | null } | null;
  seconds: number;
  tuplesPerSec: number;
  /** The verifier's report as `awre verify --json` prints it (null when the log could not be verified at all: its fleet finding is in `findings`). */
  report: FleetReport | null;
  findings: Finding[];
}

export interface FleetNode {
  name: string;
  identity: string;
  fingerprint: string | null;
  runs: number;
  /** Findings about the runs as one history (recorder/chain.ts), or about the identity file. */
  findings: Finding[];
}

export interface FleetResult {
  dir: string;
  jobs: number;
  logs: FleetLog[];
  nodes: FleetNode[];
  totals: { logs: number; passed: number; failed: number; tuples: number; bytes: number; seconds: number; tuplesPerSec: number };
  ok: boolean;
}

// ---- finding the logs ------------------------------------------------------------------

interface Group { name: string; dir: string; identityPath: string | null; runs: string[] }

const LOG = 'abw34.log', KEY = 'attestation.pub.json', IDENTITY = 'identity.pub.json';

function isDir(p: string): boolean {
  try { return statSync(p).isDirectory(); } catch { return false; }
}

/** Subdirectories of `dir` holding an abw34.log (of any type: one that cannot be read is a finding later). */
function runDirs(dir: string): string[] {
  let names: string[];
  try { names = readdirSync(dir).sort(); } catch { return []; }
  return names.map((n) => join(dir, n)).filter((p) => isDir(p) && existsSync(join(p, LOG)));
}

/** The runs directly under `dir` form one group (the directory's own identity, if any); each other subdirectory with runs is a node. */
function discover(dir: string): Group[] {
  const groups: Group[] = [];
  const own = runDirs(dir);
  const identity = (d: string) => (existsSync(join(d, IDENTITY)) ? join(d, IDENTITY) : null);
  if (own.length) groups.push({ name: '.', dir, identityPath: identity(dir), runs: own });
  for (const n of readdirSync(dir).sort()) {
    const sub = join(dir, n);
    if (!isDir(sub) || existsSync(join(sub, LOG))) continue;
    const runs = runDirs(sub);
    if (runs.length) groups.push({ name: n, dir: sub, identityPath: identity(sub), runs });
  }
  return groups;
}

// ---- what each log is checked against -----------------------------------------------------

const finding = (event: string, message: string): Finding => ({ event, severity: 'error', seq: null, message });

type Plan = { job: Omit<FleetJob, 'id'>; by: FleetLog['by'] } | { failed: Finding; by: FleetLog['by'] };

function planRun(run: string, node: NodeIdentity | null | Error, policy: Policy | undefined, shared: Pick<FleetJob, 'policyText' | 'witnessText'>): Plan {
  const path = join(run, LOG);
  const base = { path, ...shared, ...(shared.witnessText === undefined ? {} : { cosignedPath: join(run, 'checkpoint.txt') }) };
  if (node instanceof Error) return { failed: finding('fleet-bad-key', `the node's ${IDENTITY} is not a node identity: ${node.message}`), by: 'node identity' };
  if (node) return { job: { ...base, node }, by: 'node identity' };
  const keyPath = join(run, KEY);
  if (existsSync(keyPath)) {
    try {
      return { job: { ...base, key: parseAttestationKey(readText(keyPath, 'attestation key')) }, by: 'attestation key' };
    } catch (e) {
      return { failed: finding('fleet-bad-key', `${keyPath} is not an attestation key: ${(e as Error).message}`), by: 'attestation key' };
    }
  }
  // Without a key file, a policy listing the enrolled nodes still says whose runs are acceptable.
  if (policy?.nodes) return { job: base, by: 'policy nodes' };
  return { failed: finding('fleet-no-key', `no ${KEY} beside the log and no node ${IDENTITY} above it (nor a --policy listing nodes): nothing to check it against`), by: 'nothing' };
}

function loadIdentity(path: string | null): NodeIdentity | null | Error {
  if (path === null) return null;
  try { return parseNodeIdentity(readText(path, 'node identity')); } catch (e) { return e as Error; }
}

// ---- the worker pool -----------------------------------------------------------------------

/** The compiled worker (tests run the TypeScript sources; the worker always runs from dist/). */
function workerPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const local = join(here, '..', '..', 'recorder', 'fleet-worker.js');
  return existsSync(local) ? local : join(here, '..', '..', 'dist', 'recorder', 'fleet-worker.js');
}

/** Runs one job on a worker; a worker that dies answers with an error and is replaced by the caller. */
function runOn(worker: Worker, job: FleetJob): Promise<FleetAnswer> {
  return new Promise((resolve) => {
    const done = (a: FleetAnswer) => { worker.off('message', onMessage); worker.off('error', onError); worker.off('exit', onExit); resolve(a); };
    const onMessage = (a: FleetAnswer) => { if (a.id === job.id) done(a); };
    const onError = (e: Error) => done({ id: job.id, ok: false, error: `the verifier worker failed: ${e.message}`, code: 'WORKER' });
    const onExit = (c: number) => done({ id: job.id, ok: false, error: `the verifier worker exited (code ${c})`, code: 'WORKER' });
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    worker.postMessage(job);
  });
}

/** `jobs` lanes, each a worker taking the next job when its last one is answered. */
async function runPool(jobs: FleetJob[], lanes: number, onDone: () => void): Promise<Map<number, FleetAnswer>> {
  const answers = new Map<number, FleetAnswer>();
  let next = 0;
  const lane = async () => {
    let worker = new Worker(workerPath());
    try {
      while (next < jobs.length) {
        const job = jobs[next++]!;
        const a = await runOn(worker, job);
        answers.set(job.id, a);
        if (!a.ok && a.code === 'WORKER') { void worker.terminate(); worker = new Worker(workerPath()); }
        onDone();
      }
    } finally {
      await worker.terminate();
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, jobs.length) }, lane));
  return answers;
}

// ---- one entry per log -----------------------------------------------------------------------

function firstFailing(fs: readonly Finding[]): FleetLog['firstFailing'] {
  const errs = fs.filter((f) => f.severity === 'error');
  if (!errs.length) return null;
  const f = errs.reduce((a, b) => ((b.seq ?? Infinity) < (a.seq ?? Infinity) ? b : a));
  return { event: f.event, seq: f.seq };
}

/** A log the worker could not verify: an I/O error (errno code) is unreadable; anything else is the verifier's or the worker's failure. */
function failure(path: string, a: Extract<FleetAnswer, { ok: false }>): Finding {
  if (a.code === 'WORKER') return finding('fleet-worker-error', a.error);
  if (a.code !== null && /^E[A-Z0-9]+$/.test(a.code)) return finding('fleet-unreadable', `cannot read ${path}: ${a.code} (${a.error})`);
  return finding('fleet-verifier-error', `the verifier stopped on ${path}: ${a.error}`);
}

function entry(base: Pick<FleetLog, 'name' | 'path' | 'node' | 'by'>, a: FleetAnswer | Finding): FleetLog {
  if ('event' in a || !a.ok) {
    const f = 'event' in a ? a : failure(base.path, a);
    return { ...base, ok: false, tuples: 0, checkpoints: 0, bytes: 0, errors: 1, firstFailing: { event: f.event, seq: null }, seconds: 0, tuplesPerSec: 0, report: null, findings: [f] };
  }
  const r = a.report;
  const errors = r.findings.filter((f) => f.severity === 'error').length;
  return {
    ...base, ok: r.ok, tuples: r.tuples, checkpoints: r.checkpoints, bytes: r.bytes ?? 0, errors, firstFailing: firstFailing(r.findings),
    seconds: a.seconds, tuplesPerSec: a.seconds > 0 ? r.tuples / a.seconds : 0, report: r, findings: r.findings,
  };
}

function history(runs: { log: FleetLog; edges: FleetEdges | null }[]): Finding[] {
  const summaries: RunSummary[] = [];
  for (const { log, edges } of runs) {
    const run = log.report?.run;
    if (!run || !edges || log.report?.guarantees.certified !== true) continue;
    summaries.push({ path: log.path, run: run.run, prev: run.prev, ...edges });
  }
  return chainRuns(summaries);
}

// ---- the fleet ---------------------------------------------------------------------------------

function readShared(opts: FleetOptions): { policy: Policy | undefined; shared: Pick<FleetJob, 'policyText' | 'witnessText'> } {
  const policyText = opts.policy === undefined ? undefined : readText(opts.policy, 'policy');
  const policy = policyText === undefined ? undefined : parseWith(() => parsePolicy(policyText), '--policy');
  const witnessText = opts.witnesses === undefined ? undefined : readText(opts.witnesses, 'witness policy');
  if (witnessText !== undefined) parseWith(() => parseTlogPolicy(witnessText), '--witnesses');
  return { policy, shared: { ...(policyText === undefined ? {} : { policyText }), ...(witnessText === undefined ? {} : { witnessText }) } };
}

function progressBar(total: number, opts: FleetOptions): SingleBar | undefined {
  const show = opts.progress ?? (!opts.json && process.stderr.isTTY === true);
  if (!show) return undefined;
  const bar = new SingleBar({ format: 'logs [{bar}] {value}/{total} {eta}s left', stream: process.stderr, hideCursor: true });
  bar.start(total, 0);
  return bar;
}

export async function runFleet(dir: string, opts: FleetOptions = {}): Promise<FleetResult> {
  if (!isDir(dir)) throw new CliFailure(EXIT.usage, `${dir}: not a directory`);
  const { policy, shared } = readShared(opts);
  const groups = discover(dir).map((g) => ({ ...g, identity: loadIdentity(g.identityPath) }));
  if (!groups.length) throw new CliFailure(EXIT.usage, `${dir}: no logs to verify: expected runs (${dir}/<run>/${LOG}) or nodes' runs (${dir}/<node>/<run>/${LOG})`);
  const jobs = Math.max(1, opts.jobs ?? availableParallelism());
  const t0 = performance.now();
  const planned = groups.flatMap((g) => g.runs.map((run) => ({
    group: g, plan: planRun(run, g.identity, policy, shared),
    base: { name: relative(dir, run) || '.', path: join(run, LOG), node: g.identityPath ? g.name : null },
  })));
  const work: FleetJob[] = [];
  planned.forEach((p, id) => { if ('job' in p.plan) work.push({ id, ...p.plan.job }); });
  const bar = progressBar(planned.length, opts);
  bar?.increment(planned.length - work.length); // entries that failed before verifying are done already
  const answers = await runPool(work, jobs, () => bar?.increment()).finally(() => bar?.stop());
  const done = planned.map((p, id) => {
    const a = answers.get(id);
    return { group: p.group, log: entry({ ...p.base, by: p.plan.by }, 'failed' in p.plan ? p.plan.failed : a!), edges: a?.ok ? a.edges : null };
  });
  const nodes = groups.filter((g) => g.identityPath !== null).map((g) => nodeEntry(g, g.identity, done.filter((d) => d.group === g)));
  return result(dir, jobs, done.map((d) => d.log), nodes, (performance.now() - t0) / 1000);
}

function nodeEntry(g: Group, id: NodeIdentity | null | Error, runs: { log: FleetLog; edges: FleetEdges | null }[]): FleetNode {
  const base = { name: g.name, identity: g.identityPath!, runs: runs.length };
  if (!id || id instanceof Error) return { ...base, fingerprint: null, findings: [] }; // each run carries fleet-bad-key already
  return { ...base, fingerprint: fingerprint(id.publicKey), findings: history(runs) };
}

function result(dir: string, jobs: number, logs: FleetLog[], nodes: FleetNode[], seconds: number): FleetResult {
  const passed = logs.filter((l) => l.ok).length;
  const tuples = logs.reduce((s, l) => s + l.tuples, 0);
  const bytes = logs.reduce((s, l) => s + l.bytes, 0);
  const ok = passed === logs.length && !nodes.some((n) => n.findings.some((f) => f.severity === 'error'));
  return { dir, jobs, logs, nodes, totals: { logs: logs.length, passed, failed: logs.length - passed, tuples, bytes, seconds, tuplesPerSec: seconds > 0 ? tuples / seconds : 0 }, ok };
}

// ---- text ------------------------------------------------------------------------------------------

function table(header: string[], rows: string[][], right: boolean[]): string[] {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (right[i] ? c.padStart(w[i]!) : c.padEnd(w[i]!))).join('  ').trimEnd();
  return [line(header), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)];
}

function renderFinding(f: Finding, indent: string): string {
  return `${indent}${f.severity === 'error' ? 'FAIL' : 'warn'} ${f.event}${f.seq === null ? '' : ` @${f.seq}`}: ${f.message}` +
    `${'expected' in f ? `\n${indent}     expected: ${JSON.stringify(f.expected)}` : ''}${'got' in f ? `\n${indent}     got:      ${JSON.stringify(f.got)}` : ''}`;
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');

export function renderFleet(r: FleetResult): string {
  const rows = r.logs.map((l) => [
    l.name, int(l.tuples), int(l.checkpoints), l.ok ? 'ok' : 'FAIL', String(l.errors),
    l.firstFailing ? `${l.firstFailing.event}${l.firstFailing.seq === null ? '' : ` @${l.firstFailing.seq}`}` : '-',
    l.seconds.toFixed(2), l.tuplesPerSec ? int(l.tuplesPerSec) : '-',
  ]);
  const out = [`${r.dir}: ${r.logs.length} log(s)${r.nodes.length ? ` of ${r.nodes.length} node(s)` : ''}, ${r.jobs} at a time`, '',
    ...table(['log', 'tuples', 'checkpoints', 'verdict', 'errors', 'first failing', 's', 'tuples/s'], rows, [false, true, true, false, true, false, true, true])];
  for (const l of r.logs.filter((x) => x.findings.length)) {
    out.push('', `${l.name} (${l.path}, checked against: ${l.by}): ${l.ok ? 'ok, with warnings' : 'FAILED'}`, ...l.findings.map((f) => renderFinding(f, '  ')));
    for (const [event, n] of Object.entries(l.report?.suppressed ?? {})) if (n > 0) out.push(`  … and ${int(n)} more ${event}`);
  }
  // Each node's fingerprint, always: the identity came from the directory, the auditor compares it with the enrolled one.
  for (const n of r.nodes) {
    const broken = n.findings.some((f) => f.severity === 'error');
    out.push('', `node ${n.name}: identity ${n.fingerprint ?? `unreadable (${n.identity})`}; its ${n.runs} run(s) as one history: ${n.fingerprint === null ? 'not checked' : broken ? 'BROKEN' : 'ok'}`,
      ...n.findings.map((f) => renderFinding(f, '  ')));
  }
  const t = r.totals;
  out.push('', `total: ${t.logs} log(s), ${t.passed} passed, ${t.failed} failed; ${int(t.tuples)} tuples, ${(t.bytes / 1e6).toFixed(1)} MB in ${t.seconds.toFixed(2)} s (${int(t.tuplesPerSec)} tuples/s)`);
  // A key file beside its log proves the log unedited since it was signed, not who wrote it (docs/trust.md).
  if (r.logs.some((l) => l.by === 'attestation key')) out.push('note: runs checked against the attestation key beside them are proven unedited, not proven to be any enrolled node\'s (give nodes\' identity.pub.json or a --policy listing nodes)');
  if (r.nodes.length) out.push('note: node identities were read from the directory: compare their fingerprints with the ones you enrolled, or give a --policy listing nodes');
  out.push(r.ok ? 'OK: every log verifies' : `FAILED: ${t.failed} log(s)${r.nodes.some((n) => n.findings.some((f) => f.severity === 'error')) ? ' and a broken node history' : ''}`);
  return out.join('\n');
}

// ---- the command ------------------------------------------------------------------------------------

/** Options a fleet takes; anything else given for a directory would be silently ignored, so it is refused. */
const FLEET_OPTIONS = ['policy', 'witnesses', 'json', 'jobs'];

/** `awre verify <dir>` without --node: prints the result and returns the exit code (0 all pass, 1 any fails). */
export async function fleetCommand(dir: string, o: Record<string, unknown>): Promise<number> {
  const extra = Object.keys(o).filter((k) => o[k] !== undefined && !FLEET_OPTIONS.includes(k));
  if (extra.length) throw new CliFailure(EXIT.usage, `a directory of runs or nodes takes --policy, --witnesses, --jobs and --json only (not --${extra[0]!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}); give --node to verify one node's runs as a history`);
  const jobs = o['jobs'] === undefined ? undefined : Number(o['jobs']);
  if (jobs !== undefined && !(Number.isSafeInteger(jobs) && jobs >= 1 && jobs <= 1024)) throw new CliFailure(EXIT.usage, `--jobs: expected an integer in [1, 1024], got ${String(o['jobs'])}`);
  const r = await runFleet(dir, {
    ...(typeof o['policy'] === 'string' ? { policy: o['policy'] } : {}), ...(typeof o['witnesses'] === 'string' ? { witnesses: o['witnesses'] } : {}),
    ...(jobs === undefined ? {} : { jobs }), json: o['json'] === true,
  });
  console.log(o['json'] === true ? JSON.stringify(r, null, 2) : renderFleet(r));
  return r.ok ? EXIT.ok : EXIT.failed;
}
