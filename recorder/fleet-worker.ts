// One worker of `awre verify <dir>` (host/cli/verify-fleet.ts): verifies the
// logs it is sent, one at a time, with its own verify callbacks (each worker
// instantiates its own enclave for ML-DSA), and answers with the report, the
// time it took, and what the node-history check needs (the first and last
// tuples' times, the final checkpoint note's hash). Only data crosses the
// thread boundary: keys as bytes, policies as their text.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { ml_dsa44 } from '../host/mldsa.js';
import { verifyAttestation, verifyIdentity } from './attest.js';
import { parsePolicy } from './policy.js';
import { parseTlogPolicy } from './tlog-policy.js';
import type { VerifyOptions, VerifyReport } from './verify.js';
import { verifyFile } from './verify-file.js';

export interface FleetJob {
  id: number;
  path: string;
  /** The run's attestation key file, parsed (runs without a node identity). */
  key?: { name: string; publicKey: Uint8Array };
  /** The node identity the run must be certified by. */
  node?: { name: string; publicKey: Uint8Array };
  policyText?: string;
  /** A C2SP tlog-policy's text, and where the run's cosigned final checkpoint is. */
  witnessText?: string;
  cosignedPath?: string;
}

/** What the history check (recorder/chain.ts) needs of a run, read from the log's two ends. */
export interface FleetEdges {
  bootT: number;
  lastT: number;
  /** SHA-256 (hex) of the final checkpoint note; null when the log does not end with halt, checkpoint. */
  finalNote: string | null;
}

export type FleetReport = Omit<VerifyReport, 'stats'>;

export type FleetAnswer =
  // The report as `awre verify --json` prints it: without `stats`, which only the HTML report draws.
  | { id: number; ok: true; report: FleetReport; seconds: number; edges: FleetEdges | null }
  | { id: number; ok: false; error: string; code: string | null };

/** Bytes read from each end of a log for its edge tuples: a checkpoint line is about 5 KB. */
const EDGE_BYTES = 256 * 1024;

function readAt(fd: number, position: number, length: number): string {
  const b = Buffer.alloc(length);
  const n = readSync(fd, b, 0, length, position);
  return b.subarray(0, n).toString('utf8');
}

const parse = (line: string | undefined): { kind?: string; t?: number; checkpoint?: { note?: string } } | undefined => {
  try { return line === undefined ? undefined : JSON.parse(line) as never; } catch { return undefined; }
};

/** The first tuple's time and the last two tuples, without reading the whole (possibly multi-GB) log. */
export function logEdges(path: string): FleetEdges | null {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const head = readAt(fd, 0, Math.min(size, EDGE_BYTES));
    const tail = readAt(fd, Math.max(0, size - EDGE_BYTES), Math.min(size, EDGE_BYTES));
    const first = parse(head.split('\n', 1)[0]);
    // The tail window starts mid-line (unless it is the whole file): only complete lines count.
    const lines = tail.endsWith('\n') ? tail.slice(0, -1).split('\n') : [];
    if (size > EDGE_BYTES) lines.shift();
    const last = parse(lines[lines.length - 1]), before = parse(lines[lines.length - 2]);
    if (typeof first?.t !== 'number' || typeof last?.t !== 'number') return null;
    const finished = before?.kind === 'halt' && last.kind === 'checkpoint' && typeof last.checkpoint?.note === 'string';
    return { bootT: first.t, lastT: last.t, finalNote: finished ? createHash('sha256').update(last.checkpoint!.note!).digest('hex') : null };
  } finally {
    closeSync(fd);
  }
}

function options(job: FleetJob): VerifyOptions & { workers: number } {
  const witnesses = job.witnessText === undefined ? {} : {
    witnessPolicy: parseTlogPolicy(job.witnessText),
    verifyCosignature: (sig: Uint8Array, m: Uint8Array, k: Uint8Array) => ml_dsa44.verify(sig, m, k),
    ...(job.cosignedPath !== undefined && existsSync(job.cosignedPath) ? { cosigned: readFileSync(job.cosignedPath, 'utf8') } : {}),
  };
  return {
    // The fleet's parallelism is one log per worker: no hashing threads inside a worker.
    workers: 0,
    verify: verifyAttestation, verifyIdentity,
    ...(job.key ? { key: job.key.publicKey, keyName: job.key.name } : {}),
    ...(job.node ? { node: job.node } : {}),
    ...(job.policyText === undefined ? {} : { policy: parsePolicy(job.policyText) }),
    ...witnesses,
  };
}

async function answer(job: FleetJob): Promise<FleetAnswer> {
  try {
    const t0 = performance.now();
    const { stats: _stats, ...report } = await verifyFile(job.path, options(job));
    const seconds = (performance.now() - t0) / 1000;
    // Only certified runs take part in a node's history; reading the edges of others is wasted I/O.
    const edges = report.run && report.guarantees.certified === true ? logEdges(job.path) : null;
    return { id: job.id, ok: true, report, seconds, edges };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { id: job.id, ok: false, error: err.message ?? String(e), code: typeof err.code === 'string' ? err.code : null };
  }
}

// Jobs are answered in order, one at a time: the pool sends the next only after this answer.
parentPort?.on('message', (job: FleetJob) => {
  void answer(job).then((a) => parentPort!.postMessage(a));
});
