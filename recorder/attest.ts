// The attestation key: an ML-DSA-65 key pair generated in an enclave's vault
// from its (QRNG-seeded) DRBG. The secret key never leaves the vault: the
// host computes mu (FIPS 204, Algorithm 2, pure ML-DSA with an empty
// context: mu = SHAKE256(SHAKE256(pk, 64) || 0x00 || 0x00 || M, 64)) and the
// vault signs it, hedged with rnd from the DRBG.
import { createHash } from 'node:crypto';
import { MLDSA65_SIG_BYTES } from '../abi/lengths.js';
import type { Enclave } from '../host/enclave/enclave.js';
import { checkStatus } from '../host/errors.js';
import type { NoteSigner } from './note.js';

const shake64 = (...parts: Uint8Array[]) => {
  const h = createHash('shake256', { outputLength: 64 });
  for (const p of parts) h.update(p);
  return h.digest();
};

export class VaultSigner implements NoteSigner {
  readonly publicKey: Uint8Array;
  private readonly tr: Uint8Array;

  /** Generate the key pair in `enclave`'s vault (its DRBG must be seeded). */
  constructor(private readonly enclave: Enclave, readonly name: string) {
    const h = enclave.exports.vault_dsa_keygen(65);
    if (h < 0) checkStatus(h, 'attestation: vault_dsa_keygen');
    this.handle = h;
    const len = enclave.exports.vault_public_bytes(h);
    checkStatus(enclave.exports.vault_public(h, enclave.io), 'attestation: vault_public');
    this.publicKey = enclave.get(0, len);
    this.tr = shake64(this.publicKey);
  }

  private readonly handle: number;

  /** A pure ML-DSA-65 signature (empty context) over `message`, made in the vault. */
  sign(message: Uint8Array): Uint8Array {
    const mu = shake64(this.tr, Uint8Array.of(0, 0), message);
    const e = this.enclave;
    e.put(0, mu);
    checkStatus(e.exports.vault_dsa_sign(this.handle, e.io, e.io + 64), 'attestation: vault_dsa_sign');
    return e.get(64, MLDSA65_SIG_BYTES);
  }
}
