// FIPS 202: Keccak-f[1600], the sponge, SHA3-256/512 and SHAKE128/256.
//
// The state is 25 little-endian u64 lanes, lane (x, y) at byte 8 (x + 5 y), so
// the rate bytes of the state ARE the sponge's output stream: squeezing is a
// copy and absorbing is an XOR into memory. Keccak-f keeps all 25 lanes in
// locals for its 24 rounds (one load and one store per lane per permutation);
// that is what makes the WAVEN build cheap, since only memory accesses are
// translated. The permutation has no data-dependent branch or index: it is
// constant time on secret inputs (ML-KEM seeds and keys pass through it).
//
// One state is a serial chain of 64-bit operations, so a single permutation
// stays scalar; where two independent streams are needed at once (ML-KEM's
// matrix and noise sampling) keccakx2.ts runs two states in i64x2 lanes.

/** FIPS 202 section 3.2.5, iota: the 24 round constants RC[ir]. */
export const RC: usize = memory.data<u64>([
  0x0000000000000001, 0x0000000000008082, 0x800000000000808a, 0x8000000080008000,
  0x000000000000808b, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
  0x000000000000008a, 0x0000000000000088, 0x0000000080008009, 0x000000008000000a,
  0x000000008000808b, 0x800000000000008b, 0x8000000000008089, 0x8000000000008003,
  0x8000000000008002, 0x8000000000000080, 0x000000000000800a, 0x800000008000000a,
  0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
]);

/** Size of a Keccak state in bytes. */
export const KECCAK_STATE_BYTES: usize = 200;

/**
 * FIPS 202 Algorithm 7, Keccak-p[1600, 24] on the state at `s` (200 bytes,
 * 8-byte aligned). Each round is theta, rho and pi fused into the lanes b,
 * then chi back into a, then iota.
 */
export function keccakF1600(s: usize): void {
  let a00 = load<u64>(s, 0);
  let a10 = load<u64>(s, 8);
  let a20 = load<u64>(s, 16);
  let a30 = load<u64>(s, 24);
  let a40 = load<u64>(s, 32);
  let a01 = load<u64>(s, 40);
  let a11 = load<u64>(s, 48);
  let a21 = load<u64>(s, 56);
  let a31 = load<u64>(s, 64);
  let a41 = load<u64>(s, 72);
  let a02 = load<u64>(s, 80);
  let a12 = load<u64>(s, 88);
  let a22 = load<u64>(s, 96);
  let a32 = load<u64>(s, 104);
  let a42 = load<u64>(s, 112);
  let a03 = load<u64>(s, 120);
  let a13 = load<u64>(s, 128);
  let a23 = load<u64>(s, 136);
  let a33 = load<u64>(s, 144);
  let a43 = load<u64>(s, 152);
  let a04 = load<u64>(s, 160);
  let a14 = load<u64>(s, 168);
  let a24 = load<u64>(s, 176);
  let a34 = load<u64>(s, 184);
  let a44 = load<u64>(s, 192);
  for (let round = 0; round < 24; round++) {
    const c0 = a00 ^ a01 ^ a02 ^ a03 ^ a04;
    const c1 = a10 ^ a11 ^ a12 ^ a13 ^ a14;
    const c2 = a20 ^ a21 ^ a22 ^ a23 ^ a24;
    const c3 = a30 ^ a31 ^ a32 ^ a33 ^ a34;
    const c4 = a40 ^ a41 ^ a42 ^ a43 ^ a44;
    const d0 = c4 ^ rotl<u64>(c1, 1);
    const d1 = c0 ^ rotl<u64>(c2, 1);
    const d2 = c1 ^ rotl<u64>(c3, 1);
    const d3 = c2 ^ rotl<u64>(c4, 1);
    const d4 = c3 ^ rotl<u64>(c0, 1);
    const b00 = a00 ^ d0;
    const b13 = rotl<u64>(a01 ^ d0, 36);
    const b21 = rotl<u64>(a02 ^ d0, 3);
    const b34 = rotl<u64>(a03 ^ d0, 41);
    const b42 = rotl<u64>(a04 ^ d0, 18);
    const b02 = rotl<u64>(a10 ^ d1, 1);
    const b10 = rotl<u64>(a11 ^ d1, 44);
    const b23 = rotl<u64>(a12 ^ d1, 10);
    const b31 = rotl<u64>(a13 ^ d1, 45);
    const b44 = rotl<u64>(a14 ^ d1, 2);
    const b04 = rotl<u64>(a20 ^ d2, 62);
    const b12 = rotl<u64>(a21 ^ d2, 6);
    const b20 = rotl<u64>(a22 ^ d2, 43);
    const b33 = rotl<u64>(a23 ^ d2, 15);
    const b41 = rotl<u64>(a24 ^ d2, 61);
    const b01 = rotl<u64>(a30 ^ d3, 28);
    const b14 = rotl<u64>(a31 ^ d3, 55);
    const b22 = rotl<u64>(a32 ^ d3, 25);
    const b30 = rotl<u64>(a33 ^ d3, 21);
    const b43 = rotl<u64>(a34 ^ d3, 56);
    const b03 = rotl<u64>(a40 ^ d4, 27);
    const b11 = rotl<u64>(a41 ^ d4, 20);
    const b24 = rotl<u64>(a42 ^ d4, 39);
    const b32 = rotl<u64>(a43 ^ d4, 8);
    const b40 = rotl<u64>(a44 ^ d4, 14);
    a00 = b00 ^ (~b10 & b20);
    a10 = b10 ^ (~b20 & b30);
    a20 = b20 ^ (~b30 & b40);
    a30 = b30 ^ (~b40 & b00);
    a40 = b40 ^ (~b00 & b10);
    a01 = b01 ^ (~b11 & b21);
    a11 = b11 ^ (~b21 & b31);
    a21 = b21 ^ (~b31 & b41);
    a31 = b31 ^ (~b41 & b01);
    a41 = b41 ^ (~b01 & b11);
    a02 = b02 ^ (~b12 & b22);
    a12 = b12 ^ (~b22 & b32);
    a22 = b22 ^ (~b32 & b42);
    a32 = b32 ^ (~b42 & b02);
    a42 = b42 ^ (~b02 & b12);
    a03 = b03 ^ (~b13 & b23);
    a13 = b13 ^ (~b23 & b33);
    a23 = b23 ^ (~b33 & b43);
    a33 = b33 ^ (~b43 & b03);
    a43 = b43 ^ (~b03 & b13);
    a04 = b04 ^ (~b14 & b24);
    a14 = b14 ^ (~b24 & b34);
    a24 = b24 ^ (~b34 & b44);
    a34 = b34 ^ (~b44 & b04);
    a44 = b44 ^ (~b04 & b14);
    a00 ^= load<u64>(RC + (<usize>round << 3));
  }
  store<u64>(s, a00, 0);
  store<u64>(s, a10, 8);
  store<u64>(s, a20, 16);
  store<u64>(s, a30, 24);
  store<u64>(s, a40, 32);
  store<u64>(s, a01, 40);
  store<u64>(s, a11, 48);
  store<u64>(s, a21, 56);
  store<u64>(s, a31, 64);
  store<u64>(s, a41, 72);
  store<u64>(s, a02, 80);
  store<u64>(s, a12, 88);
  store<u64>(s, a22, 96);
  store<u64>(s, a32, 104);
  store<u64>(s, a42, 112);
  store<u64>(s, a03, 120);
  store<u64>(s, a13, 128);
  store<u64>(s, a23, 136);
  store<u64>(s, a33, 144);
  store<u64>(s, a43, 152);
  store<u64>(s, a04, 160);
  store<u64>(s, a14, 168);
  store<u64>(s, a24, 176);
  store<u64>(s, a34, 184);
  store<u64>(s, a44, 192);
}

// ---------------------------------------------------------------------------
// The sponge (FIPS 202 Algorithm 8) over a state in memory. `pos` is the byte
// offset inside the current rate block: while absorbing, how many bytes of
// this block have been XORed in; while squeezing, how many have been output.

/** Zero a state: the sponge's initial value S = 0^1600. */
// @ts-ignore: decorator
@inline export function keccakInit(s: usize): void {
  memory.fill(s, 0, KECCAK_STATE_BYTES);
}

/**
 * XOR `len` bytes at `src` into the state, permuting after each full block.
 * `pos` < `rate`. Returns the new position (< rate). Whole 8-byte lanes are
 * XORed at once when the position is lane-aligned.
 */
export function keccakAbsorb(s: usize, rate: u32, pos: u32, src: usize, len: usize): u32 {
  while (len > 0) {
    if (pos == 0 && len >= <usize>rate) {
      // A whole block: XOR it lane by lane.
      for (let i: u32 = 0; i < rate; i += 8) {
        store<u64>(s + i, load<u64>(s + i) ^ load<u64>(src + i));
      }
      keccakF1600(s);
      src += rate;
      len -= rate;
      continue;
    }
    let take = <usize>(rate - pos);
    if (take > len) take = len;
    let i: usize = 0;
    // Whole lanes while the position is lane-aligned (a 32- or 33-byte seed: four lanes and a
    // byte), then bytes. Lanes are little-endian, so a lane XOR is the XOR of its eight bytes.
    if ((pos & 7) == 0) {
      for (; i + 8 <= take; i += 8) store<u64>(s + pos + i, load<u64>(s + pos + i) ^ load<u64>(src + i));
    }
    for (; i < take; i++) {
      store<u8>(s + pos + i, load<u8>(s + pos + i) ^ load<u8>(src + i));
    }
    pos += <u32>take;
    src += take;
    len -= take;
    if (pos == rate) {
      keccakF1600(s);
      pos = 0;
    }
  }
  return pos;
}

/**
 * Pad and switch to squeezing: FIPS 202 section 5.1 pad10*1 after the
 * delimited suffix `ds`: the domain bits followed by the first pad bit (0x06
 * for SHA-3, 0x1F for SHAKE, 0x01 for plain Keccak; a caller hashing a
 * message whose length is not a whole number of bytes folds its last bits in
 * below the suffix). ds must be non-zero. When the suffix's first pad bit is
 * the block's last bit, the closing pad bit starts a new block. Returns the
 * squeeze position 0.
 */
export function keccakFinish(s: usize, rate: u32, pos: u32, ds: u8): u32 {
  store<u8>(s + pos, load<u8>(s + pos) ^ ds);
  if ((ds & 0x80) != 0 && pos == rate - 1) keccakF1600(s);
  store<u8>(s + rate - 1, load<u8>(s + rate - 1) ^ 0x80);
  keccakF1600(s);
  return 0;
}

/**
 * Copy `len` output bytes to `dst`, permuting whenever the block is used up.
 * `pos` <= `rate`; returns the new position.
 */
export function keccakSqueeze(s: usize, rate: u32, pos: u32, dst: usize, len: usize): u32 {
  while (len > 0) {
    if (pos == rate) {
      keccakF1600(s);
      pos = 0;
    }
    let take = <usize>(rate - pos);
    if (take > len) take = len;
    memory.copy(dst, s + pos, take);
    pos += <u32>take;
    dst += take;
    len -= take;
  }
  return pos;
}

/** One-shot sponge: S = 0, absorb `src`, pad with `ds`, squeeze `outLen` bytes. */
export function keccakHash(
  s: usize, rate: u32, ds: u8, src: usize, len: usize, dst: usize, outLen: usize,
): void {
  keccakInit(s);
  const pos = keccakAbsorb(s, rate, 0, src, len);
  keccakFinish(s, rate, pos, ds);
  keccakSqueeze(s, rate, 0, dst, outLen);
}

/** Domain-separation bytes (FIPS 202 section 6: "01" for SHA-3, "1111" for SHAKE). */
export const DS_SHA3: u8 = 0x06;
export const DS_SHAKE: u8 = 0x1f;
