// The ABW34 recorder: turns the events of the enclave tenants, WAVEN and the
// QRNG feed into tuples (docs/abw34.md), appends them durably, keeps the
// RFC 6962 tree, and signs checkpoints with the attestation key: once the
// key exists (the boot checkpoint), every `checkpointEvery` tuples, and at
// halt. The writer is an interface so that a replay can record to memory.
import type { FeedEvent } from '../host/qrng/feed.js';
import type { SeedEvent } from '../host/qrng/seeder.js';
import { AwreError } from '../host/errors.js';
import { PageTables } from '../host/waven/tables.js';
import type { PhysicalMemory } from '../host/waven/physical.js';
import type { MmuEvent } from '../host/waven/space.js';
import { MerkleTree } from './merkle.js';
import { checkpointBody, signNote, type NoteSigner } from './note.js';
import { ABW, GENESIS_PREV, VERSION, canonical, digest, profileDigest, tupleLeaf, type Profile, type Tuple } from './tuple.js';

/** Where tuple lines go: the durable log file, or memory (a replay). */
export interface TupleSink {
  append(line: string): void;
  durable(): Promise<void>;
  close(): void;
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
  /** Wall clock in ms (a replay passes the recorded times). */
  clock?: (seq: number) => number;
  escrow?: EscrowSink;
  /** The seeder's reseed threshold, recorded so that a replay reseeds at the same points. */
  reseedAfter?: number;
}

const EMPTY_PT = new PageTables().hashes();

export class Recorder {
  readonly tree = new MerkleTree();
  readonly profileDigest: string;
  readonly checkpointEvery: number;
  readonly checkpoints: string[] = [];
  private prev = GENESIS_PREV;
  private lastT = 0;
  private signer: NoteSigner | undefined;
  private sinceCheckpoint = 0;
  private halted = false;
  private readonly pt = new Map<string, { r: string; w: string }>();

  constructor(private readonly sink: TupleSink, readonly options: RecorderOptions) {
    this.profileDigest = profileDigest(options.profile);
    this.checkpointEvery = options.checkpointEvery ?? 1000;
    if (!Number.isSafeInteger(this.checkpointEvery) || this.checkpointEvery < 1) {
      throw new RangeError(`"checkpointEvery" expected an integer >= 1, got ${options.checkpointEvery}`);
    }
    this.append({ kind: 'boot', boot: { profile: options.profile, origin: options.origin, checkpointEvery: this.checkpointEvery, reseedAfter: options.reseedAfter } });
  }

  get size(): number {
    return this.tree.size;
  }

  /** Subscribe to a physical memory's tenants, table changes and faults (before any tenant exists). */
  attach(phys: PhysicalMemory): void {
    phys.spaces.onCreate((tenant, exception) => {
      this.pt.set(tenant, EMPTY_PT);
      this.append({ kind: 'boot', tenant, boot: { exception }, pt: EMPTY_PT });
    });
    phys.spaces.onEvent((e: MmuEvent) => {
      this.pt.set(e.instance, e.pt);
      const mmu: Tuple['mmu'] = { page: e.page, frame: e.frame, rights: e.rights };
      if (e.from) mmu!.from = { tenant: e.from.instance, page: e.from.page };
      this.append({ kind: e.kind, tenant: e.instance, pt: e.pt, exc: e.exc.map((x) => ({ page: x.page, table: x.table, on: x.on })), mmu });
    });
    phys.onFault((f) => this.append({ kind: 'fault', tenant: f.instance, pt: this.pt.get(f.instance), fault: { offset: f.offset } }));
  }

  /** A seed or reseed of a tenant's DRBG (the commitment, never the seed). */
  seed(e: SeedEvent): void {
    const { kind, tenant, ...qrng } = e;
    this.append({ kind, tenant, pt: this.pt.get(tenant), qrng: qrng as unknown as Record<string, unknown> });
  }

  /** A health failure or reset of the feed. */
  feed(e: FeedEvent): void {
    if (e.kind === 'qrng-startup') return; // every seed tuple carries the start-up state
    this.append({ kind: 'health', qrng: e as unknown as Record<string, unknown> });
  }

  /** A call into a tenant: digests of its input and output, its status; the input goes to the escrow. */
  call(tenant: string, op: string, input: Uint8Array, output: Uint8Array, status: number): void {
    this.options.escrow?.input(this.size, input);
    this.append({ kind: 'call', tenant, pt: this.pt.get(tenant), call: { op, in: digest(input), out: digest(output), status } });
  }

  /** Start signing: the first checkpoint follows at once (the boot checkpoint). */
  setSigner(signer: NoteSigner): void {
    this.signer = signer;
    this.checkpoint();
  }

  /** A signed checkpoint over every tuple so far, appended as a tuple. */
  checkpoint(): string {
    if (!this.signer) throw new AwreError('RECORDER_STATE', 'checkpoint before the attestation key exists');
    const size = this.size;
    const root = this.tree.root();
    const t = this.nextT(size);
    const note = signNote(checkpointBody(this.options.origin, size, root, t), this.signer);
    this.sinceCheckpoint = 0; // the checkpoint tuple itself does not count
    this.append({ kind: 'checkpoint', checkpoint: { size, root: Buffer.from(root).toString('hex'), note } }, t);
    this.checkpoints.push(note);
    return note;
  }

  /** The halt tuple, the final checkpoint, everything durable, the sinks closed. */
  async halt(): Promise<{ tuples: number; checkpoint: string }> {
    this.append({ kind: 'halt', halt: { tuples: this.size + 1 } });
    const note = this.checkpoint();
    this.halted = true;
    await this.sink.durable();
    this.sink.close();
    this.options.escrow?.close();
    return { tuples: this.size, checkpoint: note };
  }

  /** Resolves when every tuple so far is durable. */
  durable(): Promise<void> {
    return this.sink.durable();
  }

  private nextT(seq: number): number {
    return Math.max(this.lastT, this.options.clock ? this.options.clock(seq) : Date.now());
  }

  private append(fields: Omit<Tuple, 'abw' | 'v' | 'seq' | 't' | 'profile' | 'prev'>, forcedT?: number): void {
    if (this.halted) throw new AwreError('RECORDER_STATE', `a ${fields.kind} tuple after halt`);
    const seq = this.size;
    const t = forcedT ?? this.nextT(seq);
    const tuple: Record<string, unknown> = { abw: ABW, v: VERSION, seq, t, profile: this.profileDigest, prev: this.prev };
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) tuple[k] = v;
    const line = canonical(tuple);
    this.sink.append(line);
    const leaf = tupleLeaf(line);
    this.tree.append(leaf);
    this.prev = Buffer.from(leaf).toString('hex');
    this.lastT = t;
    if (this.signer && fields.kind !== 'checkpoint' && fields.kind !== 'halt' && ++this.sinceCheckpoint >= this.checkpointEvery) this.checkpoint();
  }
}
