// PQC1 v2 (docs/pqc1.md section 8): one test per attack on the channel, each
// named for the attack, each asserting the exact status the document gives
// and that nothing changed: no session appears, and the pending handshake or
// the session attacked still works with the genuine message afterwards.
//
// The attacker holds everything public: the three messages, the identity
// public keys, every frame. Where an attack needs an attacker who computes
// (an ephemeral key of its own, a signature with another key), the test plays
// it with @noble/post-quantum and the reference of tests/helpers/pqc-pair.ts;
// where a control needs an identity secret key, a twin of the enclave's DRBG
// gives it (the test build: drbg_generate_test).
import { describe, expect, it } from 'vitest';
import { shake256 } from '@noble/hashes/sha3.js';
import * as S from '../abi/status.js';
import * as P from './helpers/pqc-pair.js';
import { concat, indexOfBytes } from './helpers/hex.js';
import { Prng } from './helpers/prng.js';

const TIME = 1_800_000_000_000n;
const eq = (a: Uint8Array | undefined, b: Uint8Array | undefined) => a !== undefined && b !== undefined && Buffer.from(a).equals(Buffer.from(b));
const enc = (s: string) => new TextEncoder().encode(s);
/** Mallory's identity key: a valid ML-DSA key that nobody pinned. */
const mallory = { 65: P.refIdentity(65, 'mallory') } as const;

/** Frames both ways through a finished handshake: each opens to what was sealed. */
function framesFlow(pair: P.Pair, h: { sI: number; sR: number }, label: string, n = 3): void {
  const prng = new Prng(`attacks/flow/${label}`);
  for (let k = 0; k < n; k++) {
    for (const from of ['i', 'r'] as const) {
      const data = prng.bytes(1 + prng.int(100));
      const r = pair.send(h as P.Handshake, from, data);
      expect(r.sealed, `${label}: seal ${from} #${k}`).toBe(data.length + 24);
      expect(r.opened, `${label}: open ${from} #${k}`).toBe(data.length);
      expect(eq(r.plain, data)).toBe(true);
    }
  }
}

/** The raw 80 bytes of pqc_session_info (to show a refusal changed nothing). */
function infoBytes(p: P.Party, s: number): Uint8Array {
  const r = p.info(s);
  expect(r.status).toBe(0);
  return r.info!.raw.slice(0, 80);
}

/** Finish a pending pair of handshakes with the genuine messages; both sides hold a session. */
function finishGenuine(pair: P.Pair, p: { hsI: number; hsR: number; resp: Uint8Array }): { sI: number; sR: number; fin: Uint8Array } {
  const f = pair.i.finish(p.hsI, p.resp);
  expect(f.status).toBe(P.finBytes(pair.dsa));
  const sR = pair.r.complete(p.hsR, f.out!);
  expect(sR).toBeGreaterThan(0);
  return { sI: f.session!, sR, fin: f.out! };
}

/** An attacker's encapsulation to the ephemeral key in an INIT: it knows K. */
function encapsTo(init: Uint8Array, kem: P.KemLevel, label: string): { ctE: Uint8Array; K: Uint8Array } {
  const r = P.KEM[kem].lib.encapsulate(init.subarray(124), new Prng(`attacks/m/${label}`).bytes(32));
  return { ctE: r.cipherText, K: r.sharedSecret };
}

describe('replayed INIT', () => {
  it('an exact duplicate is PQC_REPLAY and takes nothing, even after its handshake completed and its pending slot was evicted', () => {
    const pair = P.plainPair('attacks/replay-init');
    const p = pair.pending();
    const last = pair.r.x.pqc_last_session();
    const again = pair.r.respond(pair.respondReq(p.init));
    expect(again.status).toBe(S.PQC_REPLAY);
    expect(pair.r.e.get(P.OUT, 8192)).toEqual(new Uint8Array(8192)); // nothing written
    expect(pair.r.x.pqc_last_session()).toBe(last);
    // Another local time or policy does not make it new.
    expect(pair.r.respond(pair.respondReq(p.init, { time: TIME + 1n, maxRekey: 2 ** 30 })).status).toBe(S.PQC_REPLAY);
    // The genuine handshake is untouched.
    const h = finishGenuine(pair, p);
    framesFlow(pair, h, 'replay-init');
    expect(pair.r.respond(pair.respondReq(p.init)).status).toBe(S.PQC_REPLAY);
    // Nine newer INITs: the pending slots turned over; the INIT is still remembered.
    for (let k = 0; k < 9; k++) {
      const a = pair.init();
      pair.resp(a.init);
      expect(pair.i.free(a.hsI)).toBe(0);
    }
    expect(pair.r.respond(pair.respondReq(p.init)).status).toBe(S.PQC_REPLAY);
    framesFlow(pair, h, 'replay-init/after');
  });

  it('the replay cache holds the last 64 INITs: an older one is answered again, and still no FIN completes it', () => {
    const pair = P.plainPair('attacks/replay-cache');
    const old = pair.handshake();
    for (let k = 0; k < 63; k++) { const a = pair.init(); pair.resp(a.init); expect(pair.i.free(a.hsI)).toBe(0); }
    expect(pair.r.respond(pair.respondReq(old.init)).status).toBe(S.PQC_REPLAY); // 64 answered since: still cached
    const a = pair.init();
    pair.resp(a.init); // the 65th
    const again = pair.r.respond(pair.respondReq(old.init));
    expect(again.status).toBe(P.respBytes(768, 65));
    // The attacker replaying it holds neither K (dkE was wiped at I) nor skI.
    expect(pair.r.complete(again.handle!, old.fin)).toBe(S.PQC_STATE);
    expect(pair.r.complete(again.handle!, P.makeFin(old.init, again.out!, new Uint8Array(32), mallory[65].sign).fin)).toBe(S.PQC_AUTH);
    expect(pair.i.finish(old.hsI, again.out!).status).toBe(S.ERR_HANDLE);
    expect(pair.i.finish(old.sI, again.out!).status).toBe(S.PQC_STATE);
    framesFlow(pair, old, 'replay-cache');
  });

  it('a modified copy gets a RESP, but no FIN the attacker can make completes it', () => {
    const label = 'attacks/modified-init';
    const pair = P.plainPair(label, { test: true });
    const tw = P.twins(label);
    const idI = P.twinIdentity(tw.i, 65); // I's identity secret key, for the control at the end
    expect(eq(idI.pk, pair.idI.pk)).toBe(true);
    const genuine = pair.handshake();

    // (a) The recorded INIT with one bit of tI changed: R cannot tell, and answers.
    const copy = P.flip(genuine.init, 112);
    const a = pair.r.respond(pair.respondReq(copy));
    expect(a.status).toBe(P.respBytes(768, 65));
    const hsA = a.handle!;
    // The genuine initiator will not finish it (its handshakes hold other INITs)...
    const other = pair.init();
    expect(pair.i.finish(other.hsI, a.out!).status).toBe(S.PQC_STATE);
    // ...the recorded FIN belongs to another RESP...
    expect(pair.r.complete(hsA, genuine.fin)).toBe(S.PQC_STATE);
    // ...and a FIN for this RESP needs I's signature and K (the attacker has neither).
    expect(pair.r.complete(hsA, P.makeFin(copy, a.out!, new Uint8Array(32), mallory[65].sign).fin)).toBe(S.PQC_AUTH);
    expect(pair.r.complete(hsA, concat(P.header(P.T_FIN, 768, 65, P.finBytes(65)), P.H(copy, a.out!), genuine.fin.subarray(48)))).toBe(S.PQC_AUTH);

    // (b) The strongest copy: the attacker's own ephemeral key in I's name. It knows K, so
    // HS, confirmR and confirmI are right: only I's signature is missing.
    const kp = P.KEM[768].lib.keygen(new Prng(`${label}/eph`).bytes(64));
    const forged = P.makeInit({ kem: 768, dsa: 65, pkI: pair.idI.pk, pkR: pair.idR.pk, nI: new Prng(`${label}/nI`).bytes(32), tI: TIME, rekey: 2 ** 24, ekE: kp.publicKey });
    const b = pair.r.respond(pair.respondReq(forged));
    expect(b.status).toBe(P.respBytes(768, 65));
    const K = P.KEM[768].lib.decapsulate(P.splitResp(b.out!, 768, 65).ctE, kp.secretKey);
    const sch = P.schedule(forged, b.out!, undefined, K, 768, 65);
    expect(eq(sch.confirmR, P.splitResp(b.out!, 768, 65).confirmR)).toBe(true); // the attacker's HS is R's
    const finM = P.makeFin(forged, b.out!, sch.HS, mallory[65].sign);
    expect(pair.r.complete(b.handle!, finM.fin)).toBe(S.PQC_AUTH);
    expect(pair.r.complete(b.handle!, finM.fin)).toBe(S.PQC_AUTH); // and again: the refusal kept the pending handshake
    // Control: with I's secret key (docs/pqc1.md section 8: identity compromise is out of
    // scope) the very same FIN completes. The signature was the only thing missing.
    const finC = P.makeFin(forged, b.out!, sch.HS, P.signer(65, idI.sk));
    expect(pair.r.complete(b.handle!, finC.fin)).toBeGreaterThan(0);
    // The genuine parties are unaffected.
    framesFlow(pair, genuine, 'modified-init');
    const pr = pair.resp(other.init);
    finishGenuine(pair, { hsI: other.hsI, hsR: pr.hsR, resp: pr.resp });
  });
});

describe('replayed RESP', () => {
  it('to the same handshake after it finished: the handshake handle is dead (ERR_HANDLE), the session takes no RESP (PQC_STATE)', () => {
    const pair = P.plainPair('attacks/replay-resp-same');
    const h = pair.handshake();
    const before = infoBytes(pair.i, h.sI);
    expect(pair.i.finish(h.hsI, h.resp).status).toBe(S.ERR_HANDLE);
    expect(pair.i.finish(h.sI, h.resp).status).toBe(S.PQC_STATE);
    expect(pair.i.x.pqc_last_session()).toBe(h.sI);
    expect(infoBytes(pair.i, h.sI)).toEqual(before);
    framesFlow(pair, h, 'replay-resp-same');
  });

  it('to another pending handshake: PQC_STATE (h1 names another INIT); both still finish with their own', () => {
    const pair = P.plainPair('attacks/replay-resp-other');
    const a1 = pair.pending(), a2 = pair.pending();
    expect(pair.i.finish(a2.hsI, a1.resp).status).toBe(S.PQC_STATE);
    expect(pair.i.finish(a1.hsI, a2.resp).status).toBe(S.PQC_STATE);
    framesFlow(pair, finishGenuine(pair, a1), 'replay-resp-other/1');
    framesFlow(pair, finishGenuine(pair, a2), 'replay-resp-other/2');
  });
});

describe('replayed FIN', () => {
  it('after completion: the handshake handle is dead (ERR_HANDLE), the session takes no FIN (PQC_STATE)', () => {
    const pair = P.plainPair('attacks/replay-fin-same');
    const h = pair.handshake();
    const before = infoBytes(pair.r, h.sR);
    expect(pair.r.complete(h.hsR, h.fin)).toBe(S.ERR_HANDLE);
    expect(pair.r.complete(h.sR, h.fin)).toBe(S.PQC_STATE);
    expect(infoBytes(pair.r, h.sR)).toEqual(before);
    framesFlow(pair, h, 'replay-fin-same');
  });

  it('to another pending handshake: PQC_STATE (h2 names another RESP); both still complete with their own', () => {
    const pair = P.plainPair('attacks/replay-fin-other');
    const a1 = pair.pending(), a2 = pair.pending();
    const f1 = pair.i.finish(a1.hsI, a1.resp), f2 = pair.i.finish(a2.hsI, a2.resp);
    expect(pair.r.complete(a2.hsR, f1.out!)).toBe(S.PQC_STATE);
    expect(pair.r.complete(a1.hsR, f2.out!)).toBe(S.PQC_STATE);
    const s1 = pair.r.complete(a1.hsR, f1.out!), s2 = pair.r.complete(a2.hsR, f2.out!);
    expect(s1).toBeGreaterThan(0);
    expect(s2).toBeGreaterThan(0);
    framesFlow(pair, { sI: f1.session!, sR: s1 }, 'replay-fin-other/1');
    framesFlow(pair, { sI: f2.session!, sR: s2 }, 'replay-fin-other/2');
  });
});

describe('reflection', () => {
  it('INIT back to its sender, RESP to pqc_respond, FIN to pqc_finish, a handle of the other role: PQC_STATE; the handshake then completes', () => {
    const pair = P.plainPair('attacks/reflection');
    const p = pair.pending();
    const lastI = pair.i.x.pqc_last_session(), lastR = pair.r.x.pqc_last_session();
    // INIT reflected to I's own pending handshake, as a RESP or as a FIN.
    expect(pair.i.finish(p.hsI, p.init).status).toBe(S.PQC_STATE);
    expect(pair.i.complete(p.hsI, p.init)).toBe(S.PQC_STATE);
    // INIT reflected to I as responder (I's identity): it names R, not I.
    expect(pair.i.respond(pair.respondReq(p.init, { identity: pair.idI.handle })).status).toBe(S.PQC_AUTH);
    // RESP reflected to R: as an INIT, or as R's FIN.
    expect(pair.r.respond(pair.respondReq(p.resp)).status).toBe(S.PQC_STATE);
    expect(pair.r.complete(p.hsR, p.resp)).toBe(S.PQC_STATE);
    // A handle of the other role: R's pending handshake takes no RESP, I's no FIN.
    expect(pair.r.finish(p.hsR, p.resp).status).toBe(S.PQC_STATE);
    const f = pair.i.finish(p.hsI, p.resp);
    expect(f.status).toBe(P.finBytes(65));
    const fin = f.out!;
    // FIN reflected to I: to another pending initiator handshake, to I's session, to I's pqc_respond.
    const other = pair.init();
    expect(pair.i.finish(other.hsI, fin).status).toBe(S.PQC_STATE);
    expect(pair.i.finish(f.session!, fin).status).toBe(S.PQC_STATE);
    expect(pair.i.respond(pair.respondReq(fin, { identity: pair.idI.handle, pkI: pair.idR.pk })).status).toBe(S.PQC_STATE);
    expect(pair.r.respond(pair.respondReq(fin)).status).toBe(S.PQC_STATE);
    expect(pair.r.x.pqc_last_session()).toBe(lastR);
    expect(pair.i.x.pqc_last_session()).not.toBe(lastI); // pqc_finish succeeded once
    const sR = pair.r.complete(p.hsR, fin);
    expect(sR).toBeGreaterThan(0);
    framesFlow(pair, { sI: f.session!, sR }, 'reflection');
  });
});

describe('impersonation', () => {
  it('a RESP signed by another identity key (with the right K, HS and confirmR): PQC_AUTH; the genuine RESP then finishes', () => {
    const pair = P.plainPair('attacks/imp-resp');
    const p = pair.pending();
    const { ctE, K } = encapsTo(p.init, 768, 'imp-resp');
    const forged = P.makeResp(p.init, { ctE, K, nR: new Uint8Array(32).fill(1), tR: TIME, sign: mallory[65].sign });
    const sigR = P.splitResp(forged.resp, 768, 65).sigR;
    expect(P.DSA[65].lib.verify(sigR, forged.TH2, mallory[65].pk, { context: P.CTX_RESPONDER })).toBe(true); // a valid signature, by the wrong key
    expect(pair.i.finish(p.hsI, forged.resp).status).toBe(S.PQC_AUTH);
    expect(pair.i.finish(p.hsI, forged.resp).status).toBe(S.PQC_AUTH);
    // R's enclave will not answer with another key of its own either: the INIT names R's pinned key.
    const other = pair.r.identity(65);
    const again = pair.init();
    expect(pair.r.respond(pair.respondReq(again.init, { identity: other.handle })).status).toBe(S.PQC_AUTH);
    framesFlow(pair, finishGenuine(pair, p), 'imp-resp');
  });

  it('a FIN signed by another identity key: PQC_AUTH, whether the attacker holds K (its own INIT) or not (a genuine handshake)', () => {
    const pair = P.plainPair('attacks/imp-fin');
    // Mallory starts a handshake in I's name with her own ephemeral key: she knows K and HS.
    const kp = P.KEM[768].lib.keygen(new Prng('attacks/imp-fin/eph').bytes(64));
    const init = P.makeInit({ kem: 768, dsa: 65, pkI: pair.idI.pk, pkR: pair.idR.pk, nI: new Uint8Array(32).fill(7), tI: TIME, rekey: 2 ** 24, ekE: kp.publicKey });
    const b = pair.r.respond(pair.respondReq(init));
    expect(b.status).toBeGreaterThan(0);
    const K = P.KEM[768].lib.decapsulate(P.splitResp(b.out!, 768, 65).ctE, kp.secretKey);
    const sch = P.schedule(init, b.out!, undefined, K, 768, 65);
    const fin = P.makeFin(init, b.out!, sch.HS, mallory[65].sign);
    expect(P.DSA[65].lib.verify(fin.fin.subarray(48, 48 + 3309), fin.TH3, mallory[65].pk, { context: P.CTX_INITIATOR })).toBe(true);
    const lastR = pair.r.x.pqc_last_session();
    expect(pair.r.complete(b.handle!, fin.fin)).toBe(S.PQC_AUTH);
    expect(pair.r.x.pqc_last_session()).toBe(lastR);
    // In a genuine handshake, Mallory replaces I's signature with hers (over the right TH3).
    const p = pair.pending();
    const f = pair.i.finish(p.hsI, p.resp);
    const head = f.out!.subarray(0, 48);
    const sigM = mallory[65].sign(P.H(p.init, p.resp, head), P.CTX_INITIATOR);
    expect(pair.r.complete(p.hsR, concat(head, sigM, f.out!.subarray(48 + 3309)))).toBe(S.PQC_AUTH);
    const sR = pair.r.complete(p.hsR, f.out!);
    expect(sR).toBeGreaterThan(0);
    framesFlow(pair, { sI: f.session!, sR }, 'imp-fin');
  });

  it('an INIT naming another responder, or from an initiator key R does not hold: PQC_AUTH, nothing kept', () => {
    const pair = P.plainPair('attacks/imp-init');
    const r2 = pair.r.identity(65); // R's second handshake key: not the one I pinned for this R
    const a = pair.init({ pkR: r2.pk });
    expect(pair.r.respond(pair.respondReq(a.init)).status).toBe(S.PQC_AUTH);
    const b = pair.init();
    const last = pair.r.x.pqc_last_session();
    expect(pair.r.respond(pair.respondReq(b.init, { pkI: mallory[65].pk })).status).toBe(S.PQC_AUTH);
    expect(pair.r.respond(pair.respondReq(P.flip(b.init, 16))).status).toBe(S.PQC_AUTH); // idI changed
    expect(pair.r.respond(pair.respondReq(P.flip(b.init, 48))).status).toBe(S.PQC_AUTH); // idR changed
    expect(pair.r.x.pqc_last_session()).toBe(last);
    // Nothing was kept (not even in the replay cache): the genuine INIT is answered.
    const rb = pair.resp(b.init);
    framesFlow(pair, finishGenuine(pair, { hsI: b.hsI, ...rb }), 'imp-init');
  });

  it('the identity-digest cache (id, tr per key): a key one byte away from a cached one is another key; an evicted entry is recomputed', () => {
    const pair = P.plainPair('attacks/imp-cache');
    const p = pair.pending(); // R's cache now holds its own key and pkI
    // A key equal to pkI but for its last byte: H differs, so the genuine INIT's idI does not match it.
    const near = pair.idI.pk.slice();
    near[near.length - 1]! ^= 1;
    const b = pair.init();
    expect(pair.r.respond(pair.respondReq(b.init, { pkI: near })).status, 'pkI one byte off').toBe(S.PQC_AUTH);
    // Ten other keys pass through R's 8-entry cache (each refused: idI names pkI), pushing pkI out.
    for (let j = 0; j < 10; j++) {
      expect(pair.r.respond(pair.respondReq(b.init, { pkI: P.refIdentity(65, `imp-cache/${j}`).pk })).status).toBe(S.PQC_AUTH);
    }
    // tr(pkI) is recomputed for sigI: the genuine FIN completes, Mallory's does not.
    const f = pair.i.finish(p.hsI, p.resp);
    expect(f.status).toBe(P.finBytes(65));
    const head = f.out!.subarray(0, 48);
    const sigM = mallory[65].sign(P.H(p.init, p.resp, head), P.CTX_INITIATOR);
    expect(pair.r.complete(p.hsR, concat(head, sigM, f.out!.subarray(48 + 3309)))).toBe(S.PQC_AUTH);
    const sR = pair.r.complete(p.hsR, f.out!);
    expect(sR).toBeGreaterThan(0);
    framesFlow(pair, { sI: f.session!, sR }, 'imp-cache');
    // And the genuine INIT is still answered with the right key.
    framesFlow(pair, finishGenuine(pair, { hsI: b.hsI, ...pair.resp(b.init) }), 'imp-cache-2');
  });

  it('a RESP with a valid signature but a ciphertext from another handshake: key confirmation fails (PQC_AUTH); the right one then finishes', () => {
    // The test plays R itself (I pinned its key), so that it can sign anything: the
    // signature is valid and only confirmR can catch the swapped ciphertext.
    const pair = P.plainPair('attacks/imp-swap');
    const rj = P.refIdentity(65, 'attacks/imp-swap/responder');
    const a1 = pair.init({ pkR: rj.pk }), a2 = pair.init({ pkR: rj.pk });
    const e2 = encapsTo(a2.init, 768, 'swap/2');
    const swapped = P.makeResp(a1.init, { ctE: e2.ctE, K: e2.K, nR: new Uint8Array(32).fill(2), tR: TIME, sign: rj.sign });
    const sigR = P.splitResp(swapped.resp, 768, 65).sigR;
    expect(P.DSA[65].lib.verify(sigR, swapped.TH2, rj.pk, { context: P.CTX_RESPONDER })).toBe(true);
    expect(pair.i.finish(a1.hsI, swapped.resp).status).toBe(S.PQC_AUTH);
    // The ciphertext in the RESP of the other handshake, re-signed: the same.
    const e1 = encapsTo(a1.init, 768, 'swap/1');
    const resp2 = P.makeResp(a2.init, { ctE: e2.ctE, K: e2.K, nR: new Uint8Array(32).fill(3), tR: TIME, sign: rj.sign });
    expect(pair.i.finish(a1.hsI, resp2.resp).status).toBe(S.PQC_STATE); // and the other RESP whole: h1
    // The honest RESP for a1 (same construction, its own ciphertext) finishes, and the FIN checks out under I's key.
    const honest = P.makeResp(a1.init, { ctE: e1.ctE, K: e1.K, nR: new Uint8Array(32).fill(2), tR: TIME, sign: rj.sign });
    const f = pair.i.finish(a1.hsI, honest.resp);
    expect(f.status).toBe(P.finBytes(65));
    const fin = f.out!;
    const TH3 = P.H(a1.init, honest.resp, fin.subarray(0, 48));
    expect(P.DSA[65].lib.verify(fin.subarray(48, 48 + 3309), TH3, pair.idI.pk, { context: P.CTX_INITIATOR })).toBe(true);
    const sch = P.schedule(a1.init, honest.resp, fin, e1.K, 768, 65);
    expect(eq(sch.confirmI, fin.subarray(48 + 3309))).toBe(true);
    // a2 still finishes with its own RESP.
    expect(pair.i.finish(a2.hsI, resp2.resp).status).toBe(P.finBytes(65));
  });
});

// ---- Frames ------------------------------------------------------------------

/** A session pair and `n` frames sealed by I (not yet delivered). */
function framesSetup(label: string, n: number, cfg: P.PairConfig = {}) {
  const pair = P.plainPair(label, cfg);
  const h = pair.handshake();
  const prng = new Prng(`attacks/frames/${label}`);
  const plain: Uint8Array[] = [], frames: Uint8Array[] = [];
  for (let c = 0; c < n; c++) {
    const d = prng.bytes(1 + prng.int(60));
    const s = pair.i.seal(h.sI, d);
    expect(s.status).toBe(d.length + 24);
    expect(P.rd64(s.out!, 0)).toBe(BigInt(c));
    plain.push(d);
    frames.push(s.out!);
  }
  const open = (c: number) => pair.r.open(h.sR, frames[c]!);
  const accept = (c: number) => {
    const o = open(c);
    expect(o.status, `frame ${c}`).toBe(plain[c]!.length);
    expect(eq(o.out, plain[c])).toBe(true);
  };
  return { pair, h, plain, frames, open, accept };
}

describe('frames', () => {
  it('a replayed frame: FRAME_REPLAY, the session unchanged; the next genuine frame opens', () => {
    const t = framesSetup('replay', 4);
    t.accept(0);
    t.accept(1);
    const before = infoBytes(t.pair.r, t.h.sR);
    for (const c of [0, 1, 1, 0]) {
      expect(t.open(c).status).toBe(S.FRAME_REPLAY);
      expect(t.pair.r.e.get(P.OUT, 64)).toEqual(new Uint8Array(64)); // no plaintext released
    }
    expect(infoBytes(t.pair.r, t.h.sR)).toEqual(before);
    t.accept(2);
    t.accept(3);
  });

  it('frames reordered within the window are accepted once each, in any order', () => {
    const t = framesSetup('reorder', 400);
    // 0..191 backwards: every one within 191 of the top.
    for (let c = 191; c >= 0; c--) t.accept(c);
    for (let c = 0; c < 192; c++) expect(t.open(c).status).toBe(S.FRAME_REPLAY);
    // 192..399 shuffled in blocks of 100 (each block spans < 192 counters).
    const prng = new Prng('attacks/reorder/shuffle');
    for (let base = 192; base < 400; base += 100) {
      const block = Array.from({ length: Math.min(100, 400 - base) }, (_, k) => base + k);
      for (let k = block.length - 1; k > 0; k--) { const j = prng.int(k + 1); [block[k], block[j]] = [block[j]!, block[k]!]; }
      for (const c of block) t.accept(c);
      for (const c of block) expect(t.open(c).status).toBe(S.FRAME_REPLAY);
    }
    expect(t.pair.r.info(t.h.sR).info!.top).toBe(399n);
  });

  it('a frame 192 or more behind the top: FRAME_OLD; 191 behind is still accepted once; the next genuine frame opens', () => {
    const t = framesSetup('old', 203);
    t.accept(200);
    const before = infoBytes(t.pair.r, t.h.sR);
    for (const c of [8, 7, 0]) expect(t.open(c).status, `frame ${c}`).toBe(S.FRAME_OLD);
    expect(infoBytes(t.pair.r, t.h.sR)).toEqual(before);
    t.accept(9); // 191 behind
    expect(t.open(9).status).toBe(S.FRAME_REPLAY);
    t.accept(201);
    expect(t.open(9).status).toBe(S.FRAME_OLD); // now 192 behind
    t.accept(10);
    t.accept(202);
  });

  it('frames of the previous key epoch still open inside the window (reordered across a rekey); two epochs back is FRAME_OLD; the session unchanged by refusals', () => {
    const t = framesSetup('old-epoch', 8, { rekey: 2 });
    t.accept(0);
    t.accept(5); // epoch 2: the receiver ratchets two steps and keeps epoch 1's key
    expect(t.pair.r.info(t.h.sR).info!.receiveEpoch).toBe(2n);
    const before = infoBytes(t.pair.r, t.h.sR);
    expect(t.open(1).status).toBe(S.FRAME_OLD); // epoch 0, two behind, inside the window
    expect(infoBytes(t.pair.r, t.h.sR)).toEqual(before);
    t.accept(3); // epoch 1: the previous epoch
    t.accept(2);
    expect(t.open(3).status).toBe(S.FRAME_REPLAY);
    t.accept(4);
    t.accept(7); // epoch 3: epoch 2's key becomes the previous one, epoch 1's is gone
    t.accept(6);
    expect(t.open(1).status).toBe(S.FRAME_OLD);
    expect(t.pair.r.info(t.h.sR).info!.receiveEpoch).toBe(3n);
  });

  it('a frame more than 64 key epochs ahead: FRAME_AHEAD; exactly 64 ahead is accepted; the skipped frames of the previous epoch then open', () => {
    const t = framesSetup('ahead', 132, { rekey: 2 });
    const before = infoBytes(t.pair.r, t.h.sR);
    expect(t.open(130).status).toBe(S.FRAME_AHEAD); // epoch 65, receiver at 0
    expect(t.open(131).status).toBe(S.FRAME_AHEAD);
    expect(infoBytes(t.pair.r, t.h.sR)).toEqual(before);
    t.accept(128); // epoch 64: the most the receiver ratchets in one frame
    expect(t.pair.r.info(t.h.sR).info!.receiveEpoch).toBe(64n);
    t.accept(130);
    t.accept(131);
    t.accept(129); // epoch 64, now the previous epoch
    for (const c of [0, 7, 127]) expect(t.open(c).status, `frame ${c}`).toBe(S.FRAME_OLD);
  });

  it('a bit flip anywhere in a frame, or a truncation: refused (ERR_AUTH unless the counter itself moved), the session unchanged; the genuine frame then opens', () => {
    const rekey = 1024;
    const t = framesSetup('flip', 6, { rekey });
    for (const c of [0, 1, 2]) t.accept(c);
    const target = t.frames[3]!;
    const accepted = new Set([0n, 1n, 2n]);
    const top = 2n, er = 0n;
    /** docs/pqc1.md section 6, receiving, steps 2-3: the status for a frame whose counter is c. */
    const want = (c: bigint) => {
      if (accepted.has(c)) return S.FRAME_REPLAY;
      if (c <= top && top - c >= 192n) return S.FRAME_OLD;
      const e = c / BigInt(rekey);
      if (e < er) return S.FRAME_OLD;
      if (e > er + 64n) return S.FRAME_AHEAD;
      return S.ERR_AUTH;
    };
    const before = infoBytes(t.pair.r, t.h.sR);
    const seen = new Map<number, number>();
    for (let at = 0; at < target.length; at++) {
      for (let bit = 0; bit < 8; bit++) {
        const bad = P.flip(target, at, bit);
        const r = t.pair.r.open(t.h.sR, bad).status;
        if (r < 0 && t.pair.r.e.get(P.OUT, 64).some((v) => v !== 0)) throw new Error(`byte ${at} bit ${bit}: plaintext released`);
        const expected = at < 8 ? want(P.rd64(bad, 0)) : S.ERR_AUTH;
        expect(r, `byte ${at} bit ${bit}`).toBe(expected);
        seen.set(r, (seen.get(r) ?? 0) + 1);
      }
    }
    for (let len = 0; len < target.length; len++) {
      const r = t.pair.r.open(t.h.sR, target.subarray(0, len)).status;
      expect(r, `truncated to ${len}`).toBe(len < 24 ? S.PQC_INVALID : S.ERR_AUTH);
    }
    expect(t.pair.r.open(t.h.sR, concat(target, new Uint8Array(1))).status).toBe(S.ERR_AUTH);
    expect(infoBytes(t.pair.r, t.h.sR)).toEqual(before);
    expect([...seen.keys()].sort()).toEqual([S.FRAME_AHEAD, S.FRAME_REPLAY, S.ERR_AUTH].sort());
    t.accept(3);
    t.accept(4);
    t.accept(5);
  });
});

describe('direction and nonces', () => {
  it('a frame sealed by one side given back to its own pqc_open is refused: it is in the other direction\'s key', () => {
    const pair = P.plainPair('attacks/direction');
    const h = pair.handshake();
    const f = pair.i.seal(h.sI, enc('to the responder'));
    const g = pair.r.seal(h.sR, enc('to the initiator'));
    const bi = infoBytes(pair.i, h.sI), br = infoBytes(pair.r, h.sR);
    expect(pair.i.open(h.sI, f.out!).status).toBe(S.ERR_AUTH);
    expect(pair.r.open(h.sR, g.out!).status).toBe(S.ERR_AUTH);
    expect(infoBytes(pair.i, h.sI)).toEqual(bi);
    expect(infoBytes(pair.r, h.sR)).toEqual(br);
    expect(pair.r.open(h.sR, f.out!).status).toBe(16);
    expect(pair.i.open(h.sI, g.out!).status).toBe(16);
    framesFlow(pair, h, 'direction');
  });

  it('the host cannot pass a nonce or a direction: pqc_seal and pqc_open take (session, src, len, out, outLen) and nothing else', () => {
    const e = P.plainEnclave('attacks/abi');
    // A WebAssembly export's length is its parameter count (WebAssembly JS API).
    expect(e.exports.pqc_seal.length).toBe(5);
    expect(e.exports.pqc_open.length).toBe(5);
    // And no other export touches a session's keys: the PQC1 v1 ones are gone.
    for (const gone of ['gcm_init_session', 'vault_kem_encaps', 'vault_kem_decaps', 'pqc_accept']) expect(gone in e.exports, gone).toBe(false);
  });

  it('sealing the same plaintext twice: two counters, two ciphertexts (no nonce reuse from the host)', () => {
    const pair = P.plainPair('attacks/nonce');
    const h = pair.handshake();
    const m = enc('the same plaintext');
    const a = pair.i.seal(h.sI, m), b = pair.i.seal(h.sI, m);
    expect(P.rd64(a.out!, 0)).toBe(0n);
    expect(P.rd64(b.out!, 0)).toBe(1n);
    expect(eq(a.out!.subarray(8), b.out!.subarray(8))).toBe(false);
    expect(eq(a.out!.subarray(8, 8 + m.length), b.out!.subarray(8, 8 + m.length))).toBe(false);
    expect(eq(pair.r.open(h.sR, a.out!).out, m)).toBe(true);
    expect(eq(pair.r.open(h.sR, b.out!).out, m)).toBe(true);
    // The other direction has its own key and IV: R's first frame of the same plaintext differs too.
    const c = pair.r.seal(h.sR, m);
    expect(P.rd64(c.out!, 0)).toBe(0n);
    expect(eq(c.out!, a.out!)).toBe(false);
  });

  it('a session at its frame limit refuses to seal (SESSION_LIMIT) and its counter stays; the other direction goes on', () => {
    const pair = P.plainPair('attacks/limit', { frameLimitI: 3n });
    const h = pair.handshake();
    for (let k = 0; k < 3; k++) expect(pair.send(h, 'i', enc(`frame ${k}`)).opened).toBe(7);
    const before = infoBytes(pair.i, h.sI);
    for (let k = 0; k < 3; k++) {
      const s = pair.i.seal(h.sI, enc('one too many'));
      expect(s.status).toBe(S.SESSION_LIMIT);
      expect(pair.i.e.get(P.OUT, 64)).toEqual(new Uint8Array(64));
    }
    expect(infoBytes(pair.i, h.sI)).toEqual(before);
    expect(pair.i.info(h.sI).info!.sent).toBe(3n);
    for (let k = 0; k < 10; k++) expect(pair.send(h, 'r', enc(`back ${k}`)).opened).toBe(6);
    // R's own limit is its own (frameLimitR) and applies the same way.
    const other = P.plainPair('attacks/limit-r', { frameLimitR: 2n });
    const h2 = other.handshake();
    for (let k = 0; k < 2; k++) expect(other.send(h2, 'r', enc('r')).opened).toBe(1);
    expect(other.r.seal(h2.sR, enc('r')).status).toBe(S.SESSION_LIMIT);
    expect(other.send(h2, 'i', enc('i')).opened).toBe(1);
    // The largest limit is 2^63; above it the request is refused.
    expect(other.r.respond(other.respondReq(other.init().init, { frameLimit: 2n ** 63n + 1n })).status).toBe(S.PQC_INVALID);
    expect(pair.i.start(pair.startReq({ frameLimit: 2n ** 63n + 1n })).status).toBe(S.PQC_INVALID);
    expect(pair.i.start(pair.startReq({ frameLimit: 2n ** 63n })).status).toBe(P.initBytes(768));
  });

  it('frames before key confirmation: neither pending handshake seals or opens (PQC_STATE); I\'s early frame opens once R completed', () => {
    const pair = P.plainPair('attacks/early');
    const p = pair.pending();
    expect(pair.r.seal(p.hsR, enc('x')).status).toBe(S.PQC_STATE);
    expect(pair.i.seal(p.hsI, enc('x')).status).toBe(S.PQC_STATE);
    const f = pair.i.finish(p.hsI, p.resp);
    const early = pair.i.seal(f.session!, enc('early'));
    expect(early.status).toBe(29);
    expect(pair.r.open(p.hsR, early.out!).status).toBe(S.PQC_STATE);
    expect(pair.r.info(p.hsR).status).toBe(S.PQC_STATE);
    const sR = pair.r.complete(p.hsR, f.out!);
    expect(eq(pair.r.open(sR, early.out!).out, enc('early'))).toBe(true);
  });
});

describe('rekey', () => {
  it('with rekey = 2, frames 0..9 each way open and both sides\' epochs advance (floor(c / 2))', () => {
    const pair = P.plainPair('attacks/rekey', { rekey: 2 });
    const h = pair.handshake();
    for (let c = 0; c < 10; c++) {
      for (const from of ['i', 'r'] as const) {
        const m = enc(`frame ${c} from ${from}`);
        const r = pair.send(h, from, m);
        expect(r.opened).toBe(m.length);
        expect(P.rd64(r.frame!, 0)).toBe(BigInt(c));
        const [s, rx] = from === 'i' ? [pair.i.info(h.sI).info!, pair.r.info(h.sR).info!] : [pair.r.info(h.sR).info!, pair.i.info(h.sI).info!];
        expect(s.sent).toBe(BigInt(c + 1));
        expect(s.sendEpoch).toBe(BigInt(c >> 1));
        expect(rx.top).toBe(BigInt(c));
        expect(rx.receiveEpoch).toBe(BigInt(c >> 1));
        expect(s.rekey).toBe(2);
      }
    }
  });
});

// ---- Forward secrecy ----------------------------------------------------------

/**
 * A handshake and frames with every secret recomputed from twins of the two
 * DRBGs; the I/O windows are recorded after every call and the whole memory
 * is scanned at each step. `pair` must have been made with `label`'s seeds;
 * `skip` counts the 32-byte draws each side made before its identity key.
 */
function forwardSecrecy(pair: P.Pair, label: string, skip: number): void {
  const memoryOf = (p: P.Party) => P.ownMemory(p.e);
  const kem = pair.kem, dsa = pair.dsa;
  const tw = P.twins(label);
  for (let k = 0; k < skip; k++) { tw.i.next(32); tw.r.next(32); }
  const idI = P.twinIdentity(tw.i, dsa), idR = P.twinIdentity(tw.r, dsa);
  expect(eq(idI.pk, pair.idI.pk) && eq(idR.pk, pair.idR.pk), 'the twins reveal both identity keys').toBe(true);
  const windows: { who: string; what: string; w: Uint8Array }[] = [];
  for (const p of [pair.i, pair.r]) p.afterCall = (q, what) => windows.push({ who: q.name, what, w: q.window() });
  const has = (p: P.Party, s: Uint8Array) => P.contains(memoryOf(p), s);

  // INIT: nI then d || z from I's DRBG; dkE lives in I's pending handshake only.
  const { init, hsI } = pair.init();
  expect(eq(tw.i.next(32), init.subarray(80, 112))).toBe(true);
  const dz = tw.i.next(64);
  const eph = P.KEM[kem].lib.keygen(dz);
  expect(eq(eph.publicKey, init.subarray(124))).toBe(true);
  const dkParts = P.kemSecretParts(eph.secretKey);
  expect(dkParts.every((s) => has(pair.i, s)), 'dkE is in I\'s vault while the handshake is pending').toBe(true);
  expect(has(pair.i, dz.subarray(0, 32)), 'd wiped (z is kept: it is the end of dkE)').toBe(false);

  // RESP: nR, m, rnd from R's DRBG; K = Encaps(ekE, m) is wiped at once, HS kept until FIN.
  const { resp, hsR } = pair.resp(init);
  expect(eq(tw.r.next(32), resp.subarray(48, 80))).toBe(true);
  const m = tw.r.next(32);
  tw.r.next(32); // sigR's rnd
  const enc2 = P.KEM[kem].lib.encapsulate(eph.publicKey, m);
  expect(eq(enc2.cipherText, P.splitResp(resp, kem, dsa).ctE)).toBe(true);
  const K = enc2.sharedSecret;
  const s2 = P.schedule(init, resp, undefined, K, kem, dsa);
  expect(eq(s2.confirmR, P.splitResp(resp, kem, dsa).confirmR), 'HS and confirmR recomputed from docs/pqc1.md').toBe(true);
  expect(has(pair.r, K), 'K wiped at R after pqc_respond').toBe(false);
  expect(has(pair.r, m), 'm wiped at R').toBe(false);
  expect(has(pair.r, s2.HS), 'HS kept in R\'s pending handshake').toBe(true);

  // FIN: I decapsulates, derives, wipes dkE, K, HS, MS.
  const f = pair.i.finish(hsI, resp);
  expect(f.status).toBe(P.finBytes(dsa));
  tw.i.next(32);
  const sch = P.schedule(init, resp, f.out!, K, kem, dsa);
  expect(pair.i.info(f.session!).info!.id).toEqual(sch.TH);
  for (const s of dkParts) expect(has(pair.i, s), 'dkE wiped at I after pqc_finish').toBe(false);
  for (const [name, s] of [['K', K], ['HS', sch.HS], ['MS', sch.MS]] as const) expect(has(pair.i, s), `${name} wiped at I after pqc_finish`).toBe(false);
  expect(has(pair.i, sch.i2rKey) && has(pair.i, sch.r2iKey), 'the traffic keys are in I\'s session').toBe(true);

  const sR = pair.r.complete(hsR, f.out!);
  expect(sR).toBeGreaterThan(0);
  for (const [name, s] of [['K', K], ['HS', sch.HS], ['MS', sch.MS]] as const) expect(has(pair.r, s), `${name} wiped at R after pqc_complete`).toBe(false);
  expect(has(pair.r, sch.i2rKey) && has(pair.r, sch.r2iKey), 'the traffic keys are in R\'s session').toBe(true);

  // Frames across rekeys (rekey = 2): the reference opens them with keys from the schedule;
  // every key older than the previous epoch is gone from both sides, and the previous epoch's
  // key only the receiver keeps (for frames reordered across the rekey, docs/pqc1.md section 6).
  const h = { sI: f.session!, sR } as P.Handshake;
  const old: Uint8Array[] = [];
  for (let c = 0; c < 6; c++) {
    for (const from of ['i', 'r'] as const) {
      const msg = enc(`frame ${c} ${from}`);
      const r = pair.send(h, from, msg);
      expect(r.opened).toBe(msg.length);
      const [k0, iv] = from === 'i' ? [sch.i2rKey, sch.i2rIv] : [sch.r2iKey, sch.r2iIv];
      expect(eq(P.refOpen(k0, iv, 2, r.frame!), msg), `the reference opens frame ${c} from ${from}`).toBe(true);
      const e = BigInt(c >> 1);
      for (let past = 0n; past + 1n < e; past++) old.push(P.epochKey(k0, past));
      for (const k of old) expect(has(pair.i, k) || has(pair.r, k), `a key older than the previous epoch (frame ${c} from ${from})`).toBe(false);
      if (e > 0n) expect(has(from === 'i' ? pair.i : pair.r, P.epochKey(k0, e - 1n)), `the sender keeps no previous key (frame ${c} from ${from})`).toBe(false);
      expect(has(pair.i, P.epochKey(k0, e)) && has(pair.r, P.epochKey(k0, e)), 'the current epoch key is kept').toBe(true);
    }
  }
  const current = [P.epochKey(sch.i2rKey, 2n), P.epochKey(sch.r2iKey, 2n), P.epochKey(sch.i2rKey, 1n), P.epochKey(sch.r2iKey, 1n)];
  expect(pair.i.free(h.sI)).toBe(0);
  expect(pair.r.free(h.sR)).toBe(0);
  for (const k of [...current, sch.i2rKey, sch.r2iKey, sch.MS, sch.HS, K, ...dkParts]) {
    expect(has(pair.i, k) || has(pair.r, k), 'after vault_free, no traffic key, HS, MS, K or dkE anywhere in memory').toBe(false);
    expect(P.contains(P.physicalMemory(pair.i.e), k) || P.contains(P.physicalMemory(pair.r.e), k)).toBe(false);
  }
  // The identity keys are still in the vaults (a control for the scan), and gone once freed.
  for (const [p, id, hd] of [[pair.i, idI, pair.idI.handle], [pair.r, idR, pair.idR.handle]] as const) {
    const parts = P.dsaSecretParts(id.sk);
    expect(parts.every((s) => has(p, s))).toBe(true);
    expect(p.free(hd)).toBe(0);
    for (const s of parts) expect(has(p, s)).toBe(false);
  }
  for (const p of [pair.i, pair.r]) p.afterCall = undefined;

  // No secret ever crossed the I/O windows.
  const secrets: [string, Uint8Array][] = [
    ['d||z', dz.subarray(0, 32)], ['z', dz.subarray(32)], ['dkE', dkParts[0]!], ['dkE z', dkParts[1]!], ['m', m], ['K', K], ['HS', sch.HS], ['MS', sch.MS],
    ['k_i2r', sch.i2rKey], ['k_r2i', sch.r2iKey], ...old.map((k, j) => [`old key ${j}`, k] as [string, Uint8Array]), ...current.map((k) => ['key', k] as [string, Uint8Array]),
    ['skI', P.dsaSecretParts(idI.sk)[0]!], ['skI s1', P.dsaSecretParts(idI.sk)[1]!], ['skR', P.dsaSecretParts(idR.sk)[0]!], ['skR s1', P.dsaSecretParts(idR.sk)[1]!],
  ];
  expect(windows.length).toBeGreaterThan(20);
  for (const { who, what, w } of windows) {
    for (const [name, s] of secrets) expect(indexOfBytes(w, s), `${name} in ${who}'s I/O window after ${what}`).toBe(-1);
  }
}

describe('forward secrecy', () => {
  it('dkE and K are wiped at each step, HS/MS once the traffic keys exist, old epoch keys at each rekey, the session keys on vault_free; no secret in any I/O window (plain enclaves)', () => {
    const label = 'attacks/fs-plain';
    forwardSecrecy(P.plainPair(label, { test: true, rekey: 2 }), label, 0);
  });

  it('the same on the host\'s TenantPair: two WAVEN tenants, the whole physical memory scanned', () => {
    const label = 'attacks/fs-tenants';
    const { pair } = P.tenantPair(label, { rekey: 2 });
    forwardSecrecy(pair, label, 1 /* TenantPair.makeKeys() drew first */);
  });
});

// ---- Cross-protocol ---------------------------------------------------------------

describe('cross-protocol signatures', () => {
  it('usage flags: a handshake key refuses vault_dsa_sign and vault_attest_sign, an attest or general key refuses to be a PQC1 identity, a general key refuses vault_attest_sign (ERR_USAGE)', () => {
    const pair = P.plainPair('attacks/usage');
    const x = pair.i.x, io = pair.i.e.io;
    const attest = pair.i.identity(65, P.U_ATTEST), general = pair.i.identity(65, P.U_GENERAL);
    pair.i.e.put(0, new Uint8Array(64).fill(5));
    expect(x.vault_dsa_sign(pair.idI.handle, io, io + 64)).toBe(S.ERR_USAGE);
    expect(S.ERR_USAGE).toBe(-21);
    expect(x.vault_attest_sign(pair.idI.handle, io, 32, io + 64)).toBe(S.ERR_USAGE);
    expect(x.vault_attest_sign(general.handle, io, 32, io + 64)).toBe(S.ERR_USAGE);
    expect(x.vault_dsa_sign(attest.handle, io, io + 64)).toBe(S.ERR_USAGE);
    expect(pair.i.start(pair.startReq({ identity: attest.handle })).status).toBe(S.ERR_USAGE);
    expect(pair.i.start(pair.startReq({ identity: general.handle })).status).toBe(S.ERR_USAGE);
    const a = pair.init();
    expect(pair.r.respond(pair.respondReq(a.init, { identity: pair.r.identity(65, P.U_ATTEST).handle })).status).toBe(S.ERR_USAGE);
    expect(pair.r.respond(pair.respondReq(a.init, { identity: pair.r.identity(65, P.U_GENERAL).handle })).status).toBe(S.ERR_USAGE);
    // Each key does its own job.
    expect(x.vault_attest_sign(attest.handle, io, 32, io + 64)).toBe(0);
    expect(x.vault_dsa_sign(general.handle, io, io + 64)).toBe(0);
    framesFlow(pair, finishGenuine(pair, { hsI: a.hsI, ...pair.resp(a.init) }), 'usage');
  });

  it('a handshake signature does not verify under the attestation context or none; an attestation signature is no sigR', () => {
    const label = 'attacks/contexts';
    const pair = P.plainPair(label, { test: true });
    const h = pair.handshake();
    const r = P.splitResp(h.resp, 768, 65);
    const TH2 = P.H(h.init, r.signed);
    const v = (sig: Uint8Array, msg: Uint8Array, pk: Uint8Array, ctx: Uint8Array) => P.DSA[65].lib.verify(sig, msg, pk, { context: ctx });
    expect(v(r.sigR, TH2, pair.idR.pk, P.CTX_RESPONDER)).toBe(true);
    for (const ctx of [P.CTX_ATTEST, new Uint8Array(0), P.CTX_INITIATOR]) expect(v(r.sigR, TH2, pair.idR.pk, ctx)).toBe(false);
    const sigI = h.fin.subarray(48, 48 + 3309);
    const TH3 = P.H(h.init, h.resp, h.fin.subarray(0, 48));
    expect(v(sigI, TH3, pair.idI.pk, P.CTX_INITIATOR)).toBe(true);
    for (const ctx of [P.CTX_ATTEST, new Uint8Array(0), P.CTX_RESPONDER]) expect(v(sigI, TH3, pair.idI.pk, ctx)).toBe(false);

    // The attestation oracle as a would-be responder: I pinned an attestation key as R's
    // identity, and the attacker has it sign TH2 of a RESP it built (K, HS, confirmR right).
    const att = pair.r.identity(65, P.U_ATTEST);
    const a = pair.init({ pkR: att.pk });
    const { ctE, K } = encapsTo(a.init, 768, 'contexts');
    const oracle = (msg: Uint8Array, ctx: Uint8Array) => {
      expect(eq(ctx, P.CTX_RESPONDER)).toBe(true);
      const e = pair.r.e;
      e.put(0, msg);
      expect(e.exports.vault_attest_sign(att.handle, e.io, msg.length, e.io + 1024)).toBe(0);
      return e.get(1024, 3309);
    };
    const forged = P.makeResp(a.init, { ctE, K, nR: new Uint8Array(32), tR: TIME, sign: oracle });
    const sigA = P.splitResp(forged.resp, 768, 65).sigR;
    expect(v(sigA, forged.TH2, att.pk, P.CTX_ATTEST)).toBe(true); // a good attestation...
    expect(v(sigA, forged.TH2, att.pk, P.CTX_RESPONDER)).toBe(false); // ...is no handshake signature
    expect(pair.i.finish(a.hsI, forged.resp).status).toBe(S.PQC_AUTH);
    // Why a handshake key must refuse vault_dsa_sign: a general key signs any mu, and a mu
    // made for the responder context is a valid sigR.
    const gen = pair.r.identity(65, P.U_GENERAL);
    const mu = shakeMu(shakeTr(gen.pk), P.CTX_RESPONDER, forged.TH2);
    const e = pair.r.e;
    e.put(0, mu);
    expect(e.exports.vault_dsa_sign(gen.handle, e.io, e.io + 64)).toBe(0);
    expect(v(e.get(64, 3309), forged.TH2, gen.pk, P.CTX_RESPONDER)).toBe(true);
    e.put(0, mu);
    expect(e.exports.vault_dsa_sign(pair.idR.handle, e.io, e.io + 64)).toBe(S.ERR_USAGE);
    // Control: the same RESP signed with the attestation key's secret (a twin of R's DRBG
    // gives it) under the responder context is accepted: the context was all that was wrong,
    // and the refusals left I's pending handshake as it was.
    const twR = P.twins(label).r;
    P.twinIdentity(twR, 65); // R's identity key
    for (let k = 0; k < 3; k++) twR.next(32); // pqc_respond: nR, m, rnd
    const attKey = P.twinIdentity(twR, 65);
    expect(eq(attKey.pk, att.pk)).toBe(true);
    const right = P.makeResp(a.init, { ctE, K, nR: new Uint8Array(32), tR: TIME, sign: P.signer(65, attKey.sk) });
    expect(pair.i.finish(a.hsI, right.resp).status).toBe(P.finBytes(65));
  });
});

/** FIPS 204: tr = H(pk, 64). */
function shakeTr(pk: Uint8Array): Uint8Array { return shake256(pk, { dkLen: 64 }); }
/** FIPS 204 Algorithm 2's mu for pure ML-DSA with a context. */
function shakeMu(tr: Uint8Array, ctx: Uint8Array, msg: Uint8Array): Uint8Array {
  return shake256(concat(tr, new Uint8Array([0, ctx.length]), ctx, msg), { dkLen: 64 });
}

// ---- Downgrade ----------------------------------------------------------------------

describe('downgrade', () => {
  it('a v1 envelope, version 0/3/255, another magic: PQC_VERSION at every step; flags set: PQC_INVALID; the genuine messages then work', () => {
    const pair = P.plainPair('attacks/downgrade-version');
    const p = pair.pending();
    // A PQC1 v1 envelope (docs/abi.md, history): same magic, version 1, then its own layout.
    const v1 = concat(enc('PQC1'), new Uint8Array([1, 0]), P.u16(768), P.u16(65), new Prng('v1').bytes(80 + 1088 + 3309));
    expect(pair.r.respond(pair.respondReq(v1)).status).toBe(S.PQC_VERSION);
    const withVersion = (m: Uint8Array, v: number) => { const c = m.slice(); c[4] = v; return c; };
    const withMagic = (m: Uint8Array, s: Uint8Array) => { const c = m.slice(); c.set(s, 0); return c; };
    const withFlags = (m: Uint8Array, f: number) => { const c = m.slice(); c.set(P.u16(f), 10); return c; };
    const fin0 = pair.handshake().fin; // a FIN of another handshake (the header is what matters)
    const cases: [string, (m: Uint8Array) => number][] = [
      ['INIT', (m) => pair.r.respond(pair.respondReq(m)).status],
      ['RESP', (m) => pair.i.finish(p.hsI, m).status],
      ['FIN', (m) => pair.r.complete(p.hsR, m)],
    ];
    const msgs = [p.init, p.resp, fin0];
    cases.forEach(([name, call], j) => {
      const m = msgs[j]!;
      for (const v of [0, 1, 3, 255]) expect(call(withVersion(m, v)), `${name} version ${v}`).toBe(S.PQC_VERSION);
      for (const magic of ['PQC2', 'pqc1', 'QPC1', '\0\0\0\0']) expect(call(withMagic(m, enc(magic))), `${name} magic ${magic}`).toBe(S.PQC_VERSION);
      for (let bit = 0; bit < 16; bit++) expect(call(withFlags(m, 1 << bit)), `${name} flag ${bit}`).toBe(S.PQC_INVALID);
    });
    framesFlow(pair, finishGenuine(pair, p), 'downgrade-version');
  });

  it('an INIT at ML-KEM-512 to a responder whose minimum is 768: PQC_POLICY, nothing kept; accepted once R allows 512', () => {
    const pair = P.plainPair('attacks/downgrade-kem', { minKem: 768 });
    const a = pair.init({ kem: 512 });
    expect(a.init.length).toBe(P.initBytes(512));
    expect(pair.r.respond(pair.respondReq(a.init)).status).toBe(S.PQC_POLICY);
    expect(pair.r.respond(pair.respondReq(a.init, { minKem: 1024 })).status).toBe(S.PQC_POLICY);
    const ok = pair.r.respond(pair.respondReq(a.init, { minKem: 512 }));
    expect(ok.status).toBe(P.respBytes(512, 65));
    // A 1024 INIT to a 768 minimum is fine (the minimum is a floor).
    const b = pair.init({ kem: 1024 });
    expect(pair.r.respond(pair.respondReq(b.init)).status).toBe(P.respBytes(1024, 65));
  });

  it('an INIT whose ML-DSA level is not R\'s identity level (below, above, or below R\'s minimum): PQC_POLICY', () => {
    const pair = P.plainPair('attacks/downgrade-dsa');
    for (const dsa of [44, 87] as const) {
      const id = P.refIdentity(dsa, `downgrade-dsa/${dsa}`);
      const init = P.makeInit({ kem: 768, dsa, pkI: id.pk, pkR: pair.idR.pk, nI: new Uint8Array(32), tI: TIME, rekey: 2 ** 24, ekE: pair.init().init.subarray(124) });
      for (const minDsa of [44, 65]) expect(pair.r.respond(pair.respondReq(init, { pkI: id.pk, minDsa })).status, `DSA ${dsa}, min ${minDsa}`).toBe(S.PQC_POLICY);
    }
    // R with a 44 key and a minimum of 65 refuses a 44 INIT.
    const low = P.plainPair('attacks/downgrade-dsa44', { dsa: 44 });
    const a = low.init();
    expect(low.r.respond(low.respondReq(a.init, { minDsa: 65 })).status).toBe(S.PQC_POLICY);
    expect(low.r.respond(low.respondReq(a.init, { minDsa: 44 })).status).toBe(P.respBytes(768, 44));
  });

  it('rekey above R\'s maximum, or 0: PQC_POLICY; at the maximum: accepted', () => {
    const pair = P.plainPair('attacks/downgrade-rekey');
    const a = pair.init({ rekey: 1000 });
    expect(pair.r.respond(pair.respondReq(a.init, { maxRekey: 999 })).status).toBe(S.PQC_POLICY);
    const b = pair.init({ rekey: 2 ** 24 + 1 });
    expect(pair.r.respond(pair.respondReq(b.init)).status).toBe(S.PQC_POLICY); // default maximum 2^24
    const zero = P.makeInit({ kem: 768, dsa: 65, pkI: pair.idI.pk, pkR: pair.idR.pk, nI: new Uint8Array(32), tI: TIME, rekey: 0, ekE: a.init.subarray(124) });
    expect(pair.r.respond(pair.respondReq(zero)).status).toBe(S.PQC_POLICY);
    expect(pair.i.start(pair.startReq({ rekey: 0 })).status).toBe(S.PQC_INVALID); // I will not start one
    const ok = pair.r.respond(pair.respondReq(a.init, { maxRekey: 1000 }));
    expect(ok.status).toBeGreaterThan(0);
    const h = finishGenuine(pair, { hsI: a.hsI, hsR: ok.handle!, resp: ok.out! });
    expect(pair.i.info(h.sI).info!.rekey).toBe(1000);
    expect(pair.r.info(h.sR).info!.rekey).toBe(1000);
  });

  it('clocks further apart than the maximum skew: PQC_POLICY at R, and at I (its pending handshake kept); at the maximum: accepted', () => {
    const pair = P.plainPair('attacks/downgrade-skew', { maxSkewR: 1000, maxSkewI: 1000 });
    const a = pair.init();
    for (const dt of [1001n, -1001n, 10n ** 12n]) expect(pair.r.respond(pair.respondReq(a.init, { time: TIME + dt })).status, `dt ${dt}`).toBe(S.PQC_POLICY);
    const ok = pair.r.respond(pair.respondReq(a.init, { time: TIME - 1000n }));
    expect(ok.status).toBeGreaterThan(0);
    // At I: the test plays R (pinned), so it can answer the same INIT twice.
    const rj = P.refIdentity(65, 'attacks/skew/responder');
    const b = pair.init({ pkR: rj.pk });
    const { ctE, K } = encapsTo(b.init, 768, 'skew');
    const late = P.makeResp(b.init, { ctE, K, nR: new Uint8Array(32), tR: TIME + 1001n, sign: rj.sign });
    expect(pair.i.finish(b.hsI, late.resp).status).toBe(S.PQC_POLICY);
    const onTime = P.makeResp(b.init, { ctE, K, nR: new Uint8Array(32), tR: TIME + 1000n, sign: rj.sign });
    expect(pair.i.finish(b.hsI, onTime.resp).status).toBe(P.finBytes(65));
    finishGenuine(pair, { hsI: a.hsI, hsR: ok.handle!, resp: ok.out! });
  });
});

// ---- Every byte of every message -------------------------------------------------------

/** FIPS 203 section 7.2: every 12-bit coefficient of ek's polynomial part below q. */
function ekReduced(ek: Uint8Array): boolean {
  for (let i = 0; i + 3 <= ek.length - 32; i += 3) {
    const a = ek[i]! | ((ek[i + 1]! & 15) << 8), b = (ek[i + 1]! >> 4) | (ek[i + 2]! << 4);
    if (a >= 3329 || b >= 3329) return false;
  }
  return true;
}

/** Header refusals shared by the three messages (docs/pqc1.md section 5): offsets 0..15. */
function headerStatus(at: number): number {
  if (at <= 4) return S.PQC_VERSION;
  if (at === 5) return S.PQC_STATE;
  return S.PQC_INVALID;
}

/** docs/pqc1.md section 5, R step 1: "shorter than 16 bytes, the magic is not PQC1 [PQC_VERSION]" — read either way (see tests/pqc.test.ts). */
const SHORT = [S.PQC_INVALID, S.PQC_VERSION];

describe('truncated or bit-flipped at every byte offset', () => {
  for (const [kem, dsa] of [[768, 65], [512, 44], [1024, 87]] as const) {
    it(`INIT, RESP and FIN at ML-KEM-${kem} / ML-DSA-${dsa}: a refusal every time (a modified INIT at most a RESP I refuses), never a session or a trap; the genuine messages then complete`, () => {
      const pair = P.plainPair(`attacks/sweep/${kem}`, { kem, dsa });
      const { init, hsI } = pair.init();
      const bad: string[] = [];
      const check = (what: string, got: number, want: number | number[]) => {
        if (!(Array.isArray(want) ? want : [want]).includes(got)) bad.push(`${what}: got ${got}, want ${String(want)}`);
      };
      // Every bit of every byte at the default levels; elsewhere every bit of the header and one bit per byte.
      const bits = (at: number) => (kem === 768 || at < 16 ? [0, 1, 2, 3, 4, 5, 6, 7] : [at % 8]);
      const lastI = () => pair.i.x.pqc_last_session();

      // INIT into pqc_respond.
      let answered = 0;
      for (let len = 0; len < init.length; len++) check(`INIT[0..${len})`, pair.r.respond(pair.respondReq(init.subarray(0, len))).status, len < 16 ? SHORT : S.PQC_INVALID);
      for (let at = 0; at < init.length; at++) {
        for (const bit of bits(at)) {
          const m = P.flip(init, at, bit);
          let want: number | 'resp';
          if (at < 16) want = headerStatus(at);
          else if (at < 80) want = S.PQC_AUTH; // idI, idR
          else if (at < 120) want = 'resp'; // nI, tI: a new INIT as far as R can tell
          else if (at < 124) want = P.rd32(m, 120) === 0 || P.rd32(m, 120) > 2 ** 24 ? S.PQC_POLICY : 'resp';
          else want = ekReduced(m.subarray(124)) ? 'resp' : S.PQC_INVALID;
          const r = pair.r.respond(pair.respondReq(m));
          if (want !== 'resp') { check(`INIT byte ${at} bit ${bit}`, r.status, want); continue; }
          check(`INIT byte ${at} bit ${bit} (answered)`, r.status, P.respBytes(kem, dsa));
          if (r.status > 0) {
            answered++;
            const before = lastI();
            check(`the RESP to INIT byte ${at} bit ${bit}, at I`, pair.i.finish(hsI, r.out!).status, S.PQC_STATE);
            if (lastI() !== before) bad.push(`INIT byte ${at}: I made a session`);
            check('free', pair.r.free(r.handle!), 0);
          }
        }
      }
      expect(answered).toBeGreaterThan(P.KEM[kem].ek / 2);
      const { resp, hsR } = pair.resp(init);

      // RESP into pqc_finish.
      const li = lastI();
      for (let len = 0; len < resp.length; len++) check(`RESP[0..${len})`, pair.i.finish(hsI, resp.subarray(0, len)).status, len < 16 ? SHORT : S.PQC_INVALID);
      for (let at = 0; at < resp.length; at++) {
        for (const bit of bits(at)) {
          const want = at < 16 ? headerStatus(at) : at < 48 ? S.PQC_STATE : S.PQC_AUTH;
          check(`RESP byte ${at} bit ${bit}`, pair.i.finish(hsI, P.flip(resp, at, bit)).status, want);
        }
      }
      if (lastI() !== li) bad.push('a refused RESP made a session');
      const f = pair.i.finish(hsI, resp);
      expect(f.status).toBe(P.finBytes(dsa));
      const fin = f.out!;

      // FIN into pqc_complete.
      for (let len = 0; len < fin.length; len++) check(`FIN[0..${len})`, pair.r.complete(hsR, fin.subarray(0, len)), len < 16 ? SHORT : S.PQC_INVALID);
      for (let at = 0; at < fin.length; at++) {
        for (const bit of bits(at)) {
          const want = at < 16 ? headerStatus(at) : at < 48 ? S.PQC_STATE : S.PQC_AUTH;
          check(`FIN byte ${at} bit ${bit}`, pair.r.complete(hsR, P.flip(fin, at, bit)), want);
        }
      }
      expect(bad.slice(0, 20)).toEqual([]);
      const sR = pair.r.complete(hsR, fin);
      expect(sR).toBeGreaterThan(0);
      framesFlow(pair, { sI: f.session!, sR }, `sweep/${kem}`);
    });
  }
});

// ---- Refusals that must not change a pending handshake ------------------------------

describe('pending handshakes', () => {
  it('a ninth pending responder handshake evicts the oldest (docs/pqc1.md section 5: at most 8; the denial of service the host rate-limits)', () => {
    const pair = P.plainPair('attacks/evict');
    const ps = Array.from({ length: 9 }, () => pair.pending());
    expect(pair.r.complete(ps[0]!.hsR, P.makeFin(ps[0]!.init, ps[0]!.resp, new Uint8Array(32), mallory[65].sign).fin)).toBe(S.ERR_HANDLE);
    for (const p of ps.slice(1)) finishGenuine(pair, p);
  });

  it('a pqc_respond that fails (DRBG unseeded) does not evict a pending handshake (docs/pqc1.md section 7: no failed call changes one)', () => {
    const label = 'attacks/evict-failed';
    const pair = P.plainPair(label);
    const ps = Array.from({ length: 8 }, () => pair.pending());
    const ninth = pair.init();
    expect(pair.r.x.drbg_uninstantiate()).toBe(0);
    expect(pair.r.respond(pair.respondReq(ninth.init)).status).toBe(S.ERR_DRBG_UNSEEDED);
    P.seed(pair.r.e, P.entropyFor(`${label}/reseed`));
    // The oldest pending handshake must still be there.
    const f = pair.i.finish(ps[0]!.hsI, ps[0]!.resp);
    expect(f.status).toBe(P.finBytes(65));
    expect(pair.r.complete(ps[0]!.hsR, f.out!), 'the oldest pending handshake after a failed pqc_respond').toBeGreaterThan(0);
  });
});

describe('pending handshakes when the vault is full', () => {
  it('a ninth INIT in a full vault evicts the oldest pending handshake whose slot stays usable, never one whose slot would retire (review finding)', () => {
    const label = 'attacks/evict-retiring';
    const pair = P.plainPair(label, { test: true });
    const y = pair.r.x;
    // The responder's first pending handshake goes into slot 1, at its last generation.
    expect(y.vault_test_set_generation!(1, P.GEN_MAX)).toBe(0);
    const ps = Array.from({ length: 8 }, () => pair.pending());
    expect(ps[0]!.hsR & 31).toBe(1);
    const fill: number[] = [];
    for (;;) { const h = y.vault_kem_keygen(512); if (h < 0) break; fill.push(h); }
    const ninth = pair.init();
    const r9 = pair.r.respond(pair.respondReq(ninth.init));
    expect(r9.status, 'the ninth RESP').toBe(P.respBytes(768, 65));
    // The retiring one survives; it completes once a slot is free (its own retires when it becomes a session).
    const f0 = pair.i.finish(ps[0]!.hsI, ps[0]!.resp);
    expect(f0.status).toBe(P.finBytes(65));
    expect(pair.r.complete(ps[0]!.hsR, f0.out!)).toBe(S.ERR_VAULT_FULL);
    expect(y.vault_free(fill.pop()!)).toBe(0);
    expect(pair.r.complete(ps[0]!.hsR, f0.out!)).toBeGreaterThan(0);
    const f1 = pair.i.finish(ps[1]!.hsI, ps[1]!.resp);
    expect(f1.status).toBe(P.finBytes(65));
    expect(pair.r.complete(ps[1]!.hsR, f1.out!)).toBe(S.ERR_HANDLE);
  });
});

// ---- Handle wrap -----------------------------------------------------------------------

describe('handle wrap (25-bit generations)', () => {
  const handle = (slot: number, gen: number) => (P.HANDLE_TAG | (gen << 5) | slot) >>> 0 | 0;

  it('a slot freed at the last generation is retired: old handles never name a new key, the vault holds one key fewer', () => {
    const e = P.plainEnclave('attacks/wrap', { test: true });
    const x = e.exports;
    const h0 = x.vault_kem_keygen(512);
    expect(h0).toBe(handle(0, 0));
    expect(x.vault_free(h0)).toBe(0);
    expect(x.vault_test_set_generation!(0, P.GEN_MAX - 1)).toBe(0);
    const h1 = x.vault_kem_keygen(512);
    expect(h1).toBe(handle(0, P.GEN_MAX - 1));
    expect(x.vault_free(h1)).toBe(0);
    const h2 = x.vault_dsa_keygen(44, P.U_HANDSHAKE);
    expect(h2).toBe(handle(0, P.GEN_MAX));
    expect(x.vault_level(h2)).toBe(44);
    expect(x.vault_free(h2)).toBe(0); // at GEN_MAX: retired
    const h3 = x.vault_kem_keygen(768);
    expect(P.handleSlot(h3)).toBe(1);
    expect(P.handleGen(h3)).toBe(0);
    for (const old of [h0, h1, h2]) {
      expect(x.vault_level(old)).toBe(S.ERR_HANDLE);
      expect(x.vault_public(old, e.io)).toBe(S.ERR_HANDLE);
      expect(x.vault_free(old)).toBe(S.ERR_HANDLE);
    }
    for (const g of [0, 1, 2, 12345, P.GEN_MAX - 1, P.GEN_MAX]) expect(x.vault_level(handle(0, g)), `slot 0 generation ${g}`).toBe(S.ERR_HANDLE);
    expect(x.vault_test_set_generation!(0, 0)).toBe(S.ERR_ARG); // a retired slot cannot be revived
    // 31 usable slots remain; none of the new handles is in slot 0 or repeats an old one.
    const live = [h3];
    for (;;) {
      const h = x.vault_kem_keygen(512);
      if (h < 0) { expect(h).toBe(S.ERR_VAULT_FULL); break; }
      live.push(h);
    }
    expect(live.length).toBe(31);
    expect(live.some((h) => P.handleSlot(h) === 0)).toBe(false);
    expect(new Set([...live, h0, h1, h2]).size).toBe(34);
  });

  it('vault_test_set_generation refuses a live slot and a generation above GEN_MAX', () => {
    const e = P.plainEnclave('attacks/wrap-set', { test: true });
    const x = e.exports;
    const h = x.vault_kem_keygen(512);
    expect(x.vault_test_set_generation!(P.handleSlot(h), 5)).toBe(S.ERR_ARG);
    expect(x.vault_test_set_generation!(1, P.GEN_MAX + 1)).toBe(S.ERR_ARG);
    expect(x.vault_test_set_generation!(32, 0)).toBe(S.ERR_ARG);
    expect(x.vault_test_set_generation!(-1, 0)).toBe(S.ERR_ARG);
    expect(x.vault_level(h)).toBe(512);
  });

  it('failed key generations and handshakes (DRBG unseeded) do not advance any generation', () => {
    const label = 'attacks/wrap-cold';
    const e = P.plainEnclave(label, { test: true, seeded: false });
    const x = e.exports;
    for (let k = 0; k < 5; k++) {
      expect(x.vault_kem_keygen(768)).toBe(S.ERR_DRBG_UNSEEDED);
      expect(x.vault_dsa_keygen(65, P.U_HANDSHAKE)).toBe(S.ERR_DRBG_UNSEEDED);
    }
    P.seed(e, P.entropyFor(label));
    const id = x.vault_dsa_keygen(65, P.U_HANDSHAKE);
    expect(id).toBe(handle(0, 0));
    const party = new P.Party(e, 'cold');
    const pkR = P.refIdentity(65, 'wrap-cold/peer').pk;
    const req = { kem: 768, dsa: 65, identity: id, time: TIME, rekey: 16, maxSkewMs: 0, frameLimit: 0n, pkR };
    expect(x.drbg_uninstantiate()).toBe(0);
    for (let k = 0; k < 5; k++) {
      expect(party.start(req).status).toBe(S.ERR_DRBG_UNSEEDED);
      expect(x.vault_kem_keygen(512)).toBe(S.ERR_DRBG_UNSEEDED);
    }
    P.seed(e, P.entropyFor(`${label}/again`));
    const s = party.start(req);
    expect(s.status).toBe(P.initBytes(768));
    expect(s.handle).toBe(handle(1, 0));
    expect(x.vault_kem_keygen(512)).toBe(handle(2, 0));
  });

  it('a pending handshake in the last generation of its slot, in an otherwise full vault: pqc_finish is ERR_VAULT_FULL and keeps it; with a slot freed it becomes a session', () => {
    const pair = P.plainPair('attacks/wrap-pending', { test: true });
    const x = pair.i.x;
    expect(x.vault_test_set_generation!(1, P.GEN_MAX)).toBe(0);
    const a = pair.init();
    expect(a.hsI).toBe(handle(1, P.GEN_MAX));
    const fill: number[] = [];
    for (;;) { const h = x.vault_kem_keygen(512); if (h < 0) break; fill.push(h); }
    expect(fill.length).toBe(30);
    const r = pair.resp(a.init);
    // The session needs a slot of its own (freeing this one retires it): refused, nothing changed.
    expect(pair.i.finish(a.hsI, r.resp).status, 'pqc_finish in a full vault, the handshake slot retiring').toBe(S.ERR_VAULT_FULL);
    expect(x.vault_free(fill.pop()!)).toBe(0);
    const f = pair.i.finish(a.hsI, r.resp);
    expect(f.status, 'the same RESP once a slot is free').toBe(P.finBytes(65));
    expect(pair.r.complete(r.hsR, f.out!)).toBeGreaterThan(0);
  });

  it('with room in the vault, a pending handshake in the last generation becomes a session in another slot; its slot is retired', () => {
    const pair = P.plainPair('attacks/wrap-pending-room', { test: true });
    expect(pair.i.x.vault_test_set_generation!(1, P.GEN_MAX)).toBe(0);
    const a = pair.init();
    const r = pair.resp(a.init);
    const h = finishGenuine(pair, { hsI: a.hsI, hsR: r.hsR, resp: r.resp });
    expect(P.handleSlot(h.sI)).not.toBe(1);
    expect(pair.i.finish(a.hsI, r.resp).status).toBe(S.ERR_HANDLE);
    expect(pair.i.x.vault_test_set_generation!(1, 0)).toBe(S.ERR_ARG);
    framesFlow(pair, h, 'wrap-pending-room');
  });
});
