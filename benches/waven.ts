// Suite "waven": the cost of the WAVEN MMU. The same kernels run on two
// enclaves in one process, the plain module (mmu: 'off') and the instrumented
// one (mmu: 'waven', every access through the page tables), with the same
// inputs, through the raw exports so that only the kernels are compared.
// Target (reported, not asserted): WAVEN at most 1.15x the 'off' time for
// ML-KEM-768 encapsulate/decapsulate and ML-DSA-65 sign.
import { ml_kem768 as nobleKem } from '@noble/post-quantum/ml-kem.js';
import { ml_dsa65 as nobleDsa } from '@noble/post-quantum/ml-dsa.js';
import { Enclave, readModule, moduleDigest } from '../host/index.js';
import { bytes, equal } from './lib/checks.js';
import { machineInfo, machineLine } from './lib/machine.js';
import { measure, type Group } from './lib/measure.js';
import { ownVersion } from './lib/results.js';
import { fmtOps, fmtRatio, renderTable } from './lib/table.js';
import { writeResults } from './lib/results.js';
import type { Suite, SuiteOptions, SuiteReport } from './lib/suite.js';

const FULL = { rounds: 7, timeMs: 300, warmupMs: 75 };
const QUICK = { rounds: 2, timeMs: 60, warmupMs: 20 };
const TARGET = 1.15;
const MODES = ['off', 'waven'] as const;

/** The operations, each a function of an enclave with its inputs already in the window. */
function operations(e: Enclave): Record<string, () => number> {
  const kem = nobleKem.keygen(bytes(64, 1));
  const ct = nobleKem.encapsulate(kem.publicKey, bytes(32, 2)).cipherText;
  const dsa = nobleDsa.keygen(bytes(32, 3));
  // Window layout: ek at 0, m at 2048, ct out at 4096, ss at 8192; dk at 12288, ct in at 16384;
  // sk at 20480, mu at 28672, rnd at 28800, sig out at 32768.
  e.put(0, kem.publicKey); e.put(2048, bytes(32, 4));
  e.put(12288, kem.secretKey); e.put(16384, ct);
  e.put(20480, dsa.secretKey); e.put(28672, bytes(64, 5));
  let n = 0;
  const x = e.exports, io = e.io;
  return {
    'ML-KEM-768 encapsulate': () => x.mlkem_encaps(768, io, io + 2048, io + 4096, io + 8192),
    'ML-KEM-768 decapsulate': () => x.mlkem_decaps(768, io + 12288, io + 16384, io + 8192),
    'ML-DSA-65 sign': () => {
      e.put(28800, bytes(32, 100 + (n++ & 255))); // hedged: a fresh rnd each call
      return x.mldsa_sign(65, io + 20480, io + 28672, io + 28800, io + 32768);
    },
  };
}

async function run({ quick, log, write }: SuiteOptions): Promise<SuiteReport> {
  const cfg = quick ? QUICK : FULL;
  const startedAt = new Date();
  const enclaves = {
    off: new Enclave(readModule('enclave.wasm')),
    waven: new Enclave(readModule('enclave.waven.wasm'), { mmu: 'waven' }),
  };
  const ops = { off: operations(enclaves.off), waven: operations(enclaves.waven) };
  // Correctness first: both modes give the same bytes.
  const checks: string[] = [];
  for (const op of Object.keys(ops.off)) {
    const [a, b] = MODES.map((m) => {
      const st = ops[m][op]!();
      return { st, out: [enclaves[m].get(4096, 1088), enclaves[m].get(8192, 32), enclaves[m].get(32768, 3309)] };
    }) as [{ st: number; out: Uint8Array[] }, { st: number; out: Uint8Array[] }];
    if (a.st !== 0 || b.st !== 0 || !a.out.every((x, i) => equal(x, b.out[i]!))) checks.push(`${op}: the modes differ`);
  }
  const groups: Group[] = Object.keys(ops.off).map((op) => ({
    id: op,
    impls: { off: ops.off[op]!, waven: ops.waven[op]! },
    ...(op.includes('sign') ? { statistic: 'mean' as const } : {}),
  }));
  log(`waven: ${cfg.rounds} rounds`);
  const measured = measure(groups, { ...cfg, log });
  const rows = groups.map((g) => {
    const off = measured[g.id]!['off']!.opsPerSec, wv = measured[g.id]!['waven']!.opsPerSec;
    return { op: g.id, off, waven: wv, overhead: off / wv };
  });
  const m = machineInfo();
  const text = [
    'WAVEN overhead: kernel ops/s through the raw exports, plain module (off) and WAVEN-instrumented module, one process, interleaved',
    `  median of ${cfg.rounds} rounds x ${cfg.timeMs} ms per task; ML-DSA sign: calls / summed latency (hedged, fresh rnd per call)`,
    '',
    renderTable(['operation', 'off ops/s', 'waven ops/s', 'waven time / off time'],
      rows.map((r) => [r.op, fmtOps(r.off), fmtOps(r.waven), fmtRatio(r.overhead, 3)]), ['left', 'right', 'right', 'right']),
    '',
    `target (reported, not asserted): waven at most ${TARGET}x the off time`,
    ...rows.map((r) => `  ${r.op.padEnd(24)} ${fmtRatio(r.overhead, 3)}  ${r.overhead <= TARGET ? 'met' : 'NOT MET'}`),
    '',
    `modules: enclave.wasm sha256 ${moduleDigest(readModule('enclave.wasm')).slice(0, 16)}..., enclave.waven.wasm sha256 ${moduleDigest(readModule('enclave.waven.wasm')).slice(0, 16)}...`,
    `machine: ${machineLine(m)}`,
    checks.length === 0 ? 'correctness: both modes give identical bytes for every operation' : `correctness FAILED: ${checks.join('; ')}`,
  ].join('\n');
  const data = { suite: 'waven', startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), machine: m, awre: ownVersion(), rows, measured, checks };
  if (!quick && write !== false) log(`results: ${writeResults('waven', data, startedAt).join(', ')}`);
  return { data, text, ok: checks.length === 0 };
}

export const suite: Suite = { name: 'waven', description: 'WAVEN MMU overhead: instrumented vs plain module', run };
