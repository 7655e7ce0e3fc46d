// A horizontal bar chart of ratios (SVG, no dependencies): one bar per
// ratio, on a log scale, with the target marked; green when the target is
// met, red when not.
import type { Ratio } from './ratios.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function ratioChart(ratios: readonly Ratio[], title: string, subtitle: string): string {
  // Room for the longest label on the left (about 6.6 px per character at 12 px) and the value text on the right.
  const rowH = 26, top = 70, plotW = 520;
  const left = 24 + Math.ceil(6.6 * Math.max(20, ...ratios.map((r) => `${r.suite}: ${r.label} vs ${r.peer}`.length)));
  const width = left + plotW + 200;
  const height = top + ratios.length * rowH + 40;
  const max = Math.max(2, ...ratios.map((r) => Math.max(r.ratio, r.target ?? 0))) * 1.15;
  const x = (v: number) => left + (Math.log10(Math.max(v, 0.5) / 0.5) / Math.log10(max / 0.5)) * plotW;
  const rows = ratios.map((r, i) => {
    const y = top + i * rowH;
    const met = r.target === null ? null : r.better === 'higher' ? r.ratio >= r.target : r.ratio <= r.target;
    const color = met === null ? '#4c78a8' : met ? '#2e9d57' : '#d64541';
    const tx = r.target === null ? '' : `<line x1="${x(r.target).toFixed(1)}" x2="${x(r.target).toFixed(1)}" y1="${y - 2}" y2="${y + rowH - 6}" stroke="#222" stroke-width="2" stroke-dasharray="3,2"/>`;
    return `<text x="${left - 8}" y="${y + 15}" text-anchor="end" font-size="12">${esc(`${r.suite}: ${r.label} vs ${r.peer}`)}</text>` +
      `<rect x="${left}" y="${y}" width="${Math.max(1, x(r.ratio) - left).toFixed(1)}" height="${rowH - 8}" fill="${color}"/>` + tx +
      `<text x="${(x(r.ratio) + 6).toFixed(1)}" y="${y + 14}" font-size="12">${r.ratio.toFixed(2)}x${r.target === null ? '' : ` (target ${r.better === 'higher' ? '≥' : '≤'} ${r.target}x)`}</text>`;
  });
  const ticks = [0.5, 1, 2, 5, 10, 20, 50].filter((v) => v <= max).map((v) =>
    `<line x1="${x(v).toFixed(1)}" x2="${x(v).toFixed(1)}" y1="${top - 8}" y2="${height - 30}" stroke="#ddd"/><text x="${x(v).toFixed(1)}" y="${height - 14}" font-size="11" text-anchor="middle">${v}x</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="#fff"/>
<text x="16" y="28" font-size="18" font-weight="bold">${esc(title)}</text>
<text x="16" y="50" font-size="12" fill="#555">${esc(subtitle)}</text>
${ticks.join('\n')}
${rows.join('\n')}
</svg>
`;
}
