// Suite "recorder": what recording costs, and how fast an auditor verifies.
// 1. Overhead (target: at most 1.10x): a loop of ML-KEM-768 encapsulations
//    through the harness (the noble-compatible API over the enclave), plain,
//    and with each call recorded as an ABW34 call tuple (input and output
//    digests) by the live recorder: worker-thread pipeline, group-committed
//    fsyncs, checkpoints signed in the vault every 1,000 tuples. The recorded
//    time includes waiting until every tuple is durable. Rounds interleaved,
//    median ratio reported.
// 2. A 100,000-tuple log (call tuples and 100 signed checkpoints), built in
//    memory, then verified without replay: the time of the pure verifier.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ABI_VERSION } from '../abi/lengths.js';
import { Enclave, ml_dsa65, ml_kem768, qrng, readModule } from '../host/index.js';
import { PhysicalMemory } from '../host/waven/physical.js';
import { VaultSigner, verifyAttestation } from '../recorder/attest.js';
import { PipelinedRecorder } from '../recorder/pipeline.js';
import { MemorySink, Recorder } from '../recorder/recorder.js';
import { verifyLog } from '../recorder/verify.js';
import { machineInfo, machineLine } from './lib/machine.js';
import { median } from './lib/stats.js';
import { ownVersion, writeResults } from './lib/results.js';
import { renderTable } from './lib/table.js';
import type { Suite, SuiteOptions, SuiteReport } from './lib/suite.js';

const TARGET = 1.1;
const profile = { module: '0'.repeat(64), abi: ABI_VERSION, mmu: 'waven' as const, awre: ownVersion() };

async function attestation(): Promise<VaultSigner> {
  const e = new Enclave(readModule());
  await new qrng.DrbgSeeder(qrng.openFeed('os')).boot(e, 'attest');
  return new VaultSigner(e, 'awre.bench/abw34');
}

async function overhead(rounds: number, n: number, log: (m: string) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'awre-bench-rec-'));
  const rec = new PipelinedRecorder({ log: join(dir, 'abw34.log'), profile, origin: 'awre.bench/abw34', checkpointEvery: 1000 });
  rec.setSigner(await attestation());
  const { publicKey } = ml_kem768.keygen(new Uint8Array(64).fill(1));
  const m = new Uint8Array(32).fill(2);
  const input = new Uint8Array(publicKey.length + 32);
  input.set(publicKey);
  input.set(m, publicKey.length);
  const yieldEvery = 256; // both loops let the event loop turn (the recorder answers signing requests then)
  const plain = async () => {
    for (let i = 0; i < n; i++) { ml_kem768.encapsulate(publicKey, m); if (i % yieldEvery === yieldEvery - 1) await new Promise(setImmediate); }
  };
  const recorded = async () => {
    for (let i = 0; i < n; i++) {
      const r = ml_kem768.encapsulate(publicKey, m);
      rec.call('initiator', 'mlkem768-encapsulate', input, r.cipherText, 0); // the ciphertext, never the shared secret
      if (i % yieldEvery === yieldEvery - 1) await new Promise(setImmediate);
    }
    await rec.durable();
  };
  await plain(); await recorded(); // warm-up
  const rows: { plain: number; recorded: number }[] = [];
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? [plain, recorded] : [recorded, plain];
    const t: number[] = [];
    for (const f of order) { const s = performance.now(); await f(); t.push(performance.now() - s); }
    const [p, q] = r % 2 === 0 ? [t[0]!, t[1]!] : [t[1]!, t[0]!];
    rows.push({ plain: (p * 1000) / n, recorded: (q * 1000) / n });
    log(`recorder: round ${r + 1}/${rounds}: ${(q / p).toFixed(3)}x`);
  }
  const tuples = (await rec.halt()).tuples;
  rmSync(dir, { recursive: true, force: true });
  const ratio = median(rows.map((x) => x.recorded / x.plain));
  return { plainUs: median(rows.map((x) => x.plain)), recordedUs: median(rows.map((x) => x.recorded)), ratio, rounds: rows, tuples };
}


async function bigLog(n: number, verifyRuns: number) {
  const sink = new MemorySink();
  const signer = await attestation();
  const rec = new Recorder(sink, { profile, origin: signer.name, checkpointEvery: 1000 });
  // A real tenant boot and seed tuple for the tenant the calls go to (a call before either is a finding).
  const phys = new PhysicalMemory();
  rec.attach(phys);
  phys.addInstance('initiator');
  await new qrng.DrbgSeeder(qrng.openFeed('os'), { onEvent: (e) => rec.seed(e) }).boot(new Enclave(readModule()), 'initiator');
  // The key the log is signed with, recorded (verify checks the key it is given against it), then the boot checkpoint.
  rec.call('initiator', 'attest-keygen', new Uint8Array(0), signer.publicKey, 0);
  rec.setSigner(signer);
  const t0 = performance.now();
  const input = new Uint8Array(1216), output = new Uint8Array(1088);
  while (sink.lines.length < n - 2) {
    new DataView(input.buffer).setUint32(0, sink.lines.length);
    rec.call('initiator', 'mlkem768-encapsulate', input, output, 0);
  }
  await rec.halt();
  const buildMs = performance.now() - t0;
  const text = `${sink.lines.join('\n')}\n`;
  const times: number[] = [];
  let findings = -1;
  for (let i = 0; i < verifyRuns; i++) {
    const s = performance.now();
    const r = verifyLog(text, { key: signer.publicKey, verify: verifyAttestation });
    times.push(performance.now() - s);
    findings = r.findings.length;
  }
  return { tuples: sink.lines.length, bytes: text.length, buildMs, verifyMs: median(times), findings };
}

async function run({ quick, log, write }: SuiteOptions): Promise<SuiteReport> {
  const startedAt = new Date();
  const o = await overhead(quick ? 3 : 7, quick ? 2000 : 50000, log);
  log('recorder: building and verifying a 100,000-tuple log');
  const big = await bigLog(quick ? 10_000 : 100_000, quick ? 1 : 3);
  const m = machineInfo();
  const text = [
    'Recording overhead: ML-KEM-768 encapsulate through the harness, plain vs each call recorded (live recorder, fsync by group commit, time to durable included)',
    `  ${o.rounds.length} interleaved rounds; median per-call time`,
    '',
    renderTable(['loop', 'us per call', 'ratio'], [['plain', o.plainUs.toFixed(2), '1.000x'], ['recorded', o.recordedUs.toFixed(2), `${o.ratio.toFixed(3)}x`]], ['left', 'right', 'right']),
    '',
    `target (reported, not asserted): recorded at most ${TARGET}x: ${o.ratio <= TARGET ? 'met' : 'NOT MET'} (${o.tuples} tuples written)`,
    '',
    `Verification without replay: ${big.tuples} tuples (${(big.bytes / 1e6).toFixed(1)} MB, ${Math.floor(big.tuples / 1000)} signed checkpoints): ${(big.verifyMs / 1000).toFixed(2)} s` +
      ` (${Math.round(big.tuples / (big.verifyMs / 1000))} tuples/s); ${big.findings} findings; built in ${(big.buildMs / 1000).toFixed(2)} s`,
    '',
    `machine: ${machineLine(m)}`,
  ].join('\n');
  const data = { suite: 'recorder', startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), machine: m, awre: ownVersion(), overhead: o, verify: big };
  if (!quick && write !== false) log(`results: ${writeResults('recorder', data, startedAt).join(', ')}`);
  return { data, text, ok: big.findings === 0 };
}

export const suite: Suite = { name: 'recorder', description: 'ABW34 recording overhead on ML-KEM-768 encapsulations, and verification time of a 100,000-tuple log', run };
