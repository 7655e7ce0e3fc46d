// Typed errors. A wrong type is a TypeError and a wrong length a RangeError,
// each naming the argument (as @noble/* do); everything else awre refuses is an
// AwreError with a stable `code`, and, where a comparison failed, the expected
// and calculated values (never secret bytes).
import * as S from '../abi/status.js';

export type AwreErrorCode =
  | 'EK_MODULUS' // FIPS 203 section 7.2: ek not reduced mod q
  | 'DK_HASH' // FIPS 203 section 7.3: H(ek) stored in dk does not match
  | 'HASH_STATE' // a hash object used after digest()/destroy()
  | 'KEY_MISMATCH' // a secret key that does not belong to the prepared public key
  | 'SK_MALFORMED' // FIPS 204 skDecode: s1/s2 coefficient outside [-eta, eta]
  | 'SIGN_FAILED' // ML-DSA signing rejected every attempt (FIPS 204 Appendix C bound)
  | 'AUTH_FAILED' // AES-GCM: the tag does not match; no plaintext released
  | 'NONCE_REUSE' // AES-GCM: a second encrypt() with the same key and nonce
  | 'WAVEN_FAULT' // a store reached an instance's exception page (read-only or unmapped)
  | 'DRBG_UNSEEDED' // the enclave DRBG was used before instantiation
  | 'DRBG_RESEED' // the enclave DRBG reached its reseed interval
  | 'BAD_HANDLE' // a vault handle that is stale, freed, forged or of the wrong type
  | 'VAULT_FULL' // every vault slot is in use
  | 'VAULT_USAGE' // a vault key used outside the usage it was generated for (a handshake key through a general export, ...)
  | 'ENCLAVE_ARG' // the enclave refused a pointer/length (a host bug)
  | 'ENCLAVE_INTERNAL' // the enclave reported an impossible state
  | 'MODULE_NOT_FOUND' // build/enclave.wasm is missing
  | 'MODULE_INVALID' // the module does not load or lacks an export
  | 'ABI_MISMATCH' // the module declares another ABI version
  | 'PQC_REFUSED' // a PQC1 v2 step or frame refused; `status` says why (docs/pqc1.md, section 7)
  | 'LOG_IO' // the ABW34 log cannot be opened or written
  | 'LOG_LOCKED' // another live process holds the log's lock
  | 'ESCROW_INVALID' // an escrow file that does not parse, is for another log, or fails authentication
  | 'RECORDER_STATE' // a recorder call out of order (e.g. a checkpoint with no signer, an append after halt)
  | 'QRNG_CONFIG' // a malformed entropy-source spec or feed option
  | 'QRNG_SOURCE' // an entropy source failed: I/O, end of data, a malformed response
  | 'QRNG_HEALTH' // an SP 800-90B health test alarmed: the feed serves nothing until reset
  | 'QRNG_REPLAY' // an escrowed seed is missing or does not match its recorded commitment
  | 'NODE_EXISTS' // awre init over a directory that already holds a node: an identity is never replaced
  | 'NODE_MISSING' // no node identity where one was asked for (awre init makes one)
  | 'NODE_SEALED_INVALID' // the sealed identity does not open: edited, truncated, another platform secret or module
  | 'NODE_STATE' // the node's run state cannot be sealed or advanced
  | 'NODE_BUSY'; // the node is open in another live process (one run of a node at a time)

export class AwreError extends Error {
  readonly code: AwreErrorCode;
  /** The enclave status that caused this error, when there is one. */
  readonly status?: number;
  readonly expected?: unknown;
  readonly got?: unknown;

  constructor(
    code: AwreErrorCode,
    message: string,
    extra: { status?: number; expected?: unknown; got?: unknown; cause?: unknown } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'AwreError';
    this.code = code;
    if (extra.status !== undefined) this.status = extra.status;
    if (extra.expected !== undefined) this.expected = extra.expected;
    if (extra.got !== undefined) this.got = extra.got;
  }
}

/** The AwreError code for each negative enclave status. */
const STATUS_CODES: ReadonlyMap<number, AwreErrorCode> = new Map([
  [S.ERR_ARG, 'ENCLAVE_ARG'],
  [S.ERR_LENGTH, 'ENCLAVE_ARG'],
  [S.ERR_TOO_LARGE, 'ENCLAVE_ARG'],
  [S.ERR_EK_MODULUS, 'EK_MODULUS'],
  [S.ERR_DK_HASH, 'DK_HASH'],
  [S.ERR_HASH_STATE, 'HASH_STATE'],
  [S.ERR_SK_MALFORMED, 'SK_MALFORMED'],
  [S.ERR_SIGN_LOOP, 'SIGN_FAILED'],
  [S.ERR_AUTH, 'AUTH_FAILED'],
  [S.ERR_DRBG_UNSEEDED, 'DRBG_UNSEEDED'],
  [S.ERR_DRBG_RESEED, 'DRBG_RESEED'],
  [S.ERR_HANDLE, 'BAD_HANDLE'],
  [S.ERR_HANDLE_TYPE, 'BAD_HANDLE'],
  [S.ERR_VAULT_FULL, 'VAULT_FULL'],
  [S.ERR_USAGE, 'VAULT_USAGE'],
  [S.ERR_INTERNAL, 'ENCLAVE_INTERNAL'],
]);

/** Throw the AwreError for a non-zero status; `what` names the operation. */
export function checkStatus(status: number, what: string): void {
  if (status === S.OK) return;
  const code = STATUS_CODES.get(status) ?? 'ENCLAVE_INTERNAL';
  throw new AwreError(code, `${what}: ${describeStatus(status)}`, { status });
}

/** A human sentence for an enclave status. */
export function describeStatus(status: number): string {
  switch (status) {
    case S.OK: return 'ok';
    case S.ERR_ARG: return 'the enclave refused an argument (status -1)';
    case S.ERR_LENGTH: return 'wrong input length (status -2)';
    case S.ERR_TOO_LARGE: return 'a length is over its limit (status -3)';
    case S.ERR_EK_MODULUS: return 'encapsulation key is not reduced mod q (FIPS 203 section 7.2)';
    case S.ERR_DK_HASH: return 'decapsulation key hash check failed (FIPS 203 section 7.3)';
    case S.ERR_HASH_STATE: return 'malformed hash context';
    case S.ERR_SK_MALFORMED: return 'secret key has an s1/s2 coefficient outside [-eta, eta] (FIPS 204 skDecode)';
    case S.ERR_SIGN_LOOP: return 'signing rejected every attempt of its loop';
    case S.ERR_AUTH: return 'authentication failed (SP 800-38D)';
    case S.ERR_DRBG_UNSEEDED: return 'the enclave DRBG is not instantiated';
    case S.ERR_DRBG_RESEED: return 'the enclave DRBG must be reseeded';
    case S.ERR_HANDLE: return 'stale, freed or forged vault handle';
    case S.ERR_HANDLE_TYPE: return 'vault handle of the wrong type';
    case S.ERR_VAULT_FULL: return 'every vault slot is in use';
    case S.ERR_USAGE: return 'vault key used outside its usage';
    default: return `internal enclave error (status ${status})`;
  }
}
