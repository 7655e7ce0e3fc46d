// Shared helpers for the correctness checks every suite runs before timing.

/** Deterministic test bytes; `tag` selects the pattern. */
export function bytes(len: number, tag: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = (i * 29 + tag * 101 + 7) & 0xff;
  return out;
}

export function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A copy of x with one bit flipped at byte `at` (default: the middle byte). */
export function flipped(x: Uint8Array, at = x.length >> 1): Uint8Array {
  const t = new Uint8Array(x);
  t[at]! ^= 1;
  return t;
}

/** Run a check body: it returns undefined when fine, else what went wrong; a throw is a failure too. */
export function verdict(body: () => string | undefined): { ok: boolean; detail?: string } {
  try {
    const bad = body();
    return bad === undefined ? { ok: true } : { ok: false, detail: bad };
  } catch (e) {
    return { ok: false, detail: `threw: ${(e as Error).message}` };
  }
}
