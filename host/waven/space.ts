// The address spaces of an enclave's instances over one set of frames: map,
// unmap, protect and share, each producing an event with its exception-page
// toggles and both table hashes after the change. Pure: no physical memory is
// touched (host/waven/physical.ts applies the decisions).
import { FrameAllocator } from './frames.js';
import { PageTables, checkPage, type Rights, type Tables, type Toggle } from './tables.js';

export type MmuEventKind = 'map' | 'unmap' | 'protect' | 'share';

/** What the recorder consumes: one per table change. */
export interface MmuEvent {
  kind: MmuEventKind;
  instance: string;
  page: number;
  frame: number;
  rights: Rights;
  /** For 'share': the instance and page whose frame is shared. */
  from?: { instance: string; page: number };
  exc: Toggle[];
  pt: { r: string; w: string };
}

interface Instance<T extends Tables> {
  readonly name: string;
  readonly tables: T;
  /** The frame behind each page this instance holds, whatever its current rights. */
  readonly held: Map<number, number>;
  /** The instance's exception frame (its sink). */
  readonly exception: number;
}

/**
 * `T`: the tables each instance gets (dense PageTables for the runtime,
 * which translates through them; SparseTables for the verifier's replay).
 */
export class AddressSpaces<T extends Tables = PageTables> {
  readonly frames = new FrameAllocator();
  private readonly instances = new Map<string, Instance<T>>();
  private readonly makeTables: () => T;

  constructor(makeTables?: () => T) {
    this.makeTables = makeTables ?? (() => new PageTables() as unknown as T);
  }

  private readonly listeners: ((e: MmuEvent) => void)[] = [];
  private readonly createListeners: ((name: string, exception: number) => void)[] = [];
  /** Frames released to zero references by the last operation: they must be wiped. */
  freed: number[] = [];

  /** Subscribe to the events of every change. */
  onEvent(listener: (e: MmuEvent) => void): void {
    this.listeners.push(listener);
  }

  /** Subscribe to instance creation (the recorder's boot tuple for a tenant). */
  onCreate(listener: (name: string, exception: number) => void): void {
    this.createListeners.push(listener);
  }

  /** A new instance with empty tables and its own exception frame. */
  createInstance(name: string): { exception: number } {
    if (this.instances.has(name)) throw new RangeError(`instance "${name}" exists already`);
    const exception = this.frames.allocate();
    this.instances.set(name, { name, tables: this.makeTables(), held: new Map(), exception });
    for (const l of this.createListeners) l(name, exception);
    return { exception };
  }

  /** Whether an instance of that name exists. */
  has(name: string): boolean {
    return this.instances.has(name);
  }

  tables(name: string): T {
    return this.instance(name).tables;
  }

  exceptionFrame(name: string): number {
    return this.instance(name).exception;
  }

  /** Map a fresh frame at `page` with `rights` ('rw' or 'ro'). */
  map(name: string, page: number, rights: Exclude<Rights, 'none'> = 'rw'): MmuEvent {
    const inst = this.instance(name);
    checkPage(page);
    if (inst.held.has(page)) throw new RangeError(`page ${page} of "${name}" is mapped already`);
    const frame = this.frames.allocate();
    inst.held.set(page, frame);
    return this.emit('map', inst, page, frame, rights, inst.tables.set(page, frame, rights));
  }

  /** Drop `page`; its frame is freed when no table names it any more. */
  unmap(name: string, page: number): MmuEvent {
    const inst = this.instance(name);
    const frame = this.held(inst, page);
    inst.held.delete(page);
    const toggles = inst.tables.set(page, frame, 'none');
    this.freed = this.frames.release(frame) ? [frame] : [];
    return this.emit('unmap', inst, page, frame, 'none', toggles);
  }

  /** Change the rights of a page the instance holds ('none' keeps the frame but maps nothing). */
  protect(name: string, page: number, rights: Rights): MmuEvent {
    const inst = this.instance(name);
    const frame = this.held(inst, page);
    return this.emit('protect', inst, page, frame, rights, inst.tables.set(page, frame, rights));
  }

  /** Map the frame behind `from`'s page `fromPage` at `to`'s page `toPage` with `rights`. */
  share(from: string, fromPage: number, to: string, toPage: number, rights: Exclude<Rights, 'none'>): MmuEvent {
    const src = this.instance(from);
    const dst = this.instance(to);
    const frame = this.held(src, fromPage);
    checkPage(toPage);
    if (dst.held.has(toPage)) throw new RangeError(`page ${toPage} of "${to}" is mapped already`);
    this.frames.retain(frame);
    dst.held.set(toPage, frame);
    const e = this.emit('share', dst, toPage, frame, rights, dst.tables.set(toPage, frame, rights), { instance: from, page: fromPage });
    return e;
  }

  private instance(name: string): Instance<T> {
    const inst = this.instances.get(name);
    if (inst === undefined) throw new RangeError(`no instance "${name}"`);
    return inst;
  }

  private held(inst: Instance<T>, page: number): number {
    checkPage(page);
    const frame = inst.held.get(page);
    if (frame === undefined) throw new RangeError(`page ${page} of "${inst.name}" is not mapped`);
    return frame;
  }

  private emit(kind: MmuEventKind, inst: Instance<T>, page: number, frame: number, rights: Rights, exc: Toggle[], from?: MmuEvent['from']): MmuEvent {
    if (kind !== 'unmap') this.freed = [];
    const e: MmuEvent = { kind, instance: inst.name, page, frame, rights, exc, pt: inst.tables.hashes() };
    if (from !== undefined) e.from = from;
    for (const l of this.listeners) l(e);
    return e;
  }
}
