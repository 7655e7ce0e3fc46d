// FIPS 203 ML-KEM backed by the enclave, with the API of @noble/post-quantum
// 0.7 ml-kem.js: `ml_kem768.keygen(seed?)`, `.encapsulate(publicKey, msg?)`,
// `.decapsulate(cipherText, secretKey)`, `.getPublicKey(secretKey)`,
// `.prepare(publicKey)`, `.lengths`. Same bytes out for the same inputs.
//
// Inputs are validated here (TypeError / RangeError naming the argument); the
// enclave checks FIPS 203 sections 7.2 and 7.3 and the host turns those
// statuses into AwreError('EK_MODULUS' | 'DK_HASH'). Secrets that passed
// through the I/O window are wiped from it before returning.
import * as L from '../abi/lengths.js';
import { abytes, randomBytes } from './bytes.js';
import { AwreError, checkStatus } from './errors.js';
import { defaultEnclave } from './enclave/enclave.js';

export type KEMLengths = Readonly<{
  secretKey: number; publicKey: number; cipherText: number; seed: number; msg: number; msgRand: number;
}>;

export interface KEMPrepared {
  readonly publicKey: Uint8Array;
  encapsulate(msg?: Uint8Array): { cipherText: Uint8Array; sharedSecret: Uint8Array };
  decapsulate(cipherText: Uint8Array, secretKey: Uint8Array): Uint8Array;
  clean(): void;
}

export interface MLKEM {
  readonly info: Readonly<{ type: 'ml-kem' }>;
  readonly lengths: KEMLengths;
  keygen(seed?: Uint8Array): { publicKey: Uint8Array; secretKey: Uint8Array };
  getPublicKey(secretKey: Uint8Array): Uint8Array;
  encapsulate(publicKey: Uint8Array, msg?: Uint8Array): { cipherText: Uint8Array; sharedSecret: Uint8Array };
  decapsulate(cipherText: Uint8Array, secretKey: Uint8Array): Uint8Array;
  prepare(publicKey: Uint8Array): KEMPrepared;
}

function mlkem(level: 512 | 768 | 1024, publicKey: number, secretKey: number, cipherText: number): MLKEM {
  const lengths: KEMLengths = Object.freeze({
    secretKey, publicKey, cipherText,
    seed: L.MLKEM_KEYGEN_SEED_BYTES, msg: L.MLKEM_SEED_BYTES, msgRand: L.MLKEM_SEED_BYTES,
  });
  const ssLen = L.MLKEM_SS_BYTES;
  const ekInDk = secretKey - publicKey - 64; // dk = dk_PKE || ek || H(ek) || z

  const keygen = (seed?: Uint8Array) => {
    const s = seed === undefined ? randomBytes(lengths.seed) : abytes(seed, lengths.seed, 'seed');
    const e = defaultEnclave();
    const ekOff = lengths.seed;
    const dkOff = ekOff + publicKey;
    try {
      const st = e.exports.mlkem_keygen(level, e.put(0, s), e.io + ekOff, e.io + dkOff);
      checkStatus(st, `ML-KEM-${level}.keygen`);
      return { publicKey: e.get(ekOff, publicKey), secretKey: e.get(dkOff, secretKey) };
    } finally {
      e.wipe(0, dkOff + secretKey);
      if (seed === undefined) s.fill(0);
    }
  };

  const encapsulate = (pk: Uint8Array, msg?: Uint8Array) => {
    abytes(pk, publicKey, 'publicKey');
    const m = msg === undefined ? randomBytes(lengths.msg) : abytes(msg, lengths.msg, 'message');
    const e = defaultEnclave();
    const mOff = publicKey;
    const ctOff = mOff + lengths.msg;
    const ssOff = ctOff + cipherText;
    try {
      const st = e.exports.mlkem_encaps(level, e.put(0, pk), e.put(mOff, m), e.io + ctOff, e.io + ssOff);
      checkStatus(st, `ML-KEM-${level}.encapsulate`);
      return { cipherText: e.get(ctOff, cipherText), sharedSecret: e.get(ssOff, ssLen) };
    } finally {
      e.wipe(mOff, ssOff + ssLen - mOff);
      if (msg === undefined) m.fill(0);
    }
  };

  const decapsulate = (ct: Uint8Array, sk: Uint8Array) => {
    abytes(sk, secretKey, 'secretKey');
    abytes(ct, cipherText, 'cipherText');
    const e = defaultEnclave();
    const ctOff = secretKey;
    const ssOff = ctOff + cipherText;
    try {
      const st = e.exports.mlkem_decaps(level, e.put(0, sk), e.put(ctOff, ct), e.io + ssOff);
      checkStatus(st, `ML-KEM-${level}.decapsulate`);
      return e.get(ssOff, ssLen);
    } finally {
      e.wipe(0, ssOff + ssLen);
    }
  };

  const getPublicKey = (sk: Uint8Array) => abytes(sk, secretKey, 'secretKey').slice(ekInDk, ekInDk + publicKey);

  const prepare = (pk: Uint8Array): KEMPrepared => {
    abytes(pk, publicKey, 'publicKey');
    const e = defaultEnclave();
    try {
      checkStatus(e.exports.mlkem_check_ek(level, e.put(0, pk)), `ML-KEM-${level}.prepare`);
    } finally {
      e.wipe(0, publicKey);
    }
    const ek = pk.slice();
    return Object.freeze({
      publicKey: ek,
      encapsulate: (msg?: Uint8Array) => encapsulate(ek, msg),
      decapsulate: (ct: Uint8Array, sk: Uint8Array) => {
        abytes(sk, secretKey, 'secretKey');
        const embedded = sk.subarray(ekInDk, ekInDk + publicKey);
        if (!embedded.every((b, i) => b === ek[i])) {
          throw new AwreError('KEY_MISMATCH', `ML-KEM-${level}.decapsulate: secretKey does not match the prepared publicKey`);
        }
        return decapsulate(ct, sk);
      },
      clean: () => ek.fill(0),
    });
  };

  return Object.freeze({
    info: Object.freeze({ type: 'ml-kem' as const }),
    lengths, keygen, getPublicKey, encapsulate, decapsulate, prepare,
  });
}

/** ML-KEM-512 (k = 2): NIST security category 1. */
export const ml_kem512: MLKEM = mlkem(512, L.MLKEM512_EK_BYTES, L.MLKEM512_DK_BYTES, L.MLKEM512_CT_BYTES);
/** ML-KEM-768 (k = 3): NIST security category 3. */
export const ml_kem768: MLKEM = mlkem(768, L.MLKEM768_EK_BYTES, L.MLKEM768_DK_BYTES, L.MLKEM768_CT_BYTES);
/** ML-KEM-1024 (k = 4): NIST security category 5. */
export const ml_kem1024: MLKEM = mlkem(1024, L.MLKEM1024_EK_BYTES, L.MLKEM1024_DK_BYTES, L.MLKEM1024_CT_BYTES);
