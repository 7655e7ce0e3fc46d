// The no-straddle invariant of the WAVEN layout (docs/waven.md): a checking
// build of the instrumented module (scripts/waven-instrument.mjs
// --check-straddle) traps on any access that crosses a page boundary. Every
// kernel runs on it here, over all parameter sets and awkward lengths and
// offsets, and must neither trap nor differ from the references.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCipheriv } from 'node:crypto';
import * as kem from '@noble/post-quantum/ml-kem.js';
import * as dsa from '@noble/post-quantum/ml-dsa.js';
import { sha3_256, shake256 } from '@noble/hashes/sha3.js';
import { compileSource } from './helpers/asc.js';
import { Enclave } from '../host/index.js';
import { MAX_FRAME_BYTES, TenantPair } from '../host/tenants.js';
import { PhysicalMemory, instantiateWaven, wavenLayout } from '../host/waven/physical.js';
import { Prng } from './helpers/prng.js';

let e: Enclave;
let checked: Uint8Array;
beforeAll(() => {
  const out = join(mkdtempSync(join(tmpdir(), 'awre-straddle-')), 'checked.wasm');
  execFileSync(process.execPath, ['scripts/waven-instrument.mjs', 'build/enclave.wasm', out, '--check-straddle']);
  checked = readFileSync(out);
  e = new Enclave(checked, { mmu: 'waven' });
});
const hex = (u: Uint8Array) => Buffer.from(u).toString('hex');
const rnd = (label: string, n: number) => new Prng(`straddle/${label}`).bytes(n);

describe('no access straddles a page (checking build)', () => {
  it('ML-KEM-512/768/1024 keygen, encaps, decaps (valid and rejected ciphertexts)', () => {
    for (const [level, ref] of [[512, kem.ml_kem512], [768, kem.ml_kem768], [1024, kem.ml_kem1024]] as const) {
      const L = ref.lengths;
      for (let i = 0; i < 3; i++) {
        const seed = rnd(`kem${level}${i}`, 64);
        const keys = ref.keygen(seed);
        e.put(0, seed);
        expect(e.exports.mlkem_keygen(level, e.io, e.io + 64, e.io + 4096)).toBe(0);
        expect(hex(e.get(4096, L.secretKey!))).toBe(hex(keys.secretKey));
        const m = rnd(`m${level}${i}`, 32);
        const enc = ref.encapsulate(keys.publicKey, m);
        e.put(0, keys.publicKey); e.put(8192, m);
        expect(e.exports.mlkem_encaps(level, e.io, e.io + 8192, e.io + 12288, e.io + 16384)).toBe(0);
        expect(hex(e.get(12288, L.cipherText!))).toBe(hex(enc.cipherText));
        const bad = enc.cipherText.slice(); bad[i]! ^= 1;
        for (const ct of [enc.cipherText, bad]) {
          e.put(0, keys.secretKey); e.put(20480, ct);
          expect(e.exports.mlkem_decaps(level, e.io, e.io + 20480, e.io + 24576)).toBe(0);
          expect(hex(e.get(24576, 32))).toBe(hex(ref.decapsulate(ct, keys.secretKey)));
        }
      }
    }
  });

  it('ML-DSA-44/65/87 keygen, sign, verify', () => {
    for (const [level, ref] of [[44, dsa.ml_dsa44], [65, dsa.ml_dsa65], [87, dsa.ml_dsa87]] as const) {
      const L = ref.lengths;
      const seed = rnd(`dsa${level}`, 32);
      const keys = ref.keygen(seed);
      e.put(0, seed);
      expect(e.exports.mldsa_keygen(level, e.io, e.io + 64, e.io + 8192)).toBe(0);
      expect(hex(e.get(8192, L.secretKey!))).toBe(hex(keys.secretKey));
      const mu = rnd(`mu${level}`, 64);
      const sig = ref.internal.sign(mu, keys.secretKey, { externalMu: true, extraEntropy: false });
      e.put(0, keys.secretKey); e.put(16384, mu); e.put(16512, new Uint8Array(32));
      expect(e.exports.mldsa_sign(level, e.io, e.io + 16384, e.io + 16512, e.io + 20480)).toBe(0);
      expect(hex(e.get(20480, L.signature!))).toBe(hex(sig));
      e.put(0, keys.publicKey); e.put(16384, mu); e.put(20480, sig);
      expect(e.exports.mldsa_verify(level, e.io, e.io + 16384, e.io + 20480)).toBe(1);
    }
  });

  it('AES-GCM with every key size, odd IV/AAD/data lengths, encrypt and decrypt', () => {
    for (const kl of [16, 24, 32]) {
      for (const [ivl, adl, n] of [[12, 0, 0], [1, 17, 33], [60, 100, 1000], [12, 5, 65536 - 200]]) {
        const key = rnd(`k${kl}${n}`, kl), iv = rnd(`iv${ivl}`, ivl!), aad = rnd(`a${adl}`, adl!), pt = rnd(`p${n}`, n!);
        const c = createCipheriv(`aes-${kl * 8}-gcm` as 'aes-128-gcm', key, iv);
        c.setAAD(aad);
        const want = Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]);
        e.put(0, key);
        expect(e.exports.gcm_init(e.io, kl, 16, 0)).toBe(0);
        e.put(64, iv);
        expect(e.exports.gcm_iv(e.io + 64, ivl!)).toBe(0);
        e.put(128, aad);
        expect(e.exports.gcm_aad(e.io + 128, adl!)).toBe(0);
        e.put(192, pt);
        expect(e.exports.gcm_crypt(e.io + 192, e.io + 192, n!, 0)).toBe(0);
        expect(e.exports.gcm_finish(e.io + 32)).toBe(0);
        expect(hex(Buffer.concat([e.get(192, n!), e.get(32, 16)]))).toBe(hex(want));
        // Decrypt in two chunks (whole blocks, then the rest): the auth pass
        // writes a binding token (SHAKE256) for the first, the decrypt pass
        // checks it, and the last chunk against the accumulator kept.
        const cut = (n! >> 5) << 4;
        e.put(0, key);
        expect(e.exports.gcm_init(e.io, kl, 16, 1)).toBe(0);
        e.put(64, iv);
        expect(e.exports.gcm_iv(e.io + 64, ivl!)).toBe(0);
        e.put(128, aad);
        expect(e.exports.gcm_aad(e.io + 128, adl!)).toBe(0);
        e.put(192, want.subarray(0, n!));
        expect(e.exports.gcm_auth(e.io + 192, cut, e.io + 48)).toBe(0);
        expect(e.exports.gcm_auth(e.io + 192 + cut, n! - cut, 0)).toBe(0);
        e.put(32, want.subarray(n!));
        expect(e.exports.gcm_finish(e.io + 32)).toBe(0);
        expect(e.exports.gcm_crypt(e.io + 192, e.io + 192, cut, e.io + 48)).toBe(0);
        expect(e.exports.gcm_crypt(e.io + 192 + cut, e.io + 192 + cut, n! - cut, 0)).toBe(0);
        e.exports.gcm_end();
        expect(hex(e.get(192, n!))).toBe(hex(pt));
      }
    }
  });

  it('vault key generation (every parameter set), signing and free, with the DRBG', () => {
    e.put(0, rnd('entropy', 48));
    expect(e.exports.drbg_instantiate(e.io, 48, e.io, 0, e.io, 0)).toBe(0);
    const handles = [512, 768, 1024].map((l) => e.exports.vault_kem_keygen(l)).concat([44, 65, 87].map((l) => e.exports.vault_dsa_keygen(l, 3)));
    expect(handles.every((h) => h > 0)).toBe(true);
    for (const h of handles) expect(e.exports.vault_public(h, e.io)).toBe(0);
    for (const h of handles.slice(3)) {
      e.put(0, rnd(`mu${h}`, 64));
      expect(e.exports.vault_dsa_sign(h, e.io, e.io + 64)).toBe(0);
    }
    for (const h of handles) expect(e.exports.vault_free(h)).toBe(0);
  });

  it('PQC1 v2 between two tenants of the checking build: handshakes at every level pair, frames across rekeys', () => {
    for (const [kemLevel, dsaLevel] of [[512, 44], [768, 65], [1024, 87]] as const) {
      const pair = new TenantPair({ module: checked, kemLevel, dsaLevel, rekey: 2 });
      for (const t of [pair.initiator, pair.responder]) {
        t.put(0, rnd(`pqc${kemLevel}${t.instance}`, 48));
        expect(t.exports.drbg_instantiate(t.io, 48, t.io, 0, t.io, 0)).toBe(0);
      }
      pair.makeKeys();
      const h = pair.handshake(1_800_000_000_000n);
      // Every length up to three blocks (a tag at every offset of a block), then larger ones.
      const sizes = [...Array.from({ length: 49 }, (_, i) => i), 1000, 4099, MAX_FRAME_BYTES];
      for (const [i, size] of sizes.entries()) {
        for (const from of ['initiator', 'responder'] as const) {
          const msg = rnd(`f${kemLevel}${from}${i}`, size);
          expect(hex(pair.send(from, h, msg).opened), `${from}, ${size} bytes`).toBe(hex(msg));
        }
      }
      pair.close(h);
    }
  });

  it('SHA-3 and SHAKE at every offset and length near the window edges', () => {
    for (const len of [0, 1, 135, 136, 137, 1000]) {
      for (const at of [0, 1, 7, 65536 - len - 1]) {
        const msg = rnd(`s${len}${at}`, len);
        e.put(at, msg);
        const dst = at < 32768 ? 40000 : 0;
        expect(e.exports.sha3_oneshot(136, 6, e.io + at, len, e.io + dst, 32)).toBe(0);
        expect(hex(e.get(dst, 32))).toBe(hex(sha3_256(msg)));
        expect(e.exports.sha3_oneshot(136, 0x1f, e.io + at, len, e.io + dst, 200)).toBe(0);
        expect(hex(e.get(dst, 200))).toBe(hex(shake256(msg, { dkLen: 200 })));
      }
    }
  });
});

describe('the checking build', () => {
  it('traps on a straddling access (so the test above can fail)', async () => {
    const compiled = await compileSource('export function peek(p: usize): u64 { return load<u64>(p); }\n');
    const dir = mkdtempSync(join(tmpdir(), 'awre-straddle-mod-'));
    execFileSync(process.execPath, ['scripts/waven-instrument.mjs', compiled, join(dir, 'c.wasm'), '--check-straddle']);
    const mod = new WebAssembly.Module(readFileSync(join(dir, 'c.wasm')));
    const ex = instantiateWaven(new PhysicalMemory(), mod, 'm', wavenLayout(mod)).exports as Record<string, (p: number) => bigint>;
    expect(ex.peek!(65528)).toBe(0n); // the last 8 bytes of page 0: inside
    expect(() => ex.peek!(65529)).toThrow(WebAssembly.RuntimeError); // 7 + 1 bytes across the boundary
  });
});
