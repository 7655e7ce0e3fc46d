// The enclave's fixed memory regions. Nothing is allocated per operation:
// every kernel works in these regions, whose addresses are fixed at build time.
//
// - IO: the window through which the host passes inputs and receives outputs.
//   Exports take pointers into it and refuse any range that leaves it, so a
//   host can never make the enclave read or write its own scratch.
// - HCTX: a Keccak context (state, position) that the host swaps in and out
//   for incremental hashing of host data.
// - SCRATCH: the kernels' working memory. It holds secrets (ML-KEM s, r, m,
//   K; ML-DSA s1, s2, t0, y) and is wiped at the single exit of every export
//   that uses it.
import { IO_BYTES, KECCAK_CTX_BYTES } from '../abi/lengths';

export const IO: usize = memory.data(IO_BYTES, 65536);
export const HCTX: usize = memory.data(KECCAK_CTX_BYTES, 16);

/**
 * Bytes of scratch, shared by the kernels (one runs at a time); sized by the
 * largest, ML-DSA-87 signing (see assembly/mldsa/scratch.ts).
 */
export const SCRATCH_BYTES: usize = 73728;
export const SCRATCH: usize = memory.data(<i32>SCRATCH_BYTES, 65536);

/** True when [p, p + len) lies inside the I/O window (and does not wrap). */
export function inIO(p: usize, len: usize): bool {
  return p >= IO && len <= <usize>IO_BYTES && p - IO <= <usize>IO_BYTES - len;
}

/** True when [a, a + alen) and [b, b + blen) do not overlap. */
export function disjoint(a: usize, alen: usize, b: usize, blen: usize): bool {
  return a + alen <= b || b + blen <= a;
}
