// `awre verify --html <file>`: the verification result as one self-contained
// HTML page for an auditor (docs/report.md). Pure: a string from the result,
// no I/O, no clock, so the same input gives the same bytes.
//
// Everything that came from the log (tenant names, sources, messages, got and
// expected values, quoted tuples, even kind names) is attacker-controlled. It
// only ever lands in HTML text or in a double-quoted attribute, escaped, never
// in a script, style or URL context; and a Content-Security-Policy that allows
// no script, no network and no external resource backs that up.
import { MAX_EXCERPT, type EntropyState, type MapInterval, type RunStats, type TenantMap } from './stats.js';

// ---- input ------------------------------------------------------------------------

/** A verifier finding, as recorder/verify.ts reports it. */
export interface HtmlFinding {
  event: string;
  severity: string;
  seq: number | null;
  got?: unknown;
  expected?: unknown;
  message: string;
}

/**
 * What the report reads: the fields of host/cli/verify.ts's `VerifyResult` it
 * uses, plus the verifier's `RunStats`; `VerifyResult & { stats }` fits.
 */
export interface HtmlReportInput {
  ok: boolean;
  /** The log's path as given to `awre verify`. */
  log: string;
  tuples: number;
  checkpoints: number;
  verifiedSize: number;
  root: string | null;
  profile: { module: string; abi: number; mmu: string; awre: string } | null;
  run: { run: number; prev: { run: number } | null; node: string } | null;
  guarantees: {
    certified: boolean | null;
    fresh: boolean | null;
    witnessed: { by: string[]; of: number; quorum: boolean } | null;
  };
  findings: readonly HtmlFinding[];
  /** Findings beyond the verifier's per-event cap, counted by event. */
  suppressed?: Record<string, number>;
  /** Whether the escrow replay ran. */
  replayed: boolean;
  stats: RunStats;
}

// ---- colours (exported: tests/html-browser.test.ts looks for them in screenshots) --

/** The verdict banner's fill. */
export const VERDICT_COLOURS = { ok: '#1b7f3b', failed: '#c92a2a' } as const;

/** One fixed colour per tuple kind; `call` is the colour of the `send` op, the bulk of a run. */
export const KIND_COLOURS = {
  boot: '#495057',
  certificate: '#0c8599',
  seed: '#2f9e44',
  reseed: '#66a80f',
  health: '#f76707',
  map: '#7048e8',
  share: '#e64980',
  protect: '#b197fc',
  unmap: '#862e9c',
  call: '#1c7ed6',
  fault: '#e03131',
  checkpoint: '#f59f00',
  halt: '#212529',
  /** Lines the verifier could not read as a tuple. */
  unparsed: '#ffd43b',
  other: '#adb5bd',
} as const;

/** Call tuples are split by op in the timeline: shades of the call blue. */
export const CALL_OP_COLOURS = {
  'attest-keygen': '#a5d8ff',
  'dsa-keygen': '#74c0fc',
  handshake: '#1864ab',
  send: KIND_COLOURS.call,
  close: '#4dabf7',
  other: '#5c7cfa',
} as const;

/** Page rights in the page-table map. */
export const RIGHTS_COLOURS = { rw: '#e8590c', ro: '#3bc9db', none: '#ced4da' } as const;
/** The outline of an interval whose frame another tenant maps too. */
export const SHARED_COLOUR = '#c2255c';
/** Plot backgrounds: they let a screenshot test find each chart. */
export const TIMELINE_BG = '#f4f6fa';
export const MAP_BG = '#faf8f2';

// ---- escaping ---------------------------------------------------------------------

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/**
 * Control and bidi-override characters: shown as visible code points, so a
 * message cannot hide text or reorder what the auditor reads.
 */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const codePoint = (c: string) => `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;

/** HTML-escapes a string for text or a double-quoted attribute. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESC[c]!);
}

/** Log-derived text for an element's content. */
function text(v: unknown): string {
  return escapeHtml(asString(v)).replace(CONTROL, (c) => `<span class="ctl">${codePoint(c)}</span>`);
}

function asString(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined ? String(v) : json(v);
}

/** JSON of a logged value, cut so one huge value cannot swamp the page. */
function json(v: unknown, max = 4000): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > max ? `${s.slice(0, max)}… (${s.length - max} more characters)` : s;
}

// ---- numbers ----------------------------------------------------------------------

/** A finite number or 0: stats are the verifier's, but a bug must not print NaN coordinates. */
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
/** Integer with thousands separators, locale-independent (determinism). */
function int(v: unknown): string {
  const n = Math.round(num(v));
  return `${n < 0 ? '-' : ''}${String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`;
}
/** Compact axis label: 950, 12k, 3.5M. */
function compact(n: number): string {
  if (n >= 1e6) return `${+(n / 1e6).toFixed(n % 1e6 === 0 ? 0 : 1)}M`;
  if (n >= 1e4) return `${+(n / 1e3).toFixed(n % 1e3 === 0 ? 0 : 1)}k`;
  return String(n);
}
/** SVG coordinate, one decimal. */
const c1 = (n: number) => String(Math.round(n * 10) / 10);
/** A seq usable as an element id: a non-negative safe integer. */
const idSeq = (s: unknown): s is number => typeof s === 'number' && Number.isSafeInteger(s) && s >= 0;
/** Named-key lookup that ignores inherited properties (log text can be "constructor"). */
const own = <T>(o: Record<string, T>, k: string): T | undefined => (Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined);

// ---- page -------------------------------------------------------------------------

/** Renders the whole report. */
export function renderHtml(input: HtmlReportInput): string {
  const status = input.ok ? 'OK' : 'FAILED';
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    // No script, no fetch, no external image or font: the page is all there is.
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; img-src data:; base-uri \'none\'; form-action \'none\'">',
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>awre verify: ${status}: ${text(input.log)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    '<main>',
    verdictSection(input),
    timelineSection(input),
    pagesSection(input),
    entropySection(input),
    findingsSection(input),
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

const CSS = `
:root{color-scheme:light}
*{box-sizing:border-box}
body{margin:0;background:#fff;color:#212529;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1100px;margin:0 auto;padding:20px 24px 48px}
h1{margin:0;font-size:34px;letter-spacing:.02em}
h2{margin:36px 0 6px;font-size:20px;border-bottom:1px solid #dee2e6;padding-bottom:4px}
h3{margin:18px 0 4px;font-size:15px}
p.note{margin:4px 0 10px;color:#495057}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:12.5px}
pre{margin:0;white-space:pre-wrap;word-break:break-all}
a{color:#1864ab}
nav{margin:10px 0 0;font-size:13px}nav a{margin-right:14px}
.banner{color:#fff;padding:22px 28px;border-radius:6px;min-height:112px}
.banner.ok{background:${VERDICT_COLOURS.ok}}.banner.failed{background:${VERDICT_COLOURS.failed}}
.banner .sub{font-size:17px;margin-top:4px}
.banner .first{font-size:13.5px;margin-top:4px}
.banner .log{font-size:13px;margin-top:6px;opacity:.9;word-break:break-all}
table{border-collapse:collapse;margin:6px 0}
th,td{text-align:left;vertical-align:top;padding:4px 10px 4px 0;border-bottom:1px solid #e9ecef}
th{font-weight:600;color:#495057;white-space:nowrap}
td.n,th.n{text-align:right}
.facts td{word-break:break-all}
.g{margin:4px 0;display:flex;gap:10px;align-items:baseline}
.badge{display:inline-block;min-width:74px;text-align:center;font-weight:700;font-size:12px;padding:1px 6px;border-radius:3px;color:#fff}
.b-yes{background:${VERDICT_COLOURS.ok}}.b-no{background:${VERDICT_COLOURS.failed}}.b-na{background:#868e96}
.b-error{background:${VERDICT_COLOURS.failed}}.b-warning{background:#e67700}
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;margin:6px 0;font-size:12.5px}
.legend span{white-space:nowrap}
.sw{display:inline-block;width:12px;height:12px;vertical-align:-1px;margin-right:5px;border:1px solid rgba(0,0,0,.15)}
.sw.shared{background:#fff;border:2px solid ${SHARED_COLOUR}}
svg.chart{display:block;max-width:100%;height:auto;margin:4px 0}
svg.chart text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;font-size:11px;fill:#495057}
.rw{fill:${RIGHTS_COLOURS.rw}}.ro{fill:${RIGHTS_COLOURS.ro}}.none{fill:${RIGHTS_COLOURS.none}}
.sh{stroke:${SHARED_COLOUR};stroke-width:2}
.entropy td{min-width:120px}
.bad{color:${VERDICT_COLOURS.failed};font-weight:700}.warn{color:#e67700;font-weight:700}
.ctl{font-size:10px;border:1px solid #e03131;color:#e03131;padding:0 2px;border-radius:2px}
.finding td{border-bottom:1px solid #dee2e6}
.finding .msg{max-width:620px;word-break:break-word}
dl.eg{margin:4px 0 0;display:grid;grid-template-columns:auto 1fr;gap:2px 8px}
dl.eg dt{color:#868e96;font-size:12px}dl.eg dd{margin:0;word-break:break-all}
.excerpt{border:1px solid #dee2e6;border-radius:4px;margin:8px 0;padding:6px 10px;background:#f8f9fa}
.excerpt:target,.finding:target{outline:3px solid #fab005}
.excerpt pre{max-height:22em;overflow:auto}
.excerpt .head{font-size:12.5px;margin-bottom:4px;color:#495057}
details{margin:6px 0}summary{cursor:pointer;color:#495057}
@media print{.banner{-webkit-print-color-adjust:exact;print-color-adjust:exact}h2{break-after:avoid}}
`;

// ---- 1. verdict and guarantees ----------------------------------------------------

function verdictSection(r: HtmlReportInput): string {
  const errors = r.findings.filter((f) => f.severity === 'error').length;
  const warnings = r.findings.length - errors;
  const sub = r.ok ? 'every check holds' : `${int(errors)} finding(s)`;
  const extra = warnings ? `${r.ok ? ';' : ','} and ${int(warnings)} warning${warnings === 1 ? '' : 's'}` : '';
  return [
    '<section id="verdict">',
    `<header class="banner ${r.ok ? 'ok' : 'failed'}">`,
    `<h1>${r.ok ? 'VERIFIED' : 'FAILED'}</h1>`,
    `<div class="sub">${sub}${extra}</div>`,
    firstErrors(r),
    `<div class="log mono">${text(r.log)}</div>`,
    '</header>',
    '<nav><a href="#timeline">Timeline</a><a href="#pages">Page tables</a><a href="#entropy">Entropy health</a><a href="#findings">Findings</a><a href="#excerpts">Quoted tuples</a></nav>',
    factsTable(r),
    '<h3>Guarantees</h3>',
    ...guarantees(r).map((g) => `<div class="g"><span class="badge b-${g.state}">${g.state === 'yes' ? 'yes' : g.state === 'no' ? 'NO' : 'not asked'}</span><span><b>${g.name}</b>: ${text(g.value)}</span></div>`),
    '</section>',
  ].join('\n');
}

/** The first few events that failed, so the banner alone says what went wrong. */
function firstErrors(r: HtmlReportInput): string {
  const first = new Map<string, number | null>();
  for (const f of r.findings) if (f.severity === 'error' && !first.has(f.event)) first.set(f.event, f.seq);
  if (!first.size) return '';
  const shown = [...first].slice(0, 3).map(([e, seq]) => text(seq === null ? e : `${e} @${seq}`));
  return `<div class="first mono">first: ${shown.join(', ')}${first.size > 3 ? `, and ${first.size - 3} more event${first.size === 4 ? '' : 's'}` : ''}</div>`;
}

function factsTable(r: HtmlReportInput): string {
  const p = r.profile;
  const rows: [string, string][] = [
    ['tuples', int(r.tuples)],
    ['checkpoints', int(r.checkpoints)],
    ['verified through size', int(r.verifiedSize)],
    ['root', r.root === null ? 'none' : `<code>${text(r.root)}</code>`],
    ['log bytes read', int(r.stats.bytes)],
    ['profile', p ? `module <code>${text(p.module)}</code>, ABI ${text(p.abi)}, MMU ${text(p.mmu)}, awre ${text(p.awre)}` : 'none'],
    ['run', r.run ? `run ${text(r.run.run)} of node <code>${text(r.run.node)}</code>${r.run.prev ? ` (after run ${text(r.run.prev.run)})` : ' (its first run)'}` : 'no run certificate'],
    ['replay from the escrow', text(replayLine(r))],
  ];
  return `<table class="facts">${rows.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('')}</table>`;
}

/** The same words as renderVerify's "replay from the escrow" line (host/cli/verify.ts). */
function replayLine(r: HtmlReportInput): string {
  return r.replayed ? 'done' : r.findings.some((f) => f.event === 'escrow-invalid') ? 'failed: the escrow did not open' : 'not asked (--escrow, --auditor-key)';
}

export interface GuaranteeLine {
  name: 'identity-certified' | 'witnessed' | 'fresh for the challenge' | 'replayed';
  /** The words after "<name>: ", exactly as renderVerify prints them. */
  value: string;
  state: 'yes' | 'no' | 'na';
}

/** The guarantees, worded as renderVerify words them (tests compare the two). */
export function guarantees(r: HtmlReportInput): GuaranteeLine[] {
  const g = r.guarantees;
  const said = (v: boolean | null, yes: string, ask: string) => (v === null ? `not asked (${ask})` : v ? yes : 'NO');
  const state = (v: boolean | null): GuaranteeLine['state'] => (v === null ? 'na' : v ? 'yes' : 'no');
  const certified = `yes, run ${r.run?.run} of node ${r.run?.node.slice(0, 16)}…${r.run?.prev ? ` (after run ${r.run.prev.run})` : ' (its first run)'}`;
  const w = g.witnessed;
  const replayFailed = r.findings.some((f) => f.event.startsWith('replay-') || f.event.startsWith('escrow-'));
  return [
    { name: 'identity-certified', value: said(g.certified, certified, '--node'), state: state(g.certified) },
    {
      name: 'witnessed',
      value: w === null ? 'not asked (--witnesses)' : `${w.quorum ? 'yes' : 'NO'}, by ${w.by.length} of ${w.of} (${w.by.join(', ') || 'none'})`,
      state: w === null ? 'na' : w.quorum ? 'yes' : 'no',
    },
    { name: 'fresh for the challenge', value: said(g.fresh, 'yes', '--challenge'), state: state(g.fresh) },
    {
      name: 'replayed',
      value: r.replayed ? (replayFailed ? 'NO' : 'yes, bit for bit') : 'not asked (--escrow, --auditor-key)',
      state: r.replayed ? (replayFailed ? 'no' : 'yes') : 'na',
    },
  ];
}

// ---- shared chart geometry --------------------------------------------------------

/** Chart width and margins: the timeline and the page maps share their x axis. */
const W = 1040;
const LEFT = 132;
const RIGHT = 18;
const PLOT = W - LEFT - RIGHT;

/** The seq range drawn: [0, end). */
function seqEnd(r: HtmlReportInput): number {
  let end = Math.max(1, num(r.tuples));
  for (const t of r.stats.tenants) for (const i of t.intervals) end = Math.max(end, num(i.from) + 1, num(i.to));
  for (const m of Object.values(r.stats.marks)) for (const s of m.seqs) end = Math.max(end, num(s) + 1);
  return end;
}

const xOf = (seq: number, end: number) => LEFT + (Math.min(Math.max(seq, 0), end) / end) * PLOT;

/** Round steps (1, 2, 5 × 10^k) for about `target` ticks over [0, end]. */
function ticks(end: number, target = 8): number[] {
  const raw = end / target;
  const mag = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = 0; v <= end; v += step) out.push(v);
  return out;
}

/** The x axis under a plot whose bottom is at y. */
function xAxis(end: number, y: number): string {
  const out = [`<line x1="${LEFT}" y1="${y}" x2="${LEFT + PLOT}" y2="${y}" stroke="#868e96"/>`];
  for (const v of ticks(end)) {
    const x = c1(xOf(v, end));
    out.push(`<line x1="${x}" y1="${y}" x2="${x}" y2="${y + 4}" stroke="#868e96"/><text x="${x}" y="${y + 16}" text-anchor="middle">${compact(v)}</text>`);
  }
  out.push(`<text x="${LEFT + PLOT}" y="${y + 30}" text-anchor="end">seq (tuple number: time runs left to right)</text>`);
  return out.join('');
}

function swatch(colour: string, label: string): string {
  return `<span><i class="sw" style="background:${colour}"></i>${label}</span>`;
}

// ---- 2. timeline ------------------------------------------------------------------

/** The timeline's series, bottom to top: each log key maps to one of these. */
const SERIES: { key: string; label: string; colour: string }[] = [
  ...(['boot', 'certificate', 'seed', 'reseed', 'health', 'map', 'share', 'protect', 'unmap'] as const).map((k) => ({ key: k, label: k, colour: KIND_COLOURS[k] })),
  ...(['attest-keygen', 'dsa-keygen', 'handshake', 'send', 'close', 'other'] as const).map((op) => ({
    key: `call:${op}`, label: op === 'other' ? 'call: other op' : `call: ${op}`, colour: CALL_OP_COLOURS[op],
  })),
  ...(['fault', 'checkpoint', 'halt', 'unparsed', 'other'] as const).map((k) => ({ key: k, label: k === 'other' ? 'other kind' : k === 'unparsed' ? 'unparsed line' : k, colour: KIND_COLOURS[k] })),
];
const SERIES_KEYS = new Set(SERIES.map((s) => s.key));

/** The series a bucket key counts in: unknown ops and kinds are pooled, so log text never picks a colour or grows the legend. */
function seriesOf(key: string): string {
  if (SERIES_KEYS.has(key)) return key;
  return key === 'call' || key.startsWith('call:') ? 'call:other' : 'other';
}

function bucketSeries(b: Record<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, v] of Object.entries(b)) {
    const s = seriesOf(k);
    out.set(s, (out.get(s) ?? 0) + Math.max(0, num(v)));
  }
  return out;
}

const MARK_ROWS = [
  { key: 'checkpoint', label: 'checkpoints', colour: KIND_COLOURS.checkpoint },
  { key: 'reseed', label: 'reseeds', colour: KIND_COLOURS.reseed },
  { key: 'fault', label: 'faults', colour: KIND_COLOURS.fault },
  { key: 'health', label: 'health events', colour: KIND_COLOURS.health },
] as const;
/** Findings in the timeline's top lane: where in the run things went wrong. */
const FINDING_COLOURS = { error: VERDICT_COLOURS.failed, warning: '#e67700' } as const;

/** One lane of ticks above the bars. */
interface Lane {
  label: string;
  count: number;
  ticks: { seq: number; colour: string; href?: string }[];
}

function lanes(r: HtmlReportInput): Lane[] {
  const findings: Lane = { label: 'findings', count: r.findings.length, ticks: [] };
  r.findings.forEach((f, i) => {
    if (idSeq(f.seq)) findings.ticks.push({ seq: f.seq, colour: f.severity === 'error' ? FINDING_COLOURS.error : FINDING_COLOURS.warning, href: `#f-${i}` });
  });
  return [findings, ...MARK_ROWS.map((m) => {
    const marks = r.stats.marks[m.key];
    return { label: m.label, count: marks.seqs.length + num(marks.dropped), ticks: marks.seqs.map((seq) => ({ seq: num(seq), colour: m.colour })) };
  })];
}

function timelineSection(r: HtmlReportInput): string {
  const tl = r.stats.timeline;
  const buckets = tl.buckets.map(bucketSeries);
  const totals = new Map<string, number>();
  for (const b of buckets) for (const [k, v] of b) totals.set(k, (totals.get(k) ?? 0) + v);
  const legend = SERIES.filter((s) => (totals.get(s.key) ?? 0) > 0).map((s) => swatch(s.colour, `${s.label} <span class="mono">${int(totals.get(s.key))}</span>`));
  const width = Math.max(1, num(tl.width));
  return [
    '<section id="timeline">',
    '<h2>Timeline of the run</h2>',
    `<p class="note">Tuples by kind in buckets of ${int(width)} consecutive tuple${width === 1 ? '' : 's'}; the lanes above mark the findings (red: error, amber: warning; each links to its finding), checkpoints, reseeds, faults and health events at their seq.</p>`,
    buckets.length ? timelineSvg(r, buckets, width) : '<p>No tuples.</p>',
    `<div class="legend">${legend.join('')}</div>`,
    marksNote(r),
    '</section>',
  ].join('\n');
}

const LANE = 14;
const BARS_TOP = (MARK_ROWS.length + 1) * LANE + 12;
const BARS_H = 220;

function timelineSvg(r: HtmlReportInput, buckets: Map<string, number>[], width: number): string {
  const end = seqEnd(r);
  const yMax = Math.max(1, ...buckets.map((b) => [...b.values()].reduce((a, v) => a + v, 0)));
  const height = BARS_TOP + BARS_H + 40;
  const out = [
    `<svg class="chart" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" shape-rendering="crispEdges" role="img" aria-label="tuples by kind over seq">`,
    `<rect x="0" y="0" width="${W}" height="${height}" fill="${TIMELINE_BG}"/>`,
    `<rect x="${LEFT}" y="${BARS_TOP}" width="${PLOT}" height="${BARS_H}" fill="#fff"/>`,
    markLanes(r, end),
    ...buckets.map((b, i) => bucketBars(b, i, width, end, yMax)),
    `<line x1="${LEFT}" y1="${BARS_TOP}" x2="${LEFT}" y2="${BARS_TOP + BARS_H}" stroke="#868e96"/>`,
    `<text x="${LEFT - 6}" y="${BARS_TOP + 10}" text-anchor="end">${int(yMax)}</text>`,
    `<text x="${LEFT - 6}" y="${BARS_TOP + BARS_H}" text-anchor="end">0</text>`,
    `<text x="${LEFT - 6}" y="${BARS_TOP + BARS_H / 2}" text-anchor="end">tuples</text>`,
    `<text x="${LEFT - 6}" y="${BARS_TOP + BARS_H / 2 + 13}" text-anchor="end">per bucket</text>`,
    xAxis(end, BARS_TOP + BARS_H),
    '</svg>',
  ];
  return out.join('\n');
}

/** One bucket's stacked bars, with a tooltip listing its counts. */
function bucketBars(b: Map<string, number>, i: number, width: number, end: number, yMax: number): string {
  const from = i * width;
  if (from >= end) return '';
  // Whole pixels: adjacent buckets then share an edge, with no hairline gap between them.
  const x0 = Math.round(xOf(from, end));
  const x1 = Math.round(xOf(Math.min(from + width, end), end));
  const base = BARS_TOP + BARS_H;
  let below = base;
  let sum = 0;
  const rects: string[] = [];
  const tip: string[] = [];
  for (const s of SERIES) {
    const v = b.get(s.key) ?? 0;
    if (v <= 0) continue;
    tip.push(`${s.label} ${int(v)}`);
    // Whole pixels from the running sum: stacked segments touch exactly; one below half a pixel is not drawn (the lanes show rare events).
    sum += v;
    const top = Math.round(base - (sum / yMax) * BARS_H);
    if (top < below) rects.push(`<rect x="${x0}" y="${top}" width="${Math.max(x1 - x0, 1)}" height="${below - top}" fill="${s.colour}"/>`);
    below = Math.min(below, top);
  }
  if (!rects.length) return '';
  return `<g><title>seq ${int(from)}–${int(Math.min(from + width, end) - 1)}: ${tip.join(', ')}</title>${rects.join('')}</g>`;
}

function markLanes(r: HtmlReportInput, end: number): string {
  const out: string[] = [];
  lanes(r).forEach((lane, row) => {
    const y = 6 + row * LANE;
    out.push(`<text x="${LEFT - 6}" y="${y + 9}" text-anchor="end">${lane.label} ${int(lane.count)}</text>`);
    out.push(`<line x1="${LEFT}" y1="${y + 5}" x2="${LEFT + PLOT}" y2="${y + 5}" stroke="#dee2e6"/>`);
    for (const t of lane.ticks) {
      // Only finding ticks get a tooltip and a link: marks run to thousands, and their lane says what they are.
      const box = `x="${c1(xOf(t.seq, end) - 1.5)}" y="${y}" width="3" height="10" fill="${t.colour}"`;
      out.push(t.href ? `<a href="${t.href}"><rect ${box}><title>finding @${t.seq}</title></rect></a>` : `<rect ${box}/>`);
    }
  });
  return out.join('\n');
}

function marksNote(r: HtmlReportInput): string {
  const dropped = MARK_ROWS.filter((m) => num(r.stats.marks[m.key].dropped) > 0)
    .map((m) => `${m.label}: the first ${int(r.stats.marks[m.key].seqs.length)} drawn, ${int(r.stats.marks[m.key].dropped)} more not drawn`);
  return dropped.length ? `<p class="note">${dropped.join('; ')}.</p>` : '';
}

// ---- 3. page tables ---------------------------------------------------------------

function pagesSection(r: HtmlReportInput): string {
  const tenants = r.stats.tenants;
  return [
    '<section id="pages">',
    '<h2>Page tables over time</h2>',
    '<p class="note">Per tenant, each row is one virtual page the tenant ever mapped (pages never mapped are left out; a dashed line marks a jump in page number). Each bar is a mapping from the tuple that made it to the one that changed it, coloured by its rights; an outlined, striped bar is a frame that another tenant maps too at some time in it (a share). The x axis is the timeline\'s.</p>',
    `<div class="legend">${swatch(RIGHTS_COLOURS.rw, 'rw (read-write)')}${swatch(RIGHTS_COLOURS.ro, 'ro (read-only)')}${swatch(RIGHTS_COLOURS.none, 'none (protected)')}<span><i class="sw shared"></i>shared frame</span></div>`,
    tenants.length ? tenants.map((t, i) => tenantMap(r, t, i)).join('\n') : '<p>No tenant mapped a page.</p>',
    sharedFrames(tenants),
    '</section>',
  ].join('\n');
}

function tenantMap(r: HtmlReportInput, t: TenantMap, index: number): string {
  const pages = [...new Set(t.intervals.map((i) => num(i.page)))].sort((a, b) => a - b);
  const shared = t.intervals.filter((i) => i.shared).length;
  const head = `<h3 id="tenant-${index}">tenant ${text(t.tenant)} <span class="note">(booted at seq ${int(t.boot)}; ${int(pages.length)} page${pages.length === 1 ? '' : 's'}, ${int(t.intervals.length)} mapping${t.intervals.length === 1 ? '' : 's'}, ${int(shared)} shared)</span></h3>`;
  const dropped = num(t.dropped) > 0 ? `<p class="note warn">${int(t.dropped)} later mappings not drawn (the verifier keeps the first ${int(t.intervals.length)}).</p>` : '';
  return [head, pages.length ? mapSvg(r, t, pages, index) : '<p class="note">No pages mapped.</p>', dropped].join('\n');
}

/** Row height: readable rows for a few pages, at least 1px each for thousands. */
const rowHeight = (rows: number) => Math.max(1, Math.min(16, Math.floor(480 / rows)));

function mapSvg(r: HtmlReportInput, t: TenantMap, pages: number[], index: number): string {
  const end = seqEnd(r);
  const rowH = rowHeight(pages.length);
  const top = 8;
  const plotH = pages.length * rowH;
  const height = top + plotH + 40;
  const rowOf = new Map(pages.map((p, i) => [p, i]));
  const out = [
    `<svg class="chart" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" shape-rendering="crispEdges" role="img" aria-label="page table map">`,
    // Shared intervals get stripes of the highlight colour too: an outline alone is thin on a long bar.
    `<defs><pattern id="hatch-${index}" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="2" height="8" fill="${SHARED_COLOUR}"/></pattern></defs>`,
    `<rect x="0" y="0" width="${W}" height="${height}" fill="${MAP_BG}"/>`,
    `<rect x="${LEFT}" y="${top}" width="${PLOT}" height="${plotH}" fill="#fff"/>`,
    pageLabels(pages, rowH, top),
    ...t.intervals.map((i) => intervalRect(i, rowOf.get(num(i.page)) ?? 0, { rowH, top, end, index, tips: t.intervals.length <= MAX_TIPS })),
    bootLine(num(t.boot), end, top, plotH),
    xAxis(end, top + plotH),
    '</svg>',
  ];
  return out.join('\n');
}

/** Page numbers at the left, and a dashed line where the page numbers jump. */
function pageLabels(pages: number[], rowH: number, top: number): string {
  const out: string[] = [];
  const every = Math.ceil(13 / rowH); // keep labels at least 13px apart
  pages.forEach((p, i) => {
    const y = top + i * rowH;
    const jump = i > 0 && p !== pages[i - 1]! + 1;
    if (jump && rowH >= 4) out.push(`<line x1="${LEFT}" y1="${y}" x2="${LEFT + PLOT}" y2="${y}" stroke="#868e96" stroke-dasharray="4 3"/>`);
    if (i % every === 0 || (jump && rowH >= 13)) out.push(`<text x="${LEFT - 6}" y="${y + Math.min(rowH, 13) - 2}" text-anchor="end">page ${p}</text>`);
  });
  return out.join('');
}

/** Past this many intervals a tenant's bars get no tooltip each: the page stays a few megabytes at the caps. */
const MAX_TIPS = 512;

interface RowGeometry { rowH: number; top: number; end: number; index: number; tips: boolean }

function intervalRect(i: MapInterval, row: number, g: RowGeometry): string {
  const rights = i.rights === 'rw' || i.rights === 'ro' ? i.rights : 'none';
  const x0 = Math.round(xOf(num(i.from), g.end));
  const x1 = Math.round(xOf(i.to === null ? g.end : num(i.to), g.end));
  const inset = g.rowH >= 8 ? 2 : 0;
  const tip = g.tips ? `<title>page ${num(i.page)}, frame ${num(i.frame)}, ${rights}, seq ${num(i.from)}–${i.to === null ? 'end' : num(i.to)}${i.shared ? ', shared' : ''}</title>` : '';
  const box = `x="${x0}" y="${g.top + row * g.rowH + inset}" width="${Math.max(x1 - x0, 1)}" height="${Math.max(g.rowH - 2 * inset, 1)}"`;
  if (!i.shared) return tip ? `<rect ${box} class="${rights}">${tip}</rect>` : `<rect ${box} class="${rights}"/>`;
  return `<g>${tip}<rect ${box} class="${rights}"/><rect ${box} fill="url(#hatch-${g.index})" class="sh"/></g>`;
}

function bootLine(boot: number, end: number, top: number, h: number): string {
  const x = c1(xOf(boot, end));
  return `<line x1="${x}" y1="${top}" x2="${x}" y2="${top + h}" stroke="#495057" stroke-dasharray="2 2"><title>boot at seq ${boot}</title></line>`;
}

/** Who maps each shared frame: the share relations an auditor checks against the design. */
function sharedFrames(tenants: TenantMap[]): string {
  const byFrame = new Map<number, string[]>();
  tenants.forEach((t, ti) => {
    for (const i of t.intervals) {
      if (!i.shared) continue;
      const list = byFrame.get(num(i.frame)) ?? [];
      const entry = `<a href="#tenant-${ti}">${text(t.tenant)}</a> page ${num(i.page)} ${i.rights === 'rw' || i.rights === 'ro' ? i.rights : 'none'} (seq ${int(i.from)}–${i.to === null ? 'end' : int(i.to)})`;
      if (list.length < 8) list.push(entry);
      byFrame.set(num(i.frame), list);
    }
  });
  if (!byFrame.size) return '<p class="note">No frame is shared between tenants.</p>';
  const frames = [...byFrame.keys()].sort((a, b) => a - b);
  const shown = frames.slice(0, 64);
  const rows = shown.map((f) => `<tr><td class="n mono">${f}</td><td>${byFrame.get(f)!.join('; ')}</td></tr>`);
  const more = frames.length > shown.length ? `<p class="note">${int(frames.length - shown.length)} more shared frames not listed.</p>` : '';
  return `<h3>Shared frames</h3><table><tr><th class="n">frame</th><th>mapped by</th></tr>${rows.join('')}</table>${more}`;
}

// ---- 4. entropy -------------------------------------------------------------------

/** A counter at a path in the logged health object, or undefined. */
function counter(h: Record<string, unknown>, ...path: string[]): unknown {
  let v: unknown = h;
  for (const k of path) {
    if (v === null || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, k)) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

/** A logged value for a table cell: numbers grouped, anything else escaped, a missing one as a dash. */
function shown(v: unknown): string {
  return v === undefined ? '—' : typeof v === 'number' ? int(v) : text(v);
}

/** One row of the entropy table: a label, and per tenant a cell and whether it is alarming. */
interface EntropyField {
  label: string;
  value: (e: EntropyState, c: (...p: string[]) => unknown) => string;
  bad?: (e: EntropyState, c: (...p: string[]) => unknown) => boolean;
}

const nonZero = (v: unknown) => v !== undefined && v !== 0;
const pair = (a: unknown, b: unknown) => `${shown(a)} / ${shown(b)}`;

const ENTROPY_FIELDS: EntropyField[] = [
  { label: 'last seed or reseed', value: (e) => `@${int(e.seq)}` },
  { label: 'source', value: (e) => `<span class="mono">${text(e.source)}</span>` },
  { label: 'declared quantum', value: (e) => (e.quantum === true ? 'yes' : e.quantum === false ? 'no' : text(e.quantum)) },
  { label: 'epoch', value: (e) => shown(e.epoch) },
  { label: 'feed state', value: (_e, c) => shown(c('state')), bad: (_e, c) => c('state') !== 'ready' },
  { label: 'start-up test', value: (_e, c) => (c('startup', 'passed') === true ? 'passed' : c('startup', 'passed') === undefined ? '—' : 'NOT passed'), bad: (_e, c) => c('startup', 'passed') !== true },
  { label: 'start-up samples required', value: (_e, c) => shown(c('startup', 'required')) },
  { label: 'RCT alarms', value: (_e, c) => shown(c('rct', 'alarms')), bad: (_e, c) => nonZero(c('rct', 'alarms')) },
  { label: 'RCT longest run / cutoff', value: (_e, c) => pair(c('rct', 'longestRun'), c('rct', 'cutoff')) },
  { label: 'APT alarms', value: (_e, c) => shown(c('apt', 'alarms')), bad: (_e, c) => nonZero(c('apt', 'alarms')) },
  { label: 'APT max count / cutoff', value: (_e, c) => pair(c('apt', 'maxCount'), c('apt', 'cutoff')) },
  { label: 'APT windows (of samples)', value: (_e, c) => `${shown(c('apt', 'windows'))} (${shown(c('apt', 'window'))})` },
  { label: 'claimed min-entropy (bits/sample)', value: (_e, c) => shown(c('minEntropy')) },
  { label: 'samples tested', value: (_e, c) => shown(c('samples')) },
  { label: 'raw bytes read / used / discarded', value: (_e, c) => `${shown(c('rawBytesRead'))} / ${shown(c('rawBytesUsed'))} / ${shown(c('rawBytesDiscarded'))}` },
  { label: 'seeds served', value: (_e, c) => shown(c('seeds')) },
  { label: 'resets', value: (_e, c) => shown(c('resets')), bad: (_e, c) => nonZero(c('resets')) },
];

/** Tenants per table: the table is transposed (a column per tenant), so many tenants wrap into several tables. */
const ENTROPY_COLUMNS = 6;

function entropyTable(es: EntropyState[]): string {
  const counters = es.map((e) => {
    const h = e.health !== null && typeof e.health === 'object' ? e.health : {};
    return (...p: string[]) => counter(h, ...p);
  });
  const head = `<tr><th></th>${es.map((e) => `<th class="n">${text(e.tenant)}</th>`).join('')}</tr>`;
  const rows = ENTROPY_FIELDS.map((f) => `<tr><th>${f.label}</th>${es.map((e, i) => {
    const bad = f.bad?.(e, counters[i]!) === true;
    return `<td class="n${bad ? ' bad' : ''}">${f.value(e, counters[i]!)}</td>`;
  }).join('')}</tr>`);
  return `<table class="entropy">${head}${rows.join('')}</table>`;
}

function entropySection(r: HtmlReportInput): string {
  const es = r.stats.entropy;
  const tables: string[] = [];
  for (let i = 0; i < es.length; i += ENTROPY_COLUMNS) tables.push(entropyTable(es.slice(i, i + ENTROPY_COLUMNS)));
  const raw = es.length
    ? `<details><summary>every counter as logged</summary>${es.map((e) => `<h3>${text(e.tenant)} @${int(e.seq)}</h3><pre>${text(json(e.health))}</pre>`).join('')}</details>`
    : '';
  return [
    '<section id="entropy">',
    '<h2>Entropy health</h2>',
    '<p class="note">Per tenant, the last seed or reseed tuple\'s report of its entropy source and its SP 800-90B health counters (docs/qrng.md). The source, the quantum flag and the min-entropy are the node\'s claims. Red: an alarm, a reset, a start-up test not passed or a feed not ready.</p>',
    tables.length ? tables.join('\n') : '<p>No seed tuple.</p>',
    raw,
    healthEvents(r.stats.healthEvents),
    '</section>',
  ].join('\n');
}

function healthEvents(events: Record<string, number>): string {
  const kinds = Object.keys(events).sort();
  if (!kinds.length) return '<p>Health events: none (no feed failure or reset was logged).</p>';
  const shown = kinds.slice(0, 50);
  const rows = shown.map((k) => `<tr><td class="mono">${text(k)}</td><td class="n">${int(own(events, k))}</td></tr>`);
  const more = kinds.length > shown.length ? `<p class="note">${int(kinds.length - shown.length)} more event kinds not listed.</p>` : '';
  return `<h3>Health events</h3><table><tr><th>event</th><th class="n">count</th></tr>${rows.join('')}</table>${more}`;
}

// ---- 5. findings and quoted tuples ------------------------------------------------

function findingsSection(r: HtmlReportInput): string {
  const quoted = new Set(r.stats.excerpts.map((e) => e.seq).filter(idSeq));
  const errors = r.findings.filter((f) => f.severity === 'error').length;
  const head = r.findings.length
    ? `<p class="note">${int(errors)} error${errors === 1 ? '' : 's'}, ${int(r.findings.length - errors)} warning${r.findings.length - errors === 1 ? '' : 's'}, in the order the verifier found them. A seq links to the tuple as written, when the verifier quoted it.</p>`
    : '<p>No findings: every check holds.</p>';
  const rows = r.findings.map((f, i) => findingRow(f, i, quoted));
  return [
    '<section id="findings">',
    '<h2>Findings</h2>',
    head,
    rows.length ? `<table><tr><th>#</th><th>severity</th><th>event</th><th>seq</th><th>message</th></tr>${rows.join('\n')}</table>` : '',
    suppressedNote(r.suppressed),
    excerptsSection(r),
    '</section>',
  ].join('\n');
}

function findingRow(f: HtmlFinding, i: number, quoted: Set<number>): string {
  const sev = f.severity === 'error' ? 'error' : 'warning';
  const seq = f.seq === null ? '—' : idSeq(f.seq) && quoted.has(f.seq) ? `<a href="#t-${f.seq}">@${f.seq}</a>` : `@${text(f.seq)} <span class="note">(not quoted)</span>`;
  const eg: string[] = [];
  if ('expected' in f) eg.push(`<dt>expected</dt><dd><code>${text(json(f.expected))}</code></dd>`);
  if ('got' in f) eg.push(`<dt>got</dt><dd><code>${text(json(f.got))}</code></dd>`);
  return `<tr class="finding" id="f-${i}"><td class="n">${i + 1}</td><td><span class="badge b-${sev}">${sev}</span></td><td class="mono">${text(f.event)}</td>` +
    `<td class="mono">${seq}</td><td class="msg">${text(cut(f.message))}${eg.length ? `<dl class="eg">${eg.join('')}</dl>` : ''}</td></tr>`;
}

const cut = (s: unknown, max = 4000) => {
  const v = asString(s);
  return v.length > max ? `${v.slice(0, max)}… (${v.length - max} more characters)` : v;
};

function suppressedNote(suppressed: Record<string, number> | undefined): string {
  const events = Object.keys(suppressed ?? {}).filter((k) => num(own(suppressed!, k)) > 0).sort();
  if (!events.length) return '';
  const items = events.slice(0, 100).map((k) => `<tr><td class="mono">${text(k)}</td><td class="n">${int(own(suppressed!, k))}</td></tr>`);
  return `<h3>Not listed</h3><p class="note">The verifier lists a bounded number of findings per event; these further ones were counted but not listed.</p><table><tr><th>event</th><th class="n">more findings</th></tr>${items.join('')}</table>`;
}

function excerptsSection(r: HtmlReportInput): string {
  const seen = new Set<number>();
  const citedBy = new Map<number, number[]>();
  r.findings.forEach((f, i) => {
    if (idSeq(f.seq)) citedBy.set(f.seq, [...(citedBy.get(f.seq) ?? []), i]);
  });
  const blocks: string[] = [];
  for (const e of r.stats.excerpts) {
    if (!idSeq(e.seq) || seen.has(e.seq)) continue; // ids must be unique
    seen.add(e.seq);
    const by = (citedBy.get(e.seq) ?? []).map((i) => `<a href="#f-${i}">#${i + 1} ${text(r.findings[i]!.event)}</a>`);
    const line = asString(e.line);
    blocks.push(`<div class="excerpt" id="t-${e.seq}"><div class="head">tuple @${e.seq}${by.length ? ` — cited by ${by.join(', ')}` : ''}${line.endsWith('…') ? ' — cut (the verifier quotes at most the first ' + int(MAX_EXCERPT) + ' characters)' : ''}</div><pre>${text(line)}</pre></div>`);
  }
  return [
    '<h3 id="excerpts">Quoted tuples</h3>',
    blocks.length ? `<p class="note">The tuples the findings point at, exactly as the log holds them (the first ones, each cut to ${int(MAX_EXCERPT)} characters).</p>` : '<p class="note">No tuple quoted.</p>',
    ...blocks,
  ].join('\n');
}
