// NIST SP 800-38D AES-GCM backed by the enclave, with the shape of
// @noble/ciphers 2.x: `gcm(key, nonce, aad?).encrypt(plaintext)` returns
// ciphertext || tag and `.decrypt(ciphertextAndTag)` returns the plaintext or
// throws. Byte-identical to @noble/ciphers and node:crypto.
//
// Beyond noble: 128-, 192- and 256-bit keys; nonces of any length >= 1 byte,
// streamed like the data (12 is the fast path; noble wants >= 8); tags of 4,
// 8 or 12-16 bytes via
// `opts.tagLength` (noble: 16 only). Data of any length streams through the
// enclave's I/O window in chunks. Decryption authenticates the whole
// ciphertext first: a wrong tag is AwreError('AUTH_FAILED') and no plaintext
// byte is produced. It works on one private copy of the ciphertext, taken
// before the first pass, and hands the enclave's binding tokens back in the
// decrypt pass, so the bytes decrypted are the bytes authenticated even if
// the caller's buffer (a SharedArrayBuffer) changes meanwhile (docs/gcm.md,
// "Decryption bound to the authenticated bytes"). The key and the plaintext
// are wiped from the window.
import * as S from '../abi/status.js';
import { GCM_TAG_MAX_BYTES } from '../abi/lengths.js';
import { abytes, anumber } from './bytes.js';
import { AwreError, checkStatus } from './errors.js';
import { defaultEnclave, type Enclave } from './enclave/enclave.js';

export type GcmOpts = { tagLength?: number };
export interface Cipher {
  encrypt(plaintext: Uint8Array, output?: Uint8Array): Uint8Array;
  decrypt(ciphertext: Uint8Array, output?: Uint8Array): Uint8Array;
}

const TAG_LENGTHS = [4, 8, 12, 13, 14, 15, 16];
// I/O window layout: key at 0, tag at 64, a binding token at 96, then the
// chunks of nonce, AAD and data, one at a time.
const KEY_AT = 0;
const TAG_AT = 64;
const TOKEN_AT = 96;
const DATA_AT = 128;
const CHUNK = 32768; // a multiple of 16: every chunk but the last is whole blocks
/** Bytes of a decryption binding token (assembly/aes/gcm.ts GCM_BIND_TOKEN_BYTES). */
const TOKEN_BYTES = 16;

function tagLengthOf(opts: unknown): number {
  if (opts === undefined) return 16;
  if (typeof opts !== 'object' || opts === null) throw new TypeError('"opts" expected object');
  const t = (opts as GcmOpts).tagLength;
  if (t === undefined) return 16;
  anumber(t, 'opts.tagLength');
  if (!TAG_LENGTHS.includes(t)) {
    throw new RangeError(`"opts.tagLength" expected one of ${TAG_LENGTHS.join(', ')} bytes (SP 800-38D), got ${t}`);
  }
  return t;
}

/**
 * Feed `data` through the window in CHUNK pieces to `call(ptr, len, index,
 * last)` (index: the chunk's number; last: whether it ends the data),
 * optionally collecting the output.
 */
function stream(
  e: Enclave, data: Uint8Array, out: Uint8Array | undefined,
  call: (ptr: number, len: number, index: number, last: boolean) => number, what: string,
): void {
  for (let off = 0, i = 0; off < data.length || (off === 0 && data.length === 0); off += CHUNK, i++) {
    const end = Math.min(off + CHUNK, data.length);
    const part = data.subarray(off, end);
    const ptr = e.put(DATA_AT, part);
    checkStatus(call(ptr, part.length, i, end === data.length), what);
    if (out !== undefined) e.readInto(ptr, out.subarray(off, end));
    if (data.length === 0) break;
  }
}

/** Chunks `stream` makes of `len` bytes (an empty input is one empty chunk). */
const chunksOf = (len: number) => Math.max(1, Math.ceil(len / CHUNK));

function outputOf(output: unknown, len: number): Uint8Array {
  if (output === undefined) return new Uint8Array(len);
  return abytes(output, len, 'output');
}

/**
 * AES-GCM with a 16-, 24- or 32-byte key and a nonce of at least one byte.
 * The returned object encrypts once (a second encrypt() with the same key and
 * nonce throws, as in @noble/ciphers) and decrypts any number of times.
 */
export function gcm(key: Uint8Array, nonce: Uint8Array, aad?: Uint8Array, opts?: GcmOpts): Cipher {
  abytes(key, undefined, 'key');
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
    throw new RangeError(`"key" expected Uint8Array of length 16, 24 or 32, got length=${key.length}`);
  }
  abytes(nonce, undefined, 'nonce');
  if (nonce.length < 1) throw new RangeError('"nonce" expected at least 1 byte, got length=0');
  const ad = aad === undefined ? new Uint8Array(0) : abytes(aad, undefined, 'aad');
  const tagLength = tagLengthOf(opts);
  // Keep private copies: the caller may change its arrays after this call.
  const k = key.slice();
  const iv = nonce.slice();
  const a = ad.slice();
  let encrypted = false;

  /** Run one operation with the key in the window, wiping key and data afterwards. */
  const withOperation = <T>(decrypt: boolean, len: number, body: (e: Enclave) => T): T => {
    const e = defaultEnclave();
    try {
      checkStatus(e.exports.gcm_init(e.put(KEY_AT, k), k.length, tagLength, decrypt ? 1 : 0), 'gcm');
      stream(e, iv, undefined, (p, n) => e.exports.gcm_iv(p, n), 'gcm (nonce)');
      stream(e, a, undefined, (p, n) => e.exports.gcm_aad(p, n), 'gcm (aad)');
      return body(e);
    } finally {
      e.exports.gcm_end();
      // The window as far as any chunk (data, nonce or AAD) reached.
      e.wipe(0, DATA_AT + Math.min(CHUNK, Math.max(len, iv.length, a.length)));
    }
  };

  return Object.freeze({
    encrypt(plaintext: Uint8Array, output?: Uint8Array): Uint8Array {
      abytes(plaintext, undefined, 'plaintext');
      if (encrypted) throw new AwreError('NONCE_REUSE', 'gcm: cannot encrypt() twice with the same key and nonce');
      const out = outputOf(output, plaintext.length + tagLength);
      withOperation(false, plaintext.length, (e) => {
        stream(e, plaintext, out, (p, n) => e.exports.gcm_crypt(p, p, n, 0), 'gcm (encrypt)');
        checkStatus(e.exports.gcm_finish(e.io + TAG_AT), 'gcm (tag)');
        out.set(e.get(TAG_AT, tagLength), plaintext.length);
      });
      encrypted = true;
      return out;
    },
    decrypt(ciphertext: Uint8Array, output?: Uint8Array): Uint8Array {
      abytes(ciphertext, undefined, 'ciphertext');
      if (ciphertext.length < tagLength) {
        throw new RangeError(`"ciphertext" expected at least the ${tagLength}-byte tag, got length=${ciphertext.length}`);
      }
      const n = ciphertext.length - tagLength;
      const given = output === undefined ? undefined : outputOf(output, n);
      // One private copy of the ciphertext and the tag, read once from the
      // caller's buffer (which may be shared with another thread): both
      // passes run over this copy. Without an output buffer, the copy is
      // decrypted in place and returned.
      const ct = new Uint8Array(n);
      ct.set(ciphertext.subarray(0, n));
      const padded = new Uint8Array(GCM_TAG_MAX_BYTES);
      padded.set(ciphertext.subarray(n));
      const out = given ?? ct;
      // The binding token of the end of every chunk but the last (the
      // enclave checks the last against the accumulator it kept).
      const chunks = chunksOf(n);
      const tokens = new Uint8Array((chunks - 1) * TOKEN_BYTES);
      withOperation(true, n, (e) => {
        stream(e, ct, undefined, (p, len, i, last) => {
          if (last) return e.exports.gcm_auth(p, len, 0);
          const st = e.exports.gcm_auth(p, len, e.io + TOKEN_AT);
          if (st === S.OK) tokens.set(e.get(TOKEN_AT, TOKEN_BYTES), i * TOKEN_BYTES);
          return st;
        }, 'gcm (authenticate)');
        const st = e.exports.gcm_finish(e.put(TAG_AT, padded));
        if (st === S.ERR_AUTH) {
          out.fill(0); // a caller-supplied output buffer holds nothing of the old contents either
          throw new AwreError('AUTH_FAILED', 'gcm: authentication failed (the tag does not match)', { status: st });
        }
        checkStatus(st, 'gcm (tag)');
        try {
          stream(e, ct, out, (p, len, i, last) => {
            if (last) return e.exports.gcm_crypt(p, p, len, 0);
            return e.exports.gcm_crypt(p, p, len, e.put(TOKEN_AT, tokens.subarray(i * TOKEN_BYTES, (i + 1) * TOKEN_BYTES)));
          }, 'gcm (decrypt)');
        } catch (err) {
          out.fill(0);
          throw err;
        }
      });
      return out;
    },
  });
}

/** noble's static properties on the constructor. */
Object.assign(gcm, { blockSize: 16, nonceLength: 12, tagLength: 16, withAAD: true, varSizeNonce: true });
