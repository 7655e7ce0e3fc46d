// Proof files (docs/abw34.md, "Proofs"):
// - inclusion: C2SP tlog-proof (c2sp.org/tlog-proof@v1): "index N", the RFC
//   6962 inclusion path in base64, a blank line, the checkpoint verbatim;
// - consistency: C2SP defines no file for it, so awre writes JSON
//   {"format":"awre/tlog-consistency@v1","old":<note>,"new":<note>,"proof":[b64...]}.
// Verification is pure: bytes and a key in, a verdict out.
import { consistencyProof, inclusionProof, leafHash, rootFromInclusion, verifyConsistency, type Hash } from './merkle.js';
import { parseCheckpoint, parseNote, verifyNote, type NoteVerify } from './note.js';

const TLOG_PROOF = 'c2sp.org/tlog-proof@v1';
const CONSISTENCY = 'awre/tlog-consistency@v1';
const b64 = (h: Uint8Array) => Buffer.from(h).toString('base64');

function noteSize(note: string): { size: number; root: Uint8Array; origin: string } {
  const n = parseNote(note);
  const c = n ? parseCheckpoint(n.text) : undefined;
  if (!c) throw new TypeError('not a signed checkpoint');
  return c;
}

/** The tlog-proof of tuple `index` under a checkpoint (the leaves are the log's tuple leaf hashes). */
export function inclusionProofFile(leaves: readonly Hash[], index: number, checkpoint: string): string {
  const { size } = noteSize(checkpoint);
  const path = inclusionProof(leaves, index, size);
  return `${TLOG_PROOF}\nindex ${index}\n${path.map((h) => `${b64(h)}\n`).join('')}\n${checkpoint}`;
}

/** Check a tlog-proof for a tuple line: the checkpoint's signature, then the path to its root. */
export function verifyInclusionProofFile(file: string, tupleLine: string, key: Uint8Array, verify: NoteVerify): { ok: boolean; why?: string } {
  const m = /^c2sp\.org\/tlog-proof@v1\n(?:extra [A-Za-z0-9+/=]+\n)?index (0|[1-9][0-9]*)\n((?:[A-Za-z0-9+/]{43}=\n)*)\n([\s\S]*)$/.exec(file);
  if (!m) return { ok: false, why: 'not a tlog-proof file' };
  const index = Number(m[1]);
  const path = m[2]!.split('\n').filter((l) => l !== '').map((l) => new Uint8Array(Buffer.from(l, 'base64')));
  const note = parseNote(m[3]!);
  const c = note ? parseCheckpoint(note.text) : undefined;
  if (!note || !c) return { ok: false, why: 'the checkpoint is malformed' };
  if (!verifyNote(note, c.origin, key, verify)) return { ok: false, why: 'the checkpoint is not signed by the key' };
  const root = rootFromInclusion(index, c.size, leafHash(Buffer.from(tupleLine, 'utf8')), path);
  if (!root || Buffer.compare(root, c.root) !== 0) return { ok: false, why: 'the inclusion path does not lead to the checkpoint root' };
  return { ok: true };
}

/** A consistency proof between two checkpoints of the log. */
export function consistencyProofFile(leaves: readonly Hash[], oldCheckpoint: string, newCheckpoint: string): string {
  const a = noteSize(oldCheckpoint), b = noteSize(newCheckpoint);
  return `${JSON.stringify({ format: CONSISTENCY, old: oldCheckpoint, new: newCheckpoint, proof: consistencyProof(leaves, a.size, b.size).map(b64) }, null, 2)}\n`;
}

export function verifyConsistencyProofFile(file: string, key: Uint8Array, verify: NoteVerify): { ok: boolean; why?: string } {
  let j: { format?: string; old?: string; new?: string; proof?: string[] };
  try { j = JSON.parse(file); } catch { return { ok: false, why: 'not JSON' }; }
  if (j.format !== CONSISTENCY || typeof j.old !== 'string' || typeof j.new !== 'string' || !Array.isArray(j.proof)) return { ok: false, why: `not a ${CONSISTENCY} file` };
  const notes = [parseNote(j.old), parseNote(j.new)];
  const cps = notes.map((n) => (n ? parseCheckpoint(n.text) : undefined));
  if (!notes[0] || !notes[1] || !cps[0] || !cps[1]) return { ok: false, why: 'a checkpoint is malformed' };
  if (cps[0].origin !== cps[1].origin) return { ok: false, why: 'the checkpoints are of two logs' };
  if (!verifyNote(notes[0], cps[0].origin, key, verify) || !verifyNote(notes[1], cps[1].origin, key, verify)) return { ok: false, why: 'a checkpoint is not signed by the key' };
  const proof = j.proof.map((h) => new Uint8Array(Buffer.from(String(h), 'base64')));
  return verifyConsistency(cps[0].size, cps[1].size, proof, cps[0].root, cps[1].root) ? { ok: true } : { ok: false, why: 'the proof does not show the old tree is a prefix of the new' };
}
