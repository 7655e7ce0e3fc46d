// verifyFile: the verifier (verify.ts) on a file, read in chunks so memory
// stays bounded whatever the file's size. Node only (node:fs); the browser
// path gives the bytes to verifyLog or LogVerifier.push itself.
import { closeSync, openSync, readSync } from 'node:fs';
import { LogVerifier, type VerifyOptions, type VerifyReport } from './verify.js';

/** Bytes read from a file at a time. */
const READ_CHUNK = 4 << 20;

/**
 * Verify a log file, streaming it in chunks: memory stays bounded whatever
 * the file's size. `workers` > 0 hashes the leaves in that many worker
 * threads while this thread checks (recorder/verify-workers.ts).
 */
export async function verifyFile(path: string, opts: VerifyOptions & { workers?: number }): Promise<VerifyReport> {
  const { workers = 0, ...vopts } = opts;
  if (workers > 0) return (await import('./verify-workers.js')).verifyFileParallel(path, vopts, workers);
  const fd = openSync(path, 'r');
  try {
    const v = new LogVerifier(vopts);
    const buf = Buffer.allocUnsafe(READ_CHUNK);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      v.push(buf.subarray(0, n));
    }
    return v.end();
  } finally {
    closeSync(fd);
  }
}
