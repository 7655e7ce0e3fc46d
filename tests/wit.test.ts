// abi/awre.wit must describe the module that is built: every production
// export of build/enclave.wasm is named on a `core:` line, every `core:` name
// is an export, and every interface is exported by the world.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const wit = readFileSync(new URL('../abi/awre.wit', import.meta.url), 'utf8');
const wasm = readFileSync(new URL('../build/enclave.wasm', import.meta.url));
// Test-only exports a component wrapper must not expose (docs/abi.md).
const TEST_ONLY = new Set(['drbg_generate_test']);
// Flat-only exports: the PQCNet buffer pool of the flat ABI. The component's
// cabi_realloc places every list, so the WIT has no function for them
// (docs/abi.md, "The WIT world").
const FLAT_ONLY = new Set(['pqc_alloc', 'pqc_free']);

function coreNames(): Set<string> {
  const names = new Set<string>();
  for (const m of wit.matchAll(/\/\/\/ core: ([a-z0-9_, ]+)/g)) {
    for (const n of m[1].split(',')) names.add(n.trim());
  }
  return names;
}

describe('abi/awre.wit', () => {
  const exports = WebAssembly.Module.exports(new WebAssembly.Module(wasm))
    .filter((e) => e.kind === 'function').map((e) => e.name);

  it('names every production export of the module', () => {
    const named = coreNames();
    const missing = exports.filter((n) => !TEST_ONLY.has(n) && !FLAT_ONLY.has(n) && !named.has(n));
    expect(missing).toEqual([]);
  });

  it('names no export the module lacks and no test-only export', () => {
    const have = new Set(exports);
    const extra = [...coreNames()].filter((n) => !have.has(n) || TEST_ONLY.has(n) || FLAT_ONLY.has(n));
    expect(extra).toEqual([]);
  });

  it('exports every interface it declares, and braces balance', () => {
    const declared = [...wit.matchAll(/^interface ([a-z0-9-]+) \{/gm)].map((m) => m[1]).filter((n) => n !== 'types');
    const world = wit.slice(wit.indexOf('world enclave'));
    const exported = [...world.matchAll(/export ([a-z0-9-]+);/g)].map((m) => m[1]);
    expect(exported.sort()).toEqual(declared.sort());
    const code = wit.replace(/\/\/.*$/gm, '');
    expect(code.split('{').length).toBe(code.split('}').length);
  });

  it('declares each function once per interface with a kebab-case name', () => {
    for (const block of wit.split(/^interface /m).slice(1)) {
      const fns = [...block.matchAll(/^\s+([a-z0-9-]+): func\(/gm)].map((m) => m[1]);
      expect(new Set(fns).size).toBe(fns.length);
      for (const f of fns) expect(f).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
    }
  });
});
