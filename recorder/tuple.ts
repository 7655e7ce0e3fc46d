// ABW34 tuples (docs/abw34.md): one per event, one line of RFC 8785
// canonical JSON each, chained by `prev` and hashed into the RFC 6962 tree.
import { createHash, hash } from 'node:crypto';
import type { RunCertificate } from './certificate.js';

export const ABW = 34;
export const VERSION = 1;
/** `prev` of the first tuple. */
export const GENESIS_PREV = '0'.repeat(64);

export type TupleKind =
  | 'boot' | 'seed' | 'reseed' | 'health' | 'map' | 'protect' | 'share' | 'unmap' | 'call' | 'fault' | 'certificate' | 'checkpoint' | 'halt';

export const TUPLE_KINDS: readonly TupleKind[] = ['boot', 'seed', 'reseed', 'health', 'map', 'protect', 'share', 'unmap', 'call', 'fault', 'certificate', 'checkpoint', 'halt'];

/** The runtime profile whose digest every tuple carries. */
export interface Profile {
  module: string; // SHA-256 of the enclave module, hex
  abi: number;
  mmu: 'off' | 'waven';
  awre: string;
}

export interface Tuple {
  abw: 34;
  v: 1;
  seq: number;
  t: number;
  kind: TupleKind;
  profile: string;
  tenant?: string;
  /** Read- and write-table hashes of the tenant after the event. */
  pt?: { r: string; w: string };
  /** Exception-page toggles made by the event. */
  exc?: { page: number; table: 'r' | 'w'; on: boolean }[];
  /** boot (the first tuple): the profile itself and the log's origin; boot of a tenant: its exception frame. */
  boot?: { profile?: Profile; origin?: string; checkpointEvery?: number; reseedAfter?: number; exception?: number };
  /** map/protect/share/unmap: the change. */
  mmu?: { page: number; frame: number; rights: 'rw' | 'ro' | 'none'; from?: { tenant: string; page: number } };
  /** seed/reseed/health: the QRNG report (never the seed). */
  qrng?: Record<string, unknown>;
  call?: { op: string; in: string; out: string; status: number };
  fault?: { offset: number };
  /** certificate: the node identity's certificate of this run and its signature (base64). */
  certificate?: { cert: RunCertificate; sig: string };
  /** checkpoint: the signed note over the tree of the `size` tuples before this one. */
  checkpoint?: { size: number; root: string; note: string };
  halt?: { tuples: number };
  prev: string;
}

/**
 * RFC 8785 canonical JSON of a tuple (the line, without its newline).
 * Tuples hold only objects, arrays, strings, booleans, null and finite
 * numbers, and for those JCS is JSON.stringify with every object's keys in
 * code-unit order: ES string escaping and integer formatting are what JCS
 * prescribes (ECMAScript Number-to-string, as JSON.stringify does). Sorting the keys first and letting V8 serialise is about three
 * times faster than the generic `canonicalize`, which the verifier uses to
 * check every line (and tests/recorder.test.ts checks the two agree).
 */
export function canonical(tuple: Tuple | unknown): string {
  return JSON.stringify(sortKeys(tuple));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v)) {
    if (typeof v === 'number' && !Number.isFinite(v)) throw new TypeError(`tuple value ${v} has no JSON form`);
    return v;
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== undefined) out[k] = sortKeys(x);
  }
  return out;
}


/** RFC 6962 leaf hash of a tuple's canonical bytes. */
export function tupleLeaf(line: string): Uint8Array {
  const b = Buffer.allocUnsafe(1 + Buffer.byteLength(line, 'utf8'));
  b[0] = 0;
  b.write(line, 1, 'utf8');
  return hash('sha256', b, 'buffer');
}

/** The profile digest: SHA-256 of the profile's canonical JSON, hex. */
export function profileDigest(p: Profile): string {
  return createHash('sha256').update(canonical(p)).digest('hex');
}

/** SHA-256, hex (input and output digests of calls). */
export function digest(data: Uint8Array): string {
  return hash('sha256', data, 'hex');
}
