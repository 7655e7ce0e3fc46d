// Assertion helpers shared by the AES-GCM test files.
import { expect } from 'vitest';
import { IMPL } from './gcm-impl.js';
import { bytesToHex, equalBytes } from './hex.js';
import { hexDiff } from './mldsa-check.js';

export { attempt, expectArgError, thrown } from './mldsa-check.js';

const hex = bytesToHex;

/** Hex of b, shortened past `n` bytes (with its length). */
export const clip = (b: Uint8Array | undefined, n = 40): string =>
  b === undefined ? 'undefined' : b.length > n ? `${hex(b.subarray(0, n))}...(${b.length} bytes)` : hex(b);

/** A compact description of one GCM case for failure messages. */
export function describeCase(c: { key: Uint8Array; iv: Uint8Array; aad?: Uint8Array | undefined; pt?: Uint8Array; tagLength?: number }, extra = ''): string {
  return `key=${clip(c.key)} (${c.key.length * 8}-bit) iv=${clip(c.iv)} (${c.iv.length} bytes) ` +
    `aad=${clip(c.aad)} (${c.aad?.length ?? 'undefined'}) pt=${clip(c.pt)} (${c.pt?.length}) tagLength=${c.tagLength ?? 16}${extra ? '; ' + extra : ''}`;
}

/**
 * What is wrong with f's outcome as an authentication failure, or null when it
 * threw IMPL.AwreError (name "AwreError") with code 'AUTH_FAILED'.
 */
export function authFailureProblem(f: () => unknown): string | null {
  let value: unknown;
  try {
    value = f();
  } catch (e) {
    const err = e as Error & { code?: unknown };
    if (!(err instanceof IMPL.AwreError)) return `threw ${err?.constructor?.name}: ${err?.message} (expected AwreError AUTH_FAILED)`;
    if (err.name !== 'AwreError') return `threw an AwreError named ${err.name}`;
    if (err.code !== 'AUTH_FAILED') return `threw AwreError with code ${String(err.code)} (expected AUTH_FAILED): ${err.message}`;
    if (!err.message) return 'threw AwreError AUTH_FAILED with an empty message';
    return null;
  }
  return `returned ${value instanceof Uint8Array ? clip(value) : String(value)} instead of throwing AwreError AUTH_FAILED`;
}

/** f throws AwreError 'AUTH_FAILED'; returns the error. */
export function expectAuthFailed(f: () => unknown, where = ''): Error & { code: string } {
  let err: unknown;
  const problem = authFailureProblem(() => {
    try {
      return f();
    } catch (e) {
      err = e;
      throw e;
    }
  });
  expect(problem, where).toBeNull();
  return err as Error & { code: string };
}

/** Collects failures (the first few in full) so one run reports more than the first mismatch. */
export class Failures {
  readonly list: string[] = [];
  count = 0;
  constructor(private readonly keep = 12) {}
  add(msg: string): void {
    this.count++;
    if (this.list.length < this.keep) this.list.push(msg);
  }
  /** Record a difference between `got` and `want` (null / undefined / thrown count as different). */
  eq(got: Uint8Array | null | undefined, want: Uint8Array, what: string, where: string): boolean {
    if (got instanceof Uint8Array) {
      if (equalBytes(got, want)) return true;
      const d = hexDiff(hex(want), got);
      if (d === null) return true;
      this.add(`${what}: ${d}; ${where}`);
      return false;
    }
    this.add(`${what}: expected ${clip(want)}, got ${String(got)}; ${where}`);
    return false;
  }
  /** Run f; a throw is a failure (returns undefined). */
  run<T>(what: string, where: string, f: () => T): T | undefined {
    try {
      return f();
    } catch (e) {
      const err = e as Error & { code?: string };
      this.add(`${what} threw ${err?.constructor?.name}${err?.code ? ` (${err.code})` : ''}: ${err?.message}; ${where}`);
      return undefined;
    }
  }
  done(): void {
    expect(this.list, `${this.count} failure(s), the first ${this.list.length} listed`).toEqual([]);
  }
}
