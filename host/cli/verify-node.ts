// `awre verify <dir> --node <identity.pub.json>`: every run of a node in a
// directory (each `<dir>/*/abw34.log`), each verified against the enrolled
// identity, then the runs checked as one history (recorder/chain.ts): a
// deleted, replayed, replaced or rolled-back run is a finding.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { verifyAttestation, verifyIdentity } from '../../recorder/attest.js';
import { chainRuns, type RunSummary } from '../../recorder/chain.js';
import type { NodeIdentity } from '../../recorder/node.js';
import type { Policy } from '../../recorder/policy.js';
import type { Tuple } from '../../recorder/tuple.js';
import { verifyLog, type Finding } from '../../recorder/verify.js';
import type { TlogPolicy } from '../../recorder/tlog-policy.js';
import { ml_dsa44 } from '../mldsa.js';
import { CliFailure, EXIT, readText } from './io.js';

export interface NodeVerifyResult {
  dir: string;
  node: string;
  runs: { path: string; run: number | null; ok: boolean; tuples: number; witnessed: boolean | null; findings: Finding[] }[];
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

export function verifyNodeDir(dir: string, node: NodeIdentity, fingerprint: string, policy: Policy | undefined, witnessPolicy?: TlogPolicy): NodeVerifyResult {
  const runs: NodeVerifyResult['runs'] = [];
  const summaries: RunSummary[] = [];
  for (const path of runLogs(dir)) {
    const text = readText(path, 'log');
    // With a witness policy, each run's final checkpoint as its witnesses cosigned it (checkpoint.txt beside its log).
    const cosignedPath = join(dirname(path), 'checkpoint.txt');
    const witnessed = witnessPolicy ? {
      witnessPolicy, verifyCosignature: (sig: Uint8Array, m: Uint8Array, k: Uint8Array) => ml_dsa44.verify(sig, m, k),
      ...(existsSync(cosignedPath) ? { cosigned: readText(cosignedPath, 'cosigned checkpoint') } : {}),
    } : {};
    const r = verifyLog(text, { node, verify: verifyAttestation, verifyIdentity, ...(policy ? { policy } : {}), ...witnessed });
    runs.push({ path, run: r.run?.run ?? null, ok: r.ok, tuples: r.tuples, witnessed: r.guarantees.witnessed?.quorum ?? null, findings: r.findings });
    // Only runs the identity certifies take part in the history; the rest are failures of their own.
    if (!r.run || r.guarantees.certified !== true) continue;
    // Lines as verify read them: a torn or malformed line is a finding of that run, never a crash here.
    const tuples = text.trimEnd().split('\n').map((l) => { try { return JSON.parse(l) as Tuple; } catch { return undefined; } });
    const first = tuples[0], last = tuples[tuples.length - 1];
    if (!first || !last) continue;
    const finished = tuples.some((t) => t?.kind === 'halt') && last.kind === 'checkpoint';
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
    `  witnessed: ${r.runs.some((x) => x.witnessed === null) ? 'not asked (--witnesses)' : r.runs.every((x) => x.witnessed) ? 'every run, by the quorum' : 'NOT every run'}`,
    `  one unbroken history: ${r.findings.some((f) => f.severity === 'error') ? 'NO' : 'yes (a run withheld after the last one shown cannot be seen without witnesses)'}`);
  out.push(r.ok ? 'OK: every check holds' : `FAILED: ${r.runs.filter((x) => !x.ok).length} run(s) and ${r.findings.filter((f) => f.severity === 'error').length} history finding(s)`);
  return out.join('\n');
}
