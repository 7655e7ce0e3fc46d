// `awre inspect <module.wasm> [--wat] [--json]`: read and validate a module
// with wabt and report its SHA-256, size, imports, exports, memory, custom
// sections, the ABI version it declares, and whether it is awre's plain or
// WAVEN-instrumented build. A malformed or truncated module is a clear error
// (exit 1), not a stack trace.
import type { Command } from 'commander';
import wabtInit from 'wabt';
import { Enclave } from '../enclave/enclave.js';
import { moduleDigest } from '../enclave/module.js';
import { CliFailure, EXIT, readBytes } from './io.js';

export interface InspectResult {
  path: string;
  sha256: string;
  bytes: number;
  build: 'plain' | 'waven' | 'foreign';
  abi: number | null;
  imports: { module: string; name: string; kind: string }[];
  exports: { name: string; kind: string }[];
  memory: { imported: boolean; initial: number; maximum: number | null } | null;
  customSections: { name: string; bytes: number }[];
  functions: number;
  wat?: string;
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

function declaredAbi(bytes: Uint8Array, build: InspectResult['build'], mod: WebAssembly.Module): number | null {
  try {
    if (build === 'waven') return new Enclave(bytes, { mmu: 'waven' }).exports.abi_version();
    if (WebAssembly.Module.imports(mod).length > 0) return null;
    const f = new WebAssembly.Instance(mod, {}).exports['abi_version'];
    return typeof f === 'function' ? (f as () => number)() : null;
  } catch {
    return null; // not awre's ABI (or not instantiable here): nothing declared
  }
}

export async function runInspect(path: string, o: { wat?: boolean }): Promise<InspectResult> {
  const bytes = readBytes(path, 'module');
  const wabt = await wabtInit();
  let text: string;
  try {
    const m = wabt.readWasm(bytes, { readDebugNames: true, check: true });
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
    path, sha256: moduleDigest(bytes), bytes: bytes.length, build, abi: declaredAbi(bytes, build, mod),
    imports: WebAssembly.Module.imports(mod).map((i) => ({ module: i.module, name: i.name, kind: i.kind })),
    exports,
    memory: mem ? { imported: text.includes('(memory (;0;)') && /\(import "[^"]*" "[^"]*" \(memory/.test(text), initial: Number(mem[1]), maximum: mem[2] === undefined ? null : Number(mem[2]) } : null,
    customSections: sections,
    functions: (text.match(/^\s*\(func /gm) ?? []).length,
    ...(o.wat ? { wat: text } : {}),
  };
}

export function renderInspect(r: InspectResult): string {
  const lines = [
    `${r.path}`,
    `  sha256    ${r.sha256}`,
    `  size      ${r.bytes} bytes, ${r.functions} functions`,
    `  build     ${r.build === 'waven' ? 'awre, WAVEN-instrumented (every access through the page tables)' : r.build === 'plain' ? 'awre, plain (flat linear memory)' : 'not an awre enclave module'}`,
    `  ABI       ${r.abi === null ? 'none declared' : r.abi}`,
    `  memory    ${r.memory ? `${r.memory.imported ? 'imported, ' : ''}${r.memory.initial} page(s) initial, ${r.memory.maximum ?? 'no'} maximum` : 'none'}`,
    `  imports   ${r.imports.length === 0 ? 'none' : r.imports.map((i) => `${i.module}.${i.name} (${i.kind})`).join(', ')}`,
    `  exports   ${r.exports.length}: ${r.exports.map((e) => e.name).join(', ')}`,
    `  sections  ${r.customSections.length === 0 ? 'no custom sections' : r.customSections.map((s) => `${s.name} (${s.bytes} bytes)`).join(', ')}`,
  ];
  if (r.wat !== undefined) lines.push('', r.wat);
  return lines.join('\n');
}

export function registerInspect(program: Command, done: (code: number) => void): void {
  program.command('inspect')
    .description('read and validate a wasm module (wabt): SHA-256, size, imports, exports, memory, custom sections, declared ABI, plain or WAVEN build')
    .argument('<module>', 'a .wasm file (e.g. build/enclave.wasm, build/enclave.waven.wasm)')
    .option('--wat', 'also print the text form')
    .option('--json', 'print the result as JSON')
    .action(async (path: string, o: { wat?: boolean; json?: boolean }) => {
      const r = await runInspect(path, o);
      console.log(o.json ? JSON.stringify(r, null, 2) : renderInspect(r));
      done(EXIT.ok);
    });
}
