// Two tenants of the enclave on one WAVEN physical memory, the initiator and
// the responder of a PQC1 handshake (docs/abi.md), exchanging AES-256-GCM
// frames through shared frames: each tenant's I/O page is mapped read-only
// into the other's address space, so a receiver reads what the sender sealed
// without either tenant seeing the other's private frames.
import { AwreError, checkStatus } from './errors.js';
import { Enclave } from './enclave/enclave.js';
import { readModule } from './enclave/module.js';
import { PhysicalMemory } from './waven/physical.js';

export type TenantRole = 'initiator' | 'responder';

/** Where each tenant sees the other's I/O page (virtual page numbers, read-only). */
export const PEER_PAGE: Readonly<Record<TenantRole, number>> = { initiator: 301, responder: 300 };
// Window layout used here (offsets in a tenant's own I/O window).
const REQ = 0; // the handshake request, or the envelope being accepted
const ENV = 8192; // the envelope the initiator writes
const PK = 16384; // the initiator's ML-DSA public key (responder side)
const NONCE = 0, TAG = 32, OPEN = 64; // frame opening: nonce, tag, ciphertext
const SEAL = 32768; // a sealed frame: ciphertext then tag, where the peer reads it
export const MAX_FRAME_BYTES = 65536 - SEAL - 16;

export interface Handshake {
  envelope: Uint8Array;
  /** The vault session handles on each side. */
  initiator: number;
  responder: number;
}

export interface PairOptions {
  kemLevel?: 512 | 768 | 1024;
  dsaLevel?: 44 | 65 | 87;
  /** The instrumented module's bytes (default: build/enclave.waven.wasm). */
  module?: Uint8Array;
  /** The physical memory to build the tenants on (a new one by default); a recorder subscribes to it first. */
  physical?: PhysicalMemory;
}

export class TenantPair {
  readonly physical: PhysicalMemory;
  readonly initiator: Enclave;
  readonly responder: Enclave;
  readonly kemLevel: number;
  readonly dsaLevel: number;
  private keys: { dsa: number; kem: number; pk: Uint8Array; ek: Uint8Array } | undefined;

  constructor(options: PairOptions = {}) {
    this.kemLevel = options.kemLevel ?? 768;
    this.dsaLevel = options.dsaLevel ?? 65;
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

  /** Generate the long-term keys in the vaults (the DRBGs must be seeded): ML-DSA for the initiator, ML-KEM for the responder. */
  makeKeys(): { pk: Uint8Array; ek: Uint8Array } {
    const a = this.initiator, b = this.responder;
    const dsa = a.exports.vault_dsa_keygen(this.dsaLevel);
    if (dsa < 0) checkStatus(dsa, 'initiator: vault_dsa_keygen');
    const kem = b.exports.vault_kem_keygen(this.kemLevel);
    if (kem < 0) checkStatus(kem, 'responder: vault_kem_keygen');
    const pk = publicKey(a, dsa, 'initiator');
    const ek = publicKey(b, kem, 'responder');
    this.keys = { dsa, kem, pk, ek };
    return { pk, ek };
  }

  /** One PQC1 handshake: the initiator encapsulates and signs; the responder verifies and decapsulates. */
  handshake(timeMs: bigint): Handshake {
    const k = this.keys;
    if (!k) throw new AwreError('BAD_HANDLE', 'handshake before makeKeys()');
    const a = this.initiator, b = this.responder;
    const req = new Uint8Array(16 + k.ek.length);
    const dv = new DataView(req.buffer);
    dv.setUint16(0, this.kemLevel, true); dv.setUint16(2, this.dsaLevel, true); dv.setInt32(4, k.dsa, true); dv.setBigUint64(8, timeMs, true);
    req.set(k.ek, 16);
    const n = a.exports.pqc_handshake(a.put(REQ, req), req.length, a.io + ENV, PK - ENV);
    if (n <= 0) throw pqcError('initiator: pqc_handshake', n);
    const initiator = a.exports.pqc_last_session();
    // The responder reads the envelope through its read-only view of the initiator's page.
    const envelope = b.read((PEER_PAGE.responder << 16) + ENV, n);
    b.put(REQ, envelope);
    const responder = b.exports.pqc_accept(b.io + REQ, n, k.kem, b.put(PK, k.pk), k.pk.length);
    if (responder <= 0) throw pqcError('responder: pqc_accept', responder);
    return { envelope, initiator, responder };
  }

  /**
   * Seal `data` on `from`'s side (direction 0 initiator->responder, 1 back),
   * let the peer read the sealed frame through its shared mapping and open
   * it. Returns the sealed frame and the plaintext the peer recovered.
   */
  send(from: TenantRole, h: Handshake, seq: number, data: Uint8Array): { sealed: Uint8Array; opened: Uint8Array } {
    if (data.length > MAX_FRAME_BYTES) throw new RangeError(`"data" expected at most ${MAX_FRAME_BYTES} bytes, got length=${data.length}`);
    const to: TenantRole = from === 'initiator' ? 'responder' : 'initiator';
    const s = this.tenant(from), r = this.tenant(to);
    const dir = from === 'initiator' ? 0 : 1;
    const nonce = new Uint8Array(12);
    new DataView(nonce.buffer).setUint32(8, seq);
    checkStatus(s.exports.gcm_init_session(h[from], dir, 16, 0), `${from}: gcm_init_session`);
    checkStatus(s.exports.gcm_iv(s.put(NONCE, nonce), 12), `${from}: gcm_iv`);
    const p = s.put(SEAL, data);
    checkStatus(s.exports.gcm_crypt(p, p, data.length), `${from}: gcm_crypt`);
    checkStatus(s.exports.gcm_finish(p + data.length), `${from}: gcm_finish`);
    const sealed = r.read((PEER_PAGE[to] << 16) + SEAL, data.length + 16);
    checkStatus(r.exports.gcm_init_session(h[to], dir, 16, 1), `${to}: gcm_init_session`);
    try {
      checkStatus(r.exports.gcm_iv(r.put(NONCE, nonce), 12), `${to}: gcm_iv`);
      const c = r.put(OPEN, sealed.subarray(0, data.length));
      checkStatus(r.exports.gcm_auth(c, data.length), `${to}: gcm_auth`);
      checkStatus(r.exports.gcm_finish(r.put(TAG, sealed.subarray(data.length))), `${to}: gcm_finish`);
      checkStatus(r.exports.gcm_crypt(c, c, data.length), `${to}: gcm_crypt`);
      const opened = r.get(OPEN, data.length);
      r.wipe(OPEN, data.length);
      return { sealed, opened };
    } finally {
      r.exports.gcm_end();
    }
  }

  /** Free both sides' session keys. */
  close(h: Handshake): void {
    checkStatus(this.initiator.exports.vault_free(h.initiator), 'initiator: vault_free');
    checkStatus(this.responder.exports.vault_free(h.responder), 'responder: vault_free');
  }
}

function publicKey(e: Enclave, handle: number, who: string): Uint8Array {
  const len = e.exports.vault_public_bytes(handle);
  if (len < 0) checkStatus(len, `${who}: vault_public_bytes`);
  checkStatus(e.exports.vault_public(handle, e.io), `${who}: vault_public`);
  return e.get(0, len);
}

function pqcError(what: string, status: number): AwreError {
  const why = status === -1 ? 'invalid input (-1)' : status === -2 ? 'response buffer too small (-2)' : `internal error (${status})`;
  return new AwreError(status === -127 ? 'ENCLAVE_INTERNAL' : 'PQC_REFUSED', `${what}: ${why}`, { status });
}
