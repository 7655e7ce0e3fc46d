// The physical side of WAVEN: frames in one physical memory shared by every
// instance of an enclave. Pure bookkeeping (ids, owners, reference counts);
// host/waven/mmu.ts turns ids into byte addresses.
//
// A frame is 64 KiB of payload followed by FRAME_PADDING bytes, so that an
// access of up to 16 bytes that starts in the last bytes of a frame (a
// straddling v128 load or store) runs into the padding, never into the next
// frame. The padding is part of the frame and is wiped with it.

/** Bytes after each frame's payload: covers a straddling 16-byte access and a direct access's offset (scripts/waven-instrument.mjs). */
export const FRAME_PADDING = 4096;
/** Distance between the bases of consecutive frames. */
export const FRAME_STRIDE = 65536 + FRAME_PADDING;

export class FrameAllocator {
  private readonly refs: number[] = [];
  private readonly free: number[] = [];

  /** A fresh frame id (the lowest free one, so that identical runs get identical ids). */
  allocate(): number {
    let id: number;
    if (this.free.length > 0) {
      id = this.popLowest();
    } else {
      id = this.refs.length;
      this.refs.push(0);
    }
    this.refs[id] = 1;
    return id;
  }

  /** One more table (of any instance) names this frame. */
  retain(id: number): void {
    this.check(id);
    this.refs[id]!++;
  }

  /** One table fewer names this frame; returns true when it is now free (and must be wiped). */
  release(id: number): boolean {
    this.check(id);
    this.refs[id]!--;
    if (this.refs[id] === 0) {
      this.pushFree(id);
      return true;
    }
    return false;
  }

  /** How many references a frame has (0 when free). */
  references(id: number): number {
    this.check(id, true);
    return this.refs[id] ?? 0;
  }

  /** Frames ever allocated (the physical memory must hold this many). */
  get count(): number {
    return this.refs.length;
  }

  // The free ids form a binary min-heap, so the lowest comes out in O(log n)
  // (a verifier replaying a hostile log may see many frees and allocations).
  private pushFree(id: number): void {
    const h = this.free;
    let i = h.push(id) - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]! <= id) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = id;
  }

  private popLowest(): number {
    const h = this.free;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        let v = last;
        if (l < h.length && h[l]! < v) { m = l; v = h[l]!; }
        if (r < h.length && h[r]! < v) { m = r; v = h[r]!; }
        if (m === i) break;
        h[i] = h[m]!;
        i = m;
      }
      h[i] = last;
    }
    return top;
  }

  private check(id: number, allowFree = false): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.refs.length || (!allowFree && this.refs[id] === 0)) {
      throw new RangeError(`"frame" ${id} is not an allocated frame`);
    }
  }
}
