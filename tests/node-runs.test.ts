// Certified runs (recorder/certificate.ts, recorder/session.ts, verify's
// checkCertificate; docs/trust.md): the node identity certifies each run's
// attestation key; the auditor verifies against the enrolled identity, so a
// log rewritten end to end and re-signed with a fresh key fails (issue 14,
// attack 1), as do a certificate by another node, a certificate edited, and a
// run that does not carry the auditor's challenge. Runs chain through the
// sealed state; a certified run still replays bit for bit.
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import canonicalize from 'canonicalize';
import { describe, expect, it } from 'vitest';
import { Enclave, ml_kem768, moduleDigest, qrng, readModule } from '../host/index.js';
import { verifyAttestation, verifyIdentity } from '../recorder/attest.js';
import { openEscrow } from '../recorder/escrow.js';
import { initNode, parseNodeIdentity, nodePaths } from '../recorder/node.js';
import { replayLog } from '../recorder/replay.js';
import { RecordedSession } from '../recorder/session.js';
import type { Tuple } from '../recorder/tuple.js';
import { verifyLog, type VerifyOptions } from '../recorder/verify.js';
import { parsePolicy } from '../recorder/policy.js';
import { Prng } from './helpers/prng.js';
import { verifyNodeDir } from '../host/cli/verify-node.js';
import { fingerprint } from '../recorder/node.js';

const MODULE = readModule('enclave.waven.wasm');
const CHALLENGE = '00112233445566778899aabbccddeeff';

function makeNode(label: string): { dir: string; id: { name: string; publicKey: Uint8Array } } {
  const e = new Enclave(MODULE, { mmu: 'waven' });
  e.put(0, new Prng(`node-runs/${label}`).bytes(48));
  e.exports.drbg_instantiate(e.io, 48, e.io, 0, e.io, 0);
  const dir = join(mkdtempSync(join(tmpdir(), 'awre-node-runs-')), 'node');
  initNode(e, dir, `awre.test/${label}`, moduleDigest(MODULE));
  return { dir, id: parseNodeIdentity(readFileSync(nodePaths(dir).pub, 'utf8')) };
}

async function run(node: string | undefined, opts: { challenge?: string; escrow?: boolean; label: string }) {
  const dir = mkdtempSync(join(tmpdir(), 'awre-run-'));
  const log = join(dir, 'abw34.log');
  const auditor = ml_kem768.keygen(new Prng(`node-runs/auditor/${opts.label}`).bytes(64));
  const feed = qrng.openFeed('os');
  const s = await RecordedSession.start({
    record: { log, sync: 'group', ...(opts.escrow ? { escrow: { path: join(dir, 'abw34.escrow'), auditorPublicKey: auditor.publicKey } } : {}) },
    provider: feed, feed, origin: `awre.test/run/${opts.label}`, checkpointEvery: 10,
    ...(node ? { node } : {}), ...(opts.challenge ? { challenge: opts.challenge } : {}),
  });
  const h = await s.handshake(1_800_000_000_000);
  s.send('initiator', h, new TextEncoder().encode('hello'));
  s.send('responder', h, new TextEncoder().encode('world'));
  s.close(h);
  const halted = await s.halt();
  await feed.close();
  return { text: readFileSync(log, 'utf8'), halted, key: s.signer.publicKey, dir, auditorSk: auditor.secretKey, certificate: s.certificate };
}

const base = (node: { publicKey: Uint8Array; name: string }, o: Partial<VerifyOptions> = {}): VerifyOptions => ({ node, verify: verifyAttestation, verifyIdentity, ...o });
const events = (text: string, o: VerifyOptions) => verifyLog(text, o).findings.map((f) => f.event);
const lines = (t: string) => t.trimEnd().split('\n');
const join2 = (ls: string[]) => `${ls.join('\n')}\n`;

describe('certified runs', () => {
  it('a run certified by the node verifies against the enrolled identity alone (no key file), with its challenge', async () => {
    const n = makeNode('ok');
    const r = await run(n.dir, { challenge: CHALLENGE, label: 'ok' });
    const rep = verifyLog(r.text, base(n.id, { challenge: CHALLENGE }));
    expect(rep.findings).toEqual([]);
    expect(rep.guarantees).toEqual({ certified: true, fresh: true, witnessed: null });
    expect(rep.run).toMatchObject({ run: 1, prev: null, node: createHash('sha256').update(n.id.publicKey).digest('hex') });
    // With the run's key file too: they must agree (they do).
    expect(events(r.text, base(n.id, { key: r.key }))).toEqual([]);
    // The certificate sits right after attest-keygen, and the boot checkpoint right after it.
    const kinds = lines(r.text).map((l) => (JSON.parse(l) as Tuple).kind);
    const at = kinds.indexOf('certificate');
    expect((JSON.parse(lines(r.text)[at - 1]!) as Tuple).call?.op).toBe('attest-keygen');
    expect(kinds[at + 1]).toBe('checkpoint');
  });

  it('the rewritten-log attack: a log re-made end to end with a fresh attestation key fails against the node, with or without the forger\'s key file', async () => {
    const n = makeNode('forge');
    const genuine = await run(n.dir, { label: 'forge-genuine' });
    // Mallory runs her own uncertified session (her key, her history) and hands over its key file.
    const forged = await run(undefined, { label: 'forge' });
    expect(events(forged.text, { key: forged.key, verify: verifyAttestation })).toEqual([]); // self-consistent under her key
    expect(events(forged.text, base(n.id))).toEqual(expect.arrayContaining(['node-no-certificate']));
    expect(verifyLog(forged.text, base(n.id, { key: forged.key })).guarantees.certified).toBe(false);
    // She lifts the genuine run's certificate into her log: it names another key and origin.
    const cert = lines(genuine.text).find((l) => l.includes('"kind":"certificate"'))!;
    const fl = lines(forged.text);
    const keyAt = fl.findIndex((l) => l.includes('"op":"attest-keygen"'));
    const spliced = join2([...fl.slice(0, keyAt + 1), cert, ...fl.slice(keyAt + 1)]);
    const e = events(spliced, base(n.id, { key: forged.key }));
    expect(e).toEqual(expect.arrayContaining(['node-certificate', 'key-mismatch']));
    // Another node's certificate: node-mismatch.
    const other = makeNode('other');
    const o = await run(other.dir, { label: 'forge-other' });
    expect(events(o.text, base(n.id))).toEqual(expect.arrayContaining(['node-mismatch']));
  });

  it('a reproducible source (sim:) never makes a reproducible attestation key: the attestation seed is always mixed with OS entropy (review finding)', async () => {
    const n = makeNode('sim');
    const keys: string[] = [];
    for (let i = 0; i < 2; i++) {
      const dir = mkdtempSync(join(tmpdir(), 'awre-sim-'));
      const feed = qrng.openFeed('sim:00ff');
      const s = await RecordedSession.start({ record: { log: join(dir, 'abw34.log'), sync: 'group' }, provider: feed, feed, origin: `awre.test/run/sim-${i}`, node: n.dir });
      await s.halt();
      await feed.close();
      const text = readFileSync(join(dir, 'abw34.log'), 'utf8');
      const seed = lines(text).map((l) => JSON.parse(l) as Tuple).find((t) => t.kind === 'seed' && t.tenant === 'attest')!;
      expect(seed.qrng).toMatchObject({ osMixed: true });
      const tenantSeed = lines(text).map((l) => JSON.parse(l) as Tuple).find((t) => t.kind === 'seed' && t.tenant === 'initiator')!;
      expect(tenantSeed.qrng).toMatchObject({ osMixed: false }); // the tenants stay reproducible (a replay needs them)
      keys.push(Buffer.from(s.signer.publicKey).toString('hex'));
      expect(events(text, base(n.id))).toEqual([]);
      // A log whose attestation seed says it was not mixed: an error for a certified run.
      const at = lines(text).findIndex((l) => l.includes('"kind":"seed"') && l.includes('"tenant":"attest"'));
      const t = JSON.parse(lines(text)[at]!) as Tuple;
      const edited = join2([...lines(text).slice(0, at), canonicalize({ ...t, qrng: { ...t.qrng, osMixed: false } })!, ...lines(text).slice(at + 1)]);
      expect(events(edited, base(n.id))).toContain('attest-seed-unmixed');
    }
    expect(keys[0]).not.toBe(keys[1]);
  });

  it('a policy that lists the enrolled nodes stands in for --node; a run of a node it does not list is policy-node', async () => {
    const n = makeNode('policy');
    const r = await run(n.dir, { label: 'policy' });
    const listing = (id: { name: string; publicKey: Uint8Array }) => ({ nodes: [{ name: id.name, publicKey: Buffer.from(id.publicKey).toString('base64') }] });
    const ok = verifyLog(r.text, { verify: verifyAttestation, verifyIdentity, policy: parsePolicy(JSON.stringify(listing(n.id))) });
    expect(ok.findings).toEqual([]);
    expect(ok.guarantees.certified).toBe(true);
    const other = makeNode('policy-other');
    const bad = verifyLog(r.text, { verify: verifyAttestation, verifyIdentity, policy: parsePolicy(JSON.stringify(listing(other.id))) });
    expect(bad.findings.map((f) => f.event)).toEqual(expect.arrayContaining(['policy-node', 'no-key']));
    expect(() => parsePolicy(JSON.stringify({ nodes: [{ name: 'x', publicKey: 'AAAA' }] }))).toThrow(/nodes\.0\.publicKey: an ML-DSA-65 public key/);
  });

  it('a certificate edited in any field fails the node signature; the challenge must be the one asked for', async () => {
    const n = makeNode('edit');
    const r = await run(n.dir, { challenge: CHALLENGE, label: 'edit' });
    const ls = lines(r.text);
    const at = ls.findIndex((l) => l.includes('"kind":"certificate"'));
    const t = JSON.parse(ls[at]!) as Tuple & { certificate: { cert: Record<string, unknown>; sig: string } };
    for (const [field, value] of [['run', 5], ['prev', { run: 1, note: '0'.repeat(64) }], ['challenge', 'ff'.repeat(16)], ['origin', 'awre.test/elsewhere']] as const) {
      const edited = canonicalize({ ...t, certificate: { ...t.certificate, cert: { ...t.certificate.cert, [field]: value } } })!;
      expect(events(join2([...ls.slice(0, at), edited, ...ls.slice(at + 1)]), base(n.id)), field).toContain('node-signature');
    }
    expect(events(r.text, base(n.id, { challenge: 'ab'.repeat(16) }))).toEqual(['challenge-mismatch']);
    const plain = await run(n.dir, { label: 'edit-nochallenge' });
    expect(events(plain.text, base(n.id, { challenge: CHALLENGE }))).toEqual(['challenge-missing']);
    expect(verifyLog(plain.text, base(n.id, { challenge: CHALLENGE })).guarantees).toEqual({ certified: true, fresh: false, witnessed: null });
  });

  it('runs chain: each certificate names the run before it and the hash of its final checkpoint', async () => {
    const n = makeNode('chain');
    const r1 = await run(n.dir, { label: 'chain-1' });
    const r2 = await run(n.dir, { label: 'chain-2' });
    const r3 = await run(n.dir, { label: 'chain-3' });
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    expect(r1.certificate).toMatchObject({ run: 1, prev: null });
    expect(r2.certificate).toMatchObject({ run: 2, prev: { run: 1, note: sha(r1.halted.checkpoint) } });
    expect(r3.certificate).toMatchObject({ run: 3, prev: { run: 2, note: sha(r2.halted.checkpoint) } });
    for (const r of [r1, r2, r3]) expect(events(r.text, base(n.id))).toEqual([]);
  });

  it('a certified run with an escrow replays bit for bit; the escrow holds no attestation or identity seed', async () => {
    const n = makeNode('replay');
    const r = await run(n.dir, { escrow: true, label: 'replay' });
    const escrow = openEscrow(readFileSync(join(r.dir, 'abw34.escrow'), 'utf8'), r.auditorSk);
    expect(escrow.seed('attest', 0)).toBeUndefined();
    expect(await replayLog(r.text, escrow, { key: r.key })).toEqual([]);
  });

  it('a directory of runs as one history: deleted, replayed and rolled-back runs are named; an intact history passes', async () => {
    const n = makeNode('history');
    const home = mkdtempSync(join(tmpdir(), 'awre-history-'));
    const put = (r: { dir: string }, name: string) => cpSync(r.dir, join(home, name), { recursive: true });
    const check = () => verifyNodeDir(home, n.id, fingerprint(n.id.publicKey), undefined);
    const r1 = await run(n.dir, { label: 'h1' });
    put(r1, 'run-1');
    const sealed = nodePaths(n.dir).sealed;
    const saved = join(home, '..', 'sealed-after-run-1.json');
    copyFileSync(sealed, saved);
    put(await run(n.dir, { label: 'h2' }), 'run-2');
    put(await run(n.dir, { label: 'h3' }), 'run-3');
    const intact = check();
    expect(intact.findings).toEqual([]);
    expect(intact.ok).toBe(true);
    expect(intact.runs.map((r) => r.run)).toEqual([1, 2, 3]);
    // Deleted: run 2 gone; run 3 no longer follows what is shown.
    cpSync(join(home, 'run-2'), join(home, '..', 'run-2-kept'), { recursive: true });
    rmSync(join(home, 'run-2'), { recursive: true });
    expect(check().findings.map((f) => f.event)).toEqual(['run-missing', 'run-chain']);
    cpSync(join(home, '..', 'run-2-kept'), join(home, 'run-2'), { recursive: true });
    // Replayed: run 3 shown twice.
    cpSync(join(home, 'run-3'), join(home, 'run-3-again'), { recursive: true });
    expect(check().findings.map((f) => f.event)).toEqual(['run-duplicate']);
    rmSync(join(home, 'run-3-again'), { recursive: true });
    // Rolled back: the node restores its sealed state from after run 1; its next run is numbered 2 again.
    copyFileSync(saved, sealed);
    const rolled = await run(n.dir, { label: 'h4' });
    expect(rolled.certificate?.run).toBe(2);
    put(rolled, 'run-4');
    const r = check();
    expect(r.runs.every((x) => x.ok)).toBe(true); // each log alone is genuine
    // Two runs numbered 2 (neither can be told for the real one), so run 3's link to run 2 cannot be trusted either.
    expect(r.findings.map((f) => f.event)).toEqual(['run-duplicate', 'run-chain']);
    expect(r.findings[0]!.got).toEqual([join(home, 'run-2', 'abw34.log'), join(home, 'run-4', 'abw34.log')]);
    expect(r.ok).toBe(false);
  });
});
