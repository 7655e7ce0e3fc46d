// The ABW34 recorder: events of the enclave tenants, WAVEN and the QRNG feed
// become tuples (docs/abw34.md), appended in order, hashed into the RFC 6962
// tree, and signed into checkpoints by the attestation key: once the key
// exists (the boot checkpoint), every `checkpointEvery` tuples, and at halt.
//
// Two layers. TupleBuilder turns events into lines, deterministically from
// the events and their times (the same code in the live recorder's worker
// and in an auditor's replay). A front end turns the harness's callbacks
// into events: Recorder applies them at once (a replay, to memory);
// PipelinedRecorder (pipeline.ts) ships them to a worker thread that builds,
// writes and fsyncs, so the harness pays only for copying the bytes.
import type { FeedEvent } from '../host/qrng/feed.js';
import type { EscrowRecord, SeedEvent } from '../host/qrng/seeder.js';
import { AwreError } from '../host/errors.js';
import { PageTables } from '../host/waven/tables.js';
import type { PhysicalMemory } from '../host/waven/physical.js';
import type { MmuEvent } from '../host/waven/space.js';
import type { RunCertificate } from './certificate.js';
import { MerkleTree } from './merkle.js';
import { checkpointBody, signNote, type NoteSigner } from './note.js';
import { ABW, GENESIS_PREV, VERSION, canonical, digest, profileDigest, tupleLeaf, type Profile, type Tuple } from './tuple.js';

/** Where tuple lines go: the durable log file, or memory (a replay). */
export interface TupleSink {
  append(line: string): void;
  durable(): Promise<void>;
  close(): void;
}

/** Lines kept in memory (a replay; a benchmark's synthetic log). */
export class MemorySink implements TupleSink {
  readonly lines: string[] = [];
  append(line: string): void { this.lines.push(line); }
  durable(): Promise<void> { return Promise.resolve(); }
  close(): void {}
}

/** Escrow of what a replay needs (seeds, call inputs); see escrow.ts. */
export interface EscrowSink {
  seed(record: { tenant: string; epoch: number; commitment: string; seed: Uint8Array; material: unknown }): void;
  input(seq: number, input: Uint8Array): void;
  close(): void;
}

export interface RecorderOptions {
  profile: Profile;
  /** The log's origin (checkpoint first line, signature key name). */
  origin: string;
  checkpointEvery?: number;
  /** The seeder's reseed threshold, recorded so that a replay reseeds at the same points. */
  reseedAfter?: number;
}

/** What happened, with the wall-clock time it happened at. */
export type RecorderEvent =
  | { k: 'tenant'; t: number; tenant: string; exception: number }
  | { k: 'mmu'; t: number; e: MmuEvent }
  | { k: 'fault'; t: number; tenant: string; offset: number }
  | { k: 'seed'; t: number; e: SeedEvent }
  | { k: 'escrow'; t: number; r: Omit<EscrowRecord, 'kind'> }
  | { k: 'feed'; t: number; e: FeedEvent }
  | { k: 'call'; t: number; tenant: string; op: string; input: Uint8Array; output: Uint8Array; status: number }
  | { k: 'signer'; t: number; name: string; publicKey: Uint8Array }
  | { k: 'certificate'; t: number; cert: RunCertificate; sig: string }
  | { k: 'checkpoint'; t: number }
  | { k: 'halt'; t: number };

const EMPTY_PT = new PageTables().hashes();

/** A checkpoint as written: the size of the tree it signs and its signed note. */
export interface Checkpoint { size: number; note: string }

/** What a halt leaves: the tuple count, the final checkpoint, and every checkpoint (size and signed note). */
export interface Halted {
  tuples: number;
  checkpoint: string;
  checkpoints: { size: number; note: string }[];
}

export function halted(b: TupleBuilder): Halted {
  return { tuples: b.size, checkpoint: b.checkpoints[b.checkpoints.length - 1]!.note, checkpoints: b.checkpoints };
}

export function checkOptions(o: RecorderOptions): number {
  const every = o.checkpointEvery ?? 1000;
  if (!Number.isSafeInteger(every) || every < 1) throw new RangeError(`"checkpointEvery" expected an integer >= 1, got ${o.checkpointEvery}`);
  return every;
}

/** Events in, tuple lines out, in order. */
export class TupleBuilder {
  readonly tree = new MerkleTree();
  readonly profileDigest: string;
  readonly checkpointEvery: number;
  /** Every checkpoint so far: the size of the tree it signs, and the signed note. */
  readonly checkpoints: { size: number; note: string }[] = [];
  private prev = GENESIS_PREV;
  private lastT = 0;
  private signer: NoteSigner | undefined;
  private sinceCheckpoint = 0;
  private halted = false;
  private readonly pt = new Map<string, { r: string; w: string }>();

  /**
   * `signerFor` turns the public half announced by a 'signer' event into a
   * signer (the vault itself in a replay; a proxy to it in the worker).
   */
  constructor(
    private readonly sink: TupleSink, readonly options: RecorderOptions, t0: number,
    private readonly signerFor: (name: string, publicKey: Uint8Array) => NoteSigner, private readonly escrow?: EscrowSink,
  ) {
    this.profileDigest = profileDigest(options.profile);
    this.checkpointEvery = checkOptions(options);
    this.append(t0, { kind: 'boot', boot: { profile: options.profile, origin: options.origin, checkpointEvery: this.checkpointEvery, reseedAfter: options.reseedAfter } });
  }

  get size(): number {
    return this.tree.size;
  }

  apply(ev: RecorderEvent): void {
    switch (ev.k) {
      case 'tenant':
        this.pt.set(ev.tenant, EMPTY_PT);
        return this.append(ev.t, { kind: 'boot', tenant: ev.tenant, boot: { exception: ev.exception }, pt: EMPTY_PT });
      case 'mmu': {
        const e = ev.e;
        this.pt.set(e.instance, e.pt);
        const mmu: NonNullable<Tuple['mmu']> = { page: e.page, frame: e.frame, rights: e.rights };
        if (e.from) mmu.from = { tenant: e.from.instance, page: e.from.page };
        return this.append(ev.t, { kind: e.kind, tenant: e.instance, pt: e.pt, exc: e.exc.map((x) => ({ page: x.page, table: x.table, on: x.on })), mmu });
      }
      case 'fault':
        return this.append(ev.t, { kind: 'fault', tenant: ev.tenant, pt: this.pt.get(ev.tenant), fault: { offset: ev.offset } });
      case 'seed': {
        const { kind, tenant, ...qrng } = ev.e;
        return this.append(ev.t, { kind, tenant, pt: this.pt.get(tenant), qrng: qrng as unknown as Record<string, unknown> });
      }
      case 'escrow':
        this.escrow?.seed(ev.r);
        ev.r.seed.fill(0);
        return;
      case 'feed':
        if (ev.e.kind === 'qrng-startup') return; // every seed tuple carries the start-up state
        return this.append(ev.t, { kind: 'health', qrng: ev.e as unknown as Record<string, unknown> });
      case 'call':
        this.escrow?.input(this.size, ev.input);
        return this.appendCall(ev.t, ev.tenant, ev.op, digest(ev.input), digest(ev.output), ev.status);
      case 'certificate':
        return this.append(ev.t, { kind: 'certificate', certificate: { cert: ev.cert, sig: ev.sig } });
      case 'signer':
        this.signer = this.signerFor(ev.name, ev.publicKey);
        this.checkpoint(ev.t);
        return;
      case 'checkpoint':
        this.checkpoint(ev.t);
        return;
      case 'halt':
        this.append(ev.t, { kind: 'halt', halt: { tuples: this.size + 1 } });
        this.checkpoint(this.lastT, true);
        this.halted = true;
        this.escrow?.close();
        return;
    }
  }

  private checkpoint(at: number, final = false): void {
    if (!this.signer) throw new AwreError('RECORDER_STATE', 'checkpoint before the attestation key exists');
    const size = this.size;
    const root = this.tree.root();
    const t = Math.max(this.lastT, at);
    const note = signNote(checkpointBody(this.options.origin, size, root, t, final), this.signer);
    this.sinceCheckpoint = 0; // the checkpoint tuple itself does not count
    this.append(t, { kind: 'checkpoint', checkpoint: { size, root: Buffer.from(root).toString('hex'), note } });
    this.checkpoints.push({ size, note });
  }

  /**
   * The hot path: a call tuple written straight in RFC 8785 order (keys
   * sorted at every level: abw, call{in, op, out, status}, kind, prev,
   * profile, pt{r, w}, seq, t, tenant, v). tests/recorder.test.ts checks
   * every line against the generic canonicalize.
   */
  private appendCall(at: number, tenant: string, op: string, inD: string, outD: string, status: number): void {
    if (this.halted) throw new AwreError('RECORDER_STATE', 'a call tuple after halt');
    if (!Number.isSafeInteger(status)) throw new TypeError(`call status ${status} is not an integer`);
    const t = Math.max(this.lastT, at);
    const pt = this.pt.get(tenant);
    const line = `{"abw":${ABW},"call":{"in":"${inD}","op":${JSON.stringify(op)},"out":"${outD}","status":${status}},"kind":"call","prev":"${this.prev}",` +
      `"profile":"${this.profileDigest}",${pt ? `"pt":{"r":"${pt.r}","w":"${pt.w}"},` : ''}"seq":${this.size},"t":${t},"tenant":${JSON.stringify(tenant)},"v":${VERSION}}`;
    this.commit(line, t, 'call');
  }

  private append(at: number, fields: Omit<Tuple, 'abw' | 'v' | 'seq' | 't' | 'profile' | 'prev'>): void {
    if (this.halted) throw new AwreError('RECORDER_STATE', `a ${fields.kind} tuple after halt`);
    const t = Math.max(this.lastT, at);
    const tuple: Record<string, unknown> = { abw: ABW, v: VERSION, seq: this.size, t, profile: this.profileDigest, prev: this.prev };
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) tuple[k] = v;
    this.commit(canonical(tuple), t, fields.kind);
  }

  private commit(line: string, t: number, kind: Tuple['kind']): void {
    this.sink.append(line);
    const leaf = tupleLeaf(line);
    this.tree.append(leaf);
    this.prev = Buffer.from(leaf).toString('hex');
    this.lastT = t;
    // Auto checkpoints take the time of the tuple before them, so a replay puts them at the same t.
    if (this.signer && kind !== 'checkpoint' && kind !== 'halt' && ++this.sinceCheckpoint >= this.checkpointEvery) this.checkpoint(t);
  }
}

/**
 * The clock of a reproducible run (`awre run --deterministic`, docs/qrng.md
 * "Reproducible runs"): a counter instead of the wall clock, so two runs of
 * the same sim seed stamp the same `t` on every tuple on any machine. The
 * first stamp (the boot tuple) is `start`; each later stamp is `step` more.
 * A front end takes one stamp per event it hands the builder (escrow copies
 * excepted: they make no tuple, and a run must log the same with and without
 * an escrow). Times stay integers from the Unix epoch (0) up, as docs/abw34.md
 * asks of `t`; verify's checks (integer, non-decreasing) hold unchanged, and a
 * replay takes the logged times as it does for a wall clock.
 */
export class LogicalClock {
  private n = 0;
  constructor(readonly start = 0, readonly step = 1) {
    if (!Number.isSafeInteger(start) || start < 0) throw new RangeError(`"start" expected a safe integer >= 0, got ${start}`);
    if (!Number.isSafeInteger(step) || step < 1) throw new RangeError(`"step" expected a safe integer >= 1, got ${step}`);
  }

  /** The time the next stamp will be (the clock does not move). */
  peek(): number {
    return this.start + this.step * this.n;
  }

  /** Stamp an event: its time, and the clock moves on by one step. */
  next(): number {
    const t = this.peek();
    this.n++;
    return t;
  }
}

/** What the harness talks to: the same surface for the live (pipelined) and the replay (direct) recorder. */
export abstract class RecorderFront {
  constructor(readonly options: RecorderOptions) {}
  protected abstract dispatch(ev: RecorderEvent): void;
  protected abstract now(): number;
  abstract readonly profileDigest: string;
  abstract durable(): Promise<void>;
  /** durable(), with the checkpoints made durable since the previous call (for witnesses, while the run goes on). */
  abstract durableCheckpoints(): Promise<Checkpoint[]>;
  abstract halt(): Promise<Halted>;
  /** Stop without a halt tuple (a session that failed to start). */
  abstract abort(): Promise<void>;

  /** Subscribe to a physical memory's tenants, table changes and faults (before any tenant exists). */
  attach(phys: PhysicalMemory): void {
    phys.spaces.onCreate((tenant, exception) => this.dispatch({ k: 'tenant', t: this.now(), tenant, exception }));
    phys.spaces.onEvent((e) => this.dispatch({ k: 'mmu', t: this.now(), e }));
    phys.onFault((f) => this.dispatch({ k: 'fault', t: this.now(), tenant: f.instance, offset: f.offset }));
  }

  seed(e: SeedEvent): void { this.dispatch({ k: 'seed', t: this.now(), e }); }
  /** The escrow copy of a seed (owned by the recorder from here on). */
  escrowSeed(r: Omit<EscrowRecord, 'kind'>): void { this.dispatch({ k: 'escrow', t: this.now(), r }); }
  feed(e: FeedEvent): void { this.dispatch({ k: 'feed', t: this.now(), e }); }
  /** A call into a tenant: digests of its input and output, its status; the input goes to the escrow. */
  call(tenant: string, op: string, input: Uint8Array, output: Uint8Array, status: number): void {
    // Fresh copies with their own buffers (a Buffer's slice() would be a view of a shared pool).
    this.dispatch({ k: 'call', t: this.now(), tenant, op, input: new Uint8Array(input), output: new Uint8Array(output), status });
  }
  /** The node identity's certificate of this run (recorder/certificate.ts), signature base64. */
  certificate(cert: RunCertificate, sig: Uint8Array): void { this.dispatch({ k: 'certificate', t: this.now(), cert, sig: Buffer.from(sig).toString('base64') }); }
  /** Start signing with the attestation key: the boot checkpoint follows at once. */
  setSigner(signer: NoteSigner): void { this.dispatch({ k: 'signer', t: this.now(), name: signer.name, publicKey: signer.publicKey }); }
  checkpoint(): void { this.dispatch({ k: 'checkpoint', t: this.now() }); }
}

/** The direct front end: events applied at once (a replay records to memory with the logged clock). */
export class Recorder extends RecorderFront {
  readonly builder: TupleBuilder;
  private signer: NoteSigner | undefined;

  constructor(private readonly sink: TupleSink, options: RecorderOptions & { clock?: (seq: number) => number; escrow?: EscrowSink }) {
    super(options);
    this.clock = options.clock ?? (() => Date.now());
    this.builder = new TupleBuilder(sink, options, this.clock(0), () => this.signer!, options.escrow);
  }

  private readonly clock: (seq: number) => number;
  get profileDigest(): string { return this.builder.profileDigest; }
  get size(): number { return this.builder.size; }
  protected now(): number { return this.clock(this.builder.size); }
  protected dispatch(ev: RecorderEvent): void { this.builder.apply(ev); }
  override setSigner(signer: NoteSigner): void { this.signer = signer; super.setSigner(signer); }
  durable(): Promise<void> { return this.sink.durable(); }
  private sentCheckpoints = 0;
  async durableCheckpoints(): Promise<Checkpoint[]> {
    await this.sink.durable();
    const c = this.builder.checkpoints.slice(this.sentCheckpoints);
    this.sentCheckpoints = this.builder.checkpoints.length;
    return c;
  }
  async abort(): Promise<void> { this.sink.close(); }

  async halt(): Promise<Halted> {
    this.dispatch({ k: 'halt', t: this.now() });
    await this.sink.durable();
    this.sink.close();
    return halted(this.builder);
  }
}
