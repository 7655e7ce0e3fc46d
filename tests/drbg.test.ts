// The enclave DRBG (assembly/drbg.ts, docs/drbg.md) against an independent
// host-side implementation of the same construction, written here on
// @noble/hashes' SHAKE256 (not on the enclave's Keccak):
// - Known answers: instantiate / reseed / generate sequences with and without
//   nonce, personalization and additional input, output lengths 0, 1, 31, 32,
//   33, 1000, 65535 and 65536, inputs that cross the SHAKE256 rate, and a
//   long pseudo-random sequence of operations; one answer is also frozen as
//   hex, so that the construction cannot drift on both sides at once.
// - Limits: entropy below 32 bytes (ERR_LENGTH), a request above 65,536 bytes
//   (ERR_TOO_LARGE), the reseed interval (2^16 requests, run in full: request
//   2^16 + 1 is ERR_DRBG_RESEED until a reseed), calls before instantiate and
//   after uninstantiate (ERR_DRBG_UNSEEDED). A refused call writes nothing
//   and leaves the state as it was (the next answer still matches).
// - Memory: K is in the enclave's memory exactly where the model says, the
//   previous K is gone after every generate (the ratchet), the sponge
//   temporaries and the entropy are gone after every call, and
//   drbg_uninstantiate leaves no byte of K.
// - Pointers: every (pointer, length) outside the I/O window and an output
//   overlapping the additional input are ERR_ARG, with no trap and no byte of
//   the window changed; the module keeps working afterwards.
// drbg_generate_test is the test-only export that lets the host see output.
import { beforeEach, describe, expect, it } from 'vitest';
import { shake256 } from '@noble/hashes/sha3.js';
import * as nh from '@noble/hashes/sha3.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { abi, Enclave, readModule } from '../host/index.js';
import { bytesToHex, concat, indexOfBytes } from './helpers/hex.js';
import { DEFAULT_SEED, Prng } from './helpers/prng.js';

const hex = bytesToHex;

// ---- the independent model -------------------------------------------------------
// The limits are written out as docs/drbg.md states them (and checked against
// abi/lengths.ts below), not read from the code under test.
const MIN_ENTROPY = 32;
const MAX_REQUEST = 65536;
const RESEED_INTERVAL = 2 ** 16;
const TAG = new TextEncoder().encode('awre-drbg-v1');

const le32 = (n: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
};
const le64 = (n: number) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
};
const field = (b: Uint8Array) => concat(le32(b.length), b);

type Status = 'OK' | 'LENGTH' | 'TOO_LARGE' | 'UNSEEDED' | 'RESEED';

class ModelDrbg {
  key: Uint8Array | null = null;
  counter = 0;
  /** The whole SHAKE256 stream of the last call's first output block (136 bytes), for the memory checks. */
  lastBlock = new Uint8Array(0);

  instantiate(e: Uint8Array, n: Uint8Array, p: Uint8Array): Status {
    if (e.length < MIN_ENTROPY) return 'LENGTH';
    const z = shake256(concat(TAG, Uint8Array.of(0x01), field(e), field(n), field(p)), { dkLen: 136 });
    this.key = z.slice(0, 64);
    this.counter = 1;
    this.lastBlock = z;
    return 'OK';
  }

  reseed(e: Uint8Array, a: Uint8Array): Status {
    if (e.length < MIN_ENTROPY) return 'LENGTH';
    if (this.key === null) return 'UNSEEDED';
    const z = shake256(concat(TAG, Uint8Array.of(0x02), this.key, field(e), field(a)), { dkLen: 136 });
    this.key = z.slice(0, 64);
    this.counter = 1;
    this.lastBlock = z;
    return 'OK';
  }

  generate(len: number, a: Uint8Array): { status: Status; out?: Uint8Array } {
    if (len > MAX_REQUEST) return { status: 'TOO_LARGE' };
    if (this.key === null) return { status: 'UNSEEDED' };
    if (this.counter > RESEED_INTERVAL) return { status: 'RESEED' };
    const input = concat(TAG, Uint8Array.of(0x03), this.key, le64(this.counter), le32(len), field(a));
    const z = shake256(input, { dkLen: Math.max(64 + len, 136) });
    this.key = z.slice(0, 64);
    this.counter++;
    this.lastBlock = z.slice(0, 136);
    return { status: 'OK', out: z.slice(64, 64 + len) };
  }

  uninstantiate(): void {
    this.key = null;
    this.counter = 0;
  }
}

const STATUS: Record<Status, number> = {
  OK: abi.OK, LENGTH: abi.ERR_LENGTH, TOO_LARGE: abi.ERR_TOO_LARGE, UNSEEDED: abi.ERR_DRBG_UNSEEDED, RESEED: abi.ERR_DRBG_RESEED,
};

// ---- driving the enclave -----------------------------------------------------------

/** A fresh module (its own DRBG state) and the calls in host terms. */
class Harness {
  readonly en = new Enclave(readModule('enclave.test.wasm')); // the test build: it has drbg_generate_test
  readonly x = this.en.exports;
  readonly io = this.en.io;
  readonly N = this.en.ioBytes;

  /** Inputs laid out one after another from offset 0 of the window. */
  private place(...parts: Uint8Array[]): number[] {
    let off = 0;
    return parts.map((p) => {
      const at = this.en.put(off, p);
      off += p.length;
      return at;
    });
  }

  instantiate(e: Uint8Array, n: Uint8Array, p: Uint8Array): number {
    const [pe, pn, pp] = this.place(e, n, p);
    const st = this.x.drbg_instantiate(pe!, e.length, pn!, n.length, pp!, p.length);
    this.en.wipe(0, this.N);
    return st;
  }

  reseed(e: Uint8Array, a: Uint8Array): number {
    const [pe, pa] = this.place(e, a);
    const st = this.x.drbg_reseed(pe!, e.length, pa!, a.length);
    this.en.wipe(0, this.N);
    return st;
  }

  /** Additional input first, the output right after it (or the whole window when it fills it). */
  generate(len: number, a: Uint8Array): { status: number; out: Uint8Array } {
    const [pa] = this.place(a);
    const outOff = a.length + len <= this.N ? a.length : 0;
    const st = this.x.drbg_generate_test!(this.io + outOff, len, pa!, a.length);
    const out = this.en.get(outOff, len);
    this.en.wipe(0, this.N);
    return { status: st, out };
  }

  memory(): Uint8Array {
    return this.en.memory();
  }
}

/** Every index of `needle` in `hay`. */
function allIndexes(hay: Uint8Array, needle: Uint8Array): number[] {
  const out: number[] = [];
  let from = 0;
  for (;;) {
    const i = indexOfBytes(hay.subarray(from), needle);
    if (i === -1) return out;
    out.push(from + i);
    from += i + 1;
  }
}

/** The enclave and the model agree on one step (status, and output when OK). */
function step(h: Harness, m: ModelDrbg, op: Op, what: string): void {
  switch (op.kind) {
    case 'instantiate':
      expect(h.instantiate(op.e, op.n, op.p), what).toBe(STATUS[m.instantiate(op.e, op.n, op.p)]);
      break;
    case 'reseed':
      expect(h.reseed(op.e, op.a), what).toBe(STATUS[m.reseed(op.e, op.a)]);
      break;
    case 'generate': {
      const want = m.generate(op.len, op.a);
      const got = h.generate(op.len, op.a);
      expect(got.status, what).toBe(STATUS[want.status]);
      if (want.status === 'OK') {
        // Outputs run to 64 KiB: print only their heads on a mismatch.
        if (hex(got.out) !== hex(want.out!)) {
          expect.fail(`${what}: output (${op.len} bytes) ${hex(got.out).slice(0, 64)}.., model ${hex(want.out!).slice(0, 64)}..`);
        }
      }
      break;
    }
    case 'uninstantiate':
      expect(h.x.drbg_uninstantiate(), what).toBe(abi.OK);
      m.uninstantiate();
      break;
  }
}

type Op =
  | { kind: 'instantiate'; e: Uint8Array; n: Uint8Array; p: Uint8Array }
  | { kind: 'reseed'; e: Uint8Array; a: Uint8Array }
  | { kind: 'generate'; len: number; a: Uint8Array }
  | { kind: 'uninstantiate' };

const NONE = new Uint8Array(0);
const LENGTHS = [0, 1, 31, 32, 33, 1000, 65536];
const text = (s: string) => new TextEncoder().encode(s);

// ---- tests -------------------------------------------------------------------------

// instantiate(entropy 00 01 .. 1f, nonce "nonce", personalization "awre"), then
// generate(32, additional input "add"): the output and the new K. Computed
// with Python's hashlib.shake_256 (OpenSSL), a third SHAKE256, as docs/drbg.md shows.
const FROZEN_OUT = '9f997d7a89dcdebe56149da8eaabdcaf6874b23e737fc137f04dc3da977263ce';
const FROZEN_KEY = 'dc924a36b960652cf877193b51ef726abb1ebce858670a2b95136ad84d6c0acf'
  + 'dfd01ae0aa3e0e845b0d1100ca82bc5610c2da7996eb93b69c6d22ca3ea99b6c';

describe('ABI constants', () => {
  it('the limits and status codes are the documented ones', () => {
    expect(abi.DRBG_MIN_ENTROPY_BYTES).toBe(MIN_ENTROPY);
    expect(abi.DRBG_KEY_BYTES).toBe(64);
    expect(abi.DRBG_MAX_REQUEST_BYTES).toBe(MAX_REQUEST);
    expect(abi.DRBG_RESEED_INTERVAL).toBe(RESEED_INTERVAL);
    expect(abi.ERR_DRBG_UNSEEDED).toBe(-16);
    expect(abi.ERR_DRBG_RESEED).toBe(-17);
    // Every status code is distinct.
    const codes = Object.entries(abi).filter(([k]) => k === 'OK' || k.startsWith('ERR_')).map(([, v]) => v);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('the model reproduces a frozen answer (the construction has not drifted)', () => {
    const m = new ModelDrbg();
    m.instantiate(new Uint8Array(32).map((_, i) => i), text('nonce'), text('awre'));
    const out = m.generate(32, text('add')).out!;
    expect(hex(out)).toBe(FROZEN_OUT);
    expect(hex(m.key!)).toBe(FROZEN_KEY);
  });
});

describe('known answers against the model', () => {
  let h: Harness;
  let m: ModelDrbg;
  beforeEach(() => {
    h = new Harness();
    m = new ModelDrbg();
  });

  it('the frozen answer from the enclave', () => {
    expect(h.instantiate(new Uint8Array(32).map((_, i) => i), text('nonce'), text('awre'))).toBe(abi.OK);
    const g = h.generate(32, text('add'));
    expect(g.status).toBe(abi.OK);
    expect(hex(g.out)).toBe(FROZEN_OUT);
  });

  const rng = new Prng(`${DEFAULT_SEED}/drbg-kat`);
  const cases: { name: string; e: Uint8Array; n: Uint8Array; p: Uint8Array; add: (len: number) => Uint8Array }[] = [
    { name: '32-byte entropy, no nonce, no personalization, no additional input', e: rng.bytes(32), n: NONE, p: NONE, add: () => NONE },
    { name: '48-byte entropy, 16-byte nonce, personalization, additional input', e: rng.bytes(48), n: rng.bytes(16), p: text('awre vault / test'), add: (len) => (len < MAX_REQUEST ? rng.bytes(1 + (len % 50)) : NONE) },
    { name: 'personalization only', e: rng.bytes(32), n: NONE, p: rng.bytes(64), add: () => NONE },
    { name: 'additional input only, across the SHAKE256 rate', e: rng.bytes(33), n: NONE, p: NONE, add: (len) => (len < MAX_REQUEST - 300 ? rng.bytes(300) : NONE) },
    { name: 'long inputs (entropy 1000, nonce 200, personalization 500)', e: rng.bytes(1000), n: rng.bytes(200), p: rng.bytes(500), add: () => NONE },
  ];
  for (const c of cases) {
    it(`${c.name}: lengths ${LENGTHS.join(', ')}`, () => {
      step(h, m, { kind: 'instantiate', e: c.e, n: c.n, p: c.p }, 'instantiate');
      for (const len of LENGTHS) step(h, m, { kind: 'generate', len, a: c.add(len) }, `generate(${len})`);
      // The same lengths again after a reseed without and with additional input.
      step(h, m, { kind: 'reseed', e: rng.bytes(32), a: NONE }, 'reseed');
      for (const len of LENGTHS) step(h, m, { kind: 'generate', len, a: c.add(len) }, `generate(${len}) after reseed`);
      step(h, m, { kind: 'reseed', e: rng.bytes(64), a: rng.bytes(40) }, 'reseed with additional input');
      for (const len of [...LENGTHS].reverse()) step(h, m, { kind: 'generate', len, a: c.add(len) }, `generate(${len}) after the second reseed`);
    });
  }

  it('a full window less one byte of output with one byte of additional input', () => {
    step(h, m, { kind: 'instantiate', e: rng.bytes(32), n: NONE, p: NONE }, 'instantiate');
    step(h, m, { kind: 'generate', len: MAX_REQUEST - 1, a: Uint8Array.of(0x5a) }, 'generate(65535, 1 byte)');
    step(h, m, { kind: 'generate', len: 136 - 64, a: NONE }, 'generate(72): the first block exactly');
    step(h, m, { kind: 'generate', len: 136 - 64 + 1, a: NONE }, 'generate(73)');
  });

  it('re-instantiating replaces the state; the same inputs give the same outputs', () => {
    const e = rng.bytes(40), n = rng.bytes(8);
    step(h, m, { kind: 'instantiate', e, n, p: NONE }, 'instantiate');
    const first = h.generate(64, NONE).out;
    m.generate(64, NONE);
    step(h, m, { kind: 'generate', len: 64, a: NONE }, 'generate');
    step(h, m, { kind: 'instantiate', e, n, p: NONE }, 'instantiate again');
    const again = h.generate(64, NONE).out;
    expect(hex(again)).toBe(hex(first));
    // Each input changes the answer.
    const variants: [Uint8Array, Uint8Array, Uint8Array][] = [[e, n, Uint8Array.of(0)], [e, NONE, n], [concat(e, n), NONE, NONE]];
    for (const [ve, vn, vp] of variants) {
      expect(h.instantiate(ve, vn, vp)).toBe(abi.OK);
      expect(hex(h.generate(64, NONE).out)).not.toBe(hex(first));
    }
  });

  it('a pseudo-random sequence of 400 operations', () => {
    const r = rng.fork('sequence');
    const ops: Op[] = [{ kind: 'instantiate', e: r.bytes(32 + r.int(100)), n: r.bytes(r.int(40)), p: r.bytes(r.int(200)) }];
    for (let i = 0; i < 400; i++) {
      const roll = r.int(100);
      if (roll < 70) ops.push({ kind: 'generate', len: r.int(4) === 0 ? r.int(5000) : r.int(300), a: r.int(2) === 0 ? NONE : r.bytes(r.int(400)) });
      else if (roll < 90) ops.push({ kind: 'reseed', e: r.bytes(28 + r.int(80)), a: r.int(2) === 0 ? NONE : r.bytes(r.int(300)) });
      else if (roll < 96) ops.push({ kind: 'instantiate', e: r.bytes(30 + r.int(60)), n: r.bytes(r.int(20)), p: r.bytes(r.int(50)) });
      else ops.push({ kind: 'uninstantiate' });
    }
    ops.forEach((op, i) => step(h, m, op, `op ${i} (${op.kind}, seed ${r.seed})`));
  });
});

describe('limits', () => {
  let h: Harness;
  let m: ModelDrbg;
  const rng = new Prng(`${DEFAULT_SEED}/drbg-limits`);
  beforeEach(() => {
    h = new Harness();
    m = new ModelDrbg();
  });

  /** The window is untouched by a refused call. */
  function refusedUntouched(call: () => number, want: number, what: string): void {
    const pattern = rng.bytes(h.N);
    h.en.put(0, pattern);
    let st: number | undefined;
    expect(() => { st = call(); }, `${what}: must not trap`).not.toThrow();
    expect(st, what).toBe(want);
    expect(hex(h.en.get(0, h.N)) === hex(pattern), `${what}: the I/O window changed`).toBe(true);
    h.en.wipe(0, h.N);
  }

  it('calls before instantiate and after uninstantiate are ERR_DRBG_UNSEEDED and write nothing', () => {
    const io = h.io;
    refusedUntouched(() => h.x.drbg_generate_test!(io, 32, io + 100, 0), abi.ERR_DRBG_UNSEEDED, 'generate before instantiate');
    refusedUntouched(() => h.x.drbg_generate_test!(io, 0, io, 0), abi.ERR_DRBG_UNSEEDED, 'generate(0) before instantiate');
    refusedUntouched(() => h.x.drbg_reseed(io, 32, io, 0), abi.ERR_DRBG_UNSEEDED, 'reseed before instantiate');
    refusedUntouched(() => h.x.drbg_reseed(io, 31, io, 0), abi.ERR_LENGTH, 'short reseed before instantiate (length first)');
    expect(h.x.drbg_requests(), 'drbg_requests before instantiate').toBe(abi.ERR_DRBG_UNSEEDED);
    expect(h.x.drbg_uninstantiate()).toBe(abi.OK); // idempotent
    refusedUntouched(() => h.x.drbg_generate_test!(io, 32, io + 100, 0), abi.ERR_DRBG_UNSEEDED, 'generate after a lone uninstantiate');
    step(h, m, { kind: 'instantiate', e: rng.bytes(32), n: NONE, p: NONE }, 'instantiate');
    step(h, m, { kind: 'generate', len: 32, a: NONE }, 'generate');
    step(h, m, { kind: 'uninstantiate' }, 'uninstantiate');
    refusedUntouched(() => h.x.drbg_generate_test!(io, 32, io + 100, 0), abi.ERR_DRBG_UNSEEDED, 'generate after uninstantiate');
    refusedUntouched(() => h.x.drbg_reseed(io, 32, io, 0), abi.ERR_DRBG_UNSEEDED, 'reseed after uninstantiate');
    expect(h.x.drbg_requests(), 'drbg_requests after uninstantiate').toBe(abi.ERR_DRBG_UNSEEDED);
    step(h, m, { kind: 'instantiate', e: rng.bytes(32), n: NONE, p: NONE }, 'instantiate again');
    step(h, m, { kind: 'generate', len: 33, a: NONE }, 'generate after instantiating again');
  });

  it('entropy below 32 bytes is ERR_LENGTH and changes nothing', () => {
    for (const len of [0, 1, 16, 31]) {
      expect(h.instantiate(rng.bytes(len), NONE, NONE), `instantiate with ${len} bytes`).toBe(abi.ERR_LENGTH);
      expect(h.generate(1, NONE).status, `still unseeded after ${len} bytes`).toBe(abi.ERR_DRBG_UNSEEDED);
    }
    step(h, m, { kind: 'instantiate', e: rng.bytes(32), n: NONE, p: NONE }, 'instantiate with 32 bytes');
    for (const len of [0, 31]) {
      expect(h.instantiate(rng.bytes(len), rng.bytes(64), NONE), `re-instantiate with ${len} bytes`).toBe(abi.ERR_LENGTH);
      expect(h.reseed(rng.bytes(len), rng.bytes(64)), `reseed with ${len} bytes`).toBe(abi.ERR_LENGTH);
      step(h, m, { kind: 'generate', len: 40, a: NONE }, `state kept after ${len}-byte entropy`);
    }
    step(h, m, { kind: 'reseed', e: rng.bytes(32), a: NONE }, 'reseed with 32 bytes');
    step(h, m, { kind: 'generate', len: 40, a: NONE }, 'generate after reseed');
  });

  it('a request above 65,536 bytes is ERR_TOO_LARGE and changes nothing', () => {
    step(h, m, { kind: 'instantiate', e: rng.bytes(32), n: NONE, p: NONE }, 'instantiate');
    const io = h.io;
    for (const len of [MAX_REQUEST + 1, 100_000, 0x7fffffff, -1]) {
      refusedUntouched(() => h.x.drbg_generate_test!(io, len, io, 0), abi.ERR_TOO_LARGE, `generate(${len})`);
    }
    step(h, m, { kind: 'generate', len: MAX_REQUEST, a: NONE }, 'generate(65536) after the refusals');
    // Before instantiate, too: the limit is checked first.
    const fresh = new Harness();
    expect(fresh.x.drbg_generate_test!(fresh.io, MAX_REQUEST + 1, fresh.io, 0)).toBe(abi.ERR_TOO_LARGE);
  });

  it(`the reseed interval: ${RESEED_INTERVAL} requests per seed, then ERR_DRBG_RESEED until a reseed`, () => {
    const io = h.io, x = h.x;
    for (const round of ['instantiate', 'reseed', 'reseed with additional input', 'instantiate again']) {
      if (round.startsWith('instantiate')) step(h, m, { kind: 'instantiate', e: rng.bytes(32), n: rng.bytes(16), p: NONE }, round);
      else step(h, m, { kind: 'reseed', e: rng.bytes(48), a: round.includes('additional') ? rng.bytes(20) : NONE }, round);
      expect(x.drbg_requests(), `${round}: drbg_requests after seeding`).toBe(0);
      // Requests 1 .. interval (counter 1 .. 2^16), straight on the raw export: a few bytes each, all compared.
      for (let i = 1; i <= RESEED_INTERVAL; i++) {
        const len = i % 5;
        const st = x.drbg_generate_test!(io, len, io + 8, 0);
        const want = m.generate(len, NONE);
        if (st !== abi.OK || want.status !== 'OK' || hex(h.en.get(0, len)) !== hex(want.out!)) {
          expect.fail(`${round}: request ${i}: status ${st}, output ${hex(h.en.get(0, len))}, model ${want.status} ${want.out && hex(want.out)}`);
        }
      }
      expect(m.counter).toBe(RESEED_INTERVAL + 1);
      expect(x.drbg_requests(), `${round}: drbg_requests at the interval`).toBe(RESEED_INTERVAL);
      // Request 2^16 + 1, and again: refused, nothing written, nothing advanced.
      refusedUntouched(() => x.drbg_generate_test!(io, 32, io + 64, 0), abi.ERR_DRBG_RESEED, `${round}: request ${RESEED_INTERVAL + 1}`);
      refusedUntouched(() => x.drbg_generate_test!(io, 0, io, 0), abi.ERR_DRBG_RESEED, `${round}: request ${RESEED_INTERVAL + 1} again, 0 bytes`);
      expect(m.generate(32, NONE).status).toBe('RESEED');
      // A too-large request is still ERR_TOO_LARGE (argument checks come first).
      refusedUntouched(() => x.drbg_generate_test!(io, MAX_REQUEST + 1, io, 0), abi.ERR_TOO_LARGE, `${round}: too large at the interval`);
      expect(x.drbg_requests(), `${round}: refused requests are not counted`).toBe(RESEED_INTERVAL);
    }
    // After the last round, a reseed makes it work again and its first output still matches.
    step(h, m, { kind: 'reseed', e: rng.bytes(32), a: NONE }, 'final reseed');
    step(h, m, { kind: 'generate', len: 1000, a: rng.bytes(10) }, 'generate after the final reseed');
  });
});

describe('memory: the ratchet, the temporaries and uninstantiate', () => {
  const rng = new Prng(`${DEFAULT_SEED}/drbg-memory`);

  it('K is where the model says; every call wipes its temporaries and the previous K; uninstantiate leaves no byte of K', () => {
    const h = new Harness();
    const m = new ModelDrbg();
    const e = rng.bytes(48);
    const outside = (at: number) => at < h.io || at >= h.io + h.N;

    // Instantiate: K is in memory exactly once, outside the window; the rest of
    // the SHAKE256 block (the sponge's rate) and the entropy are not.
    step(h, m, { kind: 'instantiate', e, n: rng.bytes(16), p: text('pers') }, 'instantiate');
    let at = allIndexes(h.memory(), m.key!);
    expect(at.length, 'K occurs once').toBe(1);
    expect(outside(at[0]!)).toBe(true);
    const stateAt = at[0]!;
    expect(allIndexes(h.memory(), m.lastBlock.subarray(64, 136)), 'instantiate: sponge temporaries left').toEqual([]);
    expect(allIndexes(h.memory(), e), 'entropy left').toEqual([]);

    // Generate: K' replaces K in place; the old K and the sponge's tail are gone.
    for (const len of [0, 1, 31, 72, 1000]) {
      const old = m.key!;
      step(h, m, { kind: 'generate', len, a: rng.bytes(8) }, `generate(${len})`);
      expect(allIndexes(h.memory(), old), `generate(${len}): the previous K is still in memory`).toEqual([]);
      expect(allIndexes(h.memory(), m.key!), `generate(${len}): K'`).toEqual([stateAt]);
      // The counter follows K (u64 little-endian).
      expect(new DataView(h.memory().buffer).getBigUint64(stateAt + 64, true)).toBe(BigInt(m.counter));
      if (len + 64 < 136) {
        expect(allIndexes(h.memory(), m.lastBlock.subarray(64 + len, 136)), `generate(${len}): sponge temporaries left`).toEqual([]);
      }
    }

    // Reseed: the same.
    const old = m.key!;
    const e2 = rng.bytes(32);
    step(h, m, { kind: 'reseed', e: e2, a: NONE }, 'reseed');
    expect(allIndexes(h.memory(), old), 'reseed: the previous K is still in memory').toEqual([]);
    expect(allIndexes(h.memory(), m.key!)).toEqual([stateAt]);
    expect(allIndexes(h.memory(), m.lastBlock.subarray(64, 136)), 'reseed: sponge temporaries left').toEqual([]);
    expect(allIndexes(h.memory(), e2), 'reseed entropy left').toEqual([]);

    // Uninstantiate: no byte of K, no counter.
    const last = m.key!;
    step(h, m, { kind: 'uninstantiate' }, 'uninstantiate');
    expect(allIndexes(h.memory(), last), 'K after uninstantiate').toEqual([]);
    expect(h.memory().subarray(stateAt, stateAt + 64 + 8).every((b) => b === 0), 'K and the counter are zero').toBe(true);
    // No 8-byte piece of K either (a partial wipe would leave one).
    for (let i = 0; i + 8 <= 64; i += 8) {
      expect(allIndexes(h.memory(), last.subarray(i, i + 8)), `bytes ${i}..${i + 8} of K`).toEqual([]);
    }
    expect(h.generate(1, NONE).status).toBe(abi.ERR_DRBG_UNSEEDED);
  });

  it('refused calls leave no trace of their inputs either', () => {
    const h = new Harness();
    const e = rng.bytes(31);
    expect(h.instantiate(e, NONE, NONE)).toBe(abi.ERR_LENGTH);
    expect(allIndexes(h.memory(), e)).toEqual([]);
  });
});

describe('pointers: ERR_ARG without trapping; the module keeps working', () => {
  const rng = new Prng(`${DEFAULT_SEED}/drbg-pointers`);

  it('every export refuses ranges outside the window and overlapping output', () => {
    const h = new Harness();
    const m = new ModelDrbg();
    const { io, N, x } = h;
    step(h, m, { kind: 'instantiate', e: rng.bytes(32), n: NONE, p: NONE }, 'instantiate');
    const keyBefore = hex(m.key!);

    const refused = (what: string, call: () => number) => {
      const pattern = rng.bytes(N);
      h.en.put(0, pattern);
      let st: number | undefined;
      expect(() => { st = call(); }, `${what}: must not trap`).not.toThrow();
      expect(st, what).toBe(abi.ERR_ARG);
      expect(hex(h.en.get(0, N)) === hex(pattern), `${what}: the I/O window changed`).toBe(true);
    };
    const bad: [string, number, number][] = [
      ['below the window', io - 1, 32],
      ['at address 0', 0, 32],
      ['past the end', io + N - 16, 32],
      ['one past the end', io + N, 1],
      ['length above the window', io, N + 1],
      ['length -1', io, -1],
      ['wrapping', 0xffffffff, 2],
      ['high pointer', 0x7fffffff, 1],
    ];
    for (const [name, p, len] of bad) {
      refused(`instantiate: entropy ${name}`, () => x.drbg_instantiate(p, len, io, 0, io, 0));
      refused(`instantiate: nonce ${name}`, () => x.drbg_instantiate(io, 32, p, len, io, 0));
      refused(`instantiate: personalization ${name}`, () => x.drbg_instantiate(io, 32, io, 0, p, len));
      refused(`reseed: entropy ${name}`, () => x.drbg_reseed(p, len, io, 0));
      refused(`reseed: additional input ${name}`, () => x.drbg_reseed(io, 32, p, len));
      if (len >= 0 && len <= MAX_REQUEST) refused(`generate: output ${name}`, () => x.drbg_generate_test!(p, len, io, 0));
      refused(`generate: additional input ${name}`, () => x.drbg_generate_test!(io, 16, p, len));
    }
    // Output overlapping the additional input (any overlap, either side).
    refused('generate: output = additional input', () => x.drbg_generate_test!(io, 32, io, 32));
    refused('generate: output overlaps the end of the additional input', () => x.drbg_generate_test!(io + 16, 32, io, 17));
    refused('generate: output overlaps the start of the additional input', () => x.drbg_generate_test!(io, 32, io + 31, 10));
    refused('generate: additional input inside the output', () => x.drbg_generate_test!(io, MAX_REQUEST, io + 100, 1));
    // Nothing changed: the next answers are the model's.
    expect(hex(m.key!)).toBe(keyBefore);
    step(h, m, { kind: 'generate', len: 100, a: rng.bytes(32) }, 'generate after the refusals');
    step(h, m, { kind: 'reseed', e: rng.bytes(32), a: rng.bytes(5) }, 'reseed after the refusals');
    step(h, m, { kind: 'generate', len: 33, a: NONE }, 'generate after the reseed');

    // The rest of the module still answers: SHAKE256 and SHA3-256 through the raw exports.
    const msg = rng.bytes(500);
    h.en.put(0, msg);
    expect(x.sha3_oneshot(136, 0x1f, io, msg.length, io + 1000, 100)).toBe(abi.OK);
    expect(hex(h.en.get(1000, 100))).toBe(hex(nh.shake256(msg, { dkLen: 100 })));
    expect(x.sha3_oneshot(136, 0x06, io, msg.length, io + 1000, 32)).toBe(abi.OK);
    expect(hex(h.en.get(1000, 32))).toBe(hex(nh.sha3_256(msg)));
    // And ML-KEM key generation (deterministic from its seed) gives noble's answer.
    const seed = rng.bytes(64);
    h.en.put(0, seed);
    expect(x.mlkem_keygen(768, io, io + 64, io + 64 + abi.MLKEM768_EK_BYTES)).toBe(abi.OK);
    expect(hex(h.en.get(64, abi.MLKEM768_EK_BYTES))).toBe(hex(ml_kem768.keygen(seed).publicKey));
  });

  it('DRBG calls do not disturb the other kernels\' state (HCTX)', () => {
    const h = new Harness();
    const hctx = h.memory().slice(h.en.hctx, h.en.hctx + h.en.hctxBytes);
    expect(h.instantiate(rng.bytes(32), NONE, NONE)).toBe(abi.OK);
    expect(h.generate(5000, rng.bytes(10)).status).toBe(abi.OK);
    expect(h.reseed(rng.bytes(32), NONE)).toBe(abi.OK);
    expect(hex(h.memory().slice(h.en.hctx, h.en.hctx + h.en.hctxBytes))).toBe(hex(hctx));
  });
});
