// The HTML report of a real run (`awre run`, then `awre verify --html`) as a
// browser draws it: headless Chromium screenshots the page and the test reads
// the pixels (pngjs). The verdict banner is green on the clean log and red on
// a tampered copy; the timeline holds the call colour; the page maps hold the
// rw colour and the shared-frame highlight. A log whose tenant name is markup
// gives a page with no element the renderer did not write.
// Skipped, saying why, when no Chromium binary is installed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KIND_COLOURS, MAP_BG, RIGHTS_COLOURS, SHARED_COLOUR, TIMELINE_BG, VERDICT_COLOURS } from '../recorder/html.js';

/** The first Chromium on the PATH (Debian's package installs `chromium`). */
function findChromium(): string | null {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome']) {
    const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return null;
}

const CHROMIUM = findChromium();
if (!CHROMIUM) {
  // CI installs Chromium first (.ci/run) and sets AWRE_REQUIRE_BROWSER: there, a missing browser fails instead of skipping.
  if (process.env['AWRE_REQUIRE_BROWSER'] === '1') throw new Error('AWRE_REQUIRE_BROWSER=1 and no chromium binary on the PATH');
  console.warn('tests/html-browser.test.ts skipped: no chromium binary on the PATH (apt-get install chromium)');
}

const WIDTH = 1200;
const HEIGHT = 2600;
const dir = mkdtempSync(join(tmpdir(), 'awre-html-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Chromium's arguments: headless, no sandbox (CI runs as root), fixed window, its own profile, no network needed. */
function chromiumArgs(extra: string[]): string[] {
  return ['--headless=new', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--no-first-run', '--disable-extensions',
    `--user-data-dir=${join(dir, 'profile')}`, `--window-size=${WIDTH},${HEIGHT}`, '--force-device-scale-factor=1', ...extra];
}

function screenshot(file: string): PNG {
  const png = file.replace(/\.html$/, '.png');
  const r = spawnSync(CHROMIUM!, chromiumArgs([`--screenshot=${png}`, `file://${file}`]), { encoding: 'utf8', timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  const img = PNG.sync.read(readFileSync(png));
  expect([img.width, img.height]).toEqual([WIDTH, HEIGHT]);
  return img;
}

/** The DOM after load, as Chromium serialises it. */
function dumpDom(file: string): string {
  const r = spawnSync(CHROMIUM!, chromiumArgs(['--dump-dom', `file://${file}`]), { encoding: 'utf8', timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

// ---- pixels ---------------------------------------------------------------------

type RGB = [number, number, number];
const rgb = (hex: string): RGB => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as RGB;

interface Box { x0: number; y0: number; x1: number; y1: number }
const FULL: Box = { x0: 0, y0: 0, x1: WIDTH, y1: HEIGHT };

/** Pixels of `hex` (within 2 per channel: no colour management should move them more) in a box, and their bounding box. */
function find(img: PNG, hex: string, box: Box = FULL): { count: number; bbox: Box | null } {
  const [r, g, b] = rgb(hex);
  let count = 0;
  let bbox: Box | null = null;
  for (let y = box.y0; y < Math.min(box.y1, img.height); y++) {
    for (let x = box.x0; x < Math.min(box.x1, img.width); x++) {
      const i = (y * img.width + x) * 4;
      if (Math.abs(img.data[i]! - r) > 2 || Math.abs(img.data[i + 1]! - g) > 2 || Math.abs(img.data[i + 2]! - b) > 2) continue;
      count++;
      bbox = bbox ? { x0: Math.min(bbox.x0, x), y0: Math.min(bbox.y0, y), x1: Math.max(bbox.x1, x + 1), y1: Math.max(bbox.y1, y + 1) } : { x0: x, y0: y, x1: x + 1, y1: y + 1 };
    }
  }
  return { count, bbox };
}

const area = (b: Box) => (b.x1 - b.x0) * (b.y1 - b.y0);

/** The banner: the box of the verdict colour in the top of the page; it must be wide, tall and mostly that colour. */
function expectBanner(img: PNG, colour: string, other: string): void {
  const top: Box = { x0: 0, y0: 0, x1: WIDTH, y1: 300 };
  const { count, bbox } = find(img, colour, top);
  expect(bbox, `no ${colour} at the top`).not.toBeNull();
  expect(bbox!.y0).toBeLessThan(60);
  expect(bbox!.x1 - bbox!.x0).toBeGreaterThan(900);
  expect(bbox!.y1 - bbox!.y0).toBeGreaterThan(90);
  expect(count / area(bbox!)).toBeGreaterThan(0.75);
  expect(find(img, other, bbox!).count).toBe(0);
}

/** A chart is found by its background colour; the colour looked for must fill a real part of it, not a legend swatch. */
function expectInChart(img: PNG, background: string, colour: string, atLeast: number): void {
  const chart = find(img, background).bbox;
  expect(chart, `no chart with background ${background}`).not.toBeNull();
  expect(find(img, colour, chart!).count, `${colour} in the chart`).toBeGreaterThan(atLeast);
}

// ---- real runs ------------------------------------------------------------------

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'host', 'cli', 'main.js');
const awre = (...args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 300_000 });

interface Reports { clean: string; tampered: string; hostile: string; tamperedSeq: number }

/** A call tuple in the middle of the log, changed by `edit`; returns its seq. */
function editMiddleCall(log: string, out: string, edit: (line: string) => string): number {
  const lines = readFileSync(log, 'utf8').split('\n');
  const i = lines.findIndex((l, j) => j >= Math.floor(lines.length / 2) && l.includes('"kind":"call"'));
  expect(i).toBeGreaterThan(0);
  const changed = edit(lines[i]!);
  expect(changed).not.toBe(lines[i]);
  lines[i] = changed;
  writeFileSync(out, lines.join('\n'));
  return i;
}

/** One byte of the call's output digest flipped: the chain breaks at the next tuple. */
const flipOut = (line: string) => line.replace(/("out":"[0-9a-f]{10})([0-9a-f])/, (_m, head: string, c: string) => `${head}${c === '0' ? '1' : '0'}`);
/** The call's tenant renamed to markup: the verifier quotes the name in its messages and the tuple as an excerpt. */
const HOSTILE_TENANT = '<script>document.title=\\"pwned\\"</script>\\"><img src=x onerror=alert(1)>';
const hostileTenant = (line: string) => line.replace(/"tenant":"(initiator|responder)"/, `"tenant":"${HOSTILE_TENANT}"`);

/** A real run, verified with --html as it is (exit 0), with one byte changed (exit 1), and with markup in a tenant name (exit 1). */
function realReports(): Reports {
  const run = join(dir, 'run');
  const r = awre('run', '--out', run, '--sessions', '3', '--frames', '40', '--frame-bytes', '64');
  expect(r.status, r.stderr).toBe(0);
  const log = join(run, 'abw34.log');
  const key = join(run, 'attestation.pub.json');
  const verify = (file: string, html: string, code: number) => {
    const v = awre('verify', file, '--key', key, '--html', html);
    expect(v.status, v.stdout + v.stderr).toBe(code);
    return html;
  };
  const tamperedSeq = editMiddleCall(log, join(dir, 'tampered.log'), flipOut);
  editMiddleCall(log, join(dir, 'hostile.log'), hostileTenant);
  return {
    clean: verify(log, join(dir, 'clean.html'), 0),
    tampered: verify(join(dir, 'tampered.log'), join(dir, 'tampered.html'), 1),
    hostile: verify(join(dir, 'hostile.log'), join(dir, 'hostile.html'), 1),
    tamperedSeq,
  };
}

// ---- tests ----------------------------------------------------------------------

describe.skipIf(!CHROMIUM)('the report of a real run in headless Chromium', () => {
  let reports: Reports;
  beforeAll(() => {
    reports = realReports();
  });

  it('clean log: a green banner, call bars in the timeline, rw pages and shared frames in the page maps', () => {
    const img = screenshot(reports.clean);
    expectBanner(img, VERDICT_COLOURS.ok, VERDICT_COLOURS.failed);
    expectInChart(img, TIMELINE_BG, KIND_COLOURS.call, 20_000);
    expectInChart(img, MAP_BG, RIGHTS_COLOURS.rw, 20_000);
    expectInChart(img, MAP_BG, SHARED_COLOUR, 500);
  });

  it('one byte of a call output changed: a red banner, and the finding links to the quoted tuple', () => {
    const img = screenshot(reports.tampered);
    expectBanner(img, VERDICT_COLOURS.failed, VERDICT_COLOURS.ok);
    expectInChart(img, TIMELINE_BG, KIND_COLOURS.call, 20_000);
    // The chain breaks at the tuple after the changed one.
    const dom = dumpDom(reports.tampered);
    const next = reports.tamperedSeq + 1;
    expect(dom).toContain(`<a href="#t-${next}">@${next}</a>`);
    expect(dom).toContain(`id="t-${next}"`);
  });

  it('markup in a tenant name is drawn as text: the loaded DOM has no element or handler it smuggled in', () => {
    const html = readFileSync(reports.hostile, 'utf8');
    expect(html).toContain('onerror=alert(1)&gt;'); // it is in the report, as text
    const dom = dumpDom(reports.hostile);
    expect(dom).toContain('<title>awre verify: FAILED: ');
    // In serialised DOM text a '<' is always '&lt;': every '<name' is an element Chromium built.
    const elements = dom.match(/<[a-zA-Z][^>]*>/g) ?? [];
    expect(elements.filter((t) => /^<(img|script|iframe|object|embed|link)\b/i.test(t))).toEqual([]);
    expect(elements.filter((t) => /\son[a-z]+=/i.test(t))).toEqual([]);
    expect(dom).toContain('&lt;script&gt;document.title=');
    expectBanner(screenshot(reports.hostile), VERDICT_COLOURS.failed, VERDICT_COLOURS.ok);
  });
});
