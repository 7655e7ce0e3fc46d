// The side-effect half of WAVEN: one physical WebAssembly.Memory per enclave
// holding every instance's page tables and every frame, instances of the
// instrumented module (build/enclave.waven.wasm) bound to their own tables,
// and fault detection. The decisions (which page maps which frame with which
// rights) come from AddressSpaces (space.ts); this file only applies them.
//
// Physical layout:
//   [0, 64)                      fault flags, one byte per instance
//   [TABLES_AT, +MAX*512 KiB)    per instance: read table, then write table
//                                (65,536 u32 entries each: a frame's base)
//   [FRAMES_AT, ...)             frames, FRAME_STRIDE apart
import { fromBase64 } from '../codec.js';
import { AwreError } from '../errors.js';
import { FRAME_STRIDE } from './frames.js';
import { AddressSpaces, type MmuEvent } from './space.js';
import { EXCEPTION, PAGE_BYTES, VIRTUAL_PAGES } from './tables.js';

export const MAX_INSTANCES = 8;
const TABLE_BYTES = VIRTUAL_PAGES * 4;
const TABLES_AT = 64;
const FRAMES_AT = TABLES_AT + MAX_INSTANCES * 2 * TABLE_BYTES;

/** What the instrumented module records about the plain module's memory. */
export interface WavenLayout { pages: number; segments: { offset: number; data: string }[] }

/** A WAVEN fault: a store sent to the exception frame. */
export interface WavenFault { instance: string; offset: number }

export class PhysicalMemory {
  readonly memory: WebAssembly.Memory;
  readonly spaces = new AddressSpaces();
  private readonly slots = new Map<string, number>();
  private readonly faultListeners: ((f: WavenFault) => void)[] = [];

  constructor() {
    this.memory = new WebAssembly.Memory({ initial: Math.ceil(FRAMES_AT / PAGE_BYTES) + 1, maximum: 65536 });
    this.spaces.onEvent((e) => this.apply(e));
  }

  onFault(listener: (f: WavenFault) => void): void {
    this.faultListeners.push(listener);
  }

  /** Physical base of a frame. */
  frameBase(frame: number): number {
    return FRAMES_AT + frame * FRAME_STRIDE;
  }

  /** Register an instance: its tables start all-exception (pointing at its exception frame). */
  addInstance(name: string): { rt: number; wt: number; exc: number; flag: number } {
    const slot = this.slots.size;
    if (slot >= MAX_INSTANCES) throw new AwreError('ENCLAVE_ARG', `at most ${MAX_INSTANCES} instances per enclave`);
    const { exception } = this.spaces.createInstance(name);
    this.slots.set(name, slot);
    this.ensureFrame(exception); // before any view: growing detaches them
    const exc = this.frameBase(exception);
    const t = this.tableView(name);
    t.read.fill(exc);
    t.write.fill(exc);
    return { rt: TABLES_AT + slot * 2 * TABLE_BYTES, wt: TABLES_AT + (slot * 2 + 1) * TABLE_BYTES, exc, flag: slot };
  }

  /** Copy `data` to virtual address `va` of an instance, page by page through its write table. */
  write(name: string, va: number, data: Uint8Array): void {
    this.each(name, va, data.length, 'write', (pa, off, n) => this.bytes().set(data.subarray(off, off + n), pa));
  }

  /** Copy `n` bytes from virtual address `va` through the read table. */
  read(name: string, va: number, n: number): Uint8Array {
    return this.readInto(name, va, new Uint8Array(n));
  }

  /** Copy `out.length` bytes from virtual address `va` into `out`; returns `out`. */
  readInto(name: string, va: number, out: Uint8Array): Uint8Array {
    this.each(name, va, out.length, 'read', (pa, off, k) => out.set(this.bytes().subarray(pa, pa + k), off));
    return out;
  }

  /** Zero `n` bytes at virtual address `va` (through the write table). */
  fill0(name: string, va: number, n: number): void {
    this.each(name, va, n, 'write', (pa, _off, k) => this.bytes().fill(0, pa, pa + k));
  }

  /**
   * After a call: if the instance's fault flag is set, find the first dirty
   * byte of its exception frame, wipe the frame and the flag, and report.
   */
  checkFault(name: string): WavenFault | undefined {
    const slot = this.slot(name);
    const u8 = this.bytes();
    if (u8[slot] === 0) return undefined;
    const base = this.frameBase(this.spaces.exceptionFrame(name));
    let offset = 0;
    while (offset < FRAME_STRIDE && u8[base + offset] === 0) offset++;
    u8.fill(0, base, base + FRAME_STRIDE);
    u8[slot] = 0;
    const fault = { instance: name, offset: offset < FRAME_STRIDE ? offset : 0 };
    for (const l of this.faultListeners) l(fault);
    return fault;
  }

  /** Wipe an instance's exception frame and fault flag without reporting (after a trapped call). */
  scrubException(name: string): void {
    const u8 = this.bytes();
    const base = this.frameBase(this.spaces.exceptionFrame(name));
    u8.fill(0, base, base + FRAME_STRIDE);
    u8[this.slot(name)] = 0;
  }

  // Views of the current buffer, made again only when growing replaced it
  // (a view per call cost more than the copy itself for frame-sized I/O).
  private viewBuffer?: ArrayBuffer;
  private u8?: Uint8Array;
  private tableViews = new Map<number, { read: Uint32Array; write: Uint32Array }>();

  private fresh(): ArrayBuffer {
    const buf = this.memory.buffer;
    if (buf !== this.viewBuffer) {
      this.viewBuffer = buf;
      this.u8 = new Uint8Array(buf);
      this.tableViews.clear();
    }
    return buf;
  }

  private bytes(): Uint8Array {
    this.fresh();
    return this.u8!;
  }

  private slot(name: string): number {
    const s = this.slots.get(name);
    if (s === undefined) throw new AwreError('ENCLAVE_ARG', `no WAVEN instance "${name}"`);
    return s;
  }

  private tableView(name: string): { read: Uint32Array; write: Uint32Array } {
    const slot = this.slot(name);
    const buf = this.fresh();
    let t = this.tableViews.get(slot);
    if (t === undefined) {
      t = {
        read: new Uint32Array(buf, TABLES_AT + slot * 2 * TABLE_BYTES, VIRTUAL_PAGES),
        write: new Uint32Array(buf, TABLES_AT + (slot * 2 + 1) * TABLE_BYTES, VIRTUAL_PAGES),
      };
      this.tableViews.set(slot, t);
    }
    return t;
  }

  /** Grow the physical memory so that `frame` fits. */
  private ensureFrame(frame: number): void {
    const need = this.frameBase(frame) + FRAME_STRIDE;
    const have = this.memory.buffer.byteLength;
    if (need > have) this.memory.grow(Math.ceil((need - have) / PAGE_BYTES));
  }

  /** Apply a table change to the physical tables; wipe frames that became free. */
  private apply(e: MmuEvent): void {
    const tables = this.spaces.tables(e.instance);
    const exc = this.frameBase(this.spaces.exceptionFrame(e.instance));
    const r = tables.read[e.page]!;
    const w = tables.write[e.page]!;
    // Grow first: growing detaches every view of the old buffer.
    if (r !== EXCEPTION) this.ensureFrame(r);
    const t = this.tableView(e.instance);
    t.read[e.page] = r === EXCEPTION ? exc : this.frameBase(r);
    t.write[e.page] = w === EXCEPTION ? exc : this.frameBase(w);
    for (const f of this.spaces.freed) this.bytes().fill(0, this.frameBase(f), this.frameBase(f) + FRAME_STRIDE);
  }

  /** Walk [va, va + n) page by page, giving each piece's physical address. */
  private each(name: string, va: number, n: number, via: 'read' | 'write', f: (pa: number, off: number, n: number) => void): void {
    const t = this.tableView(name)[via];
    let off = 0;
    while (off < n) {
      const a = va + off;
      const k = Math.min(n - off, PAGE_BYTES - (a & 0xffff));
      f(t[a >>> 16]! + (a & 0xffff), off, k);
      off += k;
    }
  }
}

/** An instance of the instrumented enclave on a PhysicalMemory, its pages mapped read-write. */
export function instantiateWaven(
  phys: PhysicalMemory, module: WebAssembly.Module, name: string, layout: WavenLayout,
): WebAssembly.Instance {
  const g = phys.addInstance(name);
  for (let p = 0; p < layout.pages; p++) phys.spaces.map(name, p, 'rw');
  for (const s of layout.segments) phys.write(name, s.offset, fromBase64(s.data));
  let pages = layout.pages;
  const global = (v: number) => new WebAssembly.Global({ value: 'i32', mutable: false }, v);
  return new WebAssembly.Instance(module, {
    waven: {
      memory: phys.memory,
      rt: global(g.rt), wt: global(g.wt), exc: global(g.exc), flag: global(g.flag),
      size: () => pages,
      grow: (delta: number) => {
        if (delta < 0 || pages + delta > VIRTUAL_PAGES) return -1;
        const old = pages;
        for (let i = 0; i < delta; i++) phys.spaces.map(name, old + i, 'rw');
        pages += delta;
        return old;
      },
    },
  });
}

/** The layout recorded in an instrumented module's custom section. */
export function wavenLayout(module: WebAssembly.Module): WavenLayout {
  const sec = WebAssembly.Module.customSections(module, 'awre.waven.segments')[0];
  if (sec === undefined) throw new AwreError('MODULE_INVALID', 'not a WAVEN-instrumented module (no awre.waven.segments section)');
  return JSON.parse(new TextDecoder().decode(sec)) as WavenLayout;
}
