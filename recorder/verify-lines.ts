// Lines of a log as bytes, from chunks split anywhere: each complete line
// (its newline reached) goes to `onLine` with its RFC 6962 leaf hash,
// SHA-256(0x00 || the line's bytes as written). Memory is bounded: a line
// longer than MAX_LINE is not buffered but hashed as it streams by and
// reported as overlong; whatever follows the last newline is the torn tail.
import { platform } from '#platform';
import type { Sha256 } from '../host/platform/types.js';

/** The longest line the verifier parses (a tuple is at most a few KiB; a checkpoint note at most 64 KiB). */
export const MAX_LINE = 256 * 1024;

export interface LineSink {
  /** A complete line: bytes `buf[start, end)` (no newline); `buf[start - 1]` is writable scratch. */
  line(buf: Uint8Array, start: number, end: number, leaf: Uint8Array): void;
  /** A complete line longer than MAX_LINE: its length, leaf hash and first bytes. */
  overlong(length: number, leaf: Uint8Array, head: Uint8Array): void;
}

/** The leaf hash of `buf[start, end)`, using the byte before `start` for the 0x00 prefix (restored after). */
export function leafAt(buf: Uint8Array, start: number, end: number): Uint8Array {
  const saved = buf[start - 1]!;
  buf[start - 1] = 0;
  const h = platform.sha256(buf.subarray(start - 1, end));
  buf[start - 1] = saved;
  return h;
}

export class LineSplitter {
  /** Pending bytes live at buf[1, 1 + pending): byte 0 is the leaf prefix's scratch. */
  private buf = platform.scanBuffer(1 << 16);
  private pending = 0;
  /** Bytes of pending already searched for a newline. */
  private scanned = 0;
  private long: { hasher: Sha256; length: number; head: Uint8Array } | undefined;
  /** Bytes taken in, and the offset where the current (incomplete) line starts. */
  bytes = 0;
  private lineStart = 0;

  constructor(private readonly sink: LineSink) {}

  /** Bytes held for an incomplete line (0: the splitter is at a line boundary). */
  get held(): number {
    return this.long ? this.long.length : this.pending;
  }

  /** Account for `n` bytes of whole lines handled elsewhere (a worker's segment); only at a line boundary. */
  skip(n: number): void {
    this.bytes += n;
    this.lineStart += n;
  }

  push(chunk: Uint8Array): void {
    let off = 0;
    while (off < chunk.length) {
      if (this.long) off = this.feedLong(chunk, off);
      else off = this.feed(chunk, off);
    }
  }

  /** The torn tail (bytes after the last newline), if any. */
  end(): { offset: number; bytes: number } | undefined {
    const bytes = this.held;
    this.pending = 0;
    this.scanned = 0;
    this.long = undefined;
    return bytes > 0 ? { offset: this.lineStart, bytes } : undefined;
  }

  /** Take bytes into the pending buffer up to its newline, emit complete lines; returns the new offset. */
  private feed(chunk: Uint8Array, off: number): number {
    const take = Math.min(chunk.length - off, Math.max(MAX_LINE + 1 - this.pending, 0) + (1 << 20));
    this.reserve(this.pending + take);
    this.buf.set(chunk.subarray(off, off + take), 1 + this.pending);
    this.pending += take;
    this.bytes += take;
    let start = 1;
    let from = 1 + this.scanned;
    const stop = 1 + this.pending;
    for (;;) {
      const nl = this.buf.indexOf(10, from);
      if (nl < 0 || nl >= stop) break;
      if (nl - start > MAX_LINE) this.emitLongInBuffer(start, nl);
      else this.sink.line(this.buf, start, nl, leafAt(this.buf, start, nl));
      this.lineStart += nl - start + 1;
      start = nl + 1;
      from = start;
    }
    // Keep the incomplete line at the front.
    const rest = stop - start;
    if (start > 1 && rest > 0) this.buf.copyWithin(1, start, stop);
    this.pending = rest;
    this.scanned = rest;
    if (rest > MAX_LINE) this.startLong();
    return off + take;
  }

  private emitLongInBuffer(start: number, end: number): void {
    const head = new Uint8Array(this.buf.subarray(start, start + 256));
    this.sink.overlong(end - start, leafAt(this.buf, start, end), head);
  }

  /** The pending line passed MAX_LINE without a newline: hash it from here on instead of holding it. */
  private startLong(): void {
    const hasher = platform.sha256Hasher();
    this.buf[0] = 0;
    hasher.update(this.buf.subarray(0, 1 + this.pending));
    this.long = { hasher, length: this.pending, head: new Uint8Array(this.buf.subarray(1, 257)) };
    this.pending = 0;
    this.scanned = 0;
    if (this.buf.length > 1 << 20) this.buf = platform.scanBuffer(1 << 16);
  }

  private feedLong(chunk: Uint8Array, off: number): number {
    const long = this.long!;
    const nl = chunk.indexOf(10, off);
    const end = nl < 0 ? chunk.length : nl;
    long.hasher.update(chunk.subarray(off, end));
    long.length += end - off;
    this.bytes += end - off;
    if (nl < 0) return chunk.length;
    this.bytes += 1;
    this.long = undefined;
    this.sink.overlong(long.length, long.hasher.digest(), long.head);
    this.lineStart += long.length + 1;
    return nl + 1;
  }

  private reserve(n: number): void {
    if (1 + n <= this.buf.length) return;
    const next = platform.scanBuffer(Math.max(1 + n, 2 * this.buf.length));
    next.set(this.buf.subarray(0, 1 + this.pending));
    this.buf = next;
  }
}
