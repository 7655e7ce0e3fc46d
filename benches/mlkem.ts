// Suite "mlkem": FIPS 203 ML-KEM keygen / encapsulate / decapsulate for the
// three parameter sets, awre side by side with @noble/post-quantum (pure JS)
// and liboqs compiled to wasm (@oqs/liboqs-js), all in this one process.
//
// Before timing, each peer is checked against awre once: noble must produce
// the same bytes from the same seeds; liboqs must interoperate both ways.
// A peer that disagrees gets no ratios (and the run exits with code 1).
//
// What each timed call does (the same work for all three):
//   keygen       fresh random 64-byte seed, then KeyGen      (awre/noble: keygen())
//   encapsulate  fresh random 32-byte message, then Encaps   (awre/noble: encapsulate(pk))
//   decapsulate  Decaps of one fixed ciphertext               (decapsulate(ct, sk))
// The public key, secret key and ciphertext are fixed and prepared before
// timing; they are the same bytes for all three implementations.
import { relative } from 'node:path';
import { ml_kem512 as noble512, ml_kem768 as noble768, ml_kem1024 as noble1024 } from '@noble/post-quantum/ml-kem.js';
import { liboqsVersion, loadLiboqs, type OqsKem } from './lib/peers.js';
import { defaultEnclave, ml_kem512, ml_kem768, ml_kem1024, moduleDigest, modulePath, readModule } from '../host/index.js';
import { bytes, equal, flipped, verdict } from './lib/checks.js';
import { machineInfo, machineLine, type MachineInfo } from './lib/machine.js';
import { measure, roundFigures, ROUND_METHOD, type Group, type Measured } from './lib/measure.js';
import { pairedRatio } from './lib/stats.js';
import { ownVersion, packageRoot, packageVersion } from './lib/results.js';
import { fmtOps, fmtPct, fmtRatio, renderTable } from './lib/table.js';
import type { Suite, SuiteOptions, SuiteReport } from './lib/suite.js';

/** The noble-shaped API, shared by awre and @noble/post-quantum. */
interface NobleKem {
  keygen(seed?: Uint8Array): { publicKey: Uint8Array; secretKey: Uint8Array };
  getPublicKey(secretKey: Uint8Array): Uint8Array;
  encapsulate(publicKey: Uint8Array, msg?: Uint8Array): { cipherText: Uint8Array; sharedSecret: Uint8Array };
  decapsulate(cipherText: Uint8Array, secretKey: Uint8Array): Uint8Array;
}

interface Param { name: string; awre: NobleKem; noble: NobleKem; liboqs: OqsKem }

const IMPLS = ['awre', 'noble', 'liboqs'] as const;
type Impl = (typeof IMPLS)[number];
type Peer = Exclude<Impl, 'awre'>;
const OPS = ['keygen', 'encapsulate', 'decapsulate'] as const;
const LABEL: Record<Impl, string> = { awre: 'awre', noble: 'noble', liboqs: 'liboqs-wasm' };

/** Reported, not asserted: awre vs each peer on ML-KEM-768, every operation. */
const TARGET_PARAM = 'ML-KEM-768';
const TARGETS: Record<Peer, number> = { liboqs: 2, noble: 12 };

const FULL = { rounds: 7, timeMs: 200, warmupMs: 50 };
const QUICK = { rounds: 2, timeMs: 40, warmupMs: 20 };

// ---------------------------------------------------------------- checks

interface Check { param: string; peer: Peer; name: string; ok: boolean; detail?: string }

/** Runs one check: `body` returns undefined when fine, else what differed. */
function check(param: string, peer: Peer, name: string, body: () => string | undefined): Check {
  return { param, peer, name, ...verdict(body) };
}

function differences(pairs: Record<string, [Uint8Array, Uint8Array]>): string | undefined {
  const bad = Object.entries(pairs).filter(([, [a, b]]) => !equal(a, b)).map(([k]) => k);
  return bad.length === 0 ? undefined : `differs: ${bad.join(', ')}`;
}

function verify(p: Param): Check[] {
  const { awre, noble, liboqs } = p;
  const checks: Check[] = [];
  for (const tag of [1, 2, 3]) {
    checks.push(check(p.name, 'noble', `same bytes as awre from seed #${tag}`, () => {
      const seed = bytes(64, tag), msg = bytes(32, tag + 100);
      const a = awre.keygen(seed), n = noble.keygen(seed);
      const ae = awre.encapsulate(a.publicKey, msg), ne = noble.encapsulate(n.publicKey, msg);
      const bad = flipped(ae.cipherText);
      return differences({
        publicKey: [a.publicKey, n.publicKey],
        secretKey: [a.secretKey, n.secretKey],
        cipherText: [ae.cipherText, ne.cipherText],
        sharedSecret: [ae.sharedSecret, ne.sharedSecret],
        'decapsulate (awre)': [awre.decapsulate(ae.cipherText, a.secretKey), ae.sharedSecret],
        'decapsulate (noble)': [noble.decapsulate(ae.cipherText, a.secretKey), ae.sharedSecret],
        'implicit rejection': [awre.decapsulate(bad, a.secretKey), noble.decapsulate(bad, a.secretKey)],
      });
    }));
  }
  checks.push(check(p.name, 'liboqs', 'liboqs keys and ciphertext decapsulate with awre', () => {
    const k = liboqs.generateKeyPair();
    const e = liboqs.encapsulate(k.publicKey);
    const bad = flipped(e.ciphertext);
    return differences({
      'awre.decapsulate': [awre.decapsulate(e.ciphertext, k.secretKey), e.sharedSecret],
      'awre.getPublicKey': [awre.getPublicKey(k.secretKey), k.publicKey],
      'implicit rejection': [awre.decapsulate(bad, k.secretKey), liboqs.decapsulate(bad, k.secretKey)],
    });
  }));
  checks.push(check(p.name, 'liboqs', 'awre keys and ciphertext decapsulate with liboqs', () => {
    const k = awre.keygen(bytes(64, 9));
    const e = awre.encapsulate(k.publicKey, bytes(32, 10));
    return differences({ 'liboqs.decapsulate': [liboqs.decapsulate(e.cipherText, k.secretKey), e.sharedSecret] });
  }));
  checks.push(check(p.name, 'liboqs', 'each encapsulates to the other\'s key', () => {
    const a = awre.keygen(), o = liboqs.generateKeyPair();
    const toAwre = liboqs.encapsulate(a.publicKey), toOqs = awre.encapsulate(o.publicKey);
    return differences({
      'liboqs -> awre': [awre.decapsulate(toAwre.ciphertext, a.secretKey), toAwre.sharedSecret],
      'awre -> liboqs': [liboqs.decapsulate(toOqs.cipherText, o.secretKey), toOqs.sharedSecret],
    });
  }));
  return checks;
}

// ---------------------------------------------------------------- timing

function groups(p: Param): Group[] {
  const { awre, noble, liboqs } = p;
  const key = awre.keygen(bytes(64, 42));
  const ct = awre.encapsulate(key.publicKey, bytes(32, 43)).cipherText;
  const { publicKey: pk, secretKey: sk } = key;
  return [
    { id: `${p.name} keygen`, impls: { awre: () => awre.keygen(), noble: () => noble.keygen(), liboqs: () => liboqs.generateKeyPair() } },
    { id: `${p.name} encapsulate`, impls: { awre: () => awre.encapsulate(pk), noble: () => noble.encapsulate(pk), liboqs: () => liboqs.encapsulate(pk) } },
    { id: `${p.name} decapsulate`, impls: { awre: () => awre.decapsulate(ct, sk), noble: () => noble.decapsulate(ct, sk), liboqs: () => liboqs.decapsulate(ct, sk) } },
  ];
}

// ---------------------------------------------------------------- report

interface Row {
  param: string;
  op: (typeof OPS)[number];
  opsPerSec: Record<Impl, number>;
  /** awre ops/s divided by the peer's; null when the peer failed its checks. */
  ratio: Record<Peer, number | null>;
  /** Median over rounds of awre / peer within each round (stats.ts pairedRatio): the figure the targets are judged on. */
  paired: Record<Peer, number | null>;
  samples: Record<Impl, Measured>;
}

interface Target { param: string; op: string; peer: Peer; target: number; ratio: number | null; ratioOfMedians: number | null; met: boolean | null }

interface Report {
  cfg: typeof FULL;
  rows: Row[];
  targets: Target[];
  checks: Check[];
  enclave: { path: string; bytes: number; sha256: string };
  machine: MachineInfo;
  versions: Record<string, string>;
}

function render({ cfg, rows, targets, checks, enclave, machine, versions }: Report): string {
  const table = renderTable(
    ['parameter set', 'operation', 'awre ops/s', 'noble ops/s', 'liboqs-wasm ops/s', 'awre/noble', 'awre/liboqs'],
    rows.map((r) => [
      r.param, r.op, ...IMPLS.map((i) => fmtOps(r.opsPerSec[i])),
      ...(['noble', 'liboqs'] as const).map((p) => { const x = r.ratio[p]; return x === null ? 'n/a' : fmtRatio(x); }),
    ]),
    ['left', 'left'],
  );
  let worst = { spread: 0, where: '' };
  for (const r of rows) for (const i of IMPLS) {
    if (r.samples[i].spread > worst.spread) worst = { spread: r.samples[i].spread, where: `${r.param} ${r.op}, ${LABEL[i]}` };
  }
  const out = [
    `ML-KEM ops/s = 1 / median latency, median of ${cfg.rounds} rounds x ${cfg.timeMs} ms per task (${cfg.warmupMs} ms warm-up each); one process, implementations interleaved`,
    '',
    table,
    '',
    `largest round-to-round spread (max-min)/median: ${fmtPct(worst.spread)} (${worst.where})`,
    '',
    `targets for ${TARGET_PARAM}, on the paired ratio (median over rounds of awre / peer within the round; reported, not asserted):`,
  ];
  for (const t of targets) {
    const got = t.ratio === null ? 'n/a' : fmtRatio(t.ratio);
    const verdict = t.met === null ? 'not evaluated (peer failed checks)' : t.met ? 'met' : 'NOT MET';
    const ofMedians = t.ratioOfMedians === null ? 'n/a' : fmtRatio(t.ratioOfMedians);
    out.push(`  ${t.op.padEnd(12)} awre >= ${String(t.target).padStart(2)}x ${LABEL[t.peer].padEnd(11)}  got ${got.padStart(7)}  ${verdict.padEnd(7)}  (ratio of medians ${ofMedians})`);
  }
  out.push(
    '',
    `enclave: ${enclave.path}, ${enclave.bytes} bytes, sha256 ${enclave.sha256}`,
    `machine: ${machineLine(machine)}`,
    `versions: ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(', ')}`,
  );
  const failed = checks.filter((c) => !c.ok);
  if (failed.length === 0) out.push(`correctness: all ${checks.length} cross-checks passed (noble: same bytes from the same seeds; liboqs: interoperates both ways)`);
  else {
    out.push(`correctness: ${failed.length} of ${checks.length} cross-checks FAILED; ratios against the failing peer are withheld:`);
    for (const c of failed) out.push(`  ${c.param} ${LABEL[c.peer]}: ${c.name}: ${c.detail}`);
  }
  return out.join('\n');
}

async function run({ quick, log }: SuiteOptions): Promise<SuiteReport> {
  const cfg = quick ? QUICK : FULL;
  const startedAt = new Date();
  const oqs = await loadLiboqs(log);
  const [oqs512, oqs768, oqs1024] = await Promise.all([oqs.createMLKEM512(), oqs.createMLKEM768(), oqs.createMLKEM1024()]);
  const params: Param[] = [
    { name: 'ML-KEM-512', awre: ml_kem512, noble: noble512, liboqs: oqs512 },
    { name: 'ML-KEM-768', awre: ml_kem768, noble: noble768, liboqs: oqs768 },
    { name: 'ML-KEM-1024', awre: ml_kem1024, noble: noble1024, liboqs: oqs1024 },
  ];
  try {
    // The module as read now is the one awre loads (first use is in verify);
    // checked below in case build/enclave.wasm is rebuilt during the run.
    const wasm = readModule();
    const enclave = { path: relative(packageRoot(), modulePath()), bytes: wasm.length, sha256: moduleDigest(wasm) };
    log('mlkem: cross-checking awre against noble and liboqs');
    const checks = params.flatMap(verify);
    const failed = checks.filter((c) => !c.ok);
    if (defaultEnclave().digest !== enclave.sha256) {
      throw new Error(`${enclave.path} changed on disk while loading (loaded ${defaultEnclave().digest}); run again`);
    }
    const peerOk = (peer: Peer) => !failed.some((c) => c.peer === peer);

    const est = Math.ceil((params.length * OPS.length * IMPLS.length * cfg.rounds * (cfg.timeMs + cfg.warmupMs)) / 1000);
    log(`mlkem: timing ${params.length * OPS.length} operations x ${IMPLS.length} implementations, ${cfg.rounds} rounds (about ${est} s)`);
    const m = measure(params.flatMap(groups), { ...cfg, log: (s) => log(`mlkem: ${s}`) });

    const rows: Row[] = params.flatMap((p) => OPS.map((op): Row => {
      const g = m[`${p.name} ${op}`]!;
      const samples = { awre: g['awre']!, noble: g['noble']!, liboqs: g['liboqs']! };
      const ops = { awre: samples.awre.opsPerSec, noble: samples.noble.opsPerSec, liboqs: samples.liboqs.opsPerSec };
      const ratio = (peer: Peer) => (peerOk(peer) ? ops.awre / ops[peer] : null);
      const paired = (peer: Peer) => (peerOk(peer) ? pairedRatio(roundFigures(samples.awre), roundFigures(samples[peer])) : null);
      return { param: p.name, op, opsPerSec: ops, ratio: { noble: ratio('noble'), liboqs: ratio('liboqs') }, paired: { noble: paired('noble'), liboqs: paired('liboqs') }, samples };
    }));
    const targets = rows.filter((r) => r.param === TARGET_PARAM).flatMap((r) =>
      (['liboqs', 'noble'] as const).map((peer): Target => {
        const ratio = r.paired[peer];
        return { param: r.param, op: r.op, peer, target: TARGETS[peer], ratio, ratioOfMedians: r.ratio[peer], met: ratio === null ? null : ratio >= TARGETS[peer] };
      }));

    const report: Report = {
      cfg, rows, targets, checks, enclave,
      machine: machineInfo(),
      versions: {
        awre: ownVersion(),
        '@noble/post-quantum': packageVersion('@noble/post-quantum'),
        '@oqs/liboqs-js': liboqsVersion(),
        tinybench: packageVersion('tinybench'),
      },
    };
    const data = {
      suite: 'mlkem',
      quick,
      ok: failed.length === 0,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      method: {
        ...cfg,
        statistic: 'opsPerSec: median over rounds of 1000 / (tinybench median latency in ms); meanOpsPerSec: median over rounds of iterations / summed latency',
        ...ROUND_METHOD,
        inputs: 'keygen and encapsulate draw fresh randomness per call (liboqs does so internally); decapsulate uses one fixed key pair and ciphertext shared by all implementations',
      },
      machine: report.machine,
      versions: report.versions,
      enclave: report.enclave,
      checks,
      results: rows,
      targets,
    };
    return { data, text: render(report), ok: data.ok };
  } finally {
    for (const p of params) p.liboqs.destroy();
  }
}

export const suite: Suite = {
  name: 'mlkem',
  description: 'ML-KEM-512/768/1024 keygen, encapsulate, decapsulate: awre vs @noble/post-quantum vs liboqs (wasm)',
  run,
};
