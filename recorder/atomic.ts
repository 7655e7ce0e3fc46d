// A file replaced whole or not at all: written beside it, fsynced, renamed
// over it, and the directory fsynced, so a kill -9 at any point leaves the
// old file or the new one (a leftover `<path>.<pid>.tmp` is the only trace).
// The node's sealed state (recorder/node.ts) and a witness's state
// (host/witness/store.ts) are written this way.
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export function writeFileAtomic(path: string, text: string, mode: number): void {
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', mode);
  try { writeSync(fd, text); fsyncSync(fd); } finally { closeSync(fd); }
  renameSync(tmp, path);
  const d = openSync(dirname(path), 'r');
  try { fsyncSync(d); } finally { closeSync(d); }
}
