// The page a person opens in a browser (web/, copied into build/browser by
// scripts/build-browser.mjs, served by `awre serve`): loaded in headless
// Chromium and Firefox ESR, its self-test must pass and its benchmark must
// fill in a number for every operation (no timing is asserted: only that
// each figure is there and positive). The server serves that directory only.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = join(ROOT, 'dist', 'host', 'cli', 'main.js');

function which(names: string[]): string | null {
  for (const name of names) {
    const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return null;
}
const CHROMIUM = which(['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome']);
const FIREFOX = which(['firefox-esr', 'firefox']);
if (!CHROMIUM && process.env['AWRE_REQUIRE_BROWSER'] === '1') throw new Error('AWRE_REQUIRE_BROWSER=1 and no chromium binary on the PATH');
if (!FIREFOX && process.env['AWRE_REQUIRE_FIREFOX'] === '1') throw new Error('AWRE_REQUIRE_FIREFOX=1 and no firefox-esr binary on the PATH');

let server: ChildProcess | undefined;
let origin = '';

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'build', 'browser', 'index.html'))) throw new Error('build/browser missing: run `npm run build`');
  server = spawn(process.execPath, [MAIN, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  origin = await new Promise<string>((ok, fail) => {
    let out = '';
    server!.stdout!.on('data', (d: Buffer) => { out += String(d); const m = /on (http:\/\/127\.0\.0\.1:\d+)\//.exec(out); if (m) ok(m[1]!); });
    server!.once('exit', (c) => fail(new Error(`awre serve exited (${c})`)));
  });
});

afterAll(() => { server?.kill(); });

function get(path: string, method = 'GET'): Promise<{ status: number; type: string | undefined }> {
  return new Promise((ok, fail) => {
    // A raw path: fetch() and URL would normalise the ../ away before it is sent.
    const u = new URL(origin);
    const req = request({ host: u.hostname, port: u.port, path, method }, (res) => { res.resume(); res.on('end', () => ok({ status: res.statusCode!, type: res.headers['content-type'] })); });
    req.on('error', fail);
    req.end();
  });
}

describe('awre serve', () => {
  it('serves the page, the bundle and the modules with their types, and nothing outside build/browser', async () => {
    expect(await get('/')).toEqual({ status: 200, type: 'text/html; charset=utf-8' });
    expect(await get('/awre.js')).toEqual({ status: 200, type: 'text/javascript; charset=utf-8' });
    expect(await get('/enclave.wasm')).toEqual({ status: 200, type: 'application/wasm' });
    expect((await get('/../../package.json')).status).toBe(404);
    expect((await get('/%2e%2e/%2e%2e/package.json')).status).toBe(404);
    expect((await get('/nope.js')).status).toBe(404);
    expect((await get('/', 'POST')).status).toBe(405);
  });
});

async function runPage(browser: Browser): Promise<{ selftest: string; rows: string[][]; tests: string[][]; env: string }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${origin}/?auto`);
  await page.waitForFunction('document.body.dataset.bench === "done" || document.body.dataset.ready === "failed"', { timeout: 180_000 });
  const got = await page.evaluate(`({
    selftest: document.body.dataset.selftest,
    env: document.getElementById('env').textContent,
    tests: [...document.querySelectorAll('#tests tbody tr')].map((r) => [...r.cells].map((c) => c.textContent)),
    rows: [...document.querySelectorAll('#results tbody tr')].map((r) => [...r.cells].map((c) => c.textContent)),
  })`) as { selftest: string; rows: string[][]; tests: string[][]; env: string };
  expect(errors).toEqual([]);
  return got;
}

function check(r: Awaited<ReturnType<typeof runPage>>): void {
  expect(r.env).toMatch(/^module sha256 [0-9a-f]{16}…; wasm: simd yes/);
  expect(r.tests.length).toBe(11);
  expect(r.tests.filter(([, v]) => v !== 'pass')).toEqual([]);
  expect(r.selftest).toBe('passed');
  expect(r.rows.map(([name]) => name)).toEqual([
    'ML-KEM-768 keygen', 'ML-KEM-768 encapsulate', 'ML-KEM-768 decapsulate', 'ML-DSA-65 sign (64 B)', 'ML-DSA-65 verify', 'AES-256-GCM encrypt 16 KiB', 'SHA3-256 1 KiB',
  ]);
  for (const [name, ops, us, runs] of r.rows) {
    expect(Number(ops!.replace(/,/g, '')), name).toBeGreaterThan(0);
    expect(Number(us), name).toBeGreaterThan(0);
    expect(Number(runs), name).toBeGreaterThan(0);
  }
}

describe.skipIf(!CHROMIUM)('the page in Chromium', () => {
  it('self-test passes; the benchmark shows a figure for every operation', async () => {
    const browser = await puppeteer.launch({ executablePath: CHROMIUM!, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-extensions'] });
    try { check(await runPage(browser)); } finally { await browser.close(); }
  });
});

describe.skipIf(!FIREFOX)('the page in Firefox', () => {
  it('self-test passes; the benchmark shows a figure for every operation', async () => {
    const browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX!, headless: true });
    try { check(await runPage(browser)); } finally { await browser.close(); }
  });
});
