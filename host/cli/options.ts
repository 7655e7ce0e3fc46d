// Option parsers for commander: each validates once and fails as a usage
// error (exit 2) whose message names the option.
import { InvalidArgumentError } from 'commander';

export function intIn(min: number, max: number): (v: string) => number {
  return (v: string) => {
    if (!/^(0|[1-9][0-9]*)$/.test(v)) throw new InvalidArgumentError(`expected an integer in [${min}, ${max}]`);
    const n = Number(v);
    if (n < min || n > max) throw new InvalidArgumentError(`expected an integer in [${min}, ${max}]`);
    return n;
  };
}

/** p-th percentile (nearest rank) of a list of numbers. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
