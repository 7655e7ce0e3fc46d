// The enclave build is reproducible and the module is self-contained:
// rebuilding from assembly/ with the pinned asc gives build/enclave.wasm byte
// for byte, the build prints its SHA-256, and the module imports nothing.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { abi, defaultEnclave, Enclave, moduleDigest, modulePath, readModule } from '../host/index.js';
import { REQUIRED_EXPORTS } from '../host/enclave/enclave.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUILT = join(ROOT, 'build', 'enclave.wasm');
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const EXPORTED_FUNCTIONS = REQUIRED_EXPORTS.filter((n) => n !== 'memory');

describe('reproducible build', () => {
  const dir = mkdtempSync(join(tmpdir(), 'awre-build-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('scripts/build-wasm.mjs rebuilds build/enclave.wasm byte for byte and prints its sha256', () => {
    const out = join(dir, 'enclave.wasm');
    const stdout = execFileSync(process.execPath, ['scripts/build-wasm.mjs', out], { cwd: ROOT, encoding: 'utf8' });
    const rebuilt = readFileSync(out);
    const committed = readFileSync(BUILT);
    expect(rebuilt.length).toBe(committed.length);
    expect(sha256(rebuilt)).toBe(sha256(committed));
    expect(Buffer.compare(rebuilt, committed)).toBe(0);
    const line = stdout.trim().split('\n').find((l) => l.includes('sha256:'));
    expect(line, `build stdout: ${stdout}`).toBeDefined();
    expect(line).toContain(`sha256:${sha256(rebuilt)}`);
    expect(line).toContain(`${rebuilt.length} bytes`);
  });
});

describe('module shape', () => {
  const bytes = readFileSync(BUILT);
  const mod = new WebAssembly.Module(bytes);

  it('imports nothing', () => {
    expect(WebAssembly.Module.imports(mod)).toEqual([]);
  });

  it('exports memory and exactly the ABI functions', () => {
    const exps = WebAssembly.Module.exports(mod);
    expect(exps).toContainEqual({ name: 'memory', kind: 'memory' });
    const fns = exps.filter((x) => x.kind === 'function').map((x) => x.name).sort();
    expect(fns).toEqual([...EXPORTED_FUNCTIONS].sort());
    // Nothing else (no table, no globals): the ABI is functions and memory.
    expect(exps.filter((x) => x.kind !== 'function' && x.kind !== 'memory')).toEqual([]);
  });

  it('instantiates with no imports; the host sees the same module and digest', () => {
    expect(() => new WebAssembly.Instance(mod, {})).not.toThrow();
    expect(modulePath()).toBe(BUILT);
    expect(Buffer.compare(Buffer.from(readModule()), bytes)).toBe(0);
    expect(moduleDigest(bytes)).toBe(sha256(bytes));
    expect(defaultEnclave().digest).toBe(sha256(bytes));
    const e = new Enclave(bytes);
    expect(e.exports.abi_version()).toBe(abi.ABI_VERSION);
    expect(e.ioBytes).toBe(abi.IO_BYTES);
    expect(e.hctxBytes).toBe(abi.KECCAK_CTX_BYTES);
  });

  it('a module that is not wasm is refused with AwreError MODULE_INVALID', () => {
    let err: unknown;
    try {
      new Enclave(new Uint8Array([0, 1, 2, 3]));
    } catch (e) {
      err = e;
    }
    expect((err as { code?: string }).code).toBe('MODULE_INVALID');
  });
});
