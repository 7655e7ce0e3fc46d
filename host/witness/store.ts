// A witness's state (docs/witness.md): per log, its key and the latest
// checkpoint the witness cosigned; per enrolled node, the latest run it has
// seen. One small JSON file per log and per node, each replaced atomically
// (write beside, fsync, rename, fsync the directory), so a kill -9 at any
// point leaves every file either as it was or as it became. The server is one
// Node.js process: a check and the write that follows it run with no await
// between them, so no other request can slip in (the compare-and-swap that
// C2SP tlog-witness asks for).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { writeFileAtomic } from '../../recorder/atomic.js';
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
  /** The log's final checkpoint (awre-final) was cosigned: it ends, nothing extends it. */
  final?: boolean;
}

/** Per node: the latest run enrolled, and the last run whose final checkpoint was cosigned (SHA-256 of its note as the node signed it). */
export interface NodeState { node: string; run: number; finished: { run: number; note: string } | null }

const EMPTY_ROOT = createHash('sha256').digest('base64');
const hashOf = (s: string) => createHash('sha256').update(s).digest('hex');

export class WitnessStore {
  private readonly logs = new Map<string, LogState>();
  private readonly nodes = new Map<string, NodeState>();

  constructor(readonly dir: string) {
    for (const sub of ['logs', 'nodes']) mkdirSync(join(dir, sub), { recursive: true, mode: 0o700 });
    for (const f of readdirSync(join(dir, 'logs'))) {
      if (f.endsWith('.tmp')) { rmSync(join(dir, 'logs', f)); continue; } // a write a kill interrupted: the old file stands
      const s = JSON.parse(readFileSync(join(dir, 'logs', f), 'utf8')) as LogState;
      this.logs.set(s.origin, s);
    }
    for (const f of readdirSync(join(dir, 'nodes'))) {
      if (f.endsWith('.tmp')) { rmSync(join(dir, 'nodes', f)); continue; }
      const n = JSON.parse(readFileSync(join(dir, 'nodes', f), 'utf8')) as NodeState;
      this.nodes.set(n.node, { node: n.node, run: n.run, finished: n.finished ?? null });
    }
    // A kill between a log's file and its node's file: the logs hold the truth about enrolled runs.
    for (const s of this.logs.values()) {
      const n = this.node(s.node);
      if (s.run > n.run) this.nodes.set(s.node, { ...n, run: s.run });
    }
  }

  log(origin: string): LogState | undefined {
    return this.logs.get(origin);
  }

  node(node: string): NodeState {
    return this.nodes.get(node) ?? { node, run: 0, finished: null };
  }

  private saveNode(n: NodeState): void {
    writeFileAtomic(join(this.dir, 'nodes', `${n.node}.json`), `${JSON.stringify(n)}\n`, 0o600);
    this.nodes.set(n.node, n);
  }

  /** Enroll a run's log (size 0) and move the node's latest run to it. */
  enroll(origin: string, key: string, node: string, run: number): void {
    // The log's file first, then the node's. A kill between them leaves the run enrolled and the
    // node's file behind it, which the constructor repairs from the logs (so a run number is never
    // usable twice), and the client's retry of the same certificate finds it "enrolled already".
    // (Node first, a kill between them left the run number used up with no log: the retry got 409
    // for ever, and the run could never be witnessed.)
    const s: LogState = { origin, key, node, run, size: '0', root: EMPTY_ROOT, note: null };
    writeFileAtomic(join(this.dir, 'logs', `${hashOf(origin)}.json`), `${JSON.stringify(s)}\n`, 0o600);
    this.logs.set(origin, s);
    this.saveNode({ ...this.node(node), run });
  }

  /** Record a newly cosigned checkpoint (the caller checked that `old` was the stored size, just now). */
  advance(origin: string, size: bigint, root: string, note: string, final?: { note: string }): void {
    const log = this.logs.get(origin)!;
    // A final checkpoint: the node's history now has this run finished (before the log's file, as above).
    if (final) this.saveNode({ ...this.node(log.node), finished: { run: log.run, note: final.note } });
    const s = { ...log, size: size.toString(), root, note, ...(final ? { final: true } : {}) };
    writeFileAtomic(join(this.dir, 'logs', `${hashOf(origin)}.json`), `${JSON.stringify(s)}\n`, 0o600);
    this.logs.set(origin, s);
  }

  /** The latest cosigned note of the log whose origin hashes to `h`. */
  byOriginHash(h: string): LogState | undefined {
    const f = join(this.dir, 'logs', `${h}.json`);
    if (!/^[0-9a-f]{64}$/.test(h) || !existsSync(f)) return undefined;
    return this.logs.get((JSON.parse(readFileSync(f, 'utf8')) as LogState).origin);
  }
}
