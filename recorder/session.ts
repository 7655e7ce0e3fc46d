// A recorded session: the tenants, the attestation key, the QRNG seeding and
// the recorder wired together, so that every step leaves its tuples. The same
// class runs a live session (`awre run`) and an auditor's replay (seeds from
// the escrow, tuples to memory, the recorded clock), which must then write
// the same tuples bit for bit.
//
// The attestation tenant is seeded by a seeder of its own that escrows
// nothing (issue 14): the escrow holds no seed from which the attestation key
// or its signatures' randomness could be rebuilt, so an escrow and the
// auditor key cannot sign as the node. A replay therefore does not rebuild
// the key: it takes the attestation tenant's seed tuple, the public key and
// each checkpoint's signature from the log (LoggedAttestation), and the
// verifier checks those signatures against the key instead.
import { ABI_VERSION } from '../abi/lengths.js';
import { concatBytes, leBytes } from '../host/bytes.js';
import { Enclave } from '../host/enclave/enclave.js';
import { moduleDigest, readModule } from '../host/enclave/module.js';
import type { QrngFeed } from '../host/qrng/feed.js';
import { OS_MIX_BYTES, condition } from '../host/qrng/condition.js';
import { DrbgSeeder, type SeedEvent, type SeedProvider } from '../host/qrng/seeder.js';
import { TenantPair, type Handshake, type TenantRole } from '../host/tenants.js';
import { awreVersion } from '../host/version.js';
import { PhysicalMemory } from '../host/waven/physical.js';
import { VaultSigner } from './attest.js';
import type { SyncMode } from './log.js';
import { createHash } from 'node:crypto';
import { certificateMessage, type RunCertificate } from './certificate.js';
import type { NoteSigner } from './note.js';
import { fingerprint, OpenNode } from './node.js';
import { PipelinedRecorder } from './pipeline.js';
import { Recorder, RecorderFront, type Checkpoint, type EscrowSink, type Halted, type LogicalClock, type TupleSink } from './recorder.js';
import { sessionStatement, signDsse, type DsseEnvelope } from './summary.js';

/** Live: a log file written by the pipelined recorder (and an escrow beside it). Replay: a sink in memory. */
export type SessionRecord =
  | { log: string; sync?: SyncMode; escrow?: { path: string; auditorPublicKey: Uint8Array; coins?: Uint8Array }; clock?: LogicalClock }
  | { sink: TupleSink; escrow?: EscrowSink; clock?: (seq: number) => number };

export interface SessionOptions {
  record: SessionRecord;
  provider: SeedProvider;
  /** The live feed, for its health events (absent in a replay). */
  feed?: QrngFeed;
  origin: string;
  checkpointEvery?: number;
  /** The instrumented module (default build/enclave.waven.wasm). */
  module?: Uint8Array;
  reseedAfter?: number;
  /** Replay: the attestation tenant as the log recorded it, instead of a key made from a seed. */
  attestFromLog?: LoggedAttestation;
  /** Live: the node directory (awre init) whose identity certifies this run's attestation key. */
  node?: string;
  /** Live, with a node: the auditor's challenge (hex) the certificate carries. */
  challenge?: string;
  /** Hears each checkpoint once it is durable, in order: at boot, after each handshake, and at halt (the witnesses' feed). */
  onCheckpoints?: (checkpoints: Checkpoint[]) => void;
  /**
   * Mix OS entropy into the attestation tenant's seeds (default true; see osMixed below). Only a
   * reproducible run (awre run --deterministic, docs/qrng.md) turns it off: its attestation key and
   * signatures then come from the feed alone, the seed tuple says osMixed:false, and verify warns
   * (attest-seed-unmixed) that anyone who knows the sim seed can sign as this run.
   */
  attestOsMix?: boolean;
}

/**
 * The attestation tenant's seeds are always mixed with OS entropy, whatever
 * the feed does: a reproducible source (sim:) must never make a reproducible
 * attestation key, or anyone who guesses the sim seed could sign as the run
 * (review finding). seed' = condition(seed, 48 OS bytes) (docs/qrng.md's
 * conditioning), osMixed true. The one exception is asked for by name:
 * `attestOsMix: false`, a reproducible run (docs/qrng.md, "Reproducible
 * runs"), which is exactly a run anyone with the sim seed can redo; the log
 * says so (osMixed:false) and verify flags it.
 */
function osMixed(p: SeedProvider): SeedProvider {
  return {
    seedFor: async (req) => {
      const m = await p.seedFor(req);
      if (m.osMixed) return m;
      const os = globalThis.crypto.getRandomValues(new Uint8Array(OS_MIX_BYTES));
      const seed = condition(m.seed, os);
      m.seed.fill(0);
      os.fill(0);
      return { ...m, seed, osMixed: true };
    },
  };
}

/** What a replay takes from the log for the attestation tenant (see the head of this file). */
export interface LoggedAttestation {
  /** The attestation tenant's seed tuple, as an event (kind, tenant and its qrng members). */
  seed: SeedEvent;
  /** Signs exactly the messages the log holds signatures for, with those signatures. */
  signer: NoteSigner;
  /** The run certificate tuple, when the log has one. */
  certificate?: { cert: RunCertificate; sig: string };
}


export class RecordedSession {
  readonly recorder: RecorderFront;
  readonly pair: TenantPair;
  readonly attest: Enclave;
  readonly seeder: DrbgSeeder;
  /** The attestation tenant's seeder: the same feed, no escrow. */
  private readonly attestSeeder: DrbgSeeder;
  readonly physical = new PhysicalMemory();
  signer!: NoteSigner;
  /** With a node: its identity, open in the attestation tenant's vault, and this run's certificate. */
  node?: OpenNode;
  certificate?: RunCertificate;
  /** The identity's signature of `certificate`, base64 (what a witness's enroll-run takes with it). */
  certificateSig?: string;
  private readonly module: Uint8Array;

  private constructor(readonly options: SessionOptions) {
    this.module = options.module ?? readModule('enclave.waven.wasm');
    const profile = { module: moduleDigest(this.module), abi: ABI_VERSION, mmu: 'waven' as const, awre: awreVersion() };
    this.seeder = new DrbgSeeder(options.provider, {
      ...(options.reseedAfter === undefined ? {} : { reseedAfter: options.reseedAfter }),
      escrow: (r) => { const { kind: _, ...rest } = r; this.recorder.escrowSeed(rest); },
      onEvent: (e) => this.recorder.seed(e),
    });
    this.attestSeeder = new DrbgSeeder(options.attestOsMix === false ? options.provider : osMixed(options.provider), {
      ...(options.reseedAfter === undefined ? {} : { reseedAfter: options.reseedAfter }),
      onEvent: (e) => this.recorder.seed(e),
    });
    const ro = { profile, origin: options.origin, checkpointEvery: options.checkpointEvery, reseedAfter: this.seeder.reseedAfter };
    const rec = options.record;
    this.recorder = 'log' in rec
      ? new PipelinedRecorder({ ...ro, log: rec.log, ...(rec.sync ? { sync: rec.sync } : {}), ...(rec.escrow ? { escrow: rec.escrow } : {}), ...(rec.clock ? { clock: rec.clock } : {}) })
      : new Recorder(rec.sink, { ...ro, ...(rec.clock ? { clock: rec.clock } : {}), ...(rec.escrow ? { escrow: rec.escrow } : {}) });
    this.recorder.attach(this.physical);
    options.feed?.onEvent((e) => this.recorder.feed(e));
    this.attest = new Enclave(this.module, { mmu: 'waven', physical: this.physical, instance: 'attest' });
    this.pair = new TenantPair({ module: this.module, physical: this.physical });
  }

  /** Boot: tenants, seeds, the attestation key (then the boot checkpoint), the tenants' long-term keys. */
  static async start(options: SessionOptions): Promise<RecordedSession> {
    const s = new RecordedSession(options);
    try {
      const logged = options.attestFromLog;
      if (logged) s.recorder.seed(logged.seed);
      else await s.attestSeeder.boot(s.attest);
      for (const e of [s.pair.initiator, s.pair.responder]) await s.seeder.boot(e);
      s.signer = logged ? logged.signer : new VaultSigner(s.attest, options.origin);
      s.recorder.call('attest', 'attest-keygen', new Uint8Array(0), s.signer.publicKey, 0);
      if (logged?.certificate) s.recorder.certificate(logged.certificate.cert, Buffer.from(logged.certificate.sig, 'base64'));
      else if (options.node !== undefined) s.certify(options.node, options.challenge);
      s.recorder.setSigner(s.signer);
      const ids = s.pair.makeKeys();
      s.recorder.call('initiator', 'dsa-keygen', new Uint8Array(0), ids.initiator, 0);
      s.recorder.call('responder', 'dsa-keygen', new Uint8Array(0), ids.responder, 0);
      s.heard(await s.recorder.durableCheckpoints()); // acknowledged: the boot is on disk
    } catch (e) {
      s.node?.close();
      await s.recorder.abort();
      throw e;
    }
    return s;
  }

  /**
   * Open the node into the attestation tenant's vault, take the next run
   * number (saved before the run goes on, so a crash still uses it up) and
   * record the identity's certificate of this run's attestation key.
   */
  private certify(dir: string, challenge: string | undefined): void {
    const p = this.recorder.options.profile;
    const node = OpenNode.open(this.attest, dir, p.module);
    this.node = node;
    const run = node.state.runs + 1;
    node.save({ runs: run, last: node.state.last });
    const cert: RunCertificate = {
      kind: 'awre-run-certificate', v: 1, node: fingerprint(node.publicKey), origin: this.options.origin, module: p.module,
      profile: this.recorder.profileDigest, run, prev: node.state.last, attestationKey: Buffer.from(this.signer.publicKey).toString('base64'),
      ...(challenge === undefined ? {} : { challenge }),
    };
    this.certificate = cert;
    const sig = node.sign(certificateMessage(cert));
    this.certificateSig = Buffer.from(sig).toString('base64');
    this.recorder.certificate(cert, sig);
  }

  private checkpointsHeard = 0;
  private heard(cps: Checkpoint[]): void {
    this.checkpointsHeard += cps.length;
    if (cps.length > 0) this.options.onCheckpoints?.(cps);
  }

  /** One PQC1 v2 handshake (reseeding first when a DRBG is due); the call's output is INIT || RESP || FIN. */
  async handshake(timeMs: number): Promise<Handshake> {
    for (const e of [this.pair.initiator, this.pair.responder]) await this.seeder.maybeReseed(e);
    const h = this.pair.handshake(BigInt(timeMs));
    this.recorder.call('initiator', 'handshake', leBytes(timeMs, 8), concatBytes(h.init, h.resp, h.fin), 0);
    this.heard(await this.recorder.durableCheckpoints()); // acknowledged: the handshake (and the frames before it) are on disk
    return h;
  }

  /** One frame from one tenant to the other (the enclave picks the counter); the call's input is u8(from) || data. */
  send(from: TenantRole, h: Handshake, data: Uint8Array): { sealed: Uint8Array; opened: Uint8Array } {
    const r = this.pair.send(from, h, data);
    const input = concatBytes(Uint8Array.of(from === 'initiator' ? 0 : 1), data);
    this.recorder.call(from, 'send', input, concatBytes(r.sealed, r.opened), 0);
    return r;
  }

  close(h: Handshake): void {
    this.pair.close(h);
    this.recorder.call('initiator', 'close', new Uint8Array(0), new Uint8Array(0), 0);
  }

  /** Halt: the halt tuple and the final checkpoint, then the signed session summary (DSSE). */
  async halt(): Promise<Halted & { summary: DsseEnvelope }> {
    const r = await this.recorder.halt();
    this.heard(r.checkpoints.slice(this.checkpointsHeard));
    const p = this.recorder.options.profile;
    const statement = sessionStatement('enclave.waven.wasm', p.module, {
      origin: this.options.origin, profile: p, profileDigest: this.recorder.profileDigest, tuples: r.tuples,
      checkpoint: r.checkpoint, tables: Object.fromEntries(['attest', 'initiator', 'responder'].map((t) => [t, this.physical.spaces.tables(t).hashes()])),
    });
    // The node's state now names this run as the last that finished.
    if (this.node && this.certificate) {
      this.node.save({ runs: this.certificate.run, last: { run: this.certificate.run, note: createHash('sha256').update(r.checkpoint).digest('hex') } });
      this.node.close();
    }
    return { ...r, summary: signDsse(statement, this.signer) };
  }
}
