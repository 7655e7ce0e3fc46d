// The live recorder's front end: events are batched and shipped to a worker
// thread (recorder-worker.ts), which builds the tuples, writes and fsyncs the
// log and the escrow. The harness thread pays for stamping the time and
// copying the call's bytes; the hashing, canonical JSON and disk work run on
// another core. Checkpoints are signed in the attestation vault, which lives
// on this thread: the worker asks through a SharedArrayBuffer and waits, and
// this thread answers as soon as its event loop turns (any await does it).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AwreError } from '../host/errors.js';
import type { NoteSigner } from './note.js';
import type { EscrowRecord } from '../host/qrng/seeder.js';
import { RecorderFront, checkOptions, type Checkpoint, type Halted, type LogicalClock, type RecorderEvent, type RecorderOptions } from './recorder.js';
import type { SyncMode } from './log.js';
import { profileDigest } from './tuple.js';

/** Shared signing channel: [state, length] then the bytes (state 0 idle, 1 asked, 2 answered). */
export const SIGN_BYTES = 64 * 1024;
export const ASKED = 1, ANSWERED = 2;

/**
 * Calls travel as records in the batch's arena, not as objects (no per-call
 * allocation or structured clone): at 8-byte-aligned `off`, a header
 *   f64 t | i32 status | u16 tenant | u16 op | u32 inLen | u32 outLen
 * then the input and the output bytes. Tenant and op names are indexes into
 * the batch's `names`. Other events stay objects; `{k: 'calls', count}`
 * marks where in the event order `count` arena records fall.
 */
export const CALL_HEADER = 24;
export interface WireCalls { k: 'calls'; count: number }
export type WireEvent = Exclude<RecorderEvent, { k: 'call' }> | WireCalls;
const ARENA_BYTES = 1 << 20;

export interface PipelineOptions extends RecorderOptions {
  log: string;
  sync?: SyncMode;
  /**
   * The auditor's ML-KEM-768 public key: the worker writes the escrow beside the log. `coins`: the 32-byte
   * encapsulation message, for a reproducible run only (default: fresh OS randomness, as for any encapsulation).
   */
  escrow?: { path: string; auditorPublicKey: Uint8Array; coins?: Uint8Array };
  /** A reproducible run's clock (recorder.ts); default the wall clock (Date.now). */
  clock?: LogicalClock;
  /** Events per batch before a flush is forced (a flush also follows every turn of the event loop). */
  batch?: number;
}

/** The compiled worker (tests run the TypeScript sources; the worker always runs from dist/). */
function workerPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const local = join(here, 'recorder-worker.js');
  return existsSync(local) ? local : join(here, '..', 'dist', 'recorder', 'recorder-worker.js');
}

export class PipelinedRecorder extends RecorderFront {
  readonly profileDigest: string;
  private readonly worker: Worker;
  private readonly channel = new SharedArrayBuffer(8 + SIGN_BYTES);
  private queue: WireEvent[] = [];
  private arena = new Uint8Array(ARENA_BYTES);
  private view = new DataView(this.arena.buffer);
  private used = 0;
  private names: string[] = [];
  private nameIds = new Map<string, number>();
  private scheduled = false;
  private signer: NoteSigner | undefined;
  private failure: Error | undefined;
  private waiters = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private readonly batch: number;

  constructor(readonly pipeline: PipelineOptions) {
    super(pipeline);
    checkOptions(pipeline);
    this.profileDigest = profileDigest(pipeline.profile);
    this.batch = pipeline.batch ?? 512;
    // The clock stays on this thread (the worker gets plain options): it stamps the events, the worker only orders them.
    const { escrow, clock: _clock, ...rest } = pipeline;
    this.worker = new Worker(workerPath(), {
      workerData: {
        options: rest, t0: this.now(), channel: this.channel,
        escrow: escrow ? { path: escrow.path, key: escrow.auditorPublicKey, ...(escrow.coins ? { coins: escrow.coins } : {}) } : undefined,
      },
    });
    this.worker.on('message', (m: { id?: number; ok?: boolean; value?: unknown; error?: string; sign?: boolean }) => {
      if (m.sign) return this.answerSign();
      const w = m.id === undefined ? undefined : this.waiters.get(m.id);
      if (!w) return;
      this.waiters.delete(m.id!);
      if (m.ok) w.resolve(m.value);
      else w.reject(this.fail(m.error ?? 'recorder worker failed'));
    });
    this.worker.on('error', (e) => this.fail(e.message));
    this.worker.on('exit', () => { if (!this.halted) this.fail('the recorder worker exited'); });
  }

  protected now(): number {
    return this.pipeline.clock ? this.pipeline.clock.next() : Date.now();
  }

  /**
   * An escrow copy makes no tuple (its t is never read), so it takes no stamp of the logical clock: a
   * reproducible run writes the same log with and without --auditor-key. The wall clock path is unchanged.
   */
  override escrowSeed(r: Omit<EscrowRecord, 'kind'>): void {
    if (!this.pipeline.clock) return super.escrowSeed(r);
    this.dispatch({ k: 'escrow', t: this.pipeline.clock.peek(), r });
  }

  protected dispatch(ev: RecorderEvent): void {
    if (ev.k === 'call') return this.call(ev.tenant, ev.op, ev.input, ev.output, ev.status);
    this.enqueue(ev);
  }

  /** A call's bytes go straight into the batch arena: one copy, no allocation, no per-call transfer. */
  override call(tenant: string, op: string, input: Uint8Array, output: Uint8Array, status: number): void {
    if (this.failure) throw this.failure;
    if (!Number.isInteger(status) || status < -(2 ** 31) || status >= 2 ** 31) throw new TypeError(`call status ${status} is not an i32`);
    const need = (CALL_HEADER + input.length + output.length + 7) & ~7;
    if (this.used + need > this.arena.length) this.flush();
    if (need > this.arena.length) { this.arena = new Uint8Array(need); this.view = new DataView(this.arena.buffer); }
    const off = this.used, v = this.view;
    v.setFloat64(off, this.now(), true);
    v.setInt32(off + 8, status, true);
    v.setUint16(off + 12, this.nameId(tenant), true);
    v.setUint16(off + 14, this.nameId(op), true);
    v.setUint32(off + 16, input.length, true);
    v.setUint32(off + 20, output.length, true);
    this.arena.set(input, off + CALL_HEADER);
    this.arena.set(output, off + CALL_HEADER + input.length);
    this.used += need;
    const last = this.queue[this.queue.length - 1];
    if (last?.k === 'calls') last.count++;
    else this.queue.push({ k: 'calls', count: 1 });
    if (!this.scheduled) { this.scheduled = true; setImmediate(() => this.flush()); }
  }

  private nameId(name: string): number {
    let id = this.nameIds.get(name);
    if (id === undefined) { id = this.names.length; this.names.push(name); this.nameIds.set(name, id); }
    return id;
  }

  private enqueue(ev: WireEvent): void {
    if (this.failure) throw this.failure;
    this.queue.push(ev);
    if (this.queue.length >= this.batch) this.flush();
    else if (!this.scheduled) { this.scheduled = true; setImmediate(() => this.flush()); }
  }

  override setSigner(signer: NoteSigner): void {
    this.signer = signer;
    super.setSigner(signer);
  }

  /** Resolves when every event so far is a durable tuple. */
  async durable(): Promise<void> {
    await this.durableCheckpoints();
  }

  /** durable(), with the checkpoints made durable since the last call. */
  durableCheckpoints(): Promise<Checkpoint[]> {
    return this.request('durable') as Promise<Checkpoint[]>;
  }

  async halt(): Promise<Halted> {
    try {
      this.dispatch({ k: 'halt', t: this.now() });
      return (await this.request('halt')) as Halted;
    } finally {
      this.halted = true;
      await this.worker.terminate();
    }
  }

  private flush(): void {
    this.scheduled = false;
    if (this.queue.length === 0) return;
    const events = this.queue;
    const arena = this.arena.subarray(0, this.used);
    const names = this.names;
    this.queue = [];
    this.arena = new Uint8Array(ARENA_BYTES);
    this.view = new DataView(this.arena.buffer);
    this.used = 0;
    this.names = [];
    this.nameIds.clear();
    // Move the arena and the escrowed seeds, not clone them: no copy stays on this thread.
    const transfer: ArrayBuffer[] = [arena.buffer as ArrayBuffer];
    for (const e of events) if (e.k === 'escrow') transfer.push(e.r.seed.buffer as ArrayBuffer);
    this.worker.postMessage({ events, arena, names }, transfer);
  }

  private request(what: 'durable' | 'halt'): Promise<unknown> {
    this.flush();
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiters.set(id, { resolve, reject });
      this.worker.postMessage({ request: what, id });
    });
  }

  /** The worker waits on the channel: sign the note text it left there and wake it. */
  private answerSign(): void {
    const state = new Int32Array(this.channel, 0, 2);
    const bytes = new Uint8Array(this.channel, 8);
    try {
      if (!this.signer) throw new AwreError('RECORDER_STATE', 'checkpoint before the attestation key exists');
      const sig = this.signer.sign(bytes.slice(0, state[1]!));
      bytes.set(sig);
      state[1] = sig.length;
    } catch {
      state[1] = -1;
    }
    Atomics.store(state, 0, ANSWERED);
    Atomics.notify(state, 0);
  }

  private fail(message: string): Error {
    this.failure ??= new AwreError('LOG_IO', `recorder: ${message}`);
    for (const w of this.waiters.values()) w.reject(this.failure);
    this.waiters.clear();
    void this.worker.terminate(); // a failed recorder must not keep the process alive
    return this.failure;
  }

  private halted = false;

  /** Stop without a halt (the session failed to start): the worker goes, what was written stays. */
  async abort(): Promise<void> {
    this.halted = true;
    await this.worker.terminate();
  }
}
