// Plain-text tables and number formatting for the console reports.

export type Align = 'left' | 'right';

/** Renders rows under a header, columns padded to their widest cell. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[] = []): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (align[i] === 'left' ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Operations per second, rounded, with thousands separators. */
export function fmtOps(opsPerSec: number): string {
  return Math.round(opsPerSec).toLocaleString('en-US');
}

/** A speed ratio such as "3.42x" (`digits` decimals, default 2). */
export function fmtRatio(ratio: number, digits = 2): string {
  return `${ratio.toFixed(digits)}x`;
}

/** A fraction as a percentage such as "1.8%". */
export function fmtPct(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

/** A throughput in (decimal) megabytes per second: 3 significant digits below 100, whole numbers with separators above. */
export function fmtMBps(mbPerSec: number): string {
  if (mbPerSec >= 100) return Math.round(mbPerSec).toLocaleString('en-US');
  return mbPerSec >= 10 ? mbPerSec.toFixed(1) : mbPerSec.toFixed(2);
}
