// PQC1 v2 (docs/pqc1.md) driven by hand at the ABI, for the protocol and
// attack tests: seeded enclave pairs (plain mmu 'off' instances, or the
// host's WAVEN TenantPair), every handshake step and frame call with its
// request laid out exactly as docs/pqc1.md section 7 says, each returning the
// enclave's status instead of throwing; and an independent reference of the
// protocol in TypeScript (@noble/post-quantum, @noble/hashes, node:crypto)
// written from the document, so that a test can play either party itself
// (an attacker, or an honest peer the enclave must interoperate with) and
// recompute every secret to look for it in enclave memory.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import * as kemLib from '@noble/post-quantum/ml-kem.js';
import * as dsaLib from '@noble/post-quantum/ml-dsa.js';
import { sha3_256, shake256 } from '@noble/hashes/sha3.js';
import { Enclave, readModule, TenantPair } from '../../host/index.js';
import type { PairOptions } from '../../host/index.js';
import { concat, indexOfBytes } from './hex.js';
import { Prng } from './prng.js';

// ---- Levels and lengths (docs/pqc1.md section 3) -------------------------------

export type KemLevel = 512 | 768 | 1024;
export type DsaLevel = 44 | 65 | 87;
export const KEM = {
  512: { ek: 800, ct: 768, dk: 1632, lib: kemLib.ml_kem512 },
  768: { ek: 1184, ct: 1088, dk: 2400, lib: kemLib.ml_kem768 },
  1024: { ek: 1568, ct: 1568, dk: 3168, lib: kemLib.ml_kem1024 },
} as const;
export const DSA = {
  44: { pk: 1312, sig: 2420, lib: dsaLib.ml_dsa44 },
  65: { pk: 1952, sig: 3309, lib: dsaLib.ml_dsa65 },
  87: { pk: 2592, sig: 4627, lib: dsaLib.ml_dsa87 },
} as const;
export const initBytes = (kem: KemLevel) => 124 + KEM[kem].ek;
export const respBytes = (kem: KemLevel, dsa: DsaLevel) => 88 + KEM[kem].ct + DSA[dsa].sig + 32;
export const finBytes = (dsa: DsaLevel) => 48 + DSA[dsa].sig + 32;

export const T_INIT = 1, T_RESP = 2, T_FIN = 3;
export const ROLE_INITIATOR = 0, ROLE_RESPONDER = 1;
/** Vault usages (docs/vault.md): handshake, attest, general. */
export const U_HANDSHAKE = 1, U_ATTEST = 2, U_GENERAL = 3;
/** The vault handle layout (assembly/vault.ts): TAG | generation << 5 | slot, 25-bit generations. */
export const HANDLE_TAG = 0x40000000;
export const GEN_MAX = 2 ** 25 - 1;
export const handleSlot = (h: number) => h & 31;
export const handleGen = (h: number) => (h >>> 5) & GEN_MAX;

const te = new TextEncoder();
export const CTX_RESPONDER = te.encode('awre-pqc1-v2 responder');
export const CTX_INITIATOR = te.encode('awre-pqc1-v2 initiator');
export const CTX_ATTEST = te.encode('awre-attest-v1');

// ---- Little-endian encoders ------------------------------------------------------

export const u16 = (v: number) => { const b = new Uint8Array(2); new DataView(b.buffer).setUint16(0, v, true); return b; };
export const u32 = (v: number) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, v >>> 0, true); return b; };
export const i32 = (v: number) => { const b = new Uint8Array(4); new DataView(b.buffer).setInt32(0, v | 0, true); return b; };
export const u64 = (v: bigint) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true); return b; };
export const be64 = (v: bigint) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), false); return b; };
export const rd16 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint16(at, true);
export const rd32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at, true);
export const rd64 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getBigUint64(at, true);

// ---- Requests (docs/pqc1.md section 7) -------------------------------------------

export interface StartRequest {
  kem: number; dsa: number; identity: number; time: bigint; rekey: number; maxSkewMs: number; frameLimit: bigint; pkR: Uint8Array;
}
/** pqc_handshake: KEM u16 | DSA u16 | identity i32 | time u64 | rekey u32 | max skew u32 | frame limit u64 | pkR. */
export function startRequest(r: StartRequest): Uint8Array {
  return concat(u16(r.kem), u16(r.dsa), i32(r.identity), u64(r.time), u32(r.rekey), u32(r.maxSkewMs), u64(r.frameLimit), r.pkR);
}

export interface RespondRequest {
  minKem: number; minDsa: number; identity: number; time: bigint; maxRekey: number; maxSkewMs: number; frameLimit: bigint; init: Uint8Array; pkI: Uint8Array;
  /** The INIT length field (default init.length). */
  initLen?: number;
}
/** pqc_respond: min KEM u16 | min DSA u16 | identity i32 | time u64 | max rekey u32 | max skew u32 | frame limit u64 | INIT length u32 | INIT | pkI. */
export function respondRequest(r: RespondRequest): Uint8Array {
  return concat(u16(r.minKem), u16(r.minDsa), i32(r.identity), u64(r.time), u32(r.maxRekey), u32(r.maxSkewMs), u64(r.frameLimit),
    u32(r.initLen ?? r.init.length), r.init, r.pkI);
}
/** pqc_finish / pqc_complete: handshake handle i32 | message. */
export const answerRequest = (handle: number, msg: Uint8Array) => concat(i32(handle), msg);

// ---- One enclave, driven by hand -------------------------------------------------

/** Window layout for the hand-driven calls: the request or input at REQ, the output at OUT. */
export const REQ = 0;
export const OUT = 32768;
export const OUT_BYTES = 32768;

export interface Step { status: number; out?: Uint8Array }
export interface SessionInfo {
  raw: Uint8Array; id: Uint8Array; role: number; state: number; sent: bigint; top: bigint; sendEpoch: bigint; receiveEpoch: bigint; rekey: number;
}

/** A tenant: an Enclave whose PQC1 exports are called with requests laid out in its I/O window. */
export class Party {
  /** Called after every export call made through this party (a secret scan, say). */
  afterCall?: (p: Party, what: string) => void;

  constructor(readonly e: Enclave, readonly name: string) {}

  get x() { return this.e.exports; }

  private done<T>(what: string, v: T): T {
    this.afterCall?.(this, what);
    return v;
  }

  /** The whole I/O window. */
  window(): Uint8Array { return this.e.get(0, this.e.ioBytes); }

  /** Any of the four message-writing steps with a raw request: the status and, when positive, the message written at OUT. */
  call(name: 'pqc_handshake' | 'pqc_respond' | 'pqc_finish', req: Uint8Array, outLen = OUT_BYTES, out = OUT): Step {
    this.e.wipe(OUT, OUT_BYTES);
    const r = this.x[name](this.e.put(REQ, req), req.length, this.e.io + out, outLen);
    const step: Step = { status: r };
    if (r > 0) step.out = this.e.get(out, r);
    return this.done(name, step);
  }

  /** pqc_complete with a raw request: the session handle or a status. */
  completeRaw(req: Uint8Array): number {
    return this.done('pqc_complete', this.x.pqc_complete(this.e.put(REQ, req), req.length));
  }

  /** pqc_handshake; the pending handle is pqc_last_session() on success. */
  start(r: StartRequest): Step & { handle?: number } {
    const s: Step & { handle?: number } = this.call('pqc_handshake', startRequest(r));
    if (s.status > 0) s.handle = this.x.pqc_last_session();
    return s;
  }

  respond(r: RespondRequest): Step & { handle?: number } {
    const s: Step & { handle?: number } = this.call('pqc_respond', respondRequest(r));
    if (s.status > 0) s.handle = this.x.pqc_last_session();
    return s;
  }

  finish(handle: number, resp: Uint8Array): Step & { session?: number } {
    const s: Step & { session?: number } = this.call('pqc_finish', answerRequest(handle, resp));
    if (s.status > 0) s.session = this.x.pqc_last_session();
    return s;
  }

  complete(handle: number, fin: Uint8Array): number {
    return this.completeRaw(answerRequest(handle, fin));
  }

  /** pqc_seal: the frame (len + 24 bytes) or a status. */
  seal(session: number, data: Uint8Array): Step {
    this.e.wipe(OUT, OUT_BYTES);
    this.e.put(REQ, data);
    const r = this.x.pqc_seal(session, this.e.io + REQ, data.length, this.e.io + OUT, OUT_BYTES);
    const step: Step = { status: r };
    if (r >= 0) step.out = this.e.get(OUT, r);
    this.e.wipe(REQ, data.length);
    return this.done('pqc_seal', step);
  }

  /** pqc_open: the plaintext or a status. */
  open(session: number, frame: Uint8Array): Step {
    this.e.wipe(OUT, OUT_BYTES);
    this.e.put(REQ, frame);
    const r = this.x.pqc_open(session, this.e.io + REQ, frame.length, this.e.io + OUT, OUT_BYTES);
    const step: Step = { status: r };
    if (r >= 0) step.out = this.e.get(OUT, r);
    return this.done('pqc_open', step);
  }

  /**
   * pqc_session_info, parsed as assembly/pqc/session.ts writes it (80 bytes:
   * send and receive epochs le64 at 56 and 64, rekey le32 at 72). docs/pqc1.md
   * section 7 documents 64 bytes with le32 epochs; tests/pqc.test.ts pins the
   * difference.
   */
  info(handle: number): { status: number; info?: SessionInfo } {
    this.e.wipe(0, 128);
    const r = this.x.pqc_session_info(handle, this.e.io);
    if (r !== 0) return this.done('pqc_session_info', { status: r });
    const b = this.e.get(0, 128);
    return this.done('pqc_session_info', {
      status: 0,
      info: {
        raw: b, id: b.slice(0, 32), role: b[32]!, state: b[33]!, sent: rd64(b, 40), top: rd64(b, 48),
        sendEpoch: rd64(b, 56), receiveEpoch: rd64(b, 64), rekey: rd32(b, 72),
      },
    });
  }

  free(handle: number): number { return this.done('vault_free', this.x.vault_free(handle)); }

  /** A new ML-DSA identity key (usage: handshake by default) and its public key. */
  identity(level: DsaLevel, usage = U_HANDSHAKE): { handle: number; pk: Uint8Array } {
    const handle = this.x.vault_dsa_keygen(level, usage);
    if (handle <= 0) return { handle, pk: new Uint8Array(0) };
    const n = this.x.vault_public_bytes(handle);
    const st = this.x.vault_public(handle, this.e.io);
    if (st !== 0) throw new Error(`${this.name}: vault_public ${st}`);
    const pk = this.e.get(0, n);
    this.e.wipe(0, n);
    return this.done('vault_public', { handle, pk });
  }
}

// ---- Seeding and twins -------------------------------------------------------------

/** 48 bytes of entropy for a label (deterministic). */
export const entropyFor = (label: string) => new Prng(`pqc-pair/${label}`).bytes(48);

/** Instantiate an enclave's DRBG from `entropy` through its I/O window (wiped afterwards). */
export function seed(e: Enclave, entropy: Uint8Array): void {
  e.put(0, entropy);
  const r = e.exports.drbg_instantiate(e.io, entropy.length, e.io, 0, e.io, 0);
  e.wipe(0, entropy.length);
  if (r !== 0) throw new Error(`drbg_instantiate: ${r}`);
}

/**
 * A twin of an enclave's DRBG: the test build seeded with the same entropy,
 * asked for the same request lengths in the same order (drbg_generate_test),
 * gives the same bytes. The enclave's draws, per docs/pqc1.md and
 * assembly/vault.ts: vault_dsa_keygen 32 (xi); pqc_handshake 32 (nI), 64
 * (d || z); pqc_respond 32 (nR), 32 (m), 32 (sigR's rnd); pqc_finish 32
 * (sigI's rnd); vault_attest_sign / vault_dsa_sign 32.
 */
export class Twin {
  private readonly e: Enclave;
  constructor(entropy: Uint8Array) {
    this.e = new Enclave(readModule('enclave.test.wasm'));
    seed(this.e, entropy);
  }
  next(n: number): Uint8Array {
    const r = this.e.exports.drbg_generate_test!(this.e.io, n, this.e.io, 0);
    if (r !== 0) throw new Error(`drbg_generate_test: ${r}`);
    return this.e.get(0, n);
  }
}

/** Twins of the two DRBGs of a pair made by plainPair(label) or tenantPair(label). */
export function twins(label: string): { i: Twin; r: Twin } {
  return { i: new Twin(entropyFor(`${label}/initiator`)), r: new Twin(entropyFor(`${label}/responder`)) };
}

/** An ML-DSA key pair as vault_dsa_keygen makes it from the twin's next 32 bytes (xi). */
export function twinIdentity(t: Twin, dsa: DsaLevel): { pk: Uint8Array; sk: Uint8Array } {
  const k = DSA[dsa].lib.keygen(t.next(32));
  return { pk: k.publicKey, sk: k.secretKey };
}

/** The secret parts of an ML-DSA secret key (rho || K || tr || s1 || ...): K and the start of s1. */
export const dsaSecretParts = (sk: Uint8Array) => [sk.slice(32, 64), sk.slice(128, 160)];
/** The secret parts of an ML-KEM decapsulation key (dkPKE || ek || H(ek) || z): the start of dkPKE, and z. */
export const kemSecretParts = (dk: Uint8Array) => [dk.slice(0, 32), dk.slice(dk.length - 32)];

/**
 * All of one enclave's memory: its linear memory ('off'), or ('waven') every
 * page mapped in its address space, read through its own tables.
 */
export function ownMemory(e: Enclave): Uint8Array {
  if (!e.physical) return e.memory();
  const pages = e.physical.spaces.tables(e.instance!).mapped();
  return concat(...pages.map((p) => e.read(p << 16, 65536)));
}

/** The whole memory an enclave lives in: its linear memory, or the entire WAVEN physical memory (every tenant, every frame). */
export function physicalMemory(e: Enclave): Uint8Array {
  return e.physical ? new Uint8Array(e.physical.memory.buffer) : e.memory();
}

/** A plain (mmu 'off') enclave, seeded; the test build when `test` (for drbg_generate_test and vault_test_set_generation). */
export function plainEnclave(label: string, opts: { test?: boolean; seeded?: boolean } = {}): Enclave {
  const e = new Enclave(readModule(opts.test ? 'enclave.test.wasm' : 'enclave.wasm'));
  if (opts.seeded ?? true) seed(e, entropyFor(label));
  return e;
}

export interface PairConfig {
  kem?: KemLevel;
  dsa?: DsaLevel;
  rekey?: number;
  frameLimitI?: bigint;
  frameLimitR?: bigint;
  maxSkewI?: number;
  maxSkewR?: number;
  /** The responder's minimum KEM/DSA levels and maximum rekey as sent (0: the enclave's defaults). */
  minKem?: number;
  minDsa?: number;
  maxRekey?: number;
  time?: bigint;
}

/** Two tenants, each with a handshake-usage identity key, and the requests of a handshake between them. */
export class Pair {
  readonly kem: KemLevel;
  readonly dsa: DsaLevel;
  readonly idI: { handle: number; pk: Uint8Array };
  readonly idR: { handle: number; pk: Uint8Array };
  cfg: Required<PairConfig>;

  constructor(readonly i: Party, readonly r: Party, cfg: PairConfig = {}) {
    this.kem = cfg.kem ?? 768;
    this.dsa = cfg.dsa ?? 65;
    this.cfg = {
      kem: this.kem, dsa: this.dsa, rekey: cfg.rekey ?? 2 ** 24, frameLimitI: cfg.frameLimitI ?? 0n, frameLimitR: cfg.frameLimitR ?? 0n,
      maxSkewI: cfg.maxSkewI ?? 0, maxSkewR: cfg.maxSkewR ?? 0, minKem: cfg.minKem ?? Math.min(this.kem, 768), minDsa: cfg.minDsa ?? Math.min(this.dsa, 65),
      maxRekey: cfg.maxRekey ?? 0, time: cfg.time ?? 1_800_000_000_000n,
    };
    this.idI = i.identity(this.dsa);
    this.idR = r.identity(this.dsa);
    if (this.idI.handle <= 0 || this.idR.handle <= 0) throw new Error(`identity keys: ${this.idI.handle} ${this.idR.handle}`);
  }

  startReq(over: Partial<StartRequest> = {}): StartRequest {
    return {
      kem: this.kem, dsa: this.dsa, identity: this.idI.handle, time: this.cfg.time, rekey: this.cfg.rekey, maxSkewMs: this.cfg.maxSkewI,
      frameLimit: this.cfg.frameLimitI, pkR: this.idR.pk, ...over,
    };
  }

  respondReq(init: Uint8Array, over: Partial<RespondRequest> = {}): RespondRequest {
    return {
      minKem: this.cfg.minKem, minDsa: this.cfg.minDsa, identity: this.idR.handle, time: this.cfg.time, maxRekey: this.cfg.maxRekey,
      maxSkewMs: this.cfg.maxSkewR, frameLimit: this.cfg.frameLimitR, init, pkI: this.idI.pk, ...over,
    };
  }

  /** I: pqc_handshake with this pair's request (overridable). Throws unless it succeeds. */
  init(over: Partial<StartRequest> = {}): { init: Uint8Array; hsI: number } {
    const s = this.i.start(this.startReq(over));
    if (s.status <= 0) throw new Error(`pqc_handshake: ${s.status}`);
    return { init: s.out!, hsI: s.handle! };
  }

  /** R: pqc_respond to `init`. Throws unless it succeeds. */
  resp(init: Uint8Array, over: Partial<RespondRequest> = {}): { resp: Uint8Array; hsR: number } {
    const s = this.r.respond(this.respondReq(init, over));
    if (s.status <= 0) throw new Error(`pqc_respond: ${s.status}`);
    return { resp: s.out!, hsR: s.handle! };
  }

  /** The first two messages: a pending handshake on each side. */
  pending(): { init: Uint8Array; hsI: number; resp: Uint8Array; hsR: number } {
    const a = this.init();
    return { ...a, ...this.resp(a.init) };
  }

  /** A whole handshake; throws unless every step succeeds. */
  handshake(): Handshake {
    const p = this.pending();
    const f = this.i.finish(p.hsI, p.resp);
    if (f.status <= 0) throw new Error(`pqc_finish: ${f.status}`);
    const sR = this.r.complete(p.hsR, f.out!);
    if (sR <= 0) throw new Error(`pqc_complete: ${sR}`);
    return { ...p, fin: f.out!, sI: f.session!, sR };
  }

  /** Seal in `from`'s session and open in the other's: both statuses and the plaintext. */
  send(h: Handshake, from: 'i' | 'r', data: Uint8Array): { frame?: Uint8Array; sealed: number; opened: number; plain?: Uint8Array } {
    const [a, sa, b, sb] = from === 'i' ? [this.i, h.sI, this.r, h.sR] : [this.r, h.sR, this.i, h.sI];
    const s = a.seal(sa, data);
    if (s.status < 0) return { sealed: s.status, opened: 0 };
    const o = b.open(sb, s.out!);
    return { frame: s.out!, sealed: s.status, opened: o.status, plain: o.out };
  }
}

export interface Handshake {
  init: Uint8Array; resp: Uint8Array; fin: Uint8Array; hsI: number; hsR: number; sI: number; sR: number;
}

/** Two plain (mmu 'off') enclaves, seeded from `label`, with identity keys. */
export function plainPair(label: string, cfg: PairConfig & { test?: boolean } = {}): Pair {
  const i = new Party(plainEnclave(`${label}/initiator`, { test: cfg.test }), 'initiator');
  const r = new Party(plainEnclave(`${label}/responder`, { test: cfg.test }), 'responder');
  return new Pair(i, r, cfg);
}

/**
 * The host's TenantPair (two WAVEN tenants on one physical memory), seeded
 * from `label` through drbg_instantiate, with hand-driven parties over its
 * two enclaves and identity keys of their own (the pair's makeKeys() is
 * called too, so TenantPair.handshake() also works).
 */
export function tenantPair(label: string, cfg: PairConfig & PairOptions = {}): { tenants: TenantPair; pair: Pair } {
  const tenants = new TenantPair({ ...cfg, kemLevel: cfg.kem ?? cfg.kemLevel, dsaLevel: cfg.dsa ?? cfg.dsaLevel });
  seed(tenants.initiator, entropyFor(`${label}/initiator`));
  seed(tenants.responder, entropyFor(`${label}/responder`));
  tenants.makeKeys();
  const pair = new Pair(new Party(tenants.initiator, 'initiator'), new Party(tenants.responder, 'responder'), cfg);
  return { tenants, pair };
}

// ---- The protocol, from docs/pqc1.md, in TypeScript ----------------------------------

export const H = (...parts: Uint8Array[]) => sha3_256(concat(...parts));

/** Derive(S, label, ctx, L) (section 1). */
export function derive(S: Uint8Array, label: string, ctx: Uint8Array, L: number): Uint8Array {
  if (S.length !== 32) throw new Error('Derive: S must be 32 bytes');
  const l = te.encode(label);
  return shake256(concat(te.encode('awre-pqc1-v2'), new Uint8Array([0, l.length]), l, S, u16(ctx.length), ctx, u16(L)), { dkLen: L });
}

export function header(type: number, kem: number, dsa: number, len: number, over: { magic?: Uint8Array; version?: number; flags?: number } = {}): Uint8Array {
  return concat(over.magic ?? te.encode('PQC1'), new Uint8Array([over.version ?? 2, type]), u16(kem), u16(dsa), u16(over.flags ?? 0), u32(len));
}

export interface InitFields {
  kem: KemLevel; dsa: DsaLevel; pkI: Uint8Array; pkR: Uint8Array; nI: Uint8Array; tI: bigint; rekey: number; ekE: Uint8Array;
  idI?: Uint8Array; idR?: Uint8Array;
}
export function makeInit(f: InitFields): Uint8Array {
  const len = 124 + f.ekE.length;
  return concat(header(T_INIT, f.kem, f.dsa, len), f.idI ?? H(f.pkI), f.idR ?? H(f.pkR), f.nI, u64(f.tI), u32(f.rekey), f.ekE);
}

/** A signer: ML-DSA at a level with a secret key (hedged, noble), under a context. */
export type SignFn = (msg: Uint8Array, ctx: Uint8Array) => Uint8Array;
export const signer = (dsa: DsaLevel, sk: Uint8Array): SignFn => (msg, ctx) => DSA[dsa].lib.sign(msg, sk, { context: ctx });

export interface RespParts { resp: Uint8Array; HS: Uint8Array; TH2: Uint8Array; TH2s: Uint8Array }
/**
 * R's RESP to `init` (section 5) given the ciphertext and the shared secret
 * K it stands for (the test chooses both, so it can swap a ciphertext),
 * nR, tR and a signer. `confirmFrom` overrides the key confirmR is made with.
 */
export function makeResp(init: Uint8Array, o: { ctE: Uint8Array; K: Uint8Array; nR: Uint8Array; tR: bigint; sign: SignFn; hsOverride?: Uint8Array }): RespParts {
  const kem = rd16(init, 6), dsa = rd16(init, 8) as DsaLevel;
  const len = 88 + o.ctE.length + DSA[dsa].sig + 32;
  const head = concat(header(T_RESP, kem, dsa, len), H(init), o.nR, u64(o.tR), o.ctE);
  const TH2 = H(init, head);
  const HS = derive(o.K, 'handshake', TH2, 32);
  const sig = o.sign(TH2, CTX_RESPONDER);
  const TH2s = H(init, head, sig);
  const confirmR = derive(o.hsOverride ?? HS, 'responder confirm', TH2s, 32);
  return { resp: concat(head, sig, confirmR), HS, TH2, TH2s };
}

export interface FinParts { fin: Uint8Array; TH3: Uint8Array; TH3s: Uint8Array; TH: Uint8Array }
/** I's FIN after `init` and `resp`, with HS and a signer. */
export function makeFin(init: Uint8Array, resp: Uint8Array, HS: Uint8Array, sign: SignFn): FinParts {
  const kem = rd16(init, 6), dsa = rd16(init, 8) as DsaLevel;
  const len = 48 + DSA[dsa].sig + 32;
  const head = concat(header(T_FIN, kem, dsa, len), H(init, resp)); // h2 = H(INIT || RESP)
  const TH3 = H(init, resp, head);
  const sig = sign(TH3, CTX_INITIATOR);
  const TH3s = H(init, resp, head, sig);
  const confirmI = derive(HS, 'initiator confirm', TH3s, 32);
  const fin = concat(head, sig, confirmI);
  return { fin, TH3, TH3s, TH: H(init, resp, fin) };
}

/** What a RESP says, split by field (section 3). */
export function splitResp(resp: Uint8Array, kem: KemLevel, dsa: DsaLevel) {
  const ct = KEM[kem].ct, sig = DSA[dsa].sig;
  return {
    h1: resp.subarray(16, 48), nR: resp.subarray(48, 80), tR: rd64(resp, 80), ctE: resp.subarray(88, 88 + ct),
    sigR: resp.subarray(88 + ct, 88 + ct + sig), confirmR: resp.subarray(88 + ct + sig), signed: resp.subarray(0, 88 + ct),
  };
}

export interface Schedule2 { TH2: Uint8Array; HS: Uint8Array; TH2s: Uint8Array; confirmR: Uint8Array }
export interface Schedule3 extends Schedule2, Traffic { TH3: Uint8Array; TH3s: Uint8Array; confirmI: Uint8Array; TH: Uint8Array }
/** The handshake's hashes and HS from K (section 4), recomputed from the messages (INIT and RESP; with FIN, the rest and the traffic keys). */
export function schedule(init: Uint8Array, resp: Uint8Array, fin: undefined, K: Uint8Array, kem: KemLevel, dsa: DsaLevel): Schedule2;
export function schedule(init: Uint8Array, resp: Uint8Array, fin: Uint8Array, K: Uint8Array, kem: KemLevel, dsa: DsaLevel): Schedule3;
export function schedule(init: Uint8Array, resp: Uint8Array, fin: Uint8Array | undefined, K: Uint8Array, kem: KemLevel, dsa: DsaLevel): Schedule2 | Schedule3 {
  const r = splitResp(resp, kem, dsa);
  const TH2 = H(init, r.signed);
  const HS = derive(K, 'handshake', TH2, 32);
  const TH2s = H(init, resp.subarray(0, resp.length - 32));
  const confirmR = derive(HS, 'responder confirm', TH2s, 32);
  if (!fin) return { TH2, HS, TH2s, confirmR };
  const sig = DSA[dsa].sig;
  const TH3 = H(init, resp, fin.subarray(0, 48));
  const TH3s = H(init, resp, fin.subarray(0, 48 + sig));
  const confirmI = derive(HS, 'initiator confirm', TH3s, 32);
  const TH = H(init, resp, fin);
  return { TH2, HS, TH2s, confirmR, TH3, TH3s, confirmI, TH, ...traffic(HS, TH) };
}

export interface Traffic { MS: Uint8Array; i2rKey: Uint8Array; i2rIv: Uint8Array; r2iKey: Uint8Array; r2iIv: Uint8Array }
export function traffic(HS: Uint8Array, TH: Uint8Array): Traffic {
  const MS = derive(HS, 'traffic', TH, 32);
  const none = new Uint8Array(0);
  return {
    MS, i2rKey: derive(MS, 'i2r key', none, 32), i2rIv: derive(MS, 'i2r iv', none, 12),
    r2iKey: derive(MS, 'r2i key', none, 32), r2iIv: derive(MS, 'r2i iv', none, 12),
  };
}

/** k[e] from k[0] by the ratchet k[e+1] = Derive(k[e], "rekey", le64(e + 1), 32). */
export function epochKey(k0: Uint8Array, e: bigint): Uint8Array {
  let k = k0;
  for (let at = 0n; at < e; at++) k = derive(k, 'rekey', u64(at + 1n), 32);
  return k;
}

export function frameNonce(iv: Uint8Array, c: bigint): Uint8Array {
  const n = iv.slice();
  const b = be64(c);
  for (let j = 0; j < 8; j++) n[4 + j]! ^= b[j]!;
  return n;
}

/** A frame (section 6) with counter c under k[0] ratcheted to c's epoch. */
export function refSeal(k0: Uint8Array, iv: Uint8Array, rekey: number, c: bigint, pt: Uint8Array): Uint8Array {
  const key = epochKey(k0, c / BigInt(rekey));
  const aad = u64(c);
  const g = createCipheriv('aes-256-gcm', key, frameNonce(iv, c));
  g.setAAD(aad);
  const C = concat(g.update(pt), g.final());
  return concat(aad, C, g.getAuthTag());
}

/** Open a frame with the reference (no window): the plaintext, or undefined if the tag fails. */
export function refOpen(k0: Uint8Array, iv: Uint8Array, rekey: number, frame: Uint8Array): Uint8Array | undefined {
  const c = rd64(frame, 0);
  const key = epochKey(k0, c / BigInt(rekey));
  const g = createDecipheriv('aes-256-gcm', key, frameNonce(iv, c));
  g.setAAD(frame.subarray(0, 8));
  g.setAuthTag(frame.subarray(frame.length - 16));
  try {
    return concat(g.update(frame.subarray(8, frame.length - 16)), g.final());
  } catch {
    return undefined;
  }
}

/** An identity key pair made in TypeScript (a party the test plays, or an attacker). */
export function refIdentity(dsa: DsaLevel, label: string): { pk: Uint8Array; sk: Uint8Array; sign: SignFn } {
  const k = DSA[dsa].lib.keygen(new Prng(`pqc-pair/id/${label}`).bytes(32));
  return { pk: k.publicKey, sk: k.secretKey, sign: signer(dsa, k.secretKey) };
}

/** Whether `needle` occurs anywhere in `hay`. */
export const contains = (hay: Uint8Array, needle: Uint8Array) => indexOfBytes(hay, needle) >= 0;

/** Flip bit `bit` of byte `at` in a copy. */
export function flip(m: Uint8Array, at: number, bit = 0): Uint8Array {
  const c = m.slice();
  c[at]! ^= 1 << bit;
  return c;
}
