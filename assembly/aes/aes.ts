// FIPS 197 AES (128-, 192- and 256-bit keys), encryption only (GCM needs no
// inverse cipher), bitsliced over eight blocks in eight v128 registers.
//
// Why bitslicing: a table-based AES indexes memory with secret bytes, and the
// vector-permute technique (i8x16.swizzle as a 16-entry S-box) costs two x64
// instructions per swizzle in wasm and works one block at a time. Bitsliced,
// the S-box is a fixed circuit of 113 XOR/AND gates (Boyar and Peralta,
// "A new combinational logic minimization technique with applications to
// cryptology", 2009) applied to all 128 bytes of eight blocks at once, with
// no memory access that depends on data: constant time by construction.
//
// Layout (Kasper and Schwabe, CHES 2009): register j holds bit j of every
// byte; within it, byte p is state byte p (column-major, FIPS 197 section
// 3.4) and bit b of that byte belongs to block b. ShiftRows and the column
// rotations of MixColumns are then constant byte shuffles of each register,
// and xtime is a renaming of registers plus three XORs.

/** Bytes of one bitsliced round key: 8 registers. */
export const RK_BYTES: usize = 128;

/**
 * Transpose between eight blocks (register b = block b) and the bitsliced
 * form (register j = bit j): the 8x8 bit matrix of every byte position is
 * transposed by three layers of SWAPMOVE. It is its own inverse.
 */
// @ts-ignore: decorator
@inline function swapmove(a: usize, b: usize, s: i32, m: v128): void {
  const x = v128.load(a);
  const y = v128.load(b);
  const t = v128.and(v128.xor(i64x2.shr_u(x, s), y), m);
  v128.store(b, v128.xor(y, t));
  v128.store(a, v128.xor(x, i64x2.shl(t, s)));
}

/** In-place bitslice transpose of the 8 registers at q (128 bytes). */
export function transpose(q: usize): void {
  const m1 = i8x16.splat(0x55);
  const m2 = i8x16.splat(0x33);
  const m4 = i8x16.splat(0x0f);
  swapmove(q, q + 16, 1, m1);
  swapmove(q + 32, q + 48, 1, m1);
  swapmove(q + 64, q + 80, 1, m1);
  swapmove(q + 96, q + 112, 1, m1);
  swapmove(q, q + 32, 2, m2);
  swapmove(q + 16, q + 48, 2, m2);
  swapmove(q + 64, q + 96, 2, m2);
  swapmove(q + 80, q + 112, 2, m2);
  swapmove(q, q + 64, 4, m4);
  swapmove(q + 16, q + 80, 4, m4);
  swapmove(q + 32, q + 96, 4, m4);
  swapmove(q + 48, q + 112, 4, m4);
}

// The byte permutations below are swizzles by constant index vectors (every
// index in 0..15, so the same result on every platform), not i8x16.shuffle:
// V8 (x64) rebuilds a shuffle's 16-byte mask from two 64-bit immediates at
// every use (four instructions, three on the shuffle port, read from the
// generated code), and lowers rot2's pattern to two word shuffles, while a
// constant swizzle index is one value that stays in a register: one pshufb.

/** ShiftRows (FIPS 197 5.1.2): state byte 4c + r takes byte 4((c + r) mod 4) + r. */
// @ts-ignore: decorator
@inline function shiftRows(x: v128): v128 {
  return i8x16.swizzle(x, SHIFT_ROWS);
}
const SHIFT_ROWS = i8x16(0, 5, 10, 15, 4, 9, 14, 3, 8, 13, 2, 7, 12, 1, 6, 11);

/** Rotate each column by one row: byte 4c + r takes byte 4c + (r + 1) mod 4. */
// @ts-ignore: decorator
@inline function rot1(x: v128): v128 {
  return i8x16.swizzle(x, ROT1);
}
const ROT1 = i8x16(1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12);

/** Rotate each column by two rows. */
// @ts-ignore: decorator
@inline function rot2(x: v128): v128 {
  return i8x16.swizzle(x, ROT2);
}
const ROT2 = i8x16(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);

/**
 * Nr rounds of AES on the bitsliced state at q with the bitsliced round keys
 * at rk (Nr + 1 round keys of RK_BYTES): FIPS 197 Algorithm 1 (Cipher).
 * All state stays in locals between the loads and the stores.
 */
export function encryptBitsliced(q: usize, rk: usize, nr: i32): void {
  let r0 = v128.xor(v128.load(q), v128.load(rk));
  let r1 = v128.xor(v128.load(q, 16), v128.load(rk, 16));
  let r2 = v128.xor(v128.load(q, 32), v128.load(rk, 32));
  let r3 = v128.xor(v128.load(q, 48), v128.load(rk, 48));
  let r4 = v128.xor(v128.load(q, 64), v128.load(rk, 64));
  let r5 = v128.xor(v128.load(q, 80), v128.load(rk, 80));
  let r6 = v128.xor(v128.load(q, 96), v128.load(rk, 96));
  let r7 = v128.xor(v128.load(q, 112), v128.load(rk, 112));
  for (let round = 1; round <= nr; round++) {
    // ---- SubBytes: the Boyar-Peralta circuit; x0 is bit 7, x7 is bit 0.
    const x0 = r7, x1 = r6, x2 = r5, x3 = r4, x4 = r3, x5 = r2, x6 = r1, x7 = r0;
    // Top linear layer.
    const y14 = v128.xor(x3, x5);
    const y13 = v128.xor(x0, x6);
    const y9 = v128.xor(x0, x3);
    const y8 = v128.xor(x0, x5);
    const t0 = v128.xor(x1, x2);
    const y1 = v128.xor(t0, x7);
    const y4 = v128.xor(y1, x3);
    const y12 = v128.xor(y13, y14);
    const y2 = v128.xor(y1, x0);
    const y5 = v128.xor(y1, x6);
    const y3 = v128.xor(y5, y8);
    const t1 = v128.xor(x4, y12);
    const y15 = v128.xor(t1, x5);
    const y20 = v128.xor(t1, x1);
    const y6 = v128.xor(y15, x7);
    const y10 = v128.xor(y15, t0);
    const y11 = v128.xor(y20, y9);
    const y7 = v128.xor(x7, y11);
    const y17 = v128.xor(y10, y11);
    const y19 = v128.xor(y10, y8);
    const y16 = v128.xor(t0, y11);
    const y21 = v128.xor(y13, y16);
    const y18 = v128.xor(x0, y16);
    // Non-linear middle: inversion in GF(2^4)^2.
    const t2 = v128.and(y12, y15);
    const t3 = v128.and(y3, y6);
    const t4 = v128.xor(t3, t2);
    const t5 = v128.and(y4, x7);
    const t6 = v128.xor(t5, t2);
    const t7 = v128.and(y13, y16);
    const t8 = v128.and(y5, y1);
    const t9 = v128.xor(t8, t7);
    const t10 = v128.and(y2, y7);
    const t11 = v128.xor(t10, t7);
    const t12 = v128.and(y9, y11);
    const t13 = v128.and(y14, y17);
    const t14 = v128.xor(t13, t12);
    const t15 = v128.and(y8, y10);
    const t16 = v128.xor(t15, t12);
    const t17 = v128.xor(t4, t14);
    const t18 = v128.xor(t6, t16);
    const t19 = v128.xor(t9, t14);
    const t20 = v128.xor(t11, t16);
    const t21 = v128.xor(t17, y20);
    const t22 = v128.xor(t18, y19);
    const t23 = v128.xor(t19, y21);
    const t24 = v128.xor(t20, y18);
    const t25 = v128.xor(t21, t22);
    const t26 = v128.and(t21, t23);
    const t27 = v128.xor(t24, t26);
    const t28 = v128.and(t25, t27);
    const t29 = v128.xor(t28, t22);
    const t30 = v128.xor(t23, t24);
    const t31 = v128.xor(t22, t26);
    const t32 = v128.and(t31, t30);
    const t33 = v128.xor(t32, t24);
    const t34 = v128.xor(t23, t33);
    const t35 = v128.xor(t27, t33);
    const t36 = v128.and(t24, t35);
    const t37 = v128.xor(t36, t34);
    const t38 = v128.xor(t27, t36);
    const t39 = v128.and(t29, t38);
    const t40 = v128.xor(t25, t39);
    const t41 = v128.xor(t40, t37);
    const t42 = v128.xor(t29, t33);
    const t43 = v128.xor(t29, t40);
    const t44 = v128.xor(t33, t37);
    const t45 = v128.xor(t42, t41);
    const z0 = v128.and(t44, y15);
    const z1 = v128.and(t37, y6);
    const z2 = v128.and(t33, x7);
    const z3 = v128.and(t43, y16);
    const z4 = v128.and(t40, y1);
    const z5 = v128.and(t29, y7);
    const z6 = v128.and(t42, y11);
    const z7 = v128.and(t45, y17);
    const z8 = v128.and(t41, y10);
    const z9 = v128.and(t44, y12);
    const z10 = v128.and(t37, y3);
    const z11 = v128.and(t33, y4);
    const z12 = v128.and(t43, y13);
    const z13 = v128.and(t40, y5);
    const z14 = v128.and(t29, y2);
    const z15 = v128.and(t42, y9);
    const z16 = v128.and(t45, y14);
    const z17 = v128.and(t41, y8);
    // Bottom linear layer.
    const t46 = v128.xor(z15, z16);
    const t47 = v128.xor(z10, z11);
    const t48 = v128.xor(z5, z13);
    const t49 = v128.xor(z9, z10);
    const t50 = v128.xor(z2, z12);
    const t51 = v128.xor(z2, z5);
    const t52 = v128.xor(z7, z8);
    const t53 = v128.xor(z0, z3);
    const t54 = v128.xor(z6, z7);
    const t55 = v128.xor(z16, z17);
    const t56 = v128.xor(z12, t48);
    const t57 = v128.xor(t50, t53);
    const t58 = v128.xor(z4, t46);
    const t59 = v128.xor(z3, t54);
    const t60 = v128.xor(t46, t57);
    const t61 = v128.xor(z14, t57);
    const t62 = v128.xor(t52, t58);
    const t63 = v128.xor(t49, t58);
    const t64 = v128.xor(z4, t59);
    const t65 = v128.xor(t61, t62);
    const t66 = v128.xor(z1, t63);
    // The circuit's final NOTs (the affine constant 0x63 on bits 6, 5, 1, 0)
    // are folded into the round keys (expandKey): MixColumns maps a column
    // of equal bytes c to itself, so XOR-ing 0x63 before it or after it is
    // the same.
    const s0 = v128.xor(t59, t63);
    const s6 = v128.xor(t56, t62);
    const s7 = v128.xor(t48, t60);
    const t67 = v128.xor(t64, t65);
    const s3 = v128.xor(t53, t66);
    const s4 = v128.xor(t51, t66);
    const s5 = v128.xor(t47, t65);
    const s1 = v128.xor(t64, s3);
    const s2 = v128.xor(t55, t67);
    // s0 is bit 7 ... s7 is bit 0; ShiftRows on each register.
    r7 = shiftRows(s0);
    r6 = shiftRows(s1);
    r5 = shiftRows(s2);
    r4 = shiftRows(s3);
    r3 = shiftRows(s4);
    r2 = shiftRows(s5);
    r1 = shiftRows(s6);
    r0 = shiftRows(s7);
    const k = rk + (<usize>round << 7);
    if (round != nr) {
      // ---- MixColumns: b = xtime(a ^ rot1(a)) ^ rot1(a) ^ rot2(a ^ rot1(a)).
      const a0 = rot1(r0), a1 = rot1(r1), a2 = rot1(r2), a3 = rot1(r3);
      const a4 = rot1(r4), a5 = rot1(r5), a6 = rot1(r6), a7 = rot1(r7);
      const u0 = v128.xor(r0, a0), u1 = v128.xor(r1, a1), u2 = v128.xor(r2, a2), u3 = v128.xor(r3, a3);
      const u4 = v128.xor(r4, a4), u5 = v128.xor(r5, a5), u6 = v128.xor(r6, a6), u7 = v128.xor(r7, a7);
      // xtime(u): bit 0 <- u7; bit 1 <- u0 ^ u7; bit 3 <- u2 ^ u7; bit 4 <- u3 ^ u7; bit i <- u(i-1) otherwise.
      r0 = v128.xor(v128.xor(u7, a0), rot2(u0));
      r1 = v128.xor(v128.xor(v128.xor(u0, u7), a1), rot2(u1));
      r2 = v128.xor(v128.xor(u1, a2), rot2(u2));
      r3 = v128.xor(v128.xor(v128.xor(u2, u7), a3), rot2(u3));
      r4 = v128.xor(v128.xor(v128.xor(u3, u7), a4), rot2(u4));
      r5 = v128.xor(v128.xor(u4, a5), rot2(u5));
      r6 = v128.xor(v128.xor(u5, a6), rot2(u6));
      r7 = v128.xor(v128.xor(u6, a7), rot2(u7));
    }
    // ---- AddRoundKey.
    r0 = v128.xor(r0, v128.load(k));
    r1 = v128.xor(r1, v128.load(k, 16));
    r2 = v128.xor(r2, v128.load(k, 32));
    r3 = v128.xor(r3, v128.load(k, 48));
    r4 = v128.xor(r4, v128.load(k, 64));
    r5 = v128.xor(r5, v128.load(k, 80));
    r6 = v128.xor(r6, v128.load(k, 96));
    r7 = v128.xor(r7, v128.load(k, 112));
  }
  v128.store(q, r0);
  v128.store(q, r1, 16);
  v128.store(q, r2, 32);
  v128.store(q, r3, 48);
  v128.store(q, r4, 64);
  v128.store(q, r5, 80);
  v128.store(q, r6, 96);
  v128.store(q, r7, 112);
}

/**
 * SubWord on the four bytes of w (FIPS 197 5.2): one bitsliced S-box pass on a
 * block holding w (the other seven blocks zero). `tmp` is 128 bytes of scratch.
 * Constant time like the cipher itself; used only by the key schedule.
 */
function subWord(w: u32, tmp: usize): u32 {
  memory.fill(tmp, 0, 128);
  store<u32>(tmp, w);
  transpose(tmp);
  sboxOnly(tmp);
  transpose(tmp);
  return load<u32>(tmp);
}

/**
 * SubBytes alone on a bitsliced state: one cipher round with nr = 1, a zero
 * first round key and 0x63 as the second (the folded affine constant) is
 * SubBytes then ShiftRows (the last round has no MixColumns), so ShiftRows is
 * undone afterwards. This keeps a single copy of the S-box circuit.
 */
function sboxOnly(q: usize): void {
  memory.fill(SBOX_RK, 0, 256);
  affineConstant(SBOX_RK + 128);
  encryptBitsliced(q, SBOX_RK, 1);
  for (let j: usize = 0; j < 128; j += 16) {
    const x = v128.load(q + j);
    // Inverse ShiftRows: state byte 4c + r takes byte 4((c - r) mod 4) + r.
    v128.store(q + j, i8x16.shuffle(x, x, 0, 13, 10, 7, 4, 1, 14, 11, 8, 5, 2, 15, 12, 9, 6, 3));
  }
}

const SBOX_RK: usize = memory.data(256, 16);

/** XOR 0x63 (bits 0, 1, 5, 6) into every byte of the bitsliced round key at k. */
function affineConstant(k: usize): void {
  const ones = i8x16.splat(-1);
  for (let j: usize = 0; j < 8; j++) {
    if (j == 0 || j == 1 || j == 5 || j == 6) v128.store(k + (j << 4), v128.xor(v128.load(k + (j << 4)), ones));
  }
}

/** Rcon (FIPS 197 5.2): x^(i-1) in GF(2^8). */
const RCON: usize = memory.data<u8>([0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1b, 0x36]);

/**
 * KeyExpansion (FIPS 197 Algorithm 2) of a 16-, 24- or 32-byte key into
 * Nr + 1 bitsliced round keys at rk (each byte's bit j replicated across the
 * eight block lanes of register j). `w` is a 240-byte scratch for the word
 * schedule and `tmp` 128 bytes; the caller wipes both. Returns Nr (10, 12,
 * 14), or 0 for a bad key length.
 */
export function expandKey(rk: usize, key: usize, keyLen: i32, w: usize, tmp: usize): i32 {
  const nk = keyLen >> 2;
  if (keyLen != 16 && keyLen != 24 && keyLen != 32) return 0;
  const nr = nk + 6;
  const total = 4 * (nr + 1);
  memory.copy(w, key, <usize>keyLen);
  for (let i = nk; i < total; i++) {
    let t = load<u32>(w + (<usize>(i - 1) << 2));
    if (i % nk == 0) {
      t = subWord(rotr<u32>(t, 8), tmp) ^ <u32>load<u8>(RCON + <usize>(i / nk - 1));
    } else if (nk > 6 && i % nk == 4) {
      t = subWord(t, tmp);
    }
    store<u32>(w + (<usize>i << 2), load<u32>(w + (<usize>(i - nk) << 2)) ^ t);
  }
  // Bitslice each round key: register j, byte p = 0xFF if bit j of key byte p
  // is set; rounds 1..Nr also carry the S-box's affine constant.
  for (let r = 0; r <= nr; r++) {
    const kb = v128.load(w + (<usize>r << 4));
    const dst = rk + (<usize>r << 7);
    for (let j = 0; j < 8; j++) {
      const bit = v128.and(i8x16.shr_u(kb, <i32>j), i8x16.splat(1));
      v128.store(dst + (<usize>j << 4), i8x16.neg(bit));
    }
    if (r > 0) affineConstant(dst);
  }
  return nr;
}
