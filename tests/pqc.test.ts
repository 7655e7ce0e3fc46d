// The PQCNet ABI (assembly/pqc.ts) with PQC1 v2 (docs/pqc1.md): a full
// handshake at each level, byte by byte against the document; a TypeScript
// party written from the document interoperating with the enclave on both
// sides (every key, every frame byte-exact); the request checks; the host's
// TenantPair; pqc_alloc/pqc_free; and 10,000 seeded random, truncated and
// bit-flipped calls with the I/O windows scanned for secrets after each one.
// The attacks of docs/pqc1.md section 8 are in tests/pqc-attacks.test.ts.
import { describe, expect, it } from 'vitest';
import * as S from '../abi/status.js';
import { Enclave, readModule } from '../host/index.js';
import { sessionInfo } from '../host/tenants.js';
import * as P from './helpers/pqc-pair.js';
import { concat, indexOfBytes } from './helpers/hex.js';
import { Prng } from './helpers/prng.js';

const TIME = 1_800_000_000_000n;
const LEVELS = [[512, 44], [768, 65], [1024, 87]] as const;
const eq = (a: Uint8Array | undefined, b: Uint8Array | undefined) => a !== undefined && b !== undefined && Buffer.from(a).equals(Buffer.from(b));
const enc = (s: string) => new TextEncoder().encode(s);

describe('PQC1 v2 handshake', () => {
  for (const [kem, dsa] of LEVELS) {
    it(`ML-KEM-${kem} / ML-DSA-${dsa}: INIT, RESP and FIN as docs/pqc1.md section 3 lays them out; both sides hold one session; frames flow`, () => {
      const pair = P.plainPair(`pqc/levels/${kem}`, { kem, dsa, minKem: kem, minDsa: dsa });
      const a = pair.i.start(pair.startReq());
      expect(a.status).toBe(P.initBytes(kem));
      const init = a.out!;
      expect(eq(init.subarray(0, 16), P.header(P.T_INIT, kem, dsa, init.length))).toBe(true);
      expect(eq(init.subarray(16, 48), P.H(pair.idI.pk))).toBe(true);
      expect(eq(init.subarray(48, 80), P.H(pair.idR.pk))).toBe(true);
      expect(P.rd64(init, 112)).toBe(TIME);
      expect(P.rd32(init, 120)).toBe(2 ** 24);
      expect(() => P.KEM[kem].lib.encapsulate(init.subarray(124))).not.toThrow(); // a valid ekE
      const b = pair.r.respond(pair.respondReq(init));
      expect(b.status).toBe(P.respBytes(kem, dsa));
      const resp = b.out!;
      const r = P.splitResp(resp, kem, dsa);
      expect(eq(resp.subarray(0, 16), P.header(P.T_RESP, kem, dsa, resp.length))).toBe(true);
      expect(eq(r.h1, P.H(init))).toBe(true);
      expect(r.tR).toBe(TIME);
      expect(P.DSA[dsa].lib.verify(r.sigR, P.H(init, r.signed), pair.idR.pk, { context: P.CTX_RESPONDER })).toBe(true);
      const f = pair.i.finish(a.handle!, resp);
      expect(f.status).toBe(P.finBytes(dsa));
      const fin = f.out!;
      expect(eq(fin.subarray(0, 16), P.header(P.T_FIN, kem, dsa, fin.length))).toBe(true);
      expect(eq(fin.subarray(16, 48), P.H(init, resp))).toBe(true); // h2 = H(INIT || RESP)
      expect(P.DSA[dsa].lib.verify(fin.subarray(48, 48 + P.DSA[dsa].sig), P.H(init, resp, fin.subarray(0, 48)), pair.idI.pk, { context: P.CTX_INITIATOR })).toBe(true);
      const sR = pair.r.complete(b.handle!, fin);
      expect(sR).toBeGreaterThan(0);
      expect(pair.r.x.pqc_last_session()).toBe(sR);
      const sI = f.session!;
      // The handshake handles are dead; the sessions share TH = H(INIT || RESP || FIN).
      expect(pair.i.info(a.handle!).status).toBe(S.ERR_HANDLE);
      expect(pair.r.info(b.handle!).status).toBe(S.ERR_HANDLE);
      const ii = pair.i.info(sI).info!, ri = pair.r.info(sR).info!;
      expect(eq(ii.id, P.H(init, resp, fin)) && eq(ri.id, ii.id)).toBe(true);
      expect([ii.role, ri.role, ii.state, ri.state]).toEqual([P.ROLE_INITIATOR, P.ROLE_RESPONDER, 3, 3]);
      expect([ii.sent, ii.top, ii.sendEpoch, ii.receiveEpoch]).toEqual([0n, 0n, 0n, 0n]);
      // Sessions through the vault's general exports.
      expect(pair.i.x.vault_level(sI)).toBe(kem);
      expect(pair.i.x.vault_public(sI, pair.i.e.io)).toBe(S.ERR_HANDLE_TYPE);
      expect(pair.i.x.vault_public_bytes(sI)).toBe(0);
      const prng = new Prng(`pqc/levels/${kem}/frames`);
      const h = { sI, sR } as P.Handshake;
      for (let k = 0; k < 50; k++) {
        for (const from of ['i', 'r'] as const) {
          const m = prng.bytes(k * 97 % 3000);
          const x = pair.send(h, from, m);
          expect(x.sealed).toBe(m.length + 24);
          expect(P.rd64(x.frame!, 0)).toBe(BigInt(k));
          expect(eq(x.plain, m)).toBe(true);
        }
      }
      // The largest frame that fits the window twice over (frame + plaintext = 65,536 bytes) round-trips.
      const big = prng.bytes(32756);
      pair.i.e.put(32780, big);
      expect(pair.i.x.pqc_seal(sI, pair.i.e.io + 32780, 32756, pair.i.e.io, 32756 + 23)).toBe(S.PQC_BUFFER);
      expect(pair.i.x.pqc_seal(sI, pair.i.e.io + 32780, 32756, pair.i.e.io, 32780)).toBe(32780);
      const frame = pair.i.e.get(0, 32780);
      pair.r.e.put(0, frame);
      expect(pair.r.x.pqc_open(sR, pair.r.e.io, 32780, pair.r.e.io + 32780, 32756)).toBe(32756);
      expect(eq(pair.r.e.get(32780, 32756), big)).toBe(true);
      pair.r.e.put(0, new Uint8Array(40000));
      expect(pair.r.x.pqc_seal(sR, pair.r.e.io, 32769, pair.r.e.io + 32800, 40000)).toBe(S.PQC_INVALID); // over 32,768
      // Freed: every call on the session is ERR_HANDLE.
      expect(pair.i.free(sI)).toBe(0);
      expect(pair.i.seal(sI, enc('x')).status).toBe(S.ERR_HANDLE);
      expect(pair.i.open(sI, frame.subarray(0, 40)).status).toBe(S.ERR_HANDLE);
      expect(pair.i.info(sI).status).toBe(S.ERR_HANDLE);
      expect(pair.i.free(sI)).toBe(S.ERR_HANDLE);
    });
  }
});

describe('a TypeScript party written from docs/pqc1.md interoperates with the enclave', () => {
  for (const [kem, dsa] of LEVELS) {
    it(`as initiator (ML-KEM-${kem} / ML-DSA-${dsa}): confirmR, TH, the traffic keys, and every frame byte-exact across rekeys`, () => {
      const pair = P.plainPair(`pqc/ref-i/${kem}`, { kem, dsa, minKem: kem, minDsa: dsa });
      const me = P.refIdentity(dsa, `pqc/ref-i/${kem}`);
      const prng = new Prng(`pqc/ref-i/${kem}/rand`);
      const eph = P.KEM[kem].lib.keygen(prng.bytes(64));
      const rekey = 3;
      const init = P.makeInit({ kem, dsa, pkI: me.pk, pkR: pair.idR.pk, nI: prng.bytes(32), tI: TIME, rekey, ekE: eph.publicKey });
      const b = pair.r.respond(pair.respondReq(init, { pkI: me.pk }));
      expect(b.status).toBe(P.respBytes(kem, dsa));
      const resp = b.out!;
      const r = P.splitResp(resp, kem, dsa);
      const K = P.KEM[kem].lib.decapsulate(r.ctE, eph.secretKey);
      const s = P.schedule(init, resp, undefined, K, kem, dsa);
      expect(P.DSA[dsa].lib.verify(r.sigR, s.TH2, pair.idR.pk, { context: P.CTX_RESPONDER })).toBe(true);
      expect(eq(s.confirmR, r.confirmR)).toBe(true);
      const fin = P.makeFin(init, resp, s.HS, me.sign);
      const sR = pair.r.complete(b.handle!, fin.fin);
      expect(sR).toBeGreaterThan(0);
      const info = pair.r.info(sR).info!;
      expect(eq(info.id, fin.TH)).toBe(true);
      expect(info.rekey).toBe(rekey);
      const t = P.traffic(s.HS, fin.TH);
      for (let c = 0n; c < 11n; c++) {
        const pt = prng.bytes(Number(c) * 13);
        const g = pair.r.seal(sR, pt);
        expect(eq(g.out, P.refSeal(t.r2iKey, t.r2iIv, rekey, c, pt)), `R's frame ${c}`).toBe(true);
        const o = pair.r.open(sR, P.refSeal(t.i2rKey, t.i2rIv, rekey, c, pt));
        expect(o.status).toBe(pt.length);
        expect(eq(o.out, pt)).toBe(true);
      }
      expect(pair.r.info(sR).info!.sendEpoch).toBe(3n);
    });

    it(`as responder (ML-KEM-${kem} / ML-DSA-${dsa}): sigI, confirmI, TH, the traffic keys, and every frame byte-exact across rekeys`, () => {
      const pair = P.plainPair(`pqc/ref-r/${kem}`, { kem, dsa });
      const me = P.refIdentity(dsa, `pqc/ref-r/${kem}`);
      const prng = new Prng(`pqc/ref-r/${kem}/rand`);
      const rekey = 4;
      const a = pair.init({ pkR: me.pk, rekey });
      expect(eq(a.init.subarray(48, 80), P.H(me.pk))).toBe(true);
      const e = P.KEM[kem].lib.encapsulate(a.init.subarray(124), prng.bytes(32));
      const resp = P.makeResp(a.init, { ctE: e.cipherText, K: e.sharedSecret, nR: prng.bytes(32), tR: TIME + 5n, sign: me.sign });
      const f = pair.i.finish(a.hsI, resp.resp);
      expect(f.status).toBe(P.finBytes(dsa));
      const fin = f.out!;
      const s = P.schedule(a.init, resp.resp, fin, e.sharedSecret, kem, dsa);
      expect(P.DSA[dsa].lib.verify(fin.subarray(48, 48 + P.DSA[dsa].sig), s.TH3, pair.idI.pk, { context: P.CTX_INITIATOR })).toBe(true);
      expect(eq(s.confirmI, fin.subarray(48 + P.DSA[dsa].sig))).toBe(true);
      const sI = f.session!;
      expect(eq(pair.i.info(sI).info!.id, s.TH)).toBe(true);
      for (let c = 0n; c < 13n; c++) {
        const pt = prng.bytes(1 + Number(c) * 7);
        expect(eq(pair.i.seal(sI, pt).out, P.refSeal(s.i2rKey, s.i2rIv, rekey, c, pt)), `I's frame ${c}`).toBe(true);
        expect(eq(pair.i.open(sI, P.refSeal(s.r2iKey, s.r2iIv, rekey, c, pt)).out, pt)).toBe(true);
      }
      const ii = pair.i.info(sI).info!;
      expect([ii.sent, ii.top, ii.sendEpoch, ii.receiveEpoch]).toEqual([13n, 12n, 3n, 3n]);
    });
  }
});

describe('request checks', () => {
  it('pqc_handshake refuses a malformed request with its status, writes nothing and makes no handle', () => {
    const pair = P.plainPair('pqc/req-start');
    const x = pair.i.x, e = pair.i.e;
    const id44 = pair.i.identity(44), kemKey = x.vault_kem_keygen(768), attest = pair.i.identity(65, P.U_ATTEST);
    const last = x.pqc_last_session();
    const good = pair.startReq();
    const cases: [string, Uint8Array, number][] = [
      ['empty', new Uint8Array(0), S.PQC_INVALID],
      ['31 bytes', P.startRequest(good).subarray(0, 31), S.PQC_INVALID],
      ['KEM 700', P.startRequest({ ...good, kem: 700 }), S.PQC_INVALID],
      ['DSA 66', P.startRequest({ ...good, dsa: 66 }), S.PQC_INVALID],
      ['pkR one byte short', P.startRequest({ ...good, pkR: good.pkR.subarray(1) }), S.PQC_INVALID],
      ['pkR one byte long', P.startRequest({ ...good, pkR: concat(good.pkR, new Uint8Array(1)) }), S.PQC_INVALID],
      ['rekey 0', P.startRequest({ ...good, rekey: 0 }), S.PQC_INVALID],
      ['frame limit 2^63 + 1', P.startRequest({ ...good, frameLimit: 2n ** 63n + 1n }), S.PQC_INVALID],
      ['a stale identity', P.startRequest({ ...good, identity: good.identity + 32 }), S.ERR_HANDLE],
      ['no handle', P.startRequest({ ...good, identity: 0 }), S.ERR_HANDLE],
      ['an ML-KEM key', P.startRequest({ ...good, identity: kemKey }), S.ERR_HANDLE_TYPE],
      ['an attestation key', P.startRequest({ ...good, identity: attest.handle }), S.ERR_USAGE],
      ['an identity of another level', P.startRequest({ ...good, identity: id44.handle }), S.PQC_INVALID],
    ];
    for (const [what, req, want] of cases) {
      expect(pair.i.call('pqc_handshake', req).status, what).toBe(want);
      expect(e.get(P.OUT, 2048), what).toEqual(new Uint8Array(2048));
    }
    const req = P.startRequest(good);
    expect(pair.i.call('pqc_handshake', req, P.initBytes(768) - 1).status).toBe(S.PQC_BUFFER);
    e.put(0, req);
    expect(x.pqc_handshake(e.io, req.length, e.io + 100, 65536 - 100)).toBe(S.PQC_INVALID); // output overlaps the request
    expect(x.pqc_handshake(e.io, req.length, e.io + 65536 - 1000, 1308)).toBe(S.PQC_INVALID); // output leaves the window
    expect(x.pqc_handshake(e.io - 16, req.length, e.io + 32768, 4096)).toBe(S.PQC_INVALID); // request outside the window
    expect(x.pqc_handshake(e.io + 65536 - 100, req.length, e.io + 32768, 4096)).toBe(S.PQC_INVALID);
    expect(x.pqc_last_session()).toBe(last);
    expect(pair.i.start(good).status).toBe(P.initBytes(768));
  });

  it('pqc_respond, pqc_finish and pqc_complete refuse malformed requests; a short output buffer (PQC_BUFFER) or an unseeded DRBG keeps the pending handshake', () => {
    const pair = P.plainPair('pqc/req-answer');
    const a = pair.init();
    const good = pair.respondReq(a.init);
    const req = P.respondRequest(good);
    const r = pair.r;
    expect(r.call('pqc_respond', req.subarray(0, 35)).status).toBe(S.PQC_INVALID);
    expect(r.call('pqc_respond', P.respondRequest({ ...good, initLen: a.init.length + 1 })).status).toBe(S.PQC_INVALID);
    expect(r.call('pqc_respond', P.respondRequest({ ...good, initLen: 2 ** 32 - 1 })).status).toBe(S.PQC_INVALID);
    expect(r.call('pqc_respond', P.respondRequest({ ...good, pkI: good.pkI.subarray(1) })).status).toBe(S.PQC_INVALID);
    expect(r.call('pqc_respond', concat(req, new Uint8Array(1))).status).toBe(S.PQC_INVALID);
    expect(r.call('pqc_respond', P.respondRequest({ ...good, frameLimit: 2n ** 63n + 1n })).status).toBe(S.PQC_INVALID);
    expect(r.call('pqc_respond', P.respondRequest({ ...good, identity: 12345 })).status).toBe(S.ERR_HANDLE);
    expect(r.call('pqc_respond', req, P.respBytes(768, 65) - 1).status).toBe(S.PQC_BUFFER);
    // None of these was an answer: the INIT is not in the replay cache.
    const b = pair.resp(a.init);
    // pqc_finish / pqc_complete: too short for a handle, a short buffer, an unseeded DRBG.
    expect(pair.i.call('pqc_finish', new Uint8Array(3)).status).toBe(S.PQC_INVALID);
    expect(pair.r.completeRaw(new Uint8Array(3))).toBe(S.PQC_INVALID);
    expect(pair.i.call('pqc_finish', P.answerRequest(a.hsI, b.resp), P.finBytes(65) - 1).status).toBe(S.PQC_BUFFER);
    expect(pair.i.x.drbg_uninstantiate()).toBe(0);
    expect(pair.i.finish(a.hsI, b.resp).status).toBe(S.ERR_DRBG_UNSEEDED); // sigI's randomness
    P.seed(pair.i.e, P.entropyFor('pqc/req-answer/again'));
    const f = pair.i.finish(a.hsI, b.resp);
    expect(f.status).toBe(P.finBytes(65));
    const sR = pair.r.complete(b.hsR, f.out!);
    expect(sR).toBeGreaterThan(0);
    // Frames: a short buffer keeps the frame unopened (it opens afterwards).
    const g = pair.i.seal(f.session!, enc('twelve bytes'));
    const e = pair.r.e;
    e.put(0, g.out!);
    expect(pair.r.x.pqc_open(sR, e.io, g.out!.length, e.io + 1024, 11)).toBe(S.PQC_BUFFER);
    expect(pair.r.x.pqc_open(sR, e.io, 23, e.io + 1024, 100)).toBe(S.PQC_INVALID);
    expect(pair.r.x.pqc_open(sR, e.io, g.out!.length, e.io + 8, 100)).toBe(S.PQC_INVALID); // output overlaps the frame
    expect(pair.r.x.pqc_open(sR, e.io + 65536 - 20, 36, e.io + 1024, 100)).toBe(S.PQC_INVALID);
    expect(pair.i.x.pqc_seal(f.session!, pair.i.e.io, 12, pair.i.e.io + 1024, 35)).toBe(S.PQC_BUFFER);
    expect(pair.i.info(f.session!).info!.sent).toBe(1n);
    expect(eq(pair.r.open(sR, g.out!).out, enc('twelve bytes'))).toBe(true);
    expect(pair.r.x.pqc_session_info(sR, e.io + 65536 - 8)).toBe(S.ERR_ARG);
  });

  it('docs/pqc1.md section 6: the ABI takes plaintexts up to 32,756 bytes (a plaintext and its frame both fit in the window); one more is PQC_INVALID', () => {
    const pair = P.plainPair('pqc/max-frame');
    const h = pair.handshake();
    const big = new Prng('pqc/max-frame/data').bytes(32757);
    const a = pair.i.e, x = pair.i.x, b = pair.r.e, y = pair.r.x;
    a.put(0, big.subarray(0, 32756));
    expect(x.pqc_seal(h.sI, a.io, 32756, a.io + 32756, 65536 - 32756)).toBe(32780);
    b.put(0, a.get(32756, 32780));
    expect(y.pqc_open(h.sR, b.io, 32780, b.io + 32780, 65536 - 32780)).toBe(32756);
    expect(eq(b.get(32780, 32756), big.subarray(0, 32756))).toBe(true);
    a.put(0, big);
    expect(x.pqc_seal(h.sI, a.io, 32757, a.io + 32757, 65536 - 32757)).toBe(S.PQC_INVALID);
  });

  it('docs/pqc1.md section 7: pqc_session_info writes 80 bytes, the epochs as le64 at 56 and 64, rekey le32 at 72', () => {
    const pair = P.plainPair('pqc/info-layout', { rekey: 1 });
    const h = pair.handshake();
    for (let k = 0; k < 3; k++) { pair.send(h, 'i', enc('a')); pair.send(h, 'r', enc('b')); }
    const e = pair.r.e;
    e.put(0, new Uint8Array(128).fill(0xaa));
    expect(pair.r.x.pqc_session_info(h.sR, e.io)).toBe(0);
    const b = e.get(0, 128);
    const dv = new DataView(b.buffer, b.byteOffset);
    expect(dv.getBigUint64(56, true), 'send epoch, le64 at 56').toBe(2n);
    expect(dv.getBigUint64(64, true), 'receive epoch, le64 at 64').toBe(2n);
    expect(dv.getUint32(72, true), 'rekey, le32 at 72').toBe(1);
    expect(b.subarray(80, 128), 'nothing written past 80 bytes').toEqual(new Uint8Array(48).fill(0xaa));
    expect(pair.r.x.pqc_session_info(h.sR, e.io + 65536 - 80), 'an 80-byte buffer at the end of the window').toBe(0);
    expect(pair.r.x.pqc_session_info(h.sR, e.io + 65536 - 64), 'one that leaves the window').toBe(S.ERR_ARG);
  });
});

describe('the host\'s TenantPair (two WAVEN tenants)', () => {
  it('handshakes through the shared pages; hand-driven and host-driven sessions both carry frames, up to MAX_FRAME_BYTES', async () => {
    const { MAX_FRAME_BYTES } = await import('../host/index.js');
    const { tenants, pair } = P.tenantPair('pqc/tenants');
    const h = tenants.handshake(TIME);
    expect(h.init.length).toBe(P.initBytes(768));
    expect(eq(h.id, P.H(h.init, h.resp, h.fin))).toBe(true);
    expect(sessionInfo(tenants.responder, h.responder).role).toBe('responder');
    const prng = new Prng('pqc/tenants/frames');
    for (let k = 0; k < 20; k++) {
      const m = prng.bytes(k * 131);
      expect(eq(tenants.send('initiator', h, m).opened, m)).toBe(true);
      expect(eq(tenants.send('responder', h, m).opened, m)).toBe(true);
    }
    const big = prng.bytes(MAX_FRAME_BYTES);
    expect(eq(tenants.send('initiator', h, big).opened, big)).toBe(true);
    expect(eq(tenants.send('responder', h, big).opened, big)).toBe(true);
    const mine = pair.handshake();
    for (let k = 0; k < 5; k++) expect(pair.send(mine, k % 2 ? 'r' : 'i', enc(`frame ${k}`)).opened).toBe(7);
    tenants.close(h);
    expect(() => tenants.send('initiator', h, enc('x'))).toThrow(expect.objectContaining({ code: 'BAD_HANDLE' }));
  });

  it('a TenantPair whose rekey interval is above 2^24 still handshakes (its responder must allow the interval its initiator asks for)', () => {
    const { tenants } = P.tenantPair('pqc/tenants-rekey', { rekey: 2 ** 25 });
    expect(() => tenants.handshake(TIME)).not.toThrow();
  });
  it('a handshake the responder refuses leaves no pending handshake behind in the initiator\'s vault (40 refused, then one that works)', () => {
    const label = 'pqc/tenants-leak';
    const { tenants } = P.tenantPair(label);
    expect(tenants.responder.exports.drbg_uninstantiate()).toBe(0);
    const codes = new Set<string>();
    for (let k = 0; k < 40; k++) {
      try { tenants.handshake(TIME); } catch (e) { codes.add((e as { code: string }).code); }
    }
    expect([...codes]).toEqual(['DRBG_UNSEEDED']); // the responder's refusal every time, never the initiator's vault
    P.seed(tenants.responder, P.entropyFor(`${label}/again`));
    expect(() => tenants.handshake(TIME)).not.toThrow();
  });
});

describe('pqc_alloc / pqc_free', () => {
  it('hands out non-overlapping blocks in the upper half of the window and pqc_free returns them (wiped)', () => {
    const e = new Enclave(readModule());
    const x = e.exports;
    const top = e.io + e.ioBytes;
    const a = x.pqc_alloc(100), b = x.pqc_alloc(5000), c = x.pqc_alloc(1024);
    for (const p of [a, b, c]) { expect(p).toBeGreaterThanOrEqual(e.io + e.ioBytes / 2); expect(p).toBeLessThan(top); }
    expect(b).toBeGreaterThanOrEqual(a + 1024);
    expect(c).toBeGreaterThanOrEqual(b + 5120);
    expect(x.pqc_alloc(0)).toBe(0);
    expect(x.pqc_alloc(-5)).toBe(0);
    expect(x.pqc_alloc(32769)).toBe(0);
    e.write(b, new Uint8Array(5000).fill(7));
    x.pqc_free(b, 5000);
    expect(e.read(b, 5120)).toEqual(new Uint8Array(5120));
    expect(x.pqc_alloc(4096)).toBe(b);
    expect(x.pqc_alloc(32768)).toBe(0); // not enough contiguous room left
    x.pqc_free(b + 1, 10); // not a block: ignored
    x.pqc_free(e.io, 10); // below the pool: ignored
    expect(x.pqc_alloc(1024)).not.toBe(b);
  });
});

// ---- 10,000 calls ---------------------------------------------------------------------------

/** Statuses each export may return (docs/pqc1.md section 7, docs/vault.md); positives are checked separately. */
const PQC_REFUSALS = [S.PQC_INVALID, S.PQC_BUFFER, S.PQC_VERSION, S.PQC_POLICY, S.PQC_REPLAY, S.PQC_AUTH, S.PQC_STATE, S.ERR_HANDLE, S.ERR_HANDLE_TYPE, S.ERR_VAULT_FULL, S.ERR_USAGE];
const FRAME_REFUSALS = [S.PQC_INVALID, S.PQC_BUFFER, S.PQC_STATE, S.FRAME_REPLAY, S.FRAME_OLD, S.FRAME_AHEAD, S.SESSION_LIMIT, S.ERR_AUTH, S.ERR_HANDLE, S.ERR_HANDLE_TYPE];
const VAULT_REFUSALS = [S.ERR_ARG, S.ERR_HANDLE, S.ERR_HANDLE_TYPE, S.ERR_USAGE, S.ERR_VAULT_FULL];
const LEVEL_VALUES = [512, 768, 1024, 44, 65, 87];
const PUBLIC_BYTES = [0, 800, 1184, 1568, 1312, 1952, 2592];

describe('fuzz', () => {
  it('10,000 seeded random, truncated and bit-flipped calls over every PQC1 and vault export with random and real handles: a documented status every time, no trap, no secret in an I/O window; then correct handshakes and frames', () => {
    const label = 'pqc/fuzz';
    const pair = P.plainPair(label, { test: true });
    const tw = P.twins(label);
    const idI = P.twinIdentity(tw.i, 65), idR = P.twinIdentity(tw.r, 65);
    expect(eq(idI.pk, pair.idI.pk) && eq(idR.pk, pair.idR.pk)).toBe(true);

    // Handshake 1, complete; handshake 2, pending on both sides; handshake 3, INIT only. Every secret recomputed.
    const h1 = pair.handshake();
    tw.i.next(32); const dz1 = tw.i.next(64);
    tw.r.next(32); const m1 = tw.r.next(32); tw.r.next(32);
    tw.i.next(32);
    const K1 = P.KEM[768].lib.encapsulate(h1.init.subarray(124), m1).sharedSecret;
    const s1 = P.schedule(h1.init, h1.resp, h1.fin, K1, 768, 65);
    expect(eq(s1.confirmR, P.splitResp(h1.resp, 768, 65).confirmR)).toBe(true);
    const p2 = pair.pending();
    tw.i.next(32); const dz2 = tw.i.next(64);
    tw.r.next(32); const m2 = tw.r.next(32); tw.r.next(32);
    const K2 = P.KEM[768].lib.encapsulate(p2.init.subarray(124), m2).sharedSecret;
    const s2 = P.schedule(p2.init, p2.resp, undefined, K2, 768, 65);
    expect(eq(s2.confirmR, P.splitResp(p2.resp, 768, 65).confirmR)).toBe(true);
    const p3 = pair.init();
    tw.i.next(32); const dz3 = tw.i.next(64);
    const secrets: Uint8Array[] = [
      ...P.dsaSecretParts(idI.sk), ...P.dsaSecretParts(idR.sk),
      ...[dz1, dz2, dz3].flatMap((dz) => P.kemSecretParts(P.KEM[768].lib.keygen(dz).secretKey)),
      K1, K2, s1.HS, s2.HS, s1.MS, s1.i2rKey, s1.r2iKey,
    ];
    const scan = (p: P.Party, what: string) => {
      const w = p.window();
      for (const s of secrets) if (indexOfBytes(w, s) >= 0) throw new Error(`a secret in ${p.name}'s I/O window after ${what}`);
    };

    const prng = new Prng('pqc/fuzz/calls');
    /** A FIN for handshake 2 with the right h2, signed by a key R does not hold. */
    const forgedFin = P.makeFin(p2.init, p2.resp, new Uint8Array(32), P.refIdentity(65, 'pqc/fuzz/mallory').sign).fin;
    const u32 = () => prng.int(2 ** 32);
    const I = pair.i, R = pair.r;
    /** Live handles per enclave (never freed by the fuzz). */
    const live = new Map<P.Party, Set<number>>([
      [I, new Set([pair.idI.handle, h1.sI, p2.hsI, p3.hsI])],
      [R, new Set([pair.idR.handle, h1.sR, p2.hsR])],
    ]);
    const allLive = [...live.get(I)!, ...live.get(R)!];
    const handle = (): number => {
      switch (prng.int(6)) {
        case 0: return u32() | 0;
        case 1: return (P.HANDLE_TAG | (prng.int(4) << 5) | prng.int(32)) | 0;
        case 2: return allLive[prng.int(allLive.length)]!;
        case 3: return (allLive[prng.int(allLive.length)]! ^ (1 << prng.int(31))) | 0;
        case 4: return [0, -1, 0x7fffffff, -0x80000000, P.HANDLE_TAG][prng.int(5)]!;
        default: return allLive[prng.int(allLive.length)]! + 32; // the next generation of a live slot
      }
    };
    const mutate = (m: Uint8Array): Uint8Array => {
      switch (prng.int(4)) {
        case 0: return m.slice(0, prng.int(m.length)); // truncated (never whole)
        case 1: return P.flip(m, prng.int(m.length), prng.int(8));
        case 2: { const c = P.flip(m, prng.int(Math.min(m.length, 128)), prng.int(8)); return c; } // the header and the fields
        default: return prng.bytes(prng.int(m.length + 64));
      }
    };
    /** A pointer: mostly in the window, sometimes anywhere. */
    const ptr = (e: Enclave, len: number): number => {
      const k = prng.int(10);
      if (k === 0) return u32();
      if (k === 1) return e.io - 1 - prng.int(100);
      if (k === 2) return e.io + 65536 - prng.int(Math.max(1, len));
      return e.io + prng.int(65536 - Math.min(len, 65535));
    };
    /** Write `data` at a pointer when it lies in the window (the host never writes outside it). */
    const place = (e: Enclave, p: number, data: Uint8Array) => { if (p >= e.io && p + data.length <= e.io + 65536) e.write(p, data); };
    const seen = new Map<string, Set<number>>();
    const done = (p: P.Party, what: string, r: number, refusals: number[], ok: (r: number) => boolean) => {
      if (!(refusals.includes(r) || (r >= 0 && ok(r)))) throw new Error(`${p.name}: ${what} returned ${r}`);
      if (!seen.has(what)) seen.set(what, new Set());
      seen.get(what)!.add(r < 0 ? r : 1);
      scan(p, what);
    };
    const freeNew = (p: P.Party, h: number) => { expect(live.get(p)!.has(h)).toBe(false); expect(p.free(h)).toBe(0); };
    const sent: { from: P.Party; frame: Uint8Array }[] = [];
    let made = 0, opened = 0;

    for (let i = 0; i < 10_000; i++) {
      const p = prng.int(2) === 0 ? I : R;
      const x = p.x, e = p.e;
      const kind = prng.int(12);
      if (kind === 0) {
        const base = P.startRequest(pair.startReq({ identity: p === I ? pair.idI.handle : pair.idR.handle, kem: [512, 768, 1024][prng.int(3)]!, dsa: 65 }));
        const req = prng.int(3) === 0 ? base : mutate(base);
        const q = prng.int(8) === 0 ? ptr(e, req.length) : e.io;
        place(e, q, req);
        const out = prng.int(8) === 0 ? ptr(e, 2000) : e.io + P.OUT;
        const r = x.pqc_handshake(q, prng.int(8) === 0 ? u32() : req.length, out, prng.int(4) === 0 ? u32() : prng.int(3000));
        done(p, 'pqc_handshake', r, PQC_REFUSALS, (n) => [924, 1308, 1692].includes(n));
        if (r > 0) { made++; freeNew(p, x.pqc_last_session()); }
      } else if (kind === 1) {
        const init = mutate(p3.init);
        const req = P.respondRequest(pair.respondReq(init, { identity: prng.int(2) ? pair.idR.handle : handle(), initLen: prng.int(6) === 0 ? u32() : init.length }));
        const sub = prng.int(6) === 0 ? mutate(req) : req;
        e.put(0, sub);
        const r = x.pqc_respond(e.io, sub.length, e.io + P.OUT, prng.int(3) === 0 ? prng.int(8000) : 32768);
        done(p, 'pqc_respond', r, PQC_REFUSALS, (n) => n === P.respBytes(768, 65));
        if (r > 0) { made++; freeNew(p, x.pqc_last_session()); }
      } else if (kind === 2) {
        const msg = [mutate(p2.resp), mutate(h1.resp), h1.resp, p2.init, h1.fin, mutate(h1.fin)][prng.int(6)]!;
        const req = P.answerRequest(prng.int(2) === 0 ? p2.hsI : handle(), msg);
        const sub = prng.int(8) === 0 ? req.subarray(0, prng.int(req.length)) : req;
        e.put(0, sub);
        const r = x.pqc_finish(e.io, sub.length, e.io + P.OUT, prng.int(3) === 0 ? prng.int(5000) : 32768);
        done(p, 'pqc_finish', r, PQC_REFUSALS, () => false);
      } else if (kind === 3) {
        const msg = [mutate(h1.fin), h1.fin, p2.resp, mutate(p2.resp), forgedFin, mutate(forgedFin)][prng.int(6)]!;
        const req = P.answerRequest(prng.int(2) === 0 ? p2.hsR : handle(), msg);
        const sub = prng.int(8) === 0 ? req.subarray(0, prng.int(req.length)) : req;
        const q = prng.int(10) === 0 ? ptr(e, sub.length) : e.io;
        place(e, q, sub);
        const r = x.pqc_complete(q, sub.length);
        done(p, 'pqc_complete', r, PQC_REFUSALS, () => false);
      } else if (kind === 4) {
        const s = prng.int(3) === 0 ? handle() : p === I ? h1.sI : h1.sR;
        const len = prng.int(10) === 0 ? u32() % 70000 : prng.int(600);
        const src = prng.int(6) === 0 ? ptr(e, len) : e.io;
        if (len <= 32768) place(e, src, prng.bytes(len));
        const out = prng.int(6) === 0 ? ptr(e, len + 24) : e.io + 32768;
        const r = x.pqc_seal(s, src, len, out, prng.int(6) === 0 ? prng.int(len + 30) : 32768);
        done(p, 'pqc_seal', r, FRAME_REFUSALS, (n) => n === len + 24);
        if (r > 0) sent.push({ from: p, frame: e.read(out, r) });
      } else if (kind === 5) {
        const s = prng.int(4) === 0 ? handle() : p === I ? h1.sI : h1.sR;
        const mine = sent.filter((f) => f.from !== p);
        const pick = mine.length > 0 && prng.int(2) === 0 ? mine[prng.int(mine.length)]!.frame : prng.bytes(prng.int(200));
        const frame = prng.int(3) === 0 ? pick : mutate(pick);
        e.put(0, frame);
        const r = x.pqc_open(s, e.io, prng.int(10) === 0 ? u32() : frame.length, e.io + 32768, prng.int(6) === 0 ? prng.int(200) : 32768);
        done(p, 'pqc_open', r, FRAME_REFUSALS, (n) => n === frame.length - 24);
        if (r >= 0) opened++;
      } else if (kind === 6) {
        const h = handle();
        const r = x.vault_public(h, ptr(e, 2600));
        done(p, 'vault_public', r, VAULT_REFUSALS, (n) => n === 0);
        done(p, 'vault_public_bytes', x.vault_public_bytes(h), [], (n) => PUBLIC_BYTES.includes(n));
        done(p, 'vault_level', x.vault_level(h), VAULT_REFUSALS, (n) => LEVEL_VALUES.includes(n));
        done(p, 'pqc_session_info', x.pqc_session_info(h, ptr(e, 80)), [...VAULT_REFUSALS, S.PQC_STATE], (n) => n === 0);
      } else if (kind === 7) {
        const h = handle();
        if (allLive.includes(h)) continue; // the same value may name a live key in this enclave
        done(p, 'vault_free', p.free(h), VAULT_REFUSALS, () => false);
      } else if (kind === 8) {
        const h = handle();
        place(e, e.io, prng.bytes(64));
        done(p, 'vault_dsa_sign', x.vault_dsa_sign(h, ptr(e, 64), ptr(e, 4627)), VAULT_REFUSALS, () => false);
        done(p, 'vault_attest_sign', x.vault_attest_sign(h, ptr(e, 64), prng.int(100), ptr(e, 4627)), VAULT_REFUSALS, () => false);
      } else if (kind === 9) {
        const level = [512, 768, 1024, 44, 65, 87, 0, 700, -1][prng.int(9)]!;
        const r = prng.int(2) === 0 ? x.vault_kem_keygen(level) : x.vault_dsa_keygen(level, prng.int(5));
        done(p, 'keygen', r, VAULT_REFUSALS, (n) => n > 0);
        if (r > 0) freeNew(p, r);
      } else if (kind === 10) {
        const q = x.pqc_alloc(prng.int(40000) - 100);
        if (q !== 0) x.pqc_free(q, prng.int(2) ? 1 : prng.int(40000));
        x.pqc_free(u32(), prng.int(70000));
        scan(p, 'pqc_alloc/pqc_free');
      } else {
        // A real handle of one enclave in the other, and every step with a live handle of the wrong kind.
        const h = allLive[prng.int(allLive.length)]!;
        if (p === I && h === p2.hsI) continue; // (hsI2, RESP2) is the one pair that would succeed: kept for the end
        e.put(0, P.answerRequest(h, p === I ? p2.resp : h1.fin));
        const r = p === I ? x.pqc_finish(e.io, 4 + p2.resp.length, e.io + P.OUT, 32768) : x.pqc_complete(e.io, 4 + h1.fin.length);
        done(p, 'a live handle', r, PQC_REFUSALS, () => false);
      }
    }
    expect(made).toBeGreaterThan(50);
    // The refusals exercised (a guard against a fuzz that only ever hits the first check).
    const sorted = (k: string) => [...(seen.get(k) ?? [])].sort((a, b) => a - b);
    expect(sorted('pqc_respond')).toEqual(expect.arrayContaining([S.PQC_INVALID, S.PQC_VERSION, S.PQC_STATE, S.PQC_AUTH, S.PQC_POLICY, S.ERR_HANDLE, 1]));
    expect(sorted('pqc_finish')).toEqual(expect.arrayContaining([S.PQC_INVALID, S.PQC_BUFFER, S.PQC_VERSION, S.PQC_STATE, S.PQC_AUTH, S.ERR_HANDLE, S.ERR_HANDLE_TYPE]));
    expect(sorted('pqc_complete')).toEqual(expect.arrayContaining([S.PQC_INVALID, S.PQC_VERSION, S.PQC_STATE, S.PQC_AUTH, S.ERR_HANDLE]));
    expect(sorted('pqc_open')).toEqual(expect.arrayContaining([S.PQC_INVALID, S.PQC_BUFFER, S.FRAME_REPLAY, S.FRAME_AHEAD, S.ERR_AUTH, S.ERR_HANDLE, 1]));
    expect(sorted('pqc_seal')).toEqual(expect.arrayContaining([S.PQC_INVALID, S.PQC_BUFFER, S.PQC_STATE, S.ERR_HANDLE, 1]));
    expect(sorted('pqc_handshake')).toEqual(expect.arrayContaining([S.PQC_INVALID, S.PQC_BUFFER, 1]));
    expect(sent.length).toBeGreaterThan(100);

    // Everything real still works: session 1 both ways, handshake 2 finishes, handshake 3 is answered, a new one runs.
    for (const [from, to, sf, st] of [[I, R, h1.sI, h1.sR], [R, I, h1.sR, h1.sI]] as const) {
      const before = from.info(sf).info!.sent;
      const g = from.seal(sf, enc('after the fuzz'));
      expect(P.rd64(g.out!, 0)).toBe(before);
      expect(eq(to.open(st, g.out!).out, enc('after the fuzz'))).toBe(true);
    }
    const f2 = I.finish(p2.hsI, p2.resp);
    expect(f2.status).toBe(P.finBytes(65));
    const sR2 = R.complete(p2.hsR, f2.out!);
    expect(sR2).toBeGreaterThan(0);
    const sch2 = P.schedule(p2.init, p2.resp, f2.out!, K2, 768, 65);
    const g2 = I.seal(f2.session!, enc('two'));
    expect(eq(P.refOpen(sch2.i2rKey, sch2.i2rIv, 2 ** 24, g2.out!), enc('two'))).toBe(true);
    expect(eq(R.open(sR2, g2.out!).out, enc('two'))).toBe(true);
    const r3 = pair.resp(p3.init);
    const f3 = I.finish(p3.hsI, r3.resp);
    expect(f3.status).toBe(P.finBytes(65));
    const h3 = { sI: f3.session!, sR: R.complete(r3.hsR, f3.out!) } as P.Handshake;
    expect(h3.sR).toBeGreaterThan(0);
    expect(pair.send(h3, 'r', enc('three')).opened).toBe(5);
    const h4 = pair.handshake();
    expect(pair.send(h4, 'i', enc('four')).opened).toBe(4);
    scan(I, 'the end');
    scan(R, 'the end');
  });
});

