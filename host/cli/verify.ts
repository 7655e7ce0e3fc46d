// `awre verify <log> (--node <identity.pub.json> | --key <file>) [--challenge <hex>]
//  [--policy <file>] [--escrow <file> --auditor-key <file>] [--module <file>]
//  [--since <file>] [--json]`: the auditor's check of an ABW34 log.
// The action reads the files, runs the pure verifier (recorder/verify.ts) and,
// with the escrow, the replay (recorder/replay.ts); the text and the --json
// output render the same result object.
import type { Command } from 'commander';
import { verifyAttestation, verifyIdentity } from '../../recorder/attest.js';
import { parseChallenge } from '../../recorder/certificate.js';
import { parseNodeIdentity } from '../../recorder/node.js';
import { openEscrow } from '../../recorder/escrow.js';
import { parseAttestationKey, parseAuditorSecretKey } from '../../recorder/keys.js';
import { parsePolicy } from '../../recorder/policy.js';
import { replayLog } from '../../recorder/replay.js';
import type { VerifyReport } from '../../recorder/verify.js';
import { verifyFile } from '../../recorder/verify-file.js';
import { renderHtml } from '../../recorder/html.js';
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fleetCommand } from './verify-fleet.js';
import { isRemoteLog, runVerifyRemote } from './verify-remote.js';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ml_dsa44 } from '../mldsa.js';
import { parseTlogPolicy } from '../../recorder/tlog-policy.js';
import { fingerprint } from '../../recorder/node.js';
import { CliFailure, EXIT, parseWith, readBytes, readText } from './io.js';
import { renderNodeVerify, verifyNodeDir } from './verify-node.js';

export interface VerifyArgs {
  log: string;
  key?: string;
  node?: string;
  challenge?: string;
  /** A C2SP tlog-policy file: the witnesses and the quorum the final checkpoint needs. */
  witnesses?: string;
  /** The final checkpoint with its cosignatures (default: checkpoint.txt beside the log). */
  cosigned?: string;
  policy?: string;
  escrow?: string;
  auditorKey?: string;
  module?: string;
  since?: string;
  json?: boolean;
  /** Worker threads hashing the log ('auto': up to two for logs of 64 MiB and more, none below). */
  workers?: string;
  /** Write the HTML report here. */
  html?: string;
}

export interface VerifyResult extends VerifyReport {
  log: string;
  replayed: boolean;
}

export async function runVerify(a: VerifyArgs): Promise<VerifyResult> {
  if ((a.escrow === undefined) !== (a.auditorKey === undefined)) throw new CliFailure(EXIT.usage, '--escrow and --auditor-key go together');
  if (a.module !== undefined && a.escrow === undefined) throw new CliFailure(EXIT.usage, '--module: only a replay (--escrow, --auditor-key) runs a module');
  const key = a.key === undefined ? undefined : parseWith(() => parseAttestationKey(readText(a.key!, 'attestation key')), '--key');
  const node = a.node === undefined ? undefined : parseWith(() => parseNodeIdentity(readText(a.node!, 'node identity')), '--node');
  const challenge = a.challenge === undefined ? undefined : parseWith(() => parseChallenge(a.challenge!), '--challenge');
  if (a.cosigned !== undefined && a.witnesses === undefined) throw new CliFailure(EXIT.usage, '--cosigned: give the witness policy too (--witnesses)');
  const witnessPolicy = a.witnesses === undefined ? undefined : parseWith(() => parseTlogPolicy(readText(a.witnesses!, 'witness policy')), '--witnesses');
  const cosignedPath = a.cosigned ?? join(dirname(a.log), 'checkpoint.txt');
  const cosigned = witnessPolicy === undefined ? undefined : existsSync(cosignedPath) || a.cosigned !== undefined ? readText(cosignedPath, 'cosigned checkpoint') : undefined;
  const policy = a.policy === undefined ? undefined : parseWith(() => parsePolicy(readText(a.policy!, 'policy')), '--policy');
  if (a.key === undefined && a.node === undefined && policy?.nodes === undefined) {
    throw new CliFailure(EXIT.usage, 'say whose log it is: --node <identity.pub.json> (the enrolled node), a --policy listing the enrolled nodes, or --key <file> (a run\'s attestation key)');
  }
  if (a.challenge !== undefined && a.node === undefined && policy?.nodes === undefined) throw new CliFailure(EXIT.usage, '--challenge: only a run certified by an enrolled node proves freshness: give --node (or a --policy listing nodes)');
  const since = a.since === undefined ? undefined : readText(a.since, 'checkpoint');
  const workers = workerCount(a.workers, a.log);
  let report: VerifyReport;
  try {
    report = await verifyFile(a.log, { workers,
    ...(key ? { key: key.publicKey, keyName: key.name } : {}), ...(node ? { node } : {}), ...(challenge === undefined ? {} : { challenge }),
    verify: verifyAttestation, verifyIdentity, ...(policy ? { policy } : {}), ...(since === undefined ? {} : { since }),
    ...(witnessPolicy ? { witnessPolicy, verifyCosignature: (sig: Uint8Array, m: Uint8Array, k: Uint8Array) => ml_dsa44.verify(sig, m, k), ...(cosigned === undefined ? {} : { cosigned }) } : {}),
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== undefined) throw new CliFailure(EXIT.io, `cannot read log ${a.log}: ${code}`);
    throw e;
  }
  let replayed = false;
  if (a.escrow !== undefined) {
    // The replay works on the whole log in memory (recorder/replay.ts): only with --escrow is it read so.
    const text = readText(a.log, 'log');
    // Read before the try: a file that cannot be read is an I/O error (exit 3), not a finding.
    const escrowText = readText(a.escrow, 'escrow');
    const sk = parseWith(() => parseAuditorSecretKey(readText(a.auditorKey!, 'auditor key')), '--auditor-key');
    let escrow;
    try {
      escrow = openEscrow(escrowText, sk, a.escrow);
    } catch (e) {
      report.findings.push({ event: 'escrow-invalid', severity: 'error', seq: null, message: (e as Error).message });
    } finally {
      sk.fill(0);
    }
    if (escrow) {
      const module = a.module === undefined ? undefined : readBytes(a.module, 'module');
      // The key the replay uses: the one given, else the one the (verified) certificate names.
      const cert = text.split('\n').map((l) => { try { return JSON.parse(l) as { kind?: string; certificate?: { cert?: { attestationKey?: string } } }; } catch { return undefined; } })
        .find((t) => t?.kind === 'certificate')?.certificate?.cert?.attestationKey;
      const replayKey = key?.publicKey ?? (cert ? new Uint8Array(Buffer.from(cert, 'base64')) : new Uint8Array(0));
      report.findings.push(...(await replayLog(text, escrow, { key: replayKey, ...(module ? { module } : {}) })));
      replayed = true;
    }
  }
  report.ok = !report.findings.some((f) => f.severity === 'error');
  return { ...report, log: a.log, replayed };
}

/** --workers: a count, or 'auto' (the default): none for a small log, else up to two (hashing beside checking). */
function workerCount(w: string | undefined, log: string): number {
  if (w === undefined || w === 'auto') {
    let size = 0;
    try { size = statSync(log).size; } catch { /* reported when the log is read */ }
    return size >= 64 << 20 ? Math.min(2, Math.max(availableParallelism() - 1, 1)) : 0;
  }
  const n = Number(w);
  if (!(Number.isSafeInteger(n) && n >= 0 && n <= 64)) throw new CliFailure(EXIT.usage, `--workers: expected an integer in [0, 64] or auto, got ${w}`);
  return n;
}

/** The report as JSON: everything but the statistics the HTML report draws (--html). */
export function reportJson(r: VerifyResult): string {
  const { stats: _stats, ...rest } = r;
  return JSON.stringify(rest, null, 2);
}

function isDirectory(p: string): boolean {
  try { return statSync(p).isDirectory(); } catch { return false; }
}

export function renderVerify(r: VerifyResult): string {
  const out = [
    `${r.log}: ${r.tuples} tuples, ${r.checkpoints} checkpoints, verified through size ${r.verifiedSize}${r.root ? ` (root ${r.root})` : ''}`,
    r.profile ? `profile: module ${r.profile.module}, ABI ${r.profile.abi}, MMU ${r.profile.mmu}, awre ${r.profile.awre}` : 'profile: none',
    `replay from the escrow: ${r.replayed ? 'done' : r.findings.some((f) => f.event === 'escrow-invalid') ? 'failed: the escrow did not open' : 'not asked (--escrow, --auditor-key)'}`,
  ];
  for (const f of r.findings) {
    out.push(`${f.severity === 'error' ? 'FAIL' : 'warn'} ${f.event}${f.seq === null ? '' : ` @${f.seq}`}: ${f.message}` +
      `${'expected' in f ? `\n     expected: ${JSON.stringify(f.expected)}` : ''}${'got' in f ? `\n     got:      ${JSON.stringify(f.got)}` : ''}`);
  }
  for (const [event, n] of Object.entries(r.suppressed ?? {})) out.push(`     … and ${n} more ${event} finding(s), not listed`);
  const said = (v: boolean | null, yes: string, no: string, ask: string) => (v === null ? `not asked (${ask})` : v ? yes : no);
  out.push(
    'guarantees:',
    `  identity-certified: ${said(r.guarantees.certified, `yes, run ${r.run?.run} of node ${r.run?.node.slice(0, 16)}…${r.run?.prev ? ` (after run ${r.run.prev.run})` : ' (its first run)'}`, 'NO', '--node')}`,
    `  witnessed: ${r.guarantees.witnessed === null ? 'not asked (--witnesses)' : `${r.guarantees.witnessed.quorum ? 'yes' : 'NO'}, by ${r.guarantees.witnessed.by.length} of ${r.guarantees.witnessed.of} (${r.guarantees.witnessed.by.join(', ') || 'none'})`}`,
    `  fresh for the challenge: ${said(r.guarantees.fresh, 'yes', 'NO', '--challenge')}`,
    `  replayed: ${r.replayed ? (r.findings.some((f) => f.event.startsWith('replay-') || f.event.startsWith('escrow-')) ? 'NO' : 'yes, bit for bit') : 'not asked (--escrow, --auditor-key)'}`,
  );
  out.push(r.ok ? 'OK: every check holds' : `FAILED: ${r.findings.filter((f) => f.severity === 'error').length} finding(s)`);
  return out.join('\n');
}

export function registerVerify(program: Command, done: (code: number) => void): void {
  program.command('verify')
    .description('verify ABW34 logs, streaming (any size): canonical tuples, chain, checkpoints and signatures, policy, page tables, entropy; with the escrow, a bit-for-bit replay; a directory of runs as a fleet; a published log by URL')
    .argument('<log>', 'the ABW34 log (a file; or an http(s) URL of a log published with awre publish); a directory: a fleet of runs (<dir>/*/abw34.log) or of nodes\' runs, or with --node one node\'s runs as a history')
    .option('--node <file>', 'the node identity the auditor enrolled (identity.pub.json from awre init): the run must be certified by it')
    .option('--key <file>', 'a run\'s attestation public key (awre-attestation-key JSON); optional with --node')
    .option('--challenge <hex>', 'the challenge given to awre run --challenge: the run certificate must carry it')
    .option('--witnesses <file>', 'a C2SP tlog-policy (witnesses, quorum): the final checkpoint must carry the quorum\'s cosignatures')
    .option('--cosigned <file>', 'the final checkpoint with its cosignatures (default: checkpoint.txt beside the log)')
    .option('--policy <file>', 'a policy file (docs/abw34.md)')
    .option('--escrow <file>', 'the escrow written beside the log')
    .option('--auditor-key <file>', 'the auditor secret key (awre keygen --auditor)')
    .option('--module <file>', 'replay with this instrumented module instead of the installed one')
    .option('--since <file>', 'an earlier checkpoint (signed note) the log must extend')
    .option('--json', 'print the result as JSON')
    .option('--html <file>', 'also write a self-contained HTML report: verdict, timeline, page tables, entropy, findings')
    .option('--workers <n>', 'worker threads hashing the log while this one checks it (0: none; auto: two for logs of 64 MiB or more)', 'auto')
    .option('--jobs <n>', 'a directory of runs or nodes: logs verified at once (default: the number of CPUs)')
    .option('--timeout <ms>', 'a published log (http/https URL): per-request timeout in ms (default 10000)')
    .option('--retries <n>', 'a published log: retries after a failed request (default 2)')
    .action(async (log: string, o: Omit<VerifyArgs, 'log'> & { jobs?: string; timeout?: string; retries?: string }) => {
      if (isRemoteLog(log)) {
        const { workers: _w, html, timeout, retries, jobs, ...rest } = o;
        if (jobs !== undefined) throw new CliFailure(EXIT.usage, '--jobs: only for a directory of runs or nodes');
        const num = (v: string | undefined, name: string, min: number) => {
          if (v === undefined) return undefined;
          const n = Number(v);
          if (!(Number.isSafeInteger(n) && n >= min && n <= 1e9)) throw new CliFailure(EXIT.usage, `--${name}: expected an integer >= ${min}, got ${v}`);
          return n;
        };
        const t = num(timeout, 'timeout', 1);
        const rt = num(retries, 'retries', 0);
        const r = await runVerifyRemote(log, { ...rest, ...(t === undefined ? {} : { timeoutMs: t }), ...(rt === undefined ? {} : { retries: rt }) });
        finish(r, o.json, html, done);
        return;
      }
      if (o.timeout !== undefined || o.retries !== undefined) throw new CliFailure(EXIT.usage, '--timeout, --retries: only for a published log (an http or https URL)');
      if (isDirectory(log) && o.node === undefined) {
        const { workers: _w, ...fleet } = o;
        done(await fleetCommand(log, fleet));
        return;
      }
      if (o.jobs !== undefined) throw new CliFailure(EXIT.usage, '--jobs: only for a directory of runs or nodes');
      if (isDirectory(log)) {
        // A directory of a node's runs (--node): each against the identity, then the runs as one history.
        // Allowed options, listed: anything else would be silently ignored for a directory.
        const extra = Object.keys(o).filter((k) => !['node', 'policy', 'witnesses', 'json', 'workers'].includes(k));
        if (extra.length) throw new CliFailure(EXIT.usage, `a directory of runs takes --node, --policy, --witnesses and --json only (not --${extra[0]!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)})`);
        const node = parseWith(() => parseNodeIdentity(readText(o.node!, 'node identity')), '--node');
        const policy = o.policy === undefined ? undefined : parseWith(() => parsePolicy(readText(o.policy!, 'policy')), '--policy');
        const witnesses = o.witnesses === undefined ? undefined : parseWith(() => parseTlogPolicy(readText(o.witnesses!, 'witness policy')), '--witnesses');
        const r = verifyNodeDir(log, node, fingerprint(node.publicKey), policy, witnesses);
        console.log(o.json ? JSON.stringify(r, null, 2) : renderNodeVerify(r));
        done(r.ok ? EXIT.ok : EXIT.failed);
        return;
      }
      const r = await runVerify({ ...o, log });
      finish(r, o.json, o.html, done);
    });
}

/** Print the result (text or JSON), write the HTML report if asked, and end with the verdict's exit code. */
function finish(r: VerifyResult, json: boolean | undefined, html: string | undefined, done: (code: number) => void): void {
  if (html !== undefined) {
    try {
      writeFileSync(html, renderHtml(r));
    } catch (e) {
      throw new CliFailure(EXIT.io, `cannot write the HTML report ${html}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  console.log(json ? reportJson(r) : renderVerify(r));
  done(r.ok ? EXIT.ok : EXIT.failed);
}
