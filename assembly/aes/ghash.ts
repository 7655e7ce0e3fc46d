// GHASH (NIST SP 800-38D section 6.4) without tables and without a
// carry-less multiply instruction, in constant time.
//
// A 64 x 64 carry-less product is computed with ordinary integer multiplies
// "with holes" (T. Pornin, BearSSL ghash_ctmul64): each operand is split into
// four parts whose set bits are 4 apart (masks 0x1111..., 0x2222..., ...);
// the integer product of two parts then has at most 16 terms per 4-bit
// column, and only the top column can reach 16, whose carry leaves the low
// 64 bits. XOR-ing the 16 part products and masking each residue class gives
// the low 64 bits of the carry-less product; the high 64 bits are the low
// bits of the product of the bit-reversed operands, reversed. A 128-bit
// product takes three such 64-bit products (Karatsuba), low and high halves.
//
// GCM's bit order is reflected (bit 0 of a block is the coefficient of x^0),
// so blocks are read big-endian as y1 (bytes 0-7) and y0 (bytes 8-15), and
// the 256-bit product is shifted by one before the reduction modulo
// x^128 + x^7 + x^2 + x + 1. No branch, table or data-dependent address.

const M1: u64 = 0x1111111111111111;
const M2: u64 = 0x2222222222222222;
const M4: u64 = 0x4444444444444444;
const M8: u64 = 0x8888888888888888;

/** Reverse the 64 bits of x. */
// @ts-ignore: decorator
@inline function rev64(x: u64): u64 {
  x = ((x & 0x5555555555555555) << 1) | ((x >> 1) & 0x5555555555555555);
  x = ((x & 0x3333333333333333) << 2) | ((x >> 2) & 0x3333333333333333);
  x = ((x & 0x0f0f0f0f0f0f0f0f) << 4) | ((x >> 4) & 0x0f0f0f0f0f0f0f0f);
  return bswap<u64>(x);
}

/**
 * The GHASH state at `g` (GHASH_BYTES):
 *   0: Y as (y1, y0), big-endian halves of the 16-byte block
 *   16: for each of H, H^2, H^3, H^4 (192 bytes each): the four parts of
 *       h0, h1, h0 ^ h1 and of their bit reversals (6 x 32 bytes)
 */
export const GHASH_BYTES: usize = 16 + 4 * 192;
const POW: usize = 16;
// Offsets of the six operands inside one power's record.
const O_H0: usize = 0;
const O_H1: usize = 32;
const O_H2: usize = 64;
const O_H0R: usize = 96;
const O_H1R: usize = 128;
const O_H2R: usize = 160;

function storeParts(p: usize, v: u64): void {
  store<u64>(p, v & M1);
  store<u64>(p, v & M2, 8);
  store<u64>(p, v & M4, 16);
  store<u64>(p, v & M8, 24);
}

/** Record power k (0-based: H^(k+1)) given as (h1, h0). */
function storePower(g: usize, k: usize, h1: u64, h0: u64): void {
  const p = g + POW + k * 192;
  storeParts(p + O_H0, h0);
  storeParts(p + O_H1, h1);
  storeParts(p + O_H2, h0 ^ h1);
  storeParts(p + O_H0R, rev64(h0));
  storeParts(p + O_H1R, rev64(h1));
  storeParts(p + O_H2R, rev64(h0) ^ rev64(h1));
}

/**
 * Recombine the accumulated half-products into the 256-bit product, shift it
 * by one (reflected order) and reduce modulo x^128 + x^7 + x^2 + x + 1.
 * Writes Y and clears the accumulator.
 */
function reduce(g: usize, acc: usize): void {
  const z0 = load<u64>(acc), z1 = load<u64>(acc, 8);
  let z2 = load<u64>(acc, 16);
  let z0h = load<u64>(acc, 24), z1h = load<u64>(acc, 32);
  let z2h = load<u64>(acc, 40);
  z2 ^= z0 ^ z1;
  z2h ^= z0h ^ z1h;
  z0h = rev64(z0h) >> 1;
  z1h = rev64(z1h) >> 1;
  z2h = rev64(z2h) >> 1;
  let v0 = z0;
  let v1 = z0h ^ z2;
  let v2 = z1 ^ z2h;
  let v3 = z1h;
  v3 = (v3 << 1) | (v2 >> 63);
  v2 = (v2 << 1) | (v1 >> 63);
  v1 = (v1 << 1) | (v0 >> 63);
  v0 = v0 << 1;
  v2 ^= v0 ^ (v0 >> 1) ^ (v0 >> 2) ^ (v0 >> 7);
  v1 ^= (v0 << 63) ^ (v0 << 62) ^ (v0 << 57);
  v3 ^= v1 ^ (v1 >> 1) ^ (v1 >> 2) ^ (v1 >> 7);
  v2 ^= (v1 << 63) ^ (v1 << 62) ^ (v1 << 57);
  store<u64>(g, v3);
  store<u64>(g, v2, 8);
  memory.fill(acc, 0, 48);
}

/** A zero block: Y . H is one batch step over it. */
const ZERO: usize = memory.data(16, 16);
/** 48 bytes of accumulator for ghashBatch/reduce (wiped by reduce). */
const ACC: usize = memory.data(48, 16);

/**
 * Set H (16 bytes, E_K(0^128)), precompute H^2, H^3, H^4, and clear Y.
 */
export function ghashInit(g: usize, h: usize): void {
  let h1 = bswap<u64>(load<u64>(h));
  let h0 = bswap<u64>(load<u64>(h, 8));
  storePower(g, 0, h1, h0);
  // H^(k+1) = H^k . H: one step (Y ^ 0) . H from Y = H^k.
  for (let k: usize = 1; k < 4; k++) {
    store<u64>(g, h1);
    store<u64>(g, h0, 8);
    ghashBatch(g, ZERO, 1);
    h1 = load<u64>(g);
    h0 = load<u64>(g, 8);
    storePower(g, k, h1, h0);
  }
  store<u64>(g, 0);
  store<u64>(g, 0, 8);
}

/**
 * The six Karatsuba operands of each block of a batch, by kind then block:
 * XS + k * 32 + j * 8 holds kind k (y0, y1, y0 ^ y1, and the bit reversals
 * rev(y0), rev(y1), rev(y0) ^ rev(y1), in the power records' O_H0 ... O_H2R
 * order) of block j. Wiped after each batch.
 */
const XS: usize = memory.data(6 * 4 * 8, 16);

/** Store block j's six operands (y1, y0: its big-endian halves; y1r, y0r: their bit reversals). */
// @ts-ignore: decorator
@inline function storeOperands(j: usize, y1: u64, y0: u64, y1r: u64, y0r: u64): void {
  const x = XS + (j << 3);
  store<u64>(x, y0);
  store<u64>(x, y1, 32);
  store<u64>(x, y0 ^ y1, 64);
  store<u64>(x, y0r, 96);
  store<u64>(x, y1r, 128);
  store<u64>(x, y0r ^ y1r, 160);
}

/**
 * The bits of each byte of v reversed, by two 16-entry lookups (i8x16.swizzle,
 * a fixed in-register permutation: no memory access depends on v). For a
 * block read little-endian as two u64 lanes, lane i is rev64 of the lane's
 * big-endian value: rev64(bswap(w)) reverses the bits of each byte of w in
 * place. Every swizzle index is a nibble, so in range: the same bytes on
 * every platform.
 */
// @ts-ignore: decorator
@inline function revBitsInBytes(v: v128): v128 {
  const lo = v128.and(v, i8x16.splat(0x0f));
  const hi = i8x16.shr_u(v, 4);
  return v128.or(i8x16.swizzle(REV_HI, lo), i8x16.swizzle(REV_LO, hi));
}

/** Nibble n reversed (REV_LO) and reversed into the high nibble (REV_HI). */
const REV_LO = i8x16(0x0, 0x8, 0x4, 0xc, 0x2, 0xa, 0x6, 0xe, 0x1, 0x9, 0x5, 0xd, 0x3, 0xb, 0x7, 0xf);
const REV_HI = i8x16(0x00, -0x80, 0x40, -0x40, 0x20, -0x60, 0x60, -0x20, 0x10, -0x70, 0x50, -0x30, 0x30, -0x50, 0x70, -0x10);

/**
 * Y = (Y ^ X_1) H^m ^ X_2 H^(m-1) ^ ... ^ X_m H for the m (1..4) blocks at b
 * (SP 800-38D Algorithm 2, m steps at once): the half-products of every
 * block with its power are summed per Karatsuba column before the masking
 * (masking is linear over XOR), and one recombination and reduction serves
 * the batch.
 *
 * Why loops and a scratch array rather than one straight-line block: with
 * all 24 operands and 384 products in one basic block, V8's scheduler
 * hoisted the loads and kept every operand live, and the code spent more
 * instructions on register spills than on multiplies (read from the
 * generated code); it ran 10-25% slower in an interleaved A/B. One column
 * of one block per inner iteration keeps four accumulators, the operand's
 * four parts and the loaded key parts in registers. (Splitting the operands
 * into parts ahead, as the key side is, measured slower: more loads.)
 */
function ghashBatch(g: usize, b: usize, m: usize): void {
  // Block 0 is Y ^ X_1, and rev64(Y ^ X) = rev64(Y) ^ rev64(X).
  const yy1 = load<u64>(g), yy0 = load<u64>(g, 8);
  let r = revBitsInBytes(v128.load(b));
  storeOperands(0, yy1 ^ bswap<u64>(load<u64>(b)), yy0 ^ bswap<u64>(load<u64>(b, 8)),
    rev64(yy1) ^ i64x2.extract_lane(r, 0), rev64(yy0) ^ i64x2.extract_lane(r, 1));
  for (let j: usize = 1; j < m; j++) {
    const bj = b + (j << 4);
    r = revBitsInBytes(v128.load(bj));
    storeOperands(j, bswap<u64>(load<u64>(bj)), bswap<u64>(load<u64>(bj, 8)), i64x2.extract_lane(r, 0), i64x2.extract_lane(r, 1));
  }
  // Block j multiplies H^(m-j): power record m-1-j.
  const top = g + POW + (m - 1) * 192;
  for (let k: usize = 0; k < 6; k++) {
    let z0: u64 = 0, z1: u64 = 0, z2: u64 = 0, z3: u64 = 0;
    if (m == 4) {
      // A full batch, unrolled: operand j at x + 8 j, its key parts
      // (H^(4-j), column k) at h + 192 (3 - j). Constant offsets from two
      // locals, so under WAVEN these are direct accesses (two address
      // computations per column instead of two per block); the plain module
      // gains too (4% in an interleaved A/B).
      const x = XS + (k << 5);
      const h = g + POW + (k << 5);
      let a = load<u64>(x);
      let x0 = a & M1, x1 = a & M2, x2 = a & M4, x3 = a & M8;
      let y0 = load<u64>(h, 576), y1 = load<u64>(h, 584), y2 = load<u64>(h, 592), y3 = load<u64>(h, 600);
      z0 ^= (x0 * y0) ^ (x1 * y3) ^ (x2 * y2) ^ (x3 * y1);
      z1 ^= (x0 * y1) ^ (x1 * y0) ^ (x2 * y3) ^ (x3 * y2);
      z2 ^= (x0 * y2) ^ (x1 * y1) ^ (x2 * y0) ^ (x3 * y3);
      z3 ^= (x0 * y3) ^ (x1 * y2) ^ (x2 * y1) ^ (x3 * y0);
      a = load<u64>(x, 8);
      x0 = a & M1; x1 = a & M2; x2 = a & M4; x3 = a & M8;
      y0 = load<u64>(h, 384); y1 = load<u64>(h, 392); y2 = load<u64>(h, 400); y3 = load<u64>(h, 408);
      z0 ^= (x0 * y0) ^ (x1 * y3) ^ (x2 * y2) ^ (x3 * y1);
      z1 ^= (x0 * y1) ^ (x1 * y0) ^ (x2 * y3) ^ (x3 * y2);
      z2 ^= (x0 * y2) ^ (x1 * y1) ^ (x2 * y0) ^ (x3 * y3);
      z3 ^= (x0 * y3) ^ (x1 * y2) ^ (x2 * y1) ^ (x3 * y0);
      a = load<u64>(x, 16);
      x0 = a & M1; x1 = a & M2; x2 = a & M4; x3 = a & M8;
      y0 = load<u64>(h, 192); y1 = load<u64>(h, 200); y2 = load<u64>(h, 208); y3 = load<u64>(h, 216);
      z0 ^= (x0 * y0) ^ (x1 * y3) ^ (x2 * y2) ^ (x3 * y1);
      z1 ^= (x0 * y1) ^ (x1 * y0) ^ (x2 * y3) ^ (x3 * y2);
      z2 ^= (x0 * y2) ^ (x1 * y1) ^ (x2 * y0) ^ (x3 * y3);
      z3 ^= (x0 * y3) ^ (x1 * y2) ^ (x2 * y1) ^ (x3 * y0);
      a = load<u64>(x, 24);
      x0 = a & M1; x1 = a & M2; x2 = a & M4; x3 = a & M8;
      y0 = load<u64>(h); y1 = load<u64>(h, 8); y2 = load<u64>(h, 16); y3 = load<u64>(h, 24);
      z0 ^= (x0 * y0) ^ (x1 * y3) ^ (x2 * y2) ^ (x3 * y1);
      z1 ^= (x0 * y1) ^ (x1 * y0) ^ (x2 * y3) ^ (x3 * y2);
      z2 ^= (x0 * y2) ^ (x1 * y1) ^ (x2 * y0) ^ (x3 * y3);
      z3 ^= (x0 * y3) ^ (x1 * y2) ^ (x2 * y1) ^ (x3 * y0);
    } else for (let j: usize = 0; j < m; j++) {
      const a = load<u64>(XS + (k << 5) + (j << 3));
      const p = top - j * 192 + (k << 5);
      const x0 = a & M1, x1 = a & M2, x2 = a & M4, x3 = a & M8;
      const y0 = load<u64>(p), y1 = load<u64>(p, 8), y2 = load<u64>(p, 16), y3 = load<u64>(p, 24);
      z0 ^= (x0 * y0) ^ (x1 * y3) ^ (x2 * y2) ^ (x3 * y1);
      z1 ^= (x0 * y1) ^ (x1 * y0) ^ (x2 * y3) ^ (x3 * y2);
      z2 ^= (x0 * y2) ^ (x1 * y1) ^ (x2 * y0) ^ (x3 * y3);
      z3 ^= (x0 * y3) ^ (x1 * y2) ^ (x2 * y1) ^ (x3 * y0);
    }
    store<u64>(ACC + (k << 3), (z0 & M1) | (z1 & M2) | (z2 & M4) | (z3 & M8));
  }
  memory.fill(XS, 0, 6 * 4 * 8);
  reduce(g, ACC);
}

/**
 * Y = (Y ^ X_i) H for each 16-byte block X_i of the n blocks at src
 * (SP 800-38D Algorithm 2), in batches of four (ghashBatch) and one batch
 * of the n mod 4 left.
 */
export function ghashBlocks(g: usize, src: usize, n: usize): void {
  let i: usize = 0;
  for (; i + 4 <= n; i += 4) ghashBatch(g, src + (i << 4), 4);
  if (i < n) ghashBatch(g, src + (i << 4), n - i);
}

/** Write Y as 16 bytes (big-endian halves) at dst. */
export function ghashOutput(g: usize, dst: usize): void {
  store<u64>(dst, bswap<u64>(load<u64>(g)));
  store<u64>(dst, bswap<u64>(load<u64>(g, 8)), 8);
}
