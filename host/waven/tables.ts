// WAVEN's dual page tables as pure data (DESIGN.md, "WAVEN emulation"; NDSS
// 2025, "WebAssembly Memory Virtualization for Enclaves"). No memory is
// touched here: host/waven/mmu.ts applies what these structures decide.
//
// Each instance has a read table (used by every load) and a write table (used
// by every store), one entry per 64 KiB virtual page, each naming a frame:
// - read-write page: its frame in both tables;
// - read-only page: its frame in the read table, the instance's exception
//   frame in the write table (a stray store lands in the sink);
// - unmapped page: the exception frame in both.
// Sharing is two instances naming the same frame, each with its own rights.
//
// Every change returns the exception-page toggles it made and leaves the
// tables in a state whose canonical encoding hashes identically for identical
// histories (frame ids, never addresses).
import { TableEncoding } from './encoding.js';

/** Bytes per page and per frame's payload. */
export const PAGE_BYTES = 65536;
/** Virtual pages per instance (a 32-bit address space). */
export const VIRTUAL_PAGES = 65536;
/** Frame id standing for "the instance's exception frame" in a table. */
export const EXCEPTION = 0xffffffff;

export type Rights = 'rw' | 'ro' | 'none';
export type TableName = 'r' | 'w';

/** A table entry that switched to (on: true) or away from (on: false) the exception frame. */
export interface Toggle { page: number; table: TableName; on: boolean }

/** What the address spaces need of a tenant's tables (dense for the runtime, sparse for the verifier). */
export interface Tables {
  rights(page: number): Rights;
  frame(page: number): number;
  set(page: number, frame: number, rights: Rights): Toggle[];
  hashes(): { r: string; w: string };
  /** Entries of both tables that are not the exception frame (what a hash costs). */
  readonly entries: number;
}

/** One instance's tables: frame ids per virtual page (EXCEPTION where unmapped). */
export class PageTables implements Tables {
  readonly read = new Uint32Array(VIRTUAL_PAGES).fill(EXCEPTION);
  readonly write = new Uint32Array(VIRTUAL_PAGES).fill(EXCEPTION);
  private readonly enc = { r: new TableEncoding('r'), w: new TableEncoding('w') };

  get entries(): number {
    return this.enc.r.size + this.enc.w.size;
  }

  /** The rights a page has now. */
  rights(page: number): Rights {
    checkPage(page);
    if (this.read[page] === EXCEPTION) return 'none';
    return this.write[page] === EXCEPTION ? 'ro' : 'rw';
  }

  /** The frame a page maps (EXCEPTION if unmapped). */
  frame(page: number): number {
    checkPage(page);
    return this.read[page]!;
  }

  /**
   * Point `page` at `frame` with `rights` ('none' unmaps). Returns the
   * exception-page toggles: entries that moved to or from the sink.
   */
  set(page: number, frame: number, rights: Rights): Toggle[] {
    checkPage(page);
    if (rights !== 'none' && (!Number.isInteger(frame) || frame < 0 || frame >= EXCEPTION)) {
      throw new RangeError(`"frame" expected a frame id, got ${frame}`);
    }
    const r = rights === 'none' ? EXCEPTION : frame;
    const w = rights === 'rw' ? frame : EXCEPTION;
    const toggles: Toggle[] = [];
    if ((this.read[page] === EXCEPTION) !== (r === EXCEPTION)) toggles.push({ page, table: 'r', on: r === EXCEPTION });
    if ((this.write[page] === EXCEPTION) !== (w === EXCEPTION)) toggles.push({ page, table: 'w', on: w === EXCEPTION });
    this.read[page] = r;
    this.write[page] = w;
    this.enc.r.set(page, r === EXCEPTION ? undefined : r);
    this.enc.w.set(page, w === EXCEPTION ? undefined : w);
    return toggles;
  }

  /** Pages that map something, ascending. */
  mapped(): number[] {
    const out: number[] = [];
    for (let p = 0; p < VIRTUAL_PAGES; p++) if (this.read[p] !== EXCEPTION) out.push(p);
    return out;
  }

  /**
   * The canonical encoding of one table: the domain "awre-waven-pt-v1", the
   * table name, then (page, frame) as big-endian u32 pairs for every entry
   * that is not the exception frame, by ascending page. Kept incrementally.
   */
  encode(table: TableName): Uint8Array {
    return this.enc[table].bytes();
  }

  /** The full re-encoding from the dense tables: the reference the incremental one is tested against. */
  encodeByScan(table: TableName): Uint8Array {
    const t = table === 'r' ? this.read : this.write;
    const entries: number[] = [];
    for (let p = 0; p < VIRTUAL_PAGES; p++) if (t[p] !== EXCEPTION) entries.push(p, t[p]!);
    const head = new TextEncoder().encode(`awre-waven-pt-v1\u0000${table}\u0000`);
    const out = new Uint8Array(head.length + 4 * entries.length);
    out.set(head);
    const dv = new DataView(out.buffer);
    entries.forEach((v, i) => dv.setUint32(head.length + 4 * i, v, false));
    return out;
  }

  /** SHA-256 of the canonical encoding of each table, hex. */
  hashes(): { r: string; w: string } {
    return { r: this.enc.r.hash(), w: this.enc.w.hash() };
  }
}

/**
 * The same tables without the dense arrays: a map of the pages that hold a
 * frame. The verifier replays any number of tenants with these, each costing
 * what it maps, not 512 KiB.
 */
export class SparseTables implements Tables {
  private readonly pages = new Map<number, { r: number; w: number }>();
  private readonly enc = { r: new TableEncoding('r'), w: new TableEncoding('w') };

  get entries(): number {
    return this.enc.r.size + this.enc.w.size;
  }

  rights(page: number): Rights {
    checkPage(page);
    const e = this.pages.get(page);
    if (e === undefined || e.r === EXCEPTION) return 'none';
    return e.w === EXCEPTION ? 'ro' : 'rw';
  }

  frame(page: number): number {
    checkPage(page);
    return this.pages.get(page)?.r ?? EXCEPTION;
  }

  set(page: number, frame: number, rights: Rights): Toggle[] {
    checkPage(page);
    if (rights !== 'none' && (!Number.isInteger(frame) || frame < 0 || frame >= EXCEPTION)) {
      throw new RangeError(`"frame" expected a frame id, got ${frame}`);
    }
    const r = rights === 'none' ? EXCEPTION : frame;
    const w = rights === 'rw' ? frame : EXCEPTION;
    const old = this.pages.get(page) ?? { r: EXCEPTION, w: EXCEPTION };
    const toggles: Toggle[] = [];
    if ((old.r === EXCEPTION) !== (r === EXCEPTION)) toggles.push({ page, table: 'r', on: r === EXCEPTION });
    if ((old.w === EXCEPTION) !== (w === EXCEPTION)) toggles.push({ page, table: 'w', on: w === EXCEPTION });
    if (r === EXCEPTION && w === EXCEPTION) this.pages.delete(page);
    else this.pages.set(page, { r, w });
    this.enc.r.set(page, r === EXCEPTION ? undefined : r);
    this.enc.w.set(page, w === EXCEPTION ? undefined : w);
    return toggles;
  }

  hashes(): { r: string; w: string } {
    return { r: this.enc.r.hash(), w: this.enc.w.hash() };
  }
}

export function checkPage(page: number): void {
  if (!Number.isInteger(page) || page < 0 || page >= VIRTUAL_PAGES) {
    throw new RangeError(`"page" expected an integer in [0, ${VIRTUAL_PAGES}), got ${page}`);
  }
}
