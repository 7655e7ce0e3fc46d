// host/tenants.ts: two WAVEN tenants of the enclave, seeded through the QRNG
// feed, run a PQC1 v2 handshake (docs/pqc1.md) and exchange frames through
// their shared pages; the messages checked byte by byte against the
// specification and the signatures with noble; misuse is a typed error; a
// tenant's private frames never appear in the other's address space.
import { describe, expect, it } from 'vitest';
import { createCipheriv } from 'node:crypto';
import * as dsa from '@noble/post-quantum/ml-dsa.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { sha3_256, shake256 } from '@noble/hashes/sha3.js';
import { abi, AwreError, Enclave, MAX_FRAME_BYTES, PEER_PAGE, qrng, readModule, TenantPair } from '../host/index.js';
import type { Handshake, PairOptions, TenantRole } from '../host/index.js';
import { pqcError, sessionInfo } from '../host/tenants.js';
import { Prng } from './helpers/prng.js';
import { concat, indexOfBytes } from './helpers/hex.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const CTX_R = utf8('awre-pqc1-v2 responder');
const CTX_I = utf8('awre-pqc1-v2 initiator');
const ROLES: readonly TenantRole[] = ['initiator', 'responder'];
const peer = (r: TenantRole): TenantRole => (r === 'initiator' ? 'responder' : 'initiator');
const eq = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

// docs/pqc1.md section 3 at ML-KEM-768 / ML-DSA-65.
const EK = 1184;
const CT = 1088;
const SIG = 3309;
const INIT_LEN = 124 + EK;
const RESP_LEN = 88 + CT + SIG + 32;
const FIN_LEN = 48 + SIG + 32;

/** A pair whose DRBGs are booted from the simulated QRNG feed; `seeds` receives each tenant's escrowed boot seed. */
async function seededPair(options: PairOptions = {}, seeds?: Map<string, Uint8Array>): Promise<TenantPair> {
  const pair = new TenantPair(options);
  const seeder = new qrng.DrbgSeeder(qrng.openFeed('sim:7e'), seeds ? { escrow: (r) => void seeds.set(r.tenant, r.seed) } : {});
  await seeder.boot(pair.initiator);
  await seeder.boot(pair.responder);
  return pair;
}

/** A typed refusal: what `fn` throws must be an AwreError with this code (and status). */
function refusal(fn: () => unknown, code: string, status?: number): AwreError {
  let caught: unknown;
  try { fn(); } catch (e) { caught = e; }
  expect(caught, `expected ${code}`).toBeInstanceOf(AwreError);
  const err = caught as AwreError;
  expect(err.code).toBe(code);
  if (status !== undefined) expect(err.status).toBe(status);
  return err;
}

/** The outputs of consecutive DRBG requests of a twin of a tenant booted from `seed` (test build; docs/qrng.md's instantiation). */
function twinOutputs(seed: Uint8Array, sizes: number[]): Uint8Array[] {
  const twin = new Enclave(readModule('enclave.test.wasm'));
  const pers = qrng.PERSONALIZATION;
  twin.put(0, seed);
  twin.put(seed.length, pers);
  expect(twin.exports.drbg_instantiate(twin.io, seed.length, twin.io, 0, twin.io + seed.length, pers.length)).toBe(0);
  return sizes.map((n) => {
    expect(twin.exports.drbg_generate_test!(twin.io, n, twin.io, 0)).toBe(0);
    return twin.get(0, n);
  });
}

const le = (v: number | bigint, n: number) => {
  const b = new Uint8Array(n);
  let x = BigInt(v);
  for (let i = 0; i < n; i++, x >>= 8n) b[i] = Number(x & 0xffn);
  return b;
};

/** docs/pqc1.md section 1: Derive(S, label, ctx, L). */
function derive(S: Uint8Array, label: string, ctx: Uint8Array, L: number): Uint8Array {
  const l = utf8(label);
  return shake256(concat(utf8('awre-pqc1-v2'), Uint8Array.of(0, l.length), l, S, le(ctx.length, 2), ctx, le(L, 2)), { dkLen: L });
}

function checkHeader(m: Uint8Array, type: number, len: number): void {
  const v = dv(m);
  expect(m.length).toBe(len);
  expect([...m.subarray(0, 4)]).toEqual([0x50, 0x51, 0x43, 0x31]); // "PQC1"
  expect([m[4], m[5], v.getUint16(6, true), v.getUint16(8, true), v.getUint16(10, true), v.getUint32(12, true)]).toEqual([2, type, 768, 65, 0, len]);
}

describe('TenantPair: PQC1 v2 between two WAVEN tenants', () => {
  it('handshakes, then carries 200 frames each way of 0 .. MAX_FRAME_BYTES bytes; both sides hold the same session', async () => {
    const pair = await seededPair();
    const keys = pair.makeKeys();
    expect(keys.initiator.length).toBe(1952);
    expect(keys.responder.length).toBe(1952);
    const h = pair.handshake(1_700_000_000_000n);
    expect([h.init.length, h.resp.length, h.fin.length]).toEqual([INIT_LEN, RESP_LEN, FIN_LEN]);
    expect(h.initiator).toBeGreaterThan(0);
    expect(h.responder).toBeGreaterThan(0);
    // The session id: TH = H(INIT || RESP || FIN), the same on both sides.
    const infoI = sessionInfo(pair.initiator, h.initiator);
    const infoR = sessionInfo(pair.responder, h.responder);
    expect(eq(infoI.id, infoR.id)).toBe(true);
    expect(eq(h.id, infoI.id)).toBe(true);
    expect(eq(h.id, sha3_256(concat(h.init, h.resp, h.fin)))).toBe(true);
    expect([infoI.role, infoR.role]).toEqual(['initiator', 'responder']);
    expect([infoI.sent, infoR.sent, infoI.rekey, infoR.rekey]).toEqual([0n, 0n, 1 << 24, 1 << 24]);

    const prng = new Prng('tenants/frames');
    const sizes: number[] = [0, 1, 15, 16, 17, MAX_FRAME_BYTES, MAX_FRAME_BYTES - 1, 4096, MAX_FRAME_BYTES, 0];
    while (sizes.length < 200) sizes.push(prng.int(MAX_FRAME_BYTES + 1));
    expect(sizes.filter((n) => n === MAX_FRAME_BYTES).length).toBeGreaterThanOrEqual(2);
    const failures: string[] = [];
    const next: Record<TenantRole, bigint> = { initiator: 0n, responder: 0n }; // a refused seal uses no counter
    for (let i = 0; i < 200; i++) {
      for (const from of ROLES) {
        const n = sizes[from === 'initiator' ? i : 199 - i]!;
        const msg = prng.bytes(n);
        let r: { sealed: Uint8Array; opened: Uint8Array };
        try {
          r = pair.send(from, h, msg);
        } catch (e) {
          failures.push(`${from} frame ${i} (${n} bytes): ${(e as Error).message}`);
          continue;
        }
        expect(eq(r.opened, msg), `${from} frame ${i} (${n} bytes)`).toBe(true);
        // frame = le64(c) || C || tag
        expect(r.sealed.length).toBe(n + 24);
        expect(dv(r.sealed).getBigUint64(0, true)).toBe(next[from]++);
        if (n >= 32) expect(indexOfBytes(r.sealed, msg.subarray(0, 32))).toBe(-1);
      }
    }
    expect(failures, `${failures.length} frames refused; first: ${failures[0]}`).toEqual([]);
    for (const role of ROLES) {
      const info = sessionInfo(pair.tenant(role), h[role]);
      expect([info.sent, info.top, info.sendEpoch, info.receiveEpoch]).toEqual([200n, 199n, 0n, 0n]);
      expect(eq(info.id, h.id)).toBe(true);
    }
    pair.close(h);
  });

  it('MAX_FRAME_BYTES is 32,744: a frame of exactly that size crosses each way; anything larger is a RangeError, not an enclave refusal', async () => {
    const pair = await seededPair();
    pair.makeKeys();
    const h = pair.handshake(1n);
    // The window layout (plaintext at 0, the frame at 32,744; the frame at 0, the plaintext at 32,768)
    // leaves room for 32,744 bytes: a larger plaintext overlaps the frame it is sealed into.
    expect.soft(MAX_FRAME_BYTES).toBe(32744);
    for (const from of ROLES) {
      const msg = new Prng(`tenants/max/${from}`).bytes(32744);
      const r = pair.send(from, h, msg);
      expect(eq(r.opened, msg)).toBe(true);
      expect(r.sealed.length).toBe(32744 + 24);
      for (const n of [32745, 32767, 32768, 32769, 65536]) {
        let got: unknown;
        try { pair.send(from, h, new Uint8Array(n)); } catch (e) { got = e; }
        expect.soft(got, `${from}: ${n} bytes: ${(got as Error | undefined)?.message}`).toBeInstanceOf(RangeError);
      }
    }
  });

  it('the messages are docs/pqc1.md section 3 byte for byte; sigR and sigI verify with noble under their own contexts only', async () => {
    const pair = await seededPair();
    const { initiator: pkI, responder: pkR } = pair.makeKeys();
    const t = 1_700_000_123_456n;
    const { init, resp, fin } = pair.handshake(t);
    // INIT
    checkHeader(init, 1, INIT_LEN);
    expect(eq(init.subarray(16, 48), sha3_256(pkI))).toBe(true); // idI
    expect(eq(init.subarray(48, 80), sha3_256(pkR))).toBe(true); // idR
    expect(dv(init).getBigUint64(112, true)).toBe(t); // tI
    expect(dv(init).getUint32(120, true)).toBe(1 << 24); // rekey
    // RESP
    checkHeader(resp, 2, RESP_LEN);
    expect(eq(resp.subarray(16, 48), sha3_256(init))).toBe(true); // h1
    expect(dv(resp).getBigUint64(80, true)).toBe(t); // tR
    // FIN
    checkHeader(fin, 3, FIN_LEN);
    expect(eq(fin.subarray(16, 48), sha3_256(concat(init, resp)))).toBe(true); // h2 = H(INIT || RESP)
    // sigR = Sign(skR, TH2, "awre-pqc1-v2 responder"), TH2 = H(INIT || RESP[0 .. 88 + ct))
    const sigR = resp.subarray(88 + CT, 88 + CT + SIG);
    const TH2 = sha3_256(concat(init, resp.subarray(0, 88 + CT)));
    expect(dsa.ml_dsa65.verify(sigR, TH2, pkR, { context: CTX_R })).toBe(true);
    expect(dsa.ml_dsa65.verify(sigR, TH2, pkR, { context: CTX_I })).toBe(false);
    expect(dsa.ml_dsa65.verify(sigR, TH2, pkR)).toBe(false);
    expect(dsa.ml_dsa65.verify(sigR, TH2, pkI, { context: CTX_R })).toBe(false);
    expect(dsa.ml_dsa65.verify(sigR, sha3_256(concat(init, resp.subarray(0, 88 + CT + SIG))), pkR, { context: CTX_R })).toBe(false);
    // sigI = Sign(skI, TH3, "awre-pqc1-v2 initiator"), TH3 = H(INIT || RESP || FIN[0 .. 48))
    const sigI = fin.subarray(48, 48 + SIG);
    const TH3 = sha3_256(concat(init, resp, fin.subarray(0, 48)));
    expect(dsa.ml_dsa65.verify(sigI, TH3, pkI, { context: CTX_I })).toBe(true);
    expect(dsa.ml_dsa65.verify(sigI, TH3, pkI, { context: CTX_R })).toBe(false);
    expect(dsa.ml_dsa65.verify(sigI, TH3, pkI)).toBe(false);
    expect(dsa.ml_dsa65.verify(sigI, TH3, pkR, { context: CTX_I })).toBe(false);
    expect(dsa.ml_dsa65.verify(sigI, TH2, pkI, { context: CTX_I })).toBe(false);
    // A second handshake is all new (fresh nonces, ephemeral key, signatures) and another session.
    const h2 = pair.handshake(t);
    expect(eq(h2.init.subarray(80, 124), init.subarray(80, 124))).toBe(false);
    expect(eq(h2.init.subarray(16, 80), init.subarray(16, 80))).toBe(true); // the same identities
    expect(eq(h2.id, sha3_256(concat(init, resp, fin)))).toBe(false);
  });

  it('rekeying: with rekey = 4, 20 frames each way cross 4 key epochs', async () => {
    const pair = await seededPair({ rekey: 4 });
    pair.makeKeys();
    const h = pair.handshake(2n);
    expect(dv(h.init).getUint32(120, true)).toBe(4);
    const prng = new Prng('tenants/rekey');
    for (let i = 0; i < 20; i++) {
      for (const from of ROLES) {
        const msg = prng.bytes(100 + i);
        const r = pair.send(from, h, msg);
        expect(eq(r.opened, msg)).toBe(true);
        expect(dv(r.sealed).getBigUint64(0, true)).toBe(BigInt(i));
      }
    }
    for (const role of ROLES) {
      const info = sessionInfo(pair.tenant(role), h[role]);
      expect([info.sent, info.top, info.sendEpoch, info.receiveEpoch, info.rekey]).toEqual([20n, 19n, 4n, 4n, 4]);
    }
  });

  it('pqc_session_info writes docs/pqc1.md section 7\'s 80 bytes: TH, role, state 3, send counter, receive top, epochs, rekey', async () => {
    const pair = await seededPair({ rekey: 4 });
    pair.makeKeys();
    const h = pair.handshake(4n);
    for (let i = 0; i < 9; i++) pair.send('initiator', h, utf8(`i${i}`));
    for (let i = 0; i < 5; i++) pair.send('responder', h, utf8(`r${i}`));
    // initiator: sent 9 (send epoch floor(8 / 4) = 2), top 4 (receive epoch 1); the responder the other way round.
    const want: Record<TenantRole, [number, bigint, bigint, bigint, bigint]> = { initiator: [0, 9n, 4n, 2n, 1n], responder: [1, 5n, 8n, 1n, 2n] };
    for (const role of ROLES) {
      const e = pair.tenant(role);
      e.put(1024, new Uint8Array(128).fill(0xee));
      expect(e.exports.pqc_session_info(h[role], e.io + 1024)).toBe(0);
      const b = e.get(1024, 128);
      const v = dv(b);
      const [r, sent, top, se, re] = want[role];
      expect(eq(b.subarray(0, 32), h.id)).toBe(true);
      expect([b[32], b[33]]).toEqual([r, 3]);
      expect([...b.subarray(34, 40)]).toEqual([0, 0, 0, 0, 0, 0]);
      expect([v.getBigUint64(40, true), v.getBigUint64(48, true), v.getBigUint64(56, true), v.getBigUint64(64, true), v.getUint32(72, true)]).toEqual([sent, top, se, re, 4]);
      expect([...b.subarray(76, 80)]).toEqual([0, 0, 0, 0]);
      expect([...b.subarray(80, 128)].every((x) => x === 0xee), `${role}: nothing written past byte 80`).toBe(true);
      // An output that does not fit in the window is refused.
      expect(e.exports.pqc_session_info(h[role], e.io + e.ioBytes - 40)).toBe(abi.ERR_ARG);
    }
    pair.close(h);
    for (const role of ROLES) expect(pair.tenant(role).exports.pqc_session_info(h[role], pair.tenant(role).io)).toBe(abi.ERR_HANDLE);
  });

  it("every value is docs/pqc1.md recomputed from the tenants' DRBG seeds (section 2's order): nonces, ekE, ctE, hedged signatures, confirmations, frames", async () => {
    const seeds = new Map<string, Uint8Array>();
    const pair = await seededPair({}, seeds);
    const keys = pair.makeKeys();
    const t = 1_700_000_000_777n;
    const h = pair.handshake(t);
    const { init, resp, fin } = h;
    const [xiI, nI, dz, rndI] = twinOutputs(seeds.get('initiator')!, [32, 32, 64, 32]) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    const [xiR, nR, m, rndR] = twinOutputs(seeds.get('responder')!, [32, 32, 32, 32]) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    const I = dsa.ml_dsa65.keygen(xiI);
    const R = dsa.ml_dsa65.keygen(xiR);
    expect(eq(I.publicKey, keys.initiator)).toBe(true);
    expect(eq(R.publicKey, keys.responder)).toBe(true);
    expect(eq(init.subarray(80, 112), nI)).toBe(true);
    const E = ml_kem768.keygen(dz);
    expect(eq(init.subarray(124), E.publicKey)).toBe(true);
    expect(eq(resp.subarray(48, 80), nR)).toBe(true);
    const { cipherText, sharedSecret: K } = ml_kem768.encapsulate(E.publicKey, m);
    expect(eq(resp.subarray(88, 88 + CT), cipherText)).toBe(true);
    const TH2 = sha3_256(concat(init, resp.subarray(0, 88 + CT)));
    expect(eq(resp.subarray(88 + CT, 88 + CT + SIG), dsa.ml_dsa65.sign(TH2, R.secretKey, { context: CTX_R, extraEntropy: rndR }))).toBe(true);
    const HS = derive(K, 'handshake', TH2, 32);
    const TH2s = sha3_256(concat(init, resp.subarray(0, 88 + CT + SIG)));
    expect(eq(resp.subarray(88 + CT + SIG), derive(HS, 'responder confirm', TH2s, 32))).toBe(true);
    const TH3 = sha3_256(concat(init, resp, fin.subarray(0, 48)));
    expect(eq(fin.subarray(48, 48 + SIG), dsa.ml_dsa65.sign(TH3, I.secretKey, { context: CTX_I, extraEntropy: rndI }))).toBe(true);
    const TH3s = sha3_256(concat(init, resp, fin.subarray(0, 48 + SIG)));
    expect(eq(fin.subarray(48 + SIG), derive(HS, 'initiator confirm', TH3s, 32))).toBe(true);
    const TH = sha3_256(concat(init, resp, fin));
    expect(eq(h.id, TH)).toBe(true);
    const MS = derive(HS, 'traffic', TH, 32);
    const dir = {
      initiator: { key: derive(MS, 'i2r key', new Uint8Array(0), 32), iv: derive(MS, 'i2r iv', new Uint8Array(0), 12) },
      responder: { key: derive(MS, 'r2i key', new Uint8Array(0), 32), iv: derive(MS, 'r2i iv', new Uint8Array(0), 12) },
    };
    // Frames: le64(c) || AES-256-GCM(k, iv XOR (0^4 || be64(c)), aad = le64(c), P), byte for byte.
    const prng = new Prng('tenants/recompute');
    for (let c = 0; c < 3; c++) {
      for (const from of ROLES) {
        const msg = prng.bytes(c * 40);
        const { sealed } = pair.send(from, h, msg);
        const nonce = dir[from].iv.slice();
        const ctr = new Uint8Array(8);
        new DataView(ctr.buffer).setBigUint64(0, BigInt(c), false);
        for (let i = 0; i < 8; i++) nonce[4 + i]! ^= ctr[i]!;
        const g = createCipheriv('aes-256-gcm', dir[from].key, nonce);
        g.setAAD(le(c, 8));
        const want = concat(le(c, 8), g.update(msg), g.final(), g.getAuthTag());
        expect(eq(sealed, want), `${from} frame ${c}`).toBe(true);
      }
    }
  });

  it("a tenant's private frames never appear in the other's address space: only the I/O pages are shared, read-only", async () => {
    const seeds = new Map<string, Uint8Array>();
    const pair = await seededPair({}, seeds);
    const keys = pair.makeKeys();
    // Each identity key is ML-DSA.KeyGen of its tenant's first DRBG output (a twin DRBG on the test build, from the escrowed seed).
    const sk = {} as Record<TenantRole, Uint8Array>;
    for (const role of ROLES) {
      expect(seeds.get(role)).toBeDefined();
      const want = dsa.ml_dsa65.keygen(twinOutputs(seeds.get(role)!, [32])[0]!);
      expect(eq(want.publicKey, keys[role])).toBe(true);
      sk[role] = want.secretKey;
    }
    const h = pair.handshake(3n);
    const prng = new Prng('tenants/private');
    const sent: Uint8Array[] = [];
    for (let i = 0; i < 8; i++) {
      for (const from of ROLES) {
        const msg = prng.bytes(1000 + 997 * i);
        sent.push(msg);
        expect(eq(pair.send(from, h, msg).opened, msg)).toBe(true);
      }
    }
    const spaces = pair.physical.spaces;
    const tables = (r: TenantRole) => spaces.tables(r);
    /** Everything `role` can read: every mapped page of its address space. */
    const readable = (role: TenantRole) => concat(...tables(role).mapped().map((p) => pair.physical.read(role, p * 65536, 65536)));
    for (const role of ROLES) {
      const other = peer(role);
      // Structure: the only frames both tenants map are the two I/O frames; each one's I/O frame sits in the other read-only at PEER_PAGE.
      const ioFrame = tables(role).frame(pair.tenant(role).io >>> 16);
      const mine = new Set(tables(role).mapped().map((p) => tables(role).frame(p)));
      const theirs = tables(other).mapped().filter((p) => mine.has(tables(other).frame(p)));
      expect(theirs.sort((a, b) => a - b)).toEqual([pair.tenant(other).io >>> 16, PEER_PAGE[other]].sort((a, b) => a - b));
      expect(tables(other).frame(PEER_PAGE[other])).toBe(ioFrame);
      expect(tables(other).rights(PEER_PAGE[other])).toBe('ro');
      expect(tables(role).rights(pair.tenant(role).io >>> 16)).toBe('rw');
      // Content: the identity secret key is in its own tenant's memory (its vault) and nowhere the other tenant can read.
      const K = sk[role].subarray(32, 64);
      const s1 = sk[role].subarray(128, 192);
      const own = readable(role);
      expect(indexOfBytes(own, K), `${role}'s key in its own space`).toBeGreaterThan(-1);
      expect(indexOfBytes(own, s1)).toBeGreaterThan(-1);
      const seen = readable(other);
      expect(indexOfBytes(seen, K), `${role}'s key seen by ${other}`).toBe(-1);
      expect(indexOfBytes(seen, s1)).toBe(-1);
      // Nor does any plaintext stay behind in the shared pages once a frame has crossed.
      const ioPages = concat(pair.tenant(role).get(0, 65536));
      for (const msg of sent) expect(indexOfBytes(ioPages, msg.subarray(0, 32))).toBe(-1);
    }
    pair.close(h);
  });

  it('misuse is a typed error', async () => {
    const unseeded = new TenantPair();
    refusal(() => unseeded.makeKeys(), 'DRBG_UNSEEDED', abi.ERR_DRBG_UNSEEDED);

    const pair = await seededPair();
    expect(() => pair.handshake(1n)).toThrow(/before makeKeys/);
    expect(() => pair.handshake(1n)).toThrow(AwreError);
    pair.makeKeys();
    const h = pair.handshake(1n);
    for (const from of ROLES) {
      expect(() => pair.send(from, h, new Uint8Array(MAX_FRAME_BYTES + 1))).toThrow(RangeError);
      expect(() => pair.send(from, h, new Uint8Array(65536))).toThrow(RangeError);
    }
    // A refused frame (a replay, opened by hand in the responder) is PQC_REFUSED with the status, and changes nothing.
    const { sealed } = pair.send('initiator', h, utf8('once'));
    const r = pair.responder;
    const st = r.exports.pqc_open(h.responder, r.put(0, sealed), sealed.length, r.io + 32768, 32768);
    expect(st).toBe(abi.FRAME_REPLAY);
    const err = pqcError('responder: pqc_open', st);
    expect(err).toBeInstanceOf(AwreError);
    expect([err.code, err.status]).toEqual(['PQC_REFUSED', abi.FRAME_REPLAY]);
    expect(pair.send('initiator', h, utf8('twice')).opened).toEqual(utf8('twice'));
    // After close: both sessions are dead.
    pair.close(h);
    for (const from of ROLES) refusal(() => pair.send(from, h, new Uint8Array(1)), 'BAD_HANDLE', abi.ERR_HANDLE);
    refusal(() => pair.close(h), 'BAD_HANDLE', abi.ERR_HANDLE);
    // The identity keys live on: a new handshake works.
    const h2: Handshake = pair.handshake(5n);
    expect(pair.send('responder', h2, utf8('again')).opened).toEqual(utf8('again'));
  });

  it('refusals by the enclave are PQC_REFUSED with the status: an invalid rekey, the frame limit; a failed handshake leaves no handle behind', async () => {
    // Both tenants take the pair's own policy: a rekey interval above the default maximum (2^24) handshakes.
    const wide = await seededPair({ rekey: 2 ** 24 + 1 });
    wide.makeKeys();
    wide.close(wide.handshake(1n));
    // An unseeded responder refuses RESP; the initiator's pending handshake is freed each time, so the vault never fills.
    const dry = await seededPair({});
    dry.makeKeys();
    expect(dry.responder.exports.drbg_uninstantiate()).toBe(0);
    for (let i = 0; i < 40; i++) refusal(() => dry.handshake(1n), 'DRBG_UNSEEDED', abi.ERR_DRBG_UNSEEDED);
    dry.initiator.put(0, new Uint8Array(48).fill(9));
    expect(dry.initiator.exports.vault_kem_keygen(768)).toBeGreaterThan(0); // slots are still free
    // rekey 0 is no interval: the initiator refuses to start (PQC_INVALID).
    const zero = await seededPair({ rekey: 0 });
    zero.makeKeys();
    refusal(() => zero.handshake(1n), 'PQC_REFUSED', abi.PQC_INVALID);
    // A frame limit of 3: the fourth frame in a direction is SESSION_LIMIT; the other direction goes on.
    const limited = await seededPair({ frameLimit: 3n });
    limited.makeKeys();
    const h = limited.handshake(1n);
    for (let i = 0; i < 3; i++) limited.send('initiator', h, utf8(`frame ${i}`));
    refusal(() => limited.send('initiator', h, utf8('one too many')), 'PQC_REFUSED', abi.SESSION_LIMIT);
    refusal(() => limited.send('initiator', h, new Uint8Array(0)), 'PQC_REFUSED', abi.SESSION_LIMIT);
    expect(limited.send('responder', h, utf8('back')).opened).toEqual(utf8('back'));
    expect(sessionInfo(limited.initiator, h.initiator).sent).toBe(3n);
  });
});
