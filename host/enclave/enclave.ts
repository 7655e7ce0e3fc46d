// One instance of the enclave module and the host's view of its I/O window.
// The host only ever touches memory through this class: inputs are copied into
// the window, outputs copied out, and windows that held secrets are wiped.
import { ABI_VERSION } from '../../abi/lengths.js';
import { AwreError } from '../errors.js';
import { moduleDigest, readModule } from './module.js';

/** The exports of build/enclave.wasm (see assembly/index.ts). */
export interface EnclaveExports {
  readonly memory: WebAssembly.Memory;
  abi_version(): number;
  io_ptr(): number;
  io_bytes(): number;
  hctx_ptr(): number;
  hctx_bytes(): number;
  sha3_oneshot(rate: number, ds: number, src: number, len: number, dst: number, outLen: number): number;
  keccak_absorb(rate: number, src: number, len: number): number;
  keccak_finish(rate: number, ds: number): number;
  keccak_squeeze(rate: number, dst: number, len: number): number;
  mlkem_keygen(level: number, seed: number, ek: number, dk: number): number;
  mlkem_encaps(level: number, ek: number, m: number, ct: number, ss: number): number;
  mlkem_decaps(level: number, dk: number, ct: number, ss: number): number;
  mlkem_check_ek(level: number, ek: number): number;
  mlkem_check_dk(level: number, dk: number): number;
  mldsa_keygen(level: number, xi: number, pk: number, sk: number): number;
  mldsa_sign(level: number, sk: number, mu: number, rnd: number, sig: number): number;
  mldsa_verify(level: number, pk: number, mu: number, sig: number): number;
  mldsa_pk_from_sk(level: number, sk: number, pk: number): number;
  gcm_init(key: number, keyLen: number, tagLen: number, decrypt: number): number;
  gcm_iv(src: number, len: number): number;
  gcm_aad(src: number, len: number): number;
  gcm_crypt(src: number, dst: number, len: number): number;
  gcm_auth(src: number, len: number): number;
  gcm_finish(tag: number): number;
  gcm_end(): void;
}

const REQUIRED: readonly (keyof EnclaveExports)[] = [
  'memory', 'abi_version', 'io_ptr', 'io_bytes', 'hctx_ptr', 'hctx_bytes', 'sha3_oneshot',
  'keccak_absorb', 'keccak_finish', 'keccak_squeeze', 'mlkem_keygen', 'mlkem_encaps',
  'mlkem_decaps', 'mlkem_check_ek', 'mlkem_check_dk',
  'mldsa_keygen', 'mldsa_sign', 'mldsa_verify', 'mldsa_pk_from_sk',
  'gcm_init', 'gcm_iv', 'gcm_aad', 'gcm_crypt', 'gcm_auth', 'gcm_finish', 'gcm_end',
];

export class Enclave {
  readonly exports: EnclaveExports;
  /** SHA-256 of the module bytes, hex. */
  readonly digest: string;
  /** Address and size of the I/O window. */
  readonly io: number;
  readonly ioBytes: number;
  /** Address of the incremental-hash context. */
  readonly hctx: number;
  readonly hctxBytes: number;
  private view: Uint8Array;

  constructor(bytes: Uint8Array, imports: WebAssembly.Imports = {}) {
    let instance: WebAssembly.Instance;
    try {
      instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), imports);
    } catch (cause) {
      throw new AwreError('MODULE_INVALID', `enclave module does not load: ${(cause as Error).message}`, { cause });
    }
    const ex = instance.exports as Record<string, unknown>;
    for (const name of REQUIRED) {
      if (!(name in ex)) throw new AwreError('MODULE_INVALID', `enclave module lacks export "${name}"`);
    }
    this.exports = ex as unknown as EnclaveExports;
    const abi = this.exports.abi_version();
    if (abi !== ABI_VERSION) {
      throw new AwreError('ABI_MISMATCH', `enclave ABI ${abi}, host expects ${ABI_VERSION}`, { expected: ABI_VERSION, got: abi });
    }
    this.digest = moduleDigest(bytes);
    this.io = this.exports.io_ptr();
    this.ioBytes = this.exports.io_bytes();
    this.hctx = this.exports.hctx_ptr();
    this.hctxBytes = this.exports.hctx_bytes();
    this.view = new Uint8Array(this.exports.memory.buffer);
  }

  /** The whole linear memory (re-viewed if memory grew). */
  memory(): Uint8Array {
    if (this.view.byteLength === 0) this.view = new Uint8Array(this.exports.memory.buffer);
    return this.view;
  }

  /** Copy `data` into the I/O window at `offset`; returns its address. */
  put(offset: number, data: Uint8Array): number {
    this.memory().set(data, this.io + offset);
    return this.io + offset;
  }

  /** A copy of `len` bytes of the I/O window at `offset`. */
  get(offset: number, len: number): Uint8Array {
    const at = this.io + offset;
    return this.memory().slice(at, at + len);
  }

  /** Zero `len` bytes of the I/O window at `offset` (after secrets passed). */
  wipe(offset: number, len: number): void {
    const at = this.io + offset;
    this.memory().fill(0, at, at + len);
  }
}

let shared: Enclave | undefined;

/** The process-wide enclave behind the noble-compatible API (loaded on first use). */
export function defaultEnclave(): Enclave {
  shared ??= new Enclave(readModule());
  return shared;
}
