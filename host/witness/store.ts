// A witness's state (docs/witness.md): per log, its key and the latest
// checkpoint the witness cosigned; per enrolled node, the latest run it has
// seen. One small JSON file per log and per node, each replaced atomically
// (write beside, fsync, rename, fsync the directory), so a kill -9 at any
// point leaves every file either as it was or as it became. The server is one
// Node.js process: a check and the write that follows it run with no await
// between them, so no other request can slip in (the compare-and-swap that
// C2SP tlog-witness asks for).
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface LogState {
  origin: string;
  /** The log's key: an awre attestation public key (base64). */
  key: string;
  /** The node whose certificate enrolled the log (fingerprint), and the run. */
  node: string;
  run: number;
  /** The latest cosigned checkpoint: size (decimal), root (base64), the cosigned note. */
  size: string;
  root: string;
  note: string | null;
}

const EMPTY_ROOT = createHash('sha256').digest('base64');
const hashOf = (s: string) => createHash('sha256').update(s).digest('hex');

function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try { writeSync(fd, text); fsyncSync(fd); } finally { closeSync(fd); }
  renameSync(tmp, path);
  const d = openSync(join(path, '..'), 'r');
  try { fsyncSync(d); } finally { closeSync(d); }
}

export class WitnessStore {
  private readonly logs = new Map<string, LogState>();
  private readonly nodes = new Map<string, number>();

  constructor(readonly dir: string) {
    for (const sub of ['logs', 'nodes']) mkdirSync(join(dir, sub), { recursive: true, mode: 0o700 });
    for (const f of readdirSync(join(dir, 'logs'))) {
      if (f.endsWith('.tmp')) { rmSync(join(dir, 'logs', f)); continue; } // a write a kill interrupted: the old file stands
      const s = JSON.parse(readFileSync(join(dir, 'logs', f), 'utf8')) as LogState;
      this.logs.set(s.origin, s);
    }
    for (const f of readdirSync(join(dir, 'nodes'))) {
      if (f.endsWith('.tmp')) { rmSync(join(dir, 'nodes', f)); continue; }
      const n = JSON.parse(readFileSync(join(dir, 'nodes', f), 'utf8')) as { node: string; run: number };
      this.nodes.set(n.node, n.run);
    }
  }

  log(origin: string): LogState | undefined {
    return this.logs.get(origin);
  }

  latestRun(node: string): number {
    return this.nodes.get(node) ?? 0;
  }

  /** Enroll a run's log (size 0) and move the node's latest run to it. */
  enroll(origin: string, key: string, node: string, run: number): void {
    const s: LogState = { origin, key, node, run, size: '0', root: EMPTY_ROOT, note: null };
    writeAtomic(join(this.dir, 'logs', `${hashOf(origin)}.json`), `${JSON.stringify(s)}\n`);
    this.logs.set(origin, s);
    writeAtomic(join(this.dir, 'nodes', `${node}.json`), `${JSON.stringify({ node, run })}\n`);
    this.nodes.set(node, run);
  }

  /** Record a newly cosigned checkpoint (the caller checked that `old` was the stored size, just now). */
  advance(origin: string, size: bigint, root: string, note: string): void {
    const s = { ...this.logs.get(origin)!, size: size.toString(), root, note };
    writeAtomic(join(this.dir, 'logs', `${hashOf(origin)}.json`), `${JSON.stringify(s)}\n`);
    this.logs.set(origin, s);
  }

  /** The latest cosigned note of the log whose origin hashes to `h`. */
  byOriginHash(h: string): LogState | undefined {
    const f = join(this.dir, 'logs', `${h}.json`);
    if (!/^[0-9a-f]{64}$/.test(h) || !existsSync(f)) return undefined;
    return this.logs.get((JSON.parse(readFileSync(f, 'utf8')) as LogState).origin);
  }
}
