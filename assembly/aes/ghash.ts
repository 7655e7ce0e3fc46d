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
 * bmul64 with the second operand given as its four precomputed parts (at p:
 * y & M1, y & M2, y & M4, y & M8): the key side of every product is split
 * once per key instead of once per block.
 */
// @ts-ignore: decorator
@inline function bmulP(x: u64, p: usize): u64 {
  const x0 = x & M1, x1 = x & M2, x2 = x & M4, x3 = x & M8;
  const y0 = load<u64>(p), y1 = load<u64>(p, 8), y2 = load<u64>(p, 16), y3 = load<u64>(p, 24);
  const z0 = (x0 * y0) ^ (x1 * y3) ^ (x2 * y2) ^ (x3 * y1);
  const z1 = (x0 * y1) ^ (x1 * y0) ^ (x2 * y3) ^ (x3 * y2);
  const z2 = (x0 * y2) ^ (x1 * y1) ^ (x2 * y0) ^ (x3 * y3);
  const z3 = (x0 * y3) ^ (x1 * y2) ^ (x2 * y1) ^ (x3 * y0);
  return (z0 & M1) | (z1 & M2) | (z2 & M4) | (z3 & M8);
}

/**
 * bmulP(a, pa) ^ bmulP(b, pb) ^ bmulP(c, pc) ^ bmulP(d, pd) with the four
 * residue classes summed before the final masking: masking is linear over
 * XOR, so it runs once per column instead of once per product.
 */
// @ts-ignore: decorator
@inline function col4(a: u64, pa: usize, b: u64, pb: usize, c: u64, pc: usize, d: u64, pd: usize): u64 {
  let z0: u64 = 0, z1: u64 = 0, z2: u64 = 0, z3: u64 = 0;
  // One product's contribution to the four classes.
  // (Written out four times: AssemblyScript has no multi-value returns.)
  let x0 = a & M1, x1 = a & M2, x2 = a & M4, x3 = a & M8;
  let y0 = load<u64>(pa), y1 = load<u64>(pa, 8), y2 = load<u64>(pa, 16), y3 = load<u64>(pa, 24);
  z0 ^= (x0 * y0) ^ (x1 * y3) ^ (x2 * y2) ^ (x3 * y1);
  z1 ^= (x0 * y1) ^ (x1 * y0) ^ (x2 * y3) ^ (x3 * y2);
  z2 ^= (x0 * y2) ^ (x1 * y1) ^ (x2 * y0) ^ (x3 * y3);
  z3 ^= (x0 * y3) ^ (x1 * y2) ^ (x2 * y1) ^ (x3 * y0);
  x0 = b & M1; x1 = b & M2; x2 = b & M4; x3 = b & M8;
  y0 = load<u64>(pb); y1 = load<u64>(pb, 8); y2 = load<u64>(pb, 16); y3 = load<u64>(pb, 24);
  z0 ^= (x0 * y0) ^ (x1 * y3) ^ (x2 * y2) ^ (x3 * y1);
  z1 ^= (x0 * y1) ^ (x1 * y0) ^ (x2 * y3) ^ (x3 * y2);
  z2 ^= (x0 * y2) ^ (x1 * y1) ^ (x2 * y0) ^ (x3 * y3);
  z3 ^= (x0 * y3) ^ (x1 * y2) ^ (x2 * y1) ^ (x3 * y0);
  x0 = c & M1; x1 = c & M2; x2 = c & M4; x3 = c & M8;
  y0 = load<u64>(pc); y1 = load<u64>(pc, 8); y2 = load<u64>(pc, 16); y3 = load<u64>(pc, 24);
  z0 ^= (x0 * y0) ^ (x1 * y3) ^ (x2 * y2) ^ (x3 * y1);
  z1 ^= (x0 * y1) ^ (x1 * y0) ^ (x2 * y3) ^ (x3 * y2);
  z2 ^= (x0 * y2) ^ (x1 * y1) ^ (x2 * y0) ^ (x3 * y3);
  z3 ^= (x0 * y3) ^ (x1 * y2) ^ (x2 * y1) ^ (x3 * y0);
  x0 = d & M1; x1 = d & M2; x2 = d & M4; x3 = d & M8;
  y0 = load<u64>(pd); y1 = load<u64>(pd, 8); y2 = load<u64>(pd, 16); y3 = load<u64>(pd, 24);
  z0 ^= (x0 * y0) ^ (x1 * y3) ^ (x2 * y2) ^ (x3 * y1);
  z1 ^= (x0 * y1) ^ (x1 * y0) ^ (x2 * y3) ^ (x3 * y2);
  z2 ^= (x0 * y2) ^ (x1 * y1) ^ (x2 * y0) ^ (x3 * y3);
  z3 ^= (x0 * y3) ^ (x1 * y2) ^ (x2 * y1) ^ (x3 * y0);
  return (z0 & M1) | (z1 & M2) | (z2 & M4) | (z3 & M8);
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
 * The six Karatsuba half-products of (y1, y0) with power record p, XOR-ed into
 * the accumulator at acc (z0, z1, z2, z0h, z1h, z2h): linear, so the products
 * of several blocks share one recombination and reduction.
 */
// @ts-ignore: decorator
@inline function mulAcc(acc: usize, y1: u64, y0: u64, p: usize): void {
  const y0r = rev64(y0);
  const y1r = rev64(y1);
  store<u64>(acc, load<u64>(acc) ^ bmulP(y0, p + O_H0));
  store<u64>(acc, load<u64>(acc, 8) ^ bmulP(y1, p + O_H1), 8);
  store<u64>(acc, load<u64>(acc, 16) ^ bmulP(y0 ^ y1, p + O_H2), 16);
  store<u64>(acc, load<u64>(acc, 24) ^ bmulP(y0r, p + O_H0R), 24);
  store<u64>(acc, load<u64>(acc, 32) ^ bmulP(y1r, p + O_H1R), 32);
  store<u64>(acc, load<u64>(acc, 40) ^ bmulP(y0r ^ y1r, p + O_H2R), 40);
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

/** 48 bytes of accumulator for mulAcc/reduce (wiped by reduce). */
const ACC: usize = memory.data(48, 16);

/**
 * Set H (16 bytes, E_K(0^128)), precompute H^2, H^3, H^4, and clear Y.
 */
export function ghashInit(g: usize, h: usize): void {
  let h1 = bswap<u64>(load<u64>(h));
  let h0 = bswap<u64>(load<u64>(h, 8));
  storePower(g, 0, h1, h0);
  // H^(k+1) = H^k . H, computed with the single-block path on Y = H^k.
  for (let k: usize = 1; k < 4; k++) {
    store<u64>(g, h1);
    store<u64>(g, h0, 8);
    mulAcc(ACC, h1, h0, g + POW);
    reduce(g, ACC);
    h1 = load<u64>(g);
    h0 = load<u64>(g, 8);
    storePower(g, k, h1, h0);
  }
  store<u64>(g, 0);
  store<u64>(g, 0, 8);
}

/**
 * Y = (Y ^ X_i) H for each 16-byte block X_i of the n blocks at src
 * (SP 800-38D Algorithm 2), four blocks at a time as
 * Y = (Y ^ X1) H^4 ^ X2 H^3 ^ X3 H^2 ^ X4 H, with the half-products summed in
 * locals and one reduction per four blocks.
 */
export function ghashBlocks(g: usize, src: usize, n: usize): void {
  let i: usize = 0;
  const p4 = g + POW + 3 * 192, p3 = g + POW + 2 * 192, p2 = g + POW + 192, p1 = g + POW;
  for (; i + 4 <= n; i += 4) {
    const b = src + (i << 4);
    const a1 = load<u64>(g) ^ bswap<u64>(load<u64>(b));
    const a0 = load<u64>(g, 8) ^ bswap<u64>(load<u64>(b, 8));
    const b1 = bswap<u64>(load<u64>(b, 16)), b0 = bswap<u64>(load<u64>(b, 24));
    const c1 = bswap<u64>(load<u64>(b, 32)), c0 = bswap<u64>(load<u64>(b, 40));
    const d1 = bswap<u64>(load<u64>(b, 48)), d0 = bswap<u64>(load<u64>(b, 56));
    const a0r = rev64(a0), a1r = rev64(a1), b0r = rev64(b0), b1r = rev64(b1);
    const c0r = rev64(c0), c1r = rev64(c1), d0r = rev64(d0), d1r = rev64(d1);
    store<u64>(ACC, col4(a0, p4 + O_H0, b0, p3 + O_H0, c0, p2 + O_H0, d0, p1 + O_H0));
    store<u64>(ACC, col4(a1, p4 + O_H1, b1, p3 + O_H1, c1, p2 + O_H1, d1, p1 + O_H1), 8);
    store<u64>(ACC, col4(a0 ^ a1, p4 + O_H2, b0 ^ b1, p3 + O_H2, c0 ^ c1, p2 + O_H2, d0 ^ d1, p1 + O_H2), 16);
    store<u64>(ACC, col4(a0r, p4 + O_H0R, b0r, p3 + O_H0R, c0r, p2 + O_H0R, d0r, p1 + O_H0R), 24);
    store<u64>(ACC, col4(a1r, p4 + O_H1R, b1r, p3 + O_H1R, c1r, p2 + O_H1R, d1r, p1 + O_H1R), 32);
    store<u64>(ACC, col4(a0r ^ a1r, p4 + O_H2R, b0r ^ b1r, p3 + O_H2R, c0r ^ c1r, p2 + O_H2R, d0r ^ d1r, p1 + O_H2R), 40);
    reduce(g, ACC);
  }
  for (; i < n; i++) {
    const b = src + (i << 4);
    mulAcc(ACC, load<u64>(g) ^ bswap<u64>(load<u64>(b)), load<u64>(g, 8) ^ bswap<u64>(load<u64>(b, 8)), p1);
    reduce(g, ACC);
  }
}

/** Write Y as 16 bytes (big-endian halves) at dst. */
export function ghashOutput(g: usize, dst: usize): void {
  store<u64>(dst, bswap<u64>(load<u64>(g)));
  store<u64>(dst, bswap<u64>(load<u64>(g, 8)), 8);
}
