// One page table's canonical encoding (docs/waven.md, "Page-table hashes"),
// kept up to date change by change: the bytes `awre-waven-pt-v1\0<t>\0`, then
// (page, frame) as big-endian u32 pairs for every entry that is not the
// exception frame, by ascending page. A change moves the pairs after it
// (a native copy); the hash is of the pairs that exist, so a change costs
// O(mapped pages), never a scan of all 65,536 entries, and the hash is the
// same bytes' SHA-256 as a full re-encoding gives (tested against it).
import { platform } from '#platform';

export class TableEncoding {
  private buf: Uint8Array;
  private dv: DataView;
  private readonly head: number;
  private count = 0;
  private cached: string | undefined;

  constructor(table: 'r' | 'w') {
    const head = new TextEncoder().encode(`awre-waven-pt-v1\u0000${table}\u0000`); // ASCII: latin1 and UTF-8 agree
    this.head = head.length;
    this.buf = new Uint8Array(this.head + 8 * 16);
    this.buf.set(head);
    this.dv = new DataView(this.buf.buffer);
  }

  /** Entries that are not the exception frame. */
  get size(): number {
    return this.count;
  }

  /** Set `page` to `frame`, or drop it (`frame` undefined: the exception frame). */
  set(page: number, frame: number | undefined): void {
    const at = this.find(page);
    const here = at < this.count && this.pageAt(at) === page;
    const off = this.head + 8 * at;
    if (frame === undefined) {
      if (!here) return;
      this.buf.copyWithin(off, off + 8, this.head + 8 * this.count);
      this.count--;
    } else if (here) {
      if (this.dv.getUint32(off + 4) === frame) return;
      this.dv.setUint32(off + 4, frame);
    } else {
      this.grow();
      this.buf.copyWithin(off + 8, off, this.head + 8 * this.count);
      this.dv.setUint32(off, page);
      this.dv.setUint32(off + 4, frame);
      this.count++;
    }
    this.cached = undefined;
  }

  /** The canonical encoding (a copy). */
  bytes(): Uint8Array {
    return this.buf.slice(0, this.head + 8 * this.count);
  }

  /** SHA-256 of the encoding, hex. */
  hash(): string {
    if (this.cached === undefined) {
      let hex = '';
      for (const b of platform.sha256(this.buf.subarray(0, this.head + 8 * this.count))) hex += b.toString(16).padStart(2, '0');
      this.cached = hex;
    }
    return this.cached;
  }

  private pageAt(i: number): number {
    return this.dv.getUint32(this.head + 8 * i);
  }

  /** The first index whose page is >= `page` (binary search). */
  private find(page: number): number {
    let lo = 0, hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.pageAt(mid) < page) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private grow(): void {
    if (this.head + 8 * (this.count + 1) <= this.buf.length) return;
    const next = new Uint8Array(this.head + 8 * Math.max(16, this.count * 2));
    next.set(this.buf.subarray(0, this.head + 8 * this.count));
    this.buf = next;
    this.dv = new DataView(next.buffer);
  }
}
