// Tenant isolation by construction (issue 17, docs/waven.md "Confined
// accesses"): a small adversarial module (not the enclave), instrumented by
// scripts/waven-instrument.mjs as the enclave is (confined accesses; and
// --no-confine, every access translated), computes out-of-page and
// out-of-frame addresses through every load and store form, memory.copy and
// memory.fill, while a second tenant on the same physical memory holds a
// secret. No byte of the secret is ever read, and no byte of the second
// tenant's frames (padding included) changes. The checking build
// (--check-straddle) traps on the addresses the fast path would have confined.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileSource } from './helpers/asc.js';
import { Prng } from './helpers/prng.js';
import { FRAME_STRIDE } from '../host/waven/frames.js';
import { PhysicalMemory, instantiateWaven, wavenLayout } from '../host/waven/physical.js';

const SECRET = 0xa5;
const MINE = 0x11;
// Address forms: b + (i << k) + a small static offset (confined to b's page), a
// bare pointer, and an index plus a large static offset (translated on its own).
const LOADS: [string, string][] = [
  ['i32.load8_u', 'store<u8>(out, load<u8>(b + i, 3));'],
  ['i32.load16_s', 'store<i16>(out, load<i16>(b + (i << 1), 6));'],
  ['i32.load', 'store<u32>(out, load<u32>(b + (i << 2), 200));'],
  ['i64.load', 'store<u64>(out, load<u64>(b + (i << 3)));'],
  ['f32.load', 'store<u32>(out, reinterpret<u32>(load<f32>(b + (i << 2), 8)));'],
  ['f64.load', 'store<u64>(out, reinterpret<u64>(load<f64>(b + (i << 3))));'],
  ['v128.load', 'v128.store(out, v128.load(b + (i << 4), 16));'],
  ['v128.load8_splat', 'v128.store(out, v128.load8_splat(b + i));'],
  ['v128.load16_splat', 'v128.store(out, v128.load16_splat(b + (i << 1)));'],
  ['v128.load32_splat', 'v128.store(out, v128.load32_splat(b + (i << 2)));'],
  ['v128.load64_splat', 'v128.store(out, v128.load64_splat(b + (i << 3)));'],
  ['v128.load8x8_s', 'v128.store(out, v128.load8x8_s(b + (i << 3)));'],
  ['v128.load16x4_u', 'v128.store(out, v128.load16x4_u(b + (i << 3)));'],
  ['v128.load32x2_s', 'v128.store(out, v128.load32x2_s(b + (i << 3)));'],
  ['v128.load32_zero', 'v128.store(out, v128.load32_zero(b + (i << 2)));'],
  ['v128.load64_zero', 'v128.store(out, v128.load64_zero(b + (i << 3)));'],
  ['v128.load8_lane', 'v128.store(out, v128.load8_lane(b + i, i8x16.splat(0), 5));'],
  ['v128.load16_lane', 'v128.store(out, v128.load16_lane(b + (i << 1), i8x16.splat(0), 2));'],
  ['v128.load32_lane', 'v128.store(out, v128.load32_lane(b + (i << 2), i8x16.splat(0), 1));'],
  ['v128.load64_lane', 'v128.store(out, v128.load64_lane(b + (i << 3), i8x16.splat(0), 1));'],
  ['bare pointer', 'v128.store(out, v128.load(b + i));'],
  ['index + large offset', 'store<u64>(out, load<u64>(i << 3, 0x30000));'],
  ['memory.copy (source)', 'memory.copy(out, b + (i << 4), 16);'],
  ['direct: a bare local + an offset into the padding', 'store<u64>(out, load<u64>(b, 4000));'],
  ['direct: v128 at the padding limit', 'v128.store(out, v128.load(b, 4080));'],
];
const STORES: [string, string][] = [
  ['i32.store8', 'store<u8>(b + i, 0x5a, 3);'],
  ['i32.store16', 'store<u16>(b + (i << 1), 0x5a5a, 6);'],
  ['i32.store', 'store<u32>(b + (i << 2), 0x5a5a5a5a, 200);'],
  ['i64.store', 'store<u64>(b + (i << 3), 0x5a5a5a5a5a5a5a5a);'],
  ['f32.store', 'store<f32>(b + (i << 2), reinterpret<f32>(0x5a5a5a5a), 8);'],
  ['f64.store', 'store<f64>(b + (i << 3), reinterpret<f64>(0x5a5a5a5a5a5a5a5a));'],
  ['v128.store', 'v128.store(b + (i << 4), i8x16.splat(0x5a), 16);'],
  ['v128.store8_lane', 'v128.store8_lane(b + i, i8x16.splat(0x5a), 3);'],
  ['v128.store16_lane', 'v128.store16_lane(b + (i << 1), i8x16.splat(0x5a), 3);'],
  ['v128.store32_lane', 'v128.store32_lane(b + (i << 2), i8x16.splat(0x5a), 3);'],
  ['v128.store64_lane', 'v128.store64_lane(b + (i << 3), i8x16.splat(0x5a), 1);'],
  ['bare pointer', 'v128.store(b + i, i8x16.splat(0x5a));'],
  ['index + large offset', 'store<u64>(i << 3, 0x5a5a5a5a5a5a5a5a, 0x30000);'],
  ['memory.copy (dest)', 'memory.copy(b + (i << 4), 0, 4096);'],
  ['memory.fill', 'memory.fill(b + (i << 4), 0x5a, 70000);'],
  ['direct: a bare local + an offset into the padding', 'store<u64>(b, 0x5a5a5a5a5a5a5a5a, 4000);'],
  ['direct: v128 at the padding limit', 'v128.store(b, i8x16.splat(0x5a), 4080);'],
  ['past the padding: not direct', 'v128.store(b, i8x16.splat(0x5a), 4090);'],
];

const SOURCE = [
  ...LOADS.map(([, body], k) => `export function r${k}(b: usize, i: usize, out: usize): void { ${body} }`),
  ...STORES.map(([, body], k) => `export function w${k}(b: usize, i: usize): void { ${body} }`),
].join('\n');

type Fn = (...a: number[]) => void;
let compiled: string;
const dir = mkdtempSync(join(tmpdir(), 'awre-isolation-'));
beforeAll(async () => { compiled = await compileSource(SOURCE); });

function instrument(...flags: string[]): { mod: WebAssembly.Module; log: string } {
  const out = join(dir, `adv${flags.join('')}.wasm`);
  const log = execFileSync(process.execPath, ['scripts/waven-instrument.mjs', compiled, out, ...flags], { encoding: 'utf8' });
  return { mod: new WebAssembly.Module(readFileSync(out)), log };
}

/** Physical bytes of every frame an instance's tables name (each with its FRAME_PADDING bytes of padding). */
function frames(phys: PhysicalMemory, name: string): Uint8Array[] {
  const t = phys.spaces.tables(name);
  const all = new Uint8Array(phys.memory.buffer);
  const out: Uint8Array[] = [];
  for (let p = 0; p < 65536; p++) {
    if (t.rights(p) === 'none') continue;
    const base = phys.frameBase(t.frame(p));
    out.push(all.slice(base, base + FRAME_STRIDE));
  }
  return out;
}
const digest = (parts: Uint8Array[]) => { const h = createHash('sha256'); for (const p of parts) h.update(p); return h.digest('hex'); };

// Addresses a kernel gone wrong, or an attacker, would compute: page ends, the next page, the
// other tenant's page numbers, wrap-arounds, and random 32-bit values.
function attacks(pages: number): [number, number][] {
  const r = new Prng('waven/isolation');
  const bases = [0, 0x10000 - 1, 0x10000, 0x10000 + 0xfff0, 2 * 0x10000 + 0xffff, pages * 0x10000, (pages + 1) * 0x10000 - 8, 0xffff0000, 0xfffffff0];
  const is = [0, 1, 0xfff, 0x1000, 0x3fff, 0x4000, 0x10000, 0x12345, 0x7fffffff, 0xffffffff, 0xfffffff0];
  const out: [number, number][] = [];
  for (const b of bases) for (const i of is) out.push([b >>> 0, i >>> 0]);
  const u32 = () => new DataView(r.bytes(4).buffer).getUint32(0);
  for (let k = 0; k < 200; k++) out.push([u32(), u32()]);
  return out;
}

for (const [mode, flags] of [['confined accesses (the shipped pass)', []], ['every access translated (--no-confine)', ['--no-confine']]] as const) {
  describe(`an adversarial tenant beside a tenant holding a secret (${mode})`, () => {
    it('reads no byte of the secret and changes no byte of its frames, through every load and store form, memory.copy and memory.fill', () => {
      const { mod, log } = instrument(...flags);
      if (flags.length === 0) {
        expect(Number(/\((\d+) of \d+ accesses confined/.exec(log)![1]), 'the pass confined the b + i forms').toBeGreaterThanOrEqual(30);
        expect(Number(/, (\d+) of them direct\)/.exec(log)![1]), 'the bare-local forms are direct').toBeGreaterThanOrEqual(4);
      }
      const phys = new PhysicalMemory();
      const layout = wavenLayout(mod);
      const a = instantiateWaven(phys, mod, 'a', layout).exports as Record<string, Fn>;
      // The victim: another instance on the same physical memory, its pages full of the secret,
      // and the pages after the attacker's (so its frames are the attacker's physical neighbours).
      instantiateWaven(phys, mod, 'v', layout);
      const pages = layout.pages + 3;
      for (let p = layout.pages; p < pages; p++) phys.spaces.map('a', p, 'rw');
      for (let p = 0; p < pages + 2; p++) if (phys.spaces.tables('v').rights(p) === 'none') phys.spaces.map('v', p, 'rw');
      for (let p = 0; p < pages + 2; p++) phys.write('v', p * 0x10000, new Uint8Array(0x10000).fill(SECRET));
      for (let p = 1; p < pages; p++) phys.write('a', p * 0x10000, new Uint8Array(0x10000).fill(MINE));
      const out = 0x10000 + 64; // the attacker's own output slot
      // Nothing the attacker can legitimately see holds the secret byte.
      for (const f of frames(phys, 'a')) expect(f.includes(SECRET)).toBe(false);
      const victim = digest(frames(phys, 'v'));
      const victimTables = JSON.stringify(phys.spaces.tables('v').hashes());

      let reads = 0;
      for (const [b, i] of attacks(pages)) {
        for (let k = 0; k < LOADS.length; k++) {
          phys.write('a', out, new Uint8Array(16));
          a[`r${k}`]!(b, i, out);
          phys.checkFault('a');
          const got = phys.read('a', out, 16);
          expect(got.includes(SECRET), `${LOADS[k]![0]} at b=${b.toString(16)} i=${i.toString(16)} read the secret`).toBe(false);
          reads++;
        }
        for (let k = 0; k < STORES.length; k++) {
          a[`w${k}`]!(b, i);
          phys.checkFault('a');
        }
      }
      expect(reads).toBeGreaterThan(5000);
      expect(digest(frames(phys, 'v')), 'the victim\'s frames, padding included').toBe(victim);
      expect(JSON.stringify(phys.spaces.tables('v').hashes())).toBe(victimTables);
      // And the attacker's stores did land where its own tables say (the test can see a store).
      expect(frames(phys, 'a').some((f) => f.includes(0x5a))).toBe(true);
    });
  });
}

describe('the checking build traps where the fast path would confine', () => {
  it('an access out of its base\'s page, or crossing the page end, is a trap (--check-straddle)', () => {
    const { mod } = instrument('--check-straddle');
    const phys = new PhysicalMemory();
    const layout = wavenLayout(mod);
    const a = instantiateWaven(phys, mod, 'a', layout).exports as Record<string, Fn>;
    for (let p = layout.pages; p < layout.pages + 3; p++) phys.spaces.map('a', p, 'rw');
    const k32 = LOADS.findIndex(([n]) => n === 'i32.load');
    const b = 0x10000;
    expect(() => a[`r${k32}`]!(b, 0, b + 64)).not.toThrow();
    expect(() => a[`r${k32}`]!(b, 0x4000, b + 64)).toThrow(WebAssembly.RuntimeError); // the next page
    // b + 1 + 4 * 0x3fcd + 200 = 0x1fffd: in b's page, and its 4 bytes cross the page end.
    expect(() => a[`r${k32}`]!(b + 1, 0x3fcd, b + 64)).toThrow(WebAssembly.RuntimeError);
    const w128 = STORES.findIndex(([n]) => n === 'v128.store');
    expect(() => a[`w${w128}`]!(b, 1)).not.toThrow();
    expect(() => a[`w${w128}`]!(b, 0x1000)).toThrow(WebAssembly.RuntimeError);
    // A direct access (a bare local + its offset) is checked the same way: in the page, or a trap.
    const rd = LOADS.findIndex(([n]) => n.startsWith('direct: a bare local'));
    const wd = STORES.findIndex(([n]) => n.startsWith('direct: v128'));
    expect(() => a[`r${rd}`]!(b + 0xf000, 0, b + 64)).not.toThrow(); // 0x1f000 + 4000 + 8 <= 0x20000
    expect(() => a[`r${rd}`]!(b + 0xf800, 0, b + 64)).toThrow(WebAssembly.RuntimeError); // into the next page
    expect(() => a[`w${wd}`]!(b + 0xf000, 0)).not.toThrow();
    expect(() => a[`w${wd}`]!(b + 0xf100, 0)).toThrow(WebAssembly.RuntimeError);
  });
});
