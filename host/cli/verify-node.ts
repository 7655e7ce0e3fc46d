// `awre verify <dir> --node <identity.pub.json>`: every run of a node in a
// directory (each `<dir>/*/abw34.log`), each verified against the enrolled
// identity, then the runs checked as one history (recorder/chain.ts): a
// deleted, replayed, replaced or rolled-back run is a finding.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { verifyAttestation, verifyIdentity } from '../../recorder/attest.js';
import { chainRuns, type RunSummary } from '../../recorder/chain.js';
import type { NodeIdentity } from '../../recorder/node.js';
import type { Policy } from '../../recorder/policy.js';
import type { Tuple } from '../../recorder/tuple.js';
import { verifyLog, type Finding } from '../../recorder/verify.js';
import { CliFailure, EXIT, readText } from './io.js';

export interface NodeVerifyResult {
  dir: string;
  node: string;
  runs: { path: string; run: number | null; ok: boolean; tuples: number; findings: Finding[] }[];
  /** Findings about the runs as one history. */
  findings: Finding[];
  ok: boolean;
}

/** The run logs under `dir`: `dir/abw34.log` is not one; `dir/<run>/abw34.log` are, sorted by path. */
export function runLogs(dir: string): string[] {
  const logs = readdirSync(dir).sort().map((d) => join(dir, d, 'abw34.log')).filter((p) => existsSync(p) && statSync(p).isFile());
  if (logs.length === 0) throw new CliFailure(EXIT.usage, `${dir}: no run directories with an abw34.log in them`);
  return logs;
}

export function verifyNodeDir(dir: string, node: NodeIdentity, fingerprint: string, policy: Policy | undefined): NodeVerifyResult {
  const runs: NodeVerifyResult['runs'] = [];
  const summaries: RunSummary[] = [];
  for (const path of runLogs(dir)) {
    const text = readText(path, 'log');
    const r = verifyLog(text, { node, verify: verifyAttestation, verifyIdentity, ...(policy ? { policy } : {}) });
    runs.push({ path, run: r.run?.run ?? null, ok: r.ok, tuples: r.tuples, findings: r.findings });
    // Only runs the identity certifies take part in the history; the rest are failures of their own.
    if (!r.run || r.guarantees.certified !== true) continue;
    const lines = text.trimEnd().split('\n');
    const first = JSON.parse(lines[0]!) as Tuple, last = JSON.parse(lines[lines.length - 1]!) as Tuple;
    const finished = lines.some((l) => l.includes('"kind":"halt"')) && last.kind === 'checkpoint';
    summaries.push({
      path, run: r.run.run, prev: r.run.prev, bootT: first.t, lastT: last.t,
      finalNote: finished ? createHash('sha256').update(last.checkpoint!.note).digest('hex') : null,
    });
  }
  const findings = chainRuns(summaries);
  const ok = runs.every((r) => r.ok) && !findings.some((f) => f.severity === 'error');
  return { dir, node: fingerprint, runs, findings, ok };
}

export function renderNodeVerify(r: NodeVerifyResult): string {
  const out = [`${r.dir}: ${r.runs.length} run log(s) of node ${r.node}`];
  for (const x of r.runs) {
    out.push(`  ${x.ok ? 'ok  ' : 'FAIL'} run ${x.run ?? '?'}  ${x.path}  (${x.tuples} tuples)`);
    for (const f of x.findings) out.push(`       ${f.severity === 'error' ? 'FAIL' : 'warn'} ${f.event}${f.seq === null ? '' : ` @${f.seq}`}: ${f.message}`);
  }
  for (const f of r.findings) {
    out.push(`${f.severity === 'error' ? 'FAIL' : 'warn'} ${f.event}: ${f.message}` +
      `${'expected' in f ? `\n     expected: ${JSON.stringify(f.expected)}` : ''}${'got' in f ? `\n     got:      ${JSON.stringify(f.got)}` : ''}`);
  }
  out.push('guarantees:', `  identity-certified: ${r.runs.every((x) => x.ok) ? 'every run' : 'NOT every run'}`,
    `  one unbroken history: ${r.findings.some((f) => f.severity === 'error') ? 'NO' : 'yes (a run withheld after the last one shown cannot be seen without witnesses)'}`);
  out.push(r.ok ? 'OK: every check holds' : `FAILED: ${r.runs.filter((x) => !x.ok).length} run(s) and ${r.findings.filter((f) => f.severity === 'error').length} history finding(s)`);
  return out.join('\n');
}
