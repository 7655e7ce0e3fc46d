// ACVP algorithms for FIPS 202 tests that are shared by several test files.

/**
 * ACVP truncation of a Keccak output to `bits` bits. ACVP bit strings are
 * MSB-first while Keccak emits bits LSB-first, so the r = bits mod 8 leading
 * Keccak bits of the last byte end up in its top r bits:
 * last = (byte & (2^r - 1)) << (8 - r).
 */
export function truncateBits(out: Uint8Array, bits: number): Uint8Array {
  const nb = Math.ceil(bits / 8);
  const r = bits % 8;
  const t = out.slice(0, nb);
  if (r !== 0) t[nb - 1] = ((t[nb - 1]! & ((1 << r) - 1)) << (8 - r)) & 0xff;
  return t;
}

/**
 * ACVP SHA-3 Monte Carlo test ("standard"): for j = 0..99, MD[0] = Seed;
 * MD[i] = SHA3(MD[i-1]) for i = 1..1000; output MD[1000]; Seed = MD[1000].
 */
export function sha3Mct(hash: (m: Uint8Array) => Uint8Array, seed: Uint8Array, outer = 100): Uint8Array[] {
  const results: Uint8Array[] = [];
  let s = seed;
  for (let j = 0; j < outer; j++) {
    let md = s;
    for (let i = 0; i < 1000; i++) md = hash(md);
    results.push(md);
    s = md;
  }
  return results;
}

/**
 * ACVP SHAKE Monte Carlo test (byte-oriented). Range = maxOutBytes -
 * minOutBytes + 1; OutputLen starts at maxOutBytes; Output[0] = Msg; each
 * inner message is the leftmost 128 bits of the previous output (zero padded
 * when shorter); after each step OutputLen = minOutBytes + (rightmost 16 bits
 * of Output) mod Range. Returns the 100 outer outputs with their bit lengths.
 */
export function shakeMct(
  xof: (msg: Uint8Array, dkLen: number) => Uint8Array,
  seed: Uint8Array,
  minOutBits: number,
  maxOutBits: number,
  outer = 100,
): { md: Uint8Array; outLen: number }[] {
  const minB = Math.floor(minOutBits / 8);
  const maxB = Math.floor(maxOutBits / 8);
  const range = maxB - minB + 1;
  let outLen = maxB;
  let output = seed;
  const results: { md: Uint8Array; outLen: number }[] = [];
  for (let j = 0; j < outer; j++) {
    for (let i = 1; i <= 1000; i++) {
      const msg = new Uint8Array(16);
      msg.set(output.subarray(0, 16));
      output = xof(msg, outLen);
      const right16 = (output[output.length - 2]! << 8) | output[output.length - 1]!;
      outLen = minB + (right16 % range);
    }
    results.push({ md: output, outLen: output.length * 8 });
  }
  return results;
}
