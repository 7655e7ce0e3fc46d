// A verifyFile worker (recorder/verify-workers.ts): for a segment of whole
// lines (byte 0 is scratch), the end of each line and its RFC 6962 leaf hash.
import { parentPort } from 'node:worker_threads';
import { leafAt } from './verify-lines.js';

parentPort!.on('message', (m: { id: number; buf: ArrayBuffer; offset: number; length: number }) => {
  const b = Buffer.from(m.buf, m.offset, m.length);
  const ends: number[] = [];
  for (let p = 1; p < b.length;) {
    const nl = b.indexOf(10, p);
    ends.push(nl);
    p = nl + 1;
  }
  const leaves = new Uint8Array(32 * ends.length);
  let s = 1;
  ends.forEach((e, i) => { leaves.set(leafAt(b, s, e), 32 * i); s = e + 1; });
  const e32 = Uint32Array.from(ends);
  parentPort!.postMessage({ id: m.id, buf: m.buf, length: m.offset + m.length, ends: e32, leaves }, [m.buf, e32.buffer, leaves.buffer]);
});
