// FIPS 202 hashes backed by the enclave, with the shapes of @noble/hashes
// 2.x sha3.js: `sha3_256(msg)`, `.create().update(a).update(b).digest()`,
// `shake128(msg, { dkLen })`, `.xof(n)`, `.clone()`, `outputLen`, `blockLen`.
//
// A hash object keeps its 208-byte Keccak context on the host and swaps it
// through the enclave's HCTX region for each update/squeeze, so any number of
// objects can be alive at once. Inputs larger than the I/O window are
// streamed through it in chunks.
import { KECCAK_CTX_BYTES } from '../abi/lengths.js';
import { abytes, anumber } from './bytes.js';
import { AwreError, checkStatus } from './errors.js';
import { defaultEnclave, type Enclave } from './enclave/enclave.js';

const DS_SHA3 = 0x06;
const DS_SHAKE = 0x1f;

/** Half the I/O window per chunk: input and output never share bytes. */
function chunkBytes(e: Enclave): number {
  return e.ioBytes >> 1;
}

export class Keccak {
  readonly blockLen: number;
  readonly outputLen: number;
  readonly canXOF: boolean;
  private readonly ds: number;
  private ctx: Uint8Array;
  private finished = false;
  private destroyed = false;

  constructor(blockLen: number, ds: number, outputLen: number, canXOF: boolean, ctx?: Uint8Array) {
    this.blockLen = blockLen;
    this.ds = ds;
    this.outputLen = outputLen;
    this.canXOF = canXOF;
    this.ctx = ctx ?? new Uint8Array(KECCAK_CTX_BYTES);
  }

  private alive(checkFinished: boolean): void {
    if (this.destroyed) throw new AwreError('HASH_STATE', 'hash was destroyed');
    if (checkFinished && this.finished) throw new AwreError('HASH_STATE', 'digest() was already called');
  }

  /** Run `f` with this object's context loaded into HCTX, then save it back. */
  private withContext(f: (e: Enclave) => void): void {
    const e = defaultEnclave();
    e.write(e.hctx, this.ctx);
    try {
      f(e);
    } finally {
      this.ctx.set(e.read(e.hctx, e.hctxBytes));
      e.zero(e.hctx, e.hctxBytes);
    }
  }

  update(data: Uint8Array): this {
    this.alive(true);
    abytes(data, undefined, 'data');
    this.withContext((e) => {
      const chunk = chunkBytes(e);
      for (let off = 0; off < data.length; off += chunk) {
        const part = data.subarray(off, Math.min(off + chunk, data.length));
        checkStatus(e.exports.keccak_absorb(this.blockLen, e.put(0, part), part.length), 'keccak absorb');
      }
    });
    return this;
  }

  private squeezeInto(out: Uint8Array): Uint8Array {
    this.withContext((e) => {
      if (!this.finished) {
        checkStatus(e.exports.keccak_finish(this.blockLen, this.ds), 'keccak finish');
        this.finished = true;
      }
      const chunk = chunkBytes(e);
      for (let off = 0; off < out.length; off += chunk) {
        const n = Math.min(chunk, out.length - off);
        checkStatus(e.exports.keccak_squeeze(this.blockLen, e.io, n), 'keccak squeeze');
        out.set(e.read(e.io, n), off);
      }
    });
    return out;
  }

  xofInto(out: Uint8Array): Uint8Array {
    if (!this.canXOF) throw new AwreError('HASH_STATE', 'XOF is not enabled');
    this.alive(false);
    abytes(out, undefined, 'output');
    return this.squeezeInto(out);
  }

  xof(bytes: number): Uint8Array {
    anumber(bytes, 'bytes');
    return this.xofInto(new Uint8Array(bytes));
  }

  digestInto(out: Uint8Array): void {
    abytes(out, undefined, 'output');
    if (!(out.length >= this.outputLen)) throw new RangeError(`"output" expected length >= ${this.outputLen}`);
    this.alive(true);
    this.squeezeInto(out.subarray(0, this.outputLen));
    this.destroy();
  }

  digest(): Uint8Array {
    const out = new Uint8Array(this.outputLen);
    this.digestInto(out);
    return out;
  }

  destroy(): void {
    this.destroyed = true;
    this.ctx.fill(0);
  }

  clone(): Keccak {
    const c = new Keccak(this.blockLen, this.ds, this.outputLen, this.canXOF, this.ctx.slice());
    c.finished = this.finished;
    c.destroyed = this.destroyed;
    return c;
  }
}

/** One-shot hash through the enclave; falls back to streaming for big inputs. */
function oneShot(blockLen: number, ds: number, msg: Uint8Array, outLen: number, canXOF: boolean): Uint8Array {
  const e = defaultEnclave();
  const half = chunkBytes(e);
  if (msg.length > half || outLen > half) {
    const k = new Keccak(blockLen, ds, outLen, canXOF).update(msg);
    return canXOF ? k.xofInto(new Uint8Array(outLen)) : k.digest();
  }
  const src = e.put(0, msg);
  checkStatus(e.exports.sha3_oneshot(blockLen, ds, src, msg.length, e.io + half, outLen), 'sha3');
  return e.get(half, outLen);
}

export type ShakeOpts = { dkLen?: number };

export interface CHash {
  (msg: Uint8Array): Uint8Array;
  readonly outputLen: number;
  readonly blockLen: number;
  readonly canXOF: boolean;
  readonly oid: Uint8Array;
  create(): Keccak;
}

export interface CHashXOF {
  (msg: Uint8Array, opts?: ShakeOpts): Uint8Array;
  readonly outputLen: number;
  readonly blockLen: number;
  readonly canXOF: boolean;
  readonly oid: Uint8Array;
  create(opts?: ShakeOpts): Keccak;
}

/** DER OID of a NIST hash algorithm (2.16.840.1.101.3.4.2.<suffix>). */
const oidNist = (suffix: number) => Uint8Array.from([0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, suffix]);

function sha3(blockLen: number, outputLen: number, oid: number): CHash {
  const h = (msg: Uint8Array) => oneShot(blockLen, DS_SHA3, abytes(msg, undefined, 'message'), outputLen, false);
  return Object.freeze(Object.assign(h, {
    outputLen, blockLen, canXOF: false, oid: oidNist(oid),
    create: () => new Keccak(blockLen, DS_SHA3, outputLen, false),
  }));
}

function dkLenOf(opts: ShakeOpts | undefined, outputLen: number): number {
  if (opts === undefined) return outputLen;
  if (typeof opts !== 'object' || opts === null) throw new TypeError('"opts" expected object');
  return opts.dkLen === undefined ? outputLen : anumber(opts.dkLen, 'dkLen');
}

function shake(blockLen: number, outputLen: number, oid: number): CHashXOF {
  const h = (msg: Uint8Array, opts?: ShakeOpts) =>
    oneShot(blockLen, DS_SHAKE, abytes(msg, undefined, 'message'), dkLenOf(opts, outputLen), true);
  return Object.freeze(Object.assign(h, {
    outputLen, blockLen, canXOF: true, oid: oidNist(oid),
    create: (opts?: ShakeOpts) => new Keccak(blockLen, DS_SHAKE, dkLenOf(opts, outputLen), true),
  }));
}

/** FIPS 202 SHA3-224/256/384/512 and SHAKE128/256, enclave-backed. */
export const sha3_224: CHash = sha3(144, 28, 0x07);
export const sha3_256: CHash = sha3(136, 32, 0x08);
export const sha3_384: CHash = sha3(104, 48, 0x09);
export const sha3_512: CHash = sha3(72, 64, 0x0a);
export const shake128: CHashXOF = shake(168, 16, 0x0b);
export const shake256: CHashXOF = shake(136, 32, 0x0c);

/**
 * FIPS 202 over a message of any bit length (an awre extension; @noble/hashes
 * is byte-oriented). `msg` holds ceil(bitLength / 8) bytes; as NIST's ACVP
 * packs them, the last bitLength mod 8 bits are the most significant bits of
 * the last byte. Those bits are shifted down to Keccak's LSB-first order and
 * the hash's delimited suffix (0x06 or 0x1F) is appended after them; when the
 * two no longer fit one byte, the low byte is absorbed whole and the rest of
 * the suffix pads.
 */
export function hashBits(h: CHash | CHashXOF, msg: Uint8Array, bitLength: number, opts?: ShakeOpts): Uint8Array {
  abytes(msg, undefined, 'message');
  anumber(bitLength, 'bitLength');
  if (Math.ceil(bitLength / 8) > msg.length) {
    throw new RangeError(`"message" has ${msg.length} bytes, fewer than bitLength ${bitLength} needs`);
  }
  const whole = bitLength >> 3;
  const r = bitLength & 7;
  const outLen = h.canXOF ? dkLenOf(opts, h.outputLen) : h.outputLen;
  const tail = r === 0 ? 0 : msg[whole]! >> (8 - r);
  const suffix = tail | ((h.canXOF ? DS_SHAKE : DS_SHA3) << r);
  const k = new Keccak(h.blockLen, suffix < 0x100 ? suffix : suffix >> 8, outLen, true);
  k.update(msg.subarray(0, whole));
  if (suffix >= 0x100) k.update(Uint8Array.of(suffix & 0xff));
  return k.xofInto(new Uint8Array(outLen));
}
