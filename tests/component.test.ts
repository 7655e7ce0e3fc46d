// The enclave as a WebAssembly component (docs/component.md): every check runs
// through two runners of build/enclave.component.wasm and requires the same
// bytes from both and from the expected values:
//   - jco: jco's transpiled bindings (build/component/enclave.js);
//   - thin: host/enclave/component.ts over the component's core module.
// ACVP subsets (SHA3-256 AFT, ML-KEM keyGen/encaps/decaps/checks, ML-DSA
// keyGen and external-mu sigGen/sigVer, AES-GCM), the golden outputs of the
// plain API (tests/golden/outputs.json, from the same fixed inputs as
// scripts/golden-lib.mjs), the window wiping, the refusal of lists larger
// than the window and of lists not handed out in the call (every function that
// takes one), and GCM's ignored token and tag when encrypting. No timing
// assertions.
import { execFileSync } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as jco from '../build/component/enclave.js';
import { renderInspect, runInspect } from '../host/cli/inspect.js';
import { bindComponentCore, canonicalExport, COMPONENT_FUNCTIONS, ComponentStatusError } from '../host/enclave/component.js';
import { ml_kem768, sha3_256 } from '../host/index.js';
import { fixedBytes, digestOf } from '../scripts/golden-lib.mjs';
import { bytesToHex, hexToBytes } from './helpers/hex.js';
import { loadAcvp, type EncapDecapGroup, type KeyGenGroup, type ShaGroup } from './helpers/vectors.js';
import { loadDsaKeyGen, loadDsaSigGen, loadDsaSigVer } from './helpers/mldsa-vectors.js';
import type { GcmAcvpGroup } from './helpers/gcm-vectors.js';
import { answerRequest, respondRequest, startRequest } from './helpers/pqc-pair.js';

type World = Record<string, Record<string, (...a: any[]) => any>>;
const root = new URL('../', import.meta.url);
const coreBytes = readFileSync(new URL('build/component/enclave.core.wasm', root));
const thin = bindComponentCore(coreBytes);
const RUNNERS: [string, World][] = [['jco', jco as unknown as World], ['thin', thin as unknown as World]];
const golden = JSON.parse(readFileSync(new URL('tests/golden/outputs.json', root), 'utf8')) as Record<string, string>;
const hex = bytesToHex;
const lc = (s: string) => s.toLowerCase();
const LEVEL = (p: string) => Number(p.split('-').pop());
const status = (f: () => unknown): number | 'ok' => {
  try { f(); return 'ok'; } catch (e) { return (e as { payload: number }).payload; }
};

// ---- the thin runner's window: zero after every call ---------------------------
const core = thin.$core.exports as Record<string, any>;
const realloc = core.cabi_realloc as (a: number, b: number, c: number, d: number) => number;
const IO = realloc(0, 0, 1, 0); // the allocator is reset: this is the window's base
const IO_BYTES = thin.info.ioBytes() as number;
function windowZero(): boolean {
  const w = new Uint8Array((core.memory as WebAssembly.Memory).buffer, IO, IO_BYTES);
  return w.every((b) => b === 0);
}

// ---- helpers over a runner ---------------------------------------------------------
const SHAKE256 = [136, 0x1f] as const;
function shake256(R: World, chunks: Uint8Array[], outLen: number): Uint8Array {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  if (total + outLen <= 60000) {
    const all = new Uint8Array(total); let o = 0;
    for (const c of chunks) { all.set(c, o); o += c.length; }
    return R.sha3.oneshot(SHAKE256[0], SHAKE256[1], all, outLen);
  }
  const saved = R.sha3.contextSave(); // whatever the context held comes back afterwards
  R.sha3.contextRestore(new Uint8Array(208));
  for (const c of chunks) for (let o = 0; o < c.length; o += 30000) R.sha3.absorb(SHAKE256[0], c.subarray(o, o + 30000));
  R.sha3.finish(SHAKE256[0], SHAKE256[1]);
  const out = R.sha3.squeeze(SHAKE256[0], outLen);
  R.sha3.contextRestore(saved);
  return out;
}
/** mu of FIPS 204 Algorithm 2/3 (pure, with context) from pk. */
function muOf(R: World, pk: Uint8Array, msg: Uint8Array, ctx: Uint8Array = new Uint8Array(0)): Uint8Array {
  const tr = shake256(R, [pk], 64);
  return shake256(R, [tr, Uint8Array.of(0, ctx.length), ctx, msg], 64);
}
const CHUNK = 16384;
const WIT = readFileSync(new URL('abi/awre.wit', root), 'utf8');
/** The parameter list of a WIT function, as written in abi/awre.wit. */
function witParams(iface: string, fn: string): string {
  const block = WIT.split(/^interface /m).find((b) => b.startsWith(`${iface} `))!;
  return new RegExp(`^\\s+${fn}: func\\(([^)]*)\\)`, 'm').exec(block)![1]!;
}
function gcmEncrypt(R: World, key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, pt: Uint8Array, tagLen: number): Uint8Array {
  R.gcm.init(key, tagLen, false); R.gcm.iv(nonce); R.gcm.aad(aad);
  const out = new Uint8Array(pt.length + tagLen);
  for (let o = 0; o < pt.length; o += CHUNK) out.set(R.gcm.crypt(pt.subarray(o, o + CHUNK), undefined), o);
  out.set(R.gcm.finish(new Uint8Array(0)), pt.length);
  return out;
}
function gcmDecrypt(R: World, key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array, tagLen: number): Uint8Array {
  const ct = sealed.subarray(0, sealed.length - tagLen);
  R.gcm.init(key, tagLen, true); R.gcm.iv(nonce); R.gcm.aad(aad);
  const tokens: Uint8Array[] = [];
  for (let o = 0; o < ct.length; o += CHUNK) tokens.push(R.gcm.auth(ct.subarray(o, o + CHUNK)));
  R.gcm.finish(sealed.subarray(ct.length));
  const out = new Uint8Array(ct.length);
  for (let o = 0, i = 0; o < ct.length; o += CHUNK, i++) {
    const last = o + CHUNK >= ct.length;
    out.set(R.gcm.crypt(ct.slice(o, o + CHUNK), last ? undefined : tokens[i]), o);
  }
  R.gcm.end();
  return out;
}

describe('the component exports the whole world', () => {
  it('every WIT function of abi/awre.wit has a canonical export (and a post-return where it returns lists)', () => {
    const wit = readFileSync(new URL('abi/awre.wit', root), 'utf8');
    const declared: string[] = [];
    for (const block of wit.split(/^interface /m).slice(1)) {
      const iface = /^([a-z0-9-]+)/.exec(block)![1]!;
      for (const m of block.matchAll(/^\s+([a-z0-9-]+): func\(/gm)) declared.push(`${iface}.${m[1]}`);
    }
    expect(declared.length).toBe(45);
    expect(COMPONENT_FUNCTIONS.map(([i, f]) => `${i}.${f}`).sort()).toEqual(declared.sort());
    const names = new Set(WebAssembly.Module.exports(new WebAssembly.Module(coreBytes)).map((e) => e.name));
    for (const [i, f] of COMPONENT_FUNCTIONS) expect(names.has(canonicalExport(i, f)), `${i}.${f}`).toBe(true);
    expect(names.has('cabi_realloc')).toBe(true);
    expect(names.has(`cabi_post_${canonicalExport('ml-kem', 'encaps')}`)).toBe(true);
  });

  it('info', () => {
    for (const [, R] of RUNNERS) {
      expect(R.info.abiVersion()).toBe(2);
      expect(R.info.ioBytes()).toBe(65536);
    }
  });
});

describe('ACVP subsets through both runners', () => {
  it('SHA3-256 AFT, byte-aligned (151)', () => {
    let n = 0;
    for (const g of loadAcvp<ShaGroup>('SHA3-256-2.0').testGroups) {
      if (g.testType !== 'AFT') continue;
      for (const t of g.tests) {
        if (t.len % 8 !== 0) continue;
        const msg = hexToBytes(t.msg).subarray(0, t.len / 8);
        for (const [name, R] of RUNNERS) expect(hex(R.sha3.oneshot(136, 6, msg, 32)), `${name} tc ${t.tcId}`).toBe(lc(t.md!));
        n++;
      }
    }
    expect(n).toBe(151);
    expect(windowZero()).toBe(true);
  });

  it('ML-KEM keyGen, encapsulation, decapsulation, key checks', () => {
    let n = 0;
    for (const g of loadAcvp<KeyGenGroup>('ML-KEM-keyGen-FIPS203').testGroups) {
      for (const t of g.tests) {
        const seed = hexToBytes(t.d + t.z);
        for (const [name, R] of RUNNERS) {
          const kp = R.mlKem.keygen(LEVEL(g.parameterSet), seed);
          expect(hex(kp.ek) + hex(kp.dk), `${name} keygen ${t.tcId}`).toBe(lc(t.ek) + lc(t.dk));
        }
        n++;
      }
    }
    for (const g of loadAcvp<EncapDecapGroup>('ML-KEM-encapDecap-FIPS203').testGroups) {
      const L = LEVEL(g.parameterSet);
      for (const t of g.tests) {
        for (const [name, R] of RUNNERS) {
          const what = `${name} ${g.function} ${t.tcId}`;
          if (g.function === 'encapsulation') {
            const e = R.mlKem.encaps(L, hexToBytes(t.ek!), hexToBytes(t.m!));
            expect(hex(e.ct) + hex(e.ss), what).toBe(lc(t.c!) + lc(t.k!));
          } else if (g.function === 'decapsulation') {
            expect(hex(R.mlKem.decaps(L, hexToBytes(t.dk!), hexToBytes(t.c!))), what).toBe(lc(t.k!));
          } else if (g.function === 'encapsulationKeyCheck') {
            expect(status(() => R.mlKem.checkEk(L, hexToBytes(t.ek!))) === 'ok', what).toBe(t.testPassed);
          } else {
            expect(status(() => R.mlKem.checkDk(L, hexToBytes(t.dk!))) === 'ok', what).toBe(t.testPassed);
          }
        }
        n++;
      }
    }
    expect(n).toBeGreaterThan(200);
    expect(windowZero()).toBe(true);
  });

  it('ML-DSA keyGen, sigGen and sigVer (internal, external mu)', () => {
    let kg = 0, sg = 0, sv = 0;
    for (const g of loadDsaKeyGen().testGroups) {
      for (const t of g.tests) {
        for (const [name, R] of RUNNERS) {
          const kp = R.mlDsa.keygen(LEVEL(g.parameterSet), hexToBytes(t.seed));
          expect(hex(kp.pk) + hex(kp.sk), `${name} keygen ${t.tcId}`).toBe(lc(t.pk) + lc(t.sk));
        }
        kg++;
      }
    }
    for (const g of loadDsaSigGen().testGroups) {
      if (g.signatureInterface !== 'internal' || !g.externalMu) continue;
      for (const t of g.tests) {
        const rnd = g.deterministic ? new Uint8Array(32) : hexToBytes(t.rnd!);
        for (const [name, R] of RUNNERS) {
          const sig = R.mlDsa.sign(LEVEL(g.parameterSet), hexToBytes(t.sk), hexToBytes(t.mu!), rnd);
          expect(hex(sig), `${name} sigGen ${t.tcId}`).toBe(lc(t.signature));
        }
        sg++;
      }
    }
    for (const g of loadDsaSigVer().testGroups) {
      if (g.signatureInterface !== 'internal' || !g.externalMu) continue;
      for (const t of g.tests) {
        for (const [name, R] of RUNNERS) {
          const ok = R.mlDsa.verify(LEVEL(g.parameterSet), hexToBytes(t.pk), hexToBytes(t.mu!), hexToBytes(t.signature));
          expect(ok, `${name} sigVer ${t.tcId}`).toBe(t.testPassed);
        }
        sv++;
      }
    }
    expect([kg, sg > 0, sv > 0]).toEqual([75, true, true]);
    expect(windowZero()).toBe(true);
  });

  it('AES-GCM encrypt and decrypt (forged tags refused with ERR_AUTH)', () => {
    let n = 0;
    for (const g of loadAcvp<GcmAcvpGroup>('ACVP-AES-GCM-1.0').testGroups) {
      const tagLen = g.tagLen / 8;
      for (const t of g.tests) {
        const [key, iv, aad, pt, ct, tag] = [t.key, t.iv, t.aad, t.pt, t.ct, t.tag].map((s) => hexToBytes(s ?? ''));
        for (const [name, R] of RUNNERS) {
          const what = `${name} tgId ${g.tgId} tcId ${t.tcId}`;
          if (g.direction === 'encrypt') {
            expect(hex(gcmEncrypt(R, key!, iv!, aad!, pt!, tagLen)), what).toBe(lc(t.ct + t.tag));
          } else {
            const sealed = new Uint8Array([...ct!, ...tag!]);
            if (t.testPassed === false) {
              expect(status(() => gcmDecrypt(R, key!, iv!, aad!, sealed, tagLen)), what).toBe(-15);
              R.gcm.end();
            } else {
              expect(hex(gcmDecrypt(R, key!, iv!, aad!, sealed, tagLen)), what).toBe(lc(t.pt ?? ''));
            }
          }
        }
        n++;
      }
    }
    expect(n).toBe(60);
    expect(windowZero()).toBe(true);
  });
});

describe('golden outputs of the plain API, through both runners', () => {
  const want = (name: string) => golden[`off/${name}`];
  const flip = (u: Uint8Array, at: number) => { const c = u.slice(); c[at]! ^= 1; return c; };

  it('ML-KEM at every level, and the plain API on the same seeds', () => {
    for (const [name, R] of RUNNERS) {
      for (const level of [512, 768, 1024]) {
        const n = `mlkem${level}`;
        const { ek, dk } = R.mlKem.keygen(level, fixedBytes(`${n} seed`, 64));
        expect(digestOf(ek, dk), `${name} ${n}.keygen`).toBe(want(`${n}.keygen`));
        const { ct, ss } = R.mlKem.encaps(level, ek, fixedBytes(`${n} msg`, 32));
        expect(digestOf(ct, ss), `${name} ${n}.encapsulate`).toBe(want(`${n}.encapsulate`));
        expect(digestOf(R.mlKem.decaps(level, dk, ct)), `${name} ${n}.decapsulate`).toBe(want(`${n}.decapsulate`));
        expect(digestOf(R.mlKem.decaps(level, dk, flip(ct, 7))), `${name} ${n}.decapsulate-reject`).toBe(want(`${n}.decapsulate-reject`));
      }
      const plain = ml_kem768.keygen(fixedBytes('mlkem768 seed', 64));
      const comp = R.mlKem.keygen(768, fixedBytes('mlkem768 seed', 64));
      expect(hex(comp.ek)).toBe(hex(plain.publicKey));
      expect(hex(comp.dk)).toBe(hex(plain.secretKey));
      expect(hex(R.sha3.oneshot(136, 6, fixedBytes('x', 32), 32))).toBe(hex(sha3_256(fixedBytes('x', 32))));
    }
    expect(windowZero()).toBe(true);
  });

  it('ML-DSA at every level (mu formed through the component\'s SHAKE256)', () => {
    for (const [name, R] of RUNNERS) {
      for (const level of [44, 65, 87]) {
        const n = `mldsa${level}`;
        const { pk, sk } = R.mlDsa.keygen(level, fixedBytes(`${n} seed`, 32));
        expect(digestOf(pk, sk), `${name} ${n}.keygen`).toBe(want(`${n}.keygen`));
        expect(hex(R.mlDsa.publicKey(level, sk))).toBe(hex(pk));
        const msg = fixedBytes(`${n} msg`, 200);
        const ctx = fixedBytes(`${n} ctx`, 9);
        const det = R.mlDsa.sign(level, sk, muOf(R, pk, msg, ctx), new Uint8Array(32));
        expect(digestOf(det), `${name} ${n}.sign-deterministic`).toBe(want(`${n}.sign-deterministic`));
        const hedged = R.mlDsa.sign(level, sk, muOf(R, pk, msg, ctx), fixedBytes(`${n} rnd`, 32));
        expect(digestOf(hedged), `${name} ${n}.sign-hedged`).toBe(want(`${n}.sign-hedged`));
        const big = fixedBytes(`${n} big msg`, 70000);
        const bigSig = R.mlDsa.sign(level, sk, muOf(R, pk, big), new Uint8Array(32));
        expect(digestOf(bigSig), `${name} ${n}.sign-deterministic.70000`).toBe(want(`${n}.sign-deterministic.70000`));
        const v = (sig: Uint8Array, m: Uint8Array, c?: Uint8Array) => R.mlDsa.verify(level, pk, muOf(R, pk, m, c), sig) as boolean;
        const results = [v(det, msg, ctx), v(hedged, msg, ctx), v(bigSig, big), v(flip(det, 100), msg, ctx),
          v(det, flip(msg, 0), ctx), v(det, msg, flip(ctx, 0)), v(det, msg)];
        expect(digestOf(Uint8Array.from(results, (r) => (r ? 1 : 0))), `${name} ${n}.verify`).toBe(want(`${n}.verify`));
      }
    }
    expect(windowZero()).toBe(true);
  });

  it('AES-GCM at every key size and length (chunked through the window)', () => {
    for (const [name, R] of RUNNERS) {
      for (const bits of [128, 192, 256]) {
        const n = `gcm${bits}`;
        const key = fixedBytes(`${n} key`, bits / 8);
        const aad = fixedBytes(`${n} aad`, 20);
        const cases = [0, 1, 16, 1000, 70000].map((len) => ({ tag: String(len), nonce: 12, tagLen: 16, len }));
        cases.push({ tag: 'nonce16-tag12.1000', nonce: 16, tagLen: 12, len: 1000 });
        for (const c of cases) {
          const nonce = fixedBytes(`${n} nonce ${c.tag}`, c.nonce);
          const pt = fixedBytes(`${n} pt ${c.tag}`, c.len);
          const sealed = gcmEncrypt(R, key, nonce, aad, pt, c.tagLen);
          expect(digestOf(sealed), `${name} ${n}.encrypt.${c.tag}`).toBe(want(`${n}.encrypt.${c.tag}`));
          const opened = gcmDecrypt(R, key, nonce, aad, sealed, c.tagLen);
          expect(digestOf(opened), `${name} ${n}.decrypt.${c.tag}`).toBe(want(`${n}.decrypt.${c.tag}`));
        }
      }
    }
    expect(windowZero()).toBe(true);
  });

  it('SHA-3 and SHAKE at every length (one-shot, and streamed with context save/restore)', () => {
    const H: [string, number, number, number][] = [
      ['sha3_224', 144, 6, 28], ['sha3_256', 136, 6, 32], ['sha3_384', 104, 6, 48], ['sha3_512', 72, 6, 64],
      ['shake128', 168, 0x1f, 16], ['shake256', 136, 0x1f, 32]];
    for (const [name, R] of RUNNERS) {
      for (const [h, rate, ds, outLen] of H) {
        for (const len of [0, 1, 136, 1000, 70000]) {
          const msg = fixedBytes(`${h} msg ${len}`, len);
          if (len < 60000) expect(digestOf(R.sha3.oneshot(rate, ds, msg, outLen)), `${name} ${h}.${len}`).toBe(want(`${h}.${len}`));
          R.sha3.contextRestore(new Uint8Array(208));
          for (let o = 0, step = 1; o < len; o += step, step = step * 3 + 1) {
            R.sha3.absorb(rate, msg.subarray(o, Math.min(len, o + step)));
            // Park the context and bring it back between pieces.
            const saved = R.sha3.contextSave();
            R.sha3.contextRestore(new Uint8Array(208));
            R.sha3.contextRestore(saved);
          }
          R.sha3.finish(rate, ds);
          expect(digestOf(R.sha3.squeeze(rate, outLen)), `${name} ${h}.${len} streamed`).toBe(want(`${h}.${len}`));
        }
      }
    }
    expect(windowZero()).toBe(true);
  });
});

describe('memory rules', () => {
  it('the window is zero after every post-return, and inputs are wiped before it', () => {
    const { ek, dk } = thin.mlKem.keygen(768, fixedBytes('wipe seed', 64));
    expect(windowZero()).toBe(true);
    thin.mlKem.encaps(768, ek, fixedBytes('wipe m', 32));
    expect(windowZero()).toBe(true);
    // Drive one call by hand: inputs wiped on return, outputs wiped by post-return.
    const name = canonicalExport('ml-kem', 'keygen');
    const seed = fixedBytes('wipe seed', 64);
    const p = realloc(0, 0, 1, 64);
    new Uint8Array((core.memory as WebAssembly.Memory).buffer).set(seed, p);
    const ret = core[name](768, p, 64) as number;
    const mem = new Uint8Array((core.memory as WebAssembly.Memory).buffer);
    expect(mem.subarray(p, p + 64).every((b) => b === 0)).toBe(true);
    const dv = new DataView(mem.buffer);
    expect(mem[ret]).toBe(0);
    const dkAt = dv.getUint32(ret + 12, true);
    expect(hex(mem.slice(dkAt, dkAt + 2400))).toBe(hex(dk));
    core[`cabi_post_${name}`](ret);
    expect(windowZero()).toBe(true);
    expect(realloc(0, 0, 1, 0)).toBe(IO); // the allocator is reset
  });

  it('cabi_realloc traps past the window (a fresh instance)', () => {
    const x = bindComponentCore(coreBytes).$core.exports as Record<string, any>;
    expect(() => x.cabi_realloc(0, 0, 1, 65537)).toThrow(WebAssembly.RuntimeError);
    const y = bindComponentCore(coreBytes).$core.exports as Record<string, any>;
    expect(() => y.cabi_realloc(0, 0, 3, 1)).toThrow(WebAssembly.RuntimeError);
  });

  it('an oversize list is refused with a typed error, and the enclave keeps working', () => {
    expect(() => thin.sha3.oneshot(136, 6, new Uint8Array(65537), 32)).toThrow(RangeError);
    expect(() => thin.mlKem.encaps(768, new Uint8Array(60000), new Uint8Array(6000))).toThrow(RangeError);
    expect(hex(thin.sha3.oneshot(136, 6, new Uint8Array(0), 32))).toBe(hex(sha3_256(new Uint8Array(0))));
    expect(windowZero()).toBe(true);
  });

  it('a list of the wrong length is err(ERR_LENGTH), an unknown level err(ERR_ARG), in both runners', () => {
    for (const [, R] of RUNNERS) {
      expect(status(() => R.mlKem.keygen(768, new Uint8Array(63)))).toBe(-2);
      expect(status(() => R.mlKem.encaps(768, new Uint8Array(1184), new Uint8Array(31)))).toBe(-2);
      expect(status(() => R.mlKem.keygen(769, new Uint8Array(64)))).toBe(-1);
      expect(status(() => R.mlDsa.sign(65, new Uint8Array(4032), new Uint8Array(63), new Uint8Array(32)))).toBe(-2);
      expect(status(() => R.sha3.contextRestore(new Uint8Array(207)))).toBe(-2);
    }
    let e: unknown;
    try { thin.mlKem.keygen(768, new Uint8Array(1)); } catch (x) { e = x; }
    expect(e).toBeInstanceOf(ComponentStatusError);
    expect((e as ComponentStatusError).status).toBe(-2);
    expect(windowZero()).toBe(true);
  });
});

describe('DRBG, vault and PQCNet through the component', () => {
  it('vault keys, signatures, seal/unseal and a PQC1 handshake with frames (thin and jco agree)', () => {
    for (const [name, R] of RUNNERS) {
      R.drbg.instantiate(fixedBytes(`${name} entropy`, 48), fixedBytes('nonce', 16), new Uint8Array(0));
      expect(R.drbg.requests()).toBe(0);
      const kem = R.vault.kemKeygen(768) as number;
      expect(R.vault.level(kem)).toBe(768);
      expect(R.vault.publicKey(kem).length).toBe(1184);
      const gen = R.vault.dsaKeygen(65, 3) as number;
      const pk = R.vault.publicKey(gen) as Uint8Array;
      const mu = muOf(R, pk, fixedBytes('vault msg', 100));
      const sig = R.vault.dsaSign(gen, mu);
      expect(R.mlDsa.verify(65, pk, mu, sig)).toBe(true);
      expect(status(() => R.vault.attestSign(gen, fixedBytes('m', 10)))).toBe(-21); // ERR_USAGE
      const id = R.vault.dsaKeygen(65, 4) as number;
      expect(R.vault.identitySign(id, fixedBytes('m', 10)).length).toBe(3309);
      const secret = fixedBytes('platform', 64);
      const sealed = R.vault.seal(id, secret, fixedBytes('state', 20)) as Uint8Array;
      const back = R.vault.unseal(secret, fixedBytes('state', 20), sealed) as number;
      expect(hex(R.vault.publicKey(back))).toBe(hex(R.vault.publicKey(id)));
      expect(status(() => R.vault.unseal(secret, fixedBytes('other', 20), sealed))).toBe(-15);
      for (const h of [kem, gen, id, back]) R.vault.free(h);
      expect(status(() => R.vault.level(kem))).toBe(-18);
      expect(R.drbg.uninstantiate()).toBeUndefined();
    }
    expect(windowZero()).toBe(true);
  });

  it('a PQC1 v2 handshake between the jco runner (initiator) and a thin instance (responder), then frames', () => {
    const I = jco as unknown as World;
    const R = bindComponentCore(coreBytes) as unknown as World;
    I.drbg.instantiate(fixedBytes('pqc I entropy', 48), new Uint8Array(0), new Uint8Array(0));
    R.drbg.instantiate(fixedBytes('pqc R entropy', 48), new Uint8Array(0), new Uint8Array(0));
    const idI = I.vault.dsaKeygen(65, 1) as number;
    const idR = R.vault.dsaKeygen(65, 1) as number;
    const pkI = I.vault.publicKey(idI) as Uint8Array;
    const pkR = R.vault.publicKey(idR) as Uint8Array;
    const time = 1_700_000_000_000n;
    const [init, hI] = I.pqcnet.handshake(startRequest({ kem: 768, dsa: 65, identity: idI, time, rekey: 1000, maxSkewMs: 60000, frameLimit: 1000n, pkR }));
    const [resp, hR] = R.pqcnet.respond(respondRequest({ minKem: 768, minDsa: 65, identity: idR, time, maxRekey: 1000, maxSkewMs: 60000, frameLimit: 1000n, init, pkI }));
    const [fin, sI] = I.pqcnet.finish(answerRequest(hI, resp));
    const sR = R.pqcnet.complete(answerRequest(hR, fin)) as number;
    expect(I.pqcnet.sessionInfo(sI).length).toBe(80);
    for (const len of [0, 1, 1000, 30000]) {
      const pt = fixedBytes(`frame ${len}`, len);
      const frame = I.pqcnet.seal(sI, pt) as Uint8Array;
      expect(frame.length).toBe(len + 24);
      expect(hex(R.pqcnet.open(sR, frame))).toBe(hex(pt));
      expect(status(() => R.pqcnet.open(sR, frame))).toBe(-35); // FRAME_REPLAY
    }
    expect(status(() => I.pqcnet.handshake(new Uint8Array(3)))).toBeLessThan(0);
    for (const h of [sI, idI]) I.vault.free(h);
    for (const h of [sR, idR]) R.vault.free(h);
    expect(windowZero()).toBe(true);
  });
});

describe('review findings (an attacker calling the component)', () => {
  it('gcm.finish encrypting ignores its tag list whatever its length (even one that fills the window): the tag, not an err or a trap', () => {
    const c = createCipheriv('aes-256-gcm', Buffer.alloc(32), Buffer.alloc(12)); c.final();
    const want = hex(c.getAuthTag());
    for (const [name, R] of [['jco', jco as unknown as World], ['thin', bindComponentCore(coreBytes) as unknown as World]] as const) {
      for (const len of [0, 3, 16, 65528, 65536]) {
        R.gcm.init(new Uint8Array(32), 16, false); R.gcm.iv(new Uint8Array(12));
        expect(hex(R.gcm.finish(new Uint8Array(len).fill(0xa5))), `${name} ${len}`).toBe(want);
      }
      expect(hex(R.sha3.oneshot(136, 6, new TextEncoder().encode('abc'), 32)), name).toBe('3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532');
      R.gcm.end();
    }
    expect(windowZero()).toBe(true);
  });

  it('gcm.crypt encrypting ignores its token (none, 3 bytes, 16, 100): the ciphertext and tag of node:crypto aes-256-gcm; decrypting still wants 16 bytes', () => {
    const key = fixedBytes('token key', 32), nonce = fixedBytes('token nonce', 12), aad = fixedBytes('token aad', 13);
    const pt = fixedBytes('token pt', 40000);
    const c = createCipheriv('aes-256-gcm', key, nonce); c.setAAD(aad);
    const want = hex(Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]));
    for (const [name, R] of RUNNERS) {
      for (const token of [undefined, new Uint8Array(3).fill(9), new Uint8Array(16).fill(9), new Uint8Array(100).fill(9)]) {
        R.gcm.init(key, 16, false); R.gcm.iv(nonce); R.gcm.aad(aad);
        const parts: Uint8Array[] = [];
        for (let o = 0; o < pt.length; o += CHUNK) parts.push(R.gcm.crypt(pt.subarray(o, o + CHUNK), token));
        parts.push(R.gcm.finish(token ?? new Uint8Array(0)));
        expect(hex(Buffer.concat(parts)), `${name} token ${token?.length ?? 'none'}`).toBe(want);
      }
      // Decrypting, a token that is not 16 bytes is still err(ERR_LENGTH); the operation goes on.
      const sealed = hexToBytes(want);
      const ct = sealed.subarray(0, pt.length);
      R.gcm.init(key, 16, true); R.gcm.iv(nonce); R.gcm.aad(aad);
      const tokens: Uint8Array[] = [];
      for (let o = 0; o < ct.length; o += CHUNK) tokens.push(R.gcm.auth(ct.subarray(o, o + CHUNK)));
      R.gcm.finish(sealed.subarray(pt.length));
      expect(status(() => R.gcm.crypt(ct.slice(0, CHUNK), new Uint8Array(3))), name).toBe(-2);
      const out: Uint8Array[] = [];
      for (let o = 0, i = 0; o < ct.length; o += CHUNK, i++) out.push(R.gcm.crypt(ct.slice(o, o + CHUNK), o + CHUNK >= ct.length ? undefined : tokens[i]));
      expect(hex(Buffer.concat(out)), name).toBe(hex(pt));
      R.gcm.end();
    }
    expect(windowZero()).toBe(true);
  });

  it('every function that takes a list refuses, called directly, lists not handed out in this call: err(ERR_ARG), where the same bytes handed out give a result', () => {
    // A fresh thin instance R with a DRBG, vault keys, a sealed identity key and PQC1 handshakes with a
    // second instance P up to each step; each core export is then called by hand.
    const T = bindComponentCore(coreBytes);
    const R = T as unknown as World;
    const P = bindComponentCore(coreBytes) as unknown as World;
    const x = T.$core.exports as Record<string, any>;
    const mem = () => new Uint8Array((x.memory as WebAssembly.Memory).buffer);
    const io = x.cabi_realloc(0, 0, 1, 0) as number; // nothing handed out: the window's base
    const zero = () => mem().subarray(io, io + IO_BYTES).every((b) => b === 0);
    R.drbg.instantiate(fixedBytes('stale entropy', 48), new Uint8Array(0), new Uint8Array(0));
    P.drbg.instantiate(fixedBytes('stale peer entropy', 48), new Uint8Array(0), new Uint8Array(0));
    const gen = R.vault.dsaKeygen(65, 3) as number;
    const att = R.vault.dsaKeygen(65, 2) as number;
    const id = R.vault.dsaKeygen(65, 4) as number;
    const sealed = R.vault.seal(id, fixedBytes('platform', 64), fixedBytes('state', 20)) as Uint8Array;
    const kem = R.mlKem.keygen(768, fixedBytes('stale kem', 64)) as { ek: Uint8Array; dk: Uint8Array };
    const { ct } = R.mlKem.encaps(768, kem.ek, fixedBytes('stale m', 32)) as { ct: Uint8Array };
    const g = createCipheriv('aes-256-gcm', fixedBytes('k', 32), fixedBytes('n', 12)); g.final();
    const emptyTag = new Uint8Array(g.getAuthTag());
    // PQC1: R's request at each step (R initiating with P, R responding to P), and a session for frames.
    const hsR = R.vault.dsaKeygen(65, 1) as number, hsP = P.vault.dsaKeygen(65, 1) as number;
    const pkR = R.vault.publicKey(hsR) as Uint8Array, pkP = P.vault.publicKey(hsP) as Uint8Array;
    const time = 1_700_000_000_000n;
    const start = (identity: number, pk: Uint8Array) => startRequest({ kem: 768, dsa: 65, identity, time, rekey: 1000, maxSkewMs: 60000, frameLimit: 1000n, pkR: pk });
    const respond = (identity: number, init: Uint8Array, pk: Uint8Array) => respondRequest({ minKem: 768, minDsa: 65, identity, time, maxRekey: 1000, maxSkewMs: 60000, frameLimit: 1000n, init, pkI: pk });
    const handshakeReq = start(hsR, pkP);
    const respondReq = respond(hsR, P.pqcnet.handshake(start(hsP, pkR))[0], pkP);
    const [initA, hA] = R.pqcnet.handshake(start(hsR, pkP));
    const finishReq = answerRequest(hA, P.pqcnet.respond(respond(hsP, initA, pkR))[0]);
    /** P initiates, R responds, P finishes: R's complete request, and P's session. */
    const responderSide = (): [Uint8Array, number] => {
      const [init, hP] = P.pqcnet.handshake(start(hsP, pkR));
      const [resp, hR] = R.pqcnet.respond(respond(hsR, init, pkP));
      const [fin, sP] = P.pqcnet.finish(answerRequest(hP, resp));
      return [answerRequest(hR, fin), sP];
    };
    const [completeReq] = responderSide();
    const [req, sP] = responderSide();
    const sR = R.pqcnet.complete(req) as number;
    const frame = P.pqcnet.seal(sP, fixedBytes('stale frame', 100)) as Uint8Array;
    expect(zero()).toBe(true);
    /** Call a core export with flat arguments and run its post-return: the result's status (0 ok). */
    const call = (iface: string, fn: string, flat: number[]): number => {
      const name = canonicalExport(iface, fn);
      const ret = x[name](...flat) as number;
      const st = mem()[ret] === 0 ? 0 : new DataView(mem().buffer).getInt32(ret + 4, true);
      x[`cabi_post_${name}`]?.(ret);
      return st;
    };
    // [interface, function, list lengths, flat arguments from the list pointers, set-up, the lists' bytes
    //  (zeros if none: what a reset leaves)]. Handed out, those bytes give ok in every case.
    type Case = [string, string, number[], (p: number[]) => number[], (() => void)?, Uint8Array[]?];
    const gcmEnc = () => { R.gcm.init(fixedBytes('k', 32), 16, false); R.gcm.iv(fixedBytes('n', 12)); };
    const gcmDec = () => { R.gcm.init(fixedBytes('k', 32), 16, true); R.gcm.iv(fixedBytes('n', 12)); };
    const one = (b: Uint8Array, fn: (p: number, n: number) => number[]): [number[], (p: number[]) => number[], undefined, Uint8Array[]] =>
      [[b.length], (p) => fn(p[0]!, b.length), undefined, [b]];
    const cases: Case[] = [
      ['sha3', 'oneshot', [100], (p) => [136, 6, p[0]!, 100, 32]],
      ['sha3', 'absorb', [100], (p) => [136, p[0]!, 100]],
      ['sha3', 'context-restore', [208], (p) => [p[0]!, 208]],
      ['ml-kem', 'keygen', [64], (p) => [768, p[0]!, 64]],
      ['ml-kem', 'encaps', [1184, 32], (p) => [768, p[0]!, 1184, p[1]!, 32]],
      ['ml-kem', 'decaps', [2400, 1088], (p) => [768, p[0]!, 2400, p[1]!, 1088], undefined, [kem.dk, ct]],
      ['ml-kem', 'check-ek', [1184], (p) => [768, p[0]!, 1184]],
      ['ml-kem', 'check-dk', ...one(kem.dk, (p, n) => [768, p, n])],
      ['ml-dsa', 'keygen', [32], (p) => [65, p[0]!, 32]],
      ['ml-dsa', 'sign', [4032, 64, 32], (p) => [65, p[0]!, 4032, p[1]!, 64, p[2]!, 32]],
      ['ml-dsa', 'verify', [1952, 64, 3309], (p) => [65, p[0]!, 1952, p[1]!, 64, p[2]!, 3309]],
      ['ml-dsa', 'public-key', [4032], (p) => [65, p[0]!, 4032]],
      ['gcm', 'init', [32], (p) => [p[0]!, 32, 16, 0]],
      ['gcm', 'iv', [12], (p) => [p[0]!, 12], () => R.gcm.init(fixedBytes('k', 32), 16, false)],
      ['gcm', 'aad', [20], (p) => [p[0]!, 20], gcmEnc],
      ['gcm', 'crypt', [64], (p) => [p[0]!, 64, 0, 0, 0], gcmEnc],
      ['gcm', 'auth', [64], (p) => [p[0]!, 64], gcmDec],
      ['gcm', 'finish', [16], (p) => [p[0]!, 16], gcmDec, [emptyTag]],
      ['drbg', 'instantiate', [48, 16, 8], (p) => [p[0]!, 48, p[1]!, 16, p[2]!, 8]],
      ['drbg', 'reseed', [48, 8], (p) => [p[0]!, 48, p[1]!, 8]],
      ['vault', 'dsa-sign', [64], (p) => [gen, p[0]!, 64]],
      ['vault', 'attest-sign', [10], (p) => [att, p[0]!, 10]],
      ['vault', 'identity-sign', [10], (p) => [id, p[0]!, 10]],
      ['vault', 'seal', [64, 20], (p) => [id, p[0]!, 64, p[1]!, 20]],
      ['vault', 'unseal', [64, 20, sealed.length], (p) => [p[0]!, 64, p[1]!, 20, p[2]!, sealed.length], undefined,
        [fixedBytes('platform', 64), fixedBytes('state', 20), sealed]],
      ['pqcnet', 'handshake', ...one(handshakeReq, (p, n) => [p, n])],
      ['pqcnet', 'respond', ...one(respondReq, (p, n) => [p, n])],
      ['pqcnet', 'finish', ...one(finishReq, (p, n) => [p, n])],
      ['pqcnet', 'complete', ...one(completeReq, (p, n) => [p, n])],
      ['pqcnet', 'seal', [100], (p) => [sR, p[0]!, 100]],
      ['pqcnet', 'open', ...one(frame, (p, n) => [sR, p, n])],
    ];
    // Every function of the WIT with a list<u8> parameter is here.
    const listParams = COMPONENT_FUNCTIONS.filter(([i, f]) => /list<u8>/.test(witParams(i, f))).map(([i, f]) => `${i}.${f}`);
    expect(cases.map(([i, f]) => `${i}.${f}`).sort()).toEqual(listParams.sort());
    for (const [iface, fn, lens, flat, setUp, bytes] of cases) {
      const what = `${iface}.${fn}`;
      const at: number[] = []; let o = io;
      for (const n of lens) { at.push(o); o += n; }
      const put = () => { bytes?.forEach((b, i) => { expect(b.length).toBe(lens[i]); mem().set(b, at[i]!); }); };
      const clear = () => mem().fill(0, io, o); // bytes the test wrote but the component never handed out are not its to wipe
      // Stale: the pointers where lowering would have put the lists, but nothing handed out (as after a
      // host call made while the lists were lowered reset the window). Even the right bytes there are refused.
      setUp?.();
      put();
      expect(call(iface, fn, flat(at)), `${what} stale`).toBe(-1);
      clear();
      expect(zero(), `${what} stale: window zero`).toBe(true);
      if (iface === 'gcm') R.gcm.end();
      // Only the last list stale: the ones before it were handed out (and are wiped).
      if (lens.length > 1) {
        setUp?.();
        lens.slice(0, -1).forEach((n, i) => expect(x.cabi_realloc(0, 0, 1, n)).toBe(at[i]));
        put();
        expect(call(iface, fn, flat(at)), `${what} last list stale`).toBe(-1);
        clear();
        expect(zero(), `${what} last list stale: window zero`).toBe(true);
        if (iface === 'gcm') R.gcm.end();
      }
      // The same bytes handed out in this call: a result (the refusals above were for nothing else).
      setUp?.();
      lens.forEach((n, i) => expect(x.cabi_realloc(0, 0, 1, n), what).toBe(at[i]));
      put();
      expect(call(iface, fn, flat(at)), `${what} given`).toBe(0);
      expect(zero(), `${what} given: window zero`).toBe(true);
      if (iface === 'gcm') R.gcm.end();
    }
    expect(hex(R.sha3.oneshot(136, 6, new TextEncoder().encode('abc'), 32))).toBe('3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532');
    expect(zero()).toBe(true);
  });

  it('through jco: a number whose valueOf calls in while the lists are lowered makes ML-KEM, ML-DSA, SHA-3 absorb and vault signing err, not compute on zeros', () => {
    const J = jco as unknown as World;
    const evil = (v: number) => ({ valueOf() { try { J.sha3.oneshot(136, 6, new Uint8Array(1), 32); } catch { /* the nested call's own fate does not matter */ } return v; } });
    expect(status(() => J.mlKem.keygen(evil(768), new Uint8Array(64).fill(42)))).toBe(-1);
    expect(status(() => J.mlDsa.sign(evil(65), new Uint8Array(4032).fill(1), new Uint8Array(64).fill(2), new Uint8Array(32)))).toBe(-1);
    // absorb: err, and the hash context is not touched.
    J.sha3.contextRestore(new Uint8Array(208));
    expect(status(() => J.sha3.absorb(evil(136), new Uint8Array(100).fill(7)))).toBe(-1);
    expect(hex(J.sha3.contextSave())).toBe(hex(new Uint8Array(208)));
    J.drbg.instantiate(fixedBytes('reentry entropy', 48), new Uint8Array(0), new Uint8Array(0));
    const gen = J.vault.dsaKeygen(65, 3) as number;
    expect(status(() => J.vault.dsaSign(evil(gen), new Uint8Array(64).fill(3)))).toBe(-1);
    expect(J.vault.dsaSign(gen, new Uint8Array(64).fill(3)).length).toBe(3309);
    J.vault.free(gen);
    J.drbg.uninstantiate();
    // The same calls without re-entry work.
    expect(J.mlKem.keygen(768, new Uint8Array(64).fill(42)).ek.length).toBe(1184);
  });

  it('a host call made while lists are lowered (a number whose valueOf calls in) never runs the kernel on the wiped lists', () => {
    // jco converts numbers after lowering the lists: the enclave sees that the key is no longer a list it was given.
    const J = jco as unknown as World;
    const evil = { valueOf() { try { J.sha3.oneshot(136, 6, new Uint8Array(1), 32); } catch { /* the nested call's own fate does not matter */ } return 16; } };
    expect(status(() => J.gcm.init(new Uint8Array(32).fill(42), evil, false))).toBe(-1);
    const evilLen = { valueOf() { try { J.sha3.oneshot(136, 6, new Uint8Array(1), 32); } catch { /* as above */ } return 32; } };
    expect(status(() => J.sha3.oneshot(136, 6, new Uint8Array(100).fill(7), evilLen))).toBe(-1);
    expect(hex(J.sha3.oneshot(136, 6, new TextEncoder().encode('abc'), 32))).toBe('3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532');
    // The thin binding refuses anything but a number before it lowers a list, and a call made during another.
    const T = bindComponentCore(coreBytes) as unknown as World;
    expect(() => T.gcm.init(new Uint8Array(32), evil, false)).toThrow(TypeError);
    expect(() => T.gcm.init(new Uint8Array(32), 16n, false)).toThrow(TypeError);
    expect(windowZero()).toBe(true);
  });

  it('cabi_realloc refuses to grow a block from an arbitrary pointer; the core module exports only the world, cabi_* and memory', () => {
    const T = bindComponentCore(coreBytes);
    const core = T.$core.exports as Record<string, (...a: number[]) => number>;
    expect(() => core['cabi_realloc']!(8, 32, 1, 32)).toThrow(WebAssembly.RuntimeError); // growing from an arbitrary pointer
    expect(Object.keys(core).filter((n) => !n.startsWith('awre:enclave/') && !n.startsWith('cabi_')).sort()).toEqual(['memory']);
    const W = T as unknown as World;
    // A list the window cannot hold traps inside cabi_realloc (called directly: the binding refuses it before).
    expect(() => core['cabi_realloc']!(0, 0, 1, 1 << 20)).toThrow(WebAssembly.RuntimeError);
    expect(hex(W.sha3.oneshot(136, 6, new TextEncoder().encode('abc'), 32))).toBe('3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532');
  });
});

describe('around the component', () => {
  it('awre inspect recognises the component and prints its WIT world', async () => {
    const r = await runInspect(fileURLToPath(new URL('build/enclave.component.wasm', root)), {});
    expect(r.build).toBe('component');
    expect(r.abi).toBe(2);
    expect(r.component!.world).toContain('export awre:enclave/ml-kem@2.0.0;');
    expect(r.component!.wit).toBe(readFileSync(new URL('abi/awre.wit', root), 'utf8'));
    expect(r.component!.coreModules).toHaveLength(1);
    // The thin binding runs exactly the core module inside the component.
    expect(r.component!.coreModules[0]!.sha256).toBe(createHash('sha256').update(coreBytes).digest('hex'));
    const text = renderInspect(r);
    expect(text).toContain('a WebAssembly component');
    for (const i of ['info', 'sha3', 'ml-kem', 'ml-dsa', 'gcm', 'drbg', 'vault', 'pqcnet']) expect(text).toContain(`export awre:enclave/${i}@2.0.0;`);
  });

  it('the Node example of docs/component.md runs', () => {
    const out = execFileSync(process.execPath, [fileURLToPath(new URL('examples/component-node.mjs', root))], { encoding: 'utf8' });
    expect(out).toContain('sha3-256("abc") 3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532');
    expect(out).toContain('shared secrets equal');
    expect(out).toContain('a 63-byte seed: err(-2)');
  });
});
