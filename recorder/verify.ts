// The auditor's verifier (docs/abw34.md, "Verification"; docs/verify.md): a
// pure function of the log's bytes, the attestation public key, a policy and
// an earlier checkpoint. It streams: lines are taken from chunks split
// anywhere, checked one by one against state that does not grow with the
// log (a Merkle frontier, each tenant's tables, capped findings), so memory
// is bounded whatever the log's size. No I/O here but verifyFile's reading.
// Each failure is a finding {event, severity, seq, got, expected}; an
// untouched log of a clean run gives none, and no input makes it throw.
import { equalBytes, fromBase64, fromHex, isUtf8, latin1, latin1Text, toBase64, toHex, utf8, utf8Text } from '../host/codec.js';
import { DRBG_RESEED_INTERVAL } from '../abi/lengths.js';
import { concatBytes } from '../host/bytes.js';
import type { Hash } from './merkle.js';
import { streamingTree } from './merkle-wasm.js';
import { checkpointBody, parseCheckpoint, parseNote, verifyNote, type NoteVerify } from './note.js';
import { sourceAllowed, type Policy } from './policy.js';
import { certificateMessage, type RunCertificate } from './certificate.js';
import { checkCosignature, type Verify44 } from './cosign.js';
import { verifyAttestation, verifyCosignature44, verifyIdentity } from './attest.js';
import { quorumMet, type TlogPolicy } from './tlog-policy.js';
import { fingerprint, type NodeIdentity } from './identity.js';
import { shapeProblem } from './schema.js';
import { ABW, GENESIS_PREV, TUPLE_KINDS, VERSION, canonical, digest, profileDigest, type Profile, type Tuple } from './tuple.js';
import { Findings, type Add, type Finding, type Severity } from './verify-findings.js';
import { LineSplitter, MAX_LINE } from './verify-lines.js';
import { matchCall, newCallMatch, sameBytes } from './verify-fast.js';
import { StatsCollector } from './verify-stats.js';
import { TableReplay } from './verify-tables.js';
import type { RunStats } from './stats.js';

export type { Finding, Severity } from './verify-findings.js';
export { MAX_LINE } from './verify-lines.js';
export { MAX_TENANTS, MAX_TABLE_WORK } from './verify-tables.js';

export interface VerifyOptions {
  /**
   * The attestation public key (ML-DSA-65). Optional with `node`: the run
   * certificate then names it; when both are given they must agree.
   */
  key?: Uint8Array;
  /** The node identity (an enrolled identity.pub.json): the log's run certificate must be its signature. */
  node?: NodeIdentity;
  /** The auditor's challenge (hex): the run certificate must carry it. */
  challenge?: string;
  /** A C2SP tlog-policy: the final checkpoint, as `cosigned`, must carry a quorum of its witnesses' cosignatures. */
  witnessPolicy?: TlogPolicy;
  /** The final checkpoint with the witnesses' cosignatures (checkpoint.txt beside the log). */
  cosigned?: string;
  /** Verifies an ML-DSA-44 cosignature (empty context), for `witnessPolicy`; default: the enclave's. */
  verifyCosignature?: Verify44;
  /**
   * The key file's name: the origin of the log it was made for. When given,
   * it must be the log's origin ('key-origin').
   */
  keyName?: string;
  /** Verifies an attestation signature (ML-DSA-65, context "awre-attest-v1"); default: the enclave's (recorder/attest.ts). */
  verify?: NoteVerify;
  /** Verifies an identity signature (context "awre-identity-v1"), for `node`; default: the enclave's. */
  verifyIdentity?: NoteVerify;
  policy?: Policy;
  /** A checkpoint (signed note) the auditor saw earlier: the log must extend it. */
  since?: string;
  /** Tests only: every line through the general path (no call fast path), to show both give the same findings. */
  generalOnly?: boolean;
}

export interface VerifyReport {
  ok: boolean;
  tuples: number;
  checkpoints: number;
  /** The latest verified checkpoint's size and root (hex). */
  verifiedSize: number;
  root: string | null;
  profile: Profile | null;
  /** The run certificate's number and the run it follows (null without a certificate). */
  run: { run: number; prev: { run: number; note: string } | null; node: string } | null;
  /** Which guarantees held (null: not asked). */
  guarantees: { certified: boolean | null; fresh: boolean | null; witnessed: { by: string[]; of: number; quorum: boolean } | null };
  findings: Finding[];
  /** Findings past the cap of FINDINGS_PER_EVENT per event, counted by event (not listed). */
  suppressed: Record<string, number>;
  /** Bytes of the log read. */
  bytes: number;
  /** What the run did, for the HTML report (bounded whatever the log's size). */
  stats: RunStats;
}

/** Signature lines a checkpoint note may carry (signed-note: verifiers accept at least 16). */
const MAX_NOTE_SIGNATURES = 32;
/** JSON nesting a line may have (a tuple has at most 5 levels). */
export const MAX_DEPTH = 16;
/** Seed and reseed tuples whose commitments are remembered (a run has a handful per tenant). */
export const MAX_SEEDS = 65536;
const hex = toHex;

const HEX_CHARS = latin1('0123456789abcdef');

/** Nesting depth of JSON text in `b[s, e)`, counting brackets outside strings; stops past `max`. */
function depthOver(b: Uint8Array, s: number, e: number, max: number): boolean {
  let d = 0;
  let inStr = false;
  for (let i = s; i < e; i++) {
    const c = b[i]!;
    if (inStr) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inStr = false;
    } else if (c === 0x22) inStr = true;
    else if (c === 0x7b || c === 0x5b) { if (++d > max) return true; }
    else if (c === 0x7d || c === 0x5d) d--;
  }
  return false;
}

/** A health tuple's `kind` as text: its free-form qrng object may hold anything (String() on `{toString: 1}` throws). */
function healthKind(k: unknown): string {
  return typeof k === 'string' ? k.slice(0, 64) : 'an unnamed health event';
}

/**
 * Tenant and op names of fast-path lines as strings without decoding each
 * line's bytes: a handful of distinct names recur millions of times.
 */
class NameCache {
  private readonly known: { bytes: Uint8Array; name: string; label: string }[] = [];

  get(b: Uint8Array, s: number, e: number): string {
    const n = e - s;
    for (const k of this.known) if (k.bytes.length === n && sameBytes(b, s, k.bytes, 0, n)) return k.name;
    const name = latin1Text(b, s, e);
    if (this.known.length < 64) this.known.push({ bytes: latin1(name), name, label: `call:${name}` });
    return name;
  }

  /** The timeline label of a call op ('call:<op>'). */
  label(op: string): string {
    for (const k of this.known) if (k.name === op) return k.label;
    return `call:${op}`;
  }
}

interface Checkpoint { seq: number; size: number; root: Uint8Array; computed: boolean }

/**
 * The streaming verifier: push() the log's bytes in chunks of any size,
 * then end() for the report. Equivalent to verifyLog on the whole input.
 */
export class LogVerifier {
  private readonly f = new Findings();
  private readonly add: Add = this.f.add;
  private readonly stats = new StatsCollector();
  private readonly tables: TableReplay;
  private readonly splitter: LineSplitter;
  private readonly tree = streamingTree();
  private readonly m = newCallMatch();
  private readonly names = new NameCache();
  private n = 0;
  private cur: { b: Uint8Array; s: number; e: number } | undefined;
  private prevLeaf: Uint8Array = new Uint8Array(32);
  private lastT = -Infinity;
  private profile: Profile | null = null;
  private profileD: string | undefined;
  private profileBytes: Uint8Array | undefined;
  private origin: string | undefined;
  private every: number | undefined;
  // The attestation key, the certificate, and the node.
  private keyAt = -1;
  private keyOut: string | undefined;
  private certAt = -1;
  private certs = 0;
  private certKey: Uint8Array | undefined;
  private run: VerifyReport['run'] = null;
  private node: NodeIdentity | undefined;
  private attestSeed: { at: number; osMixed: unknown } | undefined;
  // Checkpoints, halt, since.
  private cps = 0;
  private firstCp: number | undefined;
  private lastCp: Checkpoint | undefined;
  private lastNote: string | undefined;
  private inconsistencyReported = false;
  private haltAt = -1;
  private haltTuples: unknown;
  private afterHaltCheckpoint = false;
  private readonly sinceSize: number | undefined;
  private sinceRoot: Hash | undefined;
  // Entropy.
  private readonly booted = new Set<string>();
  private readonly epochs = new Map<string, number>();
  private readonly commitments = new Map<string, number>();
  private seeds = 0;

  private readonly opts: VerifyOptions & Required<Pick<VerifyOptions, 'verify' | 'verifyIdentity' | 'verifyCosignature'>>;

  constructor(options: VerifyOptions) {
    // The signature checks default to the enclave's ML-DSA (a caller may bring its own, say noble's).
    this.opts = {
      ...options,
      verify: options.verify ?? verifyAttestation,
      verifyIdentity: options.verifyIdentity ?? verifyIdentity,
      verifyCosignature: options.verifyCosignature ?? verifyCosignature44,
    };
    const opts = this.opts;
    this.tables = new TableReplay(this.add, this.stats);
    this.splitter = new LineSplitter({
      line: (b, s, e, leaf) => this.line(b, s, e, leaf),
      overlong: (length, leaf, head) => this.overlong(length, leaf, head),
    });
    this.f.onKept = (finding) => {
      const c = this.cur;
      if (c && finding.seq === this.n) this.stats.excerpt(this.n, () => utf8Text(c.b, c.s, c.e));
    };
    this.node = opts.node;
    // Both given: the node must be one the policy enrolled.
    if (opts.node && opts.policy?.nodes && !opts.policy.nodes.some((nd) => fingerprint(fromBase64(nd.publicKey)) === fingerprint(opts.node!.publicKey))) {
      this.add('policy-node', null, 'the node given is not one the policy enrolled', { got: fingerprint(opts.node.publicKey) });
    }
    const since = opts.since === undefined ? undefined : parseNote(opts.since);
    const body = since ? parseCheckpoint(since.text) : undefined;
    this.sinceSize = body && body.size > 0 ? body.size : undefined;
  }

  push(chunk: Uint8Array): void {
    this.splitter.push(chunk);
  }

  /**
   * Whole lines whose leaves a worker hashed (recorder/verify-workers.ts):
   * `buf[1, ...)` holds lines ending at `ends`, `leaves` their hashes in
   * order. Only at a line boundary (nothing pushed and held).
   */
  acceptHashed(h: { buf: Uint8Array; ends: Uint32Array; leaves: Uint8Array }): void {
    if (this.splitter.held !== 0) throw new Error('acceptHashed: the splitter holds an incomplete line');
    let s = 1;
    for (let k = 0; k < h.ends.length; k++) {
      const e = h.ends[k]!;
      const leaf = h.leaves.subarray(32 * k, 32 * k + 32);
      if (e - s > MAX_LINE) this.overlong(e - s, leaf, new Uint8Array(h.buf.subarray(s, s + 256)));
      else this.line(h.buf, s, e, leaf);
      s = e + 1;
    }
    this.splitter.skip(s - 1);
  }

  // ---- per line ---------------------------------------------------------------------------------

  private line(b: Uint8Array, s: number, e: number, leaf: Uint8Array): void {
    const i = this.n;
    this.cur = { b, s, e };
    try {
      if (this.opts.generalOnly || !matchCall(b, s, e, this.m) || !this.fastCall(i, b)) this.general(i, b, s, e);
    } catch (err) {
      this.add('verifier-error', i, `a check stopped on this tuple: ${(err as Error).message}`);
    }
    this.advance(leaf);
  }

  private overlong(length: number, leaf: Uint8Array, head: Uint8Array): void {
    const i = this.n;
    this.add('limit-line-length', i, `a line of ${length} bytes, over the limit of ${MAX_LINE}: not parsed`, { got: length, expected: `<= ${MAX_LINE}` });
    this.stats.excerpt(i, () => `${utf8Text(head)}…`);
    this.advance(leaf);
  }

  private advance(leaf: Uint8Array): void {
    this.tree.append(leaf);
    this.prevLeaf = leaf;
    this.n++;
    this.cur = undefined;
    if (this.tree.size === this.sinceSize) this.sinceRoot = this.tree.root();
  }

  /**
   * The fast path: a call tuple that matched the canonical template
   * (recorder/verify-fast.ts) and is exactly what a clean log holds here:
   * the next seq, no time regression, `prev`, `profile` and `pt` the
   * expected bytes, its tenant booted and seeded. Such a line gives no
   * finding on the general path either; any other line takes the general
   * path, so the findings are the general path's, always. Returns false to
   * send the line there.
   */
  private fastCall(i: number, b: Uint8Array): boolean {
    const m = this.m;
    if (i === 0 || m.seq !== i || m.t < this.lastT || this.profileBytes === undefined) return false;
    // prev and profile are adjacent in the template: one comparison with `prev","profile":"profile`.
    const head = this.expectedHead();
    if (!sameBytes(b, m.prev, head, 0, head.length)) return false;
    const tenant = this.names.get(b, m.tenantStart, m.tenantEnd);
    const cur = this.tables.currentBytes(tenant);
    if (cur === undefined || (cur !== null && !sameBytes(b, m.ptR, cur, 0, cur.length))) return false;
    if (!this.booted.has(tenant) || !this.epochs.has(tenant)) return false;
    const op = this.names.get(b, m.opStart, m.opEnd);
    this.lastT = m.t;
    this.stats.kind(i, this.names.label(op));
    if (op === 'attest-keygen' && this.keyAt < 0) { this.keyAt = i; this.keyOut = latin1Text(b, m.out, m.out + 64); }
    return true;
  }

  /** Any line: strict UTF-8, limits, JSON, canonical form, shape, then the content checks. */
  private general(i: number, b: Uint8Array, s: number, e: number): void {
    let t: Tuple | undefined;
    let text: string | undefined;
    // A tuple is an object: '{' first, as canonical JSON has no whitespace (anything else, an empty
    // line say, is not a tuple, decided without the cost of JSON.parse throwing).
    // The depth limit is looked at before that, so a deeply nested line of any kind is named for it.
    if (e === s) this.add('malformed-json', i, 'an empty line');
    else if (!isUtf8(b.subarray(s, e))) this.add('not-utf8', i, 'the line is not strict UTF-8');
    else if (depthOver(b, s, e, MAX_DEPTH)) this.add('limit-depth', i, `the line nests JSON deeper than ${MAX_DEPTH}: not parsed`, { expected: `<= ${MAX_DEPTH}` });
    else if (b[s] !== 0x7b) this.add('malformed-json', i, 'not a JSON object');
    else {
      text = utf8Text(b, s, e);
      // A SyntaxError's stack trace costs more than the parse; none is needed here.
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 0;
      try {
        const v: unknown = JSON.parse(text);
        if (typeof v === 'object' && v !== null && !Array.isArray(v)) t = v as Tuple;
        else this.add('malformed-json', i, 'not a JSON object');
      } catch {
        this.add('malformed-json', i, 'not JSON');
      } finally {
        Error.stackTraceLimit = limit;
      }
    }
    if (!t || text === undefined) { this.stats.kind(i, 'unparsed'); return; }
    let canon: string | undefined;
    try { canon = canonical(t); } catch { canon = undefined; }
    if (canon !== text) this.add('not-canonical', i, 'the line is not the RFC 8785 form of its JSON');
    if (t.abw !== ABW || t.v !== VERSION) this.add('unknown-version', i, 'unknown format', { got: { abw: t.abw, v: t.v }, expected: { abw: ABW, v: VERSION } });
    const problem = shapeProblem(t);
    if (!TUPLE_KINDS.includes(t.kind)) this.add('unknown-kind', i, 'unknown tuple kind', { got: t.kind });
    else if (problem) this.add('malformed-tuple', i, `not a well-formed ${t.kind} tuple: ${problem}`);
    const wellFormed = problem === undefined;
    if (t.seq !== i) this.add('seq-gap', i, 'seq is not contiguous from 0', { got: t.seq, expected: i });
    this.time(i, t.t);
    if (t.prev !== this.prevHex(i)) this.add('prev-mismatch', i, 'prev is not the leaf hash of the previous tuple', { got: t.prev, expected: this.prevHex(i) });
    if (i === 0) {
      const p = t.boot?.profile;
      if (t.kind !== 'boot' || !p || !wellFormed) this.add('no-boot', 0, 'the first tuple is not the boot tuple with the profile');
      else this.bootProfile(t, p);
    } else {
      if (this.profileD !== undefined && t.profile !== this.profileD) this.add('profile-mismatch', i, 'profile differs from the boot profile', { got: t.profile, expected: this.profileD });
      if (t.kind === 'boot' && t.tenant === undefined) this.add('boot-repeated', i, 'a second boot of the log');
    }
    this.stats.kind(i, wellFormed ? (t.kind === 'call' ? `call:${t.call!.op}` : t.kind) : 'malformed');
    // Only well-formed tuples reach the content checks (a malformed one is already a finding).
    if (wellFormed) this.content(i, t);
  }

  private time(i: number, t: unknown): void {
    if (typeof t !== 'number' || !Number.isSafeInteger(t)) this.add('bad-time', i, 't is not an integer', { got: t });
    else if (t < this.lastT) this.add('time-regression', i, 'time goes backwards', { got: t, expected: `>= ${this.lastT}` });
    else this.lastT = t;
  }

  /** `<prev leaf hex>","profile":"<profile digest hex>`: what a call tuple holds from its prev on. */
  private head: Uint8Array = new Uint8Array(0);

  private expectedHead(): Uint8Array {
    const o = this.head;
    const leaf = this.prevLeaf;
    for (let j = 0; j < 32; j++) { o[2 * j] = HEX_CHARS[leaf[j]! >> 4]!; o[2 * j + 1] = HEX_CHARS[leaf[j]! & 15]!; }
    return o;
  }

  private prevHex(i: number): string {
    return i === 0 ? GENESIS_PREV : hex(this.prevLeaf);
  }

  private bootProfile(t: Tuple, p: Profile): void {
    this.profile = p;
    this.profileD = profileDigest(p);
    this.profileBytes = latin1(this.profileD);
    this.head = latin1(`${'0'.repeat(64)}","profile":"${this.profileD}`);
    this.origin = t.boot?.origin;
    this.every = t.boot?.checkpointEvery;
    if (t.profile !== this.profileD) this.add('profile-digest', 0, 'profile digest does not match the boot profile', { got: t.profile, expected: this.profileD });
  }

  /** The content checks of a well-formed tuple: tables, entropy, and its kind's own. */
  private content(i: number, t: Tuple): void {
    this.tables.tuple(i, t);
    this.entropy(i, t);
    if (t.kind === 'call' && t.call!.op === 'attest-keygen' && this.keyAt < 0) { this.keyAt = i; this.keyOut = t.call!.out; }
    else if (t.kind === 'certificate') this.certificate(i, t);
    else if (t.kind === 'checkpoint') this.checkpoint(i, t);
    else if (t.kind === 'halt' && this.haltAt < 0) { this.haltAt = i; this.haltTuples = t.halt?.tuples; }
    else if (t.kind === 'fault') this.stats.mark('fault', i);
    if (this.haltAt >= 0 && i === this.haltAt + 1 && t.kind === 'checkpoint') this.afterHaltCheckpoint = true;
  }

  // ---- the run certificate and the attestation key ---------------------------------------------

  private certificate(i: number, t: Tuple): void {
    this.certs++;
    if (this.certAt >= 0) return;
    this.certAt = i;
    const cert = t.certificate!.cert as RunCertificate;
    // The node: the one given, else the policy's enrolled node that the certificate names.
    this.node = this.opts.node ?? enrolledNode(this.opts.policy, cert, this.add);
    const r = checkCertificate(t.certificate!, i, { origin: this.origin, profile: this.profile, profileD: this.profileD, keyOut: this.keyOut }, this.node ? { ...this.opts, node: this.node } : this.opts, this.add);
    this.certKey = r.key;
    this.run = r.run;
  }

  /** The attestation key: the one given, else the certificate's (the node's signature vouches for it). */
  private get attKey(): Uint8Array {
    return this.opts.key ?? this.certKey ?? new Uint8Array(0);
  }

  // ---- checkpoints ------------------------------------------------------------------------------

  /**
   * A checkpoint tuple: its root is the frontier's root before its own leaf.
   * Successive checkpoints whose stated roots are the computed ones are
   * consistent by construction; once a stated root differs, no RFC 9162
   * consistency proof from this log's leaves can verify between it and its
   * neighbour, which is reported once ('checkpoint-inconsistent').
   */
  private checkpoint(i: number, t: Tuple): void {
    this.stats.mark('checkpoint', i);
    const c = t.checkpoint!;
    this.lastNote = c.note;
    if (c.size !== i) { this.add('checkpoint-size', i, 'a checkpoint must cover every tuple before it', { got: c.size, expected: i }); return; }
    const computed = this.tree.root();
    const origin = this.origin;
    if (c.root !== hex(computed)) this.add('checkpoint-root', i, 'the checkpoint root is not the Merkle root of the tuples before it', { got: c.root, expected: hex(computed) });
    const note = parseNote(c.note);
    const body = note ? parseCheckpoint(note.text) : undefined;
    // Only the checkpoint right after the halt tuple is final (awre-final), and it must say so.
    const final = this.haltAt >= 0 && this.haltAt === i - 1;
    const want = origin === undefined ? undefined : checkpointBody(origin, i, computed, t.t, final);
    if (!note || !body || want === undefined || note.text !== want) {
      this.add('checkpoint-note', i, 'the signed note is not the checkpoint of this tuple (origin, size, root, time, final or not)', { got: note?.text, expected: want });
    }
    const key = this.attKey;
    if (!note || origin === undefined || !verifyNote(note, origin, key, this.opts.verify)) {
      this.add('checkpoint-signature', i, 'no valid signature by the attestation key', { expected: origin });
    } else if (!c.note.startsWith(`${note.text}\n\u2014 ${origin} ${toBase64(concatBytes(note.signatures[0]!.keyId, note.signatures[0]!.sig))}\n`) || note.signatures.length > MAX_NOTE_SIGNATURES) {
      // The attestation line comes first, as the recorder writes it. Other signature lines (a witness's
      // cosignature, say) may follow, as signed-note allows: lines of unknown keys mean nothing, and
      // cosignatures count only through a witness policy.
      this.add('checkpoint-note', i, `the note's first signature line is not the attestation signature as the recorder writes it, or it has more than ${MAX_NOTE_SIGNATURES} lines`);
    }
    const stated = c.root === hex(computed) ? computed : fromHex(c.root);
    const isComputed = stated === computed;
    const last = this.lastCp;
    if (last && !(isComputed && last.computed) && !this.inconsistencyReported) {
      this.add('checkpoint-inconsistent', i, `checkpoint ${i} does not extend checkpoint ${last.size}`, { got: c.root });
      this.inconsistencyReported = true;
    }
    if (this.every !== undefined && last && i - last.seq > this.every + 1) this.add('checkpoint-interval', i, `more than ${this.every} tuples since the previous checkpoint`, { got: i - last.seq - 1, expected: this.every });
    this.lastCp = { seq: i, size: i, root: stated, computed: isComputed };
    this.firstCp ??= i;
    this.cps++;
  }

  // ---- entropy ----------------------------------------------------------------------------------

  /** Check 5: every seed healthy, reseeds within the interval, epochs in order, no commitment twice. */
  private entropy(i: number, t: Tuple): void {
    if (t.kind === 'boot' && t.tenant !== undefined) this.booted.add(t.tenant);
    else if (t.tenant !== undefined && !this.booted.has(t.tenant)) this.add('unknown-tenant', i, `tenant "${t.tenant}" never booted`);
    if (t.kind === 'health') {
      const k = healthKind(t.qrng?.['kind']);
      this.add('entropy-health-failure', i, `the QRNG feed reported ${k}`, { got: t.qrng, severity: 'warning' });
      this.stats.mark('health', i);
      this.stats.healthEvent(k);
    }
    if (t.kind === 'call' && t.tenant !== undefined && !this.epochs.has(t.tenant)) this.add('unseeded-call', i, `a call into tenant "${t.tenant}" before its DRBG was seeded`);
    if (t.kind !== 'seed' && t.kind !== 'reseed') return;
    const q = (t.qrng ?? {}) as { epoch?: number; commitment?: string; requests?: number; bits?: number; source?: string; quantum?: boolean; osMixed?: unknown; health?: { startup?: { passed?: boolean }; rct?: { alarms?: number }; apt?: { alarms?: number } } };
    const h = q.health;
    const tenant = t.tenant ?? '';
    if (t.kind === 'reseed') this.stats.mark('reseed', i);
    this.stats.entropyState({ tenant, seq: i, source: String(q.source), quantum: q.quantum === true, epoch: Number(q.epoch), health: (h ?? {}) as Record<string, unknown> });
    if (t.kind === 'seed' && tenant === 'attest' && this.attestSeed === undefined) this.attestSeed = { at: i, osMixed: q.osMixed };
    if (!(h?.startup?.passed === true && h.rct?.alarms === 0 && h.apt?.alarms === 0)) this.add('entropy-unhealthy', i, 'a seed from a source whose health tests had not passed', { got: h });
    if (t.kind === 'seed' && this.epochs.has(tenant)) this.add('epoch-gap', i, `tenant "${tenant}" is seeded a second time (a reseed was due)`);
    const want = t.kind === 'seed' ? 0 : (this.epochs.get(tenant) ?? -1) + 1;
    if (q.epoch !== want) this.add('epoch-gap', i, `tenant "${tenant}": epochs must run 0, 1, 2, ...`, { got: q.epoch, expected: want });
    this.epochs.set(tenant, typeof q.epoch === 'number' ? q.epoch : want);
    if (t.kind === 'reseed' && !(typeof q.requests === 'number' && q.requests <= DRBG_RESEED_INTERVAL)) this.add('reseed-late', i, 'a reseed after the DRBG\'s interval', { got: q.requests, expected: `<= ${DRBG_RESEED_INTERVAL}` });
    this.commitment(i, q.commitment);
    const e = this.opts.policy?.entropy;
    if (e?.quantum && q.quantum !== true) this.add('policy-entropy', i, 'a seed from a non-quantum source', { got: q.source, expected: 'quantum' });
    if (e?.sources && !sourceAllowed(String(q.source), e.sources)) this.add('policy-entropy', i, 'a seed from a source the policy does not allow', { got: q.source, expected: e.sources });
    if (e?.minBits && !(typeof q.bits === 'number' && q.bits >= e.minBits)) this.add('policy-entropy', i, 'a seed with fewer credited bits than the policy asks', { got: q.bits, expected: e.minBits });
  }

  private commitment(i: number, c: unknown): void {
    if (typeof c !== 'string' || !/^[0-9a-f]{64}$/.test(c)) { this.add('commitment-malformed', i, 'the seed commitment is not a SHA-256 hex digest', { got: c }); return; }
    if (++this.seeds > MAX_SEEDS) {
      if (this.seeds === MAX_SEEDS + 1) this.add('limit-seeds', i, `more than ${MAX_SEEDS} seeds: their commitments are not compared for repeats from here on`, { expected: `<= ${MAX_SEEDS}` });
      return;
    }
    const seen = this.commitments.get(c);
    if (seen !== undefined) this.add('commitment-repeated', i, `the seed commitment of seq ${seen} appears again`, { got: c });
    else this.commitments.set(c, i);
  }

  // ---- the end ------------------------------------------------------------------------------------

  end(): VerifyReport {
    const add = this.add;
    const torn = this.splitter.end();
    if (torn) add('torn-tail', this.n, `${torn.bytes} bytes after the last complete line (offset ${torn.offset}) are not a tuple`, { got: torn });
    const guard = (name: string, fn: () => void) => {
      try { fn(); } catch (e) { add('verifier-error', null, `the ${name} check stopped on malformed input: ${(e as Error).message}`); }
    };
    guard('key', () => this.endKeys());
    guard('structure', () => this.endStructure());
    if (this.opts.since !== undefined) guard('since', () => this.endSince());
    guard('policy', () => this.endPolicy());
    let witnessed: VerifyReport['guarantees']['witnessed'] = null;
    if (this.opts.witnessPolicy) guard('witness', () => { witnessed = checkWitnesses(this.lastNote, this.origin, this.attKey, this.opts, add); });
    const node = this.node;
    const f = this.f;
    const last = this.lastCp;
    return {
      ok: f.errors === 0,
      tuples: this.n,
      checkpoints: this.cps,
      verifiedSize: last?.size ?? 0,
      root: last ? hex(last.root) : null,
      profile: this.profile,
      run: this.run,
      guarantees: {
        certified: node ? !f.has((e) => e.startsWith('node-') || e === 'key-mismatch' || e === 'checkpoint-signature') : null,
        // Fresh only when the certificate carrying the challenge is one the node signed.
        fresh: this.opts.challenge !== undefined ? node !== undefined && !f.has((e) => e.startsWith('challenge-') || e.startsWith('node-') || e === 'policy-node') : null,
        witnessed,
      },
      findings: f.list,
      suppressed: f.suppressed,
      bytes: this.splitter.bytes,
      stats: this.stats.result(this.splitter.bytes),
    };
  }

  private endKeys(): void {
    const { opts, add } = this;
    if (this.certAt < 0) {
      if (opts.policy?.nodes && !opts.node) this.node = enrolledNode(opts.policy, undefined, add);
      if (this.node) add('node-no-certificate', null, 'the log has no run certificate: no node identity vouches for it');
      if (opts.challenge !== undefined) add('challenge-missing', null, 'the log carries no challenge (no run certificate)', { expected: opts.challenge });
    }
    if (this.certs > 1) add('node-certificate', null, 'more than one run certificate');
    if (opts.key === undefined && this.certKey === undefined) add('no-key', null, 'no attestation key: give the key file, or the node identity whose certificate names it');
    if (opts.key !== undefined && this.certKey !== undefined && !equalBytes(opts.key, this.certKey)) add('key-mismatch', this.certAt, 'the attestation key given is not the one the run certificate names');
    // The attestation key's seed must have had OS entropy mixed in: from a reproducible source alone, anyone could rebuild it.
    if (this.attestSeed && this.attestSeed.osMixed !== true) {
      add('attest-seed-unmixed', this.attestSeed.at, 'the attestation key came from a seed without OS entropy (a reproducible source alone): anyone who knows the source can sign as this run', { severity: this.node ? 'error' : 'warning' });
    }
    // The key the auditor brought must be the one the log says it made (its output digest), for this origin.
    const key = this.attKey;
    if (this.keyAt < 0) add('no-attest-key', null, 'the log records no attestation key (attest-keygen call)');
    else if (key.length > 0 && this.keyOut !== digest(key)) add('key-mismatch', this.keyAt, 'the attestation key given is not the key this log made (attest-keygen output digest)', { got: digest(key), expected: this.keyOut });
    if (opts.keyName !== undefined && opts.keyName !== this.origin) add('key-origin', null, 'the attestation key file names another log', { got: opts.keyName, expected: this.origin });
  }

  private endStructure(): void {
    const add = this.add;
    // The boot checkpoint follows the attestation key, or its certificate when the run has one.
    const bootAt = this.keyAt + (this.certAt === this.keyAt + 1 ? 2 : 1);
    if (this.keyAt >= 0 && this.firstCp !== undefined && this.firstCp !== bootAt) add('checkpoint-interval', this.firstCp, 'the boot checkpoint does not follow the attestation key (and its certificate)', { got: this.firstCp, expected: bootAt });
    if (this.certAt >= 0 && this.certAt !== this.keyAt + 1) add('node-certificate', this.certAt, 'the run certificate must directly follow the attestation key', { got: this.certAt, expected: this.keyAt + 1 });
    if (this.cps === 0) add('no-checkpoint', null, 'the log holds no checkpoint');
    if (this.haltAt < 0) add('no-halt', null, 'the log has no halt tuple (a crash or a truncation)', { got: this.n });
    else {
      if (this.haltTuples !== this.haltAt + 1) add('halt-count', this.haltAt, 'the halt tuple miscounts the tuples', { got: this.haltTuples, expected: this.haltAt + 1 });
      if (!(this.n === this.haltAt + 2 && this.afterHaltCheckpoint)) {
        add('no-final-checkpoint', this.haltAt, 'the halt tuple must be followed by exactly one checkpoint, the last tuple', { got: this.n - this.haltAt - 1, expected: 1 });
      }
    }
  }

  /** The --since checkpoint: signed by this log, and the root of this log's first `size` tuples. */
  private endSince(): void {
    const { opts, add } = this;
    const note = parseNote(opts.since!);
    const body = note ? parseCheckpoint(note.text) : undefined;
    if (!note || !body || body.size === 0) { add('since-malformed', null, 'the --since checkpoint is not a signed checkpoint of a non-empty tree'); return; }
    if (body.origin !== this.origin) { add('since-origin', null, 'the --since checkpoint is from another log', { got: body.origin, expected: this.origin }); return; }
    if (!verifyNote(note, body.origin, this.attKey, opts.verify)) add('since-signature', null, 'the --since checkpoint is not signed by the attestation key');
    // With a witness policy, the checkpoint the auditor held must carry the quorum's cosignatures too.
    const policy = opts.witnessPolicy;
    if (policy) {
      const by = [...policy.witnesses].filter(([, w]) => checkCosignature(note, { origin: body.origin, size: BigInt(body.size), root: body.root }, w.vkey, opts.verifyCosignature)?.ok).map(([nm]) => nm);
      if (!quorumMet(policy, new Set(by))) add('since-quorum-not-met', null, `the --since checkpoint does not carry the quorum ${policy.quorum}: cosigned by ${by.length ? by.join(', ') : 'no witness'}`, { got: by, expected: policy.quorum });
    }
    const latest = this.lastCp;
    if (!latest || body.size > latest.size) { add('since-beyond-log', null, 'the log does not reach the --since checkpoint', { got: latest?.size ?? 0, expected: body.size }); return; }
    // Consistent exactly when the log's own root at that size is the one the auditor held,
    // and the latest stated root is the log's own (what an RFC 9162 proof from these leaves shows).
    const root = this.sinceRoot;
    if (!root || !equalBytes(root, body.root) || !latest.computed) {
      add('since-inconsistent', null, `the log is not an extension of the --since checkpoint (size ${body.size})`, { got: root ? hex(root) : null, expected: hex(body.root) });
    }
  }

  private endPolicy(): void {
    const pol = this.opts.policy;
    const p = this.profile;
    if (!pol || !p) return;
    const add = this.add;
    if (pol.modules && !pol.modules.includes(p.module)) add('policy-module', 0, 'the module is not one the policy allows', { got: p.module, expected: pol.modules });
    if (pol.profiles && !pol.profiles.includes(this.profileD!)) add('policy-profile', 0, 'the runtime profile is not one the policy allows', { got: this.profileD, expected: pol.profiles });
    if (pol.mmu && p.mmu !== pol.mmu) add('policy-mmu', 0, 'the MMU mode is not the policy\'s', { got: p.mmu, expected: pol.mmu });
    if (pol.checkpointEvery && (this.every === undefined || this.every > pol.checkpointEvery.max)) add('policy-checkpoint-interval', 0, 'the checkpoint interval is above the policy\'s maximum', { got: this.every, expected: pol.checkpointEvery.max });
  }
}

/** Verify a whole log held in memory (a string is taken as its UTF-8 bytes). */
export function verifyLog(input: string | Uint8Array, opts: VerifyOptions): VerifyReport {
  const v = new LogVerifier(opts);
  v.push(typeof input === 'string' ? utf8(input) : input);
  return v.end();
}

/** Verify a log arriving in chunks (a remote log, a pipe). */
export async function verifyChunks(chunks: AsyncIterable<Uint8Array>, opts: VerifyOptions): Promise<VerifyReport> {
  const v = new LogVerifier(opts);
  for await (const c of chunks) v.push(c);
  return v.end();
}

/**
 * The final checkpoint as the witnesses cosigned it (docs/witness.md): the
 * same text as the log's final checkpoint, the log's signature on it, each
 * policy witness's cosignature checked, and the policy's quorum.
 */
function checkWitnesses(finalNote: string | undefined, origin: string | undefined, attKey: Uint8Array, opts: VerifyOptions & Required<Pick<VerifyOptions, 'verify' | 'verifyCosignature'>>, add: Add): NonNullable<VerifyReport['guarantees']['witnessed']> {
  const policy = opts.witnessPolicy!;
  const none = { by: [], of: policy.witnesses.size, quorum: quorumMet(policy, new Set()) };
  const logged = finalNote === undefined ? undefined : parseNote(finalNote);
  const note = opts.cosigned === undefined ? undefined : parseNote(opts.cosigned);
  const cp = note ? parseCheckpoint(note.text) : undefined;
  if (opts.cosigned === undefined && none.quorum) return none; // quorum none: no cosigned checkpoint is needed
  if (!note || !cp || !logged || note.text !== logged.text || origin === undefined) {
    add('cosigned-mismatch', null, 'the cosigned checkpoint is missing, malformed, or not the log\'s final checkpoint', { got: note?.text, expected: logged?.text });
    if (!none.quorum) add('quorum-not-met', null, `no cosigned final checkpoint: the quorum ${policy.quorum} is not met`, { expected: policy.quorum });
    return none;
  }
  if (!verifyNote(note, origin, attKey, opts.verify)) add('cosigned-signature', null, 'the cosigned checkpoint does not carry the log\'s signature');
  if (policy.logs.length > 0 && !policy.logs.some((l) => l.vkey.name === origin && equalBytes(l.vkey.key, attKey))) {
    add('witness-policy-log', null, 'the policy lists logs, and this log is not one of them', { got: origin });
  }
  const by: string[] = [];
  for (const [name, w] of policy.witnesses) {
    const c = checkCosignature(note, { origin: cp.origin, size: BigInt(cp.size), root: cp.root }, w.vkey, opts.verifyCosignature);
    if (c?.ok) by.push(name);
    // A line under a policy witness's name and key that does not verify does not count; the quorum decides
    // (one bad witness, or a bad link to one, cannot veto a checkpoint the others cosigned).
    else if (c) add('cosignature-invalid', null, `witness ${name}: a cosignature line with its name and key ID that does not verify (not counted)`, { got: name, severity: 'warning' });
  }
  const quorum = quorumMet(policy, new Set(by));
  if (!quorum) {
    const missing = [...policy.witnesses.keys()].filter((n) => !by.includes(n));
    add('quorum-not-met', null, `the quorum ${policy.quorum} is not met: cosigned by ${by.length ? by.join(', ') : 'no witness'}; missing ${missing.join(', ')}`, { got: by, expected: policy.quorum });
  }
  return { by, of: policy.witnesses.size, quorum };
}

/** The policy's enrolled node a certificate names (policy-node when the policy lists nodes and none is it). */
function enrolledNode(policy: Policy | undefined, cert: RunCertificate | undefined, add: Add): NodeIdentity | undefined {
  if (!policy?.nodes) return undefined;
  const nodes = policy.nodes.map((n) => ({ name: n.name, publicKey: fromBase64(n.publicKey) }));
  const hit = cert ? nodes.find((n) => fingerprint(n.publicKey) === cert.node) : undefined;
  if (!hit) add('policy-node', null, 'the policy lists the enrolled nodes, and no certificate of this log names one of them', { got: cert?.node, expected: nodes.map((n) => fingerprint(n.publicKey)) });
  return hit;
}

/**
 * The run certificate (recorder/certificate.ts), shaped by the schema
 * already. With `opts.node` its signature must be the node's and its fields
 * must be this log's; with `opts.challenge` it must carry it. Returns the
 * attestation key it names (when the node vouches for it) and the run.
 */
function checkCertificate(
  c: NonNullable<Tuple['certificate']>, at: number, log: { origin: string | undefined; profile: Profile | null; profileD: string | undefined; keyOut: string | undefined },
  opts: VerifyOptions, add: Add,
): { key?: Uint8Array; run: VerifyReport['run'] } {
  const cert = c.cert as RunCertificate;
  const run = { run: cert.run, prev: cert.prev, node: cert.node };
  if (opts.challenge !== undefined && cert.challenge !== opts.challenge) {
    add(cert.challenge === undefined ? 'challenge-missing' : 'challenge-mismatch', at, 'the run certificate does not carry the challenge asked for', { got: cert.challenge, expected: opts.challenge });
  }
  if (!opts.node) return { run };
  const node = opts.node;
  if (cert.node !== fingerprint(node.publicKey)) { add('node-mismatch', at, 'the run certificate names another node', { got: cert.node, expected: fingerprint(node.publicKey) }); return { run }; }
  const sig = fromBase64(c.sig);
  let msg: Uint8Array;
  // A certificate without an RFC 8785 form (a lone surrogate in a string) cannot have been signed.
  try { msg = certificateMessage(cert); } catch { add('node-signature', at, 'the run certificate has no RFC 8785 form, so no signature can cover it'); return { run }; }
  if (!opts.verifyIdentity?.(sig, msg, node.publicKey)) { add('node-signature', at, 'the run certificate is not signed by the node identity'); return { run }; }
  const fields: [string, unknown, unknown][] = [
    ['origin', cert.origin, log.origin], ['module', cert.module, log.profile?.module], ['profile', cert.profile, log.profileD],
    ['attestationKey', digest(fromBase64(cert.attestationKey)), log.keyOut],
  ];
  for (const [field, got, expected] of fields) if (got !== expected) add('node-certificate', at, `the run certificate's ${field} is not this log's`, { got, expected });
  return { key: fromBase64(cert.attestationKey), run };
}
