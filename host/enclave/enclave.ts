// One instance of the enclave module and the host's view of its I/O window.
// The host only ever touches memory through this class: inputs are copied into
// the window, outputs copied out, and windows that held secrets are wiped.
import { wasmFeatures } from '../features.js';
import { ABI_VERSION } from '../../abi/lengths.js';
import { AwreError } from '../errors.js';
import { PhysicalMemory, instantiateWaven, wavenLayout, type WavenFault } from '../waven/physical.js';
import { platform } from '#platform';
import { moduleDigest, readModule } from './module.js';

/**
 * How the enclave's memory is reached: 'off' runs build/enclave.wasm on its
 * own flat memory; 'waven' runs build/enclave.waven.wasm, whose every access
 * goes through WAVEN page tables in a physical memory owned by the host.
 */
export type MmuMode = 'off' | 'waven';

export interface EnclaveOptions {
  mmu?: MmuMode;
  /** WAVEN mode: the physical memory to join (several instances share one); a new one by default. */
  physical?: PhysicalMemory;
  /** WAVEN mode: this instance's name in the physical memory. */
  instance?: string;
}

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
  /**
   * Decrypting, `token` is the binding token gcm_auth wrote for the position
   * where this chunk ends (not needed for the chunk that ends the data);
   * encrypting it is ignored. 0 (or omitted): none (docs/gcm.md).
   */
  gcm_crypt(src: number, dst: number, len: number, token: number): number;
  /** Writes the 16-byte binding token of the position after this chunk at `token` (0 or omitted: none). */
  gcm_auth(src: number, len: number, token: number): number;
  gcm_finish(tag: number): number;
  gcm_end(): void;
  vault_kem_keygen(level: number): number;
  /** usage: 1 handshake (PQC1 v2 only), 2 attest (vault_attest_sign only), 3 general (vault_dsa_sign only), 4 identity (vault_identity_sign, sealable). */
  vault_dsa_keygen(level: number, usage: number): number;
  vault_public(handle: number, out: number): number;
  vault_public_bytes(handle: number): number;
  vault_level(handle: number): number;
  vault_dsa_sign(handle: number, mu: number, sig: number): number;
  vault_attest_sign(handle: number, msg: number, msgLen: number, sig: number): number;
  vault_identity_sign(handle: number, msg: number, msgLen: number, sig: number): number;
  vault_sealed_bytes(level: number): number;
  vault_seal(handle: number, secret: number, aad: number, aadLen: number, out: number, outLen: number): number;
  vault_unseal(secret: number, aad: number, aadLen: number, blob: number, blobLen: number): number;
  vault_free(handle: number): number;
  pqc_alloc(len: number): number;
  pqc_free(ptr: number, len: number): void;
  pqc_handshake(req: number, reqLen: number, out: number, outLen: number): number;
  pqc_respond(req: number, reqLen: number, out: number, outLen: number): number;
  pqc_finish(req: number, reqLen: number, out: number, outLen: number): number;
  pqc_complete(req: number, reqLen: number): number;
  pqc_seal(session: number, src: number, len: number, out: number, outLen: number): number;
  pqc_open(session: number, src: number, len: number, out: number, outLen: number): number;
  pqc_session_info(session: number, out: number): number;
  pqc_last_session(): number;
  drbg_instantiate(entropy: number, entropyLen: number, nonce: number, nonceLen: number, pers: number, persLen: number): number;
  drbg_reseed(entropy: number, entropyLen: number, add: number, addLen: number): number;
  drbg_uninstantiate(): number;
  drbg_requests(): number;
  /** Only in the test build (build/enclave.test.wasm): DRBG output into the I/O window, for the known-answer tests (docs/drbg.md). */
  drbg_generate_test?(out: number, len: number, add: number, addLen: number): number;
  /** Only in the test build: set a free vault slot's generation (the handle-wrap tests). */
  vault_test_set_generation?(slot: number, gen: number): number;
}

/** Every export the host relies on: the module must have each (and, tests/build.test.ts checks, no other). */
export const REQUIRED_EXPORTS: readonly (keyof EnclaveExports)[] = [
  'memory', 'abi_version', 'io_ptr', 'io_bytes', 'hctx_ptr', 'hctx_bytes', 'sha3_oneshot',
  'keccak_absorb', 'keccak_finish', 'keccak_squeeze', 'mlkem_keygen', 'mlkem_encaps',
  'mlkem_decaps', 'mlkem_check_ek', 'mlkem_check_dk',
  'mldsa_keygen', 'mldsa_sign', 'mldsa_verify', 'mldsa_pk_from_sk',
  'vault_kem_keygen', 'vault_dsa_keygen', 'vault_public', 'vault_public_bytes', 'vault_level', 'vault_dsa_sign', 'vault_attest_sign', 'vault_identity_sign', 'vault_sealed_bytes', 'vault_seal', 'vault_unseal', 'vault_free',
  'pqc_alloc', 'pqc_free', 'pqc_handshake', 'pqc_respond', 'pqc_finish', 'pqc_complete', 'pqc_seal', 'pqc_open', 'pqc_session_info', 'pqc_last_session',
  'gcm_init', 'gcm_iv', 'gcm_aad', 'gcm_crypt', 'gcm_auth', 'gcm_finish', 'gcm_end',
  'drbg_instantiate', 'drbg_reseed', 'drbg_uninstantiate', 'drbg_requests',
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

  /** 'off' or 'waven'. */
  readonly mmu: MmuMode;
  /** WAVEN mode: the physical memory and this instance's name in it. */
  readonly physical?: PhysicalMemory;
  readonly instance?: string;

  constructor(bytes: Uint8Array, options: EnclaveOptions = {}) {
    this.mmu = options.mmu ?? 'off';
    let instance: WebAssembly.Instance;
    try {
      const module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
      if (this.mmu === 'waven') {
        this.physical = options.physical ?? new PhysicalMemory();
        this.instance = options.instance ?? 'enclave';
        instance = instantiateWaven(this.physical, module, this.instance, wavenLayout(module));
      } else {
        instance = new WebAssembly.Instance(module, {});
      }
    } catch (cause) {
      if (cause instanceof AwreError) throw cause;
      // An engine without fixed-width SIMD cannot load any enclave build: say so rather than leave a decoder error.
      const why = wasmFeatures().simd ? '' : ' (this engine has no WebAssembly SIMD, which the enclave needs: Node 16.4+ or a current browser)';
      throw new AwreError('MODULE_INVALID', `enclave module does not load${why}: ${(cause as Error).message}`, { cause });
    }
    const ex = { ...(instance.exports as Record<string, unknown>) };
    if (this.mmu === 'waven') {
      // Every call is followed by the fault check; the physical memory stands in for the flat one.
      ex['memory'] = this.physical!.memory;
      for (const [name, fn] of Object.entries(instance.exports)) {
        if (typeof fn === 'function') ex[name] = this.guarded(fn as (...a: number[]) => number);
      }
    }
    for (const name of REQUIRED_EXPORTS) {
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

  /**
   * An enclave on the module fetched from `url` (a browser's usual way in;
   * WebAssembly.compileStreaming is not used, so any server MIME type works).
   */
  static async fromUrl(url: string | URL | Request, options: EnclaveOptions = {}): Promise<Enclave> {
    let res: Response;
    try {
      res = await fetch(url);
    } catch (cause) {
      throw new AwreError('MODULE_NOT_FOUND', `enclave module: fetch failed: ${(cause as Error).message}`, { cause });
    }
    if (!res.ok) throw new AwreError('MODULE_NOT_FOUND', `enclave module: HTTP ${res.status} ${res.statusText}`);
    return new Enclave(new Uint8Array(await res.arrayBuffer()), options);
  }

  /** WAVEN mode: run an export, then raise a fault if a store hit the exception frame. */
  private guarded(fn: (...a: number[]) => number): (...a: number[]) => number {
    return guardedExport(this.physical!, this.instance!, fn);
  }

  /** The whole linear memory (re-viewed if memory grew). */
  memory(): Uint8Array {
    if (this.view.byteLength === 0) this.view = new Uint8Array(this.exports.memory.buffer);
    return this.view;
  }

  /** Write `data` at the enclave (virtual) address `addr`. */
  write(addr: number, data: Uint8Array): void {
    if (this.physical) this.physical.write(this.instance!, addr, data);
    else this.memory().set(data, addr);
  }

  /** A copy of `len` bytes at the enclave (virtual) address `addr`. */
  read(addr: number, len: number): Uint8Array {
    if (this.physical) return this.physical.read(this.instance!, addr, len);
    return this.memory().slice(addr, addr + len);
  }

  /** Copy `out.length` bytes at the enclave (virtual) address `addr` into `out` (no copy in between); returns `out`. */
  readInto(addr: number, out: Uint8Array): Uint8Array {
    if (this.physical) return this.physical.readInto(this.instance!, addr, out);
    out.set(this.memory().subarray(addr, addr + out.length));
    return out;
  }

  /** Zero `len` bytes at the enclave (virtual) address `addr`. */
  zero(addr: number, len: number): void {
    if (this.physical) this.physical.fill0(this.instance!, addr, len);
    else this.memory().fill(0, addr, addr + len);
  }

  /** Copy `data` into the I/O window at `offset`; returns its address. */
  put(offset: number, data: Uint8Array): number {
    this.write(this.io + offset, data);
    return this.io + offset;
  }

  /** A copy of `len` bytes of the I/O window at `offset`. */
  get(offset: number, len: number): Uint8Array {
    return this.read(this.io + offset, len);
  }

  /** Zero `len` bytes of the I/O window at `offset` (after secrets passed). */
  wipe(offset: number, len: number): void {
    this.zero(this.io + offset, len);
  }
}

/** The typed error for a WAVEN fault. */
export function wavenFaultError(f: WavenFault): AwreError {
  return new AwreError('WAVEN_FAULT', `WAVEN fault in instance "${f.instance}": a store reached the exception page (offset ${f.offset})`, { got: f });
}

/**
 * A WAVEN instance's export, guarded: after the call, a store that went to
 * the exception frame raises AwreError('WAVEN_FAULT'). A call that throws (a
 * trap skips the module's fault epilogues: docs/waven.md) leaves the
 * exception frame wiped, so that unmapped pages read zeros again.
 */
export function guardedExport(physical: PhysicalMemory, instance: string, fn: (...a: number[]) => number): (...a: number[]) => number {
  return (...args: number[]) => {
    let r: number;
    try {
      r = fn(...args);
    } catch (err) {
      physical.scrubException(instance);
      throw err;
    }
    const fault = physical.checkFault(instance);
    if (fault !== undefined) throw wavenFaultError(fault);
    return r;
  };
}

let shared: Enclave | undefined;

/**
 * The process-wide enclave behind the noble-compatible API (loaded on first
 * use). AWRE_MMU=waven in the environment selects the WAVEN build;
 * AWRE_MMU=waven-check its checking build (build/enclave.waven-check.wasm,
 * which traps where a confined access strays: docs/waven.md), on which the
 * test suites run. In a browser the module must have been given first
 * (`await init()`, setModule(); docs/browser.md).
 */
export function defaultEnclave(): Enclave {
  if (shared === undefined) {
    const env = platform.env('AWRE_MMU');
    const mmu: MmuMode = env === 'waven' || env === 'waven-check' ? 'waven' : 'off';
    const name = env === 'waven-check' ? 'enclave.waven-check.wasm' : mmu === 'waven' ? 'enclave.waven.wasm' : 'enclave.wasm';
    shared = new Enclave(readModule(name), { mmu });
  }
  return shared;
}
