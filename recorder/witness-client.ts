// Sending a run's checkpoints to witnesses (docs/witness.md): enroll the run
// (awre's /awre/enroll-run, with the run certificate), then each checkpoint
// in order through C2SP tlog-witness add-checkpoint, with the consistency
// proof from the size the witness last cosigned. A slow or dead witness is
// retried a bounded number of times, each request with a timeout, and then
// reported; it never holds the run up longer than attempts x timeout per
// request.
import { closeSync, openSync, readSync } from 'node:fs';
import { consistencyProof, type Hash } from './merkle.js';
import { tupleLeaf } from './tuple.js';

export interface WitnessOutcome {
  url: string;
  /** Cosignature lines, by checkpoint size. */
  cosignatures: Map<number, string>;
  errors: string[];
}

export interface WitnessClientOptions {
  timeoutMs?: number;
  attempts?: number;
}

async function post(url: string, body: string, o: Required<WitnessClientOptions>): Promise<{ status: number; text: string; type: string }> {
  let last: unknown;
  for (let i = 0; i < o.attempts; i++) {
    try {
      const r = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'text/plain; charset=utf-8' }, signal: AbortSignal.timeout(o.timeoutMs) });
      return { status: r.status, text: await r.text(), type: r.headers.get('content-type') ?? '' };
    } catch (e) {
      last = e;
      if (i + 1 < o.attempts) await new Promise((r) => setTimeout(r, 100 * 3 ** i));
    }
  }
  throw new Error(`${url}: no answer after ${o.attempts} attempts (${(last as Error).message}${(last as { cause?: { code?: string } }).cause?.code ? `: ${(last as { cause: { code: string } }).cause.code}` : ''})`);
}

/** The add-checkpoint body: old, the proof lines, a blank line, the note. */
export function addCheckpointBody(old: number, proof: readonly Hash[], note: string): string {
  return `old ${old}\n${proof.map((h) => `${Buffer.from(h).toString('base64')}\n`).join('')}\n${note}`;
}

/**
 * One witness, fed the checkpoints of a run in order, in the background: the
 * run pushes checkpoints as they become durable and never waits for a
 * witness; finish() waits for what is queued. Once a witness has not
 * answered a request (after its attempts), the checkpoints after it are not
 * sent: a dead witness costs one bounded wait, not one per checkpoint.
 */
export class WitnessFeed {
  readonly outcome: WitnessOutcome;
  private chain: Promise<void> = Promise.resolve();
  private old = 0;
  private state: 'new' | 'enrolled' | 'gone' = 'new';
  private readonly url: string;
  private readonly o: Required<WitnessClientOptions>;

  constructor(base: string, private readonly certificate: { cert: unknown; sig: string }, private readonly leaves: (size: number) => readonly Hash[], options: WitnessClientOptions = {}) {
    this.url = base.replace(/\/+$/, '');
    this.outcome = { url: base, cosignatures: new Map(), errors: [] };
    this.o = { timeoutMs: options.timeoutMs ?? 3000, attempts: options.attempts ?? 3 };
  }

  push(checkpoints: readonly { size: number; note: string }[]): void {
    const cps = [...checkpoints];
    this.chain = this.chain.then(() => this.send(cps));
  }

  finish(): Promise<WitnessOutcome> {
    return this.chain.then(() => this.outcome);
  }

  private async send(cps: { size: number; note: string }[]): Promise<void> {
    for (const c of cps) {
      if (this.state === 'gone') { this.outcome.errors.push(`checkpoint ${c.size}: not sent (the witness did not answer earlier)`); continue; }
      try {
        if (this.state === 'new') {
          const e = await post(`${this.url}/awre/enroll-run`, JSON.stringify(this.certificate), this.o);
          if (e.status !== 200) { this.outcome.errors.push(`enroll-run: ${e.status} ${e.text.trim()}`); this.state = 'gone'; continue; }
          this.state = 'enrolled';
        }
        const send = (from: number) => post(`${this.url}/add-checkpoint`, addCheckpointBody(from, from === 0 || from === c.size ? [] : consistencyProof(this.leaves(c.size), from, c.size), c.note), this.o);
        let r = await send(this.old);
        if (r.status === 409 && r.type.startsWith('text/x.tlog.size') && /^(0|[1-9][0-9]*)\n$/.test(r.text)) {
          // The witness knows a later size than we thought: once more, from its size (never past this checkpoint).
          const theirs = Number(r.text.trim());
          if (theirs <= c.size) { this.old = theirs; r = await send(this.old); }
        }
        // Keep only an answer shaped as signature lines (a garbage body would spoil the checkpoint file it is added to).
        if (r.status === 200 && /^(\u2014 [^\s+]+ [A-Za-z0-9+/]+={0,2}\n){1,16}$/u.test(r.text)) { this.outcome.cosignatures.set(c.size, r.text); this.old = c.size; }
        else if (r.status === 200) this.outcome.errors.push(`checkpoint ${c.size}: the answer is not cosignature lines`);
        else this.outcome.errors.push(`checkpoint ${c.size}: ${r.status} ${r.text.trim()}`);
      } catch (e) {
        this.outcome.errors.push(`checkpoint ${c.size}: ${(e as Error).message}`);
        this.state = 'gone';
      }
    }
  }
}

/** Every checkpoint to every witness, the witnesses side by side (a whole run at once). */
export function witnessCheckpoints(
  urls: readonly string[], certificate: { cert: unknown; sig: string }, checkpoints: readonly { size: number; note: string }[], leaves: readonly Hash[],
  options: WitnessClientOptions = {},
): Promise<WitnessOutcome[]> {
  return Promise.all(urls.map((u) => {
    const f = new WitnessFeed(u, certificate, () => leaves, options);
    f.push(checkpoints);
    return f.finish();
  }));
}

/** The leaf hashes of a log being written, read as far as a size asks (the file only grows). */
export class LogLeaves {
  private readonly leaves: Hash[] = [];
  private offset = 0;
  private rest: Buffer = Buffer.alloc(0);
  constructor(private readonly path: string) {}

  upTo(size: number): readonly Hash[] {
    if (this.leaves.length < size) {
      const fd = openSync(this.path, 'r');
      try {
        const buf = Buffer.alloc(1 << 20);
        for (;;) {
          const n = readSync(fd, buf, 0, buf.length, this.offset);
          if (n === 0) break;
          this.offset += n;
          // Split on bytes, not text: a UTF-8 character may straddle two reads.
          let data = Buffer.concat([this.rest, buf.subarray(0, n)]);
          for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a)) {
            this.leaves.push(tupleLeaf(data.subarray(0, nl).toString('utf8')));
            data = data.subarray(nl + 1);
          }
          this.rest = Buffer.from(data);
        }
      } finally {
        closeSync(fd);
      }
    }
    if (this.leaves.length < size) throw new Error(`the log has ${this.leaves.length} tuples, fewer than ${size}`);
    return this.leaves;
  }
}
