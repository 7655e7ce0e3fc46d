// recorder/html.ts on hand-built inputs: the report is one self-contained
// page (no URL leaves it, no script), everything from the log is escaped,
// every finding's seq links to the quoted tuple when there is one, the
// sections come in order, the output is deterministic and bounded, and the
// guarantees use renderVerify's words.
import { describe, expect, it } from 'vitest';
import {
  CALL_OP_COLOURS, KIND_COLOURS, RIGHTS_COLOURS, SHARED_COLOUR, VERDICT_COLOURS,
  escapeHtml, guarantees, renderHtml, type HtmlReportInput,
} from '../recorder/html.js';
import { MAX_EXCERPT, MAX_EXCERPTS, MAX_INTERVALS, MAX_MAP_TENANTS, MAX_MARKS, TIMELINE_BUCKETS, type MapInterval, type RunStats } from '../recorder/stats.js';
import { renderVerify } from '../host/cli/verify.js';

const HEX = (c: string) => c.repeat(64);

/** The seed tuple's health counters as a real feed logs them (docs/qrng.md). */
const HEALTH = {
  apt: { alarms: 0, cutoff: 13, maxCount: 3, window: 512, windows: 4 },
  minEntropy: 8, rawBytesDiscarded: 1024, rawBytesRead: 2048, rawBytesUsed: 56,
  rct: { alarms: 0, cutoff: 4, longestRun: 2 }, resets: 0, samples: 2048, seeds: 1,
  startup: { passed: true, required: 1024 }, state: 'ready',
};

/** A tenant's pages 0..12 and 1000, mapped rw one after the other from `boot`; `shared` pages map a shared frame. */
function pages(boot: number, frame0: number, shared: number[] = []): MapInterval[] {
  const list = [...Array.from({ length: 13 }, (_, i) => i), 1000];
  return list.map((page, i) => ({ page, frame: frame0 + i, rights: page === 1000 ? 'ro' : 'rw', shared: shared.includes(page), from: boot + 1 + i, to: page === 5 ? 200 : null }));
}

/** A 300-tuple run like `awre run --sessions 3`: boots and maps, seeds, calls, two checkpoints. */
function stats(): RunStats {
  const buckets: Record<string, number>[] = [];
  for (let i = 0; i < 150; i++) {
    const seq = 2 * i;
    buckets.push(seq < 44 ? { map: 2 } : seq === 44 ? { share: 2 } : seq === 298 ? { halt: 1, checkpoint: 1 } : seq === 48 ? { seed: 1, checkpoint: 1 } : { 'call:send': 2 });
  }
  return {
    bytes: 173_242,
    kinds: { boot: 4, map: 39, share: 2, seed: 3, call: 249, checkpoint: 2, halt: 1 },
    timeline: { width: 2, buckets },
    marks: { checkpoint: { seqs: [49, 299], dropped: 0 }, reseed: { seqs: [], dropped: 0 }, fault: { seqs: [], dropped: 0 }, health: { seqs: [], dropped: 0 } },
    tenants: [
      { tenant: 'attest', boot: 1, intervals: pages(1, 1), dropped: 0 },
      { tenant: 'initiator', boot: 15, intervals: pages(15, 15, [1]), dropped: 0 },
      { tenant: 'responder', boot: 29, intervals: pages(29, 30, [1000]), dropped: 0 },
    ],
    entropy: ['attest', 'initiator', 'responder'].map((tenant, i) => ({ tenant, seq: 45 + i, source: 'os', quantum: false, epoch: 0, health: { ...HEALTH, seeds: i + 1 } })),
    healthEvents: {},
    excerpts: [],
  };
}

function clean(): HtmlReportInput {
  return {
    ok: true, log: 'awre-run/abw34.log', tuples: 300, checkpoints: 2, verifiedSize: 299, root: HEX('a'),
    profile: { module: HEX('b'), abi: 2, mmu: 'waven', awre: '0.1.0' },
    run: null, guarantees: { certified: null, fresh: null, witnessed: null },
    findings: [], suppressed: {}, replayed: false, stats: stats(),
  };
}

const EVIL = ['<script>alert(1)</script>', '"><img src=x onerror=alert(2)>', "'><svg onload=alert(3)>", 'javascript:alert(4)', '\u202Egnp.exe', 'https://evil.example/x.js'];

/** A tampered log's result: errors and a warning, some quoted, some not, and log text crafted to break out of the page. */
function failed(): HtmlReportInput {
  const r = clean();
  const s = r.stats;
  r.ok = false;
  r.log = `logs/${EVIL[1]}.log`;
  r.findings = [
    { event: 'prev-mismatch', severity: 'error', seq: 151, message: `prev is not the leaf hash ${EVIL[0]}`, got: HEX('1'), expected: HEX('2') },
    { event: 'checkpoint-root', severity: 'error', seq: 299, message: 'the checkpoint root is not the Merkle root', got: { root: EVIL[1] } },
    { event: 'checkpoint-note', severity: 'error', seq: 299, message: EVIL[2]!, expected: `a\n${EVIL[0]}` },
    { event: EVIL[0]!, severity: 'warning', seq: 77, message: `${EVIL[4]} ${EVIL[5]}` },
    { event: 'no-halt', severity: 'error', seq: null, message: 'the log has no halt tuple' },
  ];
  r.suppressed = { 'prev-mismatch': 12, [EVIL[1]!]: 3 };
  s.excerpts = [
    { seq: 151, line: `{"abw":34,"kind":"call","note":"${EVIL[0]}${EVIL[1]}"}` },
    { seq: 299, line: `{"abw":34,"kind":"checkpoint","x":"${'z'.repeat(MAX_EXCERPT)}…` },
  ];
  s.tenants[1]!.tenant = EVIL[1]!;
  s.entropy[0]!.source = `anu:${EVIL[0]}`;
  s.entropy[1]!.health = { ...HEALTH, state: EVIL[2], rct: { alarms: 2, cutoff: 4, longestRun: 4 } };
  s.healthEvents = { 'qrng-failure': 2, [EVIL[0]!]: 1 };
  s.marks.fault.seqs = [120];
  s.marks.health.seqs = [130, 131];
  s.timeline.buckets[60] = { [`call:${EVIL[0]}`]: 1, [EVIL[1]!]: 1 };
  r.guarantees = { certified: false, fresh: true, witnessed: { by: [EVIL[1]!], of: 3, quorum: false } };
  r.run = { run: 7, prev: { run: 6 }, node: HEX('c') };
  r.replayed = true;
  return r;
}

/** Every tag in the markup: name and attribute text. Sound here because escaped text never holds a raw `<`, `>` or `"`. */
function tags(html: string): { name: string; attrs: string }[] {
  return [...html.matchAll(/<([a-zA-Z][\w-]*)([^>]*)>/g)].map((m) => ({ name: m[1]!.toLowerCase(), attrs: m[2]! }));
}

/** Attribute name/value pairs of a tag. */
function attrs(a: string): [string, string][] {
  return [...a.matchAll(/\s([\w-]+)(?:="([^"]*)")?/g)].map((m) => [m[1]!.toLowerCase(), m[2] ?? '']);
}

const ALLOWED_TAGS = new Set(['html', 'head', 'meta', 'title', 'style', 'body', 'main', 'section', 'header', 'nav', 'h1', 'h2', 'h3', 'p', 'div', 'span', 'b', 'i', 'a', 'code', 'pre',
  'table', 'tr', 'th', 'td', 'dl', 'dt', 'dd', 'details', 'summary', 'svg', 'g', 'rect', 'line', 'text', 'defs', 'pattern']);

describe('renderHtml: one self-contained page', () => {
  for (const [name, make] of [['clean', clean], ['failed', failed]] as const) {
    it(`${name}: no URL leaves the page, no script, no external asset`, () => {
      const html = renderHtml(make());
      expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
      expect(html).not.toMatch(/<link\b/i);
      expect(html).not.toMatch(/<script\b/i);
      expect(html).not.toMatch(/@import|@font-face/i);
      for (const t of tags(html)) {
        for (const [k, v] of attrs(t.attrs)) {
          expect(k, `${t.name} ${k}`).not.toMatch(/^on/);
          expect(['src', 'srcset', 'xlink:href', 'action', 'formaction', 'background', 'poster', 'data']).not.toContain(k);
          // Links are fragments within the page.
          if (k === 'href') expect(v, `${t.name} href`).toMatch(/^#[\w-]+$/);
        }
      }
      // url(...) in CSS or SVG attributes: only fragments (the hatch patterns).
      for (const m of html.matchAll(/url\(([^)]*)\)/g)) expect(m[1]).toMatch(/^#[\w-]+$/);
      // The CSP forbids scripts and any fetch even if something slipped through.
      expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'`);
    });
  }

  it('has its sections in order: verdict, timeline, page tables, entropy, findings, quoted tuples', () => {
    const html = renderHtml(failed());
    const at = ['id="verdict"', 'id="timeline"', 'id="pages"', 'id="entropy"', 'id="findings"', 'id="excerpts"'].map((id) => html.indexOf(id));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  it('ids are unique', () => {
    for (const html of [renderHtml(clean()), renderHtml(failed())]) {
      const ids = [...html.matchAll(/\sid="([^"]*)"/g)].map((m) => m[1]);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });
});

describe('renderHtml: log text is inert', () => {
  it('every tag and attribute is the renderer\'s own, whatever the log holds', () => {
    const html = renderHtml(failed());
    for (const t of tags(html)) expect(ALLOWED_TAGS.has(t.name), `<${t.name}`).toBe(true);
    expect(html).not.toMatch(/<img|<svg onload|<script/i);
    // The text is there, escaped.
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(html).toContain('&#39;&gt;&lt;svg onload=alert(3)&gt;');
  });

  it('no log text lands in a style, a title of the document unescaped, or an attribute unescaped', () => {
    const html = renderHtml(failed());
    const style = html.slice(html.indexOf('<style>'), html.indexOf('</style>'));
    for (const e of ['alert', 'evil', 'onerror']) expect(style).not.toContain(e);
    const title = html.slice(html.indexOf('<title>'), html.indexOf('</title>'));
    expect(title).toContain('&quot;&gt;&lt;img');
  });

  it('shows bidi overrides and control characters as visible code points', () => {
    const html = renderHtml(failed());
    expect(html).not.toContain('\u202E');
    expect(html).toContain('<span class="ctl">U+202E</span>gnp.exe');
  });

  it('escapeHtml escapes the five characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('log-chosen kind and op names pick no colour and add no legend entry', () => {
    const html = renderHtml(failed());
    const legend = html.slice(html.indexOf('<div class="legend">'), html.indexOf('</div>', html.indexOf('<div class="legend">')));
    expect(legend).toContain('call: other op');
    expect(legend).toContain('other kind');
    expect(legend).not.toContain('alert');
  });
});

describe('renderHtml: findings and quoted tuples', () => {
  it('every finding is listed; a seq with a quoted tuple links to it, and every link has its target', () => {
    const r = failed();
    const html = renderHtml(r);
    const ids = new Set([...html.matchAll(/\sid="([^"]*)"/g)].map((m) => m[1]));
    for (const m of html.matchAll(/href="#([^"]*)"/g)) expect(ids.has(m[1]), `#${m[1]}`).toBe(true);
    const quoted = new Set(r.stats.excerpts.map((e) => e.seq));
    r.findings.forEach((f, i) => {
      const row = html.slice(html.indexOf(`id="f-${i}"`), html.indexOf('</tr>', html.indexOf(`id="f-${i}"`)));
      expect(row).toContain(escapeHtml(f.event).slice(0, 8));
      if (f.seq !== null && quoted.has(f.seq)) expect(row).toContain(`<a href="#t-${f.seq}">@${f.seq}</a>`);
      else if (f.seq !== null) expect(row).toMatch(new RegExp(`@${f.seq} <span class="note">\\(not quoted\\)`));
      else expect(row).not.toContain('href="#t-');
    });
    for (const e of r.stats.excerpts) expect(html).toContain(`id="t-${e.seq}"`);
  });

  it('shows expected and got as JSON, the suppressed counts, and a cut excerpt as cut', () => {
    const html = renderHtml(failed());
    expect(html).toContain(`<dt>expected</dt><dd><code>&quot;${HEX('2')}&quot;</code></dd>`);
    expect(html).toContain('<dt>got</dt><dd><code>{&quot;root&quot;:&quot;\\&quot;&gt;&lt;img');
    expect(html).toMatch(/<td class="mono">prev-mismatch<\/td><td class="n">12<\/td>/);
    expect(html).toMatch(/tuple @299 — cited by .* — cut/);
  });

  it('a clean log says so and lists no finding', () => {
    const html = renderHtml(clean());
    expect(html).toContain('No findings: every check holds.');
    expect(html).not.toContain('class="finding"');
  });
});

describe('renderHtml: verdict, charts, tables', () => {
  it('the banner is green for ok, red for failed, with the same verdict words as the CLI', () => {
    expect(renderHtml(clean())).toContain('<header class="banner ok">\n<h1>VERIFIED</h1>\n<div class="sub">every check holds</div>');
    const bad = renderHtml(failed());
    expect(bad).toContain('<header class="banner failed">\n<h1>FAILED</h1>\n<div class="sub">4 finding(s), and 1 warning</div>');
    expect(bad).toContain('first: prev-mismatch @151, checkpoint-root @299, checkpoint-note @299, and 1 more event');
    expect(bad).toContain(`.banner.failed{background:${VERDICT_COLOURS.failed}}`);
  });

  it('words each guarantee exactly as renderVerify does', () => {
    const variants: HtmlReportInput[] = [clean(), failed()];
    const v = failed();
    v.guarantees = { certified: true, fresh: false, witnessed: { by: ['w1', 'w2'], of: 2, quorum: true } };
    v.run = { run: 3, prev: null, node: HEX('d') };
    v.findings = [];
    variants.push(v);
    const e = clean();
    e.findings = [{ event: 'escrow-invalid', severity: 'error', seq: null, message: 'no' }];
    variants.push(e);
    for (const r of variants) {
      const cli = renderVerify({ ...r, findings: [...r.findings], run: r.run && { ...r.run, prev: r.run.prev && { ...r.run.prev, note: '' } } } as never).split('\n');
      for (const g of guarantees(r)) expect(cli).toContain(`  ${g.name}: ${g.value}`);
      const html = renderHtml(r);
      for (const g of guarantees(r)) expect(html).toContain(`<b>${g.name}</b>: ${escapeHtml(g.value)}`);
      expect(cli.some((l) => html.includes(l.replace('replay from the escrow: ', '<th>replay from the escrow</th><td>') + '</td>'))).toBe(true);
    }
  });

  it('the timeline stacks kinds in their colours, with lanes for findings, checkpoints, faults and health events', () => {
    const html = renderHtml(failed());
    const svg = html.slice(html.indexOf('id="timeline"'), html.indexOf('id="pages"'));
    expect(svg).toContain(`fill="${KIND_COLOURS.call}"`);
    expect(svg).toContain(`fill="${CALL_OP_COLOURS.send}"`);
    expect(svg).toContain(`fill="${KIND_COLOURS.map}"`);
    expect(svg).toContain('<a href="#f-0"><rect');
    for (const l of ['findings 5', 'checkpoints 2', 'reseeds 0', 'faults 1', 'health events 2']) expect(svg).toContain(`>${l}</text>`);
    expect(svg).toContain('>call: send <span class="mono">');
  });

  it('the page map draws a row per page mapped (sparse pages), coloured by rights, shared frames outlined', () => {
    const html = renderHtml(clean());
    const map = html.slice(html.indexOf('id="pages"'), html.indexOf('id="entropy"'));
    expect(map.match(/<svg /g)?.length).toBe(3);
    expect(map).toContain('>page 1000</text>');
    expect(map).not.toContain('>page 13</text>');
    expect(map).toContain('stroke-dasharray="4 3"'); // the jump from page 12 to 1000
    expect(map).toContain('class="rw"');
    expect(map).toContain('class="ro"');
    expect(map).toContain('class="sh"');
    expect(html).toContain(`.rw{fill:${RIGHTS_COLOURS.rw}}`);
    expect(html).toContain(`.sh{stroke:${SHARED_COLOUR}`);
    expect(map).toContain('<h3>Shared frames</h3>');
  });

  it('the entropy table shows each tenant\'s counters and flags alarms', () => {
    const html = renderHtml(failed());
    const ent = html.slice(html.indexOf('id="entropy"'), html.indexOf('id="findings"'));
    expect(ent).toContain('<th>RCT alarms</th><td class="n">0</td><td class="n bad">2</td><td class="n">0</td>');
    expect(ent).toContain('<th>start-up test</th><td class="n">passed</td>');
    expect(ent).toContain('anu:&lt;script&gt;');
    expect(ent).toMatch(/<td class="mono">qrng-failure<\/td><td class="n">2<\/td>/);
  });

  it('is deterministic: the same input gives the same bytes', () => {
    expect(renderHtml(failed())).toBe(renderHtml(failed()));
    expect(renderHtml(structuredClone(failed()))).toBe(renderHtml(failed()));
  });
});

describe('renderHtml: bounded', () => {
  /** Stats at every cap recorder/stats.ts sets, and many findings. */
  function huge(): HtmlReportInput {
    const r = failed();
    const n = 10_000_000;
    const width = Math.ceil(n / TIMELINE_BUCKETS);
    r.tuples = n;
    const ops = ['send', 'handshake', 'close', 'dsa-keygen'];
    r.stats.timeline = { width, buckets: Array.from({ length: TIMELINE_BUCKETS }, (_, i) => Object.fromEntries([...Object.keys(KIND_COLOURS), ...ops.map((o) => `call:${o}`)].map((k, j) => [k, (i + j) % 7 + 1]))) };
    const seqs = Array.from({ length: MAX_MARKS }, (_, i) => i * 9000);
    r.stats.marks = { checkpoint: { seqs, dropped: 9000 }, reseed: { seqs, dropped: 5 }, fault: { seqs, dropped: 5 }, health: { seqs, dropped: 5 } };
    r.stats.tenants = Array.from({ length: MAX_MAP_TENANTS }, (_, t) => ({
      tenant: `tenant-${t}`, boot: t, dropped: 100,
      intervals: Array.from({ length: MAX_INTERVALS }, (_, i) => ({ page: (i * 37) % 65536, frame: i, rights: (['rw', 'ro', 'none'] as const)[i % 3]!, shared: i % 5 === 0, from: i * 4000, to: i % 2 ? i * 4000 + 3000 : null })),
    }));
    r.stats.excerpts = Array.from({ length: MAX_EXCERPTS }, (_, i) => ({ seq: i * 100, line: 'x'.repeat(MAX_EXCERPT) }));
    r.findings = Array.from({ length: 1000 }, (_, i) => ({ event: `e${i % 40}`, severity: 'error', seq: i * 100, message: 'm'.repeat(200), got: 'g'.repeat(64), expected: 'h'.repeat(64) }));
    return r;
  }

  it('stays within a few megabytes at every cap, and renders quickly', () => {
    const r = huge();
    const t0 = performance.now();
    const html = renderHtml(r);
    const ms = performance.now() - t0;
    for (const [a, b] of [['id="verdict"', 'id="timeline"'], ['id="timeline"', 'id="pages"'], ['id="pages"', 'id="entropy"'], ['id="entropy"', 'id="findings"'], ['id="findings"', 'id="excerpts"'], ['id="excerpts"', '</main>']]) console.log(a, html.indexOf(b!) - html.indexOf(a!));
    expect(html.length).toBeLessThan(6_000_000);
    expect(ms).toBeLessThan(10_000);
    // Page rows: one per distinct page, at least 1px each; no 65,536-row map.
    expect(html.match(/<svg /g)?.length).toBe(1 + MAX_MAP_TENANTS);
    expect(html).toContain('100 later mappings not drawn');
    expect(html).toContain('checkpoints: the first 1,024 drawn, 9,000 more not drawn');
  });

  it('cuts a huge got or message', () => {
    const r = failed();
    r.findings = [{ event: 'x', severity: 'error', seq: 1, message: 'm'.repeat(100_000), got: 'g'.repeat(100_000) }];
    const html = renderHtml(r);
    expect(html.length).toBeLessThan(100_000);
    expect(html).toContain('more characters)');
  });
});
