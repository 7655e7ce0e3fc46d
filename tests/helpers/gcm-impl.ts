// The AES-GCM implementation under test, chosen by AWRE_GCM_IMPL:
//   (unset) or "awre" -> awre's host API: gcm from ../../host/index.js
//   "noble"           -> a thin adapter over @noble/ciphers/aes.js gcm
//   "node"            -> a thin adapter over node:crypto createCipheriv/createDecipheriv
// The stand-ins check the test logic (vector mapping, differential harness,
// tampering, argument checks) before awre's GCM exists. Both adapters check
// arguments the way awre's API is specified (TypeError / RangeError naming the
// argument, AUTH_FAILED as an error with that code) so that every test runs
// unchanged; what a stand-in cannot do is declared in its capabilities:
// - noble refuses nonces under 8 bytes (minNonce 8) and has a fixed 16-byte
//   tag: the adapter truncates the tag on encrypt, and for a truncated tag on
//   decrypt recomputes it (CTR is its own inverse: encrypt(ct) gives pt, then
//   encrypt(pt) gives the full tag) and compares the first tagLength bytes.
// - node (OpenSSL) refuses IVs over 128 bytes (maxNonce 128). Its adapter also
//   takes an optional output buffer for decrypt, written before the tag is
//   checked (OpenSSL's update() releases plaintext before final() verifies)
//   and zeroed on failure: the negative tests exercise both "output buffer"
//   branches against the two stand-ins.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { gcm as nobleGcm } from '@noble/ciphers/aes.js';
import { KEY_LENGTHS, NOBLE_MIN_NONCE, NODE_MAX_IV, TAG_LENGTHS } from './gcm-ref.js';

export interface GcmOpts {
  tagLength?: number;
}

export interface GcmCipher {
  encrypt(plaintext: Uint8Array, output?: Uint8Array): Uint8Array;
  decrypt(ciphertextAndTag: Uint8Array, output?: Uint8Array): Uint8Array;
}

export type GcmFn = (key: Uint8Array, nonce: Uint8Array, aad?: Uint8Array, opts?: GcmOpts) => GcmCipher;

export type ErrorClass = new (...a: any[]) => Error & { code: string };

export interface Impl {
  name: 'awre' | 'noble' | 'node';
  gcm: GcmFn;
  /** The class of authentication failures (awre's AwreError, or the stand-ins' look-alike). */
  AwreError: ErrorClass;
  /** Nonce lengths the implementation takes (awre: 1 .. unbounded). */
  minNonce: number;
  maxNonce: number;
  /** The enclave's linear memory (awre only), for "no secret left behind" checks. */
  enclaveMemory: (() => Uint8Array) | undefined;
}

const which = (process.env.AWRE_GCM_IMPL ?? 'awre').trim().toLowerCase();
if (which !== 'awre' && which !== 'noble' && which !== 'node') {
  throw new Error(`AWRE_GCM_IMPL must be "awre", "noble" or "node", got ${JSON.stringify(process.env.AWRE_GCM_IMPL)}`);
}

// ---- argument checks of the stand-ins (the awre API contract) --------------------------------

/** An error with awre's shape (name "AwreError", a code) for the stand-ins. */
export class StandInAwreError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'AwreError';
    this.code = code;
  }
}

const isBytes = (v: unknown): v is Uint8Array =>
  v instanceof Uint8Array || (ArrayBuffer.isView(v) && v.constructor.name === 'Uint8Array');

function checkBytes(v: unknown, name: string): asserts v is Uint8Array {
  if (!isBytes(v)) throw new TypeError(`"${name}" expected Uint8Array, got ${v === null ? 'null' : typeof v}`);
}

/** Validate gcm()'s arguments as awre's API specifies; returns the tag length. */
function checkArgs(key: unknown, nonce: unknown, aad: unknown, opts: GcmOpts | undefined): number {
  checkBytes(key, 'key');
  if (!(KEY_LENGTHS as readonly number[]).includes(key.length)) throw new RangeError(`"key" expected 16, 24 or 32 bytes, got ${key.length}`);
  checkBytes(nonce, 'nonce');
  if (nonce.length < 1) throw new RangeError('"nonce" expected at least 1 byte, got 0');
  if (aad !== undefined) checkBytes(aad, 'aad');
  const t = opts?.tagLength ?? 16;
  if (typeof t !== 'number') throw new TypeError(`"tagLength" expected a number, got ${typeof t}`);
  if (!(TAG_LENGTHS as readonly number[]).includes(t)) throw new RangeError(`"tagLength" expected one of ${TAG_LENGTHS.join(', ')}, got ${t}`);
  return t;
}

function checkCiphertext(ct: unknown, t: number): asserts ct is Uint8Array {
  checkBytes(ct, 'ciphertext');
  if (ct.length < t) throw new RangeError(`"ciphertext" expected at least ${t} bytes (the tag), got ${ct.length}`);
}

const authFailed = () => new StandInAwreError('AUTH_FAILED', 'aes-gcm: authentication failed');

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

// ---- noble stand-in ---------------------------------------------------------------------------

const nobleAdapter: GcmFn = (key, nonce, aad, opts) => {
  const t = checkArgs(key, nonce, aad, opts);
  if (nonce.length < NOBLE_MIN_NONCE) throw new Error(`stand-in (noble): nonces under ${NOBLE_MIN_NONCE} bytes are not supported`);
  const k = key.slice(), n = nonce.slice(), a = aad?.slice();
  const noOutput = (output: unknown) => {
    if (output !== undefined) throw new Error('stand-in (noble): cipher output not supported'); // as noble's gcm
  };
  return {
    encrypt(pt, output) {
      checkBytes(pt, 'plaintext');
      noOutput(output);
      const full = nobleGcm(k, n, a).encrypt(pt);
      return t === 16 ? full : full.slice(0, pt.length + t);
    },
    decrypt(ct, output) {
      checkCiphertext(ct, t);
      noOutput(output);
      if (t === 16) {
        try {
          return nobleGcm(k, n, a).decrypt(ct);
        } catch (e) {
          if (/invalid tag/.test((e as Error).message)) throw authFailed();
          throw e;
        }
      }
      const body = ct.subarray(0, ct.length - t);
      const pt = nobleGcm(k, n, a).encrypt(body).subarray(0, body.length);
      const full = nobleGcm(k, n, a).encrypt(pt);
      if (!equal(full.subarray(body.length, body.length + t), ct.subarray(body.length))) {
        pt.fill(0);
        throw authFailed();
      }
      const out = pt.slice();
      pt.fill(0);
      return out;
    },
  };
};

// ---- node stand-in ----------------------------------------------------------------------------

const nodeAdapter: GcmFn = (key, nonce, aad, opts) => {
  const t = checkArgs(key, nonce, aad, opts);
  if (nonce.length > NODE_MAX_IV) throw new Error(`stand-in (node): nonces over ${NODE_MAX_IV} bytes are not supported`);
  const k = Buffer.from(key), n = Buffer.from(nonce), a = aad === undefined ? undefined : Buffer.from(aad);
  const algo = `aes-${k.length * 8}-gcm` as 'aes-128-gcm';
  const checkOutput = (output: unknown, len: number) => {
    if (output === undefined) return;
    checkBytes(output, 'output');
    if (output.length !== len) throw new RangeError(`"output" expected ${len} bytes, got ${output.length}`);
  };
  return {
    encrypt(pt, output) {
      checkBytes(pt, 'plaintext');
      checkOutput(output, pt.length + t);
      const c = createCipheriv(algo, k, n, { authTagLength: t });
      if (a !== undefined && a.length > 0) c.setAAD(a);
      const body = Buffer.concat([c.update(pt), c.final()]);
      const out = output ?? new Uint8Array(pt.length + t);
      out.set(body, 0);
      out.set(c.getAuthTag(), body.length);
      return out;
    },
    decrypt(ct, output) {
      checkCiphertext(ct, t);
      const len = ct.length - t;
      checkOutput(output, len);
      const d = createDecipheriv(algo, k, n, { authTagLength: t });
      d.setAuthTag(ct.subarray(len));
      if (a !== undefined && a.length > 0) d.setAAD(a);
      const out = output ?? new Uint8Array(len);
      const body = d.update(ct.subarray(0, len));
      out.set(body, 0); // released before the tag check, as a streaming implementation would
      body.fill(0);
      try {
        out.set(d.final(), body.length);
      } catch {
        out.fill(0);
        throw authFailed();
      }
      return out;
    },
  };
};

// ---- selection --------------------------------------------------------------------------------

async function load(): Promise<Impl> {
  if (which === 'noble') {
    return { name: 'noble', gcm: nobleAdapter, AwreError: StandInAwreError, minNonce: NOBLE_MIN_NONCE, maxNonce: Infinity, enclaveMemory: undefined };
  }
  if (which === 'node') {
    return { name: 'node', gcm: nodeAdapter, AwreError: StandInAwreError, minNonce: 1, maxNonce: NODE_MAX_IV, enclaveMemory: undefined };
  }
  const host = (await import('../../host/index.js')) as Record<string, any>;
  if (typeof host.gcm !== 'function') {
    throw new Error('host/index.ts does not export gcm (is awre\'s AES-GCM in place?); set AWRE_GCM_IMPL=noble or AWRE_GCM_IMPL=node to check the tests against a stand-in');
  }
  return {
    name: 'awre',
    gcm: host.gcm as GcmFn,
    AwreError: host.AwreError as ErrorClass,
    minNonce: 1,
    maxNonce: Infinity,
    enclaveMemory: typeof host.defaultEnclave === 'function' ? () => host.defaultEnclave().memory() as Uint8Array : undefined,
  };
}

export const IMPL: Impl = await load();
export const IS_AWRE = IMPL.name === 'awre';

/** Whether the implementation takes a nonce of this length (all do except the stand-ins' limits). */
export const nonceSupported = (len: number): boolean => len >= IMPL.minNonce && len <= IMPL.maxNonce;
