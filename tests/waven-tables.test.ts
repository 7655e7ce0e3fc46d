// WAVEN's page tables, frames and address spaces as pure data (host/waven/).
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { EXCEPTION, PageTables, VIRTUAL_PAGES } from '../host/waven/tables.js';
import { FRAME_PADDING, FRAME_STRIDE, FrameAllocator } from '../host/waven/frames.js';
import { readFileSync } from 'node:fs';
import { AddressSpaces, type MmuEvent } from '../host/waven/space.js';

describe('PageTables', () => {
  it('starts with every page unmapped (the exception frame in both tables)', () => {
    const t = new PageTables();
    expect(t.read.every((x) => x === EXCEPTION)).toBe(true);
    expect(t.write.every((x) => x === EXCEPTION)).toBe(true);
    expect(t.rights(0)).toBe('none');
    expect(t.mapped()).toEqual([]);
  });

  it('rw puts the frame in both tables, ro only in the read table, none in neither, with the toggles', () => {
    const t = new PageTables();
    expect(t.set(5, 7, 'rw')).toEqual([{ page: 5, table: 'r', on: false }, { page: 5, table: 'w', on: false }]);
    expect([t.read[5], t.write[5], t.rights(5), t.frame(5)]).toEqual([7, 7, 'rw', 7]);
    expect(t.set(5, 7, 'ro')).toEqual([{ page: 5, table: 'w', on: true }]);
    expect([t.read[5], t.write[5], t.rights(5)]).toEqual([7, EXCEPTION, 'ro']);
    expect(t.set(5, 7, 'ro')).toEqual([]);
    expect(t.set(5, 7, 'none')).toEqual([{ page: 5, table: 'r', on: true }]);
    expect(t.rights(5)).toBe('none');
  });

  it('refuses bad pages and frames', () => {
    const t = new PageTables();
    for (const p of [-1, VIRTUAL_PAGES, 1.5, NaN]) expect(() => t.set(p, 1, 'rw')).toThrow(RangeError);
    for (const f of [-1, EXCEPTION, 2.5]) expect(() => t.set(1, f, 'rw')).toThrow(RangeError);
  });

  it('hashes a canonical encoding: equal for equal tables, whatever the order of changes', () => {
    const a = new PageTables();
    const b = new PageTables();
    a.set(1, 3, 'rw'); a.set(9, 4, 'ro'); a.set(2, 5, 'rw'); a.set(2, 5, 'none');
    b.set(9, 4, 'rw'); b.set(1, 3, 'rw'); b.set(9, 4, 'ro');
    expect(a.hashes()).toEqual(b.hashes());
    // The encoding is the documented one: domain, table name, (page, frame) pairs.
    const want = Buffer.concat([Buffer.from('awre-waven-pt-v1\u0000r\u0000'), Buffer.from([0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 9, 0, 0, 0, 4])]);
    expect(Buffer.from(a.encode('r'))).toEqual(want);
    expect(a.hashes().r).toBe(createHash('sha256').update(want).digest('hex'));
    // The write table holds only the rw page.
    const wantW = Buffer.concat([Buffer.from('awre-waven-pt-v1\u0000w\u0000'), Buffer.from([0, 0, 0, 1, 0, 0, 0, 3])]);
    expect(Buffer.from(a.encode('w'))).toEqual(wantW);
    expect(a.hashes().w).toBe(createHash('sha256').update(wantW).digest('hex'));
    // Empty tables, and big-endian u32 beyond one byte.
    const e = new PageTables();
    expect(e.hashes()).toEqual({ r: createHash('sha256').update('awre-waven-pt-v1\u0000r\u0000').digest('hex'), w: createHash('sha256').update('awre-waven-pt-v1\u0000w\u0000').digest('hex') });
    e.set(0x1234, 0x56789, 'ro');
    expect(Buffer.from(e.encode('r')).subarray(-8)).toEqual(Buffer.from([0, 0, 0x12, 0x34, 0, 0x05, 0x67, 0x89]));
    // Read and write tables differ when a page is read-only.
    expect(a.hashes().r).not.toBe(a.hashes().w);
    b.set(9, 4, 'rw');
    expect(b.hashes()).not.toEqual(a.hashes());
  });
});

describe('FrameAllocator', () => {
  it('allocates the lowest free id, counts references, frees at zero', () => {
    const f = new FrameAllocator();
    expect([f.allocate(), f.allocate(), f.allocate()]).toEqual([0, 1, 2]);
    f.retain(1);
    expect(f.release(1)).toBe(false);
    expect(f.release(1)).toBe(true);
    expect(f.references(1)).toBe(0);
    expect(f.allocate()).toBe(1);
    expect(() => f.release(7)).toThrow(RangeError);
    expect(f.release(2)).toBe(true);
    expect(() => f.retain(2)).toThrow(RangeError);
    expect(f.count).toBe(3);
    expect(FRAME_STRIDE).toBeGreaterThanOrEqual(65536 + 15);
  });

  it('the frame padding is the one the WAVEN pass sizes its direct accesses by', () => {
    // A direct access reaches up to 0xffff + the pass's FRAME_PADDING past its frame's base: the
    // host must leave at least that much of the frame's own padding before the next frame.
    const pass = readFileSync('scripts/waven-instrument.mjs', 'utf8');
    const m = /^const FRAME_PADDING = (\d+);$/m.exec(pass);
    expect(m, 'scripts/waven-instrument.mjs declares FRAME_PADDING').not.toBeNull();
    expect(Number(m![1])).toBe(FRAME_PADDING);
    expect(FRAME_STRIDE).toBe(65536 + FRAME_PADDING);
  });
});

describe('AddressSpaces', () => {
  it('map, protect, share and unmap emit events with toggles and the hashes after the change', () => {
    const s = new AddressSpaces();
    const events: MmuEvent[] = [];
    s.onEvent((e) => events.push(e));
    s.createInstance('initiator');
    s.createInstance('responder');
    const m = s.map('initiator', 4);
    expect(m).toMatchObject({ kind: 'map', instance: 'initiator', page: 4, rights: 'rw' });
    expect(m.exc).toEqual([{ page: 4, table: 'r', on: false }, { page: 4, table: 'w', on: false }]);
    // The hashes after the change, from the documented encoding (page 4 -> the frame, in both tables).
    const pair = Buffer.alloc(8); pair.writeUInt32BE(4, 0); pair.writeUInt32BE(m.frame, 4);
    const h = (t: string) => createHash('sha256').update(`awre-waven-pt-v1\u0000${t}\u0000`).update(pair).digest('hex');
    expect(m.pt).toEqual({ r: h('r'), w: h('w') });
    const sh = s.share('initiator', 4, 'responder', 10, 'ro');
    expect(sh).toMatchObject({ kind: 'share', instance: 'responder', page: 10, frame: m.frame, rights: 'ro', from: { instance: 'initiator', page: 4 } });
    expect(sh.exc).toEqual([{ page: 10, table: 'r', on: false }]);
    expect(s.tables('responder').rights(10)).toBe('ro');
    expect(s.frames.references(m.frame)).toBe(2);
    // The responder cannot reach the initiator's other pages: they are not in its tables.
    s.map('initiator', 5);
    expect(s.tables('responder').rights(5)).toBe('none');
    const p = s.protect('initiator', 4, 'ro');
    expect(p.exc).toEqual([{ page: 4, table: 'w', on: true }]);
    s.unmap('initiator', 4);
    expect(s.freed).toEqual([]); // the responder still names the frame
    s.unmap('responder', 10);
    expect(s.freed).toEqual([m.frame]);
    expect(events.map((e) => e.kind)).toEqual(['map', 'share', 'map', 'protect', 'unmap', 'unmap']);
    // Exception frames are distinct per instance.
    expect(s.exceptionFrame('initiator')).not.toBe(s.exceptionFrame('responder'));
  });

  it('identical histories give identical hashes and frame ids', () => {
    const run = () => {
      const s = new AddressSpaces();
      s.createInstance('a'); s.createInstance('b');
      s.map('a', 1); s.map('a', 2, 'ro'); s.share('a', 1, 'b', 7, 'ro'); s.unmap('a', 2); s.map('a', 3);
      return [s.tables('a').hashes(), s.tables('b').hashes(), s.tables('a').frame(3)];
    };
    expect(run()).toEqual(run());
  });

  it('refuses misuse with RangeError and changes nothing', () => {
    const s = new AddressSpaces();
    s.createInstance('a');
    expect(() => s.createInstance('a')).toThrow(RangeError);
    expect(() => s.map('nobody', 1)).toThrow(RangeError);
    s.map('a', 1);
    const before = s.tables('a').hashes();
    expect(() => s.map('a', 1)).toThrow(RangeError);
    expect(() => s.unmap('a', 2)).toThrow(RangeError);
    expect(() => s.protect('a', 2, 'ro')).toThrow(RangeError);
    expect(() => s.share('a', 2, 'a', 3, 'ro')).toThrow(RangeError);
    expect(() => s.map('a', VIRTUAL_PAGES)).toThrow(RangeError);
    expect(s.tables('a').hashes()).toEqual(before);
  });
});
