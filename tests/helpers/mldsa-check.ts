// Small assertion helpers shared by the ML-DSA test files.
import { expect } from 'vitest';
import { bytesToHex } from './hex.js';

const clip = (s: string, n = 64) => (s.length > n ? `${s.slice(0, n)}...(${s.length / 2} bytes)` : s);

/** A short description of how `got` differs from `expected` (both hex), or null when equal. */
export function hexDiff(expectedHex: string, got: Uint8Array | string): string | null {
  const e = expectedHex.toLowerCase();
  const g = typeof got === 'string' ? got.toLowerCase() : bytesToHex(got);
  if (e === g) return null;
  let i = 0;
  while (i < e.length && i < g.length && e[i] === g[i]) i++;
  const byte = i >> 1;
  const from = Math.max(0, (byte - 4) * 2);
  return `lengths expected ${e.length / 2} got ${g.length / 2}; first difference at byte ${byte}: ` +
    `expected [${from / 2}..] ${e.slice(from, from + 48)} got ${g.slice(from, from + 48)}; ` +
    `expected starts ${clip(e, 32)} got starts ${clip(g, 32)}`;
}

/** Run f, returning its value or a description of what it threw. */
export function attempt<T>(f: () => T): { ok: true; value: T } | { ok: false; error: string } {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    const err = e as Error;
    return { ok: false, error: `threw ${err?.constructor?.name ?? typeof e}: ${err?.message ?? String(e)}` };
  }
}

/** The thrown value of f (fails the test if f returns). */
export function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return expect.fail('expected a throw, but the call returned');
}

/**
 * f throws exactly `cls` (not a subclass of it) whose message names the
 * argument (`arg`: a string it contains, or a pattern, e.g. /msg|message/).
 */
export function expectArgError(f: () => unknown, cls: typeof TypeError | typeof RangeError, arg: string | RegExp, where = ''): void {
  const err = thrown(f) as Error;
  expect(err, `${where}: expected ${cls.name}, got ${err?.constructor?.name}: ${err?.message}`).toBeInstanceOf(cls);
  expect((err as Error).constructor, `${where}: expected exactly ${cls.name}, got ${err?.constructor?.name}: ${err?.message}`).toBe(cls);
  if (typeof arg === 'string') expect((err as Error).message, `${where}: the message should name "${arg}"`).toContain(arg);
  else expect((err as Error).message, `${where}: the message should name ${arg}`).toMatch(arg);
}

export const clipHex = (b: Uint8Array, n = 64): string => clip(bytesToHex(b), n);
