// Which WebAssembly features this engine has, found by validating the
// smallest module that uses each (no instance is made). The enclave needs
// fixed-width SIMD only (Node 16.4+, every current browser); the others are
// newer (enabled by default from Node 22, V8 12.x; Node 20 has none of them)
// and may only be used by a module that has a tested fallback for engines
// without them (docs/platforms.md).
//
// AWRE_WASM_FEATURES=-name,-name (Node only) masks features this engine
// has, so the fallback path can be run and tested on a new engine.
import { platform } from '#platform';

export interface WasmFeatures {
  /** Fixed-width SIMD (v128): required by the enclave. */
  simd: boolean;
  /** Relaxed SIMD (i8x16.relaxed_swizzle and kin). */
  relaxedSimd: boolean;
  /** More than one memory per module. */
  multiMemory: boolean;
  /** 64-bit memory indexes. */
  memory64: boolean;
}

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const V128_CONST = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
/** type () -> v128; one function of that type. */
const V128_FUNC = [0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03, 0x02, 0x01, 0x00];

/** One code section holding one body (no locals) of `ops` then `end`. */
function code(ops: number[]): number[] {
  const body = [0x00, ...ops, 0x0b];
  const entries = [0x01, body.length, ...body];
  return [0x0a, entries.length, ...entries];
}

const PROBES: Record<keyof WasmFeatures, number[]> = {
  // (func (result v128) (v128.const i64x2 0 0))
  simd: [...HEADER, ...V128_FUNC, ...code(V128_CONST)],
  // (func (result v128) (i8x16.relaxed_swizzle (v128.const 0) (v128.const 0))): opcode 0xfd 0x100
  relaxedSimd: [...HEADER, ...V128_FUNC, ...code([...V128_CONST, ...V128_CONST, 0xfd, 0x80, 0x02])],
  // (memory 0) (memory 0)
  multiMemory: [...HEADER, 0x05, 0x05, 0x02, 0x00, 0x00, 0x00, 0x00],
  // (memory i64 0): limits flag 0x04
  memory64: [...HEADER, 0x05, 0x03, 0x01, 0x04, 0x00],
};

const NAMES = Object.keys(PROBES) as (keyof WasmFeatures)[];

/** Feature names masked by AWRE_WASM_FEATURES (e.g. "-multiMemory,-relaxedSimd"); unknown names are an error. */
function masked(): Set<string> {
  const env = platform.env('AWRE_WASM_FEATURES');
  const out = new Set<string>();
  if (!env) return out;
  for (const part of env.split(',').map((s) => s.trim()).filter(Boolean)) {
    const name = part.replace(/^-/, '');
    if (!part.startsWith('-') || !(NAMES as string[]).includes(name)) {
      throw new TypeError(`AWRE_WASM_FEATURES: expected -name items of ${NAMES.join(', ')}, got "${part}"`);
    }
    out.add(name);
  }
  return out;
}

let cached: WasmFeatures | undefined;

/** This engine's features (computed once), less any masked by AWRE_WASM_FEATURES. */
export function wasmFeatures(): WasmFeatures {
  if (cached) return cached;
  const off = masked();
  const f = {} as WasmFeatures;
  for (const n of NAMES) f[n] = !off.has(n) && WebAssembly.validate(Uint8Array.from(PROBES[n]));
  cached = Object.freeze(f);
  return cached;
}

/** The probes' bytes, for tests (each must be valid where its feature is). */
export function featureProbe(name: keyof WasmFeatures): Uint8Array {
  return Uint8Array.from(PROBES[name]);
}
