// Suite "platforms" (issue 16): the same ML-KEM-768 and ML-DSA-65 operations
// through every way awre runs them, in one Node process and in the browsers.
// - Node: the plain module (build/enclave.wasm), the WAVEN module
//   (build/enclave.waven.wasm, mmu 'waven') and, when it is built, the
//   WebAssembly component (build/enclave.component.wasm) through its thin
//   canonical-ABI binding and through jco's transpiled JS. Each call copies
//   its inputs in and its outputs out (what an API call does), so the
//   component's list lowering is compared with the module's window copies.
// - Browsers: headless Chromium and Firefox ESR (Debian's packages, through
//   puppeteer-core) load the browser bundle and time the plain and WAVEN
//   modules and jco's transpiled component with the same inputs; their
//   figures are printed beside Node's.
// Target (reported, not asserted): the component at most 1.1x the plain
// module per operation.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ml_kem768 as nobleKem } from '@noble/post-quantum/ml-kem.js';
import { ml_dsa65 as nobleDsa } from '@noble/post-quantum/ml-dsa.js';
import { Enclave, readModule } from '../host/index.js';
import { bytes, equal } from './lib/checks.js';
import { machineInfo, machineLine } from './lib/machine.js';
import { measure, type Group } from './lib/measure.js';
import { ownVersion, packageRoot, writeResults } from './lib/results.js';
import { fmtOps, fmtRatio, renderTable } from './lib/table.js';
import type { Suite, SuiteOptions, SuiteReport } from './lib/suite.js';

const FULL = { rounds: 5, timeMs: 300, warmupMs: 75 };
const QUICK = { rounds: 2, timeMs: 60, warmupMs: 20 };
const TARGET = 1.1;

/** Fixed inputs, shared by Node and the browsers (hex for the page). */
function inputs() {
  const kem = nobleKem.keygen(bytes(64, 1));
  const ct = nobleKem.encapsulate(kem.publicKey, bytes(32, 2)).cipherText;
  const dsa = nobleDsa.keygen(bytes(32, 3));
  return { ek: kem.publicKey, dk: kem.secretKey, m: bytes(32, 4), ct, sk: dsa.secretKey, mu: bytes(64, 5), rnd: bytes(32, 6) };
}
type Inputs = ReturnType<typeof inputs>;

/** Operations on a module enclave: inputs copied into the window, the kernel, outputs copied out. */
function moduleOps(e: Enclave, i: Inputs): Record<string, () => Uint8Array[]> {
  const x = e.exports, io = e.io;
  const call = (st: number) => { if (st !== 0) throw new Error(`status ${st}`); };
  return {
    'ML-KEM-768 encapsulate': () => {
      e.put(0, i.ek); e.put(2048, i.m);
      call(x.mlkem_encaps(768, io, io + 2048, io + 4096, io + 8192));
      return [e.get(4096, 1088), e.get(8192, 32)];
    },
    'ML-KEM-768 decapsulate': () => {
      e.put(12288, i.dk); e.put(16384, i.ct);
      call(x.mlkem_decaps(768, io + 12288, io + 16384, io + 8192));
      return [e.get(8192, 32)];
    },
    'ML-DSA-65 sign': () => {
      e.put(20480, i.sk); e.put(28672, i.mu); e.put(28800, i.rnd);
      call(x.mldsa_sign(65, io + 20480, io + 28672, io + 28800, io + 32768));
      return [e.get(32768, 3309)];
    },
  };
}

type Ops = Record<string, () => Uint8Array[]>;

type World = { mlKem: Record<string, (...a: unknown[]) => unknown>; mlDsa: Record<string, (...a: unknown[]) => unknown> };

/** The same operations through a component binding (lists in, lists out; the post-return wipes). */
function worldOps(w: World, i: Inputs): Ops {
  return {
    'ML-KEM-768 encapsulate': () => { const r = w.mlKem['encaps']!(768, i.ek, i.m) as { ct: Uint8Array; ss: Uint8Array }; return [r.ct, r.ss]; },
    'ML-KEM-768 decapsulate': () => [w.mlKem['decaps']!(768, i.dk, i.ct) as Uint8Array],
    'ML-DSA-65 sign': () => [w.mlDsa['sign']!(65, i.sk, i.mu, i.rnd) as Uint8Array],
  };
}

/**
 * The component's operations when it is built (npm run build): through the
 * thin canonical-ABI binding (host/enclave/component.ts, on the component's
 * core module) and through jco's transpiled JS (build/component/enclave.js).
 */
async function componentOps(i: Inputs): Promise<{ impls: Record<string, Ops> } | { missing: string }> {
  const root = packageRoot();
  const core = join(root, 'build', 'component', 'enclave.core.wasm');
  const transpiled = join(root, 'build', 'component', 'enclave.js');
  if (!existsSync(core) || !existsSync(transpiled)) return { missing: 'build/component/ not built (npm run build)' };
  const { bindComponentCore } = await import('../host/enclave/component.js');
  const jco = (await import(pathToFileURL(transpiled).href)) as unknown as World;
  return { impls: { 'component thin': worldOps(bindComponentCore(readFileSync(core)) as unknown as World, i), 'component jco': worldOps(jco, i) } };
}

// ---- the browsers ---------------------------------------------------------------------------------

const RUNNER = String.raw`
import * as awre from './awre.js';
const bx = (h) => Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));
window.benchPlatforms = async (hex, ms, rounds) => {
  const i = Object.fromEntries(Object.entries(hex).map(([k, v]) => [k, bx(v)]));
  // ops/s of f: one warm-up call, then the median of rounds of ms each.
  const median = (f) => {
    f();
    const perRound = [];
    for (let r = 0; r < rounds; r++) {
      let n = 0; const t0 = performance.now(); let t = t0;
      while (t - t0 < ms) { f(); n++; t = performance.now(); }
      perRound.push((n * 1000) / (t - t0));
    }
    perRound.sort((a, b) => a - b);
    return perRound[perRound.length >> 1];
  };
  const out = {};
  for (const [mode, file, opts] of [['off', './enclave.wasm', {}], ['waven', './enclave.waven.wasm', { mmu: 'waven' }]]) {
    const e = await awre.Enclave.fromUrl(file, opts), x = e.exports, io = e.io;
    const ops = {
      'ML-KEM-768 encapsulate': () => { e.put(0, i.ek); e.put(2048, i.m); x.mlkem_encaps(768, io, io + 2048, io + 4096, io + 8192); return e.get(8192, 32); },
      'ML-KEM-768 decapsulate': () => { e.put(12288, i.dk); e.put(16384, i.ct); x.mlkem_decaps(768, io + 12288, io + 16384, io + 8192); return e.get(8192, 32); },
      'ML-DSA-65 sign': () => { e.put(20480, i.sk); e.put(28672, i.mu); e.put(28800, i.rnd); x.mldsa_sign(65, io + 20480, io + 28672, io + 28800, io + 32768); return e.get(32768, 3309); },
    };
    for (const [name, f] of Object.entries(ops)) (out[name] ??= {})[mode] = median(f);
  }
  // The component as jco transpiled it (served beside the bundle when built).
  let C;
  try { C = await import('./component/enclave.js'); } catch { C = undefined; }
  if (C) {
    const ops = {
      'ML-KEM-768 encapsulate': () => C.mlKem.encaps(768, i.ek, i.m),
      'ML-KEM-768 decapsulate': () => C.mlKem.decaps(768, i.dk, i.ct),
      'ML-DSA-65 sign': () => C.mlDsa.sign(65, i.sk, i.mu, i.rnd),
    };
    for (const [name, f] of Object.entries(ops)) out[name]['component jco'] = median(f);
  }
  return { ua: navigator.userAgent, ops: out };
};
window.ready = true;
`;

function which(names: string[]): string | null {
  for (const name of names) {
    const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return null;
}

type BrowserResult = { browser: string; ua: string; ops: Record<string, Record<string, number>> } | { browser: string; missing: string };

async function browsers(i: Inputs, cfg: { rounds: number; timeMs: number }, log: (m: string) => void): Promise<BrowserResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'awre-bench-platforms-'));
  let server: Server | undefined;
  try {
    const { buildBrowser } = (await import(join(packageRoot(), 'scripts', 'build-browser.mjs'))) as { buildBrowser(o: { outdir: string }): Promise<unknown> };
    await buildBrowser({ outdir: dir });
    if (existsSync(join(packageRoot(), 'build', 'component', 'enclave.js'))) cpSync(join(packageRoot(), 'build', 'component'), join(dir, 'component'), { recursive: true });
    writeFileSync(join(dir, 'runner.js'), RUNNER);
    writeFileSync(join(dir, 'bench.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="./runner.js"></script>');
    const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };
    server = createServer((req, res) => {
      const rel = normalize(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '');
      const file = join(dir, rel);
      if (rel.startsWith('..') || !existsSync(file)) { res.writeHead(404).end(); return; }
      res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
    });
    await new Promise<void>((ok) => server!.listen(0, '127.0.0.1', ok));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bench.html`;
    const hex = Object.fromEntries(Object.entries(i).map(([k, v]) => [k, Buffer.from(v).toString('hex')]));
    const { default: puppeteer } = await import('puppeteer-core');
    const out: BrowserResult[] = [];
    const kinds: { name: string; bins: string[]; extra: { args?: string[]; browser?: 'firefox' } }[] = [
      { name: 'Chromium', bins: ['chromium', 'chromium-browser'], extra: { args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] } },
      { name: 'Firefox', bins: ['firefox-esr', 'firefox'], extra: { browser: 'firefox' } },
    ];
    for (const { name, bins, extra } of kinds) {
      const bin = which(bins);
      if (!bin) { out.push({ browser: name, missing: `no ${bins[0]} on the PATH` }); continue; }
      log(`platforms: ${name}`);
      const b = await puppeteer.launch({ executablePath: bin, headless: true, userDataDir: join(dir, `${name}-profile`), ...extra });
      try {
        const page = await b.newPage();
        await page.goto(url);
        await page.waitForFunction('window.ready === true', { timeout: 120_000 });
        const r = (await page.evaluate(`window.benchPlatforms(${JSON.stringify(hex)}, ${cfg.timeMs}, ${cfg.rounds})`)) as { ua: string; ops: Record<string, Record<string, number>> };
        out.push({ browser: name, ...r });
      } finally {
        await b.close();
      }
    }
    return out;
  } catch (e) {
    return [{ browser: 'browsers', missing: (e as Error).message }];
  } finally {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- the suite ----------------------------------------------------------------------------------

async function run({ quick, log, write }: SuiteOptions): Promise<SuiteReport> {
  const cfg = quick ? QUICK : FULL;
  const startedAt = new Date();
  const i = inputs();
  const impls: Record<string, Ops> = {
    module: moduleOps(new Enclave(readModule('enclave.wasm')), i),
    waven: moduleOps(new Enclave(readModule('enclave.waven.wasm'), { mmu: 'waven' }), i),
  };
  const comp = await componentOps(i);
  if ('impls' in comp) Object.assign(impls, comp.impls);
  // Correctness first: every path gives the plain module's bytes.
  const checks: string[] = [];
  const names = Object.keys(impls);
  for (const op of Object.keys(impls['module']!)) {
    const ref = impls['module']![op]!();
    for (const n of names.slice(1)) {
      const got = impls[n]![op]?.();
      if (!got || got.length !== ref.length || !got.every((g, k) => equal(g, ref[k]!))) checks.push(`${op}: ${n} differs from the plain module`);
    }
  }
  const groups: Group[] = Object.keys(impls['module']!).map((op) => ({
    id: op,
    impls: Object.fromEntries(names.filter((n) => impls[n]![op]).map((n) => [n, impls[n]![op]!])),
    ...(op.includes('sign') ? { statistic: 'mean' as const } : {}),
  }));
  log(`platforms: Node, ${names.join(', ')}, ${cfg.rounds} rounds`);
  const measured = measure(groups, { ...cfg, log });
  const web = await browsers(i, cfg, log);
  const rows = groups.map((g) => {
    const m = measured[g.id]!;
    const base = m['module']!.opsPerSec;
    return { op: g.id, ops: Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.opsPerSec])), timeRatio: Object.fromEntries(Object.entries(m).map(([k, v]) => [k, base / v.opsPerSec])) };
  });
  const webCols = web.filter((w): w is Extract<BrowserResult, { ua: string }> => 'ua' in w);
  const webModes = (w: Extract<BrowserResult, { ua: string }>) => Object.keys(w.ops[Object.keys(w.ops)[0]!] ?? {});
  const header = ['operation', ...names.map((n) => `node ${n} ops/s`), ...names.slice(1).map((n) => `${n} time / module`), ...webCols.flatMap((w) => webModes(w).map((mode) => `${w.browser} ${mode === 'off' ? 'module' : mode}`))];
  const table = renderTable(header, rows.map((r) => [
    r.op, ...names.map((n) => fmtOps(r.ops[n]!)), ...names.slice(1).map((n) => fmtRatio(r.timeRatio[n]!, 3)),
    ...webCols.flatMap((w) => webModes(w).map((mode) => fmtOps(w.ops[r.op]![mode]!))),
  ]), header.map((_, k) => (k === 0 ? 'left' : 'right')));
  const compRows = names.filter((n) => n !== 'module' && n !== 'waven');
  const m = machineInfo();
  const text = [
    'Platforms: ML-KEM-768 and ML-DSA-65 through the plain module, the WAVEN module and the component, in one Node process (inputs copied in and outputs out per call), and in the browsers (plain and WAVEN modules)',
    `  Node: median of ${cfg.rounds} rounds x ${cfg.timeMs} ms per task, interleaved; browsers: median of ${cfg.rounds} rounds of ${cfg.timeMs} ms each, in the page`,
    '',
    table,
    '',
    `target (reported, not asserted): the component at most ${TARGET}x the plain module's time per operation`,
    ...('missing' in comp ? [`  component: not measured (${comp.missing})`] : rows.flatMap((r) => compRows.map((n) => `  ${r.op.padEnd(24)} ${n.padEnd(14)} ${fmtRatio(r.timeRatio[n]!, 3)}  ${r.timeRatio[n]! <= TARGET ? 'met' : 'NOT MET'}`))),
    ...web.filter((w) => 'missing' in w).map((w) => `  ${w.browser}: not measured (${(w as { missing: string }).missing})`),
    ...webCols.map((w) => `  ${w.browser}: ${w.ua}`),
    `machine: ${machineLine(m)}`,
    checks.length === 0 ? `correctness: ${names.join(', ')} give identical bytes for every operation` : `correctness FAILED: ${checks.join('; ')}`,
  ].join('\n');
  const data = { suite: 'platforms', startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), machine: m, awre: ownVersion(), rows, browsers: web, component: 'missing' in comp ? comp.missing : 'measured', measured, checks };
  if (!quick && write !== false) log(`results: ${writeResults('platforms', data, startedAt).join(', ')}`);
  return { data, text, ok: checks.length === 0 };
}

export const suite: Suite = { name: 'platforms', description: 'ML-KEM-768 and ML-DSA-65 through the plain module, the WAVEN module and the component, in Node and in Chromium and Firefox', run };
