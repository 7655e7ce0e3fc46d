// ABW34 tuples (docs/abw34.md): one per event, one line of RFC 8785
// canonical JSON each, chained by `prev` and hashed into the RFC 6962 tree.
import { platform } from '#platform';
import { toHex, utf8 } from '../host/codec.js';
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
 * numbers. For those, JCS is: strings and numbers as ECMAScript's
 * JSON.stringify writes them (RFC 8785 §3.2.2.2, §3.2.2.3), no whitespace,
 * and every object's members sorted by their names as UTF-16 code units
 * (§3.2.3). The members are written here one by one rather than handing a
 * sorted object to JSON.stringify: an object puts integer-like names ("9",
 * "10") first in numeric order whatever the insertion order, which is not
 * code-unit order ("10" sorts before "9").
 */
export function canonical(tuple: Tuple | unknown): string {
  return write(tuple, 0);
}

/** Nesting deeper than this is refused: no tuple comes close, and recursion must stay bounded. */
const MAX_DEPTH = 64;

/** A lone UTF-16 surrogate: a code point UTF-8 cannot encode (the `u` flag pairs the valid ones). */
const LONE_SURROGATE = /\p{Cs}/u;

/** RFC 8785 section 3.2.2.2: JSON.stringify's escapes, and an error on a lone surrogate (which it would write as \udXXX). */
function str(s: string): string {
  if (LONE_SURROGATE.test(s)) throw new TypeError('a string with a lone surrogate has no RFC 8785 form');
  return JSON.stringify(s);
}

function write(v: unknown, depth: number): string {
  if (depth > MAX_DEPTH) throw new RangeError(`value nested deeper than ${MAX_DEPTH}`);
  if (typeof v === 'string') return str(v);
  if (v === null || typeof v === 'boolean') return JSON.stringify(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new TypeError(`tuple value ${v} has no JSON form`);
    return JSON.stringify(v);
  }
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) {
      const x = v[i] as unknown;
      // JSON.stringify writes null for undefined and functions in arrays; so does JCS's input model.
      out += (i ? ',' : '') + (x === undefined || typeof x === 'function' ? 'null' : write(x, depth + 1));
    }
    return `${out}]`;
  }
  if (typeof v === 'object' && !ArrayBuffer.isView(v)) {
    const o = v as Record<string, unknown>;
    // Array.prototype.sort with no comparator compares strings by UTF-16 code units, as JCS asks.
    const keys = Object.keys(o).sort();
    let out = '{';
    let first = true;
    for (const k of keys) {
      const x = o[k];
      if (x === undefined || typeof x === 'function') continue;
      out += `${first ? '' : ','}${str(k)}:${write(x, depth + 1)}`;
      first = false;
    }
    return `${out}}`;
  }
  throw new TypeError(`tuple value of type ${ArrayBuffer.isView(v) ? 'typed array' : typeof v} has no JSON form`);
}

const encoder = new TextEncoder();

/** RFC 6962 leaf hash of a tuple's canonical bytes. */
export function tupleLeaf(line: string): Uint8Array {
  // 0x00 then the UTF-8 bytes, encoded in place (at most 3 bytes per UTF-16 code unit).
  const b = new Uint8Array(1 + 3 * line.length);
  const { written } = encoder.encodeInto(line, b.subarray(1));
  return platform.sha256(b.subarray(0, 1 + written));
}

/** The profile digest: SHA-256 of the profile's canonical JSON, hex. */
export function profileDigest(p: Profile): string {
  return toHex(platform.sha256(utf8(canonical(p))));
}

/** SHA-256, hex (input and output digests of calls). */
export function digest(data: Uint8Array): string {
  return toHex(platform.sha256(data));
}
