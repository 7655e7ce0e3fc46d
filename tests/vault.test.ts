// The vault (assembly/vault.ts, issue 13): key pairs made inside the enclave
// from the DRBG, addressed by handles (TAG bit 30 | 25-bit generation << 5 |
// slot, 32 slots, a slot retired instead of wrapping); ML-DSA keys bound to
// one usage (handshake, attest, general); misuse of every kind; no secret in
// the I/O window; zeroization on free.
import { describe, expect, it } from 'vitest';
import * as kem from '@noble/post-quantum/ml-kem.js';
import * as dsa from '@noble/post-quantum/ml-dsa.js';
import { abi, Enclave, readModule } from '../host/index.js';
import { Prng } from './helpers/prng.js';
import { indexOfBytes } from './helpers/hex.js';

const ENTROPY = new Prng('vault/entropy').bytes(48);
const utf8 = (s: string) => new TextEncoder().encode(s);
const ATTEST_CTX = utf8('awre-attest-v1');

/** Handle layout (docs/pqc1.md section 2, assembly/vault.ts). */
const TAG = 0x40000000;
const SLOTS = 32;
const GEN_MAX = 2 ** 25 - 1;
const slotOf = (h: number) => h & 31;
const genOf = (h: number) => (h >>> 5) & GEN_MAX;
const handle = (gen: number, slot: number) => (TAG | (gen << 5) | slot) >>> 0;

const U_HANDSHAKE = 1;
const U_ATTEST = 2;
const U_GENERAL = 3;

const testModule = readModule('enclave.test.wasm'); // the test build: drbg_generate_test, vault_test_set_generation

/** Instantiate an enclave's DRBG from ENTROPY (or other entropy). */
function seed(e: Enclave, entropy = ENTROPY): void {
  e.put(0, entropy);
  expect(e.exports.drbg_instantiate(e.io, 48, e.io, 0, e.io, 0)).toBe(0);
  e.wipe(0, 48);
}

/** A fresh enclave with its DRBG instantiated from ENTROPY (or not). */
function enclave(seeded = true): Enclave {
  const e = new Enclave(testModule);
  if (seeded) seed(e);
  return e;
}

/** The outputs of consecutive generate calls of a twin DRBG seeded like enclave() (through the test-only export). */
function drbgOutputs(...sizes: number[]): Uint8Array[] {
  const e = enclave();
  return sizes.map((n) => {
    expect(e.exports.drbg_generate_test!(e.io, n, e.io, 0)).toBe(0);
    return e.get(0, n);
  });
}
const drbgOutput = (n: number) => drbgOutputs(n)[0]!;

const eq = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

const LEVELS_KEM = [[512, kem.ml_kem512], [768, kem.ml_kem768], [1024, kem.ml_kem1024]] as const;
const LEVELS_DSA = [[44, dsa.ml_dsa44], [65, dsa.ml_dsa65], [87, dsa.ml_dsa87]] as const;

/** The public key of a vault handle, out of the window. */
function publicKey(e: Enclave, h: number): Uint8Array {
  const n = e.exports.vault_public_bytes(h);
  expect(n).toBeGreaterThan(0);
  expect(e.exports.vault_public(h, e.io)).toBe(0);
  return e.get(0, n);
}

/** A pqc_handshake request (docs/pqc1.md section 7) naming identity `id`, for a responder key `pkR`. */
function startRequest(id: number, pkR: Uint8Array, kemLevel = 768, dsaLevel = 65): Uint8Array {
  const r = new Uint8Array(32 + pkR.length);
  const dv = new DataView(r.buffer);
  dv.setUint16(0, kemLevel, true); dv.setUint16(2, dsaLevel, true); dv.setInt32(4, id, true);
  dv.setBigUint64(8, 1700000000000n, true); dv.setUint32(16, 1 << 24, true);
  r.set(pkR, 32);
  return r;
}

/** pqc_handshake with `req` at window offset 0 and INIT at 16384: its status or length. */
function startHandshake(e: Enclave, req: Uint8Array): number {
  return e.exports.pqc_handshake(e.put(0, req), req.length, e.io + 16384, e.ioBytes - 16384);
}

describe('vault key generation', () => {
  it('an ML-KEM key pair is ML-KEM.KeyGen of the DRBG output; only the public key comes out', () => {
    for (const [level, ref] of LEVELS_KEM) {
      const e = enclave();
      const h = e.exports.vault_kem_keygen(level);
      expect(h).toBeGreaterThan(0);
      expect(e.exports.vault_level(h)).toBe(level);
      expect(e.exports.vault_public_bytes(h)).toBe(ref.lengths.publicKey);
      const seedDZ = drbgOutput(64);
      const want = ref.keygen(seedDZ);
      expect(eq(publicKey(e, h), want.publicKey)).toBe(true);
      // The secret key is nowhere in the window, and the DRBG seed nowhere in memory.
      const mem = e.memory();
      const window = mem.subarray(e.io, e.io + e.ioBytes);
      const z = want.secretKey.subarray(want.secretKey.length - 32);
      expect(indexOfBytes(window, want.secretKey.subarray(0, 32))).toBe(-1);
      expect(indexOfBytes(window, z)).toBe(-1);
      expect(indexOfBytes(mem, seedDZ.subarray(0, 32))).toBe(-1); // d (z is part of dk, FIPS 203)
      // The dk is inside the vault (the needle is a real one).
      expect(indexOfBytes(mem, want.secretKey.subarray(0, 64))).toBeGreaterThan(-1);
    }
  });

  it('an ML-DSA key pair is ML-DSA.KeyGen of the DRBG output, whatever its usage', () => {
    for (const [level, ref] of LEVELS_DSA) {
      for (const usage of [U_HANDSHAKE, U_ATTEST, U_GENERAL]) {
        const e = enclave();
        const h = e.exports.vault_dsa_keygen(level, usage);
        expect(h, `ML-DSA-${level} usage ${usage}`).toBeGreaterThan(0);
        expect(e.exports.vault_level(h)).toBe(level);
        expect(e.exports.vault_public_bytes(h)).toBe(ref.lengths.publicKey);
        const xi = drbgOutput(32);
        const want = ref.keygen(xi);
        expect(eq(publicKey(e, h), want.publicKey)).toBe(true);
        const mem = e.memory();
        expect(indexOfBytes(mem.subarray(e.io, e.io + e.ioBytes), want.secretKey.subarray(32, 64))).toBe(-1); // K
        expect(indexOfBytes(mem.subarray(e.io, e.io + e.ioBytes), want.secretKey.subarray(128, 160))).toBe(-1); // s1
        expect(indexOfBytes(mem, xi)).toBe(-1);
        expect(indexOfBytes(mem, want.secretKey.subarray(32, 64))).toBeGreaterThan(-1); // in the vault
      }
    }
  });

  it('a general key signs a host mu: FIPS 204 Sign_internal with rnd from the DRBG, byte for byte', () => {
    for (const [level, ref] of LEVELS_DSA) {
      const e = enclave();
      const h = e.exports.vault_dsa_keygen(level, U_GENERAL);
      expect(h).toBeGreaterThan(0);
      const [xi, rnd1, rnd2] = drbgOutputs(32, 32, 32);
      const want = ref.keygen(xi!);
      const sigLen = ref.lengths.signature!;
      for (const [i, rnd] of [rnd1!, rnd2!].entries()) {
        const mu = new Prng(`vault/mu${level}/${i}`).bytes(64);
        e.put(0, mu);
        expect(e.exports.vault_dsa_sign(h, e.io, e.io + 64)).toBe(0);
        const sig = e.get(64, sigLen);
        expect(ref.internal.verify(sig, mu, want.publicKey, { externalMu: true })).toBe(true);
        expect(eq(sig, ref.internal.sign(mu, want.secretKey, { externalMu: true, extraEntropy: rnd }))).toBe(true);
        const mem = e.memory();
        expect(indexOfBytes(mem.subarray(e.io, e.io + e.ioBytes), want.secretKey.subarray(32, 64))).toBe(-1);
        expect(indexOfBytes(mem, rnd)).toBe(-1); // the hedge is wiped
      }
    }
  });
});

describe('vault usage (issue 13)', () => {
  it('vault_attest_sign is pure ML-DSA with the context "awre-attest-v1" over the message (mu made inside), byte for byte', () => {
    const msgs = [new Uint8Array(0), utf8('attest: log head 42'), new Prng('vault/attest-mu').bytes(64), new Prng('vault/attest-msg').bytes(5000)];
    for (const [level, ref] of LEVELS_DSA) {
      const e = enclave();
      const h = e.exports.vault_dsa_keygen(level, U_ATTEST);
      expect(h).toBeGreaterThan(0);
      const [xi, ...rnds] = drbgOutputs(32, ...msgs.map(() => 32));
      const want = ref.keygen(xi!);
      expect(eq(publicKey(e, h), want.publicKey)).toBe(true);
      const sigLen = ref.lengths.signature!;
      msgs.forEach((msg, i) => {
        const m = e.put(0, msg);
        const s = e.io + 8192;
        expect(e.exports.vault_attest_sign(h, m, msg.length, s), `ML-DSA-${level} msg ${msg.length}`).toBe(0);
        const sig = e.get(8192, sigLen);
        expect(ref.verify(sig, msg, want.publicKey, { context: ATTEST_CTX })).toBe(true);
        expect(eq(sig, ref.sign(msg, want.secretKey, { context: ATTEST_CTX, extraEntropy: rnds[i]! }))).toBe(true);
        // Under any other context, it is not a signature.
        expect(ref.verify(sig, msg, want.publicKey)).toBe(false);
        expect(ref.verify(sig, msg, want.publicKey, { context: new Uint8Array(0) })).toBe(false);
        for (const other of ['awre-attest-v2', 'awre-attest-v', 'awre-pqc1-v2 responder', 'awre-pqc1-v2 initiator']) {
          expect(ref.verify(sig, msg, want.publicKey, { context: utf8(other) }), other).toBe(false);
        }
        // Nor an external-mu signature over the message's bytes taken as mu.
        if (msg.length === 64) expect(ref.internal.verify(sig, msg, want.publicKey, { externalMu: true })).toBe(false);
        const mem = e.memory();
        expect(indexOfBytes(mem.subarray(e.io, e.io + e.ioBytes), want.secretKey.subarray(32, 64))).toBe(-1);
        expect(indexOfBytes(mem, rnds[i]!)).toBe(-1);
      });
    }
  });

  it('each key signs only through its own export: ERR_USAGE otherwise, with nothing written and no DRBG output used', () => {
    const e = enclave();
    const x = e.exports;
    const hs = x.vault_dsa_keygen(65, U_HANDSHAKE);
    const at = x.vault_dsa_keygen(65, U_ATTEST);
    const gen = x.vault_dsa_keygen(65, U_GENERAL);
    expect([hs, at, gen].every((h) => h > 0)).toBe(true);
    const mu = new Prng('vault/usage-mu').bytes(64);
    const fill = new Uint8Array(3309).fill(0xa5);
    const refused = (what: string, call: () => number) => {
      e.put(0, mu);
      e.put(64, fill);
      const before = x.drbg_requests();
      expect(call(), what).toBe(abi.ERR_USAGE);
      expect(x.drbg_requests(), `${what}: DRBG untouched`).toBe(before);
      expect(eq(e.get(64, 3309), fill), `${what}: no signature written`).toBe(true);
    };
    // A handshake key (PQC1 v2 only) through the general and the attestation exports.
    refused('handshake key, vault_dsa_sign', () => x.vault_dsa_sign(hs, e.io, e.io + 64));
    refused('handshake key, vault_attest_sign', () => x.vault_attest_sign(hs, e.io, 64, e.io + 64));
    // An attestation key through the general export (which would sign any mu, any context).
    refused('attest key, vault_dsa_sign', () => x.vault_dsa_sign(at, e.io, e.io + 64));
    // A general key through the attestation export.
    refused('general key, vault_attest_sign', () => x.vault_attest_sign(gen, e.io, 64, e.io + 64));
    // Neither an attestation nor a general key can be a PQC1 identity.
    const pkR = publicKey(e, hs);
    for (const [what, h] of [['attest', at], ['general', gen]] as const) {
      const before = x.drbg_requests();
      expect(startHandshake(e, startRequest(h, pkR)), `${what} key as a PQC1 identity`).toBe(abi.ERR_USAGE);
      expect(x.drbg_requests()).toBe(before);
    }
    // Each key, in its own use, works.
    e.put(0, mu);
    expect(x.vault_dsa_sign(gen, e.io, e.io + 64)).toBe(0);
    expect(x.vault_attest_sign(at, e.io, 64, e.io + 4096)).toBe(0);
    expect(startHandshake(e, startRequest(hs, pkR))).toBe(124 + 1184);
    // A node identity key (usage 4) signs only through vault_identity_sign; no other key does.
    const id = x.vault_dsa_keygen(65, 4);
    expect(id).toBeGreaterThan(0);
    refused('identity key, vault_dsa_sign', () => x.vault_dsa_sign(id, e.io, e.io + 64));
    refused('identity key, vault_attest_sign', () => x.vault_attest_sign(id, e.io, 64, e.io + 64));
    for (const [what, h] of [['handshake', hs], ['attest', at], ['general', gen]] as const) refused(`${what} key, vault_identity_sign`, () => x.vault_identity_sign(h, e.io, 64, e.io + 64));
    expect(startHandshake(e, startRequest(id, pkR)), 'identity key as a PQC1 identity').toBe(abi.ERR_USAGE);
    e.put(0, mu);
    expect(x.vault_identity_sign(id, e.io, 64, e.io + 4096)).toBe(0);
    // An unknown usage is refused at generation.
    for (const usage of [0, 5, 255, -1, 0x101]) expect(x.vault_dsa_keygen(65, usage), `usage ${usage}`).toBe(abi.ERR_ARG);
  });
});

describe('vault handles', () => {
  it('a handle is TAG (bit 30) | generation << 5 | slot: 32 slots, the generation advancing on each free', () => {
    const e = enclave();
    const x = e.exports;
    const hs: number[] = [];
    for (let i = 0; i < SLOTS; i++) hs.push(x.vault_kem_keygen(512));
    for (const h of hs) {
      expect(h).toBeGreaterThan(0);
      expect(h & 0x80000000).toBe(0);
      expect(h & TAG).toBe(TAG);
      expect(genOf(h)).toBe(0); // a fresh enclave
      expect(h).toBe(handle(0, slotOf(h)));
    }
    expect([...new Set(hs.map(slotOf))].sort((a, b) => a - b)).toEqual([...Array(SLOTS).keys()]);
    expect(x.vault_kem_keygen(512)).toBe(abi.ERR_VAULT_FULL);
    // The vault is full: freeing one slot and allocating again must reuse that slot, one generation on.
    for (const s of [0, 5, 31]) {
      let h = hs.find((v) => slotOf(v) === s)!;
      for (let round = 1; round <= 3; round++) {
        expect(x.vault_free(h)).toBe(0);
        const g = genOf(h);
        const next = round % 2 ? x.vault_dsa_keygen(44, U_GENERAL) : x.vault_kem_keygen(768);
        expect(next).toBe(handle(g + 1, s));
        expect(x.vault_level(h)).toBe(abi.ERR_HANDLE);
        h = next;
      }
      hs[hs.findIndex((v) => slotOf(v) === s)] = h;
    }
  });

  it('forged, freed, stale and wrongly-typed handles are refused with their status; the vault keeps working', () => {
    const e = enclave();
    const x = e.exports;
    const k = x.vault_kem_keygen(768);
    const d = x.vault_dsa_keygen(65, U_GENERAL);
    const a = x.vault_dsa_keygen(65, U_ATTEST);
    const id = x.vault_dsa_keygen(65, U_HANDSHAKE);
    expect([k, d, a, id].every((h) => h > 0)).toBe(true);
    const forgeries = [
      0, 1, -1, 31, 0x12345678, 0x5a000000 | 200, 0x7fffffff, 0x80000000 | 0, (k | 0x80000000) >> 0, k & ~TAG,
      (k ^ (1 << 5)) >>> 0, (k ^ (1 << 29)) >>> 0, handle(GEN_MAX, slotOf(k)), handle(1, 20), handle(0, 20),
    ];
    for (const forged of forgeries) {
      expect(x.vault_free(forged), `forged ${forged}`).toBe(abi.ERR_HANDLE);
      expect(x.vault_public(forged, e.io)).toBe(abi.ERR_HANDLE);
      expect(x.vault_level(forged)).toBe(abi.ERR_HANDLE);
      expect(x.vault_public_bytes(forged)).toBe(0);
      expect(x.vault_dsa_sign(forged, e.io, e.io + 64)).toBe(abi.ERR_HANDLE);
      expect(x.vault_attest_sign(forged, e.io, 64, e.io + 64)).toBe(abi.ERR_HANDLE);
    }
    // Wrong type: signing with an ML-KEM key, a pending handshake or a session; the public key of a pending handshake.
    e.put(0, new Uint8Array(64));
    expect(x.vault_dsa_sign(k, e.io, e.io + 64)).toBe(abi.ERR_HANDLE_TYPE);
    expect(x.vault_attest_sign(k, e.io, 64, e.io + 64)).toBe(abi.ERR_HANDLE_TYPE);
    expect(startHandshake(e, startRequest(k, publicKey(e, id)))).toBe(abi.ERR_HANDLE_TYPE);
    expect(startHandshake(e, startRequest(id, publicKey(e, id)))).toBe(124 + 1184);
    const pending = x.pqc_last_session();
    expect(pending).toBeGreaterThan(0);
    expect(pending & TAG).toBe(TAG);
    expect(x.vault_public(pending, e.io)).toBe(abi.ERR_HANDLE_TYPE);
    expect(x.vault_public_bytes(pending)).toBe(0);
    expect(x.vault_dsa_sign(pending, e.io, e.io + 64)).toBe(abi.ERR_HANDLE_TYPE);
    expect(x.vault_attest_sign(pending, e.io, 64, e.io + 64)).toBe(abi.ERR_HANDLE_TYPE);
    expect(x.vault_free(pending)).toBe(0);
    expect(x.vault_public(pending, e.io)).toBe(abi.ERR_HANDLE);
    // Freed, then stale after the slot is reused.
    expect(x.vault_free(k)).toBe(0);
    expect(x.vault_free(k)).toBe(abi.ERR_HANDLE);
    expect(x.vault_public(k, e.io)).toBe(abi.ERR_HANDLE);
    expect(x.vault_level(k)).toBe(abi.ERR_HANDLE);
    const k2 = x.vault_kem_keygen(512);
    expect(slotOf(k2)).toBe(slotOf(k)); // same slot (the lowest free one)...
    expect(genOf(k2)).toBe(genOf(k) + 1); // ...another generation
    expect(x.vault_public(k, e.io)).toBe(abi.ERR_HANDLE);
    expect(x.vault_free(k)).toBe(abi.ERR_HANDLE);
    expect(x.vault_public(k2, e.io)).toBe(0);
    // Bad arguments.
    for (const level of [0, 700, 44, 65, -768]) expect(x.vault_kem_keygen(level), `kem ${level}`).toBe(abi.ERR_ARG);
    for (const level of [0, 768, 512, 66, -65]) expect(x.vault_dsa_keygen(level, U_GENERAL), `dsa ${level}`).toBe(abi.ERR_ARG);
    expect(x.vault_public(d, e.io + e.ioBytes - 10)).toBe(abi.ERR_ARG);
    expect(x.vault_public(d, 0)).toBe(abi.ERR_ARG);
    expect(x.vault_dsa_sign(d, e.io, e.io + 32)).toBe(abi.ERR_ARG); // mu and sig overlap
    expect(x.vault_dsa_sign(d, e.io, e.io + e.ioBytes - 100)).toBe(abi.ERR_ARG); // sig out of the window
    expect(x.vault_attest_sign(a, e.io, 100, e.io + 50)).toBe(abi.ERR_ARG); // msg and sig overlap
    expect(x.vault_attest_sign(a, 0, 16, e.io + 64)).toBe(abi.ERR_ARG); // msg out of the window
    expect(x.vault_attest_sign(a, e.io, 16, e.io + e.ioBytes - 100)).toBe(abi.ERR_ARG);
    // Still working: d and a sign.
    expect(x.vault_dsa_sign(d, e.io, e.io + 64)).toBe(0);
    expect(x.vault_attest_sign(a, e.io, 64, e.io + 64)).toBe(0);
  });

  it('a full vault (32 slots) and an uninstantiated DRBG say so, and take no slot', () => {
    const cold = enclave(false);
    expect(cold.exports.vault_kem_keygen(768)).toBe(abi.ERR_DRBG_UNSEEDED);
    for (const usage of [U_HANDSHAKE, U_ATTEST, U_GENERAL]) expect(cold.exports.vault_dsa_keygen(44, usage)).toBe(abi.ERR_DRBG_UNSEEDED);
    seed(cold);
    const e = cold;
    const handles: number[] = [];
    for (let i = 0; i < SLOTS; i++) handles.push(i % 4 ? e.exports.vault_kem_keygen(512) : e.exports.vault_dsa_keygen(44, 1 + (i % 3)));
    expect(handles.every((h) => h > 0)).toBe(true);
    expect(new Set(handles).size).toBe(SLOTS);
    expect(handles.every((h) => genOf(h) === 0)).toBe(true); // the refusals before seeding advanced nothing
    expect(e.exports.vault_kem_keygen(512)).toBe(abi.ERR_VAULT_FULL);
    expect(e.exports.vault_dsa_keygen(44, U_GENERAL)).toBe(abi.ERR_VAULT_FULL);
    const id = handles[0]!; // an ML-DSA-44 handshake key
    expect(startHandshake(e, startRequest(id, publicKey(e, id), 768, 44))).toBe(abi.ERR_VAULT_FULL);
    expect(e.exports.vault_free(handles[3]!)).toBe(0);
    const again = e.exports.vault_kem_keygen(512);
    expect(again).toBe(handle(1, slotOf(handles[3]!)));
    // With the DRBG uninstantiated again, a free slot stays free and keeps its generation.
    expect(e.exports.vault_free(handles[7]!)).toBe(0);
    expect(e.exports.drbg_uninstantiate()).toBe(0);
    expect(e.exports.vault_kem_keygen(512)).toBe(abi.ERR_DRBG_UNSEEDED);
    expect(e.exports.vault_dsa_keygen(87, U_ATTEST)).toBe(abi.ERR_DRBG_UNSEEDED);
    seed(e);
    expect(e.exports.vault_kem_keygen(1024)).toBe(handle(1, slotOf(handles[7]!)));
    expect(e.exports.vault_kem_keygen(512)).toBe(abi.ERR_VAULT_FULL);
  });

  it('handle wrap: a slot at generation 2^25 - 1 is retired when freed; no handle ever names another key', () => {
    const e = enclave();
    const x = e.exports;
    const setGen = x.vault_test_set_generation!;
    const issued = new Map<number, Uint8Array>(); // every handle ever issued -> its public key
    const dead = new Set<number>();
    const alloc = (kind: number) => {
      const h = kind % 2 ? x.vault_dsa_keygen(44, U_GENERAL) : x.vault_kem_keygen(512);
      expect(h).toBeGreaterThan(0);
      expect(issued.has(h), `handle ${h.toString(16)} issued twice`).toBe(false);
      issued.set(h, publicKey(e, h));
      return h;
    };
    const free = (h: number) => {
      expect(x.vault_free(h)).toBe(0);
      dead.add(h);
    };
    const live: number[] = [];
    for (let i = 0; i < SLOTS; i++) live.push(alloc(i));
    // The test-only export moves only a free slot's generation, and never past 2^25 - 1.
    expect(setGen(7, 5)).toBe(abi.ERR_ARG); // live
    const victim = live.splice(live.findIndex((h) => slotOf(h) === 7), 1)[0]!;
    free(victim);
    expect(setGen(7, GEN_MAX + 1)).toBe(abi.ERR_ARG);
    expect(setGen(32, 0)).toBe(abi.ERR_ARG);
    expect(setGen(-1, 0)).toBe(abi.ERR_ARG);
    expect(setGen(7, GEN_MAX - 1)).toBe(0);
    // Slot 7 is the only free slot: 2^25 - 2, then 2^25 - 1, then retired.
    const a = alloc(0);
    expect(a).toBe(handle(GEN_MAX - 1, 7));
    free(a);
    const b = alloc(1);
    expect(b).toBe(handle(GEN_MAX, 7));
    expect(b).toBe(0x7fffffe7);
    free(b);
    expect(x.vault_kem_keygen(512)).toBe(abi.ERR_VAULT_FULL); // 31 live, one retired
    expect(x.vault_dsa_keygen(44, U_ATTEST)).toBe(abi.ERR_VAULT_FULL);
    expect(setGen(7, 0)).toBe(abi.ERR_ARG); // retired for the instance's lifetime
    for (const g of [0, 1, 2, GEN_MAX - 1, GEN_MAX]) {
      const h = handle(g, 7);
      expect(x.vault_free(h), `slot 7 generation ${g}`).toBe(abi.ERR_HANDLE);
      expect(x.vault_public(h, e.io)).toBe(abi.ERR_HANDLE);
      expect(x.vault_level(h)).toBe(abi.ERR_HANDLE);
    }
    // A second slot straight at 2^25 - 1: one key, then retired.
    const victim2 = live.splice(live.findIndex((h) => slotOf(h) === 20), 1)[0]!;
    free(victim2);
    expect(setGen(20, GEN_MAX)).toBe(0);
    const c = alloc(0);
    expect(c).toBe(handle(GEN_MAX, 20));
    free(c);
    expect(x.vault_kem_keygen(512)).toBe(abi.ERR_VAULT_FULL);
    // The other 30 slots churn on; the retired ones are never used again and no value repeats.
    const prng = new Prng('vault/wrap-churn');
    for (let i = 0; i < 300; i++) {
      const at = prng.bytes(1)[0]! % live.length;
      const old = live[at]!;
      free(old);
      const h = alloc(i);
      expect(slotOf(h)).toBe(slotOf(old));
      expect(genOf(h)).toBe(genOf(old) + 1);
      live[at] = h;
    }
    expect(live.some((h) => slotOf(h) === 7 || slotOf(h) === 20)).toBe(false);
    // Every handle issued: live ones name their own key, every other one is dead.
    for (const [h, pk] of issued) {
      if (live.includes(h)) {
        expect(eq(publicKey(e, h), pk)).toBe(true);
      } else {
        expect(dead.has(h)).toBe(true);
        expect(x.vault_free(h), `old handle ${h.toString(16)}`).toBe(abi.ERR_HANDLE);
        expect(x.vault_public(h, e.io)).toBe(abi.ERR_HANDLE);
        expect(x.vault_level(h)).toBe(abi.ERR_HANDLE);
      }
    }
    // Distinct keys under distinct handles.
    expect(new Set([...issued.values()].map((pk) => Buffer.from(pk).toString('hex'))).size).toBe(issued.size);
  });

  it('failed keygens advance no generation: 70,000 of them (the 65,535-failure attack of issue 13) leave an old handle dead', () => {
    const N = 70_000;
    const fail = (e: Enclave) => {
      for (let i = 0; i < N; i++) {
        const st = i % 2 ? e.exports.vault_dsa_keygen([44, 65, 87][i % 3]!, 1 + (i % 3)) : e.exports.vault_kem_keygen([512, 768, 1024][i % 3]!);
        if (st !== abi.ERR_DRBG_UNSEEDED) expect.fail(`failed keygen ${i}: status ${st}`);
      }
    };
    // A fresh enclave: every slot is still at generation 0 once the DRBG is seeded.
    const fresh = enclave(false);
    fail(fresh);
    seed(fresh);
    const first: number[] = [];
    for (let i = 0; i < SLOTS; i++) first.push(fresh.exports.vault_kem_keygen(512));
    expect(first.map(slotOf).sort((a, b) => a - b)).toEqual([...Array(SLOTS).keys()]);
    expect(first.every((h) => h === handle(0, slotOf(h)))).toBe(true);

    // The attack: a key is freed; the DRBG is uninstantiated; keygens fail many times; new keys come.
    const e = enclave();
    const x = e.exports;
    const old = x.vault_dsa_keygen(65, U_GENERAL);
    const other = x.vault_kem_keygen(768);
    expect(old).toBe(handle(0, slotOf(old)));
    const oldPk = publicKey(e, old);
    expect(x.vault_free(old)).toBe(0);
    expect(x.drbg_uninstantiate()).toBe(0);
    fail(e);
    expect(x.vault_level(old)).toBe(abi.ERR_HANDLE);
    seed(e, new Prng('vault/entropy-2').bytes(48));
    const fresh2: number[] = [];
    for (let i = 0; i < SLOTS - 1; i++) fresh2.push(i % 2 ? x.vault_kem_keygen(512) : x.vault_dsa_keygen(65, U_GENERAL));
    expect(fresh2.every((h) => h > 0)).toBe(true);
    expect(x.vault_kem_keygen(512)).toBe(abi.ERR_VAULT_FULL);
    // The freed slot came back exactly one generation on (the failures advanced nothing) ...
    const reused = fresh2.find((h) => slotOf(h) === slotOf(old))!;
    expect(reused).toBe(handle(1, slotOf(old)));
    expect(fresh2.filter((h) => h !== reused).every((h) => genOf(h) === 0)).toBe(true);
    // ... so the old handle names nothing: not the new key in its slot, not any other.
    expect(fresh2.includes(old)).toBe(false);
    for (const call of [() => x.vault_free(old), () => x.vault_public(old, e.io), () => x.vault_level(old)]) expect(call()).toBe(abi.ERR_HANDLE);
    e.put(0, new Uint8Array(64));
    expect(x.vault_dsa_sign(old, e.io, e.io + 64)).toBe(abi.ERR_HANDLE);
    expect(eq(publicKey(e, reused), oldPk)).toBe(false);
    expect(x.vault_level(other)).toBe(768);

    // A failed handshake step claims no slot either (docs/vault.md: claimed only on success).
    const h = enclave();
    const id = h.exports.vault_dsa_keygen(65, U_HANDSHAKE);
    const pk = publicKey(h, id);
    expect(h.exports.drbg_uninstantiate()).toBe(0);
    for (let i = 0; i < 1000; i++) expect(startHandshake(h, startRequest(id, pk))).toBe(abi.ERR_DRBG_UNSEEDED);
    seed(h, new Prng('vault/entropy-3').bytes(48));
    const after: number[] = [];
    for (let i = 0; i < SLOTS - 1; i++) after.push(h.exports.vault_kem_keygen(512));
    expect(after.every((v) => v === handle(0, slotOf(v)))).toBe(true);
  });
});

describe('vault zeroization', () => {
  it('free wipes the key material: the secret key is gone from the whole memory', () => {
    for (const usage of [U_HANDSHAKE, U_ATTEST, U_GENERAL]) {
      const e = enclave();
      const h = e.exports.vault_dsa_keygen(87, usage);
      const want = dsa.ml_dsa87.keygen(drbgOutput(32));
      const mem = () => e.memory();
      if (usage === U_ATTEST) expect(e.exports.vault_attest_sign(h, e.io, 32, e.io + 64)).toBe(0);
      for (const part of [want.secretKey.subarray(32, 64), want.secretKey.subarray(128, 192), want.secretKey.subarray(want.secretKey.length - 64)]) {
        expect(indexOfBytes(mem(), part)).toBeGreaterThan(-1); // inside the vault
      }
      expect(e.exports.vault_free(h)).toBe(0);
      for (const part of [want.secretKey.subarray(32, 64), want.secretKey.subarray(128, 192), want.secretKey.subarray(want.secretKey.length - 64)]) {
        expect(indexOfBytes(mem(), part), `usage ${usage}`).toBe(-1);
      }
    }
    const e = enclave();
    const h = e.exports.vault_kem_keygen(1024);
    const want = kem.ml_kem1024.keygen(drbgOutput(64));
    const z = want.secretKey.subarray(want.secretKey.length - 32);
    expect(indexOfBytes(e.memory(), want.secretKey.subarray(0, 64))).toBeGreaterThan(-1);
    expect(indexOfBytes(e.memory(), z)).toBeGreaterThan(-1);
    expect(e.exports.vault_free(h)).toBe(0);
    expect(indexOfBytes(e.memory(), want.secretKey.subarray(0, 64))).toBe(-1);
    expect(indexOfBytes(e.memory(), z)).toBe(-1);
  });

  it('the production build has no test-only export, and none of the v1 session exports', () => {
    const names = (f: string) => WebAssembly.Module.exports(new WebAssembly.Module(readModule(f) as Uint8Array<ArrayBuffer>)).map((x) => x.name);
    for (const f of ['enclave.wasm', 'enclave.waven.wasm']) {
      const n = names(f);
      expect(n, f).toContain('vault_attest_sign');
      for (const gone of ['vault_test_set_generation', 'drbg_generate_test', 'vault_kem_encaps', 'vault_kem_decaps', 'gcm_init_session']) {
        expect(n, `${f}: ${gone}`).not.toContain(gone);
      }
    }
    const t = names('enclave.test.wasm');
    expect(t).toContain('vault_test_set_generation');
    for (const gone of ['vault_kem_encaps', 'vault_kem_decaps', 'gcm_init_session']) expect(t).not.toContain(gone);
  });
});
