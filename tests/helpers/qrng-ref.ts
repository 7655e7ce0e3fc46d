// Reference values for the QRNG feed, written from docs/qrng.md and
// SP 800-90B alone: never from host/qrng/ (the code under test). Hashes come
// from @noble/hashes, not node:crypto, so even the hash library differs.
import { createCipheriv } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { sha3_384 } from '@noble/hashes/sha3.js';
import { bytesToHex, concat, hexToBytes } from './hex.js';

const utf8 = (s: string) => new TextEncoder().encode(s);

function le(n: number, width: 4 | 8): Uint8Array {
  const b = new Uint8Array(width);
  let v = BigInt(n);
  for (let i = 0; i < width; i++, v >>= 8n) b[i] = Number(v & 0xffn);
  if (v !== 0n) throw new RangeError(`${n} does not fit in ${width} bytes`);
  return b;
}

/** docs/qrng.md "Conditioning": SHA3-384("awre-qrng-cond-v1" ‖ 0x00 ‖ le32|raw| ‖ raw ‖ le32|os| ‖ os). */
export function conditionRef(raw: Uint8Array, os: Uint8Array = new Uint8Array(0)): Uint8Array {
  return sha3_384(concat(utf8('awre-qrng-cond-v1'), Uint8Array.of(0), le(raw.length, 4), raw, le(os.length, 4), os));
}

/** docs/qrng.md "Events": SHA-256("awre-qrng-commit-v1" ‖ 0x00 ‖ le64 epoch ‖ seed), hex. */
export function commitmentRef(epoch: number, seed: Uint8Array): string {
  return bytesToHex(sha256(concat(utf8('awre-qrng-commit-v1'), Uint8Array.of(0), le(epoch, 8), seed)));
}

/** docs/qrng.md "Seeding the enclave DRBG": the boot personalization string. */
export const PERSONALIZATION_REF = utf8('awre-qrng-v1');

/** The reseed additional input, le64 epoch. */
export const epochInput = (epoch: number): Uint8Array => le(epoch, 8);

/** docs/qrng.md "Sources": the sim label, sim#<16 hex of SHA-256("awre-qrng-sim-label-v1" ‖ seed)>. */
export function simLabelRef(seedHex: string): string {
  return `sim#${bytesToHex(sha256(concat(utf8('awre-qrng-sim-label-v1'), hexToBytes(seedHex)))).slice(0, 16)}`;
}

/**
 * docs/qrng.md "Sources": sim:<hex> serves the AES-256-CTR keystream keyed by
 * SHA-256("awre-qrng-sim-v1" ‖ seed). The doc names no initial counter block;
 * an all-zero one is assumed here.
 */
export function simStreamRef(seedHex: string, n: number): Uint8Array {
  const key = sha256(concat(utf8('awre-qrng-sim-v1'), hexToBytes(seedHex)));
  return new Uint8Array(createCipheriv('aes-256-ctr', key, new Uint8Array(16)).update(new Uint8Array(n)));
}

function integers(num: number, den: number): void {
  if (!Number.isSafeInteger(num) || !Number.isSafeInteger(den) || num < 1 || den < 1) throw new RangeError(`H = ${num}/${den}: give H as a ratio of positive integers`);
}

/** docs/qrng.md "Raw input": ⌈(384 + 64) / H⌉ raw bytes per seed, for H = num/den (integer arithmetic, no float ceil). */
export function rawBytesRef(num: number, den = 1): number {
  integers(num, den);
  return Math.floor((448 * den + num - 1) / num);
}

/** SP 800-90B 4.4.1 as docs/qrng.md states it: C = 1 + ⌈20 / H⌉, for H = num/den (exact). */
export function rctCutoffRef(num: number, den = 1): number {
  integers(num, den);
  return 1 + Math.floor((20 * den + num - 1) / num);
}

/**
 * SP 800-90B 4.4.2 as docs/qrng.md states it: C = 1 + CRITBINOM(W, 2^-H, 1 - alpha),
 * alpha = 2^-20, where CRITBINOM(n, p, c) is the smallest k with P[Binomial(n, p) <= k] >= c,
 * i.e. the smallest k with P[X > k] <= 2^-20. Computed exactly in BigInt: p is the double
 * 2 ** -h, a dyadic rational m / 2^e, so P[X > k] = A_k / 2^(eW) with
 * A_k = sum_{j>k} C(W,j) m^j q^(W-j), q = 2^e - m. To keep every product small, the
 * sum is carried as B = A_k / m^(k+1) (an integer) and compared with floor(2^(eW) / m^k).
 */
export function aptCutoffRef(h: number, w = 512): number {
  let x = 2 ** -h;
  let e = 0n;
  while (!Number.isInteger(x)) { x *= 2; e++; } // exact: doubling a double loses nothing
  const m = BigInt(x), q = (1n << e) - m, W = BigInt(w);
  const qPow: bigint[] = [1n], dm: bigint[] = [1n << (e * W)]; // q^i; floor(2^(eW) / m^i)
  for (let i = 1; i <= w; i++) { qPow.push(qPow[i - 1]! * q); dm.push(dm[i - 1]! / m); }
  let k = w, b = 0n, binom = 1n; // b = A_k / m^(k+1); binom = C(W, k)
  // Step k down while P[X > k-1] = (A_k + C(W,k) m^k q^(W-k)) / 2^(eW) is still <= 2^-20.
  while (k > 0) {
    const next = m * b + binom * qPow[w - k]!; // A_{k-1} / m^k
    if (next << 20n > dm[k]!) break; // next * m^k * 2^20 > 2^(eW), as next is an integer
    b = next;
    binom = (binom * BigInt(k)) / (W - BigInt(k) + 1n); // C(W, k-1)
    k--;
  }
  return 1 + k;
}
