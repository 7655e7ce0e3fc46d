// The verifier's Merkle frontier (docs/verify.md, "Hashing"): the compact
// range of an RFC 6962 tree over SHA-256 (FIPS 180-4, section 6.2), fed
// leaf hashes in batches, so the n - 1 interior hashes of an n-leaf log are
// computed here, in one call per batch, rather than one host call each.
// node = SHA-256(0x01 || left || right) (RFC 6962 section 2.1): 65 bytes,
// two blocks. Memory: the frontier (64 levels x 32 bytes), one 128-byte
// message, the schedule, then the batch area the host writes leaves into.
// Nothing here is secret: every input is a public log's bytes.

const K: StaticArray<u32> = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

const FRONTIER: usize = memory.data(64 * 32, 16); // a node per level
const MSG: usize = memory.data(128, 16);          // the padded 65-byte node message
const W: usize = memory.data(64 * 4, 16);         // the schedule
const STATE: usize = memory.data(8 * 4, 16);
const ROOT: usize = memory.data(32, 16);           // root() writes here
/** Where the host writes a batch of leaf hashes, with 32 bytes before it for a carried node. */
const BATCH: usize = memory.data(32 + 4096 * 32, 16) + 32;
/** Leaves per batch. */
export const BATCH_LEAVES: u32 = 4096;

let size: u64 = 0;

/** The offset of the batch area in memory. */
export function batchPtr(): usize { return BATCH; }

/** Where root() writes. */
export function rootPtr(): usize { return ROOT; }

/** Leaves appended so far. */
export function treeSize(): u64 { return size; }

export function init(): void {
  size = 0;
  memory.fill(MSG, 0, 128);
  store<u8>(MSG, 0x01);
  store<u8>(MSG + 65, 0x80);
  store<u64>(MSG + 120, bswap<u64>(520)); // message length in bits, big-endian
}

function compress(block: usize): void {
  for (let t: usize = 0; t < 16; t++) store<u32>(W + 4 * t, bswap<u32>(load<u32>(block + 4 * t)));
  for (let t: usize = 16; t < 64; t++) {
    const w15 = load<u32>(W + 4 * (t - 15));
    const w2 = load<u32>(W + 4 * (t - 2));
    const s0 = rotr<u32>(w15, 7) ^ rotr<u32>(w15, 18) ^ (w15 >>> 3);
    const s1 = rotr<u32>(w2, 17) ^ rotr<u32>(w2, 19) ^ (w2 >>> 10);
    store<u32>(W + 4 * t, load<u32>(W + 4 * (t - 16)) + s0 + load<u32>(W + 4 * (t - 7)) + s1);
  }
  let a = load<u32>(STATE), b = load<u32>(STATE + 4), c = load<u32>(STATE + 8), d = load<u32>(STATE + 12);
  let e = load<u32>(STATE + 16), f = load<u32>(STATE + 20), g = load<u32>(STATE + 24), h = load<u32>(STATE + 28);
  for (let t = 0; t < 64; t++) {
    const S1 = rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25);
    const ch = (e & f) ^ (~e & g);
    const t1 = h + S1 + ch + unchecked(K[t]) + load<u32>(W + 4 * <usize>t);
    const S0 = rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22);
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = S0 + maj;
    h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
  }
  store<u32>(STATE, load<u32>(STATE) + a); store<u32>(STATE + 4, load<u32>(STATE + 4) + b);
  store<u32>(STATE + 8, load<u32>(STATE + 8) + c); store<u32>(STATE + 12, load<u32>(STATE + 12) + d);
  store<u32>(STATE + 16, load<u32>(STATE + 16) + e); store<u32>(STATE + 20, load<u32>(STATE + 20) + f);
  store<u32>(STATE + 24, load<u32>(STATE + 24) + g); store<u32>(STATE + 28, load<u32>(STATE + 28) + h);
}

/** out = SHA-256(0x01 || left || right); `out` may be `left` (both are read first). */
function node(left: usize, right: usize, out: usize): void {
  memory.copy(MSG + 1, left, 32);
  memory.copy(MSG + 33, right, 32);
  store<u32>(STATE, 0x6a09e667); store<u32>(STATE + 4, 0xbb67ae85); store<u32>(STATE + 8, 0x3c6ef372); store<u32>(STATE + 12, 0xa54ff53a);
  store<u32>(STATE + 16, 0x510e527f); store<u32>(STATE + 20, 0x9b05688c); store<u32>(STATE + 24, 0x1f83d9ab); store<u32>(STATE + 28, 0x5be0cd19);
  compress(MSG);
  compress(MSG + 64);
  for (let i: usize = 0; i < 8; i++) store<u32>(out + 4 * i, bswap<u32>(load<u32>(STATE + 4 * i)));
}

/**
 * Append `count` leaf hashes from the batch area (32 bytes each). Level by
 * level: the frontier's node at that level (present when bit h of the size
 * is set) is the left neighbour of the first new node; nodes pair up from
 * the start, an odd one out stays in the frontier. Outputs are written
 * behind their inputs (node j at list + 32 + 32j, never past pair j + 1).
 */
export function append(count: u32): void {
  let list = BATCH;
  let n = <usize>count;
  let h: i32 = 0;
  const old = size;
  while (n > 0) {
    const slot = FRONTIER + 32 * <usize>h;
    if ((old >> <u64>h) & 1) {
      list -= 32;
      memory.copy(list, slot, 32);
      n++;
    }
    if (n & 1) {
      memory.copy(slot, list + 32 * (n - 1), 32);
      n--;
    }
    const outList = list + 32;
    for (let j: usize = 0; j < n / 2; j++) node(list + 64 * j, list + 64 * j + 32, outList + 32 * j);
    list = outList;
    n /= 2;
    h++;
  }
  size = old + <u64>count;
}

/** The root of the tree so far, at rootPtr() (32 bytes); the empty tree's root is SHA-256 of nothing. */
export function root(): void {
  const out = ROOT;
  if (size == 0) {
    // SHA-256("") (FIPS 180-4 test value).
    const e: StaticArray<u8> = [0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55];
    for (let i = 0; i < 32; i++) store<u8>(out + <usize>i, unchecked(e[i]));
    return;
  }
  let h: i32 = <i32>ctz<u64>(size);
  memory.copy(out, FRONTIER + 32 * <usize>h, 32);
  for (h++; h < 64; h++) {
    if ((size >> <u64>h) & 1) node(FRONTIER + 32 * <usize>h, out, out);
  }
}
