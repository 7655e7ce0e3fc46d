// FIPS 204 ML-DSA backed by the enclave, with the API of @noble/post-quantum
// 0.7 ml-dsa.js: `ml_dsa65.keygen(seed?)`, `.sign(msg, secretKey, opts?)`,
// `.verify(sig, msg, publicKey, opts?)`, `.getPublicKey(secretKey)`,
// `.prehash(hash)` (HashML-DSA), `.internal.sign/verify` (with
// `externalMu`), `.lengths`. Same bytes out for the same inputs.
//
// The enclave signs and verifies given mu = H(tr || M', 64); the host builds
// M' (FIPS 204 Algorithms 2-5: 0 || |ctx| || ctx || M, or 1 || |ctx| || ctx ||
// OID || PH(M)) and streams it through the enclave's SHAKE256, so messages of
// any length never need to fit the I/O window. verify returns false for any
// malformed signature and throws only on API misuse.
import * as L from '../abi/lengths.js';
import * as S from '../abi/status.js';
import { abytes, isBytes, randomBytes } from './bytes.js';
import { AwreError, checkStatus } from './errors.js';
import { defaultEnclave } from './enclave/enclave.js';
import { shake256, type CHash, type CHashXOF } from './sha3.js';

export type DSALengths = Readonly<{ secretKey: number; publicKey: number; seed: number; signature: number; signRand: number }>;
export type SigOpts = { context?: Uint8Array; extraEntropy?: Uint8Array | false };
export type VerOpts = { context?: Uint8Array };
export type InternalSigOpts = { extraEntropy?: Uint8Array | false; externalMu?: boolean };
export type InternalVerOpts = { externalMu?: boolean };
type AnyHash = CHash | CHashXOF | ((msg: Uint8Array) => Uint8Array) & { outputLen: number; oid?: Uint8Array; create: unknown };

export interface DSAInternal {
  readonly info: Readonly<{ type: 'internal-ml-dsa' }>;
  readonly lengths: DSALengths;
  keygen(seed?: Uint8Array): { publicKey: Uint8Array; secretKey: Uint8Array };
  getPublicKey(secretKey: Uint8Array): Uint8Array;
  sign(msg: Uint8Array, secretKey: Uint8Array, opts?: InternalSigOpts): Uint8Array;
  verify(sig: Uint8Array, msg: Uint8Array, publicKey: Uint8Array, opts?: InternalVerOpts): boolean;
}

export interface Signer {
  readonly info: Readonly<{ type: 'ml-dsa' | 'hashml-dsa' }>;
  readonly securityLevel: number;
  readonly lengths: DSALengths;
  keygen(seed?: Uint8Array): { publicKey: Uint8Array; secretKey: Uint8Array };
  getPublicKey(secretKey: Uint8Array): Uint8Array;
  sign(msg: Uint8Array, secretKey: Uint8Array, opts?: SigOpts): Uint8Array;
  verify(sig: Uint8Array, msg: Uint8Array, publicKey: Uint8Array, opts?: VerOpts): boolean;
}

export interface MLDSA extends Signer {
  readonly internal: DSAInternal;
  prehash(hash: AnyHash): Signer;
}

/** Reject option keys we do not know (a typo must not silently change the algorithm). */
function checkOpts<T extends object>(opts: unknown, allowed: readonly string[]): T {
  if (opts === undefined) return {} as T;
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) throw new TypeError('"opts" expected object');
  for (const k of Object.keys(opts)) {
    if (!allowed.includes(k)) throw new TypeError(`"opts" has unknown key "${k}"; expected one of ${allowed.join(', ')}`);
  }
  return opts as T;
}

function contextOf(ctx: unknown): Uint8Array {
  if (ctx === undefined) return new Uint8Array(0);
  abytes(ctx, undefined, 'opts.context');
  const c = ctx as Uint8Array;
  if (c.length > 255) throw new RangeError(`"opts.context" expected at most 255 bytes, got length=${c.length}`);
  return c;
}

/** rnd for signing: false -> 0^32 (deterministic), bytes -> as given (32), undefined -> fresh. */
function rndOf(extra: unknown): Uint8Array {
  if (extra === false) return new Uint8Array(L.MLDSA_RND_BYTES);
  if (extra === undefined) return randomBytes(L.MLDSA_RND_BYTES);
  return abytes(extra, L.MLDSA_RND_BYTES, 'opts.extraEntropy');
}

/** FIPS 204 pre-hash functions: the hash must be a NIST one (its OID) with enough collision resistance. */
function checkPrehash(hash: AnyHash, securityLevel: number): Uint8Array {
  if (typeof hash !== 'function' || typeof (hash as { create?: unknown }).create !== 'function') {
    throw new TypeError(`"hash" expected hash function, got type=${typeof hash}`);
  }
  const oid = (hash as { oid?: unknown }).oid;
  if (!isBytes(oid) || oid.length !== 11 || oid[0] !== 0x06 || oid[1] !== 0x09) {
    throw new TypeError('"hash.oid" expected the DER OID of a NIST hash (2.16.840.1.101.3.4.2.x)');
  }
  const prefix = [0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02];
  if (!prefix.every((b, i) => oid[i] === b)) throw new TypeError('"hash.oid" is not a NIST hash OID');
  const xofLen = oid[10] === 0x0b ? 32 : oid[10] === 0x0c ? 64 : undefined;
  if (xofLen !== undefined && hash.outputLen !== xofLen) {
    throw new RangeError(`pre-hash XOF output must be ${xofLen} bytes for this OID, got ${hash.outputLen}`);
  }
  if ((hash.outputLen * 8) / 2 < securityLevel) {
    throw new RangeError(`pre-hash of ${hash.outputLen * 8} bits is too weak for security level ${securityLevel}`);
  }
  return oid;
}

/** tr || M' up to this many bytes is hashed into mu in one enclave call (host/sha3.ts oneShot: within half the I/O window). */
const MU_JOIN_BYTES = 16384;

function mldsa(level: 44 | 65 | 87, publicKey: number, secretKey: number, signature: number, securityLevel: number): MLDSA {
  const lengths: DSALengths = Object.freeze({ secretKey, publicKey, seed: L.MLDSA_SEED_BYTES, signature, signRand: L.MLDSA_RND_BYTES });
  const name = `ML-DSA-${level}`;

  /**
   * mu = H(tr || parts..., 64) through the enclave's SHAKE256: joined and
   * hashed in one call when tr || M' is at most MU_JOIN_BYTES (a signature's
   * usual message; each streamed update swaps the 208-byte Keccak context in
   * and out, about 4 us a call), else streamed without a copy of M.
   */
  const muOf = (tr: Uint8Array, parts: Uint8Array[]): Uint8Array => {
    const total = parts.reduce((n, p) => n + p.length, tr.length);
    if (total <= MU_JOIN_BYTES) {
      const joined = new Uint8Array(total);
      joined.set(tr);
      let at = tr.length;
      for (const p of parts) { joined.set(p, at); at += p.length; }
      return shake256(joined, { dkLen: L.MLDSA_MU_BYTES });
    }
    const h = shake256.create({ dkLen: L.MLDSA_MU_BYTES }).update(tr);
    for (const p of parts) h.update(p);
    return h.digest();
  };

  const keygen = (seed?: Uint8Array) => {
    const xi = seed === undefined ? randomBytes(L.MLDSA_SEED_BYTES) : abytes(seed, L.MLDSA_SEED_BYTES, 'seed');
    const e = defaultEnclave();
    const pkOff = L.MLDSA_SEED_BYTES;
    const skOff = pkOff + publicKey;
    try {
      checkStatus(e.exports.mldsa_keygen(level, e.put(0, xi), e.io + pkOff, e.io + skOff), `${name}.keygen`);
      return { publicKey: e.get(pkOff, publicKey), secretKey: e.get(skOff, secretKey) };
    } finally {
      e.wipe(0, skOff + secretKey);
      if (seed === undefined) xi.fill(0);
    }
  };

  const getPublicKey = (sk: Uint8Array) => {
    abytes(sk, secretKey, 'secretKey');
    const e = defaultEnclave();
    try {
      const st = e.exports.mldsa_pk_from_sk(level, e.put(0, sk), e.io + secretKey);
      if (st === S.ERR_SK_MALFORMED) throw new AwreError('SK_MALFORMED', `${name}.getPublicKey: secretKey has an s1/s2 coefficient outside [-eta, eta]`, { status: st });
      checkStatus(st, `${name}.getPublicKey`);
      return e.get(secretKey, publicKey);
    } finally {
      e.wipe(0, secretKey + publicKey);
    }
  };

  /** Sign_internal given mu. */
  const signMu = (mu: Uint8Array, sk: Uint8Array, rnd: Uint8Array): Uint8Array => {
    const e = defaultEnclave();
    const muOff = secretKey;
    const rOff = muOff + L.MLDSA_MU_BYTES;
    const sigOff = rOff + L.MLDSA_RND_BYTES;
    try {
      const st = e.exports.mldsa_sign(level, e.put(0, sk), e.put(muOff, mu), e.put(rOff, rnd), e.io + sigOff);
      if (st === S.ERR_SK_MALFORMED) throw new AwreError('SK_MALFORMED', `${name}.sign: secretKey has an s1/s2 coefficient outside [-eta, eta]`, { status: st });
      if (st === S.ERR_SIGN_LOOP) throw new AwreError('SIGN_FAILED', `${name}.sign: every attempt of the rejection loop was rejected (is the secret key consistent?)`, { status: st });
      checkStatus(st, `${name}.sign`);
      return e.get(sigOff, signature);
    } finally {
      e.wipe(0, sigOff + signature);
    }
  };

  /** Verify_internal given mu; a signature of the wrong length is simply invalid. */
  const verifyMu = (sig: Uint8Array, mu: Uint8Array, pk: Uint8Array): boolean => {
    if (sig.length !== signature) return false;
    const e = defaultEnclave();
    const muOff = publicKey;
    const sigOff = muOff + L.MLDSA_MU_BYTES;
    try {
      const v = e.exports.mldsa_verify(level, e.put(0, pk), e.put(muOff, mu), e.put(sigOff, sig));
      if (v < 0) checkStatus(v, `${name}.verify`);
      return v === 1;
    } finally {
      e.wipe(0, sigOff + signature);
    }
  };

  const trOfPk = (pk: Uint8Array) => shake256(pk, { dkLen: L.MLDSA_TR_BYTES });
  const trOfSk = (sk: Uint8Array) => sk.subarray(64, 128);

  /** sign with M' given as parts (streamed into mu), rnd from opts. */
  const signParts = (parts: Uint8Array[], sk: Uint8Array, extra: unknown): Uint8Array => {
    abytes(sk, secretKey, 'secretKey');
    const rnd = rndOf(extra);
    try {
      return signMu(muOf(trOfSk(sk), parts), sk, rnd);
    } finally {
      if (extra === undefined) rnd.fill(0);
    }
  };

  const verifyParts = (sig: Uint8Array, parts: Uint8Array[], pk: Uint8Array): boolean => {
    abytes(pk, publicKey, 'publicKey');
    return verifyMu(sig, muOf(trOfPk(pk), parts), pk);
  };

  const internal: DSAInternal = Object.freeze({
    info: Object.freeze({ type: 'internal-ml-dsa' as const }),
    lengths, keygen, getPublicKey,
    sign: (msg: Uint8Array, sk: Uint8Array, opts?: InternalSigOpts) => {
      const o = checkOpts<InternalSigOpts>(opts, ['extraEntropy', 'externalMu']);
      if (o.externalMu !== undefined && typeof o.externalMu !== 'boolean') throw new TypeError('"opts.externalMu" expected boolean');
      if (!o.externalMu) return signParts([abytes(msg, undefined, 'message')], sk, o.extraEntropy);
      abytes(msg, L.MLDSA_MU_BYTES, 'mu');
      abytes(sk, secretKey, 'secretKey');
      const rnd = rndOf(o.extraEntropy);
      try {
        return signMu(msg, sk, rnd);
      } finally {
        if (o.extraEntropy === undefined) rnd.fill(0);
      }
    },
    verify: (sig: Uint8Array, msg: Uint8Array, pk: Uint8Array, opts?: InternalVerOpts) => {
      const o = checkOpts<InternalVerOpts>(opts, ['externalMu']);
      if (o.externalMu !== undefined && typeof o.externalMu !== 'boolean') throw new TypeError('"opts.externalMu" expected boolean');
      abytes(sig, undefined, 'signature');
      if (!o.externalMu) return verifyParts(sig, [abytes(msg, undefined, 'message')], pk);
      abytes(msg, L.MLDSA_MU_BYTES, 'mu');
      abytes(pk, publicKey, 'publicKey');
      return verifyMu(sig, msg, pk);
    },
  });

  /** The external pure interface (Algorithms 2 and 3): M' = 0 || |ctx| || ctx || M. */
  const sign = (msg: Uint8Array, sk: Uint8Array, opts?: SigOpts) => {
    const o = checkOpts<SigOpts>(opts, ['context', 'extraEntropy']);
    const ctx = contextOf(o.context);
    return signParts([Uint8Array.of(0, ctx.length), ctx, abytes(msg, undefined, 'message')], sk, o.extraEntropy);
  };
  const verify = (sig: Uint8Array, msg: Uint8Array, pk: Uint8Array, opts?: VerOpts) => {
    const o = checkOpts<VerOpts>(opts, ['context']);
    const ctx = contextOf(o.context);
    abytes(sig, undefined, 'signature');
    return verifyParts(sig, [Uint8Array.of(0, ctx.length), ctx, abytes(msg, undefined, 'message')], pk);
  };

  /** HashML-DSA (Algorithms 4 and 5): M' = 1 || |ctx| || ctx || OID || PH(M). */
  const prehash = (hash: AnyHash): Signer => {
    const oid = checkPrehash(hash, securityLevel);
    const ph = hash as (m: Uint8Array) => Uint8Array;
    // The hash's output is checked as bytes: mu's one-call path copies the parts with
    // Uint8Array.set, which would take a string or an Array without a word.
    const parts = (msg: Uint8Array, ctx: Uint8Array) =>
      [Uint8Array.of(1, ctx.length), ctx, oid, abytes(ph(abytes(msg, undefined, 'message')), undefined, 'hash output')];
    return Object.freeze({
      info: Object.freeze({ type: 'hashml-dsa' as const }),
      securityLevel, lengths, keygen, getPublicKey,
      sign: (msg: Uint8Array, sk: Uint8Array, opts?: SigOpts) => {
        const o = checkOpts<SigOpts>(opts, ['context', 'extraEntropy']);
        return signParts(parts(msg, contextOf(o.context)), sk, o.extraEntropy);
      },
      verify: (sig: Uint8Array, msg: Uint8Array, pk: Uint8Array, opts?: VerOpts) => {
        const o = checkOpts<VerOpts>(opts, ['context']);
        abytes(sig, undefined, 'signature');
        return verifyParts(sig, parts(msg, contextOf(o.context)), pk);
      },
    });
  };

  return Object.freeze({
    info: Object.freeze({ type: 'ml-dsa' as const }),
    internal, securityLevel, lengths, keygen, getPublicKey, sign, verify, prehash,
  });
}

/** ML-DSA-44: NIST security category 2. */
export const ml_dsa44: MLDSA = mldsa(44, L.MLDSA44_PK_BYTES, L.MLDSA44_SK_BYTES, L.MLDSA44_SIG_BYTES, 128);
/** ML-DSA-65: NIST security category 3. */
export const ml_dsa65: MLDSA = mldsa(65, L.MLDSA65_PK_BYTES, L.MLDSA65_SK_BYTES, L.MLDSA65_SIG_BYTES, 192);
/** ML-DSA-87: NIST security category 5. */
export const ml_dsa87: MLDSA = mldsa(87, L.MLDSA87_PK_BYTES, L.MLDSA87_SK_BYTES, L.MLDSA87_SIG_BYTES, 256);
