// Suite "trust": what the node identity costs (issue 14; docs/trust.md).
// 1. awre init: a new node directory (platform secret, identity keygen in the
//    vault, the seal, three files written and fsynced).
// 2. A boot with and without a node: RecordedSession.start then halt with no
//    work between, to memory-less disk logs (group commit), interleaved; the
//    difference is what certifying costs (unseal, the run number saved
//    sealed before the run, the certificate signed, the state saved sealed
//    at halt).
// 3. Opening a node alone (read, unseal, check the public key).
// 4. A witness (host/witness/server.ts) on loopback in this process: the
//    round trip of one add-checkpoint (HTTP, log signature check, ML-DSA-44
//    cosignature, fsynced state) one at a time, and the cosignatures per
//    second it sustains with 8 requests in flight.
// Medians over interleaved rounds; nothing is asserted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Enclave, moduleDigest, qrng, readModule } from '../host/index.js';
import { readFileSync } from 'node:fs';
import { ml_dsa44 } from '../host/mldsa.js';
import { Witness } from '../host/witness/server.js';
import { addCheckpointBody } from '../recorder/witness-client.js';
import { initNode, OpenNode, parseNodeIdentity, nodePaths } from '../recorder/node.js';
import type { Tuple } from '../recorder/tuple.js';
import { RecordedSession } from '../recorder/session.js';
import { machineInfo, machineLine } from './lib/machine.js';
import { median } from './lib/stats.js';
import { ownVersion, writeResults } from './lib/results.js';
import { renderTable } from './lib/table.js';
import type { Suite, SuiteOptions, SuiteReport } from './lib/suite.js';

const MODULE = readModule('enclave.waven.wasm');
const MEASUREMENT = moduleDigest(MODULE);

function seededEnclave(): Enclave {
  const e = new Enclave(MODULE, { mmu: 'waven' });
  e.put(0, globalThis.crypto.getRandomValues(new Uint8Array(48)));
  if (e.exports.drbg_instantiate(e.io, 48, e.io, 0, e.io, 0) !== 0) throw new Error('drbg_instantiate failed');
  e.wipe(0, 48);
  return e;
}

async function timed(f: () => unknown | Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

async function boot(home: string, i: number, node: string | undefined): Promise<void> {
  const feed = qrng.openFeed('os');
  const s = await RecordedSession.start({ record: { log: join(home, `run-${i}-${node ? 'n' : 'p'}.log`), sync: 'group' }, provider: feed, feed, origin: `awre.bench/trust/${i}`, ...(node ? { node } : {}) });
  await s.halt();
  await feed.close();
}

async function run({ quick, log, write }: SuiteOptions): Promise<SuiteReport> {
  const startedAt = new Date();
  const rounds = quick ? 3 : 15;
  const home = mkdtempSync(join(tmpdir(), 'awre-bench-trust-'));
  try {
    log(`trust: ${rounds} rounds of init, open, plain boot and certified boot`);
    const node = join(home, 'node');
    initNode(seededEnclave(), node, 'awre.bench/node', MEASUREMENT);
    await boot(home, -1, node); // warm up
    await boot(home, -2, undefined);
    const t = { init: [] as number[], open: [] as number[], plain: [] as number[], certified: [] as number[] };
    for (let r = 0; r < rounds; r++) {
      const e = seededEnclave();
      t.init.push(await timed(() => initNode(e, join(home, `init-${r}`), 'awre.bench/node', MEASUREMENT)));
      const e2 = seededEnclave();
      t.open.push(await timed(() => OpenNode.open(e2, node, MEASUREMENT).close()));
      t.plain.push(await timed(() => boot(home, r, undefined)));
      t.certified.push(await timed(() => boot(home, r, node)));
    }
    const m = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, median(v)])) as Record<keyof typeof t, number>;
    const w = await witnessCost(home, node, quick);
    const f = (x: number) => x.toFixed(2);
    const machine = machineInfo();
    const text = [
      'Node identity (docs/trust.md): medians over interleaved rounds, ms',
      '',
      renderTable(['operation', 'ms'], [
        ['awre init (secret, identity keygen in the vault, seal, 3 files fsynced)', f(m.init)],
        ['open a node (read, unseal, check)', f(m.open)],
        ['boot + halt, no node', f(m.plain)],
        ['boot + halt, certified (unseal, run number sealed, certificate signed, state sealed at halt)', f(m.certified)],
        ['what certifying adds to a run', f(m.certified - m.plain)],
      ], ['left', 'right']),
      '',
      `A witness on loopback (this process): add-checkpoint round trip median ${f(w.medianMs)} ms (p90 ${f(w.p90Ms)}), one at a time over ${w.sequential} requests;`,
      `${w.perSecond.toFixed(0)} cosignatures/s with ${w.inFlight} requests in flight (${w.concurrent} requests); of a round trip, the ML-DSA-44 signature alone is ${f(w.signMs)} ms`,
      '',
      machineLine(machine),
    ].join('\n');
    const data = { suite: 'trust', startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), machine, awre: ownVersion(), rounds, ms: m, samples: t, witness: w };
    if (write !== false && !quick) writeResults('trust', data, startedAt);
    return { data, text, ok: true };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** A witness in this process, enrolled for one certified run; its final checkpoint re-submitted (each answer is a fresh cosignature). */
async function witnessCost(home: string, node: string, quick: boolean) {
  const log = join(home, 'run--1-n.log');
  const lines = readFileSync(log, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Tuple);
  const cert = lines.find((x) => x.kind === 'certificate')!.certificate!;
  const final = [...lines].reverse().find((x) => x.kind === 'checkpoint')!.checkpoint!;
  const kp = ml_dsa44.keygen();
  const witness = new Witness({ dir: join(home, 'witness'), key: { name: 'awre.bench/witness', ...kp }, nodes: [parseNodeIdentity(readFileSync(nodePaths(node).pub, 'utf8'))] });
  const { server, port } = await witness.listen(0);
  const url = `http://127.0.0.1:${port}`;
  try {
    const post = async (path: string, body: string) => {
      const r = await fetch(`${url}${path}`, { method: 'POST', body });
      const text = await r.text();
      if (r.status !== 200) throw new Error(`${path}: ${r.status} ${text}`);
    };
    await post('/awre/enroll-run', JSON.stringify(cert));
    await post('/add-checkpoint', addCheckpointBody(0, [], final.note));
    const again = addCheckpointBody(final.size, [], final.note);
    const sequential = quick ? 20 : 200;
    const times: number[] = [];
    for (let i = 0; i < sequential; i++) times.push(await timed(() => post('/add-checkpoint', again)));
    times.sort((a, b) => a - b);
    const inFlight = 8, concurrent = quick ? 40 : 400;
    let next = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: inFlight }, async () => { while (next++ < concurrent) await post('/add-checkpoint', again); }));
    const perSecond = concurrent / ((performance.now() - t0) / 1000);
    const msg = new Uint8Array(120);
    const signs: number[] = [];
    for (let i = 0; i < 50; i++) signs.push(await timed(() => ml_dsa44.sign(msg, kp.secretKey)));
    return { sequential, medianMs: median(times), p90Ms: times[Math.floor(times.length * 0.9)]!, inFlight, concurrent, perSecond, signMs: median(signs) };
  } finally {
    server.close();
  }
}

export const suite: Suite = { name: 'trust', description: 'the node identity: awre init, opening a node, and what a certified boot adds', run };
