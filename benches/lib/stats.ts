// Small statistics over per-round samples.

/** Median of a non-empty list (mean of the two middle values for even lengths). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError('median of an empty list');
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Round-to-round spread: (max - min) / median, as a fraction. */
export function spread(xs: readonly number[]): number {
  return (Math.max(...xs) - Math.min(...xs)) / median(xs);
}

/** Arithmetic mean of a non-empty list. */
export function mean(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError('mean of an empty list');
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/**
 * Median over rounds of a[i] / b[i], where a[i] and b[i] were measured back
 * to back in round i. When the machine's speed drifts between rounds (a
 * shared VM whose speed moves by 1.5-2x within minutes), each round's ratio
 * still compares like with like, while the ratio of the two medians can pair
 * one implementation's fast rounds with the other's slow ones.
 */
export function pairedRatio(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new RangeError(`pairedRatio: ${a.length} rounds against ${b.length}`);
  return median(a.map((x, i) => x / b[i]!));
}
