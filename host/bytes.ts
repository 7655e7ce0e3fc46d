// Argument validation where inputs enter the API, with noble's conventions:
// TypeError for a value that is not a Uint8Array, RangeError for a wrong
// length, and the argument's name in the message.

export function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array || (ArrayBuffer.isView(value) && value.constructor.name === 'Uint8Array');
}

/** Assert a Uint8Array, of exactly `length` bytes when given. */
export function abytes(value: unknown, length: number | undefined, name: string): Uint8Array {
  if (!isBytes(value)) {
    throw new TypeError(`"${name}" expected Uint8Array${length === undefined ? '' : ` of length ${length}`}, got type=${typeof value}`);
  }
  if (length !== undefined && value.length !== length) {
    throw new RangeError(`"${name}" expected Uint8Array of length ${length}, got length=${value.length}`);
  }
  return value;
}

/** Assert a non-negative safe integer. */
export function anumber(value: unknown, name: string): number {
  if (typeof value !== 'number') throw new TypeError(`"${name}" expected number, got type=${typeof value}`);
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`"${name}" expected integer >= 0, got ${value}`);
  return value;
}

// Random bytes come from crypto.getRandomValues, drawn 4 KiB at a time: one
// call costs about 2 us in Node 20 whatever its size, as much as a tenth of an
// ML-KEM operation. Served bytes are copied out and zeroed in the pool at
// once, so the pool only ever holds bytes no caller has seen.
const POOL_BYTES = 4096;
const pool = new Uint8Array(POOL_BYTES);
let poolPos = POOL_BYTES;

/** Fresh random bytes from the platform CSPRNG (crypto.getRandomValues). */
export function randomBytes(length: number): Uint8Array {
  if (length > POOL_BYTES >> 2) return globalThis.crypto.getRandomValues(new Uint8Array(length));
  if (poolPos + length > POOL_BYTES) {
    globalThis.crypto.getRandomValues(pool);
    poolPos = 0;
  }
  const out = pool.slice(poolPos, poolPos + length);
  pool.fill(0, poolPos, poolPos + length);
  poolPos += length;
  return out;
}

/** `a || b` in a new array; both inputs are zeroed (buffers of secret samples grow this way). */
export function concatWiping(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  a.fill(0);
  b.fill(0);
  return out;
}

/** `n` as a little-endian unsigned integer of `width` bytes (le16, le32, le64 in the specs). */
export function leBytes(n: number | bigint, width: 2 | 4 | 8): Uint8Array {
  const b = new Uint8Array(width);
  const dv = new DataView(b.buffer);
  if (width === 2) dv.setUint16(0, Number(n), true);
  else if (width === 4) dv.setUint32(0, Number(n), true);
  else dv.setBigUint64(0, BigInt(n), true);
  return b;
}

/** The parts one after another in a new array. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
