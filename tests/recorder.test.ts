// The ABW34 recorder and verifier on a real recorded session
// (tests/helpers/session.ts): the untouched log verifies with no finding and
// replays bit for bit from the escrow; a tamper matrix (a bit flip in every
// field of one tuple of every kind, deleted, duplicated, reordered and
// truncated tuples, a torn last line, forged checkpoints, another key, a
// policy that excludes the module, a replay against a modified module) is
// each detected, by its event name. The log's bytes (chain, profile digest,
// roots, notes, key IDs, signatures) are also recomputed from docs/abw34.md,
// for the live log and for one the sources' recorder writes in memory.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import canonicalize from 'canonicalize';
import { ml_dsa65 as nobleDsa } from '@noble/post-quantum/ml-dsa.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { ml_dsa65, qrng, readModule } from '../host/index.js';
import { openEscrow, type EscrowContents } from '../recorder/escrow.js';
import { parseAuditorSecretKey } from '../recorder/keys.js';
import { checkpointBody, parseNote, signNote } from '../recorder/note.js';
import { MemorySink } from '../recorder/recorder.js';
import { replayLog } from '../recorder/replay.js';
import { RecordedSession } from '../recorder/session.js';
import type { Tuple } from '../recorder/tuple.js';
import { verifyLog, type VerifyOptions } from '../recorder/verify.js';
import { recordSession, type RecordedFiles } from './helpers/session.js';
import { Prng } from './helpers/prng.js';
// Every attestation signature carries this FIPS 204 context (docs/abw34.md, docs/vault.md).
const ATTEST_CTX = new TextEncoder().encode('awre-attest-v1');

let rec: RecordedFiles;
let text: string;
let lines: string[];
let escrow: EscrowContents;
let opts: VerifyOptions;
const events = (t: string, o: Partial<VerifyOptions> = {}) => verifyLog(t, { ...opts, ...o }).findings.map((f) => f.event);
const join = (ls: string[]) => `${ls.join('\n')}\n`;

beforeAll(async () => {
  rec = await recordSession();
  text = readFileSync(rec.log, 'utf8');
  lines = text.trimEnd().split('\n');
  escrow = openEscrow(readFileSync(rec.escrow, 'utf8'), parseAuditorSecretKey(readFileSync(rec.auditorKey, 'utf8')));
  opts = { key: rec.publicKey, verify: (s, m, k) => ml_dsa65.verify(s, m, k, { context: ATTEST_CTX }) };
});

/** Flip the lowest bit of one leaf of a JSON value (a number, a string's first character, a boolean). */
function flipLeaf(v: unknown, path: string[]): unknown {
  if (path.length === 0) {
    if (typeof v === 'number') return v ^ 1;
    if (typeof v === 'boolean') return !v;
    if (typeof v === 'string') return v.length === 0 ? 'x' : String.fromCharCode(v.charCodeAt(0) ^ 1) + v.slice(1);
    return v;
  }
  const [k, ...rest] = path;
  const copy = (Array.isArray(v) ? [...v] : { ...(v as object) }) as Record<string, unknown>;
  copy[k!] = flipLeaf(copy[k!], rest);
  return copy;
}

/** Every path to a leaf of a JSON value. */
function leafPaths(v: unknown, prefix: string[] = []): string[][] {
  if (v === null || typeof v !== 'object') return [prefix];
  return Object.entries(v as object).flatMap(([k, x]) => leafPaths(x, [...prefix, k]));
}

// ---- the log format from docs/abw34.md alone (node:crypto, noble ML-DSA, canonicalize) ----
const sha256 = (...parts: (Uint8Array | string)[]) => { const h = createHash('sha256'); for (const p of parts) h.update(p); return new Uint8Array(h.digest()); };
const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex');
/** RFC 6962 MTH over the tuples' leaf hashes SHA-256(0x00 || line). */
function docRoot(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha256(Uint8Array.of(1), docRoot(leaves.slice(0, k)), docRoot(leaves.slice(k)));
}

/** Every tuple's seq, prev, profile digest, checkpoint (size, root, note text, key ID, signature) and halt, recomputed from the doc. */
function docCheck(ls: string[], publicKey: Uint8Array, origin: string, every: number): { checkpoints: number } {
  const tuples = ls.map((l) => JSON.parse(l) as Tuple);
  const leaves = ls.map((l) => sha256(Uint8Array.of(0), Buffer.from(l, 'utf8')));
  const boot = tuples[0]!.boot!;
  expect(boot.origin).toBe(origin);
  const profile = hexOf(sha256(canonicalize(boot.profile)!));
  // A tenant's empty tables (docs/waven.md): SHA-256("awre-waven-pt-v1" 0x00 table 0x00).
  const empty = { r: hexOf(sha256('awre-waven-pt-v1\0r\0')), w: hexOf(sha256('awre-waven-pt-v1\0w\0')) };
  const keyIdBytes = sha256(origin, Uint8Array.of(0x0a, 0xff), 'awre/ml-dsa-65', publicKey).subarray(0, 4);
  const cps: number[] = [];
  tuples.forEach((t, i) => {
    expect([t.abw, t.v, t.seq, t.profile], `tuple ${i}`).toEqual([34, 1, i, profile]);
    expect(t.prev, `prev of ${i}`).toBe(i === 0 ? '0'.repeat(64) : hexOf(leaves[i - 1]!));
    if (t.kind === 'boot' && t.tenant) expect(t.pt, `tenant boot ${i}`).toEqual(empty);
    if (t.kind !== 'checkpoint') return;
    cps.push(i);
    const root = docRoot(leaves.slice(0, i));
    expect(t.checkpoint!.size).toBe(i);
    expect(t.checkpoint!.root, `root @${i}`).toBe(hexOf(root));
    // The final checkpoint (after the halt tuple) carries the extension line awre-final.
    const text = `${origin}\n${i}\n${Buffer.from(root).toString('base64')}\nawre-t ${t.t}\n${tuples[i - 1]?.kind === 'halt' ? 'awre-final\n' : ''}`;
    const m = /^([\s\S]*\n)\n\u2014 (\S+) ([A-Za-z0-9+/]+=*)\n$/.exec(t.checkpoint!.note)!;
    expect(m, `note @${i}`).not.toBeNull();
    expect([m[1], m[2]]).toEqual([text, origin]);
    const blob = Buffer.from(m[3]!, 'base64');
    expect(hexOf(blob.subarray(0, 4)), `key ID @${i}`).toBe(hexOf(keyIdBytes));
    expect(nobleDsa.verify(blob.subarray(4), Buffer.from(text, 'utf8'), publicKey, { context: ATTEST_CTX }), `signature @${i}`).toBe(true);
  });
  // Placement: the boot checkpoint right after attest-keygen, then at most `every` tuples apart, the last right after halt.
  const keygen = tuples.findIndex((t) => t.call?.op === 'attest-keygen');
  expect(cps[0]).toBe(keygen + 1);
  for (let j = 1; j < cps.length; j++) expect(cps[j]! - cps[j - 1]! - 1, `gap before ${cps[j]}`).toBeLessThanOrEqual(every);
  const halt = tuples.length - 2;
  expect(tuples[halt]!.kind).toBe('halt');
  expect(tuples[halt]!.halt!.tuples).toBe(halt + 1);
  expect(cps[cps.length - 1]).toBe(tuples.length - 1);
  return { checkpoints: cps.length };
}

describe('a clean session', () => {
  it('verifies with no finding, replays bit for bit, and has the expected shape', async () => {
    const r = verifyLog(text, opts);
    expect(r.findings).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.tuples).toBe(lines.length);
    expect(r.checkpoints).toBeGreaterThan(2);
    const kinds = new Set(lines.map((l) => (JSON.parse(l) as Tuple).kind));
    for (const k of ['boot', 'seed', 'reseed', 'map', 'share', 'protect', 'unmap', 'call', 'checkpoint', 'halt']) expect(kinds.has(k as Tuple['kind']), k).toBe(true);
    expect(await replayLog(text, escrow, { key: rec.publicKey })).toEqual([]);
  });

  it('every line is RFC 8785 canonical JSON and no seed appears in the log', () => {
    for (const l of lines) expect(canonicalize(JSON.parse(l))).toBe(l);
    let seeds = 0;
    for (const tenant of ['attest', 'initiator', 'responder']) {
      for (let epoch = 0; escrow.seed(tenant, epoch); epoch++) {
        const s = escrow.seed(tenant, epoch)!.seed;
        expect(s.length).toBe(48);
        expect(text).not.toContain(Buffer.from(s).toString('hex'));
        expect(text).not.toContain(Buffer.from(s).toString('base64'));
        seeds++;
      }
    }
    // Every seed tuple but the attestation tenant's has its seed in the escrow; the attestation tenant's never does (issue 14).
    expect(escrow.seed('attest', 0)).toBeUndefined();
    expect(seeds).toBe(lines.filter((l) => /"kind":"(re)?seed"/.test(l) && !l.includes('"tenant":"attest"')).length);
    expect(lines.filter((l) => /"kind":"seed"/.test(l) && l.includes('"tenant":"attest"'))).toHaveLength(1);
    expect(seeds).toBeGreaterThan(3);
  });

  it('the log is the documented format: chain, profile digest, checkpoint roots, note texts, key IDs and signatures recomputed from the doc', () => {
    expect(docCheck(lines, rec.publicKey, 'awre.test/abw34', 12).checkpoints).toBeGreaterThan(2);
  });

  it('so is a log the recorder of the sources writes in memory (the live recorder runs dist/ in its worker)', async () => {
    const sink = new MemorySink();
    const feed = qrng.openFeed('sim:5e56');
    const s = await RecordedSession.start({ record: { sink }, provider: feed, feed, origin: 'awre.test/memory', checkpointEvery: 7, reseedAfter: 2 });
    const prng = new Prng('rec/memory');
    for (let i = 0; i < 3; i++) {
      const h = await s.handshake(1_800_000_000_000 + i);
      s.send('initiator', h, prng.bytes(30));
      s.send('responder', h, prng.bytes(50));
      s.close(h);
    }
    s.physical.spaces.map('responder', 400, 'rw');
    await s.halt();
    expect(sink.lines.some((l) => l.includes('"kind":"reseed"'))).toBe(true);
    expect(docCheck(sink.lines, s.signer.publicKey, 'awre.test/memory', 7).checkpoints).toBeGreaterThan(3);
  });
});

describe('tamper matrix', () => {
  it('a bit flip in every field of one tuple of every kind is detected (re-canonicalised, so only the value changed)', () => {
    const byKind = new Map<string, number>();
    lines.forEach((l, i) => {
      const t = JSON.parse(l) as Tuple;
      const key = t.kind === 'boot' ? (t.tenant ? 'boot-tenant' : 'boot') : t.kind;
      if (!byKind.has(key)) byKind.set(key, i);
    });
    byKind.set('final-checkpoint', lines.length - 1);
    let cases = 0;
    for (const [kind, i] of byKind) {
      const t = JSON.parse(lines[i]!) as Tuple;
      for (const path of leafPaths(t)) {
        const bad = lines.slice();
        bad[i] = canonicalize(flipLeaf(t, path))!;
        if (bad[i] === lines[i]) continue;
        const found = events(join(bad));
        expect(found.length, `${kind} @${i}: ${path.join('.')}`).toBeGreaterThan(0);
        cases++;
      }
    }
    expect(cases).toBeGreaterThan(150);
  });

  it('deleted, duplicated, reordered and truncated tuples, and a torn last line', () => {
    const mid = Math.floor(lines.length / 2);
    expect(events(join([...lines.slice(0, mid), ...lines.slice(mid + 1)]))).toEqual(expect.arrayContaining(['seq-gap', 'prev-mismatch']));
    expect(events(join([...lines.slice(0, mid + 1), lines[mid]!, ...lines.slice(mid + 1)]))).toEqual(expect.arrayContaining(['seq-gap', 'prev-mismatch']));
    const swapped = lines.slice();
    [swapped[mid], swapped[mid + 1]] = [swapped[mid + 1]!, swapped[mid]!];
    expect(events(join(swapped))).toEqual(expect.arrayContaining(['seq-gap', 'prev-mismatch']));
    expect(events(join(lines.slice(0, mid)))).toEqual(expect.arrayContaining(['no-halt']));
    const cut = lines.length - 3; // after the first checkpoint: only the tail is incomplete
    const torn = `${join(lines.slice(0, cut))}${lines[cut]!.slice(0, 40)}`;
    const found = events(torn);
    expect(found).toContain('torn-tail');
    expect(found.filter((e) => !['torn-tail', 'no-halt'].includes(e))).toEqual([]);
  });

  it('the same JSON in a non-canonical form is named not-canonical at that line (reordered members, spaces, escapes, number forms)', () => {
    const at = Math.floor(lines.length / 2);
    const line = lines[at]!;
    const obj = JSON.parse(line) as Record<string, unknown>;
    const variants: [string, string][] = [
      ['members reversed', `{${Object.entries(obj).reverse().map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`],
      ['a space after a colon', line.replace('":', '": ')],
      ['a member name escaped', line.replace('"seq"', '"\\u0073eq"')],
      ['seq written as N.0', line.replace(`"seq":${obj.seq}`, `"seq":${obj.seq}.0`)],
      ['pretty-printed', JSON.stringify(obj, null, 1).replace(/\n/g, '')],
    ];
    for (const [what, text] of variants) {
      expect(text, what).not.toBe(line);
      expect(JSON.parse(text), `${what}: the same JSON value`).toEqual(obj);
      const found = verifyLog(join([...lines.slice(0, at), text, ...lines.slice(at + 1)]), opts).findings;
      expect(found.filter((f) => f.event === 'not-canonical').map((f) => f.seq), what).toEqual([at]);
    }
  });

  it('a forged checkpoint and a checkpoint signed by another key', () => {
    const last = lines.length - 1;
    const t = JSON.parse(lines[last]!) as Tuple;
    // Another key signs a checkpoint over a different root: the root and the signature both fail.
    const other = ml_dsa65.keygen(new Uint8Array(32).fill(9));
    const signer = { name: 'awre.test/abw34', publicKey: other.publicKey, sign: (m: Uint8Array) => ml_dsa65.sign(m, other.secretKey) };
    const forgedRoot = new Uint8Array(32).fill(1);
    const forged = { ...t, checkpoint: { ...t.checkpoint!, root: Buffer.from(forgedRoot).toString('hex'), note: signNote(checkpointBody('awre.test/abw34', last, forgedRoot, t.t), signer) } };
    expect(events(join([...lines.slice(0, last), canonicalize(forged)!]))).toEqual(expect.arrayContaining(['checkpoint-root', 'checkpoint-note', 'checkpoint-signature']));
    // The true checkpoint, re-signed by another key: only the signature fails.
    const resigned = { ...t, checkpoint: { ...t.checkpoint!, note: signNote(parseNote(t.checkpoint!.note)!.text, signer) } };
    expect(events(join([...lines.slice(0, last), canonicalize(resigned)!]))).toEqual(['checkpoint-signature']);
    // The untouched log under another key: every checkpoint's signature fails, nothing else.
    const e = events(text, { key: other.publicKey });
    expect(new Set(e)).toEqual(new Set(['checkpoint-signature', 'key-mismatch']));
  });

  it('the key given must be the one the log made (attest-keygen output digest) and name this log (issue 14)', () => {
    const origin = (JSON.parse(lines[0]!) as Tuple).boot!.origin;
    expect(events(text, { keyName: origin })).toEqual([]);
    const r = verifyLog(text, { ...opts, keyName: 'awre.example/another-node' });
    expect(r.findings.map((f) => f.event)).toEqual(['key-origin']);
    expect(r.findings[0]).toMatchObject({ got: 'awre.example/another-node', expected: origin });
    // A log whose attest-keygen output was changed to another key's digest: the recorded key no longer matches.
    const at = lines.findIndex((l) => (JSON.parse(l) as Tuple).call?.op === 'attest-keygen');
    expect(at).toBeGreaterThan(0);
    const other = ml_dsa65.keygen(new Uint8Array(32).fill(7));
    const m = verifyLog(text, { ...opts, key: other.publicKey }).findings.find((f) => f.event === 'key-mismatch');
    expect(m).toMatchObject({ seq: at, got: hexOf(sha256(other.publicKey)), expected: hexOf(sha256(rec.publicKey)) });
    // No attest-keygen call at all.
    const t = JSON.parse(lines[at]!) as Tuple;
    const renamed = canonicalize({ ...t, call: { ...t.call!, op: 'attest-keygem' } })!;
    expect(events(join([...lines.slice(0, at), renamed, ...lines.slice(at + 1)]))).toContain('no-attest-key');
  });

  it('a policy that excludes the module, the MMU mode, the sources or the interval', () => {
    expect(events(text, { policy: { modules: ['0'.repeat(64)] } })).toEqual(['policy-module']);
    expect(events(text, { policy: { mmu: 'off' } })).toEqual(['policy-mmu']);
    expect(new Set(events(text, { policy: { entropy: { quantum: true } } }))).toEqual(new Set(['policy-entropy']));
    expect(events(text, { policy: { checkpointEvery: { max: 5 } } })).toEqual(['policy-checkpoint-interval']);
    const module = JSON.parse(lines[0]!).boot.profile.module as string;
    expect(events(text, { policy: { modules: [module], mmu: 'waven', entropy: { sources: ['sim#*'], minBits: 384 }, checkpointEvery: { max: 12 } } })).toEqual([]);
  });

  it('a replay against a modified module, and a tampered escrow input', async () => {
    const mod = readModule('enclave.waven.wasm').slice();
    mod[mod.length - 100]! ^= 1; // inside the last custom section: the module still loads, its digest differs
    const f = await replayLog(text, escrow, { key: rec.publicKey, module: mod });
    expect(f.length).toBeGreaterThan(0);
    expect(f[0]!.seq).toBe(0);
    const seq = lines.findIndex((l) => l.includes('"op":"send"'));
    const inputs = new Map(escrow.inputs);
    inputs.set(seq, Uint8Array.of(...inputs.get(seq)!, 0));
    expect((await replayLog(text, { ...escrow, inputs, seed: escrow.seed }, { key: rec.publicKey })).map((x) => x.event)).toContain('escrow-input-mismatch');
  });

  it('crafted values never crash the verifier: each is a finding', () => {
    const i = lines.findIndex((l) => l.includes('"kind":"seed"'));
    const t = JSON.parse(lines[i]!) as Record<string, unknown>;
    // (t: 1e400 is spliced in as text: JSON.stringify would write Infinity as null.)
    const variants: Record<string, unknown>[] = [
      { ...t, t: '<1e400>' }, { ...t, tenant: { toString: 1 } }, { ...t, qrng: 'x' }, { ...t, pt: null }, { ...t, kind: 'nope' }, { ...t, extra: 1 },
    ];
    for (const v of variants) {
      const bad = lines.slice();
      bad[i] = JSON.stringify(v).replace('"<1e400>"', '1e400');
      if (v['t'] === '<1e400>') expect(bad[i]).toContain('"t":1e400,');
      const r = verifyLog(join(bad), opts);
      expect(r.findings.length, JSON.stringify(v).slice(0, 80)).toBeGreaterThan(0);
      expect(r.findings.some((f) => f.event === 'verifier-error')).toBe(false);
    }
    const deep = `${'['.repeat(20000)}${']'.repeat(20000)}`;
    expect(events(join([...lines.slice(0, 3), deep, ...lines.slice(4)]))).toEqual(expect.arrayContaining(['limit-depth']));
    const zero = lines.slice();
    const boot0 = JSON.parse(zero[0]!);
    boot0.boot.origin = 7;
    zero[0] = canonicalize(boot0)!;
    expect(verifyLog(join(zero), opts).ok).toBe(false);
  });

  it('content the schema allows but the run cannot have: a second boot, a second seed, an unknown tenant, a wrong halt count, note lines in the wrong place', () => {
    const at = (kind: string) => lines.findIndex((l) => l.includes(`"kind":"${kind}"`));
    const redo = (i: number, f: (t: Tuple) => void) => { const bad = lines.slice(); const t = JSON.parse(bad[i]!) as Tuple; f(t); bad[i] = canonicalize(t)!; return join(bad); };
    expect(events(redo(at('halt'), (t) => { t.halt!.tuples += 1; }))).toContain('halt-count');
    expect(events(redo(at('call'), (t) => { t.tenant = 'mallory'; }))).toContain('unknown-tenant');
    const reseed = at('reseed');
    expect(events(redo(reseed, (t) => { t.kind = 'seed'; (t.qrng as { epoch: number; reason: string; requests?: number }).epoch = 0; delete (t.qrng as { requests?: number }).requests; (t.qrng as { reason: string }).reason = 'boot'; }))).toContain('epoch-gap');
    const last = lines.length - 1;
    // signed-note: a line of an unknown key after the attestation line is ignored (a witness's cosignature, say)...
    expect(events(redo(last, (t) => { t.checkpoint!.note += '\u2014 evil.example AAAAAAAA\n'; }))).toEqual([]);
    // ...but not before it, not past 32 lines, and not a line that is not a signature line.
    expect(events(redo(last, (t) => { const n = t.checkpoint!.note; const cut = n.indexOf('\n\n') + 2; t.checkpoint!.note = `${n.slice(0, cut)}\u2014 evil.example AAAAAAAA\n${n.slice(cut)}`; }))).toContain('checkpoint-note');
    expect(events(redo(last, (t) => { t.checkpoint!.note += '\u2014 evil.example AAAAAAAA\n'.repeat(32); }))).toContain('checkpoint-note');
    expect(events(redo(last, (t) => { t.checkpoint!.note += 'not a signature line\n'; }))).toContain('checkpoint-signature');
    const dup = lines.slice();
    const boot = JSON.parse(dup[0]!) as Tuple;
    boot.seq = 5;
    dup.splice(5, 0, canonicalize(boot)!);
    expect(events(join(dup))).toContain('boot-repeated');
  });

  it('--since: the log extends an earlier checkpoint; a checkpoint of another history does not', () => {
    const cps = lines.map((l) => JSON.parse(l) as Tuple).filter((t) => t.kind === 'checkpoint');
    expect(events(text, { since: cps[1]!.checkpoint!.note })).toEqual([]);
    expect(events(text, { since: cps[0]!.checkpoint!.note })).toEqual([]);
    const forkNote = cps[1]!.checkpoint!.note.replace(/\n[A-Za-z0-9+/]{43}=\n/, `\n${Buffer.alloc(32, 7).toString('base64')}\n`);
    expect(events(text, { since: forkNote })).toEqual(expect.arrayContaining(['since-signature', 'since-inconsistent']));
  });
});

describe('recorder edge cases', () => {
  it('a source with a fractional claimed min-entropy is recorded and verifies', async () => {
    const { mkdtempSync: mk } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join: pj } = await import('node:path');
    const { qrng } = await import('../host/index.js');
    const { RecordedSession } = await import('../recorder/session.js');
    const dir = mk(pj(tmpdir(), 'awre-frac-'));
    const feed = qrng.openFeed('sim:0f', { minEntropy: 7.5 });
    const s = await RecordedSession.start({ record: { log: pj(dir, 'a.log') }, provider: feed, feed, origin: 'awre.test/frac' });
    await s.handshake(1);
    await s.halt();
    const r = verifyLog(readFileSync(pj(dir, 'a.log'), 'utf8'), { ...opts, key: s.signer.publicKey });
    expect(r.findings).toEqual([]);
    expect(readFileSync(pj(dir, 'a.log'), 'utf8')).toContain('"minEntropy":7.5');
  });

  it('a session whose log cannot be written, or that would append to an earlier log, fails without hanging', async () => {
    const { qrng } = await import('../host/index.js');
    const { RecordedSession } = await import('../recorder/session.js');
    const feed = qrng.openFeed('sim:10');
    await expect(RecordedSession.start({ record: { log: '/nonexistent-awre/dir/a.log' }, provider: feed, origin: 'awre.test/x' })).rejects.toThrow(/recorder/);
    await expect(RecordedSession.start({ record: { log: rec.log }, provider: qrng.openFeed('sim:11'), origin: 'awre.test/x' })).rejects.toThrow(/earlier log/);
  });
});
