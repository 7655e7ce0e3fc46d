// The test build (build/enclave.test.wasm): every export of the enclave, plus
// the test-only exports the known-answer tests need. Production
// (build/enclave.wasm, and the WAVEN build derived from it) has none of them:
// there, DRBG output never leaves the enclave.
export * from './index';

import { ERR_ARG, ERR_TOO_LARGE } from '../abi/status';
import { DRBG_MAX_REQUEST_BYTES } from '../abi/lengths';
import { inIO, disjoint } from './mem';
import { drbgGenerate } from './drbg';

/**
 * TEST ONLY (the DRBG known-answer tests): generate `len` DRBG bytes into the
 * I/O window, where the host can read them. len > DRBG_MAX_REQUEST_BYTES is
 * ERR_TOO_LARGE; `out` must not overlap `add`.
 */
export function drbg_generate_test(out: usize, len: usize, add: usize, addLen: usize): i32 {
  if (len > <usize>DRBG_MAX_REQUEST_BYTES) return ERR_TOO_LARGE;
  if (!inIO(out, len) || !inIO(add, addLen) || !disjoint(out, len, add, addLen)) return ERR_ARG;
  return drbgGenerate(out, len, add, addLen);
}

import { setGenerationForTest } from './vault';

/** TEST ONLY (the handle-wrap tests): move a free vault slot's generation, e.g. to just below the wrap. */
export function vault_test_set_generation(slot: i32, gen: u32): i32 {
  return setGenerationForTest(slot, gen);
}
