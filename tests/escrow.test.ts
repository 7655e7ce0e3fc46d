// The escrow (recorder/escrow.ts, docs/abw34.md "Escrow") on real recorded
// sessions (tests/helpers/session.ts). The format is checked against an
// independent reader written here from the doc (noble ML-KEM-768, noble
// SHA3-256, node:crypto AES-256-GCM), and an escrow written by that
// independent construction opens with openEscrow. Then every refusal of
// openEscrow: each bad escrow is crafted from a good one (re-encrypted with
// the real key where the attack needs it) and must be AwreError
// 'ESCROW_INVALID' with a message naming the problem. Last, `awre verify
// --escrow` on a bad escrow: exit 1, an `escrow-invalid` finding, and no replay.
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import canonicalize from 'canonicalize';
import { ml_kem768 as nobleKem } from '@noble/post-quantum/ml-kem.js';
import { sha3_256 } from '@noble/hashes/sha3.js';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AwreError } from '../host/errors.js';
import { buildProgram } from '../host/cli/program.js';
import { CliFailure } from '../host/cli/io.js';
import { EscrowWriter, openEscrow } from '../recorder/escrow.js';
import { parseAuditorSecretKey } from '../recorder/keys.js';
import { replayLog } from '../recorder/replay.js';
import { verifyAttestation } from '../recorder/attest.js';
import { MemorySink } from '../recorder/recorder.js';
import { RecordedSession } from '../recorder/session.js';
import { verifyLog } from '../recorder/verify.js';
import { ReplayProvider } from '../host/qrng/sources/replay.js';
import type { SeedProvider } from '../host/qrng/seeder.js';
import { Prng } from './helpers/prng.js';
import { recordSession, type RecordedFiles } from './helpers/session.js';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'host', 'cli', 'main.js');
const utf8 = (s: string) => new TextEncoder().encode(s);
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const unb64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
const sha256hex = (...parts: Uint8Array[]) => { const h = createHash('sha256'); for (const p of parts) h.update(p); return h.digest('hex'); };
const splitLines = (text: string) => text.replace(/\n$/, '').split('\n');
const joinLines = (ls: string[]) => `${ls.join('\n')}\n`;

// ---- the format, from docs/abw34.md ---------------------------------------------
interface Header { escrow: string; v: number; kem: string; origin: string; ct: string }
/** key = SHA3-256("awre-escrow-v1" || 0x00 || origin || 0x00 || K) */
const docKey = (origin: string, K: Uint8Array) => sha3_256(new Uint8Array([...utf8('awre-escrow-v1'), 0, ...utf8(origin), 0, ...K]));
/** nonce = 0^32 || be64(n) */
const docNonce = (n: number) => { const b = Buffer.alloc(12); b.writeBigUInt64BE(BigInt(n), 4); return b; };
/** aad = "awre-escrow-v1 <origin> <n>" */
const docAad = (origin: string, n: number) => Buffer.from(`awre-escrow-v1 ${origin} ${n}`, 'utf8');

function seal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, pt: Uint8Array): string {
  const c = createCipheriv('aes-256-gcm', key, nonce);
  c.setAAD(aad);
  return b64(Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]));
}
function unseal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, data: string): Uint8Array {
  const ct = unb64(data);
  const d = createDecipheriv('aes-256-gcm', key, nonce);
  d.setAAD(aad);
  d.setAuthTag(ct.subarray(ct.length - 16));
  return new Uint8Array(Buffer.concat([d.update(ct.subarray(0, ct.length - 16)), d.final()]));
}
/** Record line n: {"data":..,"n":n} (canonical JSON, as the writer emits it). */
const recordLine = (n: number, data: string) => canonicalize({ n, data })!;

/** An escrow opened by the doc alone: its header, key and plaintexts. */
function docOpen(text: string, sk: Uint8Array): { header: Header; key: Uint8Array; pts: string[] } {
  const [head, ...recs] = splitLines(text);
  const header = JSON.parse(head!) as Header;
  const key = docKey(header.origin, nobleKem.decapsulate(unb64(header.ct), sk));
  const pts = recs.map((l, n) => {
    const r = JSON.parse(l) as { n: number; data: string };
    expect(r.n, `record ${n}`).toBe(n);
    return new TextDecoder().decode(unseal(key, docNonce(n), docAad(header.origin, n), r.data));
  });
  return { header, key, pts };
}

// ---- the sessions -----------------------------------------------------------------
let A: RecordedFiles; // the escrow under test
let B: RecordedFiles; // another log (another origin)
let C: RecordedFiles; // another run with the same origin
let good: string;
let sk: Uint8Array;
let doc: ReturnType<typeof docOpen>;

beforeAll(async () => {
  A = await recordSession({ handshakes: 3, frames: 1 }); // with a reseed
  B = await recordSession({ handshakes: 1, frames: 2, origin: 'awre.test/other' });
  C = await recordSession({ handshakes: 1, frames: 2 });
  good = readFileSync(A.escrow, 'utf8');
  sk = parseAuditorSecretKey(readFileSync(A.auditorKey, 'utf8'));
  doc = docOpen(good, sk);
});

/** The ESCROW_INVALID refusal of `text`; fails the test when it opens or throws anything else. */
function refusal(text: string, key = sk): AwreError {
  let err: unknown;
  try {
    openEscrow(text, key, 'bad.escrow');
  } catch (e) {
    err = e;
  }
  expect(err, 'openEscrow accepted it').toBeInstanceOf(AwreError);
  expect((err as AwreError).code).toBe('ESCROW_INVALID');
  expect((err as AwreError).message.startsWith('bad.escrow: ')).toBe(true);
  return err as AwreError;
}
/** Refused, and the message after "bad.escrow: " matches `why` (anchored). */
const refused = (text: string, why: RegExp, key = sk) => expect(refusal(text, key).message.slice('bad.escrow: '.length)).toMatch(new RegExp(`^(?:${why.source})`, why.flags));

const lines = () => splitLines(good);
const withHeader = (f: (h: Record<string, unknown>) => void) => {
  const ls = lines();
  const h = JSON.parse(ls[0]!) as Record<string, unknown>;
  f(h);
  ls[0] = JSON.stringify(h);
  return joinLines(ls);
};
/** Record n of `text` re-sealed from plaintext `pt` under explicit key, nonce and aad. */
const resealed = (n: number, pt: string, o: { key?: Uint8Array; nonce?: number; aadOrigin?: string; aadN?: number } = {}) => {
  const ls = lines();
  ls[n + 1] = recordLine(n, seal(o.key ?? doc.key, docNonce(o.nonce ?? n), docAad(o.aadOrigin ?? doc.header.origin, o.aadN ?? n), utf8(pt)));
  return joinLines(ls);
};

describe('the escrow format, read with the doc alone', () => {
  it('the header, the key, the nonces, the aad and the plaintexts are the documented ones, and agree with openEscrow and the log', () => {
    const [head] = lines();
    expect(canonicalize(JSON.parse(head!))).toBe(head);
    expect(Object.keys(doc.header).sort()).toEqual(['ct', 'escrow', 'kem', 'origin', 'v']);
    expect(doc.header).toMatchObject({ escrow: 'awre-abw34-escrow', v: 1, kem: 'ML-KEM-768', origin: 'awre.test/abw34' });
    expect(unb64(doc.header.ct).length).toBe(1088);
    for (const l of lines().slice(1)) expect(Object.keys(JSON.parse(l)).sort()).toEqual(['data', 'n']);

    // Plaintexts: canonical JSON, exactly the documented members.
    const seeds = new Map<string, { commitment: string; seed: Uint8Array; material: unknown }>();
    const inputs = new Map<number, Uint8Array>();
    for (const pt of doc.pts) {
      expect(canonicalize(JSON.parse(pt))).toBe(pt);
      const v = JSON.parse(pt) as Record<string, unknown>;
      if (v['type'] === 'seed') {
        expect(Object.keys(v).sort()).toEqual(['commitment', 'epoch', 'material', 'seed', 'tenant', 'type']);
        seeds.set(`${v['tenant']}/${v['epoch']}`, { commitment: v['commitment'] as string, seed: unb64(v['seed'] as string), material: v['material'] });
      } else {
        expect(Object.keys(v).sort()).toEqual(['input', 'seq', 'type']);
        expect(v['type']).toBe('input');
        inputs.set(v['seq'] as number, unb64(v['input'] as string));
      }
    }
    // Against the log: a seed for every seed/reseed tuple, whose commitment
    // (docs/qrng.md: SHA-256("awre-qrng-commit-v1" || 0x00 || le64 epoch || seed))
    // is the logged one; an input for every call, whose SHA-256 is the logged `in`.
    const tuples = splitLines(readFileSync(A.log, 'utf8')).map((l) => JSON.parse(l) as { seq: number; kind: string; tenant?: string; qrng?: { epoch: number; commitment: string }; call?: { in: string } });
    // The attestation tenant's seed is logged (its commitment) but never escrowed (issue 14).
    const seeded = tuples.filter((t) => (t.kind === 'seed' || t.kind === 'reseed') && t.tenant !== 'attest');
    expect(tuples.filter((t) => t.kind === 'seed' && t.tenant === 'attest')).toHaveLength(1);
    expect([...seeds.keys()].some((k) => k.startsWith('attest/'))).toBe(false);
    const calls = tuples.filter((t) => t.kind === 'call');
    expect(seeded.map((t) => t.kind)).toContain('reseed');
    expect(seeded.length).toBeGreaterThan(3);
    expect(calls.length).toBeGreaterThan(5);
    expect(seeds.size).toBe(seeded.length);
    expect([...inputs.keys()].sort((a, b) => a - b)).toEqual(calls.map((t) => t.seq));
    for (const t of seeded) {
      const s = seeds.get(`${t.tenant}/${t.qrng!.epoch}`)!;
      expect(s.commitment).toBe(t.qrng!.commitment);
      const le64 = Buffer.alloc(8); le64.writeBigUInt64LE(BigInt(t.qrng!.epoch));
      expect(sha256hex(utf8('awre-qrng-commit-v1'), Uint8Array.of(0), le64, s.seed)).toBe(t.qrng!.commitment);
      expect(good).not.toContain(b64(s.seed));
    }
    for (const t of calls) expect(sha256hex(inputs.get(t.seq)!)).toBe(t.call!.in);

    // openEscrow reads the same contents.
    const e = openEscrow(good, sk);
    expect(e.origin).toBe('awre.test/abw34');
    expect([...e.inputs.keys()].sort((a, b) => a - b)).toEqual([...inputs.keys()].sort((a, b) => a - b));
    for (const [seq, input] of inputs) expect(Buffer.from(e.inputs.get(seq)!).equals(Buffer.from(input))).toBe(true);
    for (const [k, s] of seeds) {
      const [tenant, epoch] = k.split('/');
      const got = e.seed(tenant!, Number(epoch))!;
      expect(got).toMatchObject({ ...(s.material as object), tenant, epoch: Number(epoch), commitment: s.commitment });
      expect(Buffer.from(got.seed).equals(Buffer.from(s.seed))).toBe(true);
    }
  });

  it('an escrow written by the doc alone (noble encapsulation, node:crypto GCM) opens with openEscrow and replays the log', async () => {
    const { cipherText, sharedSecret } = nobleKem.encapsulate(nobleKem.getPublicKey(sk));
    const origin = doc.header.origin;
    const key = docKey(origin, sharedSecret);
    const text = joinLines([
      JSON.stringify({ escrow: 'awre-abw34-escrow', v: 1, kem: 'ML-KEM-768', origin, ct: b64(cipherText) }),
      ...doc.pts.map((pt, n) => recordLine(n, seal(key, docNonce(n), docAad(origin, n), utf8(pt)))),
    ]);
    const e = openEscrow(text, sk);
    expect(e.inputs.size).toBe(openEscrow(good, sk).inputs.size);
    expect(await replayLog(readFileSync(A.log, 'utf8'), e, { key: A.publicKey })).toEqual([]);
  });

  it('the EscrowWriter of the sources (the live recorder runs dist/ in its worker) writes the same plaintexts, read by the doc alone', () => {
    const path = join(A.dir, 'source-writer.escrow');
    const w = new EscrowWriter(path, nobleKem.getPublicKey(sk), 'awre.test/source');
    for (const pt of doc.pts) {
      const v = JSON.parse(pt) as { type: string; tenant: string; epoch: number; commitment: string; seed: string; material: unknown; seq: number; input: string };
      if (v.type === 'seed') w.seed({ tenant: v.tenant, epoch: v.epoch, commitment: v.commitment, seed: unb64(v.seed), material: v.material });
      else w.input(v.seq, unb64(v.input));
    }
    w.close();
    const text = readFileSync(path, 'utf8');
    const mine = docOpen(text, sk);
    expect(mine.header).toMatchObject({ escrow: 'awre-abw34-escrow', v: 1, kem: 'ML-KEM-768', origin: 'awre.test/source' });
    expect(mine.pts).toEqual(doc.pts);
    expect(openEscrow(text, sk).origin).toBe('awre.test/source');
  });
});

describe('openEscrow refuses', () => {
  it('(the good escrow opens)', () => {
    const e = openEscrow(good, sk, 'good.escrow');
    expect(e.inputs.size).toBeGreaterThan(5);
    expect(e.seed('initiator', 0)).toBeDefined();
    expect(e.seed('attest', 0)).toBeUndefined(); // never escrowed (issue 14)
  });

  it('a missing, unparsable or non-object header', () => {
    refused('', /no header line/);
    refused('\n', /no header line/);
    refused(good.slice(0, 40), /no header line/); // a torn header
    refused(joinLines(['null', ...lines().slice(1)]), /no header line/);
    refused(joinLines(['not json', ...lines().slice(1)]), /no header line/);
  });

  it('a header with a wrong or missing field: format, version, KEM, origin, ct', () => {
    const notOurs = /not an awre escrow \(v1, ML-KEM-768\)/;
    refused(withHeader((h) => { h['escrow'] = 'awre-abw35-escrow'; }), notOurs);
    refused(withHeader((h) => { delete h['escrow']; }), notOurs);
    refused(withHeader((h) => { h['v'] = 2; }), notOurs);
    refused(withHeader((h) => { h['v'] = '1'; }), notOurs);
    refused(withHeader((h) => { delete h['v']; }), notOurs);
    refused(withHeader((h) => { h['kem'] = 'ML-KEM-1024'; }), notOurs);
    refused(withHeader((h) => { h['origin'] = 7; }), notOurs);
    refused(withHeader((h) => { delete h['origin']; }), notOurs);
    refused(withHeader((h) => { h['ct'] = [h['ct']]; }), notOurs);
    refused(withHeader((h) => { delete h['ct']; }), notOurs);
    refused(joinLines(['[]', ...lines().slice(1)]), notOurs);
  });

  it('a header whose ct is not an ML-KEM-768 ciphertext (truncated, not base64)', () => {
    refused(withHeader((h) => { h['ct'] = (h['ct'] as string).slice(0, 100); }), /malformed escrow \(.*cipherText/i);
    refused(withHeader((h) => { h['ct'] = '!!!!'; }), /malformed escrow \(.*cipherText/i);
  });

  it('a header naming another origin, another run\'s encapsulation, or another log\'s header', () => {
    const auth0 = /record 0 does not authenticate \(wrong auditor key, another log, or tampered\)/;
    refused(withHeader((h) => { h['origin'] = 'awre.test/other'; }), auth0);
    refused(withHeader((h) => { h['origin'] = 'awre.test/abw34 '; }), auth0);
    refused(withHeader((h) => { h['ct'] = (JSON.parse(splitLines(readFileSync(C.escrow, 'utf8'))[0]!) as Header).ct; }), auth0);
    refused(joinLines([splitLines(readFileSync(B.escrow, 'utf8'))[0]!, ...lines().slice(1)]), auth0);
  });

  it('a wrong auditor key (another valid key pair; a key of the wrong length)', () => {
    const other = nobleKem.keygen(new Uint8Array(64).fill(3)).secretKey;
    refused(good, /record 0 does not authenticate/, other);
    refused(good, /malformed escrow \(/, sk.subarray(0, 2399));
  });

  it('records out of order: swapped, dropped from the middle, duplicated', () => {
    const ls = lines();
    const swapped = ls.slice(); [swapped[3], swapped[4]] = [swapped[4]!, swapped[3]!];
    refused(joinLines(swapped), /record 2 is out of order or malformed/);
    refused(joinLines([...ls.slice(0, 3), ...ls.slice(4)]), /record 2 is out of order or malformed/);
    refused(joinLines([...ls.slice(0, 4), ls[3]!, ...ls.slice(4)]), /record 3 is out of order or malformed/);
    // Swapped and renumbered (n edited to fit the position): the nonce and aad bind the position.
    const renumbered = ls.slice();
    renumbered[3] = recordLine(2, (JSON.parse(ls[4]!) as { data: string }).data);
    renumbered[4] = recordLine(3, (JSON.parse(ls[3]!) as { data: string }).data);
    refused(joinLines(renumbered), /record 2 does not authenticate/);
  });

  it('a record moved: re-sealed under the right key with another position\'s nonce or aad, or another origin in the aad', () => {
    // (Sealed with the right key, nonce and aad, the record opens: the harness is sound.)
    expect(openEscrow(resealed(2, doc.pts[2]!), sk).inputs.size).toBe(openEscrow(good, sk).inputs.size);
    refused(resealed(2, doc.pts[2]!, { nonce: 3 }), /record 2 does not authenticate/);
    refused(resealed(2, doc.pts[2]!, { aadN: 3 }), /record 2 does not authenticate/);
    refused(resealed(2, doc.pts[2]!, { aadOrigin: 'awre.test/other' }), /record 2 does not authenticate/);
    // The key binds the origin too: a key derived for another origin, with this origin's nonce and aad.
    const K = nobleKem.decapsulate(unb64(doc.header.ct), sk);
    refused(resealed(2, doc.pts[2]!, { key: docKey('awre.test/other', K) }), /record 2 does not authenticate/);
  });

  it('a record from another log, or from another run of the same log, spliced in at the same position', () => {
    for (const other of [B, C]) {
      const ls = lines();
      ls[4] = splitLines(readFileSync(other.escrow, 'utf8'))[4]!;
      expect(ls[4]).not.toBe(lines()[4]);
      refused(joinLines(ls), /record 3 does not authenticate/);
    }
  });

  it('a bit flipped in a record\'s ciphertext or tag; data cut short', () => {
    const flip = (at: (len: number) => number) => {
      const ls = lines();
      const r = JSON.parse(ls[5]!) as { n: number; data: string };
      const ct = unb64(r.data);
      ct[at(ct.length)]! ^= 0x01;
      ls[5] = recordLine(r.n, b64(ct));
      return joinLines(ls);
    };
    refused(flip(() => 0), /record 4 does not authenticate/);
    refused(flip((n) => n - 17), /record 4 does not authenticate/); // last ciphertext byte
    refused(flip((n) => n - 1), /record 4 does not authenticate/); // last tag byte
    const ls = lines();
    const r = JSON.parse(ls[5]!) as { n: number; data: string };
    ls[5] = recordLine(4, b64(unb64(r.data).subarray(0, unb64(r.data).length - 1)));
    refused(joinLines(ls), /record 4 does not authenticate/);
    ls[5] = recordLine(4, 'AAAA'); // shorter than a tag
    refused(joinLines(ls), /record 4 does not authenticate/);
    ls[5] = recordLine(4, '');
    refused(joinLines(ls), /record 4 does not authenticate/);
  });

  it('a truncated (torn) record, a blank line, a record that is not a {n, data} object', () => {
    const ls = lines();
    const last = ls.length - 2;
    refused(`${joinLines(ls.slice(0, -1))}${ls[ls.length - 1]!.slice(0, 30)}`, new RegExp(`record ${last} is not JSON`));
    refused(joinLines([...ls.slice(0, 3), '', ...ls.slice(3)]), /record 2 is not JSON/);
    refused(`${good}\n`, new RegExp(`record ${last + 1} is not JSON`));
    for (const bad of ['null', '7', '"x"', '[]', '{"n":2}', '{"n":2,"data":5}', '{"n":"2","data":"AAAA"}', '{"data":"AAAA"}']) {
      const b = ls.slice(); b[3] = bad;
      refused(joinLines(b), /record 2 is out of order or malformed/);
    }
  });

  it('an authentic record whose plaintext is not a seed or an input, or not JSON', () => {
    refused(resealed(3, '{"type":"secret","x":1}'), /record 3 has an unknown type/);
    refused(resealed(3, '{"seq":3}'), /record 3 has an unknown type/);
    refused(resealed(3, 'not json'), /malformed escrow \(/);
  });
});

describe('what openEscrow cannot see, the replay does', () => {
  it('records cut from the end (the format has no count): the replay reports the missing input', async () => {
    const ls = lines();
    const cut = openEscrow(joinLines(ls.slice(0, -2)), sk);
    const f = await replayLog(readFileSync(A.log, 'utf8'), cut, { key: A.publicKey });
    expect(f.map((x) => x.event)).toContain('escrow-input-missing');
  });

  it('a header alone (no record to authenticate) opens under any auditor key; the replay fails at the first seed', async () => {
    const other = nobleKem.keygen(new Uint8Array(64).fill(3)).secretKey;
    const empty = openEscrow(joinLines(lines().slice(0, 1)), other);
    expect(empty.inputs.size).toBe(0);
    const f = await replayLog(readFileSync(A.log, 'utf8'), empty, { key: A.publicKey });
    expect(f[0]).toMatchObject({ event: 'replay-failed', severity: 'error', message: expect.stringMatching(/no escrowed seed for tenant "initiator" epoch 0/) });
  });

  it('another log\'s escrow opens, and the replay refuses it by origin', async () => {
    const other = openEscrow(readFileSync(B.escrow, 'utf8'), sk);
    expect(other.origin).toBe('awre.test/other');
    expect((await replayLog(readFileSync(A.log, 'utf8'), other, { key: A.publicKey })).map((x) => x.event)).toEqual(['escrow-origin']);
  });
});

// ---- awre verify --escrow ---------------------------------------------------------

/** `awre verify` in this process (the source, not dist/): the exit code and what it printed. */
async function verifyCli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => { out.push(a.join(' ')); });
  let code = -1;
  try {
    await buildProgram((c) => { code = c; }).parseAsync(['node', 'awre', 'verify', ...args]);
    return { code, out: out.join('\n'), err: '' };
  } catch (e) {
    if (e instanceof CliFailure) return { code: e.code, out: out.join('\n'), err: e.message };
    throw e;
  } finally {
    log.mockRestore();
  }
}
afterEach(() => { vi.restoreAllMocks(); });

describe('the fabricated-session attack: an escrow and the auditor key cannot sign as the node (issue 14)', () => {
  it('the escrow rebuilds the tenants but not the attestation key; a session fabricated from it under another key fails verify and --since', async () => {
    const e = openEscrow(readFileSync(A.log.replace(/abw34\.log$/, 'abw34.escrow'), 'utf8'), sk);
    // Mallory holds the escrow and the auditor key. She rebuilds the run as a live session from the escrowed seeds...
    const replayed = new ReplayProvider(e);
    const dir = mkdtempSync(join(tmpdir(), 'awre-forge-'));
    const rebuild = RecordedSession.start({ record: { sink: new MemorySink() }, provider: replayed, origin: 'awre.test/abw34', checkpointEvery: 12, reseedAfter: 3 });
    // ...but the attestation tenant's seed is not there: the key cannot be rebuilt.
    await expect(rebuild).rejects.toThrow(/no escrowed seed for tenant "attest" epoch 0/);
    // So she fabricates a session (other frames) with every tenant seed from the escrow and an attestation key of her own.
    const mallory: SeedProvider = {
      seedFor: (req) => (req.tenant === 'attest' ? Promise.resolve({ seed: new Prng('forge/attest').bytes(48), bits: 384, rawBytes: 48, osMixed: false, source: 'sim#5e55', quantum: false, health: e.seed('initiator', 0)!.health }) : replayed.seedFor(req)),
    };
    const forged = await RecordedSession.start({ record: { log: join(dir, 'abw34.log'), sync: 'group' }, provider: mallory, origin: 'awre.test/abw34', checkpointEvery: 12, reseedAfter: 3 });
    const h = await forged.handshake(1_800_000_000_000);
    forged.send('initiator', h, utf8('a history that never happened'));
    forged.close(h);
    await forged.halt();
    const text = readFileSync(join(dir, 'abw34.log'), 'utf8');
    // Under her own key the fabrication is self-consistent; under the node's key it fails at every checkpoint and at the key.
    expect(verifyLog(text, { key: forged.signer.publicKey, verify: verifyAttestation }).findings).toEqual([]);
    const r = verifyLog(text, { key: A.publicKey, keyName: 'awre.test/abw34', verify: verifyAttestation });
    expect(r.ok).toBe(false);
    expect(new Set(r.findings.map((f) => f.event))).toEqual(new Set(['key-mismatch', 'checkpoint-signature']));
    // An auditor holding a checkpoint of the real run (--since) refuses it as well.
    const real = splitLines(readFileSync(A.log, 'utf8')).map((l) => JSON.parse(l) as { kind: string; checkpoint?: { note: string } });
    const since = real.filter((t) => t.kind === 'checkpoint')[1]!.checkpoint!.note;
    const s = verifyLog(text, { key: A.publicKey, verify: verifyAttestation, since }).findings.map((f) => f.event);
    expect(s).toEqual(expect.arrayContaining(['checkpoint-signature']));
    expect(s.some((x) => x.startsWith('since-'))).toBe(true);
  });
});

describe('awre verify --escrow', () => {
  const tampered = () => {
    const ls = lines();
    const r = JSON.parse(ls[3]!) as { n: number; data: string };
    const ct = unb64(r.data); ct[0]! ^= 0x80;
    ls[3] = recordLine(r.n, b64(ct));
    const path = join(A.dir, 'tampered.escrow');
    writeFileSync(path, joinLines(ls));
    return path;
  };

  it('the good escrow: exit 0, replayed', async () => {
    const r = await verifyCli(A.log, '--key', A.key, '--escrow', A.escrow, '--auditor-key', A.auditorKey);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/replay from the escrow: done/);
  });

  it('a tampered escrow: exit 1, the finding names the file and the record, no replay', async () => {
    const path = tampered();
    const r = await verifyCli(A.log, '--key', A.key, '--escrow', path, '--auditor-key', A.auditorKey);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`FAIL escrow-invalid: ${path}: record 2 does not authenticate`);
    expect(r.out).toMatch(/replay from the escrow: failed: the escrow did not open/);
    const j = await verifyCli(A.log, '--key', A.key, '--escrow', path, '--auditor-key', A.auditorKey, '--json');
    expect(j.code).toBe(1);
    const res = JSON.parse(j.out) as { ok: boolean; replayed: boolean; findings: { event: string; severity: string; message: string }[] };
    expect(res).toMatchObject({ ok: false, replayed: false });
    expect(res.findings).toEqual([expect.objectContaining({ event: 'escrow-invalid', severity: 'error', message: expect.stringMatching(/record 2 does not authenticate/) })]);
  });

  it('a bad header, another auditor key, another log\'s escrow: exit 1, each named', async () => {
    const hdr = join(A.dir, 'v2.escrow');
    writeFileSync(hdr, withHeader((h) => { h['v'] = 2; }));
    const a = await verifyCli(A.log, '--key', A.key, '--escrow', hdr, '--auditor-key', A.auditorKey);
    expect(a.code).toBe(1);
    expect(a.out).toContain(`FAIL escrow-invalid: ${hdr}: not an awre escrow (v1, ML-KEM-768)`);
    const otherKey = join(A.dir, 'other.key.json');
    writeFileSync(otherKey, JSON.stringify({ kind: 'awre-auditor-secret-key', alg: 'ML-KEM-768', secretKey: b64(nobleKem.keygen(new Uint8Array(64).fill(5)).secretKey) }));
    const k = await verifyCli(A.log, '--key', A.key, '--escrow', A.escrow, '--auditor-key', otherKey);
    expect(k.code).toBe(1);
    expect(k.out).toMatch(/FAIL escrow-invalid: .*: record 0 does not authenticate \(wrong auditor key/);
    const o = await verifyCli(A.log, '--key', A.key, '--escrow', B.escrow, '--auditor-key', A.auditorKey);
    expect(o.code).toBe(1);
    expect(o.out).toMatch(/FAIL escrow-origin: the escrow belongs to another log/);
  });

  it('the built binary (dist/) says the same for a tampered escrow', () => {
    const path = tampered();
    const r = spawnSync(process.execPath, [MAIN, 'verify', A.log, '--key', A.key, '--escrow', path, '--auditor-key', A.auditorKey], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toContain(`FAIL escrow-invalid: ${path}: record 2 does not authenticate`);
  });

  it('an unreadable escrow file is an I/O error: exit 3 (docs/abw34.md), not a finding', async () => {
    const r = await verifyCli(A.log, '--key', A.key, '--escrow', join(A.dir, 'missing.escrow'), '--auditor-key', A.auditorKey);
    expect(r.code).toBe(3);
  });
});
