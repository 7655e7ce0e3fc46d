// Counts taken from environment variables (iteration counts of the
// differential suites, size limits). An override may raise or lower a count,
// but not below its documented floor: below it a suite proves too little
// (AWRE_DIFF_ITERATIONS=0 would pass with nothing checked). A value that is
// not a whole number, or is below the floor, throws when the suite loads:
// no silent clamping, so a run never reports a count it did not do.

/** The differential suites' iteration variables: default and minimum. */
export const ITERATION_VARS = {
  /** diff-mlkem: random seeds per ML-KEM parameter set. */
  AWRE_DIFF_ITERATIONS: { dflt: 1000, floor: 100 },
  /** mldsa-diff: random seeds, messages and contexts per ML-DSA parameter set. */
  AWRE_DSA_DIFF_ITERATIONS: { dflt: 500, floor: 50 },
  /** gcm-diff: fully random cases; 600 keeps gcm-diff at >= 2000 cases (1406 fixed ones). */
  AWRE_GCM_DIFF_RANDOM: { dflt: 800, floor: 600 },
} as const;

/** The iteration count for one of ITERATION_VARS (its default when unset). */
export function iterations(name: keyof typeof ITERATION_VARS): number {
  const { dflt, floor } = ITERATION_VARS[name];
  return envCount(name, dflt, floor);
}

/**
 * The whole number in process.env[name], or `dflt` when the variable is unset.
 * Throws for anything else: empty, non-numeric, fractional, negative, or below `floor`.
 */
export function envCount(name: string, dflt: number, floor: number): number {
  if (!(dflt >= floor)) throw new Error(`${name}: the default ${dflt} is below the floor ${floor}`);
  const raw = process.env[name];
  if (raw === undefined) return dflt;
  const s = raw.trim();
  const n = /^[0-9]+$/.test(s) ? Number(s) : NaN;
  if (!Number.isSafeInteger(n)) throw new Error(`${name} must be a whole number >= ${floor} (default ${dflt}), got ${JSON.stringify(raw)}`);
  if (n < floor) throw new Error(`${name}=${n} is below the minimum of ${floor} (default ${dflt}): fewer cases would not show the implementation is right`);
  return n;
}
