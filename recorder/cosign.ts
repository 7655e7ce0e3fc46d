// C2SP tlog-cosignature (ML-DSA-44, signature type 0x06) and the verifier
// keys (vkeys) of signed-note, for witnesses (docs/witness.md):
//
//   cosigned_message = "subtree/v1\n\0" || u8 len(name) || name || u64be timestamp
//                      || u8 len(origin) || origin || u64be 0 || u64be size || root (32)
//   signature line   = "— " name " " base64(keyID (4) || u64be timestamp || ML-DSA-44 signature (2420)) "\n"
//   keyID            = SHA-256(name || "\n" || 0x06 || public key (1312))[:4]
//   vkey             = name "+" hex(keyID) "+" base64(0x06 || public key)
//
// The ML-DSA-44 signature is pure FIPS 204 with the empty context (the
// 12-byte label separates domains). A checkpoint's extension lines are not
// signed by this type; awre's `awre-t` line is covered by the log's own
// signature only.
//
// awre's attestation keys get a vkey too, with the signed-note type 0xff and
// the identifier "awre/ml-dsa-65" (docs/abw34.md: pure ML-DSA-65, context
// "awre-attest-v1", over the note text), so that a tlog-policy file can name
// an awre log.
import { platform } from '#platform';
import { ed25519 } from '@noble/curves/ed25519.js';
import { equalBytes, fromBase64, toBase64, toHex } from '../host/codec.js';
import type { ParsedNote } from './note.js';

export const COSIG_TYPE = 0x06;
/** tlog-cosignature's Ed25519 type and signed-note's Ed25519 note signature: verified (never made) by awre. */
export const ED25519_COSIG_TYPE = 0x04;
export const ED25519_NOTE_TYPE = 0x01;
const LABEL = new Uint8Array([...new TextEncoder().encode('subtree/v1\n'), 0]);
export const ML_DSA_44 = { pk: 1312, sig: 2420 } as const;
const AWRE_LOG_ID = new TextEncoder().encode('awre/ml-dsa-65');

const u64be = (v: bigint) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, v); return b; };
const utf8 = (s: string) => new TextEncoder().encode(s);

function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** SHA-256(name || "\n" || typed key)[:4]: the signed-note key ID of a vkey's key. */
export function keyIdOf(name: string, typedKey: Uint8Array): Uint8Array {
  return platform.sha256(utf8(`${name}\n`), typedKey).slice(0, 4);
}

/** The bytes an ML-DSA-44 checkpoint cosignature signs (tlog-cosignature, start = 0). */
export function cosignedMessage(name: string, timestamp: bigint, origin: string, size: bigint, root: Uint8Array): Uint8Array {
  const n = utf8(name), o = utf8(origin);
  if (n.length < 1 || n.length > 255) throw new RangeError(`cosigner name: 1 to 255 bytes, got ${n.length}`);
  if (o.length < 1 || o.length > 255) throw new RangeError(`origin: 1 to 255 bytes, got ${o.length}`);
  if (root.length !== 32) throw new RangeError(`root: 32 bytes, got ${root.length}`);
  return cat(LABEL, Uint8Array.of(n.length), n, u64be(timestamp), Uint8Array.of(o.length), o, u64be(0n), u64be(size), root);
}

export interface Vkey { name: string; keyId: Uint8Array; type: number; key: Uint8Array }

/** A witness's vkey: name+hex(keyID)+base64(0x06 || pk). */
export function witnessVkey(name: string, publicKey: Uint8Array): string {
  const typed = cat(Uint8Array.of(COSIG_TYPE), publicKey);
  return `${name}+${toHex(keyIdOf(name, typed))}+${toBase64(typed)}`;
}

/** An awre log's vkey: origin+hex(keyID)+base64(0xff || "awre/ml-dsa-65" || pk). */
export function awreLogVkey(origin: string, publicKey: Uint8Array): string {
  const typed = cat(Uint8Array.of(0xff), AWRE_LOG_ID, publicKey);
  return `${origin}+${toHex(keyIdOf(origin, typed))}+${toBase64(typed)}`;
}

/** Parse a vkey (split at the first two "+": base64 has "+" too); its key ID must be the one its key gives. */
export function parseVkey(s: string): Vkey {
  const a = s.indexOf('+'), b = a < 0 ? -1 : s.indexOf('+', a + 1);
  if (a <= 0 || b < 0) throw new TypeError('vkey: expected name+keyid+key');
  const name = s.slice(0, a), hex = s.slice(a + 1, b), b64 = s.slice(b + 1);
  if (/[\s+]/u.test(name)) throw new TypeError('vkey: the name has a space or "+"');
  if (!/^[0-9a-f]{8}$/.test(hex)) throw new TypeError('vkey: the key ID is 8 lower-case hex digits');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw new TypeError('vkey: the key is not base64');
  const typed = fromBase64(b64);
  if (toBase64(typed) !== b64) throw new TypeError('vkey: the key is not canonical base64');
  const keyId = keyIdOf(name, typed);
  if (toHex(keyId) !== hex) throw new TypeError(`vkey: the key ID ${hex} is not the key's (${toHex(keyId)})`);
  const type = typed[0]!;
  if (type === COSIG_TYPE) {
    if (typed.length !== 1 + ML_DSA_44.pk) throw new TypeError(`vkey: an ML-DSA-44 key is ${ML_DSA_44.pk} bytes`);
    return { name, keyId, type, key: typed.subarray(1) };
  }
  if (type === ED25519_COSIG_TYPE || type === ED25519_NOTE_TYPE) {
    if (typed.length !== 33) throw new TypeError('vkey: an Ed25519 key is 32 bytes');
    return { name, keyId, type, key: typed.subarray(1) };
  }
  if (type === 0xff && equalBytes(typed.subarray(1, 1 + AWRE_LOG_ID.length), AWRE_LOG_ID)) {
    if (typed.length !== 1 + AWRE_LOG_ID.length + 1952) throw new TypeError('vkey: an awre/ml-dsa-65 key is 1952 bytes');
    return { name, keyId, type, key: typed.subarray(1 + AWRE_LOG_ID.length) };
  }
  throw new TypeError(`vkey: unsupported signature type 0x${type.toString(16).padStart(2, '0')}`);
}

/** One cosignature line: — name base64(keyID || u64be timestamp || signature)\n */
export function cosignatureLine(name: string, keyId: Uint8Array, timestamp: bigint, sig: Uint8Array): string {
  return `\u2014 ${name} ${toBase64(cat(keyId, u64be(timestamp), sig))}\n`;
}

export type Verify44 = (sig: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;

/**
 * An Ed25519 cosignature (tlog-cosignature type 0x04): blob = u64be timestamp
 * || signature (64), over "cosignature/v1\ntime <timestamp>\n" || the whole
 * note text (extension lines included). Verified by @noble/curves as
 * RFC 8032 defines it (zip215: false: S below the group order, canonical
 * point encodings), the same code on every platform.
 */
function checkEd25519(text: string, blob: Uint8Array, key: Uint8Array): { ok: boolean; timestamp: bigint } {
  if (blob.length !== 8 + 64) return { ok: false, timestamp: 0n };
  const ts = new DataView(blob.buffer, blob.byteOffset).getBigUint64(0);
  if (ts === 0n || ts > (1n << 63n) - 1n) return { ok: false, timestamp: ts };
  const msg = utf8(`cosignature/v1\ntime ${ts}\n${text}`);
  let ok: boolean;
  try { ok = ed25519.verify(blob.subarray(8), msg, key, { zip215: false }); } catch { ok = false; }
  return { ok, timestamp: ts };
}

/**
 * The witness's cosignature on a parsed checkpoint note: undefined when the
 * note has no line with the witness's name and key ID; else whether it
 * verifies, and its timestamp (seconds). A line of the right name and ID that
 * does not verify is { ok: false } (signed-note: a known key that fails).
 */
export function checkCosignature(note: ParsedNote, cp: { origin: string; size: bigint; root: Uint8Array }, w: Vkey, verify: Verify44): { ok: boolean; timestamp: bigint } | undefined {
  let found: { ok: boolean; timestamp: bigint } | undefined;
  for (const s of note.signatures) {
    if (s.name !== w.name || !equalBytes(s.keyId, w.keyId)) continue;
    if (w.type === ED25519_COSIG_TYPE) {
      const r = checkEd25519(note.text, s.sig, w.key);
      if (!r.ok) return r;
      found = r;
      continue;
    }
    if (s.sig.length !== 8 + ML_DSA_44.sig) return { ok: false, timestamp: 0n };
    const ts = new DataView(s.sig.buffer, s.sig.byteOffset).getBigUint64(0);
    if (ts === 0n || ts > (1n << 63n) - 1n) return { ok: false, timestamp: ts };
    // An origin or name the cosigned message cannot hold (over 255 bytes) cannot have been cosigned.
    let msg: Uint8Array;
    try { msg = cosignedMessage(w.name, ts, cp.origin, cp.size, cp.root); } catch { return { ok: false, timestamp: ts }; }
    const ok = verify(s.sig.subarray(8), msg, w.key);
    if (!ok) return { ok: false, timestamp: ts };
    found = { ok: true, timestamp: ts };
  }
  return found;
}
