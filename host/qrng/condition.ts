// Conditioning and commitments (docs/qrng.md).
//
// Conditioning (SP 800-90B 3.1.5.1.1, a vetted conditioning component: an
// approved hash function, SHA3-384 of FIPS 202):
//   seed = SHA3-384("awre-qrng-cond-v1" || 0x00 || le32|raw| || raw || le32|os| || os)
// `raw` is health-tested source output carrying at least SEED_BITS + 64 bits
// of claimed min-entropy, so the 384-bit seed counts as full entropy (the
// "n_out + 64" rule of SP 800-90C); `os` is 48 bytes of the OS CSPRNG, mixed
// in unless the operator disables it, and credited with nothing.
//
// Commitment (what the recorder logs instead of the seed):
//   commitment = SHA-256("awre-qrng-commit-v1" || 0x00 || le64 epoch || seed)
// The seed has full entropy, so the commitment hides it; the epoch makes
// every commitment of one tenant distinct even for a replayed seed.
import { platform } from '#platform';
import { leBytes } from '../bytes.js';

/** Seed length and security strength: 384 bits = the DRBG's 256-bit strength plus a nonce's half. */
export const SEED_BYTES = 48;
export const SEED_BITS = 8 * SEED_BYTES;
/** Claimed raw min-entropy a seed needs: n_out + 64 bits. */
export const RAW_BITS_PER_SEED = SEED_BITS + 64;
/** OS CSPRNG bytes mixed into each seed (not credited). */
export const OS_MIX_BYTES = 48;

const COND = new TextEncoder().encode('awre-qrng-cond-v1\0');
const COMMIT = new TextEncoder().encode('awre-qrng-commit-v1\0');

/** Raw byte samples needed for one seed at `h` bits per sample. */
export function rawBytesPerSeed(h: number): number {
  return Math.ceil(RAW_BITS_PER_SEED / h);
}

/** SHA3-384 conditioning of raw samples (and the OS mix, possibly empty) into a 48-byte seed. */
export function condition(raw: Uint8Array, os: Uint8Array): Uint8Array {
  return platform.sha3_384(COND, leBytes(raw.length, 4), raw, leBytes(os.length, 4), os); // a fresh array the caller owns and wipes
}

/** The domain-separated commitment to a seed, hex. */
export function commitment(epoch: number, seed: Uint8Array): string {
  let hex = '';
  for (const b of platform.sha256(COMMIT, leBytes(epoch, 8), seed)) hex += b.toString(16).padStart(2, '0');
  return hex;
}
