// The auditor's verifier (docs/abw34.md, "Verification"): a pure function of
// the log's bytes, the attestation public key, a policy and an earlier
// checkpoint. No I/O. Each failure is a finding {event, severity, seq, got,
// expected}; an untouched log of a clean run gives none.
import canonicalize from 'canonicalize';
import { DRBG_RESEED_INTERVAL } from '../abi/lengths.js';
import { AddressSpaces, type MmuEvent } from '../host/waven/space.js';
import { splitLog } from './log.js';
import { MerkleTree, consistencyProof, subtreeRoot, verifyConsistency, type Hash } from './merkle.js';
import { checkpointBody, parseCheckpoint, parseNote, verifyNote, type NoteVerify } from './note.js';
import { sourceAllowed, type Policy } from './policy.js';
import { certificateMessage, type RunCertificate } from './certificate.js';
import { checkCosignature, type Verify44 } from './cosign.js';
import { quorumMet, type TlogPolicy } from './tlog-policy.js';
import { fingerprint, type NodeIdentity } from './node.js';
import { shapeProblem } from './schema.js';
import { ABW, GENESIS_PREV, TUPLE_KINDS, VERSION, digest, profileDigest, tupleLeaf, type Profile, type Tuple } from './tuple.js';

export type Severity = 'error' | 'warning';

export interface Finding {
  event: string;
  severity: Severity;
  seq: number | null;
  got?: unknown;
  expected?: unknown;
  message: string;
}

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
  /** Verifies an ML-DSA-44 cosignature (empty context); needed with `witnessPolicy`. */
  verifyCosignature?: Verify44;
  /**
   * The key file's name: the origin of the log it was made for. When given,
   * it must be the log's origin ('key-origin').
   */
  keyName?: string;
  verify: NoteVerify;
  /** Verifies an identity signature (context "awre-identity-v1"); needed with `node`. */
  verifyIdentity?: NoteVerify;
  policy?: Policy;
  /** A checkpoint (signed note) the auditor saw earlier: the log must extend it. */
  since?: string;
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
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const MMU_KINDS = new Set(['map', 'protect', 'share', 'unmap']);
/** Signature lines a checkpoint note may carry (signed-note: verifiers accept at least 16). */
const MAX_NOTE_SIGNATURES = 32;
/** Equal as JSON values (key order aside). */
const same = (a: unknown, b: unknown) => canonicalize(a) === canonicalize(b);

export function verifyLog(text: string, opts: VerifyOptions): VerifyReport {
  const findings: Finding[] = [];
  const add = (event: string, seq: number | null, message: string, extra: { got?: unknown; expected?: unknown; severity?: Severity } = {}) =>
    findings.push({ event, severity: extra.severity ?? 'error', seq, message, ...('got' in extra ? { got: extra.got } : {}), ...('expected' in extra ? { expected: extra.expected } : {}) });

  const { lines, torn } = splitLog(text);
  if (torn) add('torn-tail', lines.length, `${torn.bytes} bytes after the last complete line (offset ${torn.offset}) are not a tuple`, { got: torn });

  // ---- 1. lines, sequence, time, chain, profile -----------------------------------
  const leaves: Hash[] = lines.map((l) => tupleLeaf(l));
  const tuples: (Tuple | undefined)[] = [];
  let prev = GENESIS_PREV;
  let lastT = -Infinity;
  let profile: Profile | null = null;
  let profileD: string | undefined;
  lines.forEach((line, i) => {
    let t: Tuple | undefined;
    try {
      const v: unknown = JSON.parse(line);
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) t = v as Tuple;
      else add('malformed-json', i, 'not a JSON object');
    } catch {
      add('malformed-json', i, 'not JSON');
    }
    if (!t) { tuples.push(undefined); prev = hex(leaves[i]!); return; }
    let canon: string | undefined;
    try { canon = canonicalize(t); } catch { canon = undefined; }
    if (canon !== line) add('not-canonical', i, 'the line is not the RFC 8785 form of its JSON');
    if (t.abw !== ABW || t.v !== VERSION) add('unknown-version', i, 'unknown format', { got: { abw: t.abw, v: t.v }, expected: { abw: ABW, v: VERSION } });
    const problem = shapeProblem(t);
    if (!TUPLE_KINDS.includes(t.kind)) add('unknown-kind', i, 'unknown tuple kind', { got: t.kind });
    else if (problem) add('malformed-tuple', i, `not a well-formed ${t.kind} tuple: ${problem}`);
    // Only well-formed tuples reach the content checks below (a malformed one is already a finding).
    tuples.push(problem === undefined ? t : undefined);
    if (t.seq !== i) add('seq-gap', i, 'seq is not contiguous from 0', { got: t.seq, expected: i });
    if (typeof t.t !== 'number' || !Number.isSafeInteger(t.t)) add('bad-time', i, 't is not an integer', { got: t.t });
    else if (t.t < lastT) add('time-regression', i, 'time goes backwards', { got: t.t, expected: `>= ${lastT}` });
    else lastT = t.t;
    if (t.prev !== prev) add('prev-mismatch', i, 'prev is not the leaf hash of the previous tuple', { got: t.prev, expected: prev });
    prev = hex(leaves[i]!);
    const wellFormed = tuples[i] !== undefined;
    if (i === 0) {
      const p = t.boot?.profile;
      if (t.kind !== 'boot' || !p || !wellFormed) add('no-boot', 0, 'the first tuple is not the boot tuple with the profile');
      else {
        profile = p;
        profileD = profileDigest(p);
        if (t.profile !== profileD) add('profile-digest', 0, 'profile digest does not match the boot profile', { got: t.profile, expected: profileD });
      }
    } else {
      if (profileD !== undefined && t.profile !== profileD) add('profile-mismatch', i, 'profile differs from the boot profile', { got: t.profile, expected: profileD });
      if (t.kind === 'boot' && t.tenant === undefined) add('boot-repeated', i, 'a second boot of the log');
    }
  });
  const first = tuples[0];
  const origin = first?.boot?.origin;
  const every = first?.boot?.checkpointEvery;
  const stage = (name: string, fn: () => void) => {
    try { fn(); } catch (e) { add('verifier-error', null, `the ${name} check stopped on malformed input: ${(e as Error).message}`); }
  };

  // ---- 1b. the run certificate and the attestation key -----------------------------------
  const keyAt = tuples.findIndex((t) => t?.kind === 'call' && t.call?.op === 'attest-keygen');
  const certAt = tuples.findIndex((t) => t?.kind === 'certificate');
  // The node: the one given, else the policy's enrolled node that the certificate names.
  const node = opts.node ?? enrolledNode(opts.policy, tuples[certAt]?.certificate?.cert as RunCertificate | undefined, add);
  // Both given: the node must be one the policy enrolled.
  if (opts.node && opts.policy?.nodes && !opts.policy.nodes.some((n) => fingerprint(new Uint8Array(Buffer.from(n.publicKey, 'base64'))) === fingerprint(opts.node!.publicKey))) {
    add('policy-node', null, 'the node given is not one the policy enrolled', { got: fingerprint(opts.node.publicKey) });
  }
  const cert = checkCertificate(tuples, certAt, { origin, profile: profile as Profile | null, profileD, keyOut: keyAt >= 0 ? tuples[keyAt]!.call!.out : undefined }, node ? { ...opts, node } : opts, add);
  // The attestation key: the one given, else the certificate's (the node's signature vouches for it).
  const attKey = opts.key ?? cert.key ?? new Uint8Array(0);
  if (opts.key === undefined && cert.key === undefined) add('no-key', null, 'no attestation key: give the key file, or the node identity whose certificate names it');
  if (opts.key !== undefined && cert.key !== undefined && Buffer.compare(opts.key, cert.key) !== 0) add('key-mismatch', certAt, 'the attestation key given is not the one the run certificate names');
  // The attestation key's seed must have had OS entropy mixed in: from a reproducible source alone, anyone could rebuild it.
  const attestSeedAt = tuples.findIndex((t) => t?.kind === 'seed' && t.tenant === 'attest');
  if (attestSeedAt >= 0 && (tuples[attestSeedAt]!.qrng as { osMixed?: unknown }).osMixed !== true) {
    add('attest-seed-unmixed', attestSeedAt, 'the attestation key came from a seed without OS entropy (a reproducible source alone): anyone who knows the source can sign as this run', { severity: node ? 'error' : 'warning' });
  }

  // ---- 2. checkpoints ------------------------------------------------------------------
  // Roots come from one incremental tree over the leaves, so successive
  // checkpoints whose roots match are consistent by construction; a stated
  // root that differs is a 'checkpoint-root' finding, and then the stated
  // roots are checked for consistency with an RFC 6962 proof.
  const cps: { seq: number; size: number; root: Uint8Array; computed: boolean }[] = [];
  const tree = new MerkleTree();
  let inconsistencyReported = false;
  stage('checkpoint', () => tuples.forEach((t, i) => {
    const computed = tree.root();
    tree.append(leaves[i]!);
    if (t?.kind !== 'checkpoint') return;
    const c = t.checkpoint;
    if (!c || c.size !== i) { add('checkpoint-size', i, 'a checkpoint must cover every tuple before it', { got: c?.size, expected: i }); return; }
    if (c.root !== hex(computed)) add('checkpoint-root', i, 'the checkpoint root is not the Merkle root of the tuples before it', { got: c.root, expected: hex(computed) });
    const note = typeof c.note === 'string' ? parseNote(c.note) : undefined;
    const body = note ? parseCheckpoint(note.text) : undefined;
    // Only the checkpoint right after the halt tuple is final (awre-final), and it must say so.
    const final = tuples[i - 1]?.kind === 'halt';
    if (!note || !body || origin === undefined || note.text !== checkpointBody(origin, i, computed, t.t, final)) {
      add('checkpoint-note', i, 'the signed note is not the checkpoint of this tuple (origin, size, root, time, final or not)', { got: note?.text, expected: origin === undefined ? undefined : checkpointBody(origin, i, computed, t.t, final) });
    }
    if (!note || origin === undefined || !verifyNote(note, origin, attKey, opts.verify)) {
      add('checkpoint-signature', i, 'no valid signature by the attestation key', { expected: origin });
    } else if (!c.note.startsWith(`${note.text}\n\u2014 ${origin} ${Buffer.concat([note.signatures[0]!.keyId, note.signatures[0]!.sig]).toString('base64')}\n`) || note.signatures.length > MAX_NOTE_SIGNATURES) {
      // The attestation line comes first, as the recorder writes it. Other signature lines (a witness's
      // cosignature, say) may follow, as signed-note allows: lines of unknown keys mean nothing, and
      // cosignatures count only through a witness policy. The last checkpoint is covered by no later root,
      // so what follows its attestation line is never trusted for more than that.
      add('checkpoint-note', i, `the note's first signature line is not the attestation signature as the recorder writes it, or it has more than ${MAX_NOTE_SIGNATURES} lines`);
    }
    const stated = /^[0-9a-f]{64}$/.test(String(c.root)) ? new Uint8Array(Buffer.from(c.root, 'hex')) : computed;
    const last = cps[cps.length - 1];
    const bothComputed = last && Buffer.compare(stated, computed) === 0 && last.computed;
    // Once stated roots stray from the computed ones, one proof says so; more would only cost O(n) each.
    if (last && last.size > 0 && !bothComputed && !inconsistencyReported && !verifyConsistency(last.size, i, consistencyProof(leaves, last.size, i), last.root, stated)) {
      add('checkpoint-inconsistent', i, `checkpoint ${i} does not extend checkpoint ${last.size}`, { got: c.root });
      inconsistencyReported = true;
    }
    if (every !== undefined && i - (last?.seq ?? 0) > every + 1 && last) add('checkpoint-interval', i, `more than ${every} tuples since the previous checkpoint`, { got: i - last.seq - 1, expected: every });
    cps.push({ seq: i, size: i, root: stated, computed: Buffer.compare(stated, computed) === 0 });
  }));
  // The first checkpoint is the boot checkpoint: it follows the call that made the attestation key.
  // The key the auditor brought must be the one the log says it made (its output digest), for this origin.
  if (keyAt < 0) add('no-attest-key', null, 'the log records no attestation key (attest-keygen call)');
  else if (attKey.length > 0 && tuples[keyAt]!.call!.out !== digest(attKey)) add('key-mismatch', keyAt, 'the attestation key given is not the key this log made (attest-keygen output digest)', { got: digest(attKey), expected: tuples[keyAt]!.call!.out });
  if (opts.keyName !== undefined && opts.keyName !== origin) add('key-origin', null, 'the attestation key file names another log', { got: opts.keyName, expected: origin });
  // The boot checkpoint follows the attestation key, or its certificate when the run has one.
  const bootAt = keyAt + (certAt === keyAt + 1 ? 2 : 1);
  if (keyAt >= 0 && cps.length > 0 && cps[0]!.seq !== bootAt) add('checkpoint-interval', cps[0]!.seq, 'the boot checkpoint does not follow the attestation key (and its certificate)', { got: cps[0]!.seq, expected: bootAt });
  if (certAt >= 0 && certAt !== keyAt + 1) add('node-certificate', certAt, 'the run certificate must directly follow the attestation key', { got: certAt, expected: keyAt + 1 });
  if (cps.length === 0) add('no-checkpoint', null, 'the log holds no checkpoint');
  const haltAt = tuples.findIndex((t) => t?.kind === 'halt');
  if (haltAt < 0) add('no-halt', null, 'the log has no halt tuple (a crash or a truncation)', { got: lines.length });
  else if (tuples[haltAt]!.halt?.tuples !== haltAt + 1) add('halt-count', haltAt, 'the halt tuple miscounts the tuples', { got: tuples[haltAt]!.halt?.tuples, expected: haltAt + 1 });
  if (haltAt >= 0 && !(tuples.length === haltAt + 2 && tuples[haltAt + 1]?.kind === 'checkpoint')) {
    add('no-final-checkpoint', haltAt, 'the halt tuple must be followed by exactly one checkpoint, the last tuple', { got: tuples.length - haltAt - 1, expected: 1 });
  }
  if (opts.since !== undefined) stage('since', () => checkSince(opts.since!, origin, leaves, cps[cps.length - 1], attKey, opts, add));

  // ---- 3. policy ------------------------------------------------------------------------
  const pol = opts.policy;
  const p = profile as Profile | null;
  if (pol && p) {
    if (pol.modules && !pol.modules.includes(p.module)) add('policy-module', 0, 'the module is not one the policy allows', { got: p.module, expected: pol.modules });
    if (pol.profiles && !pol.profiles.includes(profileD!)) add('policy-profile', 0, 'the runtime profile is not one the policy allows', { got: profileD, expected: pol.profiles });
    if (pol.mmu && p.mmu !== pol.mmu) add('policy-mmu', 0, 'the MMU mode is not the policy\'s', { got: p.mmu, expected: pol.mmu });
    if (pol.checkpointEvery && (every === undefined || every > pol.checkpointEvery.max)) add('policy-checkpoint-interval', 0, 'the checkpoint interval is above the policy\'s maximum', { got: every, expected: pol.checkpointEvery.max });
  }

  // ---- 4. page tables ---------------------------------------------------------------------
  stage('page-table', () => replayTables(tuples, add));

  // ---- 5. entropy ---------------------------------------------------------------------------
  stage('entropy', () => checkEntropy(tuples, pol, add));

  // ---- 7. witnesses ------------------------------------------------------------------------
  let witnessed: VerifyReport['guarantees']['witnessed'] = null;
  if (opts.witnessPolicy) stage('witness', () => { witnessed = checkWitnesses(tuples, origin, attKey, opts, add); });

  const lastCp = cps[cps.length - 1];
  return {
    ok: !findings.some((f) => f.severity === 'error'),
    tuples: lines.length,
    checkpoints: cps.length,
    verifiedSize: lastCp?.size ?? 0,
    root: lastCp ? hex(lastCp.root) : null,
    profile: p,
    run: cert.run,
    guarantees: {
      certified: node ? !findings.some((f) => f.event.startsWith('node-') || f.event === 'key-mismatch' || f.event === 'checkpoint-signature') : null,
      // Fresh only when the certificate carrying the challenge is one the node signed.
      fresh: opts.challenge !== undefined ? node !== undefined && !findings.some((f) => f.event.startsWith('challenge-') || f.event.startsWith('node-') || f.event === 'policy-node') : null,
      witnessed,
    },
    findings,
  };
}

type Add = (event: string, seq: number | null, message: string, extra?: { got?: unknown; expected?: unknown; severity?: Severity }) => void;

/**
 * The final checkpoint as the witnesses cosigned it (docs/witness.md): the
 * same text as the log's final checkpoint, the log's signature on it, each
 * policy witness's cosignature checked, and the policy's quorum.
 */
function checkWitnesses(tuples: (Tuple | undefined)[], origin: string | undefined, attKey: Uint8Array, opts: VerifyOptions, add: Add): NonNullable<VerifyReport['guarantees']['witnessed']> {
  const policy = opts.witnessPolicy!;
  const none = { by: [], of: policy.witnesses.size, quorum: quorumMet(policy, new Set()) };
  const final = [...tuples].reverse().find((t) => t?.kind === 'checkpoint')?.checkpoint;
  const logged = final ? parseNote(final.note) : undefined;
  const note = opts.cosigned === undefined ? undefined : parseNote(opts.cosigned);
  const cp = note ? parseCheckpoint(note.text) : undefined;
  if (opts.cosigned === undefined && none.quorum) return none; // quorum none: no cosigned checkpoint is needed
  if (!note || !cp || !logged || note.text !== logged.text || origin === undefined) {
    add('cosigned-mismatch', null, 'the cosigned checkpoint is missing, malformed, or not the log\'s final checkpoint', { got: note?.text, expected: logged?.text });
    if (!none.quorum) add('quorum-not-met', null, `no cosigned final checkpoint: the quorum ${policy.quorum} is not met`, { expected: policy.quorum });
    return none;
  }
  if (!verifyNote(note, origin, attKey, opts.verify)) add('cosigned-signature', null, 'the cosigned checkpoint does not carry the log\'s signature');
  if (policy.logs.length > 0 && !policy.logs.some((l) => l.vkey.name === origin && Buffer.from(l.vkey.key).equals(Buffer.from(attKey)))) {
    add('witness-policy-log', null, 'the policy lists logs, and this log is not one of them', { got: origin });
  }
  const by: string[] = [];
  for (const [name, w] of policy.witnesses) {
    const c = checkCosignature(note, { origin: cp.origin, size: BigInt(cp.size), root: cp.root }, w.vkey, opts.verifyCosignature ?? (() => false));
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
  const nodes = policy.nodes.map((n) => ({ name: n.name, publicKey: new Uint8Array(Buffer.from(n.publicKey, 'base64')) }));
  const hit = cert ? nodes.find((n) => fingerprint(n.publicKey) === cert.node) : undefined;
  if (!hit) add('policy-node', null, 'the policy lists the enrolled nodes, and no certificate of this log names one of them', { got: cert?.node, expected: nodes.map((n) => fingerprint(n.publicKey)) });
  return hit;
}

/**
 * The run certificate (recorder/certificate.ts): at most one, shaped by the
 * schema already. With `opts.node` its signature must be the node's and its
 * fields must be this log's; with `opts.challenge` it must carry it. Returns
 * the attestation key it names (when the node vouches for it) and the run.
 */
function checkCertificate(
  tuples: (Tuple | undefined)[], at: number, log: { origin: string | undefined; profile: Profile | null; profileD: string | undefined; keyOut: string | undefined },
  opts: VerifyOptions, add: Add,
): { key?: Uint8Array; run: VerifyReport['run'] } {
  const c = at >= 0 ? tuples[at]!.certificate : undefined;
  if (tuples.filter((t) => t?.kind === 'certificate').length > 1) add('node-certificate', null, 'more than one run certificate');
  if (!c) {
    if (opts.node) add('node-no-certificate', null, 'the log has no run certificate: no node identity vouches for it');
    if (opts.challenge !== undefined) add('challenge-missing', null, 'the log carries no challenge (no run certificate)', { expected: opts.challenge });
    return { run: null };
  }
  const cert = c.cert as RunCertificate;
  const run = { run: cert.run, prev: cert.prev, node: cert.node };
  if (opts.challenge !== undefined && cert.challenge !== opts.challenge) {
    add(cert.challenge === undefined ? 'challenge-missing' : 'challenge-mismatch', at, 'the run certificate does not carry the challenge asked for', { got: cert.challenge, expected: opts.challenge });
  }
  if (!opts.node) return { run };
  const node = opts.node;
  if (cert.node !== fingerprint(node.publicKey)) { add('node-mismatch', at, 'the run certificate names another node', { got: cert.node, expected: fingerprint(node.publicKey) }); return { run }; }
  const sig = new Uint8Array(Buffer.from(c.sig, 'base64'));
  if (!opts.verifyIdentity?.(sig, certificateMessage(cert), node.publicKey)) { add('node-signature', at, 'the run certificate is not signed by the node identity'); return { run }; }
  const fields: [string, unknown, unknown][] = [
    ['origin', cert.origin, log.origin], ['module', cert.module, log.profile?.module], ['profile', cert.profile, log.profileD],
    ['attestationKey', digest(new Uint8Array(Buffer.from(cert.attestationKey, 'base64'))), log.keyOut],
  ];
  for (const [field, got, expected] of fields) if (got !== expected) add('node-certificate', at, `the run certificate's ${field} is not this log's`, { got, expected });
  return { key: new Uint8Array(Buffer.from(cert.attestationKey, 'base64')), run };
}

function checkSince(since: string, origin: string | undefined, leaves: Hash[], latest: { size: number; root: Uint8Array } | undefined, attKey: Uint8Array, opts: VerifyOptions, add: Add): void {
  const note = parseNote(since);
  const body = note ? parseCheckpoint(note.text) : undefined;
  if (!note || !body || body.size === 0) { add('since-malformed', null, 'the --since checkpoint is not a signed checkpoint of a non-empty tree'); return; }
  if (body.origin !== origin) { add('since-origin', null, 'the --since checkpoint is from another log', { got: body.origin, expected: origin }); return; }
  if (!verifyNote(note, body.origin, attKey, opts.verify)) add('since-signature', null, 'the --since checkpoint is not signed by the attestation key');
  // With a witness policy, the checkpoint the auditor held must carry the quorum's cosignatures too.
  const policy = opts.witnessPolicy;
  if (policy) {
    const by = [...policy.witnesses].filter(([, w]) => checkCosignature(note, { origin: body.origin, size: BigInt(body.size), root: body.root }, w.vkey, opts.verifyCosignature ?? (() => false))?.ok).map(([n]) => n);
    if (!quorumMet(policy, new Set(by))) add('since-quorum-not-met', null, `the --since checkpoint does not carry the quorum ${policy.quorum}: cosigned by ${by.length ? by.join(', ') : 'no witness'}`, { got: by, expected: policy.quorum });
  }
  if (!latest || body.size > latest.size) { add('since-beyond-log', null, 'the log does not reach the --since checkpoint', { got: latest?.size ?? 0, expected: body.size }); return; }
  const ok = verifyConsistency(body.size, latest.size, consistencyProof(leaves, body.size, latest.size), body.root, latest.root);
  if (!ok) add('since-inconsistent', null, `the log is not an extension of the --since checkpoint (size ${body.size})`, { got: hex(subtreeRoot(leaves, 0, body.size)), expected: hex(body.root) });
}

/** Check 4: replay the table changes from boot; every hash and toggle must come out as recorded. */
function replayTables(tuples: (Tuple | undefined)[], add: Add): void {
  const spaces = new AddressSpaces();
  const current = new Map<string, { r: string; w: string }>();
  let last: MmuEvent | undefined;
  spaces.onEvent((e) => { last = e; });
  tuples.forEach((t, i) => {
    if (!t) return;
    if (t.exc !== undefined && !MMU_KINDS.has(t.kind)) add('exc-unauthorised', i, `a ${t.kind} tuple carries exception-page toggles`, { got: t.exc });
    if (t.kind === 'fault') add('waven-fault', i, `WAVEN fault in tenant "${t.tenant}" at page offset ${t.fault?.offset}`, { got: t.fault, severity: 'warning' });
    if (t.kind === 'boot' && t.tenant !== undefined) {
      try {
        const { exception } = spaces.createInstance(t.tenant);
        if (t.boot?.exception !== exception) add('pt-replay', i, 'the tenant\'s exception frame differs from the replay', { got: t.boot?.exception, expected: exception });
        const empty = spaces.tables(t.tenant).hashes();
        if (!same(t.pt, empty)) add('pt-mismatch', i, 'a new tenant\'s tables are not empty', { got: t.pt, expected: empty });
        current.set(t.tenant, empty);
      } catch (e) {
        add('pt-replay', i, `tenant boot does not replay: ${(e as Error).message}`);
      }
    } else if (MMU_KINDS.has(t.kind)) {
      const m = t.mmu;
      last = undefined;
      try {
        if (!t.tenant || !m) throw new Error('missing tenant or mmu fields');
        if (t.kind === 'map') spaces.map(t.tenant, m.page, m.rights as 'rw' | 'ro');
        else if (t.kind === 'unmap') spaces.unmap(t.tenant, m.page);
        else if (t.kind === 'protect') spaces.protect(t.tenant, m.page, m.rights);
        else spaces.share(m.from!.tenant, m.from!.page, t.tenant, m.page, m.rights as 'rw' | 'ro');
      } catch (e) {
        add('pt-replay', i, `the ${t.kind} does not replay: ${(e as Error).message}`);
        return;
      }
      const e = last as MmuEvent | undefined;
      if (!e) return;
      current.set(e.instance, e.pt);
      if (m.frame !== e.frame) add('frame-mismatch', i, 'the frame differs from the replay', { got: m.frame, expected: e.frame });
      if (!same(t.pt, e.pt)) add('pt-mismatch', i, 'the table hashes differ from the replay', { got: t.pt, expected: e.pt });
      const want = e.exc.map((x) => ({ page: x.page, table: x.table, on: x.on }));
      if (!same(t.exc ?? [], want)) add('exc-mismatch', i, 'the exception-page toggles are not those the change makes', { got: t.exc, expected: want });
    } else if (t.pt !== undefined && t.tenant !== undefined) {
      const cur = current.get(t.tenant);
      if (!same(t.pt, cur)) add('pt-unauthorised', i, 'the tables changed without a tuple', { got: t.pt, expected: cur });
    }
  });
}

/** Check 5: every seed healthy, reseeds within the interval, epochs in order, no commitment twice. */
function checkEntropy(tuples: (Tuple | undefined)[], pol: Policy | undefined, add: Add): void {
  const seen = new Map<string, number>();
  const epochs = new Map<string, number>();
  const tenants = new Set<string>();
  tuples.forEach((t, i) => {
    if (!t) return;
    if (t.kind === 'boot' && t.tenant !== undefined) tenants.add(t.tenant);
    else if (t.tenant !== undefined && !tenants.has(t.tenant)) add('unknown-tenant', i, `tenant "${t.tenant}" never booted`);
    if (t.kind === 'health') add('entropy-health-failure', i, `the QRNG feed reported ${String(t.qrng?.['kind'])}`, { got: t.qrng, severity: 'warning' });
    if (t.kind === 'call' && t.tenant !== undefined && !epochs.has(t.tenant)) add('unseeded-call', i, `a call into tenant "${t.tenant}" before its DRBG was seeded`);
    if (t.kind !== 'seed' && t.kind !== 'reseed') return;
    const q = (t.qrng ?? {}) as { epoch?: number; commitment?: string; requests?: number; bits?: number; source?: string; quantum?: boolean; health?: { startup?: { passed?: boolean }; rct?: { alarms?: number }; apt?: { alarms?: number } } };
    const h = q.health;
    if (!(h?.startup?.passed === true && h.rct?.alarms === 0 && h.apt?.alarms === 0)) add('entropy-unhealthy', i, 'a seed from a source whose health tests had not passed', { got: h });
    const tenant = t.tenant ?? '';
    if (t.kind === 'seed' && epochs.has(tenant)) add('epoch-gap', i, `tenant "${tenant}" is seeded a second time (a reseed was due)`);
    const want = t.kind === 'seed' ? 0 : (epochs.get(tenant) ?? -1) + 1;
    if (q.epoch !== want) add('epoch-gap', i, `tenant "${tenant}": epochs must run 0, 1, 2, ...`, { got: q.epoch, expected: want });
    epochs.set(tenant, typeof q.epoch === 'number' ? q.epoch : want);
    if (t.kind === 'reseed' && !(typeof q.requests === 'number' && q.requests <= DRBG_RESEED_INTERVAL)) add('reseed-late', i, 'a reseed after the DRBG\'s interval', { got: q.requests, expected: `<= ${DRBG_RESEED_INTERVAL}` });
    if (typeof q.commitment !== 'string' || !/^[0-9a-f]{64}$/.test(q.commitment)) add('commitment-malformed', i, 'the seed commitment is not a SHA-256 hex digest', { got: q.commitment });
    else if (seen.has(q.commitment)) add('commitment-repeated', i, `the seed commitment of seq ${seen.get(q.commitment)} appears again`, { got: q.commitment });
    else seen.set(q.commitment, i);
    const e = pol?.entropy;
    if (e?.quantum && q.quantum !== true) add('policy-entropy', i, 'a seed from a non-quantum source', { got: q.source, expected: 'quantum' });
    if (e?.sources && !sourceAllowed(String(q.source), e.sources)) add('policy-entropy', i, 'a seed from a source the policy does not allow', { got: q.source, expected: e.sources });
    if (e?.minBits && !(typeof q.bits === 'number' && q.bits >= e.minBits)) add('policy-entropy', i, 'a seed with fewer credited bits than the policy asks', { got: q.bits, expected: e.minBits });
  });
}
