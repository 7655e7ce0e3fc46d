// The enclave build is reproducible and the module is self-contained:
// rebuilding each module (plain, test, WAVEN) with the pinned toolchain gives
// the bytes committed in module-digests.json, the build prints and checks
// those digests, and the module imports nothing.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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
  // The committed digests, not the bytes this machine built: a rebuild that only
  // compares with itself would pass on a toolchain or platform that changes them.
  const pinned = JSON.parse(readFileSync(join(ROOT, 'module-digests.json'), 'utf8')) as {
    toolchain: Record<string, string>; modules: Record<string, { bytes: number; sha256: string }>;
  };
  const REBUILD: [string, string[]][] = [
    ['build/enclave.wasm', ['scripts/build-wasm.mjs']],
    ['build/enclave.test.wasm', ['scripts/build-wasm.mjs', '--test']],
    ['build/enclave.waven.wasm', ['scripts/waven-instrument.mjs', BUILT]],
  ];

  it('module-digests.json pins exactly the modules the build writes (the component too), and the installed toolchain', () => {
    // The component is pinned like the core modules (the build's digest check compares it on every npm ci), not rebuilt here.
    expect(Object.keys(pinned.modules).sort()).toEqual([...REBUILD.map(([m]) => m), 'build/enclave.component.wasm'].sort());
    for (const pkg of ['assemblyscript', 'binaryen']) {
      const installed = JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version;
      expect(pinned.toolchain[pkg], pkg).toBe(installed);
    }
  });

  for (const [module, script] of REBUILD) {
    it(`${module}: a rebuild gives the pinned bytes, the built file is those bytes, and the build prints its sha256`, () => {
      const out = join(dir, module.split('/').at(-1)!);
      const stdout = execFileSync(process.execPath, [...script, out], { cwd: ROOT, encoding: 'utf8' });
      const rebuilt = readFileSync(out);
      const want = pinned.modules[module]!;
      expect({ bytes: rebuilt.length, sha256: sha256(rebuilt) }, `${module} rebuilt on Node ${process.version} ${process.arch}`).toEqual(want);
      expect(sha256(readFileSync(join(ROOT, module))), `${module} as built by npm ci`).toBe(want.sha256);
      const line = stdout.trim().split('\n').find((l) => l.includes('sha256:'));
      expect(line, `build stdout: ${stdout}`).toBeDefined();
      expect(line).toContain(`sha256:${want.sha256}`);
      expect(line).toContain(`${want.bytes} bytes`);
    });
  }

  it('the build\'s digest check passes on the built modules and fails, naming the module, on a changed one', () => {
    const ok = spawnSync(process.execPath, ['scripts/pin-digests.mjs'], { cwd: ROOT, encoding: 'utf8' });
    expect(ok.status, ok.stderr).toBe(0);
    const all = Object.keys(pinned.modules);
    for (const m of all) expect(ok.stdout).toContain(`pinned   ${m}  ${pinned.modules[m]!.bytes} bytes  sha256:${pinned.modules[m]!.sha256}`);
    // A copy of the project whose plain module differs by one byte.
    const copy = join(dir, 'copy');
    for (const sub of ['build', 'scripts']) mkdirSync(join(copy, sub), { recursive: true });
    for (const m of all) copyFileSync(join(ROOT, m), join(copy, m));
    copyFileSync(join(ROOT, 'scripts', 'pin-digests.mjs'), join(copy, 'scripts', 'pin-digests.mjs'));
    copyFileSync(join(ROOT, 'module-digests.json'), join(copy, 'module-digests.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
    const bytes = readFileSync(join(copy, 'build/enclave.wasm'));
    bytes[bytes.length - 1] ^= 1;
    writeFileSync(join(copy, 'build/enclave.wasm'), bytes);
    const bad = spawnSync(process.execPath, ['scripts/pin-digests.mjs'], { cwd: copy, encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain('DIFFERS  build/enclave.wasm');
    expect(bad.stderr).toContain(`build/enclave.wasm: built ${bytes.length} bytes sha256:${sha256(bytes)}, pinned ${pinned.modules['build/enclave.wasm']!.bytes} bytes`);
    expect(bad.stderr).toContain('npm run pin');
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
