// Two tenants of the enclave on one WAVEN physical memory, the initiator and
// the responder of a PQC1 v2 handshake (docs/pqc1.md), exchanging frames
// through shared frames: each tenant's I/O page is mapped read-only into the
// other's address space, so a receiver reads what the sender wrote without
// either tenant seeing the other's private frames. Every message and frame
// crosses from one tenant to the other only through that mapping.
import * as S from '../abi/status.js';
import { concatBytes, leBytes } from './bytes.js';
import { AwreError, checkStatus } from './errors.js';
import { Enclave } from './enclave/enclave.js';
import { readModule } from './enclave/module.js';
import { PhysicalMemory } from './waven/physical.js';

export type TenantRole = 'initiator' | 'responder';

/** Where each tenant sees the other's I/O page (virtual page numbers, read-only). */
export const PEER_PAGE: Readonly<Record<TenantRole, number>> = { initiator: 301, responder: 300 };
// Window layout (offsets in a tenant's own I/O window).
const REQ = 0; // a request (with the message it answers)
const MSG = 16384; // the message a tenant writes for its peer
const PLAIN = 0; // a plaintext to seal
const FRAME = 32744; // the sealed frame, where the peer reads it
const OPENED = 32768; // the plaintext an opened frame gives
/** The largest plaintext per frame: it lies below FRAME, and the frame (plaintext + 24 bytes) above it. */
export const MAX_FRAME_BYTES = FRAME;

export interface Handshake {
  /** The three messages as they crossed (INIT, RESP, FIN). */
  init: Uint8Array;
  resp: Uint8Array;
  fin: Uint8Array;
  /** The vault session handles on each side. */
  initiator: number;
  responder: number;
  /** The session id TH (docs/pqc1.md section 4), the same on both sides. */
  id: Uint8Array;
}

export interface PairOptions {
  kemLevel?: 512 | 768 | 1024;
  dsaLevel?: 44 | 65 | 87;
  /** Frames per key epoch (default 2^24). */
  rekey?: number;
  /** Frames a session may seal in its direction (default 2^48). */
  frameLimit?: bigint;
  /** Largest clock difference either side accepts, ms (0: none, the default). */
  maxSkewMs?: number;
  /** The instrumented module's bytes (default: build/enclave.waven.wasm). */
  module?: Uint8Array;
  /** The physical memory to build the tenants on (a new one by default); a recorder subscribes to it first. */
  physical?: PhysicalMemory;
}

interface Identities { initiator: number; responder: number; pkI: Uint8Array; pkR: Uint8Array }

export class TenantPair {
  readonly physical: PhysicalMemory;
  readonly initiator: Enclave;
  readonly responder: Enclave;
  readonly kemLevel: number;
  readonly dsaLevel: number;
  readonly rekey: number;
  readonly frameLimit: bigint;
  readonly maxSkewMs: number;
  private ids: Identities | undefined;

  constructor(options: PairOptions = {}) {
    this.kemLevel = options.kemLevel ?? 768;
    this.dsaLevel = options.dsaLevel ?? 65;
    this.rekey = options.rekey ?? 1 << 24;
    this.frameLimit = options.frameLimit ?? 0n;
    this.maxSkewMs = options.maxSkewMs ?? 0;
    this.physical = options.physical ?? new PhysicalMemory();
    const bytes = options.module ?? readModule('enclave.waven.wasm');
    this.initiator = new Enclave(bytes, { mmu: 'waven', physical: this.physical, instance: 'initiator' });
    this.responder = new Enclave(bytes, { mmu: 'waven', physical: this.physical, instance: 'responder' });
    const spaces = this.physical.spaces;
    spaces.share('initiator', this.initiator.io >>> 16, 'responder', PEER_PAGE.responder, 'ro');
    spaces.share('responder', this.responder.io >>> 16, 'initiator', PEER_PAGE.initiator, 'ro');
  }

  tenant(role: TenantRole): Enclave {
    return role === 'initiator' ? this.initiator : this.responder;
  }

  /** Generate each side's ML-DSA identity key (vault usage: handshake); the DRBGs must be seeded. Returns the public keys. */
  makeKeys(): { initiator: Uint8Array; responder: Uint8Array } {
    const i = identity(this.initiator, this.dsaLevel, 'initiator');
    const r = identity(this.responder, this.dsaLevel, 'responder');
    this.ids = { initiator: i.handle, responder: r.handle, pkI: i.pk, pkR: r.pk };
    return { initiator: i.pk, responder: r.pk };
  }

  /**
   * One PQC1 v2 handshake: INIT, RESP, FIN, each read by the peer through its
   * shared page. `onStep` (benchmarks) hears each step's wall time.
   */
  handshake(timeMs: bigint, onStep?: (step: 'start' | 'respond' | 'finish' | 'complete', ms: number) => void): Handshake {
    const k = this.ids;
    if (!k) throw new AwreError('BAD_HANDLE', 'handshake before makeKeys()');
    const a = this.initiator, b = this.responder;
    let t = performance.now();
    const lap = (step: 'start' | 'respond' | 'finish' | 'complete') => { const now = performance.now(); onStep?.(step, now - t); t = now; };
    // Handles to free if a later step is refused: no pending handshake or session outlives a failed handshake.
    const held: [Enclave, number][] = [];
    try {
      const init = this.step(a, 'pqc_handshake', request(this.startRequest(k, timeMs)));
      const hsA = a.exports.pqc_last_session();
      held.push([a, hsA]);
      lap('start');
      const initSeen = this.fromPeer(b, MSG, init.length);
      const resp = this.step(b, 'pqc_respond', request(this.respondRequest(k, timeMs, initSeen)));
      const hsB = b.exports.pqc_last_session();
      held.push([b, hsB]);
      lap('respond');
      const fin = this.step(a, 'pqc_finish', request([i32(hsA), this.fromPeer(a, MSG, resp.length)]));
      const initiator = a.exports.pqc_last_session();
      held[0] = [a, initiator]; // the pending handshake became this session
      lap('finish');
      const finSeen = this.fromPeer(b, MSG, fin.length);
      const req = request([i32(hsB), finSeen]);
      const responder = b.exports.pqc_complete(b.put(REQ, req), req.length);
      if (responder <= 0) throw pqcError('responder: pqc_complete', responder);
      lap('complete');
      held.length = 0;
      return { init, resp, fin, initiator, responder, id: sessionInfo(a, initiator).id };
    } finally {
      for (const [e, h] of held) e.exports.vault_free(h);
    }
  }

  /**
   * Seal `data` in `from`'s session, let the peer read the frame through its
   * shared mapping and open it in its own session. Returns the frame and the
   * plaintext the peer recovered.
   */
  send(from: TenantRole, h: Handshake, data: Uint8Array): { sealed: Uint8Array; opened: Uint8Array } {
    if (data.length > MAX_FRAME_BYTES) throw new RangeError(`"data" expected at most ${MAX_FRAME_BYTES} bytes, got length=${data.length}`);
    const to: TenantRole = from === 'initiator' ? 'responder' : 'initiator';
    const s = this.tenant(from), r = this.tenant(to);
    const n = s.exports.pqc_seal(h[from], s.put(PLAIN, data), data.length, s.io + FRAME, 65536 - FRAME);
    s.wipe(PLAIN, data.length);
    if (n < 0) throw pqcError(`${from}: pqc_seal`, n);
    const sealed = r.read((PEER_PAGE[to] << 16) + FRAME, n);
    const m = r.exports.pqc_open(h[to], r.put(REQ, sealed), n, r.io + OPENED, 65536 - OPENED);
    if (m < 0) throw pqcError(`${to}: pqc_open`, m);
    const opened = r.get(OPENED, m);
    r.wipe(OPENED, m);
    return { sealed, opened };
  }

  /** Free both sides' sessions. */
  close(h: Handshake): void {
    checkStatus(this.initiator.exports.vault_free(h.initiator), 'initiator: vault_free');
    checkStatus(this.responder.exports.vault_free(h.responder), 'responder: vault_free');
  }

  /** Call a handshake step with `req` in the window; its message, as written at MSG. */
  private step(e: Enclave, name: 'pqc_handshake' | 'pqc_respond' | 'pqc_finish', req: Uint8Array): Uint8Array {
    const n = e.exports[name](e.put(REQ, req), req.length, e.io + MSG, 65536 - MSG);
    if (n <= 0) throw pqcError(`${e.instance}: ${name}`, n);
    return e.get(MSG, n);
  }

  /** What `e` reads of its peer's window at `offset`, through its read-only mapping. */
  private fromPeer(e: Enclave, offset: number, len: number): Uint8Array {
    return e.read((PEER_PAGE[e.instance as TenantRole] << 16) + offset, len);
  }

  private startRequest(k: Identities, timeMs: bigint): Uint8Array[] {
    return [u16(this.kemLevel), u16(this.dsaLevel), i32(k.initiator), u64(timeMs), u32(this.rekey), u32(this.maxSkewMs), u64(this.frameLimit), k.pkR];
  }

  private respondRequest(k: Identities, timeMs: bigint, init: Uint8Array): Uint8Array[] {
    // The responder's policy is the pair's own: its levels as minimums, its rekey interval as the maximum.
    return [u16(this.kemLevel), u16(this.dsaLevel), i32(k.responder), u64(timeMs), u32(this.rekey), u32(this.maxSkewMs), u64(this.frameLimit), u32(init.length), init, k.pkI];
  }
}

/** A session's public state (pqc_session_info, docs/pqc1.md section 7). */
export function sessionInfo(e: Enclave, handle: number): { id: Uint8Array; role: TenantRole; sent: bigint; top: bigint; sendEpoch: bigint; receiveEpoch: bigint; rekey: number } {
  checkStatus(e.exports.pqc_session_info(handle, e.io), 'pqc_session_info');
  const b = e.get(0, 80);
  const dv = new DataView(b.buffer, b.byteOffset, b.length);
  return {
    id: b.slice(0, 32), role: b[32] === 0 ? 'initiator' : 'responder', sent: dv.getBigUint64(40, true), top: dv.getBigUint64(48, true),
    sendEpoch: dv.getBigUint64(56, true), receiveEpoch: dv.getBigUint64(64, true), rekey: dv.getUint32(72, true),
  };
}

function identity(e: Enclave, level: number, who: string): { handle: number; pk: Uint8Array } {
  const handle = e.exports.vault_dsa_keygen(level, 1);
  if (handle < 0) checkStatus(handle, `${who}: vault_dsa_keygen`);
  const len = e.exports.vault_public_bytes(handle);
  checkStatus(e.exports.vault_public(handle, e.io), `${who}: vault_public`);
  return { handle, pk: e.get(0, len) };
}

// Request fields (docs/pqc1.md section 7). Vault handles are positive i32s, so their le32 is their u32's.
const u16 = (v: number) => leBytes(v, 2);
const u32 = (v: number) => leBytes(v, 4);
const i32 = u32;
const u64 = (v: bigint) => leBytes(v, 8);
const request = (parts: Uint8Array[]) => concatBytes(...parts);

const REFUSALS: Record<number, string> = {
  [S.PQC_INVALID]: 'invalid input (-1)', [S.PQC_BUFFER]: 'output buffer too small (-2)', [S.PQC_VERSION]: 'not a PQC1 v2 message (-30)',
  [S.PQC_POLICY]: 'refused by policy (-31)', [S.PQC_REPLAY]: 'a replayed INIT (-32)', [S.PQC_AUTH]: 'authentication failed (-33)',
  [S.PQC_STATE]: 'a message the handshake does not expect (-34)', [S.FRAME_REPLAY]: 'a replayed frame (-35)', [S.FRAME_OLD]: 'a frame too old (-36)',
  [S.FRAME_AHEAD]: 'a frame too far ahead (-37)', [S.SESSION_LIMIT]: 'the session reached its frame limit (-38)', [S.ERR_AUTH]: 'the frame does not authenticate (-15)',
};

/** The typed error for a refused PQC1 call: PQC_REFUSED with the status, or the vault's own code. */
export function pqcError(what: string, status: number): AwreError {
  const why = REFUSALS[status];
  if (status === 0) return new AwreError('ENCLAVE_INTERNAL', `${what}: returned nothing (0)`, { status });
  if (why === undefined) {
    try { checkStatus(status, what); } catch (e) { return e as AwreError; }
  }
  return new AwreError('PQC_REFUSED', `${what}: ${why}`, { status });
}
