// WAVEN: the instrumented module (build/enclave.waven.wasm) on the host's
// physical memory (host/waven/physical.ts): same results as the plain module,
// page protection, faults, unmapped reads, sharing, memory.grow.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSource } from './helpers/asc.js';
import { sha3_256 as nobleSha3 } from '@noble/hashes/sha3.js';
import { AwreError, Enclave, readModule } from '../host/index.js';
import { guardedExport } from '../host/enclave/enclave.js';
import { PhysicalMemory, instantiateWaven, wavenLayout } from '../host/waven/physical.js';

const plain = readModule('enclave.wasm');
const waven = readModule('enclave.waven.wasm');
const hex = (u: Uint8Array) => Buffer.from(u).toString('hex');

describe('the instrumented module', () => {
  const mod = new WebAssembly.Module(waven);
  it('imports only the WAVEN interface and exports no memory', () => {
    const imports = WebAssembly.Module.imports(mod).map((i) => `${i.module}.${i.name}:${i.kind}`).sort();
    // size/grow are dropped by the optimizer when the module never uses memory.size/grow (the enclave does not).
    const allowed = ['waven.exc:global', 'waven.flag:global', 'waven.grow:function', 'waven.memory:memory', 'waven.rt:global', 'waven.size:function', 'waven.wt:global'];
    for (const i of imports) expect(allowed).toContain(i);
    for (const need of ['waven.memory:memory', 'waven.rt:global', 'waven.wt:global', 'waven.exc:global', 'waven.flag:global']) expect(imports).toContain(need);
    expect(WebAssembly.Module.exports(mod).some((e) => e.kind === 'memory')).toBe(false);
    const plainFns = WebAssembly.Module.exports(new WebAssembly.Module(plain)).filter((e) => e.kind === 'function').map((e) => e.name).sort();
    expect(WebAssembly.Module.exports(mod).map((e) => e.name).sort()).toEqual(plainFns);
  });
  it('is rebuilt byte for byte from build/enclave.wasm', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'awre-waven-')), 'enclave.waven.wasm');
    execFileSync(process.execPath, ['scripts/waven-instrument.mjs', 'build/enclave.wasm', out]);
    expect(Buffer.compare(readFileSync(out), Buffer.from(waven))).toBe(0);
  });
});

describe('mmu: waven against mmu: off, raw exports', () => {
  const off = new Enclave(plain);
  const wv = new Enclave(waven, { mmu: 'waven' });
  /** Run the same export on both with the same window contents; compare the window afterwards. */
  function same(name: string, input: Uint8Array, call: (e: Enclave) => number, outOff: number, outLen: number): void {
    const r: string[] = [];
    for (const e of [off, wv]) {
      e.put(0, input);
      const st = call(e);
      r.push(`${st}:${hex(e.get(outOff, outLen))}`);
      e.wipe(0, e.ioBytes);
    }
    expect(r[1], name).toBe(r[0]);
  }
  it('ML-KEM-768 and ML-DSA-65 key generation and SHA-3 leave identical windows (the ACVP and differential suites run under both modes: vitest project "waven")', () => {
    const seed = new Uint8Array(64).map((_, i) => i * 5);
    same('mlkem keygen', seed, (e) => e.exports.mlkem_keygen(768, e.io, e.io + 64, e.io + 2000), 64, 1184 + 2400 + 752);
    same('mldsa keygen', seed, (e) => e.exports.mldsa_keygen(65, e.io, e.io + 64, e.io + 4096), 64, 8192);
    same('sha3', seed, (e) => e.exports.sha3_oneshot(136, 6, e.io, 64, e.io + 100, 32), 100, 32);
  });
});

describe('protection and faults', () => {
  it('a store into a read-only page is a WAVEN fault, the protected frame is unchanged, and the module keeps working', () => {
    const wv = new Enclave(waven, { mmu: 'waven' });
    const page = wv.io >>> 16;
    const before = wv.get(0, 256);
    wv.physical!.spaces.protect(wv.instance!, page, 'ro');
    let err: unknown;
    try {
      wv.exports.sha3_oneshot(136, 6, wv.io, 10, wv.io + 100, 32);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AwreError);
    expect((err as AwreError).code).toBe('WAVEN_FAULT');
    expect(wv.get(0, 256)).toEqual(before);
    wv.physical!.spaces.protect(wv.instance!, page, 'rw');
    wv.put(0, new Uint8Array([1, 2, 3]));
    expect(wv.exports.sha3_oneshot(136, 6, wv.io, 3, wv.io + 100, 32)).toBe(0);
    expect(hex(wv.get(100, 32))).toBe(hex(nobleSha3(new Uint8Array([1, 2, 3]))));
  });

  /** SHA3-256 of `len` bytes at va, computed in the enclave into its hash context (HCTX, on its own page). */
  function hashInto(e: Enclave, va: number, len: number): Uint8Array {
    e.zero(e.hctx, e.hctxBytes);
    expect(e.exports.keccak_absorb(136, va, len)).toBe(0);
    expect(e.exports.keccak_finish(136, 6)).toBe(0);
    return e.read(e.hctx, 32); // after the final permutation, the state's first 32 bytes are the digest
  }

  it('reads of an unmapped page see the exception page (zeros), from the enclave and from the host', () => {
    const wv = new Enclave(waven, { mmu: 'waven' });
    const page = wv.io >>> 16; // the window is exactly one page
    expect(wv.io & 0xffff).toBe(0);
    wv.put(0, new Uint8Array(64).fill(0x5a));
    expect(hex(hashInto(wv, wv.io, 64))).toBe(hex(nobleSha3(new Uint8Array(64).fill(0x5a))));
    wv.physical!.spaces.protect(wv.instance!, page, 'none');
    expect(hex(hashInto(wv, wv.io, 64))).toBe(hex(nobleSha3(new Uint8Array(64))));
    expect(wv.get(0, 64)).toEqual(new Uint8Array(64));
    wv.physical!.spaces.protect(wv.instance!, page, 'rw');
    expect(wv.get(0, 64)).toEqual(new Uint8Array(64).fill(0x5a)); // the frame kept its contents
  });

  it('two instances on one physical memory: private pages stay private; a shared frame is seen read-only', () => {
    const phys = new PhysicalMemory();
    const a = new Enclave(waven, { mmu: 'waven', physical: phys, instance: 'initiator' });
    const b = new Enclave(waven, { mmu: 'waven', physical: phys, instance: 'responder' });
    a.put(0, new Uint8Array(32).fill(0xab));
    expect(b.get(0, 32)).toEqual(new Uint8Array(32)); // same virtual address, another frame
    // The responder's window page is replaced by the initiator's frame, read-only.
    const page = b.io >>> 16;
    phys.spaces.unmap('responder', page);
    phys.spaces.share('initiator', a.io >>> 16, 'responder', page, 'ro');
    expect(b.get(0, 32)).toEqual(new Uint8Array(32).fill(0xab));
    expect(hex(hashInto(b, b.io, 32))).toBe(hex(nobleSha3(new Uint8Array(32).fill(0xab))));
    // Writing into the shared page is a fault, and the initiator's frame is untouched.
    expect(() => b.exports.sha3_oneshot(136, 6, b.io, 32, b.io + 64, 32)).toThrow(AwreError);
    expect(a.get(64, 32)).toEqual(new Uint8Array(32));
    // The initiator still writes it, and the responder sees the change.
    a.put(0, new Uint8Array(32).fill(0xcd));
    expect(b.get(0, 32)).toEqual(new Uint8Array(32).fill(0xcd));
  });

  it('identical histories give identical page-table hashes; every change is an event', () => {
    const hashes = () => {
      const e = new Enclave(waven, { mmu: 'waven' });
      const events: string[] = [];
      e.physical!.spaces.onEvent((ev) => events.push(`${ev.kind}:${ev.page}:${ev.exc.length}`));
      e.physical!.spaces.protect(e.instance!, 1, 'ro');
      return { pt: e.physical!.spaces.tables(e.instance!).hashes(), events };
    };
    const x = hashes();
    expect(hashes()).toEqual(x);
    expect(x.events).toEqual(['protect:1:1']);
  });
});

describe('every store form respects the write table', () => {
  // Direct stores of each width and SIMD form (not only memory.copy/fill, which
  // the enclave's kernels use for their outputs): into a read-only page the
  // store raises the fault and the frame keeps its bytes; into a writable page
  // it lands.
  const FORMS: [string, string][] = [
    ['i32.store8', 'store<u8>(p, 0xee);'],
    ['i32.store16', 'store<u16>(p, 0xeeee);'],
    ['i32.store', 'store<u32>(p, 0xeeeeeeee);'],
    ['i64.store', 'store<u64>(p, 0xeeeeeeeeeeeeeeee);'],
    ['f32.store', 'store<f32>(p, -1.5);'],
    ['f64.store', 'store<f64>(p, -1.5);'],
    ['v128.store', 'v128.store(p, i8x16.splat(0x77));'],
    ['v128.store8_lane', 'v128.store8_lane(p, i8x16.splat(0x77), 3);'],
    ['v128.store64_lane', 'v128.store64_lane(p, i8x16.splat(0x77), 1);'],
    // Two locals the pass cannot tell apart (q is 0 here): translated on its own, not confined.
    ['i32.store, translated on its own', 'store<u32>(p + q, 0xeeeeeeee);'],
    // A local both read and written at constant offsets: direct accesses, each through its own
    // table's shadow (the store must not borrow the read one).
    ['i32.store after a load through the same local (direct)', 'store<u32>(p, load<u32>(p, 32) + 0xeeeeeeee, 8);'],
    ['v128.store after a v128.load through the same local (direct)', 'v128.store(p, i8x16.add(v128.load(p, 48), i8x16.splat(0x77)));'],
  ];

  it('a store of every form into a read-only page faults and leaves the frame unchanged; into a writable page it lands', async () => {
    const out = await compileSource(FORMS.map(([, body], i) => `export function s${i}(p: usize, q: usize): void { ${body} }`).join('\n'));
    const dir = mkdtempSync(join(tmpdir(), 'awre-stores-'));
    const instrumented = join(dir, 'stores.waven.wasm');
    execFileSync(process.execPath, ['scripts/waven-instrument.mjs', out, instrumented]);
    const mod = new WebAssembly.Module(readFileSync(instrumented));
    const phys = new PhysicalMemory();
    const ex = instantiateWaven(phys, mod, 's', wavenLayout(mod)).exports as Record<string, (p: number, q: number) => void>;
    const page = 3; // a page of its own, above the module's data
    if (phys.spaces.tables('s').rights(page) === 'none') phys.spaces.map('s', page, 'rw');
    const at = phys.frameBase(phys.spaces.tables('s').frame(page)) + 4096; // physical, read by the host directly
    const va = page * 65536 + 4096;
    const frameBytes = () => new Uint8Array(phys.memory.buffer).slice(at, at + 16);
    for (const [i, [form]] of FORMS.entries()) {
      phys.spaces.protect('s', page, 'ro');
      const before = frameBytes();
      ex[`s${i}`]!(va, 0);
      expect(phys.checkFault('s'), `${form} into a read-only page`).toBeDefined();
      expect(frameBytes(), `${form}: the read-only frame is unchanged`).toEqual(before);
      phys.spaces.protect('s', page, 'rw');
      ex[`s${i}`]!(va, 0);
      expect(phys.checkFault('s'), `${form} into a writable page`).toBeUndefined();
      expect(frameBytes(), `${form}: the store lands in a writable page`).not.toEqual(before);
      new Uint8Array(phys.memory.buffer).fill(0, at, at + 16);
    }
  });
});

describe('the fault of a confined store is raised on every way out of its function', () => {
  it('a store into a read-only page, then an early return (with and without a value): the fault is reported and the frame unchanged', async () => {
    const wabt = await (await import('wabt')).default();
    const wat = `(module (memory 2)
      (func (export "f") (param $p i32) (param $q i32)
        (i32.store (local.get $p) (i32.const 0xeeeeeeee))
        (if (i32.eqz (local.get $q)) (then (return)))
        (i32.store8 (i32.add (local.get $p) (i32.const 8)) (i32.const 1)))
      (func (export "g") (param $p i32) (param $q i32) (result i32)
        (i32.store (local.get $p) (i32.const 0xeeeeeeee))
        (if (i32.eqz (local.get $q)) (then (return (i32.const 7))))
        (i32.const 9)))`;
    const dir = mkdtempSync(join(tmpdir(), 'awre-return-'));
    const plainPath = join(dir, 'r.wasm');
    const instrumented = join(dir, 'r.waven.wasm');
    writeFileSync(plainPath, new Uint8Array(wabt.parseWat('r.wat', wat).toBinary({}).buffer));
    const log = execFileSync(process.execPath, ['scripts/waven-instrument.mjs', plainPath, instrumented], { encoding: 'utf8' });
    expect(log).toMatch(/\((\d+) of \1 accesses confined/); // both stores confined: the epilogue path is the one tested
    const mod = new WebAssembly.Module(readFileSync(instrumented));
    const phys = new PhysicalMemory();
    const ex = instantiateWaven(phys, mod, 'r', wavenLayout(mod)).exports as Record<string, (p: number, q: number) => number>;
    const page = 1;
    const at = phys.frameBase(phys.spaces.tables('r').frame(page));
    const frame = () => new Uint8Array(phys.memory.buffer).slice(at, at + 16);
    phys.spaces.protect('r', page, 'ro');
    const before = frame();
    for (const q of [0, 1]) {
      expect(ex.f!(page * 65536, q)).toBeUndefined();
      expect(phys.checkFault('r'), `f, q = ${q}`).toBeDefined();
      expect(ex.g!(page * 65536, q)).toBe(q === 0 ? 7 : 9);
      expect(phys.checkFault('r'), `g, q = ${q}`).toBeDefined();
    }
    expect(frame()).toEqual(before);
    phys.spaces.protect('r', page, 'rw');
    expect(ex.g!(page * 65536, 0)).toBe(7);
    expect(phys.checkFault('r')).toBeUndefined();
    expect(frame()).not.toEqual(before);
  });
});

describe('a call that traps leaves no stale bytes in the exception frame', () => {
  it('a confined store into an unmapped page, then a trap: the exception frame is wiped, and unmapped pages read zeros again', async () => {
    const wabt = await (await import('wabt')).default();
    const wat = `(module (memory 1)
      (func (export "st") (param $p i32) (i32.store (local.get $p) (i32.const 0x77777777)) (unreachable))
      (func (export "ld") (param $p i32) (result i32) (i32.load (local.get $p))))`;
    const dir = mkdtempSync(join(tmpdir(), 'awre-trap-'));
    writeFileSync(join(dir, 't.wasm'), new Uint8Array(wabt.parseWat('t.wat', wat).toBinary({}).buffer));
    execFileSync(process.execPath, ['scripts/waven-instrument.mjs', join(dir, 't.wasm'), join(dir, 't.waven.wasm')]);
    const mod = new WebAssembly.Module(readFileSync(join(dir, 't.waven.wasm')));
    const phys = new PhysicalMemory();
    const raw = instantiateWaven(phys, mod, 't', wavenLayout(mod)).exports as Record<string, (p: number) => number>;
    const st = guardedExport(phys, 't', raw.st!), ld = guardedExport(phys, 't', raw.ld!);
    const unmapped = 5 * 65536 + 40;
    expect(() => st(unmapped)).toThrow(WebAssembly.RuntimeError);
    expect(ld(7 * 65536 + 40), 'another unmapped page reads zeros, not the trapped store').toBe(0);
    // Without the wipe (the raw export), the stale bytes show: the test can fail.
    expect(() => raw.st!(unmapped)).toThrow(WebAssembly.RuntimeError);
    expect(raw.ld!(7 * 65536 + 40) >>> 0).toBe(0x77777777);
  });
});

describe('memory.grow inside an instrumented module maps new frames', () => {
  it('grows, writes and reads the new pages through the tables', async () => {
    const out = await compileSource([
      'export function grow(n: i32): i32 { return memory.grow(n); }',
      'export function size(): i32 { return memory.size(); }',
      'export function poke(p: usize, v: u32): void { store<u32>(p, v); }',
      'export function peek(p: usize): u32 { return load<u32>(p); }',
      'export function copy(d: usize, s: usize, n: usize): void { memory.copy(d, s, n); }',
    ].join('\n'));
    const dir = mkdtempSync(join(tmpdir(), 'awre-grow-'));
    const instrumented = join(dir, 'grow.waven.wasm');
    execFileSync(process.execPath, ['scripts/waven-instrument.mjs', out, instrumented]);
    const mod = new WebAssembly.Module(readFileSync(instrumented));
    const phys = new PhysicalMemory();
    const ex = instantiateWaven(phys, mod, 'g', wavenLayout(mod)).exports as Record<string, (...a: number[]) => number>;
    const before = ex.size!();
    expect(ex.grow!(2)).toBe(before);
    expect(ex.size!()).toBe(before + 2);
    const va = (before + 1) * 65536 + 12;
    ex.poke!(va, 0xdeadbeef);
    expect(ex.peek!(va) >>> 0).toBe(0xdeadbeef);
    expect(phys.spaces.tables('g').rights(before + 1)).toBe('rw');
    // A copy across a page boundary is translated page by page.
    ex.poke!(before * 65536 + 65532, 0x44332211);
    ex.poke!((before + 1) * 65536, 0x88776655);
    ex.copy!(va + 100, before * 65536 + 65534, 4);
    expect(ex.peek!(va + 100) >>> 0).toBe(0x66554433);
  });
});

describe('the pass refuses what it cannot translate', () => {
  it('an atomic access fails the build with a message naming it', async () => {
    const { spawnSync } = await import('node:child_process');
    // compileTestModule does not enable threads; build this one by hand.
    const asc = (await import('assemblyscript/asc')).default;
    const { writeFileSync } = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'awre-refuse-'));
    writeFileSync(join(dir, 'asconfig.json'), '{}');
    writeFileSync(join(dir, 'a.ts'), 'export function f(p: usize): i32 { return atomic.load<i32>(p); }\n');
    const { error } = await asc.main([join(dir, 'a.ts'), '--config', join(dir, 'asconfig.json'), '--runtime', 'stub', '--enable', 'threads', '--use', 'abort=', '-O3', '--outFile', join(dir, 'a.wasm')]);
    expect(error).toBeFalsy();
    const r = spawnSync(process.execPath, ['scripts/waven-instrument.mjs', join(dir, 'a.wasm'), join(dir, 'a.waven.wasm')], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/refused: atomic load in/);
    expect(existsSync(join(dir, 'a.waven.wasm')), 'a refused module leaves no output').toBe(false);
  });

  // Review findings (an attacker's module): a tail call would leave without the fault epilogue; a
  // global named like the pass's table bases would become that import with its own mutability; a
  // data segment past the initial memory would be written into the exception frame.
  it('tail calls, the pass\'s own __waven_ names and data past the initial memory are refused', async () => {
    const { spawnSync } = await import('node:child_process');
    const wabt = await (await import('wabt')).default();
    const cases: [string, string, RegExp][] = [
      ['tail', '(module (memory 1) (func $g) (func (export "f") (param $p i32) (i32.store (local.get $p) (i32.const 1)) (return_call $g)))', /return_call in/],
      ['name', '(module (memory 1) (global $__waven_rt (mut i32) (i32.const 0)) (func (export "f") (param $p i32) (i32.store (local.get $p) (global.get $__waven_rt))))', /a name the pass uses: __waven_rt/],
      ['data', '(module (memory 1) (data (i32.const 65530) "0123456789"))', /a data segment past the initial memory/],
    ];
    const dir = mkdtempSync(join(tmpdir(), 'awre-refuse2-'));
    for (const [name, wat, why] of cases) {
      const bin = wabt.parseWat(`${name}.wat`, wat, { tail_call: true }).toBinary({ write_debug_names: true }).buffer;
      writeFileSync(join(dir, `${name}.wasm`), new Uint8Array(bin));
      const r = spawnSync(process.execPath, ['scripts/waven-instrument.mjs', join(dir, `${name}.wasm`), join(dir, `${name}.waven.wasm`)], { encoding: 'utf8' });
      expect(r.status, name).toBe(1);
      expect(r.stderr, name).toMatch(why);
    }
  });

  it('a memory exported under any name is not exported; memory.grow refreshes the growing function\'s shadows', async () => {
    const wabt = await (await import('wabt')).default();
    const wat = `(module (memory (export "mem2") 1)
      (func (export "g") (result i32) (local $p i32)
        (local.set $p (i32.add (i32.shl (memory.size) (i32.const 16)) (i32.const 8)))
        (drop (memory.grow (i32.const 1)))
        (i32.store (local.get $p) (i32.const 0x1234))
        (i32.load (local.get $p))))`;
    const dir = mkdtempSync(join(tmpdir(), 'awre-grow2-'));
    writeFileSync(join(dir, 'g.wasm'), new Uint8Array(wabt.parseWat('g.wat', wat).toBinary({}).buffer));
    execFileSync(process.execPath, ['scripts/waven-instrument.mjs', join(dir, 'g.wasm'), join(dir, 'g.waven.wasm')]);
    const mod = new WebAssembly.Module(readFileSync(join(dir, 'g.waven.wasm')));
    expect(WebAssembly.Module.exports(mod).filter((e) => e.kind === 'memory')).toEqual([]);
    const phys = new PhysicalMemory();
    const ex = instantiateWaven(phys, mod, 'g', wavenLayout(mod)).exports as Record<string, () => number>;
    expect(ex.g!()).toBe(0x1234);
    expect(phys.checkFault('g')).toBeUndefined();
  });
});

describe('a local holding a static address plus indices is confined to that address\'s page', () => {
  // Page 1 holds a 256-byte array at 0x10100; a table of 2704-byte records starts at 0x1f000, so
  // record 5 (0x1f000 + 5 * 2704 = 0x22450) lies in page 2. sum() walks the array through a local
  // q = A + (i << 4) set in the loop (the static-page rule: the loop loads no table entry); rec()
  // reads record s through r = T + s * 2704, whose stride (over 1 KiB) keeps the local's own shadows.
  const wat = `(module (memory 4)
    (func (export "sum") (param $n i32) (result i32) (local $i i32) (local $q i32) (local $acc i32)
      (loop $l
        (local.set $q (i32.add (i32.shl (local.get $i) (i32.const 4)) (i32.const 0x10100)))
        (local.set $acc (i32.add (local.get $acc) (i32.load (local.get $q))))
        (i32.store offset=4 (local.get $q) (local.get $acc))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
      (local.get $acc))
    (func (export "rec") (param $s i32) (result i32) (local $r i32)
      (local.set $r (i32.add (i32.mul (local.get $s) (i32.const 2704)) (i32.const 0x1f000)))
      (i32.load offset=8 (local.get $r))))`;

  async function build(check: boolean): Promise<{ ex: Record<string, (x: number) => number>; phys: PhysicalMemory; text: string }> {
    const wabt = await (await import('wabt')).default();
    const dir = mkdtempSync(join(tmpdir(), 'awre-static-'));
    writeFileSync(join(dir, 's.wasm'), new Uint8Array(wabt.parseWat('s.wat', wat).toBinary({}).buffer));
    execFileSync(process.execPath, ['scripts/waven-instrument.mjs', join(dir, 's.wasm'), join(dir, 'o.wasm'), ...(check ? ['--check-straddle'] : [])]);
    const bytes = readFileSync(join(dir, 'o.wasm'));
    const mod = new WebAssembly.Module(bytes);
    const phys = new PhysicalMemory();
    const ex = instantiateWaven(phys, mod, 's', wavenLayout(mod)).exports as Record<string, (x: number) => number>;
    const { default: binaryen } = await import('binaryen');
    const m = binaryen.readBinary(bytes);
    m.setFeatures(binaryen.Features.All);
    const text = m.emitText();
    m.dispose();
    return { ex, phys, text };
  }
  const put = (phys: PhysicalMemory, va: number, v: number) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, v, true); phys.write('s', va, b); };

  it('the array\'s loop translates no page; the record table crosses pages correctly; the values read and stored are right', async () => {
    const { ex, phys, text } = await build(false);
    // The loop of sum (the module's only loop) reads no table global: the page was translated before it.
    const fnSum = text.slice(text.indexOf('(loop'), text.indexOf('(func', text.indexOf('(loop')));
    expect(fnSum.length).toBeGreaterThan(0);
    // A table load is an i32.load from a table global plus the page's index.
    const tableLoad = /\(i32\.load\s*\(i32\.add\s*\(global\.get/;
    expect(tableLoad.test(text), 'the function loads table entries').toBe(true);
    expect(tableLoad.test(fnSum), 'a table load inside the loop').toBe(false);
    for (let i = 0; i < 16; i++) put(phys, 0x10100 + 16 * i, i + 1);
    expect(ex.sum!(16)).toBe(136);
    const got = new DataView(phys.read('s', 0x10100 + 16 * 15 + 4, 4).buffer).getUint32(0, true);
    expect(got, 'the store through the local landed').toBe(136);
    for (const s of [0, 1, 5, 7]) {
      put(phys, 0x1f000 + s * 2704 + 8, 0xabc0 + s);
      expect(ex.rec!(s), `record ${s} (page ${Math.floor((0x1f000 + s * 2704) / 65536)})`).toBe(0xabc0 + s);
    }
  });

  it('the checking build traps when the local leaves its static address\'s page', async () => {
    const { ex } = await build(true);
    expect(ex.sum!(16)).toBeTypeOf('number');
    expect(() => ex.sum!(0x1000)).toThrow(WebAssembly.RuntimeError); // i << 4 reaches page 2
  });
});

describe('direct accesses keep one base per local, and the checking build checks the local itself', () => {
  // From the review of the direct accesses (docs/waven.md, "Direct accesses"): an index-class local
  // (q = p >>> 0) used bare (base: q) and at offset 256 (base: page 0, the static-array rule) had one
  // pair of direct shadows from the first base and the fault bit of the other: a store into a
  // read-only page went to the exception frame without a fault, and a load read page 0's frame.
  // And a q just below its base's page, whose q + constant is inside it, passed the checking build
  // while the shipped build read the padding.
  const WAT = `(module (memory 2)
    (func (export "mixed") (param $p i32) (param $v i32) (param $never i32) (result i32)
      (local $q i32) (local $x i32)
      (local.set $q (i32.shr_u (local.get $p) (i32.const 0)))
      (local.set $x (i32.load (local.get $q)))
      (i32.store offset=256 (local.get $q) (local.get $v))
      (if (local.get $never) (then (i32.store (local.get $q) (i32.const 0))))
      (local.get $x))
    (func (export "mixed2") (param $p i32) (param $never i32) (result i32)
      (local $q i32)
      (local.set $q (i32.shr_u (local.get $p) (i32.const 0)))
      (if (local.get $never) (then (drop (i32.load offset=256 (local.get $q)))))
      (i32.load (local.get $q)))
    (func (export "prevpage") (param $a i32) (param $i i32) (result i32)
      (local $q i32)
      (local.set $q (i32.add (local.get $a) (i32.sub (i32.shr_u (local.get $i) (i32.const 0)) (i32.const 4))))
      (i32.load offset=4 (local.get $q)))
    (func (export "prevstatic") (param $i i32) (result i32)
      (local $q i32)
      (local.set $q (i32.add (i32.const 0x10000) (i32.sub (i32.shr_u (local.get $i) (i32.const 0)) (i32.const 4))))
      (i32.load offset=4 (local.get $q))))`;

  async function build(...flags: string[]) {
    const wabt = await (await import('wabt')).default();
    const dir = mkdtempSync(join(tmpdir(), 'awre-direct-'));
    writeFileSync(join(dir, 'd.wasm'), new Uint8Array(wabt.parseWat('d.wat', WAT).toBinary({}).buffer));
    const out = join(dir, `d${flags.join('')}.waven.wasm`);
    execFileSync(process.execPath, ['scripts/waven-instrument.mjs', join(dir, 'd.wasm'), out, ...flags]);
    const mod = new WebAssembly.Module(readFileSync(out));
    const phys = new PhysicalMemory();
    const ex = instantiateWaven(phys, mod, 'd', wavenLayout(mod)).exports as Record<string, (...a: number[]) => number>;
    return { phys, ex };
  }

  it('two bases on one local: no store reaches the exception frame unreported, and a load reads its own page', async () => {
    const { phys, ex } = await build();
    const exc = phys.frameBase(phys.spaces.exceptionFrame('d'));
    const page1 = phys.frameBase(phys.spaces.tables('d').frame(1));
    const bytes = (at: number, n: number) => new Uint8Array(phys.memory.buffer).slice(at, at + n);
    phys.spaces.protect('d', 1, 'ro');
    const before = bytes(page1, 65536);
    ex.mixed!(0x10000, 0x41414141, 0);
    const fault = phys.checkFault('d');
    if (fault === undefined) expect(bytes(exc, 65536 + 4096).every((x) => x === 0), 'the exception frame holds nothing unreported').toBe(true);
    expect(bytes(page1, 65536)).toEqual(before);
    phys.spaces.protect('d', 1, 'rw');
    phys.write('d', 0x10010, new Uint8Array([0x78, 0x56, 0x34, 0x12]));
    phys.write('d', 0x00010, new Uint8Array([0x99, 0, 0, 0]));
    expect(ex.mixed2!(0x10010, 0) >>> 0).toBe(0x12345678);
  });

  it('a direct access whose local lies below its base\'s page traps in the checking build', async () => {
    const { ex } = await build('--check-straddle');
    expect(() => ex.prevpage!(0x10000, 0)).toThrow(WebAssembly.RuntimeError);
    expect(() => ex.prevstatic!(0)).toThrow(WebAssembly.RuntimeError);
    expect(() => ex.prevpage!(0x10000, 4)).not.toThrow(); // q = a: in the page
  });
});
