// Compile a test-only AssemblyScript entry with the enclave's code options
// (stub runtime, SIMD, no asserts, no abort import, -O3) into a temporary
// file, and return its path. The project's asconfig.json is not used: it
// lists the enclave's own entry.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import asc from 'assemblyscript/asc';

export async function compileTestModule(entry: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'awre-asc-'));
  const out = join(dir, 'module.wasm');
  writeFileSync(join(dir, 'asconfig.json'), '{}');
  const { error, stderr } = await asc.main([
    entry, '--config', join(dir, 'asconfig.json'), '--runtime', 'stub', '--enable', 'simd', '--noAssert', '--use', 'abort=',
    '-O3', '--outFile', out,
  ]);
  if (error) throw new Error(`asc failed: ${error.message}\n${stderr.toString()}`);
  return out;
}

/** Write `source` to a temporary .ts file and compile it. */
export async function compileSource(source: string): Promise<string> {
  const src = join(mkdtempSync(join(tmpdir(), 'awre-src-')), 'entry.ts');
  writeFileSync(src, source);
  return compileTestModule(src);
}
