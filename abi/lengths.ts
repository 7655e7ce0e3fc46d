// Byte lengths of every value that crosses the host/enclave boundary, derived
// from the FIPS 203 parameters (Table 2 and section 8). Plain integer
// constants: compiled by both AssemblyScript and TypeScript.

/** ABI version. Bumped on any change to an export's signature or meaning. */
export const ABI_VERSION = 2;

/** Size of the enclave's I/O window (inputs in, outputs out). */
export const IO_BYTES = 65536;

// FIPS 202 rates in bytes (1600 - 2 * capacity) / 8.
export const SHAKE128_RATE = 168;
export const SHAKE256_RATE = 136;
export const SHA3_256_RATE = 136;
export const SHA3_512_RATE = 72;
/** Keccak state (200 bytes) + absorb/squeeze position (u32) + phase (u32). */
export const KECCAK_CTX_BYTES = 208;

// FIPS 203 seeds and outputs common to every parameter set.
export const MLKEM_SEED_BYTES = 32; // d, z, m
export const MLKEM_SS_BYTES = 32; // shared secret K
export const MLKEM_KEYGEN_SEED_BYTES = 64; // d || z, the noble keygen seed

// ML-KEM-512: k = 2, du = 10, dv = 4.
export const MLKEM512_EK_BYTES = 800; // 384 k + 32
export const MLKEM512_DK_BYTES = 1632; // 768 k + 96
export const MLKEM512_CT_BYTES = 768; // 32 (du k + dv)
// ML-KEM-768: k = 3, du = 10, dv = 4.
export const MLKEM768_EK_BYTES = 1184;
export const MLKEM768_DK_BYTES = 2400;
export const MLKEM768_CT_BYTES = 1088;
// ML-KEM-1024: k = 4, du = 11, dv = 5.
export const MLKEM1024_EK_BYTES = 1568;
export const MLKEM1024_DK_BYTES = 3168;
export const MLKEM1024_CT_BYTES = 1568;

// FIPS 204 ML-DSA (Table 2): pk = 32 + 320 k, sk = 128 + 32 etaBits (k + l)
// + 416 k, signature = lambda/4 + 32 l (1 + log2 gamma1) + omega + k.
export const MLDSA_SEED_BYTES = 32; // xi
export const MLDSA_RND_BYTES = 32; // rnd, the hedging randomness
export const MLDSA_MU_BYTES = 64; // mu = H(tr || M')
export const MLDSA_TR_BYTES = 64;
export const MLDSA44_PK_BYTES = 1312;
export const MLDSA44_SK_BYTES = 2560;
export const MLDSA44_SIG_BYTES = 2420;
export const MLDSA65_PK_BYTES = 1952;
export const MLDSA65_SK_BYTES = 4032;
export const MLDSA65_SIG_BYTES = 3309;
export const MLDSA87_PK_BYTES = 2592;
export const MLDSA87_SK_BYTES = 4896;
export const MLDSA87_SIG_BYTES = 4627;

// NIST SP 800-38D AES-GCM.
export const AES_BLOCK_BYTES = 16;
export const GCM_TAG_MAX_BYTES = 16;
export const GCM_NONCE_BYTES = 12; // the fast path; any length >= 1 is accepted

// The enclave DRBG (assembly/drbg.ts, docs/drbg.md). Build-time constants:
// changing one changes the module (and its digest).
/** Security strength in bytes (256 bits): the minimum entropy input. */
export const DRBG_MIN_ENTROPY_BYTES = 32;
/** The secret state key K. */
export const DRBG_KEY_BYTES = 64;
/** Most bytes one generate request may return (SP 800-90A Hash_DRBG: 2^19 bits). */
export const DRBG_MAX_REQUEST_BYTES = 65536;
/** Generate requests allowed between (re)seeds (2^16); the next one is ERR_DRBG_RESEED. */
export const DRBG_RESEED_INTERVAL = 65536;
