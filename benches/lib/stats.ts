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
