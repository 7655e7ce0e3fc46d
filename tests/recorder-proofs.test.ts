// Proof files and the session summary from a real recorded session: every
// tuple's C2SP tlog-proof verifies under its checkpoint; a proof for another
// tuple, a flipped path hash or another key fails; consistency proofs between
// every pair of checkpoints verify and a forged one does not; the DSSE
// summary opens under the attestation key only.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ml_dsa65 } from '../host/index.js';
import { consistencyProofFile, inclusionProofFile, verifyConsistencyProofFile, verifyInclusionProofFile } from '../recorder/proofs.js';
import { openDsse } from '../recorder/summary.js';
import { tupleLeaf, type Tuple } from '../recorder/tuple.js';
import { recordSession, type RecordedFiles } from './helpers/session.js';

let rec: RecordedFiles;
let lines: string[];
const verify = (s: Uint8Array, m: Uint8Array, k: Uint8Array) => ml_dsa65.verify(s, m, k);

beforeAll(async () => {
  rec = await recordSession({ handshakes: 2, frames: 2 });
  lines = readFileSync(rec.log, 'utf8').trimEnd().split('\n');
});

describe('proof files', () => {
  it('a tlog-proof for every tuple under every checkpoint that covers it', () => {
    const leaves = lines.map((l) => tupleLeaf(l));
    const cps = lines.map((l) => JSON.parse(l) as Tuple).filter((t) => t.kind === 'checkpoint');
    let n = 0;
    for (const cp of cps) {
      for (let i = 0; i < cp.checkpoint!.size; i += 3) {
        const file = inclusionProofFile(leaves, i, cp.checkpoint!.note);
        expect(file.startsWith(`c2sp.org/tlog-proof@v1\nindex ${i}\n`)).toBe(true);
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
    const leaves = lines.map((l) => tupleLeaf(l));
    const notes = lines.map((l) => JSON.parse(l) as Tuple).filter((t) => t.kind === 'checkpoint').map((t) => t.checkpoint!.note);
    for (let a = 0; a < notes.length; a++) {
      for (let b = a; b < notes.length; b++) expect(verifyConsistencyProofFile(consistencyProofFile(leaves, notes[a]!, notes[b]!), rec.publicKey, verify), `${a} -> ${b}`).toEqual({ ok: true });
    }
    const f = JSON.parse(consistencyProofFile(leaves, notes[0]!, notes[notes.length - 1]!)) as { proof: string[] };
    f.proof[0] = Buffer.alloc(32, 3).toString('base64');
    expect(verifyConsistencyProofFile(JSON.stringify(f), rec.publicKey, verify).ok).toBe(false);
  });
});

describe('session summary', () => {
  it('an in-toto Statement v1 about the module, in DSSE, signed by the attestation key', () => {
    const env = rec.halted.summary;
    const st = openDsse(env, 'awre.test/abw34', rec.publicKey, verify)!;
    expect(st['_type']).toBe('https://in-toto.io/Statement/v1');
    const module = (JSON.parse(lines[0]!) as Tuple).boot!.profile!.module;
    expect(st['subject']).toEqual([{ name: 'enclave.waven.wasm', digest: { sha256: module } }]);
    expect((st['predicate'] as { tuples: number }).tuples).toBe(lines.length);
    expect(openDsse(env, 'awre.test/abw34', ml_dsa65.keygen(new Uint8Array(32)).publicKey, verify)).toBeUndefined();
    const tampered = { ...env, payload: Buffer.from(Buffer.from(env.payload, 'base64').toString().replace('"tuples":', '"tuples":1')).toString('base64') };
    expect(openDsse(tampered, 'awre.test/abw34', rec.publicKey, verify)).toBeUndefined();
  });
});
