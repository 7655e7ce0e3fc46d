// Reference AES-GCM for the GCM tests, independent of the code under test:
// - node:crypto (OpenSSL) for every key size, IV lengths 1..128 bytes
//   (NODE_MAX_IV: OpenSSL refuses longer ones) and tag lengths 4, 8, 12..16;
// - @noble/ciphers 2.x gcm for 16-byte tags and nonces of at least 8 bytes;
// - a small GF(2^128) model (SP 800-38D section 6.3) to build IVs whose
//   pre-counter block J0 is chosen (counter wrap tests).
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { gcm as nobleGcm } from '@noble/ciphers/aes.js';

/** Tag lengths in bytes allowed by SP 800-38D (32, 64, 96..128 bits). */
export const TAG_LENGTHS = [4, 8, 12, 13, 14, 15, 16] as const;
export const KEY_LENGTHS = [16, 24, 32] as const;
/** node:crypto (OpenSSL) refuses longer GCM IVs. */
export const NODE_MAX_IV = 128;
/** noble's gcm refuses nonces shorter than this. */
export const NOBLE_MIN_NONCE = 8;

const algo = (key: Uint8Array) => `aes-${key.length * 8}-gcm` as const;
const buf = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

/** ciphertext || tag from node:crypto. */
export function nodeEncrypt(key: Uint8Array, iv: Uint8Array, aad: Uint8Array | undefined, pt: Uint8Array, tagLength = 16): Uint8Array {
  const c = createCipheriv(algo(key) as 'aes-128-gcm', buf(key), buf(iv), { authTagLength: tagLength });
  if (aad !== undefined && aad.length > 0) c.setAAD(buf(aad));
  const parts = [c.update(buf(pt)), c.final(), c.getAuthTag()];
  const out = new Uint8Array(pt.length + tagLength);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  if (off !== out.length) throw new Error(`node produced ${off} bytes, expected ${out.length}`);
  return out;
}

/** The plaintext from node:crypto, or null when authentication fails. */
export function nodeDecrypt(key: Uint8Array, iv: Uint8Array, aad: Uint8Array | undefined, ctTag: Uint8Array, tagLength = 16): Uint8Array | null {
  if (ctTag.length < tagLength) throw new RangeError('ciphertext shorter than the tag');
  const n = ctTag.length - tagLength;
  const d = createDecipheriv(algo(key) as 'aes-128-gcm', buf(key), buf(iv), { authTagLength: tagLength });
  d.setAuthTag(buf(ctTag.subarray(n)));
  if (aad !== undefined && aad.length > 0) d.setAAD(buf(aad));
  const body = d.update(buf(ctTag.subarray(0, n)));
  try {
    const fin = d.final();
    const out = new Uint8Array(n);
    out.set(body, 0);
    out.set(fin, body.length);
    return out;
  } catch {
    body.fill(0);
    return null;
  }
}

/** ciphertext || 16-byte tag from @noble/ciphers (nonce >= 8 bytes). */
export function nobleEncrypt(key: Uint8Array, iv: Uint8Array, aad: Uint8Array | undefined, pt: Uint8Array): Uint8Array {
  return nobleGcm(key, iv, aad).encrypt(pt);
}

/** AES_K of one 16-byte block (ECB, for H = E_K(0^128) and E_K(counter blocks)). */
export function aesBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  const c = createCipheriv(`aes-${key.length * 8}-ecb` as 'aes-128-ecb', buf(key), null);
  c.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(buf(block)), c.final()]));
}

// ---- GF(2^128) with the GCM bit order (SP 800-38D, Algorithm 1) -----------------------------
// A block is a bigint whose most significant bit is bit 0 of the block (MSB of byte 0).

const R = 0xe1n << 120n;
const MASK = (1n << 128n) - 1n;

export function blockToBig(b: Uint8Array): bigint {
  if (b.length !== 16) throw new Error('block must be 16 bytes');
  return BigInt('0x' + Buffer.from(b).toString('hex'));
}

export function bigToBlock(x: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from((x & MASK).toString(16).padStart(32, '0'), 'hex'));
}

export function gfMul(x: bigint, y: bigint): bigint {
  let z = 0n;
  let v = y;
  for (let i = 127n; i >= 0n; i--) {
    if ((x >> i) & 1n) z ^= v;
    v = v & 1n ? (v >> 1n) ^ R : v >> 1n;
  }
  return z;
}

/** x^(2^128 - 2) = x^-1 for x != 0. */
export function gfInv(x: bigint): bigint {
  if (x === 0n) throw new Error('no inverse of 0');
  // 2^128 - 2 = 0b111...10 (127 ones, then a zero).
  let result = 1n << 127n; // the unit element "1" is bit 0 = MSB
  let base = x;
  let e = (1n << 128n) - 2n;
  while (e > 0n) {
    if (e & 1n) result = gfMul(result, base);
    base = gfMul(base, base);
    e >>= 1n;
  }
  return result;
}

/** J0 for an IV that is not 96 bits: GHASH_H(IV || 0^s || 0^64 || [len(IV)]_64). */
export function j0Of(h: bigint, iv: Uint8Array): bigint {
  if (iv.length === 12) return blockToBig(Uint8Array.from([...iv, 0, 0, 0, 1]));
  const padded = new Uint8Array(Math.ceil(iv.length / 16) * 16 + 16);
  padded.set(iv);
  new DataView(padded.buffer).setBigUint64(padded.length - 8, BigInt(iv.length * 8), false);
  let y = 0n;
  for (let i = 0; i < padded.length; i += 16) y = gfMul(y ^ blockToBig(padded.subarray(i, i + 16)), h);
  return y;
}

/**
 * A 16-byte IV whose J0 is `j0` under `key`: with X the IV block and L the
 * length block ([0]_64 || [128]_64), J0 = (X*H ^ L)*H, so X = (J0*H^-1 ^ L)*H^-1.
 */
export function ivForJ0(key: Uint8Array, j0: bigint): Uint8Array {
  const h = blockToBig(aesBlock(key, new Uint8Array(16)));
  const hInv = gfInv(h);
  const L = 128n; // 0^64 || [128]_64 as a big-endian block
  const x = gfMul(gfMul(j0, hInv) ^ L, hInv);
  const iv = bigToBlock(x);
  if (j0Of(h, iv) !== j0) throw new Error('ivForJ0: the GF(2^128) model is inconsistent');
  return iv;
}
