// The escrow (docs/abw34.md, "Escrow"): what a replay needs (every seed, every
// call input), encrypted to the auditor's ML-KEM-768 key and written beside
// the log. One ML-KEM-768 encapsulation per log (FIPS 203, in the enclave);
// key = SHA3-256("awre-escrow-v1" || 0x00 || origin || 0x00 || K); each record
// AES-256-GCM (in the enclave) with nonce = 0^32 || be64(n) and
// aad = "awre-escrow-v1 <origin> <n>", so records cannot be reordered,
// dropped from the middle unnoticed, or moved to another log.
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { AwreError } from '../host/errors.js';
import { gcm } from '../host/gcm.js';
import { ml_kem768 } from '../host/mlkem.js';
import type { EscrowedSeed, EscrowReader } from '../host/qrng/sources/replay.js';
import type { EscrowSink } from './recorder.js';

export const ESCROW_FORMAT = 'awre-abw34-escrow';
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

function escrowKey(origin: string, ss: Uint8Array): Uint8Array {
  return createHash('sha3-256').update('awre-escrow-v1\0').update(origin).update('\0').update(ss).digest();
}

function nonce(n: number): Uint8Array {
  const b = new Uint8Array(12);
  new DataView(b.buffer).setBigUint64(4, BigInt(n));
  return b;
}

const aad = (origin: string, n: number) => new TextEncoder().encode(`awre-escrow-v1 ${origin} ${n}`);

export class EscrowWriter implements EscrowSink {
  private readonly fd: number;
  private readonly key: Uint8Array;
  private n = 0;

  /**
   * `coins`: the encapsulation's 32-byte message m, only for a reproducible run (awre run --deterministic,
   * docs/qrng.md), whose every input an auditor may already rebuild from the sim seed; otherwise fresh randomness.
   */
  constructor(readonly path: string, auditorPublicKey: Uint8Array, private readonly origin: string, coins?: Uint8Array) {
    const { cipherText, sharedSecret } = ml_kem768.encapsulate(auditorPublicKey, coins);
    this.key = escrowKey(origin, sharedSecret);
    sharedSecret.fill(0);
    try {
      this.fd = openSync(path, 'wx');
    } catch (cause) {
      this.key.fill(0);
      throw new AwreError('LOG_IO', `${path}: cannot create the escrow: ${(cause as NodeJS.ErrnoException).code}`, { cause });
    }
    this.line({ escrow: ESCROW_FORMAT, v: 1, kem: 'ML-KEM-768', origin, ct: b64(cipherText) });
  }

  seed(r: { tenant: string; epoch: number; commitment: string; seed: Uint8Array; material: unknown }): void {
    this.record({ type: 'seed', tenant: r.tenant, epoch: r.epoch, commitment: r.commitment, seed: b64(r.seed), material: r.material });
  }

  input(seq: number, input: Uint8Array): void {
    this.record({ type: 'input', seq, input: b64(input) });
  }

  close(): void {
    this.key.fill(0);
    closeSync(this.fd);
  }

  private record(value: unknown): void {
    const pt = new TextEncoder().encode(canonicalize(value)!);
    const n = this.n++;
    const ct = gcm(this.key, nonce(n), aad(this.origin, n)).encrypt(pt);
    pt.fill(0);
    this.line({ n, data: b64(ct) });
  }

  private line(value: unknown): void {
    const buf = Buffer.from(`${canonicalize(value)}\n`);
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off, null);
    fdatasyncSync(this.fd);
  }
}

/** What an auditor gets from an escrow: the seeds by (tenant, epoch) and the call inputs by seq. */
export interface EscrowContents extends EscrowReader {
  readonly inputs: ReadonlyMap<number, Uint8Array>;
  readonly origin: string;
}

/** Decrypt an escrow with the auditor's ML-KEM-768 secret key (pure: bytes in, contents out). */
export function openEscrow(text: string, auditorSecretKey: Uint8Array, label = 'escrow'): EscrowContents {
  try {
    return openEscrowUnchecked(text, auditorSecretKey, label);
  } catch (e) {
    if (e instanceof AwreError && e.code === 'ESCROW_INVALID') throw e;
    throw new AwreError('ESCROW_INVALID', `${label}: malformed escrow (${(e as Error).message})`, { cause: e });
  }
}

function openEscrowUnchecked(text: string, auditorSecretKey: Uint8Array, label: string): EscrowContents {
  const bad = (why: string) => new AwreError('ESCROW_INVALID', `${label}: ${why}`);
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let head: { escrow?: string; v?: number; kem?: string; origin?: string; ct?: string };
  try { head = JSON.parse(lines[0] ?? ''); } catch { throw bad('no header line'); }
  if (typeof head !== 'object' || head === null) throw bad('no header line');
  if (head.escrow !== ESCROW_FORMAT || head.v !== 1 || head.kem !== 'ML-KEM-768' || typeof head.origin !== 'string' || typeof head.ct !== 'string') throw bad('not an awre escrow (v1, ML-KEM-768)');
  const ss = ml_kem768.decapsulate(Buffer.from(head.ct, 'base64'), auditorSecretKey);
  const key = escrowKey(head.origin, ss);
  ss.fill(0);
  const seeds = new Map<string, EscrowedSeed>();
  const inputs = new Map<number, Uint8Array>();
  try {
    lines.slice(1).forEach((line, n) => {
      let rec: { n?: number; data?: string };
      try { rec = JSON.parse(line); } catch { throw bad(`record ${n} is not JSON (a torn last record after a crash is reported the same way)`); }
      if (typeof rec !== 'object' || rec === null || rec.n !== n || typeof rec.data !== 'string') throw bad(`record ${n} is out of order or malformed`);
      let pt: Uint8Array;
      try { pt = gcm(key, nonce(n), aad(head.origin!, n)).decrypt(Buffer.from(rec.data, 'base64')); } catch { throw bad(`record ${n} does not authenticate (wrong auditor key, another log, or tampered)`); }
      const v = JSON.parse(new TextDecoder().decode(pt)) as Record<string, unknown>;
      pt.fill(0);
      if (v['type'] === 'seed') {
        const m = v['material'] as Omit<EscrowedSeed, 'tenant' | 'epoch' | 'commitment' | 'seed'>;
        seeds.set(`${v['tenant']}/${v['epoch']}`, { ...m, tenant: String(v['tenant']), epoch: Number(v['epoch']), commitment: String(v['commitment']), seed: new Uint8Array(Buffer.from(String(v['seed']), 'base64')) });
      } else if (v['type'] === 'input') {
        inputs.set(Number(v['seq']), new Uint8Array(Buffer.from(String(v['input']), 'base64')));
      } else throw bad(`record ${n} has an unknown type`);
    });
  } finally {
    key.fill(0);
  }
  return { label, origin: head.origin, inputs, seed: (tenant, epoch) => seeds.get(`${tenant}/${epoch}`) };
}
