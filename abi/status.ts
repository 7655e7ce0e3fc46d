// Status codes returned by every enclave export (an i32). 0 is success; every
// failure is negative. One source of truth: the AssemblyScript enclave and the
// TypeScript host both import this file, so the numbers cannot drift apart.
// Plain `export const` integers only: the file must compile as AssemblyScript
// (where an untyped integer literal is an i32) and as TypeScript.

/** The call did what it was asked. */
export const OK = 0;
/** An argument is out of range (an unknown parameter set, a bad output length). */
export const ERR_ARG = -1;
/** An input has the wrong length for the operation. */
export const ERR_LENGTH = -2;
/** A length is over its limit (a DRBG request, GCM data past SP 800-38D's maximum). */
export const ERR_TOO_LARGE = -3;
/** FIPS 203 section 7.2: an encapsulation-key coefficient is not reduced mod q. */
export const ERR_EK_MODULUS = -10;
/** FIPS 203 section 7.3: the hash of ek stored in dk does not match H(ek). */
export const ERR_DK_HASH = -11;
/** A hash/XOF context is malformed (bad rate, position or phase). */
export const ERR_HASH_STATE = -12;
/** FIPS 204 skDecode: an s1 or s2 coefficient lies outside [-eta, eta]. */
export const ERR_SK_MALFORMED = -13;
/** ML-DSA signing was rejected MAX_SIGN_ITERATIONS times (FIPS 204 Appendix C). */
export const ERR_SIGN_LOOP = -14;
/** SP 800-38D: the GCM tag does not match; no plaintext was released. */
export const ERR_AUTH = -15;
/** Vault: a handle that is stale, freed, forged or out of range. */
export const ERR_HANDLE = -18;
/** Vault: a live handle of another type (e.g. an ML-DSA key where ML-KEM is needed). */
export const ERR_HANDLE_TYPE = -19;
/** Vault: every slot is in use. */
export const ERR_VAULT_FULL = -20;
/** The enclave reached a state that should be impossible. */
export const ERR_INTERNAL = -127;
/** DRBG: generate or reseed before drbg_instantiate (or after drbg_uninstantiate). */
export const ERR_DRBG_UNSEEDED = -16;
/** DRBG: the reseed interval is used up; drbg_reseed before the next generate. */
export const ERR_DRBG_RESEED = -17;
/** Vault: a key used outside the usage it was generated for (docs/vault.md). */
export const ERR_USAGE = -21;

// PQC1 v2 (docs/pqc1.md). -1 and -2 keep the origin ABI's meanings
// (PQC_INVALID = ERR_ARG, PQC_BUFFER = ERR_LENGTH), -127 is ERR_INTERNAL.
/** Malformed input, a length or level that does not fit, overlapping buffers. */
export const PQC_INVALID = -1;
/** The output buffer is too small. */
export const PQC_BUFFER = -2;
/** Not a PQC1 message, or not version 2 (a v1 envelope is refused, never parsed as v2). */
export const PQC_VERSION = -30;
/** A level below the local minimum, a rekey interval over the maximum, clocks too far apart. */
export const PQC_POLICY = -31;
/** An INIT this responder has answered already. */
export const PQC_REPLAY = -32;
/** An identity, signature or key confirmation that does not match. */
export const PQC_AUTH = -33;
/** A message of the wrong type or for another handshake, or a handle in the wrong state. */
export const PQC_STATE = -34;
/** A frame counter accepted before. */
export const FRAME_REPLAY = -35;
/** A frame counter behind the receive window, or two or more key epochs behind. */
export const FRAME_OLD = -36;
/** A frame more than 64 key epochs ahead of the receiver. */
export const FRAME_AHEAD = -37;
/** The send counter reached the session's frame limit: the session seals no more. */
export const SESSION_LIMIT = -38;
