// The QRNG feed and the DRBG seeder (host/qrng/feed.ts, seeder.ts): the
// start-up test before any output, fail-closed on a health alarm with a typed
// error and an event, recovery only through reset(); seeds that reach the
// enclave DRBG exactly as docs/qrng.md says (checked by seeding a second
// enclave by hand from the escrowed seed), commitments, the escrow hook, the
// reseed interval, and a replay from the escrow.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { abi, AwreError, Enclave, qrng, readModule } from '../host/index.js';
import { PhysicalMemory } from '../host/waven/physical.js';
import { bytesToHex, indexOfBytes } from './helpers/hex.js';
import { DEFAULT_SEED, Prng } from './helpers/prng.js';

const rng = new Prng(`${DEFAULT_SEED}/qrng-feed`);
const plain = readModule('enclave.test.wasm'); // the test build: drbgOut() needs drbg_generate_test

/** A source that is good (sim) until `stickAt` bytes, then constant; `healed` makes it good again. */
class FlakySource implements qrng.EntropySource {
  readonly kind = 'file' as const;
  readonly label = 'file:/dev/flaky';
  readonly quantum = true;
  readonly minEntropy = 8;
  healed = false;
  private served = 0;
  private readonly good = new qrng.SimSource('f1a4');
  constructor(private readonly stickAt: number) {}
  async read(n: number): Promise<Uint8Array> {
    const out = await this.good.read(n);
    for (let i = 0; i < n; i++) if (!this.healed && this.served + i >= this.stickAt) out[i] = 0x42;
    this.served += n;
    return out;
  }
  async close(): Promise<void> {}
}

/** DRBG output through the test-only export (the state's fingerprint). */
function drbgOut(e: Enclave, n = 64): string {
  expect(e.exports.drbg_generate_test!(e.io, n, e.io, 0)).toBe(0);
  const out = bytesToHex(e.get(0, n));
  e.wipe(0, n);
  return out;
}

/** An enclave seeded by hand as docs/qrng.md says the seeder does. */
function byHand(seed: Uint8Array): Enclave {
  const e = new Enclave(plain);
  e.put(0, seed);
  e.put(48, qrng.PERSONALIZATION);
  expect(e.exports.drbg_instantiate(e.io, 48, e.io, 0, e.io + 48, qrng.PERSONALIZATION.length)).toBe(0);
  e.wipe(0, 64);
  return e;
}

function reseedByHand(e: Enclave, seed: Uint8Array, epoch: number): void {
  const add = new Uint8Array(8);
  new DataView(add.buffer).setBigUint64(0, BigInt(epoch), true);
  e.put(0, seed);
  e.put(48, add);
  expect(e.exports.drbg_reseed(e.io, 48, e.io + 48, 8)).toBe(0);
  e.wipe(0, 56);
}

async function rejects(p: Promise<unknown>, code: string): Promise<AwreError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(AwreError);
  expect((err as AwreError).code).toBe(code);
  return err as AwreError;
}

describe('the feed', () => {
  it('runs the 1,024-sample start-up test before the first seed and discards those samples', async () => {
    const feed = qrng.openFeed('sim:01');
    const events: qrng.FeedEvent[] = [];
    feed.onEvent((e) => events.push(e));
    expect(feed.state).toBe('idle');
    const m = await feed.seed();
    expect(feed.state).toBe('ready');
    expect(events.map((e) => e.kind)).toEqual(['qrng-startup']);
    const c = feed.counters();
    expect(c.startup).toEqual({ required: 1024, passed: true });
    expect(c.rawBytesDiscarded).toBe(1024);
    expect(c.samples).toBe(c.rawBytesRead);
    expect(m).toMatchObject({ bits: 384, rawBytes: qrng.rawBytesPerSeed(8), osMixed: false, quantum: false });
    expect(m.seed.length).toBe(48);
    expect(qrng.rawBytesPerSeed(8)).toBe(56);
    expect(qrng.rawBytesPerSeed(1)).toBe(448);
  });

  it('seeds are SHA3-384 of the tested raw samples (no OS mix for sim); the same sim seed repeats', async () => {
    const a = qrng.openFeed('sim:abcd', { chunk: 56 });
    const raw = await new qrng.SimSource('abcd').read(1024 + 56);
    const want = qrng.condition(raw.subarray(1024), new Uint8Array(0));
    expect(bytesToHex((await a.seed()).seed)).toBe(bytesToHex(want));
    const b = qrng.openFeed('sim:abcd', { chunk: 56 });
    await b.seed();
    expect(bytesToHex((await a.seed()).seed)).toBe(bytesToHex((await b.seed()).seed));
    const mixed = qrng.openFeed('sim:abcd', { chunk: 56, mixOs: true });
    const m = await mixed.seed();
    expect(m.osMixed).toBe(true);
    expect(bytesToHex(m.seed)).not.toBe(bytesToHex(want));
    expect((await qrng.openFeed('os').seed()).osMixed).toBe(true);
  });

  it('a source stuck from the start fails the start-up test: nothing is served', async () => {
    const feed = new qrng.QrngFeed(new FlakySource(0));
    const err = await rejects(feed.start(), 'QRNG_HEALTH');
    expect(err.message).toMatch(/file:\/dev\/flaky: SP 800-90B Repetition Count Test \(rct\) failed at sample 3/);
    await rejects(feed.seed(), 'QRNG_HEALTH');
    expect(feed.state).toBe('failed');
  });

  it('a source that sticks later: the feed fails closed, names the test, keeps failing until reset()', async () => {
    const src = new FlakySource(5000);
    const feed = new qrng.QrngFeed(src, { chunk: 512 });
    const events: qrng.FeedEvent[] = [];
    feed.onEvent((e) => events.push(e));
    let served = 0;
    let err: AwreError | undefined;
    for (let i = 0; i < 200 && !err; i++) {
      try { await feed.seed(); served++; } catch (e) { err = e as AwreError; }
    }
    expect(err?.code).toBe('QRNG_HEALTH');
    expect(served).toBeGreaterThan(0);
    expect(1024 + served * 56, 'only bytes before the stick were served').toBeLessThanOrEqual(5000);
    const got = err!.got as { test: string; source: string; counters: qrng.FeedCounters };
    expect(got.test).toBe('rct');
    expect(got.source).toBe('file:/dev/flaky');
    expect(got.counters.rct.alarms).toBe(1);
    expect(err!.message).toMatch(/cutoff 4/);
    expect(events.filter((e) => e.kind === 'qrng-failure')).toHaveLength(1);
    for (let i = 0; i < 3; i++) {
      const again = await rejects(feed.seed(), 'QRNG_HEALTH');
      expect(again.message).toBe(err!.message);
    }
    await rejects(feed.start(), 'QRNG_HEALTH');
    // Still broken: reset runs the start-up test again, which fails again.
    await rejects(feed.reset(), 'QRNG_HEALTH');
    src.healed = true;
    await feed.reset();
    expect(feed.state).toBe('ready');
    const c = feed.counters();
    expect(c.resets).toBe(2);
    expect(c.samples).toBe(1024);
    expect(events.map((e) => e.kind).slice(-2)).toEqual(['qrng-reset', 'qrng-startup']);
    expect((await feed.seed()).seed.length).toBe(48);
  });

  it('after close() nothing is served; the pool is gone', async () => {
    const feed = qrng.openFeed('sim:0c');
    await feed.seed();
    await feed.close();
    expect(feed.state).toBe('closed');
    await rejects(feed.seed(), 'QRNG_SOURCE');
    await rejects(feed.reset(), 'QRNG_SOURCE');
  });

  it('a capture that runs out stays out: no byte is served twice', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'awre-feed-')), 'cap.bin');
    writeFileSync(path, await new qrng.SimSource('ca09').read(2048));
    const feed = qrng.openFeed(`file:${path}`, { mixOs: false, chunk: 64 });
    const seeds = new Set<string>();
    let err: AwreError | undefined;
    for (let i = 0; i < 40 && !err; i++) {
      try { seeds.add(bytesToHex((await feed.seed()).seed)); } catch (e) { err = e as AwreError; }
    }
    expect(err?.code).toBe('QRNG_SOURCE');
    expect(err!.message).toMatch(/end of file/);
    expect(seeds.size).toBe(Math.floor((2048 - 1024) / 64));
    for (let i = 0; i < 3; i++) expect((await rejects(feed.seed(), 'QRNG_SOURCE')).message).toBe(err!.message);
  });

  it('a source that returns fewer samples than asked is a source error', async () => {
    const short: qrng.EntropySource = { kind: 'file', label: 'file:short', quantum: false, minEntropy: 8, read: async (n) => new Uint8Array(n - 1), close: async () => {} };
    await rejects(new qrng.QrngFeed(short).seed(), 'QRNG_SOURCE');
  });

  it('a longer start-up test is reported as such until it has run', async () => {
    const feed = qrng.openFeed('sim:03', { startupSamples: 4096 });
    expect(feed.counters().startup).toEqual({ required: 4096, passed: false });
    await feed.seed();
    expect(feed.counters().startup).toEqual({ required: 4096, passed: true });
    expect(feed.counters().rawBytesDiscarded).toBe(4096);
  });

  it('a biased source trips the APT through the feed', async () => {
    const rng2 = new Prng('qrng-feed/biased');
    const biased: qrng.EntropySource = {
      kind: 'file', label: 'file:biased', quantum: true, minEntropy: 8,
      read: async (n) => rng2.bytes(n).map((v, i) => (i % 2 === 0 ? 0x55 : v === 0x55 ? 0x56 : v)),
      close: async () => {},
    };
    const err = await rejects(new qrng.QrngFeed(biased).seed(), 'QRNG_HEALTH');
    expect((err.got as { test: string }).test).toBe('apt');
    expect(err.message).toMatch(/Adaptive Proportion Test \(apt\)/);
  });

  it('options are validated once, with typed errors', () => {
    const src = new qrng.SimSource('00');
    expect(() => new qrng.QrngFeed(src, { chunk: 0 })).toThrow(/"chunk"/);
    expect(() => new qrng.QrngFeed(src, { startupSamples: 1023 })).toThrow(/"startupSamples"/);
    expect(() => new qrng.DrbgSeeder(new qrng.QrngFeed(src), { reseedAfter: 65_281 })).toThrow(/"reseedAfter"/);
    expect(() => new qrng.DrbgSeeder(new qrng.QrngFeed(src), { reseedAfter: 0 })).toThrow(/"reseedAfter"/);
  });
});

describe('seeding the enclave DRBG', () => {
  it('boot instantiates from the seed exactly as documented; the event commits to it; the window is wiped', async () => {
    const escrow: qrng.EscrowRecord[] = [];
    const events: qrng.SeedEvent[] = [];
    const seeder = new qrng.DrbgSeeder(qrng.openFeed('sim:5eed'), { escrow: (r) => escrow.push(r), onEvent: (e) => events.push(e) });
    const e = new Enclave(plain);
    const ev = await seeder.boot(e);
    expect(ev).toMatchObject({ kind: 'seed', reason: 'boot', tenant: 'enclave', epoch: 0, bits: 384, rawBytes: 56, osMixed: false, quantum: false });
    expect(ev.source).toMatch(/^sim#/);
    expect(events).toEqual([ev]);
    expect(escrow).toHaveLength(1);
    expect(ev.commitment).toBe(qrng.commitment(0, escrow[0]!.seed));
    expect(e.get(0, 64).every((b) => b === 0)).toBe(true);
    expect(indexOfBytes(e.memory(), escrow[0]!.seed)).toBe(-1);
    expect(JSON.stringify(ev)).not.toContain(bytesToHex(escrow[0]!.seed));
    expect(e.exports.drbg_requests()).toBe(0);
    expect(drbgOut(e)).toBe(drbgOut(byHand(escrow[0]!.seed)));
  });

  it('reseeds at the interval and on demand; each reseed matches a reseed by hand', async () => {
    const escrow: qrng.EscrowRecord[] = [];
    const seeder = new qrng.DrbgSeeder(qrng.openFeed('sim:77'), { reseedAfter: 3, escrow: (r) => escrow.push(r) });
    const e = new Enclave(plain);
    await expect(seeder.reseed(e)).rejects.toThrow(/reseed before boot/);
    await seeder.boot(e);
    const twin = byHand(escrow[0]!.seed);
    const events: (qrng.SeedEvent | undefined)[] = [];
    for (let i = 0; i < 7; i++) {
      for (const x of [e, twin]) expect(x.exports.vault_free(x.exports.vault_kem_keygen(768))).toBe(0);
      const ev = await seeder.maybeReseed(e);
      events.push(ev);
      if (ev) reseedByHand(twin, escrow[escrow.length - 1]!.seed, ev.epoch);
    }
    expect(events.map((v) => v?.epoch)).toEqual([undefined, undefined, 1, undefined, undefined, 2, undefined]);
    expect(events[2]).toMatchObject({ kind: 'reseed', reason: 'interval', requests: 3 });
    const demand = await seeder.reseed(e);
    reseedByHand(twin, escrow[escrow.length - 1]!.seed, 3);
    expect(demand).toMatchObject({ kind: 'reseed', reason: 'demand', epoch: 3, requests: 1 });
    expect(seeder.epoch('enclave')).toBe(3);
    expect(drbgOut(e)).toBe(drbgOut(twin));
    const commitments = escrow.map((r) => r.commitment);
    expect(new Set(commitments).size).toBe(commitments.length);
  });

  it('a failing feed stops reseeding with QRNG_HEALTH and leaves the DRBG as it was', async () => {
    const escrow: qrng.EscrowRecord[] = [];
    const seeder = new qrng.DrbgSeeder(new qrng.QrngFeed(new FlakySource(1024 + 2 * 56), { chunk: 56 }), { escrow: (r) => escrow.push(r) });
    const e = new Enclave(plain);
    await seeder.boot(e);
    await seeder.reseed(e);
    const x = e.exports.drbg_requests();
    const err = await rejects(seeder.reseed(e), 'QRNG_HEALTH');
    for (const r of escrow) expect(JSON.stringify({ m: err.message, g: err.got })).not.toContain(bytesToHex(r.seed).slice(0, 16));
    expect(escrow).toHaveLength(2);
    expect(e.exports.drbg_requests()).toBe(x);
    expect(seeder.epoch('enclave')).toBe(1);
    const twin = byHand(escrow[0]!.seed);
    reseedByHand(twin, escrow[1]!.seed, 1);
    expect(drbgOut(e)).toBe(drbgOut(twin));
  });

  it('concurrent reseeds of one tenant get distinct epochs; a second boot of a tenant is refused', async () => {
    const escrow: qrng.EscrowRecord[] = [];
    const seeder = new qrng.DrbgSeeder(qrng.openFeed('os'), { escrow: (r) => escrow.push(r) });
    const e = new Enclave(plain);
    await seeder.boot(e);
    const evs = await Promise.all([seeder.reseed(e), seeder.reseed(e), seeder.reseed(e)]);
    expect(evs.map((v) => v.epoch)).toEqual([1, 2, 3]);
    expect(escrow.map((r) => r.epoch)).toEqual([0, 1, 2, 3]);
    await rejects(seeder.boot(new Enclave(plain)), 'QRNG_CONFIG');
    expect((await seeder.boot(new Enclave(plain), 'second')).epoch).toBe(0);
  });

  it('an escrow that fails leaves the DRBG unseeded (no seed in use that the escrow lacks)', async () => {
    const seeder = new qrng.DrbgSeeder(qrng.openFeed('os'), { escrow: () => { throw new Error('disk full'); } });
    const e = new Enclave(plain);
    await expect(seeder.boot(e)).rejects.toThrow(/disk full/);
    expect(e.exports.drbg_requests()).toBe(abi.ERR_DRBG_UNSEEDED);
  });

  it('two WAVEN tenants on one physical memory get their own seeds and epochs', async () => {
    const phys = new PhysicalMemory();
    const waven = readModule('enclave.waven.wasm');
    const [a, b] = ['initiator', 'responder'].map((n) => new Enclave(waven, { mmu: 'waven', physical: phys, instance: n }));
    const seeder = new qrng.DrbgSeeder(qrng.openFeed('os'));
    const ea = await seeder.boot(a!);
    const eb = await seeder.boot(b!);
    await seeder.reseed(b!);
    expect([ea.tenant, eb.tenant, seeder.epoch('initiator'), seeder.epoch('responder')]).toEqual(['initiator', 'responder', 0, 1]);
    expect(ea.commitment).not.toBe(eb.commitment);
    expect(a!.exports.vault_kem_keygen(768)).toBeGreaterThan(0);
    expect(b!.exports.vault_dsa_keygen(65)).toBeGreaterThan(0);
  });
});

describe('replay from the escrow', () => {
  function escrowOf(records: qrng.EscrowRecord[], tamper = -1): qrng.EscrowReader {
    return {
      label: 'test-escrow',
      seed(tenant, epoch) {
        const r = records.find((x) => x.tenant === tenant && x.epoch === epoch);
        if (!r) return undefined;
        const seed = r.seed.slice();
        if (epoch === tamper) seed[0]! ^= 1;
        return { tenant, epoch, commitment: r.commitment, seed, ...r.material };
      },
    };
  }

  it('reproduces the recorded DRBG state and events; a tampered or missing seed is QRNG_REPLAY', async () => {
    const records: qrng.EscrowRecord[] = [];
    const live = new qrng.DrbgSeeder(qrng.openFeed('os'), { escrow: (r) => records.push(r) });
    const e = new Enclave(plain);
    const recorded = [await live.boot(e), await live.reseed(e), await live.reseed(e)];
    const replay = new qrng.DrbgSeeder(new qrng.ReplayProvider(escrowOf(records)));
    const r = new Enclave(plain);
    const replayed = [await replay.boot(r), await replay.reseed(r), await replay.reseed(r)];
    expect(replayed.map((v) => v.commitment)).toEqual(recorded.map((v) => v.commitment));
    expect(replayed.map((v) => v.source)).toEqual(['os', 'os', 'os']);
    expect(drbgOut(r)).toBe(drbgOut(e));
    await rejects(replay.reseed(r), 'QRNG_REPLAY');
    const bad = new qrng.DrbgSeeder(new qrng.ReplayProvider(escrowOf(records, 1)));
    const t = new Enclave(plain);
    await bad.boot(t);
    const err = await rejects(bad.reseed(t), 'QRNG_REPLAY');
    expect(err.expected).toBe(records[1]!.commitment);
    expect(err.message).toMatch(/does not match its commitment/);
  });
});

it('the status of an unseeded DRBG reaches the seeder as a typed error', async () => {
  const seeder = new qrng.DrbgSeeder(qrng.openFeed('sim:02'));
  const e = new Enclave(plain);
  const err = await rejects(seeder.maybeReseed(e), 'DRBG_UNSEEDED');
  expect(err.status).toBe(abi.ERR_DRBG_UNSEEDED);
  void rng;
});
