// benches/lib/stats.ts: the paired ratio the gcm bench judges its targets on.
import { describe, expect, it } from 'vitest';
import { median, pairedRatio } from '../benches/lib/stats.js';

describe('pairedRatio', () => {
  it('is the median of the per-round ratios', () => {
    expect(pairedRatio([30, 60, 90], [10, 20, 45])).toBe(3);
    expect(pairedRatio([4, 9], [2, 3])).toBe(2.5);
  });

  it('cancels drift between rounds that the ratio of medians does not', () => {
    // a is 3x b in every round but the last, while the machine's speed moves
    // between 1 and 2: the medians come from rounds of different speeds.
    const a = [3, 3, 6, 6, 6];
    const b = [1, 1, 2, 2, 1];
    expect(pairedRatio(a, b)).toBe(3);
    expect(median(a) / median(b)).toBe(6);
  });

  it('refuses rounds that do not pair', () => {
    expect(() => pairedRatio([1, 2], [1])).toThrow(RangeError);
    expect(() => pairedRatio([], [])).toThrow(RangeError);
  });
});
