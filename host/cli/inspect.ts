// `awre inspect <module.wasm> [--wat] [--json]`: read and validate a module
// with wabt and report its SHA-256, size, imports, exports, memory, custom
// sections, the ABI version it declares, and whether it is awre's plain or
// WAVEN-instrumented build. A malformed or truncated module is a clear error
// (exit 1), not a stack trace. A WebAssembly component (such as
// build/enclave.component.wasm, docs/component.md) is recognised by its
// header and reported as one: its WIT world (jco's componentWit), the full
// WIT text when it carries an `awre.wit` custom section, and its core modules.
import { wasmFeatures, type WasmFeatures } from '../features.js';
import type { Command } from 'commander';
import wabtInit from 'wabt';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { moduleDigest } from '../enclave/module.js';
import { CliFailure, EXIT, readBytes } from './io.js';

export interface InspectResult {
  path: string;
  sha256: string;
  bytes: number;
  build: 'plain' | 'waven' | 'foreign' | 'component';
  abi: number | null;
  imports: { module: string; name: string; kind: string }[];
  exports: { name: string; kind: string }[];
  memory: { imported: boolean; initial: number; maximum: number | null } | null;
  customSections: { name: string; bytes: number }[];
  functions: number;
  /** The WebAssembly features of the engine running awre (host/features.ts). */
  engine: WasmFeatures;
  wat?: string;
  /** Set for a WebAssembly component (then imports, exports and memory describe nothing). */
  component?: {
    /** The world, as jco's componentWit prints it (null when jco is not installed). */
    world: string | null;
    /** The WIT text of its `awre.wit` custom section, if any. */
    wit: string | null;
    /** The top-level core modules: size and SHA-256. */
    coreModules: { bytes: number; sha256: string }[];
  };
}

/** The component-model binary header: magic, then version 0x0d and layer 1. */
function isComponent(b: Uint8Array): boolean {
  return b.length >= 8 && b[0] === 0 && b[1] === 0x61 && b[2] === 0x73 && b[3] === 0x6d && b[4] === 0x0d && b[5] === 0 && b[6] === 1 && b[7] === 0;
}

/** Top-level sections of a component: [id, payload] (every section is id, LEB128 size, payload). */
function topSections(b: Uint8Array): [number, Uint8Array][] {
  const out: [number, Uint8Array][] = [];
  let at = 8;
  const leb = () => { let v = 0, s = 0, x; do { x = b[at++]!; v += (x & 0x7f) * 2 ** s; s += 7; } while (x & 0x80); return v; };
  while (at < b.length) {
    const id = b[at++]!;
    const size = leb();
    if (at + size > b.length) throw new Error(`section ${id} runs past the end`);
    out.push([id, b.subarray(at, at + size)]);
    at += size;
  }
  return out;
}

async function inspectComponent(path: string, bytes: Uint8Array): Promise<InspectResult> {
  let sections: [number, Uint8Array][];
  let world: string | null = null;
  try {
    sections = topSections(bytes);
    new WebAssembly.Module(sections.find(([id]) => id === 1)![1] as Uint8Array<ArrayBuffer>);
  } catch (e) {
    throw new CliFailure(EXIT.failed, `${path}: not a valid WebAssembly component (${bytes.length} bytes): ${String((e as Error).message).split('\n')[0]}`);
  }
  try {
    const spec = '@bytecodealliance/jco'; // a dev dependency: absent from an install without them
    const jco = (await import(spec)) as { componentWit(b: Uint8Array): Promise<string> | string };
    world = (await jco.componentWit(bytes)).trim();
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') {
      throw new CliFailure(EXIT.failed, `${path}: not a valid WebAssembly component (${bytes.length} bytes): ${String((e as Error).message ?? e).split('\n')[0]}`);
    }
  }
  const customs = sections.filter(([id]) => id === 0).map(([, p]) => {
    let at = 0, n = 0, s = 0, x;
    do { x = p[at++]!; n += (x & 0x7f) * 2 ** s; s += 7; } while (x & 0x80);
    return { name: new TextDecoder().decode(p.subarray(at, at + n)), data: p.subarray(at + n) };
  });
  const witSection = customs.find((c) => c.name === 'awre.wit');
  const cores = sections.filter(([id]) => id === 1).map(([, p]) => p);
  const build: InspectResult['build'] = 'component';
  return {
    path, sha256: moduleDigest(bytes), bytes: bytes.length, build, abi: await declaredAbi(cores[0]!, build),
    imports: [], exports: [], memory: null,
    customSections: customs.map((c) => ({ name: c.name, bytes: c.data.length })),
    functions: 0,
    engine: { ...wasmFeatures() },
    component: {
      world, wit: witSection ? new TextDecoder().decode(witSection.data) : null,
      coreModules: cores.map((c) => ({ bytes: c.length, sha256: moduleDigest(c) })),
    },
  };
}

/** Custom section names and sizes, read from the binary (the JS API gives contents only by name). */
function customSections(b: Uint8Array): { name: string; bytes: number }[] {
  const out: { name: string; bytes: number }[] = [];
  let at = 8;
  const leb = () => { let v = 0, s = 0, x; do { x = b[at++]!; v += (x & 0x7f) * 2 ** s; s += 7; } while (x & 0x80); return v; };
  while (at < b.length) {
    const id = b[at++]!;
    const size = leb();
    const end = at + size;
    if (id === 0) {
      const n = leb();
      out.push({ name: new TextDecoder().decode(b.subarray(at, at + n)), bytes: end - at - n });
    }
    at = end;
  }
  return out;
}

/**
 * The ABI version a module declares (its `abi_version` export). Reading it
 * runs the module's code (its start function, then the export), so it runs
 * in a worker thread that is stopped after ABI_TIMEOUT_MS: a hostile or
 * broken module cannot hang inspect.
 */
const ABI_TIMEOUT_MS = 3000;
const ABI_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  try {
    const bytes = new Uint8Array(workerData.bytes);
    let abi = null;
    if (workerData.build === 'waven') {
      const { Enclave } = await import(workerData.enclave);
      abi = new Enclave(bytes, { mmu: 'waven' }).exports.abi_version();
    }
    else {
      const mod = new WebAssembly.Module(bytes);
      if (WebAssembly.Module.imports(mod).length === 0) {
        const x = new WebAssembly.Instance(mod, {}).exports;
        const f = x.abi_version ?? x['awre:enclave/info@2.0.0#abi-version'];
        if (typeof f === 'function') abi = f();
      }
    }
    parentPort.postMessage(typeof abi === 'number' ? abi : null);
  } catch { parentPort.postMessage(null); }
})();`;

function declaredAbi(bytes: Uint8Array, build: InspectResult['build']): Promise<number | null> {
  if (build === 'foreign') return Promise.resolve(null); // no abi_version export: nothing to run
  // The compiled host (the tests run the TypeScript sources; a worker needs JavaScript).
  const here = fileURLToPath(new URL('../enclave/enclave.js', import.meta.url));
  const enclave = pathToFileURL(existsSync(here) ? here : join(fileURLToPath(new URL('../../', import.meta.url)), 'dist', 'host', 'enclave', 'enclave.js')).href;
  return new Promise((resolve) => {
    const w = new Worker(ABI_WORKER, { eval: true, workerData: { bytes, build, enclave } });
    const timer = setTimeout(() => { void w.terminate(); resolve(null); }, ABI_TIMEOUT_MS);
    w.once('message', (v: number | null) => { clearTimeout(timer); void w.terminate(); resolve(v); });
    w.once('error', () => { clearTimeout(timer); resolve(null); });
  });
}

export async function runInspect(path: string, o: { wat?: boolean }): Promise<InspectResult> {
  const bytes = readBytes(path, 'module');
  if (isComponent(bytes)) return inspectComponent(path, bytes);
  const wabt = await wabtInit();
  let text: string;
  try {
    // A copy of its own: small reads are views into Node's shared pool, and wabt ignores the view's offset.
    const m = wabt.readWasm(new Uint8Array(bytes), { readDebugNames: true, check: true });
    m.validate();
    text = m.toText({ foldExprs: false, inlineExport: false });
    m.destroy();
  } catch (e) {
    throw new CliFailure(EXIT.failed, `${path}: not a valid WebAssembly module (${bytes.length} bytes): ${String((e as Error).message).split('\n').map((l) => l.trim()).filter(Boolean).slice(0, 3).join('; ')}`);
  }
  const mod = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  const sections = customSections(bytes);
  const exports = WebAssembly.Module.exports(mod).map((e) => ({ name: e.name, kind: e.kind }));
  const build: InspectResult['build'] = sections.some((s) => s.name === 'awre.waven.segments') ? 'waven'
    : exports.some((e) => e.name === 'abi_version') ? 'plain' : 'foreign';
  const mem = /\(memory \(;0;\)(?: \(import "[^"]*" "[^"]*"\))? (\d+)(?: (\d+))?\)/.exec(text) ?? /\(import "[^"]*" "[^"]*" \(memory \(;0;\) (\d+)(?: (\d+))?\)\)/.exec(text);
  return {
    path, sha256: moduleDigest(bytes), bytes: bytes.length, build, abi: await declaredAbi(bytes, build),
    imports: WebAssembly.Module.imports(mod).map((i) => ({ module: i.module, name: i.name, kind: i.kind })),
    exports,
    memory: mem ? { imported: text.includes('(memory (;0;)') && /\(import "[^"]*" "[^"]*" \(memory/.test(text), initial: Number(mem[1]), maximum: mem[2] === undefined ? null : Number(mem[2]) } : null,
    customSections: sections,
    functions: (text.match(/^\s*\(func /gm) ?? []).length,
    engine: { ...wasmFeatures() },
    ...(o.wat ? { wat: text } : {}),
  };
}

export function renderInspect(r: InspectResult): string {
  if (r.component) {
    const c = r.component;
    const lines = [
      `${r.path}`,
      `  kind      a WebAssembly component (component model), not a core module`,
      `  sha256    ${r.sha256}`,
      `  size      ${r.bytes} bytes`,
      `  ABI       ${r.abi === null ? 'none read (no info.abi-version, or it did not answer within 3 s)' : r.abi}`,
      `  core      ${c.coreModules.map((m) => `${m.bytes} bytes sha256:${m.sha256}`).join('; ') || 'no core module'}`,
      `  sections  ${r.customSections.length === 0 ? 'no custom sections' : r.customSections.map((s) => `${s.name} (${s.bytes} bytes)`).join(', ')}`,
      '',
      'WIT world:',
      c.world ?? '(jco is not installed: the world is not decoded)',
    ];
    if (c.wit !== null) lines.push('', 'WIT (awre.wit section):', c.wit.trimEnd());
    return lines.join('\n');
  }
  const lines = [
    `${r.path}`,
    `  sha256    ${r.sha256}`,
    `  size      ${r.bytes} bytes, ${r.functions} functions`,
    `  build     ${r.build === 'waven' ? 'awre, WAVEN-instrumented (every access through the page tables)' : r.build === 'plain' ? 'awre, plain (flat linear memory)' : 'not an awre enclave module'}`,
    `  ABI       ${r.abi === null ? 'none read (no abi_version export, or it did not answer within 3 s)' : r.abi}`,
    `  memory    ${r.memory ? `${r.memory.imported ? 'imported, ' : ''}${r.memory.initial} page(s) initial, ${r.memory.maximum ?? 'no'} maximum` : 'none'}`,
    `  imports   ${r.imports.length === 0 ? 'none' : r.imports.map((i) => `${i.module}.${i.name} (${i.kind})`).join(', ')}`,
    `  exports   ${r.exports.length}: ${r.exports.map((e) => e.name).join(', ')}`,
    `  sections  ${r.customSections.length === 0 ? 'no custom sections' : r.customSections.map((s) => `${s.name} (${s.bytes} bytes)`).join(', ')}`,
    `  engine    Node ${process.versions.node}: ${Object.entries(r.engine).map(([k, v]) => `${k} ${v ? 'yes' : 'no'}`).join(', ')}`,
  ];
  if (r.wat !== undefined) lines.push('', r.wat);
  return lines.join('\n');
}

export function registerInspect(program: Command, done: (code: number) => void): void {
  program.command('inspect')
    .description('read and validate a wasm module (wabt): SHA-256, size, imports, exports, memory, custom sections, declared ABI, plain or WAVEN build')
    .argument('<module>', 'a .wasm file (e.g. build/enclave.wasm, build/enclave.waven.wasm), or a component (build/enclave.component.wasm)')
    .option('--wat', 'also print the text form')
    .option('--json', 'print the result as JSON')
    .action(async (path: string, o: { wat?: boolean; json?: boolean }) => {
      const r = await runInspect(path, o);
      console.log(o.json ? JSON.stringify(r, null, 2) : renderInspect(r));
      done(EXIT.ok);
    });
}
