// Suite "mldsa": FIPS 204 ML-DSA keygen / sign / verify for the three
// parameter sets, awre side by side with @noble/post-quantum (pure JS) and
// liboqs compiled to wasm (@oqs/liboqs-js), all in this one process.
//
// Before timing, each peer is checked against awre once: noble must produce
// the same keys from the same seeds and the same signatures from the same
// randomness; liboqs must interoperate both ways (signatures and keys); all
// three must sign hedged by default. A peer that fails gets no ratios (and
// the run exits with code 1).
//
// What each timed call does (the same work for all three):
//   keygen  fresh random 32-byte seed, then KeyGen        (awre/noble: keygen())
//   sign    hedged Sign (fresh 32-byte rnd drawn per call) of a 32-byte message;
//           consecutive calls use different secret keys (a pool of KEYS key
//           pairs, cycled) and different messages (a pool of MESSAGES)
//           (awre/noble: sign(msg, sk), liboqs: sign(msg, sk))
//   verify  Verify of a valid (signature, message, public key); consecutive
//           calls use different keys (one signature per key pair of the pool)
//   sign (1 key), verify (1 key): the same with one fixed key pair
// Why keys rotate: awre's enclave keeps the last A-hat (ExpandA of the public
// rho, FIPS 204 section 3.6) and skips ExpandA when the next operation uses
// the same key; noble and liboqs expand A on every call. The rotating rows
// (the headline, and the targets) compare the full per-call work; the
// "1 key" rows show what the cache gives a signer or verifier that keeps
// using one key. Keys, messages and signatures are prepared before timing
// and are the same bytes for all three implementations. The context string
// is empty (pure ML-DSA, as liboqs' OQS_SIG_sign uses).
//
// Sign's cost varies from call to call (the rejection loop runs a random
// number of times), so its figure is a mean (see benches/lib/measure.ts:
// statistic 'mean') over many calls; keygen and verify use the median latency
// like the mlkem suite.
//
// awre's ML-DSA is imported lazily, so this file compiles and the harness can
// run (`--peers-only`: noble and liboqs alone) before host/index.ts exports
// ml_dsa44/65/87.
import { relative } from 'node:path';
import { ml_dsa44 as noble44, ml_dsa65 as noble65, ml_dsa87 as noble87 } from '@noble/post-quantum/ml-dsa.js';
import { liboqsVersion, loadLiboqs, type Liboqs } from './lib/peers.js';
import { defaultEnclave, moduleDigest, modulePath, readModule } from '../host/index.js';
import { bytes, equal, flipped, verdict } from './lib/checks.js';
import { machineInfo, machineLine, type MachineInfo } from './lib/machine.js';
import { measure, roundFigures, ROUND_METHOD, OUTLIER_FACTOR, type Group, type Measured } from './lib/measure.js';
import { pairedRatio } from './lib/stats.js';
import { ownVersion, packageRoot, packageVersion } from './lib/results.js';
import { fmtOps, fmtPct, fmtRatio, renderTable } from './lib/table.js';
import type { Suite, SuiteOptions, SuiteReport } from './lib/suite.js';

interface KeyPair { publicKey: Uint8Array; secretKey: Uint8Array }

/** The noble-shaped API, shared by awre and @noble/post-quantum. */
interface NobleDsa {
  keygen(seed?: Uint8Array): KeyPair;
  sign(msg: Uint8Array, secretKey: Uint8Array, opts?: { extraEntropy?: Uint8Array | false; context?: Uint8Array }): Uint8Array;
  verify(sig: Uint8Array, msg: Uint8Array, publicKey: Uint8Array, opts?: { context?: Uint8Array }): boolean;
}

type OqsDsa = Awaited<ReturnType<Liboqs['createMLDSA65']>>;

const PARAMS = [
  { name: 'ML-DSA-44', awre: 'ml_dsa44', noble: noble44, liboqs: 'createMLDSA44' },
  { name: 'ML-DSA-65', awre: 'ml_dsa65', noble: noble65, liboqs: 'createMLDSA65' },
  { name: 'ML-DSA-87', awre: 'ml_dsa87', noble: noble87, liboqs: 'createMLDSA87' },
] as const;
type AwreExport = (typeof PARAMS)[number]['awre'];

/** One parameter set; `awre` is absent in a --peers-only run. */
interface Param { name: string; awre?: NobleDsa; noble: NobleDsa; liboqs: OqsDsa }

const IMPLS = ['awre', 'noble', 'liboqs'] as const;
type Impl = (typeof IMPLS)[number];
type Peer = Exclude<Impl, 'awre'>;
const PEERS: readonly Peer[] = ['noble', 'liboqs'];
const OPS = ['keygen', 'sign', 'verify', 'sign (1 key)', 'verify (1 key)'] as const;
type Op = (typeof OPS)[number];
/** The operations the targets apply to: the full work per call (keys rotating). */
const TARGET_OPS: readonly Op[] = ['keygen', 'sign', 'verify'];
const LABEL: Record<Impl, string> = { awre: 'awre', noble: 'noble', liboqs: 'liboqs-wasm' };

/** Reported, not asserted: awre vs each peer on ML-DSA-65, for each of TARGET_OPS. */
const TARGET_PARAM = 'ML-DSA-65';
const TARGETS: Record<Peer, number> = { liboqs: 2, noble: 12 };

/**
 * Sign gets a longer budget: its cost varies per call, and noble signs only
 * ~140/s (ML-DSA-65). The secondary "sign (1 key)" rows get half of it.
 */
const FULL = { rounds: 7, timeMs: 200, warmupMs: 50, signTimeMs: 1000, signWarmupMs: 100, oneKeySignTimeMs: 500, oneKeySignWarmupMs: 50 };
const QUICK = { rounds: 2, timeMs: 40, warmupMs: 20, signTimeMs: 100, signWarmupMs: 20, oneKeySignTimeMs: 60, oneKeySignWarmupMs: 20 };

/** Distinct messages the timed sign calls cycle through. */
const MESSAGES = 256;
const MSG_BYTES = 32;
/** Key pairs the rotating sign and verify calls cycle through: a per-key cache would need this many entries to hit. */
const KEYS = 16;

// ---------------------------------------------------------------- awre

/**
 * awre's ML-DSA, imported lazily: host/index.ts may not export it yet. The
 * module is typed as a loose record here so this file compiles either way.
 */
async function loadAwre(): Promise<Record<AwreExport, NobleDsa>> {
  const host = (await import('../host/index.js')) as unknown as Partial<Record<AwreExport, Partial<NobleDsa>>>;
  const names = PARAMS.map((p) => p.awre);
  const missing = names.filter((n) => !['keygen', 'sign', 'verify'].every((f) => typeof host[n]?.[f as keyof NobleDsa] === 'function'));
  if (missing.length > 0) {
    throw new Error(
      `awre has no ML-DSA yet: ${missing.join(', ')} missing from host/index.ts (or lacking keygen/sign/verify). ` +
      'Once it is exported, rebuild dist/ (npx tsc -p tsconfig.json); meanwhile `npm run bench -- mldsa --peers-only` times noble and liboqs alone.',
    );
  }
  return host as Record<AwreExport, NobleDsa>;
}

// ---------------------------------------------------------------- checks

/** A check of `peer` against the reference; peer 'awre' is a check of awre alone (it gates every ratio). */
interface Check { param: string; peer: Impl; name: string; ok: boolean; detail?: string }

/** Runs one check: `body` returns undefined when fine, else what differed. */
function check(param: string, peer: Impl, name: string, body: () => string | undefined): Check {
  return { param, peer, name, ...verdict(body) };
}

/** What went wrong: byte strings that differ, and boolean results other than expected. */
function problems(same: Record<string, [Uint8Array, Uint8Array]>, expect: Record<string, [boolean, boolean]> = {}): string | undefined {
  const bad = [
    ...Object.entries(same).filter(([, [a, b]]) => !equal(a, b)).map(([k]) => `${k} differs`),
    ...Object.entries(expect).filter(([, [got, want]]) => got !== want).map(([k, [got]]) => `${k} gave ${got}`),
  ];
  return bad.length === 0 ? undefined : bad.join('; ');
}

/**
 * The cross-checks of one parameter set. `ref` is the implementation the
 * peers are checked against: awre, or noble in a --peers-only run (which then
 * checks liboqs against noble and skips noble-vs-itself).
 */
function verifyParam(p: Param): Check[] {
  const { noble, liboqs } = p;
  const refName: Impl = p.awre ? 'awre' : 'noble';
  const ref = p.awre ?? noble;
  const R = LABEL[refName];
  const checks: Check[] = [];
  if (p.awre) {
    const awre = p.awre;
    // Three seeds; the third and second also sign with a context string.
    const contexts = [undefined, bytes(5, 50), bytes(255, 51)];
    contexts.forEach((context, i) => {
      const tag = i + 1;
      checks.push(check(p.name, 'noble', `same keys and signatures as awre from seed #${tag}${context ? ` (context ${context.length} bytes)` : ''}`, () => {
        const seed = bytes(32, tag), msg = bytes(MSG_BYTES, tag + 100), rnd = bytes(32, tag + 200);
        const ctx = context ? { context } : {};
        const a = awre.keygen(seed), n = noble.keygen(seed);
        const aDet = awre.sign(msg, a.secretKey, { ...ctx, extraEntropy: false });
        const nDet = noble.sign(msg, n.secretKey, { ...ctx, extraEntropy: false });
        const aRnd = awre.sign(msg, a.secretKey, { ...ctx, extraEntropy: rnd });
        const nRnd = noble.sign(msg, n.secretKey, { ...ctx, extraEntropy: rnd });
        const aHedged = awre.sign(msg, a.secretKey, ctx);
        const expect: Record<string, [boolean, boolean]> = {
          'awre.verify(signature)': [awre.verify(aDet, msg, a.publicKey, ctx), true],
          'noble.verify(awre hedged signature)': [noble.verify(aHedged, msg, a.publicKey, ctx), true],
          'awre.verify(noble hedged signature)': [awre.verify(noble.sign(msg, n.secretKey, ctx), msg, a.publicKey, ctx), true],
          'awre.verify(tampered signature)': [awre.verify(flipped(aDet), msg, a.publicKey, ctx), false],
          'awre.verify(other message)': [awre.verify(aDet, flipped(msg), a.publicKey, ctx), false],
        };
        if (context) expect['awre.verify(other context)'] = [awre.verify(aDet, msg, a.publicKey, { context: flipped(context) }), false];
        return problems({
          publicKey: [a.publicKey, n.publicKey],
          secretKey: [a.secretKey, n.secretKey],
          'deterministic signature (extraEntropy: false)': [aDet, nDet],
          'signature with given 32-byte extraEntropy': [aRnd, nRnd],
        }, expect);
      }));
    });
  }
  checks.push(check(p.name, 'liboqs', `liboqs signature verifies under ${R} (liboqs key pair)`, () => {
    const k = liboqs.generateKeyPair(), msg = bytes(MSG_BYTES, 7);
    const sig = liboqs.sign(msg, k.secretKey);
    return problems({}, {
      [`${R}.verify`]: [ref.verify(sig, msg, k.publicKey), true],
      [`${R}.verify(tampered)`]: [ref.verify(flipped(sig), msg, k.publicKey), false],
    });
  }));
  checks.push(check(p.name, 'liboqs', `${R} signature verifies under liboqs (${R} key pair)`, () => {
    const k = ref.keygen(bytes(32, 8)), msg = bytes(MSG_BYTES, 9);
    const sig = ref.sign(msg, k.secretKey);
    return problems({}, {
      'liboqs.verify': [liboqs.verify(msg, sig, k.publicKey), true],
      'liboqs.verify(tampered)': [liboqs.verify(msg, flipped(sig), k.publicKey), false],
      'liboqs.verify(other message)': [liboqs.verify(flipped(msg), sig, k.publicKey), false],
    });
  }));
  checks.push(check(p.name, 'liboqs', `keys interchange: ${R} signs with a liboqs secret key, liboqs with a ${R} one`, () => {
    const o = liboqs.generateKeyPair(), a = ref.keygen(bytes(32, 10)), msg = bytes(MSG_BYTES, 11);
    const byRef = ref.sign(msg, o.secretKey), byOqs = liboqs.sign(msg, a.secretKey);
    return problems({}, {
      [`liboqs.verify(${R} signature, liboqs public key)`]: [liboqs.verify(msg, byRef, o.publicKey), true],
      [`${R}.verify(${R} signature, liboqs public key)`]: [ref.verify(byRef, msg, o.publicKey), true],
      [`${R}.verify(liboqs signature, ${R} public key)`]: [ref.verify(byOqs, msg, a.publicKey), true],
    });
  }));
  // What is timed is hedged signing for all three: two signatures of one
  // message under one key must differ (and verify).
  const hedged = (impl: Impl, sign: (m: Uint8Array, sk: Uint8Array) => Uint8Array) =>
    check(p.name, impl, `${LABEL[impl]} signs hedged by default (two signatures of one message differ)`, () => {
      const k = ref.keygen(bytes(32, 12)), msg = bytes(MSG_BYTES, 13);
      const s1 = sign(msg, k.secretKey), s2 = sign(msg, k.secretKey);
      return problems({}, {
        'signatures equal': [equal(s1, s2), false],
        'both verify': [ref.verify(s1, msg, k.publicKey) && ref.verify(s2, msg, k.publicKey), true],
      });
    });
  if (p.awre) { const awre = p.awre; checks.push(hedged('awre', (m, sk) => awre.sign(m, sk))); }
  checks.push(hedged('noble', (m, sk) => noble.sign(m, sk)));
  checks.push(hedged('liboqs', (m, sk) => liboqs.sign(m, sk)));
  return checks;
}

// ---------------------------------------------------------------- timing

function groups(p: Param, impls: readonly Impl[], cfg: typeof FULL): Group[] {
  const { noble, liboqs } = p;
  const ref = p.awre ?? noble;
  const keys = Array.from({ length: KEYS }, (_, i) => ref.keygen(bytes(32, 42 + i)));
  const msgs = Array.from({ length: MESSAGES }, (_, i) => bytes(MSG_BYTES, 1000 + i));
  /** One valid (signature, message, public key) per key pair. */
  const signed = keys.map((k, i) => ({ pk: k.publicKey, msg: msgs[i]!, sig: ref.sign(msgs[i]!, k.secretKey) }));
  const pick = (fns: Record<Impl, () => unknown>) => Object.fromEntries(impls.map((i) => [i, fns[i]]));
  const awre = p.awre;
  const none = () => { throw new Error('awre not loaded'); };
  type Sign = (m: Uint8Array, sk: Uint8Array) => Uint8Array;
  type Verify = (sig: Uint8Array, m: Uint8Array, pk: Uint8Array) => boolean;
  const sign: Record<Impl, Sign> = {
    awre: awre ? (m, sk) => awre.sign(m, sk) : none,
    noble: (m, sk) => noble.sign(m, sk),
    liboqs: (m, sk) => liboqs.sign(m, sk),
  };
  const verify: Record<Impl, Verify> = {
    awre: awre ? (sig, m, pk) => awre.verify(sig, m, pk) : none,
    noble: (sig, m, pk) => noble.verify(sig, m, pk),
    liboqs: (sig, m, pk) => liboqs.verify(m, sig, pk),
  };
  for (const i of impls) {
    if (!signed.every((t) => verify[i](t.sig, t.msg, t.pk))) throw new Error(`${p.name}: ${LABEL[i]} rejects a signature prepared for timing verify`);
  }
  // Each implementation walks the pools with its own counter; `nKeys` 1 is the one-key variant.
  const signer = (f: Sign, nKeys: number) => { let i = 0; return () => { const n = i++; return f(msgs[n % MESSAGES]!, keys[n % nKeys]!.secretKey); }; };
  const verifier = (f: Verify, nKeys: number) => { let i = 0; return () => { const t = signed[i++ % nKeys]!; return f(t.sig, t.msg, t.pk); }; };
  const each = <F>(fns: Record<Impl, F>, wrap: (f: F) => () => unknown) =>
    pick({ awre: wrap(fns.awre), noble: wrap(fns.noble), liboqs: wrap(fns.liboqs) });
  const signGroup = (op: Op, nKeys: number, timeMs: number, warmupMs: number): Group =>
    ({ id: `${p.name} ${op}`, statistic: 'mean', timeMs, warmupMs, impls: each(sign, (f) => signer(f, nKeys)) });
  return [
    {
      id: `${p.name} keygen`,
      impls: pick({ awre: awre ? () => awre.keygen() : none, noble: () => noble.keygen(), liboqs: () => liboqs.generateKeyPair() }),
    },
    signGroup('sign', KEYS, cfg.signTimeMs, cfg.signWarmupMs),
    { id: `${p.name} verify`, impls: each(verify, (f) => verifier(f, KEYS)) },
    signGroup('sign (1 key)', 1, cfg.oneKeySignTimeMs, cfg.oneKeySignWarmupMs),
    { id: `${p.name} verify (1 key)`, impls: each(verify, (f) => verifier(f, 1)) },
  ];
}

// ---------------------------------------------------------------- report

interface Row {
  param: string;
  op: Op;
  /** Per implementation measured (awre absent in a --peers-only run). */
  opsPerSec: Partial<Record<Impl, number>>;
  /** awre ops/s divided by the peer's; null when the peer failed its checks or awre was not run. */
  ratio: Record<Peer, number | null>;
  /** Median over rounds of awre / peer within each round (stats.ts pairedRatio): the figure the targets are judged on. */
  paired: Record<Peer, number | null>;
  samples: Partial<Record<Impl, Measured>>;
}

interface Target { param: string; op: string; peer: Peer; target: number; ratio: number | null; ratioOfMedians: number | null; met: boolean | null }

interface Report {
  cfg: typeof FULL;
  impls: readonly Impl[];
  rows: Row[];
  targets: Target[];
  checks: Check[];
  enclave: { path: string; bytes: number; sha256: string } | null;
  machine: MachineInfo;
  versions: Record<string, string>;
}

function render({ cfg, impls, rows, targets, checks, enclave, machine, versions }: Report): string {
  const withAwre = impls.includes('awre');
  const table = renderTable(
    ['parameter set', 'operation', ...impls.map((i) => `${LABEL[i]} ops/s`), ...(withAwre ? ['awre/noble', 'awre/liboqs'] : [])],
    rows.map((r) => [
      r.param, r.op, ...impls.map((i) => fmtOps(r.opsPerSec[i]!)),
      ...(withAwre ? PEERS.map((p) => { const x = r.ratio[p]; return x === null ? 'n/a' : fmtRatio(x); }) : []),
    ]),
    ['left', 'left'],
  );
  let worst = { spread: 0, where: '' };
  let leftOut = 0, signCalls = 0;
  for (const r of rows) for (const i of impls) {
    const s = r.samples[i]!;
    if (s.spread > worst.spread) worst = { spread: s.spread, where: `${r.param} ${r.op}, ${LABEL[i]}` };
    if (s.statistic === 'mean') for (const round of s.rounds) { leftOut += round.leftOut ?? 0; signCalls += round.iterations; }
  }
  const out = [
    `ML-DSA ops/s, median of ${cfg.rounds} rounds; one process, implementations interleaved`,
    `  keygen, verify: 1 / median latency, ${cfg.timeMs} ms per task and round (${cfg.warmupMs} ms warm-up each)`,
    `  sign (hedged, 32-byte messages): calls / summed latency, ${cfg.signTimeMs} ms per task and round (${cfg.signWarmupMs} ms warm-up each; 1 key: ${cfg.oneKeySignTimeMs} ms, ${cfg.oneKeySignWarmupMs} ms)`,
    `  sign, verify: consecutive calls use different key pairs (${KEYS}, cycled); "1 key": one key pair throughout (awre then skips ExpandA: it keeps the last A-hat)`,
    '',
    table,
    '',
    `largest round-to-round spread (max-min)/median: ${fmtPct(worst.spread)} (${worst.where})`,
    `sign: ${leftOut} of ${signCalls.toLocaleString('en-US')} timed calls left out as slower than ${OUTLIER_FACTOR}x their round's median`,
    '',
  ];
  if (!withAwre) {
    out.push('PEERS ONLY (--peers-only): awre was not run; no ratios, targets not evaluated');
  } else {
    out.push(`targets for ${TARGET_PARAM}, on the paired ratio (median over rounds of awre / peer within the round; reported, not asserted):`);
    for (const t of targets) {
      const got = t.ratio === null ? 'n/a' : fmtRatio(t.ratio, 3);
      const verdict = t.met === null ? 'not evaluated (failed checks)' : t.met ? 'met' : 'NOT MET';
      const ofMedians = t.ratioOfMedians === null ? 'n/a' : fmtRatio(t.ratioOfMedians, 3);
      out.push(`  ${t.op.padEnd(7)} awre >= ${String(t.target).padStart(2)}x ${LABEL[t.peer].padEnd(11)}  got ${got.padStart(8)}  ${verdict.padEnd(7)}  (ratio of medians ${ofMedians})`);
    }
  }
  out.push('');
  if (enclave) out.push(`enclave: ${enclave.path}, ${enclave.bytes} bytes, sha256 ${enclave.sha256}`);
  out.push(
    `machine: ${machineLine(machine)}`,
    `versions: ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(', ')}`,
  );
  const failed = checks.filter((c) => !c.ok);
  const what = withAwre
    ? 'noble: same keys and signatures from the same seeds and randomness; liboqs: signatures and keys interoperate both ways; all sign hedged'
    : 'liboqs interoperates with noble both ways; both sign hedged';
  if (failed.length === 0) out.push(`correctness: all ${checks.length} cross-checks passed (${what})`);
  else {
    out.push(`correctness: ${failed.length} of ${checks.length} cross-checks FAILED; ratios against the failing peer (all, for an awre failure) are withheld:`);
    for (const c of failed) out.push(`  ${c.param} ${LABEL[c.peer]}: ${c.name}: ${c.detail}`);
  }
  return out.join('\n');
}

async function run({ quick, peersOnly, log }: SuiteOptions): Promise<SuiteReport> {
  const cfg = quick ? QUICK : FULL;
  const startedAt = new Date();
  const awre = peersOnly ? undefined : await loadAwre();
  const impls: readonly Impl[] = awre ? IMPLS : PEERS;
  const liboqs = await loadLiboqs(log);
  const oqs = await Promise.all(PARAMS.map((p) => liboqs[p.liboqs]()));
  const params: Param[] = PARAMS.map((p, i) => ({ name: p.name, awre: awre?.[p.awre], noble: p.noble, liboqs: oqs[i]! }));
  try {
    // The module as read now is the one awre loads (first use is in the
    // checks); compared below in case build/enclave.wasm is rebuilt meanwhile.
    let enclave: Report['enclave'] = null;
    if (awre) {
      const wasm = readModule();
      enclave = { path: relative(packageRoot(), modulePath()), bytes: wasm.length, sha256: moduleDigest(wasm) };
    }
    log(`mldsa: cross-checking ${awre ? 'awre against noble and liboqs' : 'liboqs against noble (--peers-only)'}`);
    const checks = params.flatMap(verifyParam);
    const failed = checks.filter((c) => !c.ok);
    if (enclave && defaultEnclave().digest !== enclave.sha256) {
      throw new Error(`${enclave.path} changed on disk while loading (loaded ${defaultEnclave().digest}); run again`);
    }
    const awreOk = !failed.some((c) => c.peer === 'awre');
    const peerOk = (peer: Peer) => awreOk && !failed.some((c) => c.peer === peer);

    const perRound = 3 * (cfg.timeMs + cfg.warmupMs) + cfg.signTimeMs + cfg.signWarmupMs + cfg.oneKeySignTimeMs + cfg.oneKeySignWarmupMs;
    const est = Math.ceil((params.length * impls.length * cfg.rounds * perRound) / 1000);
    log(`mldsa: timing ${params.length * OPS.length} operations x ${impls.length} implementations, ${cfg.rounds} rounds (about ${est} s)`);
    const m = measure(params.flatMap((p) => groups(p, impls, cfg)), { ...cfg, log: (s) => log(`mldsa: ${s}`) });

    const rows: Row[] = params.flatMap((p) => OPS.map((op): Row => {
      const g = m[`${p.name} ${op}`]!;
      const samples: Partial<Record<Impl, Measured>> = {};
      const ops: Partial<Record<Impl, number>> = {};
      for (const i of impls) { samples[i] = g[i]!; ops[i] = g[i]!.opsPerSec; }
      const ratio = (peer: Peer) => (ops.awre !== undefined && peerOk(peer) ? ops.awre / ops[peer]! : null);
      const paired = (peer: Peer) => (ops.awre !== undefined && peerOk(peer) ? pairedRatio(roundFigures(g.awre!), roundFigures(g[peer]!)) : null);
      return { param: p.name, op, opsPerSec: ops, ratio: { noble: ratio('noble'), liboqs: ratio('liboqs') }, paired: { noble: paired('noble'), liboqs: paired('liboqs') }, samples };
    }));
    const targets = awre === undefined ? [] : rows.filter((r) => r.param === TARGET_PARAM && TARGET_OPS.includes(r.op)).flatMap((r) =>
      (['liboqs', 'noble'] as const).map((peer): Target => {
        const ratio = r.paired[peer];
        return { param: r.param, op: r.op, peer, target: TARGETS[peer], ratio, ratioOfMedians: r.ratio[peer], met: ratio === null ? null : ratio >= TARGETS[peer] };
      }));

    const report: Report = {
      cfg, impls, rows, targets, checks, enclave,
      machine: machineInfo(),
      versions: {
        awre: ownVersion(),
        '@noble/post-quantum': packageVersion('@noble/post-quantum'),
        '@oqs/liboqs-js': liboqsVersion(),
        tinybench: packageVersion('tinybench'),
      },
    };
    const data = {
      suite: 'mldsa',
      quick,
      peersOnly,
      ok: failed.length === 0,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      method: {
        ...cfg,
        statistic: {
          'keygen, verify, verify (1 key)': 'opsPerSec: median over rounds of 1000 / (tinybench median latency in ms)',
          'sign, sign (1 key)': `opsPerSec: median over rounds of (calls / summed latency), leaving out calls slower than ${OUTLIER_FACTOR}x the round's median latency (leftOut per round); the rejection loop makes the per-call cost vary, so the median latency is not the typical cost`,
          all: 'meanOpsPerSec: median over rounds of iterations / summed latency, nothing left out',
        },
        ...ROUND_METHOD,
        inputs: `keygen draws a fresh seed per call (liboqs internally); sign is hedged (fresh 32-byte rnd per call, each library drawing its own) over a pool of ${MESSAGES} distinct ${MSG_BYTES}-byte messages, empty context; verify checks valid signatures; sign and verify cycle through ${KEYS} key pairs (consecutive calls use different keys, so awre's cached A-hat never matches), the "(1 key)" rows use one key pair throughout; each implementation walks the pools with its own counter; keys, messages and signatures are the same bytes for all implementations`,
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
  name: 'mldsa',
  description: 'ML-DSA-44/65/87 keygen, sign (hedged), verify: awre vs @noble/post-quantum vs liboqs (wasm)',
  run,
};
