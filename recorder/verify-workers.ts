// verifyFile with worker threads (docs/verify.md, "Workers"): this thread
// reads the file in segments that end at a newline and hands each to a
// worker, which finds its lines and hashes their leaves
// (recorder/verify-hash-worker.ts); this thread then checks the lines in
// order with the leaves given. The checks stay sequential (each tuple's
// `prev`, tables and checkpoints depend on the ones before), so workers take
// the hashing, the largest single cost, off the checking thread.
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LogVerifier, type VerifyOptions, type VerifyReport } from './verify.js';

/** Bytes per segment handed to a worker. */
const SEGMENT = 2 << 20;

interface Hashed { buf: Buffer; ends: Uint32Array; leaves: Uint8Array }

/** The worker's file: beside this one in dist/, or dist/'s copy when running from the sources (tests). */
function workerPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const local = join(here, 'verify-hash-worker.js');
  return existsSync(local) ? local : join(here, '..', 'dist', 'recorder', 'verify-hash-worker.js');
}

export async function verifyFileParallel(path: string, opts: VerifyOptions, workers: number): Promise<VerifyReport> {
  const pool = Array.from({ length: workers }, () => new Worker(workerPath()));
  const pending = new Map<number, { resolve: (h: Hashed) => void; reject: (e: Error) => void }>();
  const failures: Error[] = [];
  // A worker that dies fails every segment still out (nothing waits forever).
  const fail = (e: Error) => {
    failures.push(e);
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  for (const w of pool) {
    w.on('message', (m: { id: number; buf: ArrayBuffer; length: number; ends: Uint32Array; leaves: Uint8Array }) => {
      const done = pending.get(m.id);
      pending.delete(m.id);
      done?.resolve({ buf: Buffer.from(m.buf, 0, m.length), ends: m.ends, leaves: m.leaves });
    });
    w.on('error', fail);
    w.on('exit', (code) => { if (code !== 0) fail(new Error(`a hashing worker exited with code ${code}`)); });
  }
  const v = new LogVerifier(opts);
  const fd = openSync(path, 'r');
  try {
    const inFlight: Promise<Hashed>[] = [];
    let next = 0;
    let carry = Buffer.alloc(0);
    const drainOne = async () => v.acceptHashed(await inFlight.shift()!);
    for (;;) {
      // Byte 0 of each segment is scratch for the leaf prefix (recorder/verify-lines.ts).
      const seg = Buffer.allocUnsafe(1 + carry.length + SEGMENT);
      carry.copy(seg, 1);
      const n = readSync(fd, seg, 1 + carry.length, SEGMENT, null);
      const filled = 1 + carry.length + n;
      if (n === 0) { carry = Buffer.from(seg.subarray(1, filled)); break; }
      const lastNl = seg.lastIndexOf(10, filled - 1);
      if (lastNl < 1) {
        carry = Buffer.from(seg.subarray(1, filled)); // no complete line yet: read more
        if (carry.length > 4 * SEGMENT) {
          // A line longer than a few segments: the splitter hashes it as it streams, without holding it; the rest goes that way too.
          while (inFlight.length) await drainOne();
          v.push(carry);
          carry = Buffer.alloc(0);
          const buf = Buffer.allocUnsafe(SEGMENT);
          for (let r; (r = readSync(fd, buf, 0, SEGMENT, null)) > 0;) v.push(buf.subarray(0, r));
          break;
        }
        continue;
      }
      carry = Buffer.from(seg.subarray(lastNl + 1, filled));
      const id = next++;
      inFlight.push(new Promise<Hashed>((resolve, reject) => pending.set(id, { resolve, reject })));
      inFlight[inFlight.length - 1]!.catch(() => undefined); // awaited in order below; no unhandled rejection meanwhile
      pool[id % workers]!.postMessage({ id, buf: seg.buffer, offset: seg.byteOffset, length: lastNl + 1 }, [seg.buffer]);
      if (inFlight.length >= 2 * workers) await drainOne();
      if (failures.length) throw failures[0];
    }
    while (inFlight.length) await drainOne();
    if (failures.length) throw failures[0];
    // What is left has no newline: the splitter reports it as the torn tail.
    if (carry.length) v.push(carry);
    return v.end();
  } finally {
    closeSync(fd);
    await Promise.all(pool.map((w) => w.terminate()));
  }
}
