// Constant-time helpers. Every function here runs the same instructions and
// touches the same addresses whatever the secret values are:
//
// - Masks are built with arithmetic (negation and shifts), never with
//   comparisons that a compiler could lower to a branch. `(x | -x) >>> 31` is
//   1 exactly when x != 0, because for x != 0 one of x and -x has its top bit
//   set, and for x = 0 both are 0.
// - Selection is `b ^ ((a ^ b) & mask)`, with the mask all-ones or all-zeros:
//   the same loads and stores happen on both outcomes.
// - Comparison ORs together the XOR of every byte pair and looks at the
//   accumulator only once, after the last byte: no early exit.
// - Loop bounds and addresses depend only on public lengths.
//
// wasm gives no "value barrier" (no inline asm), so this relies on binaryen
// and V8 not turning mask arithmetic into branches; neither does so for these
// shapes (checked by reading the optimised module: see docs/ct.md).

/** 0xFFFFFFFF if x != 0, else 0. */
// @ts-ignore: decorator
@inline export function ctMaskNonZero(x: u32): u32 {
  return 0 - ((x | (0 - x)) >>> 31);
}

/**
 * 0 when the `len` bytes at `a` and `b` are equal, 1 otherwise. The time
 * depends on `len` only.
 */
export function ctDiffer(a: usize, b: usize, len: usize): u32 {
  let acc = i64x2.splat(0);
  let i: usize = 0;
  for (; i + 16 <= len; i += 16) {
    acc = v128.or(acc, v128.xor(v128.load(a + i), v128.load(b + i)));
  }
  let r: u64 = i64x2.extract_lane(acc, 0) | i64x2.extract_lane(acc, 1);
  for (; i < len; i++) r |= <u64>(load<u8>(a + i) ^ load<u8>(b + i));
  const folded = <u32>(r | (r >>> 32));
  return (folded | (0 - folded)) >>> 31;
}

/**
 * dst = mask ? src : dst over `len` bytes, with `mask` 0xFFFFFFFF or 0. Both
 * outcomes read and write every byte of dst.
 */
export function ctCmov(dst: usize, src: usize, len: usize, mask: u32): void {
  const m = i32x4.splat(<i32>mask);
  let i: usize = 0;
  for (; i + 16 <= len; i += 16) {
    const d = v128.load(dst + i);
    v128.store(dst + i, v128.xor(d, v128.and(v128.xor(d, v128.load(src + i)), m)));
  }
  const m8 = <u8>mask;
  for (; i < len; i++) {
    const d = load<u8>(dst + i);
    store<u8>(dst + i, d ^ ((d ^ load<u8>(src + i)) & m8));
  }
}

/** Overwrite `len` bytes with zeros (secret wiping). */
// @ts-ignore: decorator
@inline export function wipe(p: usize, len: usize): void {
  memory.fill(p, 0, len);
}
