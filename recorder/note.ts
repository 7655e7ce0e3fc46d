// C2SP signed-note and tlog-checkpoint (c2sp.org/signed-note,
// c2sp.org/tlog-checkpoint), with ML-DSA-65 signatures. signed-note assigns
// no identifier byte to ML-DSA, so the key ID uses the reserved 0xff
// followed by a longer identifier, as the spec recommends:
//   key ID = SHA-256(key name || 0x0A || 0xff || "awre/ml-dsa-65" || public key)[:4]
// The signature is pure ML-DSA-65 (FIPS 204, Algorithm 2) with the context
// "awre-attest-v1" (recorder/attest.ts) over the note text, hedged.
import { platform } from '#platform';
import { equalBytes, fromBase64, fromCanonicalBase64, toBase64, utf8 } from '../host/codec.js';
import { concatBytes } from '../host/bytes.js';

export const SIG_ALG = 'awre/ml-dsa-65';

export interface NoteSigner {
  readonly name: string;
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

export type NoteVerify = (sig: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;

export function keyId(name: string, publicKey: Uint8Array): Uint8Array {
  return platform.sha256(utf8(name), Uint8Array.of(0x0a, 0xff), utf8(SIG_ALG), publicKey).slice(0, 4);
}

/**
 * The checkpoint body: origin, tree size, base64 root, each on its own line,
 * then the extension line `awre-t <ms>`: the time of the checkpoint tuple
 * itself, which no later root covers (so the signature does). The final
 * checkpoint (after the halt tuple) has a second one, `awre-final`: a
 * witness that cosigned it refuses to extend the log, and refuses a later
 * run of the node that does not follow it (docs/witness.md).
 */
export function checkpointBody(origin: string, size: number, root: Uint8Array, t: number, final = false): string {
  return `${origin}\n${size}\n${toBase64(root)}\nawre-t ${t}\n${final ? 'awre-final\n' : ''}`;
}

/** Sign a note text (ending in a newline) with one signature line. */
export function signNote(text: string, signer: NoteSigner): string {
  const sig = signer.sign(utf8(text));
  const blob = toBase64(concatBytes(keyId(signer.name, signer.publicKey), sig));
  return `${text}\n\u2014 ${signer.name} ${blob}\n`;
}

export interface ParsedNote {
  text: string;
  signatures: { name: string; keyId: Uint8Array; sig: Uint8Array }[];
}

/** Split a signed note; undefined when it is not one. */
export function parseNote(note: string): ParsedNote | undefined {
  if (!note.endsWith('\n') || /[\u0000-\u0009\u000b-\u001f]/.test(note)) return undefined;
  const split = note.lastIndexOf('\n\n');
  if (split < 0) return undefined;
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  const signatures = [];
  for (const line of lines) {
    const m = /^\u2014 ([^\s+]+) ([A-Za-z0-9+/]+={0,2})$/.exec(line);
    if (!m) return undefined;
    const blob = fromBase64(m[2]!); // the regex admits only the base64 alphabet
    if (blob.length < 5) return undefined;
    signatures.push({ name: m[1]!, keyId: blob.subarray(0, 4), sig: blob.subarray(4) });
  }
  return signatures.length > 0 ? { text, signatures } : undefined;
}

/** Verify a note under one known key: true when a signature of that key verifies (and none of it fails). */
export function verifyNote(note: ParsedNote, name: string, publicKey: Uint8Array, verify: NoteVerify): boolean {
  const id = keyId(name, publicKey);
  const mine = note.signatures.filter((s) => s.name === name && equalBytes(s.keyId, id));
  return mine.length > 0 && mine.every((s) => verify(s.sig, utf8(note.text), publicKey));
}

/** Parse a checkpoint body; undefined when malformed. */
export function parseCheckpoint(text: string): { origin: string; size: number; root: Uint8Array; final: boolean; t?: number } | undefined {
  const lines = text.split('\n');
  if (lines.length < 4 || lines[lines.length - 1] !== '') return undefined;
  const [origin, size, root] = lines as [string, string, string];
  // Sizes and times are kept as JavaScript numbers: one past 2^53 - 1 could not be compared exactly.
  if (origin === '' || !/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size))) return undefined;
  // C2SP tlog-checkpoint: extension lines, when present, are non-empty.
  if (lines.slice(3, -1).some((l) => l === '')) return undefined;
  const r = fromCanonicalBase64(root);
  if (r === undefined || r.length !== 32) return undefined;
  const t = lines.slice(3, -1).map((l) => /^awre-t (0|[1-9][0-9]*)$/.exec(l)?.[1]).find((x) => x !== undefined);
  if (t !== undefined && !Number.isSafeInteger(Number(t))) return undefined;
  const final = lines.slice(3, -1).includes('awre-final');
  return { origin, size: Number(size), root: r, final, ...(t === undefined ? {} : { t: Number(t) }) };
}
