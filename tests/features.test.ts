// host/features.ts: the engine's WebAssembly features, found by validating
// one tiny module per feature. Each probe must be a module the feature's
// engines accept (checked with wabt, which knows every feature) and one that
// an engine without the feature refuses; the answers must match what this
// Node line is documented to enable (docs/platforms.md); and masking a
// feature (the fallback path) must be seen by a fresh process.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';
import { describe, expect, it } from 'vitest';
import { featureProbe, wasmFeatures, type WasmFeatures } from '../host/features.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const NAMES: (keyof WasmFeatures)[] = ['simd', 'relaxedSimd', 'multiMemory', 'memory64'];
const WABT_FEATURE: Record<keyof WasmFeatures, string> = { simd: 'simd', relaxedSimd: 'relaxed_simd', multiMemory: 'multi_memory', memory64: 'memory64' };
const major = Number(process.versions.node.split('.')[0]);

describe('wasm features', () => {
  it('each probe is valid with its feature and invalid without it (wabt; multi-memory by V8)', async () => {
    const wabt = await wabtInit();
    // wabt.js 1.0.39 refuses a second memory whatever its multi_memory flag says; that probe is checked
    // by V8 instead (Node 22+ accepts it, Node 20 refuses it: the next test, run on every Node line by scripts/platforms.sh).
    for (const n of NAMES.filter((x) => x !== 'multiMemory')) {
      const all = Object.fromEntries(Object.values(WABT_FEATURE).map((f) => [f, true]));
      const m = wabt.readWasm(featureProbe(n), { ...all, check: true });
      expect(() => m.validate(), n).not.toThrow();
      m.destroy();
      expect(() => { const x = wabt.readWasm(featureProbe(n), { ...all, [WABT_FEATURE[n]]: false, check: true }); x.validate(); }, n).toThrow();
    }
  });

  it('SIMD is always there; Node 20 has none of the newer features, Node 22+ has relaxed SIMD and multi-memory', () => {
    const f = wasmFeatures();
    expect(f.simd).toBe(true);
    if (major === 20) expect({ relaxedSimd: f.relaxedSimd, multiMemory: f.multiMemory, memory64: f.memory64 }).toEqual({ relaxedSimd: false, multiMemory: false, memory64: false });
    else expect({ relaxedSimd: f.relaxedSimd, multiMemory: f.multiMemory }).toEqual({ relaxedSimd: true, multiMemory: true });
    expect(Object.isFrozen(f)).toBe(true);
  });

  it('AWRE_WASM_FEATURES masks features (the fallback path on a new engine), and a bad value is refused by name', () => {
    const run = (env: string) => spawnSync(process.execPath, ['-e', `import(${JSON.stringify(join(ROOT, 'dist', 'host', 'features.js'))}).then((m) => console.log(JSON.stringify(m.wasmFeatures())))`], { encoding: 'utf8', env: { ...process.env, AWRE_WASM_FEATURES: env } });
    const r = run('-relaxedSimd,-multiMemory,-memory64');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ simd: true, relaxedSimd: false, multiMemory: false, memory64: false });
    const bad = run('-multimemory');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('AWRE_WASM_FEATURES: expected -name items of simd, relaxedSimd, multiMemory, memory64, got "-multimemory"');
  });
});
