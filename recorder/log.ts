// The ABW34 log file: one writer (a lock file beside the log), durable
// appends, and torn-tail detection on open. A line is a tuple only when its
// newline made it to disk; anything after the last newline is a torn tail,
// reported and cut before new appends, never taken as a tuple.
import { closeSync, existsSync, fdatasyncSync, openSync, readFileSync, ftruncateSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { AwreError } from '../host/errors.js';

export type SyncMode = 'always' | 'group';

export interface TornTail {
  /** Byte offset where the torn bytes start (the end of the last complete line). */
  offset: number;
  bytes: number;
}

/** Split log text into complete lines and a torn tail. */
export function splitLog(text: string): { lines: string[]; torn?: TornTail } {
  const end = text.lastIndexOf('\n') + 1;
  const lines = end === 0 ? [] : text.slice(0, end - 1).split('\n');
  const tail = Buffer.byteLength(text.slice(end), 'utf8');
  return tail > 0 ? { lines, torn: { offset: Buffer.byteLength(text.slice(0, end), 'utf8'), bytes: tail } } : { lines };
}

export class LogWriter {
  private fd: number;
  private readonly lockPath: string;
  private pending = 0;
  private waiters: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** The complete lines found on open (an existing log), and the tail cut then. */
  readonly existing: string[];
  readonly tornOnOpen: TornTail | undefined;

  constructor(readonly path: string, readonly mode: SyncMode = 'always', private readonly groupMs = 2) {
    this.lockPath = `${path}.lock`;
    this.takeLock();
    try {
      const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
      const { lines, torn } = splitLog(text);
      this.existing = lines;
      this.tornOnOpen = torn;
      this.fd = openSync(path, 'a+'); // O_APPEND: every write goes to the end, after any cut
      if (torn) {
        ftruncateSync(this.fd, torn.offset);
        fdatasyncSync(this.fd);
      }
    } catch (cause) {
      this.releaseLock();
      if (cause instanceof AwreError) throw cause;
      throw new AwreError('LOG_IO', `${path}: cannot open the log: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`, { cause });
    }
  }

  /**
   * Append one line (without its newline). 'always': written and fsynced
   * when this returns. 'group': buffered, then written and fsynced together
   * within `groupMs` (or at 4,096 lines); durable() resolves after that.
   */
  append(line: string): void {
    if (this.mode === 'always') {
      this.write(`${line}\n`);
      this.fsync();
    } else {
      this.buffered.push(line);
      this.schedule();
    }
  }

  private buffered: string[] = [];

  private write(text: string): void {
    const buf = Buffer.from(text, 'utf8');
    try {
      let off = 0;
      while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off, null);
    } catch (cause) {
      throw new AwreError('LOG_IO', `${this.path}: append failed: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`, { cause });
    }
  }

  private fsync(): void {
    try {
      fdatasyncSync(this.fd);
    } catch (cause) {
      throw new AwreError('LOG_IO', `${this.path}: fsync failed: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`, { cause });
    }
  }

  /** Resolves once everything appended so far is on disk (group commit). */
  durable(): Promise<void> {
    if (this.mode === 'always' || this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** fsync now and acknowledge every waiter. */
  sync(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    if (this.buffered.length > 0) {
      const lines = this.buffered;
      this.buffered = [];
      this.write(`${lines.join('\n')}\n`);
    }
    this.fsync();
    this.pending = 0;
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  close(): void {
    if (this.fd < 0) return;
    this.sync();
    closeSync(this.fd);
    this.fd = -1;
    this.releaseLock();
  }

  private schedule(): void {
    this.pending++;
    if (this.pending >= 4096) this.sync();
    else if (!this.timer) this.timer = setTimeout(() => this.sync(), this.groupMs);
  }

  /** One writer per log: an exclusive lock file holding the writer's pid; a dead writer's lock is taken over. */
  private takeLock(): void {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(this.lockPath, `${process.pid}\n`, { flag: 'wx' });
        return;
      } catch (cause) {
        if ((cause as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new AwreError('LOG_IO', `${this.lockPath}: cannot create the lock: ${(cause as NodeJS.ErrnoException).code}`, { cause });
        }
        const pid = liveWriter(this.path);
        if (pid !== undefined) {
          throw new AwreError('LOG_LOCKED', `${this.path} is being written by process ${pid} (lock ${this.lockPath})`, { got: pid });
        }
        unlinkSync(this.lockPath); // stale: its writer is gone
      }
    }
    throw new AwreError('LOG_LOCKED', `${this.path}: could not take the lock ${this.lockPath}`);
  }

  private releaseLock(): void {
    try { unlinkSync(this.lockPath); } catch { /* already gone */ }
  }
}

/** The pid of the live process holding the log's lock, or undefined (no lock, or its writer is gone). */
export function liveWriter(logPath: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(`${logPath}.lock`, 'utf8').trim());
  } catch {
    return undefined;
  }
  return Number.isSafeInteger(pid) && pid > 0 && alive(pid) ? pid : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
