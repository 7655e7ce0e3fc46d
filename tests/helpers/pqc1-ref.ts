// An INDEPENDENT reference implementation of PQC1 v2, written only from
// docs/pqc1.md (and, for the DRBG model at the end, docs/drbg.md), on
// @noble/post-quantum (ML-KEM, ML-DSA), @noble/hashes (SHA3-256, SHAKE256) and
// node:crypto (AES-256-GCM). It imports nothing from host/, assembly/, abi/ or
// recorder/: every constant below is copied from the documents, with the
// section it comes from.
//
// Every random value is an explicit argument (nI, d || z, nR, m, each
// signature's rnd), so a handshake is a pure function of its inputs and every
// intermediate value is returned in a trace. Refusals throw Pqc1Refusal with
// the status docs/pqc1.md names for them.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { sha3_256, shake256 } from '@noble/hashes/sha3.js';
import { ml_kem512, ml_kem768, ml_kem1024 } from '@noble/post-quantum/ml-kem.js';
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';

// ---- bytes -----------------------------------------------------------------

export const ascii = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));
export function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
export function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}
const u8 = (x: number) => Uint8Array.of(x & 0xff);
export const le16 = (x: number) => { const b = new Uint8Array(2); new DataView(b.buffer).setUint16(0, x, true); return b; };
export const le32 = (x: number) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, x, true); return b; };
export const le64 = (x: bigint) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, x, true); return b; };
export const be64 = (x: bigint) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, x, false); return b; };
const rd16 = (m: Uint8Array, o: number) => new DataView(m.buffer, m.byteOffset, m.length).getUint16(o, true);
const rd32 = (m: Uint8Array, o: number) => new DataView(m.buffer, m.byteOffset, m.length).getUint32(o, true);
const rd64 = (m: Uint8Array, o: number) => new DataView(m.buffer, m.byteOffset, m.length).getBigUint64(o, true);

// ---- section 1: primitives -------------------------------------------------

/** H(x) = SHA3-256(x). */
export const H = (x: Uint8Array): Uint8Array => sha3_256(x);

const DERIVE_PREFIX = cat(ascii('awre-pqc1-v2'), Uint8Array.of(0x00));

/** Derive(S, label, ctx, L) = SHAKE256("awre-pqc1-v2" ‖ 0x00 ‖ u8(len(label)) ‖ label ‖ S ‖ le16(len(ctx)) ‖ ctx ‖ le16(L), L). */
export function derive(S: Uint8Array, label: string, ctx: Uint8Array, L: number): Uint8Array {
  if (S.length !== 32) throw new Error('Derive: S must be 32 bytes');
  const lab = ascii(label);
  if (lab.length > 255 || ctx.length > 65535) throw new Error('Derive: label or ctx too long');
  return shake256(cat(DERIVE_PREFIX, u8(lab.length), lab, S, le16(ctx.length), ctx, le16(L)), { dkLen: L });
}

// ---- section 2-3: parameters and lengths -----------------------------------

export type KemLevel = 512 | 768 | 1024;
export type DsaLevel = 44 | 65 | 87;
/** Section 3: ek and ct bytes by level; dk is FIPS 203's (768·k + 96). */
export const KEM = {
  512: { ek: 800, ct: 768, dk: 1632, impl: ml_kem512 },
  768: { ek: 1184, ct: 1088, dk: 2400, impl: ml_kem768 },
  1024: { ek: 1568, ct: 1568, dk: 3168, impl: ml_kem1024 },
} as const;
/** Section 3: signature bytes by level; pk and sk are FIPS 204's (the doc does not list them). */
export const DSA = {
  44: { sig: 2420, pk: 1312, sk: 2560, impl: ml_dsa44 },
  65: { sig: 3309, pk: 1952, sk: 4032, impl: ml_dsa65 },
  87: { sig: 4627, pk: 2592, sk: 4896, impl: ml_dsa87 },
} as const;
const isKem = (x: number): x is KemLevel => x === 512 || x === 768 || x === 1024;
const isDsa = (x: number): x is DsaLevel => x === 44 || x === 65 || x === 87;

export const MAGIC = ascii('PQC1');
export const VERSION = 2;
export const T_INIT = 1, T_RESP = 2, T_FIN = 3;
export const HEADER = 16, INIT_FIXED = 124, RESP_FIXED = 88, FIN_FIXED = 48, CONFIRM = 32;
export const CTX_RESPONDER = ascii('awre-pqc1-v2 responder');
export const CTX_INITIATOR = ascii('awre-pqc1-v2 initiator');
/** Section 2: defaults. */
export const DEFAULT_MIN_KEM: KemLevel = 768;
export const DEFAULT_MIN_DSA: DsaLevel = 65;
export const DEFAULT_MAX_REKEY = 2 ** 24;
export const DEFAULT_FRAME_LIMIT = 2n ** 48n;
/** Section 5: the responder remembers the last 64 INITs it answered. */
export const REPLAY_CACHE = 64;
/** Section 6. */
export const FRAME_OVERHEAD = 24;
export const WINDOW = 192n;
export const MAX_SKIP = 64n;

export const initLength = (kem: KemLevel) => INIT_FIXED + KEM[kem].ek;
export const respLength = (kem: KemLevel, dsa: DsaLevel) => RESP_FIXED + KEM[kem].ct + DSA[dsa].sig + CONFIRM;
export const finLength = (dsa: DsaLevel) => FIN_FIXED + DSA[dsa].sig + CONFIRM;

// ---- section 7: statuses ---------------------------------------------------

export const STATUS = {
  PQC_INVALID: -1, PQC_BUFFER: -2, PQC_VERSION: -30, PQC_POLICY: -31, PQC_REPLAY: -32, PQC_AUTH: -33, PQC_STATE: -34,
  FRAME_REPLAY: -35, FRAME_OLD: -36, FRAME_AHEAD: -37, SESSION_LIMIT: -38, ERR_AUTH: -15, PQC_INTERNAL: -127,
} as const;
export type Status = keyof typeof STATUS;
export const statusName = (v: number): string => (Object.entries(STATUS).find(([, x]) => x === v)?.[0] ?? `status ${v}`);

export class Pqc1Refusal extends Error {
  constructor(readonly status: Status, why: string) {
    super(`${status}: ${why}`);
  }
}
const refuse = (s: Status, why: string): never => { throw new Pqc1Refusal(s, why); };

/** The status a call ends with: 'OK' or the refusal's. */
export function outcome(f: () => unknown): Status | 'OK' {
  try { f(); return 'OK'; } catch (e) {
    if (e instanceof Pqc1Refusal) return e.status;
    throw e;
  }
}

// ---- section 3: the header ---------------------------------------------------

export function header(type: number, kem: KemLevel, dsa: DsaLevel, total: number): Uint8Array {
  return cat(MAGIC, u8(VERSION), u8(type), le16(kem), le16(dsa), le16(0), le32(total));
}

/**
 * The receiver's header checks (section 5, "R: respond" step 1, used "as
 * above" for RESP and FIN): shorter than 16 bytes or magic not PQC1, version
 * not 2 [PQC_VERSION]; type [PQC_STATE]; flags, unknown level [PQC_INVALID]; shorter than 16 bytes first [PQC_INVALID].
 * The length checks are the caller's (they need the levels).
 */
function checkHeader(m: Uint8Array, type: number): { kem: KemLevel; dsa: DsaLevel } {
  if (m.length < HEADER) refuse('PQC_INVALID', 'shorter than the 16-byte header');
  if (!same(m.subarray(0, 4), MAGIC)) refuse('PQC_VERSION', 'magic is not PQC1');
  if (m[4] !== VERSION) refuse('PQC_VERSION', `version ${m[4]}`);
  if (m[5] !== type) refuse('PQC_STATE', `type ${m[5]}, expected ${type}`);
  if (rd16(m, 10) !== 0) refuse('PQC_INVALID', 'flags set');
  const kem = rd16(m, 6), dsa = rd16(m, 8);
  if (!isKem(kem) || !isDsa(dsa)) refuse('PQC_INVALID', `unknown level ${kem}/${dsa}`);
  return { kem: kem as KemLevel, dsa: dsa as DsaLevel };
}

function checkLength(m: Uint8Array, want: number): void {
  if (rd32(m, 12) !== want || m.length !== want) refuse('PQC_INVALID', `length ${rd32(m, 12)}/${m.length}, expected ${want}`);
}

/** FIPS 203 section 7.2: ek's 12-bit coefficients are all below q = 3329. */
export function ekModulusOk(ek: Uint8Array, kem: KemLevel): boolean {
  const n = KEM[kem].ek - 32; // 384 k bytes of ByteEncode12, then rho
  for (let i = 0; i < n; i += 3) {
    const a = ek[i]! | ((ek[i + 1]! & 0x0f) << 8);
    const b = (ek[i + 1]! >> 4) | (ek[i + 2]! << 4);
    if (a >= 3329 || b >= 3329) return false;
  }
  return true;
}

// ---- identities ------------------------------------------------------------------

export interface Identity { level: DsaLevel; pk: Uint8Array; sk: Uint8Array; id: Uint8Array }

/** An ML-DSA identity key pair from its 32-byte seed xi (FIPS 204 KeyGen_internal). */
export function identityFromXi(level: DsaLevel, xi: Uint8Array): Identity {
  const { publicKey, secretKey } = DSA[level].impl.keygen(xi);
  return { level, pk: publicKey, sk: secretKey, id: H(publicKey) };
}

// ---- section 4-5: the handshake ---------------------------------------------------

export interface InitiatorConfig {
  kem: KemLevel;
  dsa: DsaLevel;
  me: Identity;
  /** pkR, pinned. */
  peer: Uint8Array;
  tI: bigint;
  rekey: number;
  maxSkewMs?: number;
  frameLimit?: bigint;
}

export interface InitiatorPending {
  cfg: InitiatorConfig;
  init: Uint8Array;
  dkE: Uint8Array;
}

export interface InitTrace { nI: Uint8Array; dz: Uint8Array; ekE: Uint8Array; dkE: Uint8Array; init: Uint8Array; h1: Uint8Array }

/** I: start. nI (32 bytes) and d ‖ z (64 bytes) are the first two DRBG draws of section 5. */
export function initiatorStart(cfg: InitiatorConfig, nI: Uint8Array, dz: Uint8Array): { init: Uint8Array; pending: InitiatorPending; trace: InitTrace } {
  if (nI.length !== 32 || dz.length !== 64) throw new Error('nI is 32 bytes, d || z 64');
  if (cfg.me.level !== cfg.dsa || cfg.peer.length !== DSA[cfg.dsa].pk) throw new Error('identity level');
  if (!(cfg.rekey >= 1 && cfg.rekey <= 0xffffffff)) throw new Error('rekey is 1 .. 2^32 - 1');
  const { publicKey: ekE, secretKey: dkE } = KEM[cfg.kem].impl.keygen(dz);
  const total = initLength(cfg.kem);
  const init = cat(header(T_INIT, cfg.kem, cfg.dsa, total), H(cfg.me.pk), H(cfg.peer), nI, le64(cfg.tI), le32(cfg.rekey), ekE);
  if (init.length !== total) throw new Error('INIT length');
  return { init, pending: { cfg, init, dkE }, trace: { nI, dz, ekE, dkE, init, h1: H(init) } };
}

/** The responder's replay cache: the last 64 H(INIT) it answered. */
export class ReplayCache {
  private seen: Uint8Array[] = [];
  has(h: Uint8Array): boolean { return this.seen.some((x) => same(x, h)); }
  add(h: Uint8Array): void {
    this.seen.push(h);
    if (this.seen.length > REPLAY_CACHE) this.seen.shift();
  }
}

export interface ResponderConfig {
  me: Identity;
  /** pkI, pinned. */
  peer: Uint8Array;
  tR: bigint;
  minKem?: KemLevel;
  minDsa?: DsaLevel;
  maxRekey?: number;
  maxSkewMs?: number;
  frameLimit?: bigint;
  replay?: ReplayCache;
}

export interface ResponderPending {
  kem: KemLevel;
  dsa: DsaLevel;
  rekey: number;
  frameLimit: bigint;
  peer: Uint8Array;
  /** INIT ‖ RESP, the transcript so far. */
  transcript: Uint8Array;
  h2: Uint8Array;
  HS: Uint8Array;
}

export interface RespTrace {
  nR: Uint8Array; m: Uint8Array; rndR: Uint8Array; K: Uint8Array; ctE: Uint8Array; h1: Uint8Array;
  TH2: Uint8Array; HS: Uint8Array; sigR: Uint8Array; TH2s: Uint8Array; confirmR: Uint8Array; resp: Uint8Array;
}

/** R: respond. nR, then m (32 bytes each) from the DRBG, then rnd for sigR (32 bytes, FIPS 204's hedged rnd). */
export function responderRespond(cfg: ResponderConfig, init: Uint8Array, nR: Uint8Array, m: Uint8Array, rndR: Uint8Array): { resp: Uint8Array; pending: ResponderPending; trace: RespTrace } {
  if (nR.length !== 32 || m.length !== 32 || rndR.length !== 32) throw new Error('nR, m and rnd are 32 bytes');
  // 1. header and length
  const { kem, dsa } = checkHeader(init, T_INIT);
  checkLength(init, initLength(kem));
  // 2. policy
  const minKem = cfg.minKem ?? DEFAULT_MIN_KEM, minDsa = cfg.minDsa ?? DEFAULT_MIN_DSA, maxRekey = cfg.maxRekey ?? DEFAULT_MAX_REKEY;
  const rekey = rd32(init, 120);
  if (kem < minKem) refuse('PQC_POLICY', `KEM level ${kem} below ${minKem}`);
  if (dsa !== cfg.me.level || dsa < minDsa) refuse('PQC_POLICY', `DSA level ${dsa}`);
  if (rekey === 0 || rekey > maxRekey) refuse('PQC_POLICY', `rekey ${rekey}`);
  // 3. identities
  if (!same(init.subarray(48, 80), H(cfg.me.pk))) refuse('PQC_AUTH', 'idR names another responder');
  if (!same(init.subarray(16, 48), H(cfg.peer))) refuse('PQC_AUTH', 'idI is not the pinned initiator');
  // 4. clocks
  const tI = rd64(init, 112);
  if (cfg.maxSkewMs && (cfg.tR > tI ? cfg.tR - tI : tI - cfg.tR) > BigInt(cfg.maxSkewMs)) refuse('PQC_POLICY', 'clock skew');
  // 5. replay
  const h1 = H(init);
  if (cfg.replay?.has(h1)) refuse('PQC_REPLAY', 'INIT answered before');
  // 6. ekE
  const ekE = init.subarray(INIT_FIXED);
  if (!ekModulusOk(ekE, kem)) refuse('PQC_INVALID', 'ekE fails the modulus check');

  const { cipherText: ctE, sharedSecret: K } = KEM[kem].impl.encapsulate(ekE, m);
  const ct = KEM[kem].ct, sig = DSA[dsa].sig;
  const total = respLength(kem, dsa);
  const head = cat(header(T_RESP, kem, dsa, total), h1, nR, le64(cfg.tR), ctE);
  const TH2 = H(cat(init, head));
  const HS = derive(K, 'handshake', TH2, 32);
  const sigR = DSA[dsa].impl.sign(TH2, cfg.me.sk, { context: CTX_RESPONDER, extraEntropy: rndR });
  if (sigR.length !== sig || head.length !== RESP_FIXED + ct) throw new Error('RESP layout');
  const TH2s = H(cat(init, head, sigR));
  const confirmR = derive(HS, 'responder confirm', TH2s, 32);
  const resp = cat(head, sigR, confirmR);
  cfg.replay?.add(h1);
  const pending: ResponderPending = { kem, dsa, rekey, frameLimit: cfg.frameLimit ?? DEFAULT_FRAME_LIMIT, peer: cfg.peer, transcript: cat(init, resp), h2: H(cat(init, resp)), HS };
  return { resp, pending, trace: { nR, m, rndR, K, ctE, h1, TH2, HS, sigR, TH2s, confirmR, resp } };
}

export interface FinTrace {
  K: Uint8Array; TH2: Uint8Array; HS: Uint8Array; TH2s: Uint8Array; h2: Uint8Array; TH3: Uint8Array; rndI: Uint8Array;
  sigI: Uint8Array; TH3s: Uint8Array; confirmI: Uint8Array; fin: Uint8Array; TH: Uint8Array; MS: Uint8Array;
}

/** Check a RESP's header and length against INIT's levels (section 5, "I: finish"). */
function checkResp(p: InitiatorPending, resp: Uint8Array): void {
  const { kem, dsa } = checkHeader(resp, T_RESP);
  if (kem !== p.cfg.kem || dsa !== p.cfg.dsa) refuse('PQC_INVALID', 'RESP levels differ from INIT');
  checkLength(resp, respLength(kem, dsa));
}

/** I: finish. rndI is sigI's rnd (32 bytes), the initiator's DRBG draw after d ‖ z. The pending handshake is never changed. */
export function initiatorFinish(p: InitiatorPending, resp: Uint8Array, rndI: Uint8Array): { fin: Uint8Array; session: Session; trace: FinTrace } {
  if (rndI.length !== 32) throw new Error('rnd is 32 bytes');
  checkResp(p, resp);
  const { kem, dsa } = p.cfg;
  const ct = KEM[kem].ct, sig = DSA[dsa].sig;
  if (!same(resp.subarray(16, 48), H(p.init))) refuse('PQC_STATE', 'h1 is not H(INIT)');
  const tR = rd64(resp, 80);
  if (p.cfg.maxSkewMs && (tR > p.cfg.tI ? tR - p.cfg.tI : p.cfg.tI - tR) > BigInt(p.cfg.maxSkewMs)) refuse('PQC_POLICY', 'clock skew');
  const TH2 = H(cat(p.init, resp.subarray(0, RESP_FIXED + ct)));
  const sigR = resp.subarray(RESP_FIXED + ct, RESP_FIXED + ct + sig);
  if (!DSA[dsa].impl.verify(sigR, TH2, p.cfg.peer, { context: CTX_RESPONDER })) refuse('PQC_AUTH', 'sigR does not verify');
  const K = KEM[kem].impl.decapsulate(resp.subarray(RESP_FIXED, RESP_FIXED + ct), p.dkE);
  const HS = derive(K, 'handshake', TH2, 32);
  const TH2s = H(cat(p.init, resp.subarray(0, RESP_FIXED + ct + sig)));
  if (!same(derive(HS, 'responder confirm', TH2s, 32), resp.subarray(RESP_FIXED + ct + sig))) refuse('PQC_AUTH', 'confirmR differs');
  const h2 = H(cat(p.init, resp));
  const finHead = cat(header(T_FIN, kem, dsa, finLength(dsa)), h2);
  const TH3 = H(cat(p.init, resp, finHead));
  const sigI = DSA[dsa].impl.sign(TH3, p.cfg.me.sk, { context: CTX_INITIATOR, extraEntropy: rndI });
  const TH3s = H(cat(p.init, resp, finHead, sigI));
  const confirmI = derive(HS, 'initiator confirm', TH3s, 32);
  const fin = cat(finHead, sigI, confirmI);
  const TH = H(cat(p.init, resp, fin));
  const MS = derive(HS, 'traffic', TH, 32);
  const session = new Session('initiator', MS, TH, p.cfg.rekey, p.cfg.frameLimit ?? DEFAULT_FRAME_LIMIT);
  return { fin, session, trace: { K, TH2, HS, TH2s, h2, TH3, rndI, sigI, TH3s, confirmI, fin, TH, MS } };
}

export interface CompleteTrace { TH3: Uint8Array; TH3s: Uint8Array; TH: Uint8Array; MS: Uint8Array }

/** R: complete. The pending handshake is never changed. */
export function responderComplete(p: ResponderPending, fin: Uint8Array): { session: Session; trace: CompleteTrace } {
  const { kem, dsa } = checkHeader(fin, T_FIN);
  if (kem !== p.kem || dsa !== p.dsa) refuse('PQC_INVALID', 'FIN levels differ from INIT');
  checkLength(fin, finLength(dsa));
  if (!same(fin.subarray(16, 48), p.h2)) refuse('PQC_STATE', 'h2 is not H(INIT || RESP)');
  const sig = DSA[dsa].sig;
  const TH3 = H(cat(p.transcript, fin.subarray(0, FIN_FIXED)));
  if (!DSA[dsa].impl.verify(fin.subarray(FIN_FIXED, FIN_FIXED + sig), TH3, p.peer, { context: CTX_INITIATOR })) refuse('PQC_AUTH', 'sigI does not verify');
  const TH3s = H(cat(p.transcript, fin.subarray(0, FIN_FIXED + sig)));
  if (!same(derive(p.HS, 'initiator confirm', TH3s, 32), fin.subarray(FIN_FIXED + sig))) refuse('PQC_AUTH', 'confirmI differs');
  const TH = H(cat(p.transcript, fin));
  const MS = derive(p.HS, 'traffic', TH, 32);
  return { session: new Session('responder', MS, TH, p.rekey, p.frameLimit), trace: { TH3, TH3s, TH, MS } };
}

// ---- section 4 and 6: traffic keys and frames ------------------------------------

export interface TrafficKeys { k_i2r: Uint8Array; iv_i2r: Uint8Array; k_r2i: Uint8Array; iv_r2i: Uint8Array }

export function trafficKeys(MS: Uint8Array): TrafficKeys {
  return {
    k_i2r: derive(MS, 'i2r key', new Uint8Array(0), 32), iv_i2r: derive(MS, 'i2r iv', new Uint8Array(0), 12),
    k_r2i: derive(MS, 'r2i key', new Uint8Array(0), 32), iv_r2i: derive(MS, 'r2i iv', new Uint8Array(0), 12),
  };
}

/** k_d[e+1] = Derive(k_d[e], "rekey", le64(e + 1), 32). */
export const ratchet = (k: Uint8Array, toEpoch: bigint): Uint8Array => derive(k, 'rekey', le64(toEpoch), 32);

/** k_d[e] from k_d[from] (e ≥ from). */
export function keyAt(k: Uint8Array, from: bigint, e: bigint): Uint8Array {
  let key = k;
  for (let at = from; at < e; at++) key = ratchet(key, at + 1n);
  return key;
}

/** nonce = iv XOR (0x00000000 ‖ be64(c)). */
export function frameNonce(iv: Uint8Array, c: bigint): Uint8Array {
  const x = cat(new Uint8Array(4), be64(c));
  return iv.map((b, i) => b ^ x[i]!);
}

/** frame = le64(c) ‖ GCM(k, nonce, aad = le64(c), P). */
export function sealFrame(key: Uint8Array, iv: Uint8Array, c: bigint, plaintext: Uint8Array): Uint8Array {
  const aad = le64(c);
  const g = createCipheriv('aes-256-gcm', key, frameNonce(iv, c), { authTagLength: 16 });
  g.setAAD(aad);
  const body = Buffer.concat([g.update(plaintext), g.final()]);
  return cat(aad, body, g.getAuthTag());
}

/** The plaintext of a frame, or undefined if the tag does not verify. */
export function openFrame(key: Uint8Array, iv: Uint8Array, frame: Uint8Array): Uint8Array | undefined {
  const c = rd64(frame, 0);
  const n = frame.length - FRAME_OVERHEAD;
  const g = createDecipheriv('aes-256-gcm', key, frameNonce(iv, c), { authTagLength: 16 });
  g.setAAD(frame.subarray(0, 8));
  g.setAuthTag(frame.subarray(8 + n));
  try {
    return new Uint8Array(Buffer.concat([g.update(frame.subarray(8, 8 + n)), g.final()]));
  } catch {
    return undefined;
  }
}

export type Role = 'initiator' | 'responder';

/** A session (section 6): a send counter and key epoch, a receive window and epoch. */
export class Session {
  readonly keys: TrafficKeys;
  private sendKey: Uint8Array;
  private sendEpoch = 0n;
  private readonly sendIv: Uint8Array;
  send = 0n;
  private recvKey: Uint8Array;
  private prevKey: Uint8Array | undefined;
  private readonly recvIv: Uint8Array;
  recvEpoch = 0n;
  /** Counters accepted that are still inside the window (so "already accepted" is what a window can know). */
  private accepted = new Set<bigint>();
  top: bigint | undefined;

  constructor(readonly role: Role, MS: Uint8Array, readonly TH: Uint8Array, readonly rekey: number, readonly frameLimit: bigint) {
    this.keys = trafficKeys(MS);
    const mine = role === 'initiator';
    this.sendKey = mine ? this.keys.k_i2r : this.keys.k_r2i;
    this.sendIv = mine ? this.keys.iv_i2r : this.keys.iv_r2i;
    this.recvKey = mine ? this.keys.k_r2i : this.keys.k_i2r;
    this.recvIv = mine ? this.keys.iv_r2i : this.keys.iv_i2r;
  }

  seal(plaintext: Uint8Array): Uint8Array {
    const c = this.send;
    if (c >= this.frameLimit) refuse('SESSION_LIMIT', 'frame limit');
    const e = c / BigInt(this.rekey);
    this.sendKey = keyAt(this.sendKey, this.sendEpoch, e);
    this.sendEpoch = e;
    const f = sealFrame(this.sendKey, this.sendIv, c, plaintext);
    this.send = c + 1n;
    return f;
  }

  open(frame: Uint8Array): Uint8Array {
    if (frame.length < FRAME_OVERHEAD) refuse('PQC_INVALID', 'shorter than 24 bytes');
    const c = rd64(frame, 0);
    const e = c / BigInt(this.rekey);
    if (this.accepted.has(c)) refuse('FRAME_REPLAY', `counter ${c} accepted before`);
    if (this.top !== undefined && this.top >= WINDOW && c <= this.top - WINDOW) refuse('FRAME_OLD', `counter ${c} behind the window`);
    const previous = this.prevKey !== undefined && e + 1n === this.recvEpoch;
    if (!previous && e < this.recvEpoch) refuse('FRAME_OLD', `epoch ${e} < ${this.recvEpoch}`);
    if (e > this.recvEpoch + MAX_SKIP) refuse('FRAME_AHEAD', `epoch ${e} > ${this.recvEpoch} + ${MAX_SKIP}`);
    const key = previous ? this.prevKey! : keyAt(this.recvKey, this.recvEpoch, e);
    const p = openFrame(key, this.recvIv, frame);
    if (p === undefined) refuse('ERR_AUTH', 'tag');
    this.accepted.add(c);
    if (this.top === undefined || c > this.top) {
      this.top = c;
      for (const x of this.accepted) if (this.top >= WINDOW && x <= this.top - WINDOW) this.accepted.delete(x);
    }
    if (!previous && e > this.recvEpoch) {
      this.prevKey = keyAt(this.recvKey, this.recvEpoch, e - 1n);
      this.recvKey = key;
      this.recvEpoch = e;
    }
    return p!;
  }
}

// ---- docs/drbg.md: the DRBG model (to reproduce the vectors' draws from their seeds) ----

const DRBG_TAG = ascii('awre-drbg-v1');
const field = (b: Uint8Array) => cat(le32(b.length), b);

/** docs/drbg.md's SHAKE256 DRBG: instantiate(e, n, p), generate(len, a). */
export class DrbgModel {
  private K: Uint8Array;
  private c = 1n;
  constructor(entropy: Uint8Array, nonce: Uint8Array, pers: Uint8Array) {
    if (entropy.length < 32) throw new Error('entropy below 32 bytes');
    this.K = shake256(cat(DRBG_TAG, Uint8Array.of(0x01), field(entropy), field(nonce), field(pers)), { dkLen: 64 });
  }
  generate(len: number, add: Uint8Array = new Uint8Array(0)): Uint8Array {
    const z = shake256(cat(DRBG_TAG, Uint8Array.of(0x03), this.K, le64(this.c), le32(len), field(add)), { dkLen: 64 + len });
    this.K = z.slice(0, 64);
    this.c++;
    return z.slice(64);
  }
}
