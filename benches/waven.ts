// Suite "waven": the cost of the WAVEN MMU. The same kernels run in one
// process on three enclaves with the same inputs, through the raw exports so
// that only the kernels are compared:
//   off         the plain module (flat memory);
//   waven       build/enclave.waven.wasm, as shipped: confined accesses
//               (docs/waven.md, "Confined accesses");
//   translated  the same module instrumented with --no-confine, every access
//               through the tables (the first phase's pass), built here.
// Each operation has its own enclaves, so that its inputs stay in place.
// Target (reported, not asserted): waven at most 1.15x the off time for
// ML-KEM-768 encapsulate/decapsulate, ML-DSA-65 sign and AES-256-GCM on
// 16 KiB; every kernel's ratio is printed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ml_kem768 as nobleKem } from '@noble/post-quantum/ml-kem.js';
import { ml_dsa65 as nobleDsa } from '@noble/post-quantum/ml-dsa.js';
import { Enclave, readModule, moduleDigest, modulePath } from '../host/index.js';
import { bytes, equal } from './lib/checks.js';
import { machineInfo, machineLine } from './lib/machine.js';
import { measure, roundFigures, type Group } from './lib/measure.js';
import { pairedRatio } from './lib/stats.js';
import { ownVersion } from './lib/results.js';
import { fmtOps, fmtRatio, renderTable } from './lib/table.js';
import { writeResults } from './lib/results.js';
import type { Suite, SuiteOptions, SuiteReport } from './lib/suite.js';

const FULL = { rounds: 7, timeMs: 300, warmupMs: 75 };
const QUICK = { rounds: 2, timeMs: 60, warmupMs: 20 };
const TARGET = 1.15;
const TARGETED = ['ML-KEM-768 encapsulate', 'ML-KEM-768 decapsulate', 'ML-DSA-65 sign', 'AES-256-GCM encrypt 16 KiB', 'AES-256-GCM decrypt 16 KiB'];
const MODES = ['off', 'waven', 'translated'] as const;
type Mode = (typeof MODES)[number];

/** One operation: put its inputs into a fresh enclave's window once; returns the call. */
type Setup = (e: Enclave) => () => number;

function operations(): Record<string, Setup> {
  const kem = nobleKem.keygen(bytes(64, 1));
  const ct = nobleKem.encapsulate(kem.publicKey, bytes(32, 2)).cipherText;
  const dsa = nobleDsa.keygen(bytes(32, 3));
  const mu = bytes(64, 5);
  const sig = nobleDsa.internal.sign(mu, dsa.secretKey, { externalMu: true, extraEntropy: false });
  const gcmKey = bytes(32, 6), iv = bytes(12, 7), data = bytes(16384, 8);
  return {
    'ML-KEM-768 keygen': (e) => { e.put(0, bytes(64, 9)); return () => e.exports.mlkem_keygen(768, e.io, e.io + 4096, e.io + 8192); },
    'ML-KEM-768 encapsulate': (e) => { e.put(0, kem.publicKey); e.put(2048, bytes(32, 4)); return () => e.exports.mlkem_encaps(768, e.io, e.io + 2048, e.io + 4096, e.io + 8192); },
    'ML-KEM-768 decapsulate': (e) => { e.put(0, kem.secretKey); e.put(4096, ct); return () => e.exports.mlkem_decaps(768, e.io, e.io + 4096, e.io + 8192); },
    'ML-DSA-65 keygen': (e) => { e.put(0, bytes(32, 10)); return () => e.exports.mldsa_keygen(65, e.io, e.io + 4096, e.io + 8192); },
    'ML-DSA-65 sign': (e) => {
      e.put(0, dsa.secretKey); e.put(8192, mu);
      let n = 0;
      return () => {
        e.put(8448, bytes(32, 100 + (n++ & 255))); // hedged: a fresh rnd each call
        return e.exports.mldsa_sign(65, e.io, e.io + 8192, e.io + 8448, e.io + 12288);
      };
    },
    'ML-DSA-65 verify': (e) => { e.put(0, dsa.publicKey); e.put(4096, mu); e.put(8192, sig); return () => e.exports.mldsa_verify(65, e.io, e.io + 4096, e.io + 8192) === 1 ? 0 : -1; },
    'AES-256-GCM encrypt 16 KiB': (e) => {
      e.put(0, data); e.put(40960, gcmKey); e.put(41024, iv);
      const x = e.exports, io = e.io;
      return () => {
        const st = x.gcm_init(io + 40960, 32, 16, 0) || x.gcm_iv(io + 41024, 12) || x.gcm_crypt(io, io + 16384, 16384, 0) || x.gcm_finish(io + 41088);
        x.gcm_end();
        return st;
      };
    },
    'AES-256-GCM decrypt 16 KiB': (e) => {
      // The ciphertext and tag of `data`, made once by this enclave.
      e.put(0, data); e.put(40960, gcmKey); e.put(41024, iv);
      const x = e.exports, io = e.io;
      x.gcm_init(io + 40960, 32, 16, 0); x.gcm_iv(io + 41024, 12); x.gcm_crypt(io, io, 16384, 0); x.gcm_finish(io + 41088); x.gcm_end();
      return () => {
        const st = x.gcm_init(io + 40960, 32, 16, 1) || x.gcm_iv(io + 41024, 12) || x.gcm_auth(io, 16384, 0) || x.gcm_finish(io + 41088) || x.gcm_crypt(io, io + 16384, 16384, 0);
        x.gcm_end();
        return st;
      };
    },
    'SHA3-256 1 KiB': (e) => { e.put(0, bytes(1024, 11)); return () => e.exports.sha3_oneshot(136, 6, e.io, 1024, e.io + 2048, 32); },
    'SHAKE256 1 KiB to 1 KiB': (e) => { e.put(0, bytes(1024, 12)); return () => e.exports.sha3_oneshot(136, 0x1f, e.io, 1024, e.io + 2048, 1024); },
  };
}

/** build/enclave.wasm instrumented with --no-confine (every access translated), in a temporary file. */
function translatedModule(): Uint8Array {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const dir = mkdtempSync(join(tmpdir(), 'awre-bench-waven-'));
  try {
    const out = join(dir, 'translated.wasm');
    execFileSync(process.execPath, [join(root, 'scripts', 'waven-instrument.mjs'), modulePath('enclave.wasm'), out, '--no-confine'], { stdio: 'ignore' });
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function run({ quick, log, write }: SuiteOptions): Promise<SuiteReport> {
  const cfg = quick ? QUICK : FULL;
  const startedAt = new Date();
  const modules: Record<Mode, Uint8Array> = { off: readModule('enclave.wasm'), waven: readModule('enclave.waven.wasm'), translated: translatedModule() };
  const make = (mode: Mode) => (mode === 'off' ? new Enclave(modules.off) : new Enclave(modules[mode], { mmu: 'waven' }));
  const ops = operations();
  const checks: string[] = [];
  const groups: Group[] = [];
  for (const [op, setup] of Object.entries(ops)) {
    const enclaves = Object.fromEntries(MODES.map((m) => [m, make(m)])) as Record<Mode, Enclave>;
    const calls = Object.fromEntries(MODES.map((m) => [m, setup(enclaves[m])])) as Record<Mode, () => number>;
    // Correctness first: one call each, then the whole window compared with the plain module's.
    const after = MODES.map((m) => ({ st: calls[m](), window: enclaves[m].get(0, enclaves[m].ioBytes) }));
    for (const [i, m] of MODES.entries()) {
      if (after[i]!.st !== 0) checks.push(`${op} (${m}): status ${after[i]!.st}`);
      else if (!equal(after[i]!.window, after[0]!.window)) checks.push(`${op}: ${m} differs from off`);
    }
    groups.push({ id: op, impls: calls, ...(op.includes('sign') ? { statistic: 'mean' as const } : {}) });
  }
  log(`waven: ${groups.length} operations x ${MODES.length} modes, ${cfg.rounds} rounds`);
  const measured = measure(groups, { ...cfg, log });
  const rows = groups.map((g) => {
    const mm = measured[g.id]!;
    const ops = Object.fromEntries(MODES.map((m) => [m, mm[m]!.opsPerSec])) as Record<Mode, number>;
    // Time ratios per round (off and the two WAVEN modes back to back), then their median: see stats.ts pairedRatio.
    const overhead = pairedRatio(roundFigures(mm.off!), roundFigures(mm.waven!));
    const translatedOverhead = pairedRatio(roundFigures(mm.off!), roundFigures(mm.translated!));
    return { op: g.id, ...ops, overhead, translatedOverhead, overheadOfMedians: ops.off / ops.waven };
  });
  const m = machineInfo();
  const text = [
    'WAVEN overhead: kernel ops/s through the raw exports, one process, interleaved: the plain module (off), the shipped WAVEN module',
    '(waven: confined accesses) and the same module with every access translated (translated: --no-confine)',
    `  median of ${cfg.rounds} rounds x ${cfg.timeMs} ms per task; ML-DSA sign: calls / summed latency (hedged, fresh rnd per call)`,
    `  waven / off and translated / off: the time ratio within each round (the modes run back to back), median over rounds; "of medians": off ops/s / waven ops/s from the two medians`,
    '',
    renderTable(['operation', 'off ops/s', 'waven ops/s', 'translated ops/s', 'waven / off', 'translated / off', 'waven / off of medians'],
      rows.map((r) => [r.op, fmtOps(r.off), fmtOps(r.waven), fmtOps(r.translated), fmtRatio(r.overhead, 3), fmtRatio(r.translatedOverhead, 3), fmtRatio(r.overheadOfMedians, 3)]),
      ['left', 'right', 'right', 'right', 'right', 'right', 'right']),
    '',
    `target (reported, not asserted): waven at most ${TARGET}x the off time`,
    ...rows.filter((r) => TARGETED.includes(r.op)).map((r) => `  ${r.op.padEnd(28)} ${fmtRatio(r.overhead, 3)}  ${r.overhead <= TARGET ? 'met' : 'NOT MET'}`),
    '',
    `modules: enclave.wasm sha256 ${moduleDigest(modules.off).slice(0, 16)}..., enclave.waven.wasm sha256 ${moduleDigest(modules.waven).slice(0, 16)}..., translated sha256 ${moduleDigest(modules.translated).slice(0, 16)}...`,
    `machine: ${machineLine(m)}`,
    checks.length === 0 ? 'correctness: the three modes leave identical windows for every operation' : `correctness FAILED: ${checks.join('; ')}`,
  ].join('\n');
  const data = { suite: 'waven', startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), machine: m, awre: ownVersion(), rows, measured, checks };
  if (!quick && write !== false) log(`results: ${writeResults('waven', data, startedAt).join(', ')}`);
  return { data, text, ok: checks.length === 0 };
}

export const suite: Suite = { name: 'waven', description: 'WAVEN MMU overhead: plain, shipped (confined) and fully translated modules', run };
