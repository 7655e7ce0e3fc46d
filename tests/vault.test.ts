// The vault (assembly/vault.ts): key pairs made inside the enclave from the
// DRBG, addressed by handles; misuse of every kind; no secret in the I/O
// window; zeroization on free.
import { describe, expect, it } from 'vitest';
import * as kem from '@noble/post-quantum/ml-kem.js';
import * as dsa from '@noble/post-quantum/ml-dsa.js';
import { abi, Enclave, readModule } from '../host/index.js';
import { Prng } from './helpers/prng.js';
import { indexOfBytes } from './helpers/hex.js';

const ENTROPY = new Prng('vault/entropy').bytes(48);

/** A fresh enclave with its DRBG instantiated from ENTROPY (or not). */
function enclave(seeded = true): Enclave {
  const e = new Enclave(readModule('enclave.test.wasm')); // the test build: drbgOutput() needs drbg_generate_test
  if (seeded) {
    e.put(0, ENTROPY);
    expect(e.exports.drbg_instantiate(e.io, 48, e.io, 0, e.io, 0)).toBe(0);
    e.wipe(0, 48);
  }
  return e;
}

/** The first `n` bytes a DRBG seeded like enclave() produces (through the test-only export). */
function drbgOutput(n: number): Uint8Array {
  const e = enclave();
  expect(e.exports.drbg_generate_test!(e.io, n, e.io, 0)).toBe(0);
  return e.get(0, n);
}

const LEVELS_KEM = [[512, kem.ml_kem512], [768, kem.ml_kem768], [1024, kem.ml_kem1024]] as const;
const LEVELS_DSA = [[44, dsa.ml_dsa44], [65, dsa.ml_dsa65], [87, dsa.ml_dsa87]] as const;

describe('vault key generation', () => {
  it('an ML-KEM key pair is ML-KEM.KeyGen of the DRBG output; only the public key comes out', () => {
    for (const [level, ref] of LEVELS_KEM) {
      const e = enclave();
      const h = e.exports.vault_kem_keygen(level);
      expect(h).toBeGreaterThan(0);
      expect(e.exports.vault_level(h)).toBe(level);
      const n = e.exports.vault_public_bytes(h);
      expect(n).toBe(ref.lengths.publicKey);
      expect(e.exports.vault_public(h, e.io)).toBe(0);
      const want = ref.keygen(drbgOutput(64));
      expect(Buffer.from(e.get(0, n)).equals(Buffer.from(want.publicKey))).toBe(true);
      // The secret key is nowhere in the window, and the DRBG seed nowhere in memory.
      const mem = e.memory();
      expect(indexOfBytes(mem.subarray(e.io, e.io + e.ioBytes), want.secretKey.subarray(0, 32))).toBe(-1);
      expect(indexOfBytes(mem, drbgOutput(64).subarray(0, 32))).toBe(-1);
    }
  });

  it('an ML-DSA key pair signs (hedged, rnd from the DRBG) and verifies under its public key', () => {
    for (const [level, ref] of LEVELS_DSA) {
      const e = enclave();
      const h = e.exports.vault_dsa_keygen(level);
      expect(h).toBeGreaterThan(0);
      const want = ref.keygen(drbgOutput(32));
      expect(e.exports.vault_public(h, e.io)).toBe(0);
      const pk = e.get(0, ref.lengths.publicKey!);
      expect(Buffer.from(pk).equals(Buffer.from(want.publicKey))).toBe(true);
      const mu = new Prng(`vault/mu${level}`).bytes(64);
      e.put(0, mu);
      expect(e.exports.vault_dsa_sign(h, e.io, e.io + 64)).toBe(0);
      const sig = e.get(64, ref.lengths.signature!);
      expect(ref.internal.verify(sig, mu, want.publicKey, { externalMu: true })).toBe(true);
      expect(indexOfBytes(e.memory().subarray(e.io, e.io + e.ioBytes), want.secretKey.subarray(128, 160))).toBe(-1);
    }
  });
});

describe('vault misuse', () => {
  it('forged, freed, stale and wrongly-typed handles are refused with their status; the vault keeps working', () => {
    const e = enclave();
    const k = e.exports.vault_kem_keygen(768);
    const d = e.exports.vault_dsa_keygen(65);
    const x = e.exports;
    for (const forged of [0, 1, -1, 0x12345678, 0x5a000000 | 200, (k & ~0xff00) | 0x7700, 0x7fffffff]) {
      expect(x.vault_free(forged), `forged ${forged}`).toBe(abi.ERR_HANDLE);
      expect(x.vault_public(forged, e.io)).toBe(abi.ERR_HANDLE);
      expect(x.vault_level(forged)).toBe(abi.ERR_HANDLE);
      expect(x.vault_public_bytes(forged)).toBe(0);
    }
    // Wrong type: signing with an ML-KEM key.
    e.put(0, new Uint8Array(64));
    expect(x.vault_dsa_sign(k, e.io, e.io + 64)).toBe(abi.ERR_HANDLE_TYPE);
    // Freed, then stale after the slot is reused.
    expect(x.vault_free(k)).toBe(0);
    expect(x.vault_free(k)).toBe(abi.ERR_HANDLE);
    expect(x.vault_public(k, e.io)).toBe(abi.ERR_HANDLE);
    const k2 = x.vault_kem_keygen(512);
    expect(k2 & 0xff).toBe(k & 0xff); // same slot...
    expect(k2).not.toBe(k); // ...another generation
    expect(x.vault_public(k, e.io)).toBe(abi.ERR_HANDLE);
    expect(x.vault_public(k2, e.io)).toBe(0);
    // Bad arguments.
    expect(x.vault_kem_keygen(700)).toBe(abi.ERR_ARG);
    expect(x.vault_dsa_keygen(768)).toBe(abi.ERR_ARG);
    expect(x.vault_public(d, e.io + e.ioBytes - 10)).toBe(abi.ERR_ARG);
    expect(x.vault_dsa_sign(d, e.io, e.io + 32)).toBe(abi.ERR_ARG); // mu and sig overlap
    // Still working: d signs.
    expect(x.vault_dsa_sign(d, e.io, e.io + 64)).toBe(0);
  });

  it('an uninstantiated DRBG refuses key generation without consuming a slot; a full vault says so', () => {
    const cold = enclave(false);
    expect(cold.exports.vault_kem_keygen(768)).toBe(abi.ERR_DRBG_UNSEEDED);
    expect(cold.exports.vault_dsa_keygen(44)).toBe(abi.ERR_DRBG_UNSEEDED);
    const e = enclave();
    const handles: number[] = [];
    for (let i = 0; i < 16; i++) handles.push(e.exports.vault_kem_keygen(512));
    expect(handles.every((h) => h > 0)).toBe(true);
    expect(new Set(handles).size).toBe(16);
    expect(e.exports.vault_kem_keygen(512)).toBe(abi.ERR_VAULT_FULL);
    expect(e.exports.vault_free(handles[3]!)).toBe(0);
    expect(e.exports.vault_kem_keygen(512)).toBeGreaterThan(0);
  });

  it('free wipes the key material: the secret key is gone from the whole memory', () => {
    const e = enclave();
    const h = e.exports.vault_dsa_keygen(87);
    const want = dsa.ml_dsa87.keygen(drbgOutput(32));
    const mem = () => e.memory();
    expect(indexOfBytes(mem(), want.secretKey.subarray(128, 192))).toBeGreaterThan(-1); // inside the vault
    expect(e.exports.vault_free(h)).toBe(0);
    expect(indexOfBytes(mem(), want.secretKey.subarray(128, 192))).toBe(-1);
  });
});

describe('vault sessions: ML-KEM to AES-256-GCM keys that never leave', () => {
  const T = new TextEncoder().encode('transcript hash: 32 bytes, say..');

  /** Seal `pt` with a session (direction d) and return ct || tag. */
  function seal(e: Enclave, s: number, d: number, nonce: Uint8Array, pt: Uint8Array): Uint8Array {
    const x = e.exports;
    expect(x.gcm_init_session(s, d, 16, 0)).toBe(0);
    expect(x.gcm_iv(e.put(0, nonce), nonce.length)).toBe(0);
    const p = e.put(1024, pt);
    expect(x.gcm_crypt(p, p, pt.length)).toBe(0);
    expect(x.gcm_finish(e.io + 64)).toBe(0);
    return new Uint8Array([...e.get(1024, pt.length), ...e.get(64, 16)]);
  }

  /** Open ct || tag with a session; the status of the tag check, and the plaintext when it passed. */
  function open(e: Enclave, s: number, d: number, nonce: Uint8Array, sealed: Uint8Array): { st: number; pt?: Uint8Array } {
    const x = e.exports;
    const ct = sealed.subarray(0, sealed.length - 16);
    expect(x.gcm_init_session(s, d, 16, 1)).toBe(0);
    expect(x.gcm_iv(e.put(0, nonce), nonce.length)).toBe(0);
    const p = e.put(1024, ct);
    expect(x.gcm_auth(p, ct.length)).toBe(0);
    const st = x.gcm_finish(e.put(64, sealed.subarray(ct.length)));
    if (st !== 0) return { st };
    expect(x.gcm_crypt(p, p, ct.length)).toBe(0);
    const pt = e.get(1024, ct.length);
    x.gcm_end();
    return { st, pt };
  }

  it('the initiator and the responder derive the same keys (the documented KDF), one per direction', async () => {
    const { createCipheriv } = await import('node:crypto');
    const { shake256 } = await import('@noble/hashes/sha3.js');
    const responder = enclave();
    const initiator = enclave();
    const kemKey = responder.exports.vault_kem_keygen(768);
    expect(responder.exports.vault_public(kemKey, responder.io)).toBe(0);
    const ek = responder.get(0, 1184);
    initiator.put(0, ek);
    initiator.put(4096, T);
    const si = initiator.exports.vault_kem_encaps(768, initiator.io, initiator.io + 2048, initiator.io + 4096, T.length);
    expect(si).toBeGreaterThan(0);
    const ct = initiator.get(2048, 1088);
    responder.put(2048, ct);
    responder.put(4096, T);
    const sr = responder.exports.vault_kem_decaps(kemKey, responder.io + 2048, responder.io + 4096, T.length);
    expect(sr).toBeGreaterThan(0);
    // The KDF, recomputed outside: m is the initiator DRBG's first output.
    const K = kem.ml_kem768.encapsulate(ek, drbgOutput(32));
    expect(Buffer.from(K.cipherText).equals(Buffer.from(ct))).toBe(true);
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, T.length, true);
    const keys = shake256(new Uint8Array([...new TextEncoder().encode('awre-session-v1'), ...K.sharedSecret, ...len, ...T]), { dkLen: 64 });
    const nonce = new Uint8Array(12).fill(9);
    const pt = new TextEncoder().encode('frame 1 from the initiator');
    const sealed = seal(initiator, si, 0, nonce, pt);
    const c = createCipheriv('aes-256-gcm', keys.subarray(0, 32), nonce);
    expect(Buffer.from(sealed).equals(Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]))).toBe(true);
    expect(open(responder, sr, 0, nonce, sealed)).toEqual({ st: 0, pt });
    // The other direction uses the other key.
    const back = seal(responder, sr, 1, nonce, pt);
    const c2 = createCipheriv('aes-256-gcm', keys.subarray(32, 64), nonce);
    expect(Buffer.from(back).equals(Buffer.concat([c2.update(pt), c2.final(), c2.getAuthTag()]))).toBe(true);
    expect(open(initiator, si, 1, nonce, back).st).toBe(0);
    expect(open(initiator, si, 0, nonce, back).st).toBe(abi.ERR_AUTH);
  });

  it('a different transcript gives different keys; session misuse is refused', () => {
    const responder = enclave();
    const kemKey = responder.exports.vault_kem_keygen(512);
    expect(responder.exports.vault_public(kemKey, responder.io)).toBe(0);
    const ek = responder.get(0, 800);
    const initiator = enclave();
    initiator.put(0, ek);
    initiator.put(4096, T);
    const si = initiator.exports.vault_kem_encaps(512, initiator.io, initiator.io + 2048, initiator.io + 4096, T.length);
    responder.put(2048, initiator.get(2048, 768));
    const other = new Uint8Array(T.length).fill(1);
    responder.put(4096, other);
    const sr = responder.exports.vault_kem_decaps(kemKey, responder.io + 2048, responder.io + 4096, other.length);
    const nonce = new Uint8Array(12);
    expect(open(responder, sr, 0, nonce, seal(initiator, si, 0, nonce, new Uint8Array(40))).st).toBe(abi.ERR_AUTH);
    const x = responder.exports;
    expect(x.vault_public(sr, responder.io)).toBe(abi.ERR_HANDLE_TYPE);
    expect(x.gcm_init_session(kemKey, 0, 16, 0)).toBe(abi.ERR_HANDLE_TYPE);
    expect(x.gcm_init_session(sr, 2, 16, 0)).toBe(abi.ERR_ARG);
    expect(x.vault_kem_decaps(sr, responder.io + 2048, responder.io + 4096, 4)).toBe(abi.ERR_HANDLE_TYPE);
    expect(x.vault_free(sr)).toBe(0);
    expect(x.gcm_init_session(sr, 0, 16, 0)).toBe(abi.ERR_HANDLE);
    // A non-reduced encapsulation key is refused by the initiator.
    const bad = ek.slice();
    bad[0] = 0xff; bad[1] |= 0x0f;
    initiator.put(0, bad);
    expect(initiator.exports.vault_kem_encaps(512, initiator.io, initiator.io + 2048, initiator.io + 4096, T.length)).toBe(abi.ERR_EK_MODULUS);
  });
});
