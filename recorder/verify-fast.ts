// The fast path for the tuple most logs are made of: a `call` tuple. Its
// RFC 8785 form is one fixed template (docs/abw34.md: members in code-unit
// order, no whitespace, lowercase hex, integers in shortest form):
//   {"abw":34,"call":{"in":H,"op":N,"out":H,"status":I},"kind":"call","prev":H,
//    "profile":H,"pt":{"r":H,"w":H},"seq":U,"t":U,"tenant":N,"v":1}
// A line that matches it byte for byte is valid JSON, canonical and a
// well-formed call tuple, so the verifier can skip JSON.parse, the canonical
// re-serialisation and the schema for it. The template accepts a subset of
// what the general path accepts (names of [A-Za-z0-9._:-], at most 64
// characters; everything else goes the general way), and it is tested to
// give the same findings as the general path on every line of real logs.

import { latin1 as lit } from '../host/codec.js';

const L_HEAD = lit('{"abw":34,"call":{"in":"');
const L_OP = lit('","op":"');
const L_OUT = lit('","out":"');
const L_STATUS = lit('","status":');
const L_KIND = lit('},"kind":"call","prev":"');
const L_PROFILE = lit('","profile":"');
const L_PT = lit('","pt":{"r":"');
const L_W = lit('","w":"');
const L_SEQ = lit('"},"seq":');
const L_T = lit(',"t":');
const L_TENANT = lit(',"tenant":"');
const L_TAIL = lit('","v":1}');

/** Where the fields of a matched call tuple are: byte offsets into the line's buffer, and the integers. */
export interface CallMatch {
  in: number;
  out: number;
  prev: number;
  profile: number;
  ptR: number;
  ptW: number;
  opStart: number;
  opEnd: number;
  tenantStart: number;
  tenantEnd: number;
  seq: number;
  t: number;
  status: number;
}

// 1: lowercase hex digit; 2: name character; 4: decimal digit.
const CLASS = new Uint8Array(256);
for (const c of '0123456789abcdef') CLASS[c.charCodeAt(0)]! |= 1;
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-') CLASS[c.charCodeAt(0)]! |= 2;
for (const c of '0123456789') CLASS[c.charCodeAt(0)]! |= 4;

const MAX_NAME = 64;

/** Match `b[s, e)` against the call template into `m`; false when it does not match (the general path decides). */
export function matchCall(b: Uint8Array, s: number, e: number, m: CallMatch): boolean {
  let p = s;
  if (!at(b, p, e, L_HEAD)) return false;
  p += L_HEAD.length;
  m.in = p; if (!hex64(b, p, e)) return false; p += 64;
  if (!at(b, p, e, L_OP)) return false; p += L_OP.length;
  m.opStart = p; p = name(b, p, e); if (p < 0) return false; m.opEnd = p;
  if (!at(b, p, e, L_OUT)) return false; p += L_OUT.length;
  m.out = p; if (!hex64(b, p, e)) return false; p += 64;
  if (!at(b, p, e, L_STATUS)) return false; p += L_STATUS.length;
  let neg = false;
  if (p < e && b[p] === 0x2d) { neg = true; p++; }
  const st = p; p = uint(b, p, e); if (p < 0) return false;
  m.status = neg ? -num(b, st, p) : num(b, st, p);
  if (neg && m.status === 0) return false; // "-0" is not canonical: the general path says so
  if (!at(b, p, e, L_KIND)) return false; p += L_KIND.length;
  m.prev = p; p += 64; // compared byte for byte by the caller: only the expected hex passes
  if (!at(b, p, e, L_PROFILE)) return false; p += L_PROFILE.length;
  m.profile = p; p += 64; // compared byte for byte by the caller: only the expected hex passes
  if (!at(b, p, e, L_PT)) return false; p += L_PT.length;
  m.ptR = p; p += 64; // compared byte for byte by the caller: only the expected hex passes
  if (!at(b, p, e, L_W)) return false; p += L_W.length;
  m.ptW = p; p += 64; // compared byte for byte by the caller: only the expected hex passes
  if (!at(b, p, e, L_SEQ)) return false; p += L_SEQ.length;
  let q = p; p = uint(b, p, e); if (p < 0) return false; m.seq = num(b, q, p);
  if (!at(b, p, e, L_T)) return false; p += L_T.length;
  q = p; p = uint(b, p, e); if (p < 0) return false; m.t = num(b, q, p);
  if (!at(b, p, e, L_TENANT)) return false; p += L_TENANT.length;
  m.tenantStart = p; p = name(b, p, e); if (p < 0) return false; m.tenantEnd = p;
  return p + L_TAIL.length === e && at(b, p, e, L_TAIL);
}

export function newCallMatch(): CallMatch {
  return { in: 0, out: 0, prev: 0, profile: 0, ptR: 0, ptW: 0, opStart: 0, opEnd: 0, tenantStart: 0, tenantEnd: 0, seq: 0, t: 0, status: 0 };
}

/** Bytes `a[ao, ao + n)` equal `b[bo, bo + n)`. */
export function sameBytes(a: Uint8Array, ao: number, b: Uint8Array, bo: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[ao + i] !== b[bo + i]) return false;
  return true;
}

function at(b: Uint8Array, p: number, e: number, l: Uint8Array): boolean {
  const n = l.length;
  if (p + n > e) return false;
  for (let i = 0; i < n; i++) if (b[p + i] !== l[i]) return false;
  return true;
}

function hex64(b: Uint8Array, p: number, e: number): boolean {
  if (p + 64 > e) return false;
  for (let i = p; i < p + 64; i++) if ((CLASS[b[i]!]! & 1) === 0) return false;
  return true;
}

/** A name of 1..64 name characters; returns the offset after it, or -1. */
function name(b: Uint8Array, p: number, e: number): number {
  const s = p;
  while (p < e && p - s <= MAX_NAME && (CLASS[b[p]!]! & 2) !== 0) p++;
  return p === s || p - s > MAX_NAME ? -1 : p;
}

/** A non-negative integer in shortest form, at most MAX_SAFE_INTEGER; returns the offset after it, or -1. */
function uint(b: Uint8Array, p: number, e: number): number {
  const s = p;
  while (p < e && (CLASS[b[p]!]! & 4) !== 0) p++;
  const n = p - s;
  if (n === 0 || n > 16 || (n > 1 && b[s] === 0x30)) return -1;
  if (n === 16 && num(b, s, p) > Number.MAX_SAFE_INTEGER) return -1;
  return p;
}

function num(b: Uint8Array, s: number, e: number): number {
  let v = 0;
  for (let i = s; i < e; i++) v = v * 10 + (b[i]! - 0x30);
  return v;
}
