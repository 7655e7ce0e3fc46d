// Byte encodings for code that runs in Node and in browsers alike (the
// verifier, notes, cosignatures: docs/browser.md): plain JavaScript, no
// Buffer, so both platforms give the same result for every input.
//
// Base64 (RFC 4648 section 4, the standard alphabet) decodes as Node's
// Buffer.from(text, 'base64') does for text in that alphabet: padding is
// optional, bits left over at the end are dropped. Unlike Buffer, a character
// outside the alphabet is an error, not skipped; callers that accept only
// canonical text re-encode and compare.

const HEX = '0123456789abcdef';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Int8Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_INDEX[B64.charCodeAt(i)] = i;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Lowercase hex of `b`. */
export function toHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]! >> 4]! + HEX[b[i]! & 15]!;
  return s;
}

/** Bytes of lowercase or uppercase hex text of even length; TypeError otherwise. */
export function fromHex(text: string): Uint8Array {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) throw new TypeError('hex: expected an even number of hex digits');
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Padded standard base64 of `b`. */
export function toBase64(b: Uint8Array): string {
  let s = '';
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const n = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
    s += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!;
  }
  if (i + 1 === b.length) {
    const n = b[i]! << 16;
    s += `${B64[n >> 18]!}${B64[(n >> 12) & 63]!}==`;
  } else if (i + 2 === b.length) {
    const n = (b[i]! << 16) | (b[i + 1]! << 8);
    s += `${B64[n >> 18]!}${B64[(n >> 12) & 63]!}${B64[(n >> 6) & 63]!}=`;
  }
  return s;
}

/** Bytes of standard base64 text (padding optional, at the end only); TypeError on any other character. */
export function fromBase64(text: string): Uint8Array {
  const end = text.replace(/={1,2}$/, '').length;
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? B64_INDEX[c]! : -1;
    if (v < 0) throw new TypeError(`base64: invalid character at ${i}`);
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
  }
  return out;
}

/** UTF-8 bytes of `s` (a lone surrogate becomes U+FFFD, as TextEncoder does). */
export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Text of UTF-8 bytes `b[start, end)` (malformed sequences become U+FFFD). */
export function utf8Text(b: Uint8Array, start = 0, end = b.length): string {
  return decoder.decode(b.subarray(start, end));
}

/** Bytes of `s` in UTF-8. */
export function utf8Length(s: string): number {
  return encoder.encode(s).length;
}

/** True when `b` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF). */
export function isUtf8(b: Uint8Array): boolean {
  // ASCII is by far the common case and is UTF-8: skip the decoder for it.
  let i = 0;
  while (i < b.length && b[i]! < 0x80) i++;
  if (i === b.length) return true;
  try {
    strictDecoder.decode(b.subarray(i));
    return true;
  } catch {
    return false;
  }
}

/** One byte per character: `s` must be ASCII or Latin-1 (code units above 0xff are cut to their low byte). */
export function latin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Bytes `b[start, end)` as Latin-1 text, one character per byte. */
export function latin1Text(b: Uint8Array, start = 0, end = b.length): string {
  let s = '';
  for (let i = start; i < end; i += 4096) s += String.fromCharCode(...b.subarray(i, Math.min(end, i + 4096)));
  return s;
}

/** a == b, byte for byte (not constant time: for public values). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lexicographic order of two byte strings: negative, zero or positive. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** Bytes of `text` when it is the canonical (padded, standard) base64 of them; else undefined. */
export function fromCanonicalBase64(text: string): Uint8Array | undefined {
  let b: Uint8Array;
  try { b = fromBase64(text); } catch { return undefined; }
  return toBase64(b) === text ? b : undefined;
}
