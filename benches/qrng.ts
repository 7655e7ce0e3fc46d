// Suite "qrng": is the QRNG feed a bottleneck? (issue: "report how long boot
// seeding takes and how much entropy a long run of handshakes consumes").
// 1. Boot seeding per source: a new feed (start-up test on 1,024 samples),
//    one seed, drbg_instantiate; median wall time over several boots.
// 2. A long run of PQC1 handshakes between two WAVEN tenants with the feed
//    reseeding each DRBG before its interval, at the default interval and at
//    a short one: DRBG requests per handshake, reseeds, raw bytes read, and
//    the share of the run's time spent in the feed.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Enclave, qrng, readModule, TenantPair } from '../host/index.js';
import { machineInfo, machineLine } from './lib/machine.js';
import { median } from './lib/stats.js';
import { ownVersion, writeResults } from './lib/results.js';
import { renderTable } from './lib/table.js';
import type { Suite, SuiteOptions, SuiteReport } from './lib/suite.js';

function anuFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'awre-bench-qrng-'));
  const path = join(dir, 'anu.json');
  const data = Array.from(globalThis.crypto.getRandomValues(new Uint8Array(1 << 16)));
  writeFileSync(path, JSON.stringify({ success: true, type: 'uint8', length: data.length, data }));
  return path;
}

async function bootTimes(specs: string[], boots: number): Promise<{ spec: string; ms: number; rawBytes: number }[]> {
  const plain = readModule();
  const rows = [];
  for (const spec of specs) {
    const times: number[] = [];
    let rawBytes = 0;
    for (let i = 0; i < boots; i++) {
      const e = new Enclave(plain);
      const t0 = performance.now();
      const feed = qrng.openFeed(spec);
      const ev = await new qrng.DrbgSeeder(feed).boot(e);
      times.push(performance.now() - t0);
      rawBytes = ev.health.rawBytesRead;
      await feed.close();
    }
    rows.push({ spec: spec.startsWith('anu:') ? 'anu:<file, 64 KiB uint8>' : spec, ms: median(times), rawBytes });
  }
  return rows;
}

async function handshakeRun(handshakes: number, reseedAfter: number | undefined) {
  const pair = new TenantPair();
  const feed = qrng.openFeed('os');
  const seeder = new qrng.DrbgSeeder(feed, reseedAfter === undefined ? {} : { reseedAfter });
  let feedMs = 0;
  const timed = async <T>(p: () => Promise<T>): Promise<T> => { const t = performance.now(); const r = await p(); feedMs += performance.now() - t; return r; };
  const t0 = performance.now();
  for (const e of [pair.initiator, pair.responder]) await timed(() => seeder.boot(e));
  pair.makeKeys();
  let requests = 0, reseeds = 0;
  for (let i = 0; i < handshakes; i++) {
    for (const e of [pair.initiator, pair.responder]) {
      const before = e.exports.drbg_requests();
      const ev = await timed(() => seeder.maybeReseed(e));
      if (ev) { reseeds++; requests += before; }
    }
    const h = pair.handshake(BigInt(i));
    pair.close(h);
  }
  const totalMs = performance.now() - t0;
  for (const e of [pair.initiator, pair.responder]) requests += e.exports.drbg_requests();
  const c = feed.counters();
  return {
    interval: reseedAfter ?? seeder.reseedAfter, handshakes, requestsPerHandshake: requests / handshakes, reseeds,
    rawBytesRead: c.rawBytesRead, rawBytesUsed: c.rawBytesUsed, bytesPerHandshake: c.rawBytesRead / handshakes,
    feedMs, totalMs, feedShare: feedMs / totalMs,
  };
}

async function run({ quick, log, write }: SuiteOptions): Promise<SuiteReport> {
  const startedAt = new Date();
  const boots = quick ? 3 : 15;
  const n = quick ? 100 : 2000;
  log(`qrng: boot seeding x ${boots} per source`);
  const boot = await bootTimes(['sim:00', 'os', 'file:/dev/urandom', `anu:${anuFile()}`], boots);
  log(`qrng: ${n} handshakes, default interval and every 64 requests`);
  const runs = [await handshakeRun(n, undefined), await handshakeRun(n, 64)];
  const m = machineInfo();
  const text = [
    'QRNG feed: boot seeding (new feed, 1,024-sample start-up test, one 48-byte seed, drbg_instantiate), median of ' + boots,
    '',
    renderTable(['source', 'boot ms', 'raw bytes read'], boot.map((b) => [b.spec, b.ms.toFixed(2), String(b.rawBytes)]), ['left', 'right', 'right']),
    '',
    `A long run: ${n} PQC1 handshakes (ML-KEM-768 + ML-DSA-65) between two WAVEN tenants, source os, reseeding before the interval`,
    '',
    renderTable(['reseed after', 'DRBG req/handshake', 'reseeds', 'raw bytes read', 'raw bytes/handshake', 'time in feed'],
      runs.map((r) => [`${r.interval} req`, r.requestsPerHandshake.toFixed(2), String(r.reseeds), String(r.rawBytesRead), r.bytesPerHandshake.toFixed(2),
        `${r.feedMs.toFixed(1)} ms of ${r.totalMs.toFixed(0)} ms (${(100 * r.feedShare).toFixed(2)}%)`]),
      ['left', 'right', 'right', 'right', 'right', 'right']),
    '',
    `machine: ${machineLine(m)}`,
  ].join('\n');
  const data = { suite: 'qrng', startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), machine: m, awre: ownVersion(), boot, runs };
  if (!quick && write !== false) log(`results: ${writeResults('qrng', data, startedAt).join(', ')}`);
  return { data, text, ok: true };
}

export const suite: Suite = { name: 'qrng', description: 'QRNG feed: boot seeding time and entropy consumed by a long run of handshakes', run };
