// The PQCNet ABI (assembly/pqc.ts): the PQC1 handshake between two tenants,
// the responder's checks, AES-GCM frames by session handle, fuzzing, and
// pqc_alloc/pqc_free.
import { describe, expect, it } from 'vitest';
import * as dsa from '@noble/post-quantum/ml-dsa.js';
import { sha3_256 } from '@noble/hashes/sha3.js';
import { Enclave, readModule } from '../host/index.js';
import { PhysicalMemory } from '../host/waven/physical.js';
import { Prng } from './helpers/prng.js';

const waven = readModule('enclave.waven.wasm');

/** Two tenants on one physical memory, each with its DRBG seeded, its keys in its vault. */
function tenants() {
  const phys = new PhysicalMemory();
  const mk = (name: string) => {
    const e = new Enclave(waven, { mmu: 'waven', physical: phys, instance: name });
    e.put(0, new Prng(`pqc/${name}`).bytes(48));
    expect(e.exports.drbg_instantiate(e.io, 48, e.io, 0, e.io, 0)).toBe(0);
    return e;
  };
  const initiator = mk('initiator');
  const responder = mk('responder');
  const dsaKey = initiator.exports.vault_dsa_keygen(65);
  const kemKey = responder.exports.vault_kem_keygen(768);
  expect(initiator.exports.vault_public(dsaKey, initiator.io)).toBe(0);
  const pk = initiator.get(0, 1952);
  expect(responder.exports.vault_public(kemKey, responder.io)).toBe(0);
  const ek = responder.get(0, 1184);
  return { phys, initiator, responder, dsaKey, kemKey, pk, ek };
}

function request(kemLevel: number, dsaLevel: number, handle: number, time: bigint, ek: Uint8Array): Uint8Array {
  const r = new Uint8Array(16 + ek.length);
  const dv = new DataView(r.buffer);
  dv.setUint16(0, kemLevel, true); dv.setUint16(2, dsaLevel, true); dv.setInt32(4, handle, true); dv.setBigUint64(8, time, true);
  r.set(ek, 16);
  return r;
}

/** Put `req` at the start of the initiator's window and run pqc_handshake, the envelope going to window offset 8192. */
function handshake(a: Enclave, req: Uint8Array, respLen = 16384): number {
  a.put(0, req);
  return a.exports.pqc_handshake(a.io, req.length, a.io + 8192, respLen);
}

const ENV_LEN = 90 + 1088 + 3309;

describe('PQC1', () => {
  it('the initiator builds a PQC1 envelope the responder accepts; both hold the same session; frames flow both ways over a shared page', () => {
    const t = tenants();
    const { initiator: a, responder: b } = t;
    const req = request(768, 65, t.dsaKey, 1700000000000n, t.ek);
    const n = handshake(a, req);
    expect(n).toBe(ENV_LEN);
    const env = a.get(8192, n);
    // The envelope, byte by byte.
    const dv = new DataView(env.buffer);
    expect(new TextDecoder().decode(env.subarray(0, 4))).toBe('PQC1');
    expect([env[4], env[5], dv.getUint16(6, true), dv.getUint16(8, true)]).toEqual([1, 0, 768, 65]);
    expect(Buffer.from(env.subarray(10, 42)).equals(Buffer.from(sha3_256(t.pk)))).toBe(true);
    expect(Buffer.from(env.subarray(42, 74)).equals(Buffer.from(sha3_256(t.ek)))).toBe(true);
    expect(dv.getBigUint64(74, true)).toBe(1700000000000n);
    expect([dv.getUint32(82, true), dv.getUint32(86, true)]).toEqual([1088, 3309]);
    // The signature is plain ML-DSA over the transcript hash: noble verifies it.
    const T = sha3_256(env.subarray(0, 90 + 1088));
    expect(dsa.ml_dsa65.verify(env.subarray(90 + 1088), T, t.pk)).toBe(true);
    const sa = a.exports.pqc_last_session();
    expect(sa).toBeGreaterThan(0);
    // The responder reads the envelope from a page the initiator shares read-only.
    const page = 300;
    const va = (page << 16) + 8192;
    t.phys.spaces.share('initiator', a.io >>> 16, 'responder', page, 'ro');
    expect(b.read(va, n)).toEqual(env);
    b.put(0, b.read(va, n)); // into its own window (the enclave takes inputs there)
    b.put(16384, t.pk);
    const sb = b.exports.pqc_accept(b.io, n, t.kemKey, b.io + 16384, 1952);
    expect(sb).toBeGreaterThan(0);
    // 1,000 AES-GCM frames each way, each carried by a shared frame: the
    // sender seals into its I/O page, which the receiver maps read-only and
    // reads through its own tables (the enclave takes inputs only in its own
    // window, so the receiver's host copies them there).
    const back = 301;
    t.phys.spaces.share('responder', b.io >>> 16, 'initiator', back, 'ro');
    const SEAL = 32768; // sealed frame: ciphertext then tag, in the sender's window
    const seal = (e: Enclave, s: number, dir: number, seq: number, data: Uint8Array) => {
      const nonce = new Uint8Array(12); new DataView(nonce.buffer).setUint32(8, seq);
      expect(e.exports.gcm_init_session(s, dir, 16, 0)).toBe(0);
      expect(e.exports.gcm_iv(e.put(0, nonce), 12)).toBe(0);
      const p = e.put(SEAL, data);
      expect(e.exports.gcm_crypt(p, p, data.length)).toBe(0);
      expect(e.exports.gcm_finish(p + data.length)).toBe(0);
      return nonce;
    };
    const open = (e: Enclave, s: number, dir: number, nonce: Uint8Array, sealed: Uint8Array) => {
      const ct = sealed.subarray(0, sealed.length - 16);
      expect(e.exports.gcm_init_session(s, dir, 16, 1)).toBe(0);
      expect(e.exports.gcm_iv(e.put(0, nonce), 12)).toBe(0);
      const p = e.put(64, ct);
      expect(e.exports.gcm_auth(p, ct.length)).toBe(0);
      expect(e.exports.gcm_finish(e.put(32, sealed.subarray(ct.length)))).toBe(0);
      expect(e.exports.gcm_crypt(p, p, ct.length)).toBe(0);
      const pt = e.get(64, ct.length);
      e.exports.gcm_end();
      return pt;
    };
    const prng = new Prng('pqc/frames');
    for (let i = 0; i < 1000; i++) {
      const msg = prng.bytes(1 + (i % 300));
      const len = msg.length + 16;
      const n1 = seal(a, sa, 0, i, msg);
      const f = b.read((page << 16) + SEAL, len);
      expect(f).toEqual(a.get(SEAL, len));
      expect(open(b, sb, 0, n1, f)).toEqual(msg);
      const n2 = seal(b, sb, 1, i, msg);
      const g = a.read((back << 16) + SEAL, len);
      expect(g).toEqual(b.get(SEAL, len));
      expect(open(a, sa, 1, n2, g)).toEqual(msg);
    }
    // The receiver's mapping is read-only: a write through it lands in the
    // sink, not in the sender's frame. And the only frames the tenants have
    // in common are the two shared pages: the rest are not in each other's tables.
    const before = a.get(SEAL, 16);
    b.write((page << 16) + SEAL, new Uint8Array(16).fill(0xee));
    expect(a.get(SEAL, 16)).toEqual(before);
    const frames = (name: string) => {
      const tb = t.phys.spaces.tables(name);
      return new Set(tb.mapped().map((p) => tb.frame(p)));
    };
    const fa = frames('initiator');
    const common = [...frames('responder')].filter((f) => fa.has(f)).sort();
    const ta = t.phys.spaces.tables('initiator'), tb = t.phys.spaces.tables('responder');
    expect(common).toEqual([ta.frame(a.io >>> 16), tb.frame(b.io >>> 16)].sort());
  });

  it('the responder refuses every tampered, truncated or mismatched envelope; a good one still goes through', () => {
    const t = tenants();
    const { initiator: a, responder: b } = t;
    const req = request(768, 65, t.dsaKey, 1n, t.ek);
    const n = handshake(a, req);
    const env = a.get(8192, n);
    const accept = (e: Uint8Array, pk = t.pk, kem = t.kemKey) => { b.put(0, e); b.put(16384, pk); return b.exports.pqc_accept(b.io, e.length, kem, b.io + 16384, pk.length); };
    for (const at of [0, 4, 5, 6, 8, 10, 42, 74, 82, 86, 90, 90 + 1087, 90 + 1088, n - 1]) {
      const bad = env.slice(); bad[at]! ^= 1;
      expect(accept(bad), `byte ${at}`).toBe(-1);
    }
    expect(accept(env.subarray(0, n - 1))).toBe(-1);
    expect(accept(env.subarray(0, 89))).toBe(-1);
    const otherPk = dsa.ml_dsa65.keygen(new Uint8Array(32)).publicKey;
    expect(accept(env, otherPk)).toBe(-1);
    expect(accept(env, t.pk, t.kemKey + 0x100)).toBe(-1); // a stale handle
    expect(accept(env)).toBeGreaterThan(0);
    // The initiator's input checks.
    expect(handshake(a, req, n - 1)).toBe(-2);
    expect(handshake(a, request(700, 65, t.dsaKey, 1n, t.ek))).toBe(-1);
    expect(handshake(a, request(768, 44, t.dsaKey, 1n, t.ek))).toBe(-1);
    const badEk = t.ek.slice(); badEk[0] = 0xff; badEk[1]! |= 0x0f;
    expect(handshake(a, request(768, 65, t.dsaKey, 1n, badEk))).toBe(-1);
    expect(a.get(8192, 90)).toEqual(new Uint8Array(90)); // nothing half-written
  });

  it('10,000 random and truncated inputs to pqc_handshake, pqc_accept and the vault: a status every time, no trap, and a good handshake afterwards', () => {
    const t = tenants();
    const { initiator: a, responder: b } = t;
    const req = request(768, 65, t.dsaKey, 7n, t.ek);
    const n = handshake(a, req);
    const env = a.get(8192, n);
    const prng = new Prng('pqc/fuzz');
    const u32 = () => new DataView(prng.bytes(4).buffer).getUint32(0, true);
    for (let i = 0; i < 10_000; i++) {
      const kind = i % 4;
      if (kind === 0) {
        const len = u32() % (req.length + 64);
        const input = i % 8 === 0 ? req.slice(0, len) : prng.bytes(len);
        a.put(0, input);
        const r = a.exports.pqc_handshake(a.io, len, a.io + 8192, u32() % 20000);
        expect([-1, -2, ENV_LEN]).toContain(r);
        if (r > 0) expect(a.exports.vault_free(a.exports.pqc_last_session())).toBe(0);
      } else if (kind === 1) {
        // A truncated envelope, or random bytes of any length: never accepted.
        const input = i % 8 === 1 ? env.slice(0, u32() % n) : prng.bytes(u32() % (n + 64));
        b.put(0, input);
        b.put(16384, t.pk);
        expect(b.exports.pqc_accept(b.io, input.length, t.kemKey, b.io + 16384, 1952)).toBe(-1);
      } else if (kind === 2) {
        // Random handles: refused with a vault status (the real ones are skipped).
        const h = u32() | 0;
        if (h === t.kemKey || h === t.dsaKey) continue;
        expect(b.exports.vault_public(h, b.io)).toBe(-18);
        expect(b.exports.vault_free(h)).toBe(-18);
        expect(b.exports.vault_level(h)).toBe(-18);
      } else {
        const p = a.exports.pqc_alloc((u32() % 40000) - 100);
        if (p !== 0) a.exports.pqc_free(p, 1);
        a.exports.pqc_free(u32(), u32() % 70000);
      }
    }
    expect(handshake(a, req)).toBe(ENV_LEN);
    b.put(0, a.get(8192, ENV_LEN));
    b.put(16384, t.pk);
    expect(b.exports.pqc_accept(b.io, ENV_LEN, t.kemKey, b.io + 16384, 1952)).toBeGreaterThan(0);
  });

  it('pqc_alloc hands out non-overlapping blocks in the upper half of the window and pqc_free returns them', () => {
    const e = new Enclave(readModule());
    const x = e.exports;
    const top = e.io + e.ioBytes;
    const a = x.pqc_alloc(100), b = x.pqc_alloc(5000), c = x.pqc_alloc(1024);
    for (const p of [a, b, c]) { expect(p).toBeGreaterThanOrEqual(e.io + e.ioBytes / 2); expect(p).toBeLessThan(top); }
    expect(b).toBeGreaterThanOrEqual(a + 1024);
    expect(c).toBeGreaterThanOrEqual(b + 5120);
    expect(x.pqc_alloc(0)).toBe(0);
    expect(x.pqc_alloc(40000)).toBe(0);
    x.pqc_free(b, 5000);
    expect(x.pqc_alloc(4096)).toBe(b);
    expect(x.pqc_alloc(32768)).toBe(0); // not enough contiguous room left
  });
});
