// Hex and byte helpers for the tests (independent of the code under test).

/** Decode a hex string (either case, even length) to bytes. */
export function hexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new Error(`bad hex: ${hex.slice(0, 40)}`);
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/** Lower-case hex of bytes. */
export function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Upper-case hex, the ACVP JSON convention. */
export function toHexUpper(bytes: Uint8Array): string {
  return bytesToHex(bytes).toUpperCase();
}

/** Byte equality (plain loop: no dependency on the code under test). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Concatenate byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Index of `needle` inside `hay`, or -1. */
export function indexOfBytes(hay: Uint8Array, needle: Uint8Array): number {
  return Buffer.from(hay.buffer, hay.byteOffset, hay.byteLength).indexOf(Buffer.from(needle));
}
