// Proof files and the session summary from a real recorded session: every
// tuple's C2SP tlog-proof verifies under its checkpoint; a proof for another
// tuple, a flipped path hash or another key fails; consistency proofs between
// every pair of checkpoints verify and a forged one does not; the DSSE
// summary opens under the attestation key only. The files' bytes (paths,
// proofs, PAE, key ID, signature, subject digest) are checked against
// RFC 6962, C2SP and DSSE as transcribed here (node:crypto, noble ML-DSA).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ml_dsa65 as nobleDsa } from '@noble/post-quantum/ml-dsa.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { ml_dsa65 } from '../host/index.js';
import { consistencyProofFile, inclusionProofFile, verifyConsistencyProofFile, verifyInclusionProofFile } from '../recorder/proofs.js';
import { openDsse } from '../recorder/summary.js';
import type { Tuple } from '../recorder/tuple.js';
import { recordSession, type RecordedFiles } from './helpers/session.js';
// Every attestation signature carries this FIPS 204 context (docs/abw34.md, docs/vault.md).
const ATTEST_CTX = new TextEncoder().encode('awre-attest-v1');

let rec: RecordedFiles;
let lines: string[];
const verify = (s: Uint8Array, m: Uint8Array, k: Uint8Array) => ml_dsa65.verify(s, m, k, { context: ATTEST_CTX });

// RFC 6962 section 2.1 over the tuples: leaf SHA-256(0x00 || line), node SHA-256(0x01 || l || r).
const H = (...parts: (Uint8Array | string)[]) => { const h = createHash('sha256'); for (const p of parts) h.update(p); return new Uint8Array(h.digest()); };
const split = (n: number) => { let k = 1; while (k * 2 < n) k *= 2; return k; };
const mth = (d: Uint8Array[]): Uint8Array => (d.length === 1 ? d[0]! : H(Uint8Array.of(1), mth(d.slice(0, split(d.length))), mth(d.slice(split(d.length)))));
const path = (m: number, d: Uint8Array[]): Uint8Array[] => {
  if (d.length === 1) return [];
  const k = split(d.length);
  return m < k ? [...path(m, d.slice(0, k)), mth(d.slice(k))] : [...path(m - k, d.slice(k)), mth(d.slice(0, k))];
};
const subproof = (m: number, d: Uint8Array[], b: boolean): Uint8Array[] => {
  if (m === d.length) return b ? [] : [mth(d)];
  const k = split(d.length);
  return m <= k ? [...subproof(m, d.slice(0, k), b), mth(d.slice(k))] : [...subproof(m - k, d.slice(k), false), mth(d.slice(0, k))];
};
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const leafOf = (line: string) => H(Uint8Array.of(0), Buffer.from(line, 'utf8'));

beforeAll(async () => {
  rec = await recordSession({ handshakes: 2, frames: 2 });
  lines = readFileSync(rec.log, 'utf8').trimEnd().split('\n');
});

describe('proof files', () => {
  it('a tlog-proof for every tuple under every checkpoint that covers it', () => {
    const leaves = lines.map(leafOf);
    const cps = lines.map((l) => JSON.parse(l) as Tuple).filter((t) => t.kind === 'checkpoint');
    let n = 0;
    for (const cp of cps) {
      for (let i = 0; i < cp.checkpoint!.size; i += 3) {
        const file = inclusionProofFile(leaves, i, cp.checkpoint!.note);
        // The C2SP tlog-proof bytes: header, index, the RFC 6962 PATH in base64, a blank line, the checkpoint verbatim.
        const want = ['c2sp.org/tlog-proof@v1', `index ${i}`, ...path(i, leaves.slice(0, cp.checkpoint!.size)).map(b64), ''].join('\n');
        expect(file, `tuple ${i} under ${cp.checkpoint!.size}`).toBe(`${want}\n${cp.checkpoint!.note}`);
        expect(verifyInclusionProofFile(file, lines[i]!, rec.publicKey, verify), `tuple ${i} under ${cp.checkpoint!.size}`).toEqual({ ok: true });
        n++;
      }
    }
    expect(n).toBeGreaterThan(20);
    const last = cps[cps.length - 1]!.checkpoint!;
    const file = inclusionProofFile(leaves, 5, last.note);
    expect(verifyInclusionProofFile(file, lines[6]!, rec.publicKey, verify).ok).toBe(false);
    const flipped = file.replace(/\nindex 5\n(.)/, (_, c: string) => `\nindex 5\n${c === 'A' ? 'B' : 'A'}`);
    expect(verifyInclusionProofFile(flipped, lines[5]!, rec.publicKey, verify).ok).toBe(false);
    expect(verifyInclusionProofFile(file.replace('index 5', 'index 4'), lines[5]!, rec.publicKey, verify).ok).toBe(false);
    expect(verifyInclusionProofFile(file, lines[5]!, ml_dsa65.keygen(new Uint8Array(32)).publicKey, verify)).toEqual({ ok: false, why: 'the checkpoint is not signed by the key' });
    expect(verifyInclusionProofFile('garbage', lines[5]!, rec.publicKey, verify).ok).toBe(false);
  });

  it('consistency proofs between every pair of checkpoints; a forged one fails', () => {
    const leaves = lines.map(leafOf);
    const cps = lines.map((l) => JSON.parse(l) as Tuple).filter((t) => t.kind === 'checkpoint').map((t) => t.checkpoint!);
    const notes = cps.map((c) => c.note);
    expect(notes.length).toBeGreaterThan(2);
    for (let a = 0; a < notes.length; a++) {
      for (let b = a; b < notes.length; b++) {
        const file = consistencyProofFile(leaves, notes[a]!, notes[b]!);
        // The awre/tlog-consistency@v1 JSON (docs/abw34.md), its proof RFC 6962 PROOF(m, D[0:n]).
        expect(JSON.parse(file), `${a} -> ${b}`).toEqual({ format: 'awre/tlog-consistency@v1', old: notes[a], new: notes[b], proof: subproof(cps[a]!.size, leaves.slice(0, cps[b]!.size), true).map(b64) });
        expect(verifyConsistencyProofFile(file, rec.publicKey, verify), `${a} -> ${b}`).toEqual({ ok: true });
      }
    }
    const f = JSON.parse(consistencyProofFile(leaves, notes[0]!, notes[notes.length - 1]!)) as { proof: string[] };
    f.proof[0] = Buffer.alloc(32, 3).toString('base64');
    expect(verifyConsistencyProofFile(JSON.stringify(f), rec.publicKey, verify).ok).toBe(false);
  });
});

describe('session summary', () => {
  it('an in-toto Statement v1 about the module, in DSSE, signed by the attestation key', () => {
    const env = rec.halted.summary;
    // DSSE by hand: PAE = "DSSEv1" SP len(type) SP type SP len(body) SP body; key ID as for notes (docs/abw34.md).
    expect(env.payloadType).toBe('application/vnd.in-toto+json');
    const body = Buffer.from(env.payload, 'base64');
    const pae = Buffer.concat([Buffer.from(`DSSEv1 ${env.payloadType.length} ${env.payloadType} ${body.length} `), body]);
    expect(env.signatures).toHaveLength(1);
    expect(env.signatures[0]!.keyid).toBe(Buffer.from(H('awre.test/abw34', Uint8Array.of(0x0a, 0xff), 'awre/ml-dsa-65', rec.publicKey).subarray(0, 4)).toString('hex'));
    expect(nobleDsa.verify(Buffer.from(env.signatures[0]!.sig, 'base64'), pae, rec.publicKey, { context: ATTEST_CTX })).toBe(true);
    const st = openDsse(env, 'awre.test/abw34', rec.publicKey, verify)!;
    expect(st).toEqual(JSON.parse(body.toString('utf8')));
    expect(st['_type']).toBe('https://in-toto.io/Statement/v1');
    expect(st['predicateType']).toBe('https://awre.dev/abw34/session/v1');
    const module = createHash('sha256').update(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'build', 'enclave.waven.wasm'))).digest('hex');
    expect((JSON.parse(lines[0]!) as Tuple).boot!.profile!.module).toBe(module);
    expect(st['subject']).toEqual([{ name: 'enclave.waven.wasm', digest: { sha256: module } }]);
    const pred = st['predicate'] as { origin: string; tuples: number; checkpoint: unknown };
    expect(pred.origin).toBe('awre.test/abw34');
    expect(pred.tuples).toBe(lines.length);
    expect(pred.checkpoint).toBe((JSON.parse(lines[lines.length - 1]!) as Tuple).checkpoint!.note);
    expect(openDsse(env, 'awre.test/abw34', ml_dsa65.keygen(new Uint8Array(32)).publicKey, verify)).toBeUndefined();
    const tampered = { ...env, payload: Buffer.from(Buffer.from(env.payload, 'base64').toString().replace('"tuples":', '"tuples":1')).toString('base64') };
    expect(openDsse(tampered, 'awre.test/abw34', rec.publicKey, verify)).toBeUndefined();
  });
});
