// The attestation key: an ML-DSA-65 key pair generated in an enclave's vault
// from its (QRNG-seeded) DRBG with the usage "attest" (docs/vault.md). The
// secret key never leaves the vault, and the vault alone makes mu: every
// attestation signature is pure ML-DSA-65 (FIPS 204, Algorithm 2) with the
// context "awre-attest-v1" over the message (a checkpoint note's text, a DSSE
// PAE), hedged with rnd from the DRBG. A handshake key cannot make one, and
// this key cannot sign anything else (docs/pqc1.md, "cross-protocol signatures").
import { MLDSA65_SIG_BYTES } from '../abi/lengths.js';
import type { Enclave } from '../host/enclave/enclave.js';
import { checkStatus } from '../host/errors.js';
import { ml_dsa44, ml_dsa65 } from '../host/mldsa.js';
import type { NoteSigner, NoteVerify } from './note.js';

/** The FIPS 204 context string of every attestation signature. */
export const ATTEST_CONTEXT = new TextEncoder().encode('awre-attest-v1');
/** Vault usage of an attestation key (assembly/vault.ts U_ATTEST). */
export const USAGE_ATTEST = 2;

/** Verify an attestation signature (ML-DSA-65, context "awre-attest-v1"). */
export const verifyAttestation: NoteVerify = (sig, message, publicKey) => ml_dsa65.verify(sig, message, publicKey, { context: ATTEST_CONTEXT });

/** The FIPS 204 context of every node identity signature (run certificates). */
export const IDENTITY_CONTEXT = new TextEncoder().encode('awre-identity-v1');
/** Verify a node identity signature (ML-DSA-65, context "awre-identity-v1"). */
export const verifyIdentity: NoteVerify = (sig, message, publicKey) => ml_dsa65.verify(sig, message, publicKey, { context: IDENTITY_CONTEXT });

/** Verify a witness's tlog-cosignature (ML-DSA-44, the empty context: docs/witness.md). */
export const verifyCosignature44: NoteVerify = (sig, message, publicKey) => ml_dsa44.verify(sig, message, publicKey);

export class VaultSigner implements NoteSigner {
  readonly publicKey: Uint8Array;
  private readonly handle: number;

  /** Generate the key pair in `enclave`'s vault (its DRBG must be seeded). */
  constructor(private readonly enclave: Enclave, readonly name: string) {
    const h = enclave.exports.vault_dsa_keygen(65, USAGE_ATTEST);
    if (h < 0) checkStatus(h, 'attestation: vault_dsa_keygen');
    this.handle = h;
    const len = enclave.exports.vault_public_bytes(h);
    checkStatus(enclave.exports.vault_public(h, enclave.io), 'attestation: vault_public');
    this.publicKey = enclave.get(0, len);
  }

  /** A pure ML-DSA-65 signature with the attestation context over `message`, made in the vault. */
  sign(message: Uint8Array): Uint8Array {
    const e = this.enclave;
    const at = MLDSA65_SIG_BYTES;
    if (message.length > e.ioBytes - at) throw new RangeError(`"message" expected at most ${e.ioBytes - at} bytes, got length=${message.length}`);
    e.put(at, message);
    checkStatus(e.exports.vault_attest_sign(this.handle, e.io + at, message.length, e.io), 'attestation: vault_attest_sign');
    const sig = e.get(0, MLDSA65_SIG_BYTES);
    e.wipe(at, message.length);
    return sig;
  }
}
