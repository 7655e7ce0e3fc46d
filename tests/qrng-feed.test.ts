// The QRNG feed and the DRBG seeder (host/qrng/feed.ts, seeder.ts): the
// start-up test before any output, fail-closed on a health alarm with a typed
// error and an event, recovery only through reset(); seeds that reach the
// enclave DRBG exactly as docs/qrng.md says (checked by seeding a second
// enclave by hand from seeds computed here), commitments, the escrow hook, the
// reseed interval, and a replay from the escrow. Expected seeds and
// commitments come from helpers/qrng-ref.ts (docs/qrng.md, @noble/hashes) and
// the raw and OS bytes the feed actually drew, never from host/qrng/.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { abi, AwreError, Enclave, qrng, readModule } from '../host/index.js';
import { PhysicalMemory } from '../host/waven/physical.js';
import { bytesToHex, concat, indexOfBytes } from './helpers/hex.js';
import { DEFAULT_SEED, Prng } from './helpers/prng.js';
import { commitmentRef, conditionRef, PERSONALIZATION_REF, rawBytesRef } from './helpers/qrng-ref.js';

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

/** A source that keeps a copy of every byte it served, in order (the feed wipes its own copies). */
function recorded(src: qrng.EntropySource): { source: qrng.EntropySource; served: () => Uint8Array } {
  const log: Uint8Array[] = [];
  const source: qrng.EntropySource = {
    kind: src.kind, label: src.label, quantum: src.quantum, minEntropy: src.minEntropy,
    read: async (n) => { const b = await src.read(n); log.push(Uint8Array.from(b)); return b; },
    close: () => src.close(),
  };
  return { source, served: () => concat(...log) };
}

/** Deterministic test bytes under a given claim (kind 'file': the OS mix is on by default). */
function prngSource(minEntropy: number): qrng.EntropySource {
  const r = rng.fork(`source/${minEntropy}`);
  return { kind: 'file', label: `file:prng/${minEntropy}`, quantum: false, minEntropy, read: async (n) => r.bytes(n), close: async () => {} };
}

/** The raw bytes of seed k: the feed discards the start-up samples, then serves the tested bytes in order. */
const rawOf = (served: Uint8Array, k: number, n = 56, startup = 1024) => served.subarray(startup + k * n, startup + (k + 1) * n);

/** Copies of what crypto.getRandomValues returned while `fn` ran (the feed zeroes its OS mix after use). */
async function capturingOs<T>(fn: () => Promise<T>): Promise<{ result: T; os: Uint8Array[] }> {
  const c = globalThis.crypto;
  const real = c.getRandomValues.bind(c);
  const os: Uint8Array[] = [];
  const spy = vi.spyOn(c, 'getRandomValues').mockImplementation(((a: Uint8Array) => {
    const r = real(a);
    os.push(Uint8Array.from(r));
    return r;
  }) as never);
  try {
    return { result: await fn(), os };
  } finally {
    spy.mockRestore();
  }
}

const hex = bytesToHex;

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
  e.put(48, PERSONALIZATION_REF); // the doc's string, not the seeder's constant
  expect(e.exports.drbg_instantiate(e.io, 48, e.io, 0, e.io + 48, PERSONALIZATION_REF.length)).toBe(0);
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
    expect(m).toMatchObject({ bits: 384, rawBytes: 56, osMixed: false, quantum: false });
    expect(m.seed.length).toBe(48);
    expect(qrng.rawBytesPerSeed(8)).toBe(56);
    expect(qrng.rawBytesPerSeed(1)).toBe(448);
  });

  it('seeds are SHA3-384 of the tested raw samples as docs/qrng.md writes it (no OS mix for sim); the same sim seed repeats', async () => {
    const { source, served } = recorded(new qrng.SimSource('abcd'));
    const a = new qrng.QrngFeed(source, { chunk: 56 });
    const { result: seeds, os } = await capturingOs(async () => [await a.seed(), await a.seed()]);
    expect(os, 'sim: no OS bytes drawn by default').toEqual([]);
    const want = [0, 1].map((k) => hex(conditionRef(rawOf(served(), k))));
    expect(seeds.map((m) => hex(m.seed))).toEqual(want);
    expect(seeds.map((m) => m.osMixed)).toEqual([false, false]);
    const b = qrng.openFeed('sim:abcd', { chunk: 56 });
    expect([hex((await b.seed()).seed), hex((await b.seed()).seed)]).toEqual(want);
  });

  it('each seed conditions the next ceil(448 / H) tested raw bytes (56 at H = 8, 64 at 7, 180 at 2.5, 448 at 1)', async () => {
    const cases: [num: number, den: number, chunk: number, n: number][] = [[8, 1, 1024, 56], [7, 1, 64, 64], [5, 2, 1, 180], [1, 1, 100, 448]];
    for (const [num, den, chunk, n] of cases) {
      expect(rawBytesRef(num, den)).toBe(n);
      const { source, served } = recorded(prngSource(num / den));
      const feed = new qrng.QrngFeed(source, { mixOs: false, chunk });
      for (let k = 0; k < 3; k++) {
        const m = await feed.seed();
        expect(m.rawBytes, `H = ${num}/${den}`).toBe(n);
        expect(hex(m.seed), `H = ${num}/${den}, seed ${k}`).toBe(hex(conditionRef(rawOf(served(), k, n))));
      }
      expect(feed.counters().rawBytesUsed).toBe(3 * n);
    }
  });

  it('the OS mix: 48 OS bytes per seed after the raw bytes (the default for every source but sim)', async () => {
    const sources: [string, qrng.EntropySource, qrng.FeedOptions][] = [
      ['file', prngSource(8), {}],
      ['os', qrng.openSource('os'), {}],
      ['sim, mixOs: true', new qrng.SimSource('abcd'), { mixOs: true }],
    ];
    for (const [what, src, options] of sources) {
      const { source, served } = recorded(src);
      const feed = new qrng.QrngFeed(source, options);
      const { result: seeds, os } = await capturingOs(async () => [await feed.seed(), await feed.seed()]);
      // Raw reads here are 1,024 bytes, so the 48-byte draws are the mix.
      const mixes = os.filter((b) => b.length === 48);
      expect(mixes, `${what}: one 48-byte OS draw per seed`).toHaveLength(2);
      expect(seeds.map((m) => m.osMixed)).toEqual([true, true]);
      expect(seeds.map((m) => hex(m.seed)), what).toEqual([0, 1].map((k) => hex(conditionRef(rawOf(served(), k), mixes[k]))));
    }
  });

  it('condition() and commitment() match the documented constructions, lengths and epochs past 32 bits included', () => {
    const r = rng.fork('direct');
    for (const [rawLen, osLen] of [[0, 0], [1, 48], [56, 0], [300, 48], [70_000, 48]] as const) {
      const raw = r.bytes(rawLen), os = r.bytes(osLen);
      expect(hex(qrng.condition(raw, os)), `|raw| = ${rawLen}, |os| = ${osLen}`).toBe(hex(conditionRef(raw, os)));
    }
    const seed = r.bytes(48);
    for (const epoch of [0, 1, 255, 256, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1]) {
      expect(qrng.commitment(epoch, seed), `epoch ${epoch}`).toBe(commitmentRef(epoch, seed));
    }
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
    // Healed, but a failed feed stays failed until an operator's reset(): it never re-opens by itself.
    await rejects(feed.seed(), 'QRNG_HEALTH');
    await rejects(feed.start(), 'QRNG_HEALTH');
    expect(feed.state).toBe('failed');
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
    const { source, served } = recorded(new qrng.SimSource('5eed'));
    const seeder = new qrng.DrbgSeeder(new qrng.QrngFeed(source), { escrow: (r) => escrow.push(r), onEvent: (e) => events.push(e) });
    const e = new Enclave(plain);
    const ev = await seeder.boot(e);
    const seed = conditionRef(rawOf(served(), 0));
    expect(ev).toMatchObject({ kind: 'seed', reason: 'boot', tenant: 'enclave', epoch: 0, bits: 384, rawBytes: 56, osMixed: false, quantum: false });
    expect(ev.source).toMatch(/^sim#/);
    expect(events).toEqual([ev]);
    expect(escrow).toHaveLength(1);
    expect(hex(escrow[0]!.seed)).toBe(hex(seed));
    expect(ev.commitment).toBe(commitmentRef(0, seed));
    expect(escrow[0]!.commitment).toBe(ev.commitment);
    expect(e.get(0, 64).every((b) => b === 0)).toBe(true);
    expect(indexOfBytes(e.memory(), escrow[0]!.seed)).toBe(-1);
    expect(JSON.stringify(ev)).not.toContain(bytesToHex(escrow[0]!.seed));
    expect(e.exports.drbg_requests()).toBe(0);
    expect(drbgOut(e)).toBe(drbgOut(byHand(seed)));
  });

  it('reseeds at the interval and on demand; each reseed matches a reseed by hand', async () => {
    const escrow: qrng.EscrowRecord[] = [];
    const { source, served } = recorded(new qrng.SimSource('77'));
    const seeder = new qrng.DrbgSeeder(new qrng.QrngFeed(source), { reseedAfter: 3, escrow: (r) => escrow.push(r) });
    const seedOf = (epoch: number) => conditionRef(rawOf(served(), epoch)); // one seed per epoch, in order
    const e = new Enclave(plain);
    await expect(seeder.reseed(e)).rejects.toThrow(/reseed before boot/);
    const boot = await seeder.boot(e);
    const twin = byHand(seedOf(0));
    const events: (qrng.SeedEvent | undefined)[] = [];
    for (let i = 0; i < 7; i++) {
      for (const x of [e, twin]) expect(x.exports.vault_free(x.exports.vault_kem_keygen(768))).toBe(0);
      const ev = await seeder.maybeReseed(e);
      events.push(ev);
      if (ev) reseedByHand(twin, seedOf(ev.epoch), ev.epoch);
    }
    expect(events.map((v) => v?.epoch)).toEqual([undefined, undefined, 1, undefined, undefined, 2, undefined]);
    expect(events[2]).toMatchObject({ kind: 'reseed', reason: 'interval', requests: 3 });
    const demand = await seeder.reseed(e);
    reseedByHand(twin, seedOf(3), 3);
    expect(demand).toMatchObject({ kind: 'reseed', reason: 'demand', epoch: 3, requests: 1 });
    expect(seeder.epoch('enclave')).toBe(3);
    expect(drbgOut(e)).toBe(drbgOut(twin));
    // Seeds, and commitments at epochs 0..3, as documented: a dropped or mis-encoded epoch shows here.
    const want = [0, 1, 2, 3].map((k) => commitmentRef(k, seedOf(k)));
    expect(escrow.map((r) => hex(r.seed))).toEqual([0, 1, 2, 3].map((k) => hex(seedOf(k))));
    expect(escrow.map((r) => r.commitment)).toEqual(want);
    expect([boot, events[2], events[5], demand].map((v) => v!.commitment)).toEqual(want);
  });

  it('the commitment binds the epoch: one seed served at epochs 0..3 gets four distinct documented commitments', async () => {
    const fixed = rng.fork('fixed-seed').bytes(48);
    const material = await qrng.openFeed('sim:01').seed();
    const provider: qrng.SeedProvider = { seedFor: async () => ({ ...material, seed: fixed.slice() }) };
    const seeder = new qrng.DrbgSeeder(provider);
    const e = new Enclave(plain);
    const evs = [await seeder.boot(e)];
    for (let k = 1; k <= 3; k++) evs.push(await seeder.reseed(e));
    const want = [0, 1, 2, 3].map((k) => commitmentRef(k, fixed));
    expect(new Set(want).size).toBe(4);
    expect(evs.map((v) => v.commitment)).toEqual(want);
  });

  it('a failing feed stops reseeding with QRNG_HEALTH and leaves the DRBG as it was', async () => {
    const escrow: qrng.EscrowRecord[] = [];
    const { source, served } = recorded(new FlakySource(1024 + 2 * 56));
    const seeder = new qrng.DrbgSeeder(new qrng.QrngFeed(source, { chunk: 56 }), { escrow: (r) => escrow.push(r) });
    const e = new Enclave(plain);
    // A 'file' source: the OS mix is on, so the reference takes the 48 bytes the feed drew.
    const { os } = await capturingOs(async () => { await seeder.boot(e); await seeder.reseed(e); });
    const mixes = os.filter((m) => m.length === 48);
    expect(mixes).toHaveLength(2);
    const x = e.exports.drbg_requests();
    const err = await rejects(seeder.reseed(e), 'QRNG_HEALTH');
    for (const r of escrow) expect(JSON.stringify({ m: err.message, g: err.got })).not.toContain(bytesToHex(r.seed).slice(0, 16));
    expect(escrow).toHaveLength(2);
    expect(e.exports.drbg_requests()).toBe(x);
    expect(seeder.epoch('enclave')).toBe(1);
    const seeds = [0, 1].map((k) => conditionRef(rawOf(served(), k), mixes[k]));
    expect(escrow.map((r) => hex(r.seed))).toEqual(seeds.map(hex));
    const twin = byHand(seeds[0]!);
    reseedByHand(twin, seeds[1]!, 1);
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
    expect(escrow.map((r) => r.commitment)).toEqual(escrow.map((r) => commitmentRef(r.epoch, r.seed)));
    expect(evs.map((v) => v.commitment)).toEqual(escrow.slice(1).map((r) => r.commitment));
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
    expect(b!.exports.vault_dsa_keygen(65, 3)).toBeGreaterThan(0);
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
    const logged = [await live.boot(e), await live.reseed(e), await live.reseed(e)];
    expect(logged.map((v) => v.commitment)).toEqual(records.map((r) => commitmentRef(r.epoch, r.seed)));
    const replay = new qrng.DrbgSeeder(new qrng.ReplayProvider(escrowOf(records)));
    const r = new Enclave(plain);
    const replayed = [await replay.boot(r), await replay.reseed(r), await replay.reseed(r)];
    expect(replayed.map((v) => v.commitment)).toEqual(logged.map((v) => v.commitment));
    expect(replayed.map((v) => v.source)).toEqual(['os', 'os', 'os']);
    expect(drbgOut(r)).toBe(drbgOut(e));
    await rejects(replay.reseed(r), 'QRNG_REPLAY');
    const bad = new qrng.DrbgSeeder(new qrng.ReplayProvider(escrowOf(records, 1)));
    const t = new Enclave(plain);
    await bad.boot(t);
    const err = await rejects(bad.reseed(t), 'QRNG_REPLAY');
    expect(err.expected).toBe(records[1]!.commitment);
    const tampered = records[1]!.seed.slice();
    tampered[0]! ^= 1;
    expect(err.got).toBe(commitmentRef(1, tampered));
    expect(err.message).toMatch(/does not match its commitment/);
  });
});

it('the status of an unseeded DRBG reaches the seeder as a typed error', async () => {
  const seeder = new qrng.DrbgSeeder(qrng.openFeed('sim:02'));
  const e = new Enclave(plain);
  const err = await rejects(seeder.maybeReseed(e), 'DRBG_UNSEEDED');
  expect(err.status).toBe(abi.ERR_DRBG_UNSEEDED);
});
