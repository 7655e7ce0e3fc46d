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

/** Fresh random bytes from the platform CSPRNG (crypto.getRandomValues). */
export function randomBytes(length: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(length));
}
