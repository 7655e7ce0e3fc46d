// One page table's canonical encoding (docs/waven.md, "Page-table hashes"),
// kept up to date change by change: the bytes `awre-waven-pt-v1\0<t>\0`, then
// (page, frame) as big-endian u32 pairs for every entry that is not the
// exception frame, by ascending page. A change moves the pairs after it
// (a native copy); the hash is of the pairs that exist, so a change costs
// O(mapped pages), never a scan of all 65,536 entries, and the hash is the
// same bytes' SHA-256 as a full re-encoding gives (tested against it).
import { hash } from 'node:crypto';

export class TableEncoding {
  private buf: Buffer;
  private readonly head: number;
  private count = 0;
  private cached: string | undefined;

  constructor(table: 'r' | 'w') {
    const head = Buffer.from(`awre-waven-pt-v1\u0000${table}\u0000`, 'latin1');
    this.head = head.length;
    this.buf = Buffer.alloc(this.head + 8 * 16);
    head.copy(this.buf);
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
      if (this.buf.readUInt32BE(off + 4) === frame) return;
      this.buf.writeUInt32BE(frame, off + 4);
    } else {
      this.grow();
      this.buf.copyWithin(off + 8, off, this.head + 8 * this.count);
      this.buf.writeUInt32BE(page, off);
      this.buf.writeUInt32BE(frame, off + 4);
      this.count++;
    }
    this.cached = undefined;
  }

  /** The canonical encoding (a copy). */
  bytes(): Uint8Array {
    return new Uint8Array(this.buf.subarray(0, this.head + 8 * this.count));
  }

  /** SHA-256 of the encoding, hex. */
  hash(): string {
    this.cached ??= hash('sha256', this.buf.subarray(0, this.head + 8 * this.count), 'hex');
    return this.cached;
  }

  private pageAt(i: number): number {
    return this.buf.readUInt32BE(this.head + 8 * i);
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
    const next = Buffer.alloc(this.head + 8 * Math.max(16, this.count * 2));
    this.buf.copy(next, 0, 0, this.head + 8 * this.count);
    this.buf = next;
  }
}
