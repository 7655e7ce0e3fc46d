// Witnesses (host/witness/server.ts, recorder/witness-client.ts,
// recorder/cosign.ts, recorder/tlog-policy.ts; docs/witness.md) as real
// servers on loopback, each its own process (`awre witness serve`), so that
// one can be killed with SIGKILL at any moment:
// - three witnesses and a 2-of-3 quorum: a run's checkpoints are cosigned;
//   one witness killed before the run ends: the quorum still holds; two
//   killed: verify fails on the quorum, naming the missing witnesses;
// - a node that forks its log (another checkpoint of a size a witness
//   cosigned) or rolls it back is refused by each witness that saw the first;
// - a witness restarted after kill -9 keeps its state;
// - the cosignature format against torchwood's ML-DSA-44 vector, and the
//   tlog-policy grammar.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ml_dsa44 } from '@noble/post-quantum/ml-dsa.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awreLogVkey, checkCosignature, cosignedMessage, parseVkey, witnessVkey } from '../recorder/cosign.js';
import { keyId } from '../recorder/note.js';
import { parseTlogPolicy, quorumMet } from '../recorder/tlog-policy.js';
import { addCheckpointBody } from '../recorder/witness-client.js';
import { tupleLeaf } from '../recorder/tuple.js';
import { createHash, generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { Enclave, moduleDigest, qrng, readModule } from '../host/index.js';
import { certificateMessage, type RunCertificate } from '../recorder/certificate.js';
import { nodePaths, OpenNode } from '../recorder/node.js';
import { checkpointBody, parseNote, signNote } from '../recorder/note.js';
import { RecordedSession } from '../recorder/session.js';
import { WitnessStore } from '../host/witness/store.js';
import type { Tuple } from '../recorder/tuple.js';
import { LogLeaves, WitnessFeed, witnessCheckpoints } from '../recorder/witness-client.js';
import type { Checkpoint } from '../recorder/recorder.js';
import { verifyLog } from '../recorder/verify.js';
import { verifyAttestation, verifyIdentity } from '../recorder/attest.js';
import { parseNodeIdentity } from '../recorder/node.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = join(ROOT, 'dist', 'host', 'cli', 'main.js');
const awre = (cwd: string, ...args: string[]) => {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd, encoding: 'utf8', timeout: 240_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

interface Running { proc: ChildProcess; url: string; vkey: string; dir: string; name: string }
const running: Running[] = [];

function serve(home: string, name: string, dir = join(home, name)): Promise<Running> {
  const proc = spawn(process.execPath, [MAIN, 'witness', 'serve', '--dir', dir, '--name', `awre.test/${name}`, '--node', join(home, 'node', 'identity.pub.json'), '--port', '0'], { cwd: home });
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/[0-9.:]+) vkey (\S+)/.exec(out);
      if (m) { const r = { proc, url: m[1]!, vkey: m[2]!, dir, name }; running.push(r); resolve(r); }
    });
    proc.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
    proc.on('exit', (c) => reject(new Error(`witness ${name} exited ${c}: ${out}`)));
  });
}

function kill9(r: Running): Promise<void> {
  return new Promise((resolve) => { r.proc.removeAllListeners('exit'); r.proc.once('exit', () => resolve()); r.proc.kill('SIGKILL'); });
}

afterAll(async () => { for (const r of running) if (r.proc.exitCode === null && r.proc.signalCode === null) await kill9(r); });

let home: string;
beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'awre-witness-'));
  expect(awre(home, 'init', '--node', 'node', '--name', 'awre.test/witnessed-node').status).toBe(0);
});

function policy(ws: Running[], quorum = '2'): string {
  const path = join(home, `policy-${Math.random().toString(16).slice(2)}.txt`);
  writeFileSync(path, `${ws.map((w) => `witness ${w.name} ${w.vkey} ${w.url}`).join('\n')}\ngroup q ${quorum} ${ws.map((w) => w.name).join(' ')}\nquorum q\n`);
  return path;
}

function runWith(out: string, ws: string[]): { status: number | null; result: { witnesses: { url: string; cosigned: number; of: number; errors: string[] }[] } } {
  const r = awre(home, 'run', '--node', 'node', '--out', out, '--frames', '1', '--sessions', '2', '--checkpoint-every', '25', '--json', ...ws.flatMap((u) => ['--witness', u]));
  expect(r.status, r.stderr).toBe(0);
  return { status: r.status, result: JSON.parse(r.stdout) };
}

describe('three witnesses, a 2-of-3 quorum', () => {
  it('every checkpoint is cosigned by each; one witness killed: the quorum holds; two killed: verify names the missing ones', async () => {
    const ws = await Promise.all(['w1', 'w2', 'w3'].map((n) => serve(home, n)));
    const pol = policy(ws);
    const a = runWith('run-a', ws.map((w) => w.url));
    for (const w of a.result.witnesses) expect(w, w.url).toMatchObject({ cosigned: w.of, errors: [] });
    const v = awre(home, 'verify', 'run-a/abw34.log', '--node', 'node/identity.pub.json', '--witnesses', pol);
    expect(v.status, v.stdout).toBe(0);
    expect(v.stdout).toMatch(/witnessed: yes, by 3 of 3 \(w1, w2, w3\)/);
    // One witness's line spoiled (a bad witness, or a bad link to it): it does not count, and the other two carry the quorum.
    const spoiled = readFileSync(join(home, 'run-a', 'checkpoint.txt'), 'utf8').replace(/(\u2014 awre\.test\/w3 [A-Za-z0-9+/]{20})([A-Za-z0-9+/])/, (_m, a: string, b: string) => a + (b === 'A' ? 'B' : 'A'));
    writeFileSync(join(home, 'spoiled.txt'), spoiled);
    const sp = awre(home, 'verify', 'run-a/abw34.log', '--node', 'node/identity.pub.json', '--witnesses', pol, '--cosigned', 'spoiled.txt', '--json');
    expect(sp.status, sp.stdout).toBe(0);
    const spr = JSON.parse(sp.stdout) as { findings: { event: string; severity: string }[]; guarantees: { witnessed: { by: string[] } } };
    expect(spr.findings).toEqual([expect.objectContaining({ event: 'cosignature-invalid', severity: 'warning' })]);
    expect(spr.guarantees.witnessed.by).toEqual(['w1', 'w2']);
    // --since: the earlier checkpoint the auditor held, cosigned, passes; stripped of its cosignatures it does not.
    const sinceFile = join(home, 'run-a', 'checkpoints', readdirSync(join(home, 'run-a', 'checkpoints')).sort((x, y) => parseInt(x) - parseInt(y))[0]!);
    expect(awre(home, 'verify', 'run-a/abw34.log', '--node', 'node/identity.pub.json', '--witnesses', pol, '--since', sinceFile).status).toBe(0);
    const bare = readFileSync(sinceFile, 'utf8').split('\n').filter((l) => !l.startsWith('\u2014 awre.test/w')).join('\n');
    writeFileSync(join(home, 'bare.checkpoint'), bare);
    const sb = awre(home, 'verify', 'run-a/abw34.log', '--node', 'node/identity.pub.json', '--witnesses', pol, '--since', 'bare.checkpoint', '--json');
    expect(sb.status).toBe(1);
    expect((JSON.parse(sb.stdout) as { findings: { event: string }[] }).findings.map((x) => x.event)).toEqual(['since-quorum-not-met']);
    // w3 dies before the next run ends: the run still ends, and reports it.
    await kill9(ws[2]!);
    const b = runWith('run-b', ws.map((w) => w.url));
    expect(b.result.witnesses[2]!.cosigned).toBe(0);
    expect(b.result.witnesses[2]!.errors[0]).toMatch(/no answer after 3 attempts/);
    expect(awre(home, 'verify', 'run-b/abw34.log', '--node', 'node/identity.pub.json', '--witnesses', pol).status).toBe(0);
    // w2 dies too: one cosignature, the quorum fails, naming both.
    await kill9(ws[1]!);
    runWith('run-c', ws.map((w) => w.url));
    const c = awre(home, 'verify', 'run-c/abw34.log', '--node', 'node/identity.pub.json', '--witnesses', pol, '--json');
    expect(c.status).toBe(1);
    const f = (JSON.parse(c.stdout) as { findings: { event: string; message: string }[] }).findings;
    expect(f.map((x) => x.event)).toEqual(['quorum-not-met']);
    expect(f[0]!.message).toMatch(/cosigned by w1; missing w2, w3/);
    // The three runs as one history, with the witness policy: the last is not witnessed by the quorum, so neither is the history.
    const hist = join(home, 'history');
    for (const r of ['run-a', 'run-b', 'run-c']) cpSync(join(home, r), join(hist, r), { recursive: true });
    const d = awre(home, 'verify', 'history', '--node', 'node/identity.pub.json', '--witnesses', pol);
    expect(d.status, d.stdout).toBe(1);
    expect(d.stdout).toMatch(/FAIL quorum-not-met/);
    expect(d.stdout).toMatch(/witnessed: NOT every run/);
    expect(awre(home, 'verify', 'history', '--node', 'node/identity.pub.json', '--witnesses', policy(ws, '1')).status).toBe(0);
    expect(awre(home, 'verify', 'history', '--node', 'node/identity.pub.json').status).toBe(0);
    const e = awre(home, 'verify', 'history', '--node', 'node/identity.pub.json', '--cosigned', 'run-a/checkpoint.txt');
    expect(e.status).toBe(2);
    expect(e.stderr).toMatch(/takes --node, --policy, --witnesses and --json only \(not --cosigned\)/);
  });
});

describe('a witness killed in the middle of a run', () => {
  it('checkpoints reach the witnesses while the run goes on; the one killed stops cosigning, the run never waits on it, and the 2-of-3 quorum holds on the final checkpoint', async () => {
    const ws = await Promise.all(['wm1', 'wm2', 'wm3'].map((n) => serve(home, n)));
    const feed = qrng.openFeed('os');
    const log = join(home, 'run-mid.log');
    const heard: number[] = [];
    let feeds: WitnessFeed[] = [];
    const early: Checkpoint[] = [];
    const s = await RecordedSession.start({
      record: { log, sync: 'group' }, provider: feed, feed, origin: 'awre.test/run/mid', checkpointEvery: 10, node: join(home, 'node'),
      onCheckpoints: (cps) => { heard.push(...cps.map((c) => c.size)); if (feeds.length) for (const f of feeds) f.push(cps); else early.push(...cps); },
    });
    const leaves = new LogLeaves(log);
    feeds = ws.map((w) => new WitnessFeed(w.url, { cert: s.certificate, sig: s.certificateSig! }, (n) => leaves.upTo(n), { timeoutMs: 1000, attempts: 2 }));
    for (const f of feeds) f.push(early);
    const round = async () => { const h = await s.handshake(1_800_000_000_000); for (let i = 0; i < 6; i++) s.send('initiator', h, new Uint8Array(8)); s.close(h); };
    await round();
    await round();
    // Wait until the third witness has cosigned what it heard so far, then kill it mid-run.
    for (let i = 0; i < 100 && feeds[2]!.outcome.cosignatures.size < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(feeds[2]!.outcome.cosignatures.size).toBeGreaterThanOrEqual(2);
    await kill9(ws[2]!);
    const t0 = performance.now();
    await round();
    await round();
    expect(performance.now() - t0, 'the run does not wait on a dead witness').toBeLessThan(2000);
    const halted = await s.halt();
    await feed.close();
    const outcomes = await Promise.all(feeds.map((f) => f.finish()));
    const final = halted.checkpoints[halted.checkpoints.length - 1]!;
    expect(heard).toEqual(halted.checkpoints.map((c) => c.size)); // every checkpoint, once, in order
    expect(halted.checkpoints.length).toBeGreaterThan(4);
    expect(outcomes[0]!.errors).toEqual([]);
    expect(outcomes[1]!.errors).toEqual([]);
    expect(outcomes[2]!.cosignatures.has(final.size)).toBe(false);
    expect(outcomes[2]!.errors.some((e) => /no answer after 2 attempts/.test(e))).toBe(true);
    // The final checkpoint with what the witnesses answered: verify asks for 2 of 3.
    const cosignedNote = final.note + outcomes.map((o) => o.cosignatures.get(final.size) ?? '').join('');
    const r = verifyLog(readFileSync(log, 'utf8'), {
      node: parseNodeIdentity(readFileSync(join(home, 'node', 'identity.pub.json'), 'utf8')), verify: verifyAttestation, verifyIdentity,
      witnessPolicy: parseTlogPolicy(readFileSync(policy(ws), 'utf8')), cosigned: cosignedNote, verifyCosignature: (sig, m, k) => ml_dsa44.verify(sig, m, k),
    });
    expect(r.findings).toEqual([]);
    expect(r.guarantees.witnessed).toEqual({ by: ['wm1', 'wm2'], of: 3, quorum: true });
  });
});

describe('a node that forks or rolls back its log', () => {
  it('another checkpoint of a size the witnesses cosigned (a fork), an older one (a rollback) and a bad proof are refused by each; a restart after kill -9 keeps the state', async () => {
    const ws = await Promise.all(['wf1', 'wf2'].map((n) => serve(home, n)));
    // The node's run, through the API: the node itself holds its attestation key (session.signer) and can sign anything.
    const feed = qrng.openFeed('os');
    const log = join(home, 'run-fork.log');
    const s = await RecordedSession.start({ record: { log, sync: 'group' }, provider: feed, feed, origin: 'awre.test/run/fork', checkpointEvery: 15, node: join(home, 'node') });
    const h = await s.handshake(1_800_000_000_000);
    s.send('initiator', h, new TextEncoder().encode('x'));
    s.close(h);
    const halted = await s.halt();
    await feed.close();
    const lines = readFileSync(log, 'utf8').trimEnd().split('\n');
    const cert = (JSON.parse(lines.find((l) => l.includes('"kind":"certificate"'))!) as Tuple).certificate!;
    const outcomes = await witnessCheckpoints(ws.map((w) => w.url), cert, halted.checkpoints, lines.map((l) => tupleLeaf(l)));
    for (const o of outcomes) expect(o.errors).toEqual([]);
    const first = halted.checkpoints[0]!, last = halted.checkpoints[halted.checkpoints.length - 1]!;
    expect(last.size).toBeGreaterThan(first.size);
    const post = async (w: Running, body: string) => { const r = await fetch(`${w.url}/add-checkpoint`, { method: 'POST', body }); return { status: r.status, text: await r.text(), type: r.headers.get('content-type') }; };
    // The fork: the node signs another checkpoint of the final size (another root) with its real key.
    const forkRoot = new Uint8Array(32).fill(0xf0);
    const fork = signNote(checkpointBody('awre.test/run/fork', last.size, forkRoot, Date.now()), s.signer);
    const later = signNote(checkpointBody('awre.test/run/fork', last.size + 5, forkRoot, Date.now()), s.signer);
    for (const w of ws) {
      expect((await post(w, addCheckpointBody(last.size, [], fork))).status, `${w.name}: a fork of the same size`).toBe(422);
      const fromOld = await post(w, addCheckpointBody(first.size, [], fork));
      expect(fromOld, `${w.name}: the fork claiming an older base`).toMatchObject({ status: 409, text: `${last.size}\n` });
      expect(fromOld.type).toMatch(/^text\/x\.tlog\.size/);
      // The rollback: the boot checkpoint again, as if the witness knew nothing newer.
      expect(await post(w, addCheckpointBody(0, [], first.note)), `${w.name}: a rollback`).toMatchObject({ status: 409, text: `${last.size}\n` });
      // A later checkpoint whose proof does not reach the cosigned one: 422.
      expect((await post(w, addCheckpointBody(last.size, [new Uint8Array(32).fill(1)], later))).status, `${w.name}: a bad proof`).toBe(422);
      // Not signed by the log's key: 403; an unknown log: 404; malformed: 400.
      expect((await post(w, addCheckpointBody(last.size, [], last.note.replace(/\n\u2014 [^\n]*\n$/, '\n\u2014 awre.test/run/fork AAAAAAAA\n')))).status).toBe(403);
      expect((await post(w, addCheckpointBody(0, [], first.note.replace('awre.test/run/fork', 'awre.test/run/unknown')))).status).toBe(404);
      expect((await post(w, `old x\n\n${first.note}`)).status).toBe(400);
      // The genuine final checkpoint is still what each witness holds, and it cosigns it again.
      expect((await post(w, addCheckpointBody(last.size, [], last.note))).status).toBe(200);
    }
    // A rolled-back node (a run number it used before) cannot enroll a new log with the witnesses.
    const replayed = { ...cert, cert: { ...cert.cert, origin: 'awre.test/run/fork-again' } };
    const enroll = await fetch(`${ws[0]!.url}/awre/enroll-run`, { method: 'POST', body: JSON.stringify(replayed) });
    expect(enroll.status).toBe(403); // the origin changed: the node's signature no longer matches
    // The node itself, its sealed state rolled back, certifies a new log under a run number it used before: 409.
    const e = new Enclave(readModule('enclave.waven.wasm'), { mmu: 'waven' });
    e.put(0, new Uint8Array(48).fill(9));
    expect(e.exports.drbg_instantiate(e.io, 48, e.io, 0, e.io, 0)).toBe(0);
    const node = OpenNode.open(e, join(home, 'node'), moduleDigest(readModule('enclave.waven.wasm')));
    const rolledCert: RunCertificate = { ...(cert.cert as RunCertificate), origin: 'awre.test/run/fork-again' };
    const rolled = await fetch(`${ws[1]!.url}/awre/enroll-run`, { method: 'POST', body: JSON.stringify({ cert: rolledCert, sig: Buffer.from(node.sign(certificateMessage(rolledCert))).toString('base64') }) });
    expect(rolled.status).toBe(409);
    expect(await rolled.text()).toMatch(new RegExp(`^run ${cert.cert.run} of this node is not after run ${cert.cert.run}, the latest this witness saw`));
    node.close();
    // kill -9 and restart on the same directory: the state is there.
    const originHash = createHash('sha256').update('awre.test/run/fork').digest('hex');
    const before = await (await fetch(`${ws[0]!.url}/${originHash}/checkpoint`)).text();
    expect(before.startsWith(last.note)).toBe(true);
    await kill9(ws[0]!);
    const again = await serve(home, 'wf1', ws[0]!.dir);
    const after = await fetch(`${again.url}/${originHash}/checkpoint`);
    expect(after.status).toBe(200);
    expect(await after.text()).toBe(before);
    expect(await post(again, addCheckpointBody(0, [], first.note))).toMatchObject({ status: 409, text: `${last.size}\n` });
    expect((await post(again, addCheckpointBody(last.size, [], fork))).status).toBe(422);
  });
});

describe('a node that hides a finished run behind a restored sealed state', () => {
  it('the witness saw run n finish (its awre-final checkpoint): a next run whose certificate does not follow run n is refused, and nothing extends a final checkpoint', async () => {
    const w = await serve(home, 'wh');
    const nodeDir = join(home, 'node');
    const one = async (label: string, during?: () => void) => {
      const feed = qrng.openFeed('os');
      const log = join(home, `run-${label}.log`);
      let feeds: WitnessFeed[] = [];
      const early: Checkpoint[] = [];
      const s = await RecordedSession.start({ record: { log, sync: 'group' }, provider: feed, feed, origin: `awre.test/run/${label}`, checkpointEvery: 50, node: nodeDir,
        onCheckpoints: (cps) => { if (feeds.length) for (const f of feeds) f.push(cps); else early.push(...cps); } });
      const leaves = new LogLeaves(log);
      feeds = [new WitnessFeed(w.url, { cert: s.certificate, sig: s.certificateSig! }, (n) => leaves.upTo(n))];
      feeds[0]!.push(early);
      during?.();
      const h = await s.handshake(1_800_000_000_000);
      s.close(h);
      const halted = await s.halt();
      await feed.close();
      return { s, halted, outcome: await feeds[0]!.finish() };
    };
    const sealed = nodePaths(nodeDir).sealed;
    const copy = join(home, 'sealed-during-run.json');
    const r1 = await one('hide-1');
    expect(r1.outcome.errors).toEqual([]);
    // During the next run the node copies its sealed state ({runs: n, last: run before}); the run finishes, witnessed.
    const r2 = await one('hide-2', () => copyFileSync(sealed, copy));
    expect(r2.outcome.errors).toEqual([]);
    expect(r2.halted.checkpoint).toContain('\nawre-final\n');
    // It restores the copy: its next run takes the next number but names the run before as the last finished one.
    copyFileSync(copy, sealed);
    const r3 = await one('hide-3');
    expect(r3.s.certificate!.run).toBe(r2.s.certificate!.run + 1);
    expect(r3.s.certificate!.prev?.run).toBe(r1.s.certificate!.run);
    expect(r3.outcome.errors[0]).toMatch(/enroll-run: 409 run \d+ does not follow run \d+, which this witness saw finish/);
    expect(r3.outcome.cosignatures.size).toBe(0);
    // Nothing extends a final checkpoint, whatever the node signs.
    const last = r2.halted.checkpoints[r2.halted.checkpoints.length - 1]!;
    const more = signNote(checkpointBody('awre.test/run/hide-2', last.size + 3, new Uint8Array(32).fill(2), Date.now()), r2.s.signer);
    const r = await fetch(`${w.url}/add-checkpoint`, { method: 'POST', body: addCheckpointBody(last.size, [], more) });
    expect(r.status).toBe(422);
    expect(await r.text()).toMatch(/final checkpoint/);
  });
});

describe('a witness killed at any point of a write', () => {
  it('SIGKILL during a burst of cosignatures, five times: each restart finds a whole state that is one of the checkpoints it cosigned', async () => {
    const feed = qrng.openFeed('os');
    const log = join(home, 'run-burst.log');
    const s = await RecordedSession.start({ record: { log, sync: 'group' }, provider: feed, feed, origin: 'awre.test/run/burst', checkpointEvery: 8, node: join(home, 'node') });
    for (let i = 0; i < 3; i++) { const h = await s.handshake(1_800_000_000_000 + i); s.send('initiator', h, new Uint8Array(4)); s.close(h); }
    const halted = await s.halt();
    await feed.close();
    const lines = readFileSync(log, 'utf8').trimEnd().split('\n');
    const cert = { cert: s.certificate, sig: s.certificateSig! };
    const leaves = lines.map((l) => tupleLeaf(l));
    const originHash = createHash('sha256').update('awre.test/run/burst').digest('hex');
    const texts = new Set(halted.checkpoints.map((c) => c.note));
    let w = await serve(home, 'wk');
    for (let round = 0; round < 5; round++) {
      // Feed the checkpoints again and again (each re-submission of the latest is a fresh cosignature and a fresh write)...
      const burst = (async () => {
        for (let i = 0; i < 40; i++) {
          const out = await witnessCheckpoints([w.url], cert, halted.checkpoints, leaves, { timeoutMs: 500, attempts: 1 });
          if (out[0]!.errors.length) return;
        }
      })();
      // ...and kill it somewhere in the middle.
      await new Promise((r) => setTimeout(r, 15 + round * 23));
      await kill9(w);
      await burst;
      w = await serve(home, 'wk', w.dir);
      const got = await fetch(`${w.url}/${originHash}/checkpoint`);
      if (got.status === 404) continue; // killed before its first cosignature was stored
      expect(got.status).toBe(200);
      const note = await got.text();
      const cut = note.lastIndexOf('\u2014 awre.test/wk ');
      expect(cut).toBeGreaterThan(0);
      expect(texts.has(note.slice(0, cut)), `round ${round}: the stored note is a checkpoint the node made`).toBe(true);
      expect(readdirSync(join(w.dir, 'logs')).every((f) => !f.endsWith('.tmp'))).toBe(true);
    }
    // And it goes on: the final checkpoint, from whatever size it holds.
    // (A long timeout: the witness has just restarted on a machine that may be busy with other test files.)
    const last = await witnessCheckpoints([w.url], cert, halted.checkpoints, leaves, { timeoutMs: 30_000 });
    expect(last[0]!.cosignatures.has(halted.checkpoints[halted.checkpoints.length - 1]!.size), `errors: ${last[0]!.errors.join('; ')}`).toBe(true);
  });
  it('a failed write of a run\'s log file uses nothing up; a kill between the log file and the node file: the restart takes the run from the log, the retry of the same certificate is "enrolled already", and the run number cannot be used again', async () => {
    const feed = qrng.openFeed('os');
    const s = await RecordedSession.start({ record: { log: join(home, 'run-enroll.log'), sync: 'group' }, provider: feed, feed, origin: 'awre.test/run/enroll', checkpointEvery: 8, node: join(home, 'node') });
    await s.halt();
    await feed.close();
    const body = JSON.stringify({ cert: s.certificate, sig: s.certificateSig! });
    let w = await serve(home, 'we');
    // A write of the log's file that fails (a directory in its place) must leave nothing used up: the
    // node's file is written after it, so the retry enrolls. (Node file first, the retry got 409 for ever.)
    const blocker = join(w.dir, 'logs', `${createHash('sha256').update('awre.test/run/enroll').digest('hex')}.json`);
    mkdirSync(blocker);
    const failed = await fetch(`${w.url}/awre/enroll-run`, { method: 'POST', body });
    expect(failed.status).toBeGreaterThanOrEqual(500);
    rmSync(blocker, { recursive: true });
    const first = await fetch(`${w.url}/awre/enroll-run`, { method: 'POST', body });
    expect([first.status, await first.text()]).toEqual([200, 'enrolled\n']);
    await kill9(w);
    // The state a SIGKILL leaves after the log's file is written and before the node's: the node's file as it was.
    const nodeFile = join(w.dir, 'nodes', `${s.certificate!.node}.json`);
    const before = JSON.parse(readFileSync(nodeFile, 'utf8')) as { run: number };
    expect(before.run).toBe(s.certificate!.run);
    writeFileSync(nodeFile, `${JSON.stringify({ ...before, run: s.certificate!.run - 1 })}\n`);
    w = await serve(home, 'we', w.dir);
    const retry = await fetch(`${w.url}/awre/enroll-run`, { method: 'POST', body });
    expect([retry.status, await retry.text()]).toEqual([200, 'enrolled already\n']);
    // The restart repaired the node's run from the log: the run number stays used.
    await kill9(w);
    expect(new WitnessStore(w.dir).node(s.certificate!.node).run).toBe(s.certificate!.run);
  });
});

describe('the formats', () => {
  it('torchwood\'s ML-DSA-44 cosignature vector verifies with our cosigned_message and vkey parser (empty context)', () => {
    const vkey = readFileSync(join(ROOT, 'tests', 'vectors', 'c2sp', 'torchwood-mldsa-log.vkey'), 'utf8').trim();
    const blob = Buffer.from(readFileSync(join(ROOT, 'tests', 'vectors', 'c2sp', 'torchwood-mldsa-log.sig'), 'utf8').trim(), 'base64');
    const v = parseVkey(vkey);
    expect(v).toMatchObject({ name: 'example.com/mldsa-log', type: 6 });
    expect(Buffer.from(blob.subarray(0, 4)).equals(Buffer.from(v.keyId))).toBe(true);
    const ts = blob.readBigUInt64BE(4);
    const msg = cosignedMessage(v.name, ts, 'example.com/mldsa-log', 1n, new Uint8Array(Buffer.from('+zoErtsZtGO6sfiSV/v4UJSIyowisE8hvjw0q5+bD38=', 'base64')));
    expect(msg.length).toBe(70 + 2 * 'example.com/mldsa-log'.length);
    expect(ml_dsa44.verify(new Uint8Array(blob.subarray(12)), msg, v.key)).toBe(true);
    expect(ml_dsa44.verify(new Uint8Array(blob.subarray(12)), msg, v.key, { context: new TextEncoder().encode('subtree/v1') })).toBe(false);
  });

  it('vkeys round-trip; an awre log vkey has the key ID awre\'s notes use; a vkey with a wrong ID or key is refused', () => {
    const pk = new Uint8Array(1312).fill(3);
    const v = witnessVkey('example.com/w', pk);
    expect(parseVkey(v)).toMatchObject({ name: 'example.com/w', type: 6, key: pk });
    const pk65 = new Uint8Array(1952).fill(5);
    const lv = parseVkey(awreLogVkey('awre.local/run/00', pk65));
    expect(Buffer.from(lv.keyId).equals(Buffer.from(keyId('awre.local/run/00', pk65)))).toBe(true);
    expect(() => parseVkey(v.replace(/\+[0-9a-f]{8}\+/, '+00000000+'))).toThrow(/key ID/);
    expect(() => parseVkey('example.com/w+00000000+AQ==')).toThrow();
  });

  it('Ed25519 (type 0x04) cosignatures of other witness networks verify: "cosignature/v1\\ntime <ts>\\n" || the note text; a policy may mix them with ML-DSA-44 witnesses', () => {
    // signed-note's own Ed25519 example vkey parses, with its key ID.
    expect(parseVkey('example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k')).toMatchObject({ name: 'example.com/foo', type: 1 });
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const raw = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(12));
    const name = 'ed.example/witness';
    const typed = Uint8Array.from([4, ...raw]);
    const id = createHash('sha256').update(name).update('\n').update(typed).digest().subarray(0, 4);
    const vkey = `${name}+${id.toString('hex')}+${Buffer.from(typed).toString('base64')}`;
    const w = parseVkey(vkey);
    const text = `example.com/log\n5\n${Buffer.alloc(32, 9).toString('base64')}\nawre-t 1\n`;
    const ts = 1_700_000_000n;
    const tsb = Buffer.alloc(8); tsb.writeBigUInt64BE(ts);
    const sig = cryptoSign(null, Buffer.from(`cosignature/v1\ntime ${ts}\n${text}`), privateKey);
    const line = `\u2014 ${name} ${Buffer.concat([id, tsb, sig]).toString('base64')}\n`;
    const note = parseNote(`${text}\n\u2014 example.com/log AAAAAAAA\n${line}`)!;
    const cp = { origin: 'example.com/log', size: 5n, root: new Uint8Array(32).fill(9) };
    expect(checkCosignature(note, cp, w, () => false)).toEqual({ ok: true, timestamp: ts });
    const other = parseNote(`${text.replace('awre-t 1', 'awre-t 2')}\n${line}`)!;
    expect(checkCosignature(other, cp, w, () => false)?.ok).toBe(false); // Ed25519 covers the extension lines
    const p = parseTlogPolicy(`witness E ${vkey}\nwitness M ${witnessVkey('m.example', new Uint8Array(1312).fill(1))}\ngroup q any E M\nquorum q\n`);
    expect(quorumMet(p, new Set(['E']))).toBe(true);
    expect(() => parseTlogPolicy(`log ${vkey}\nquorum none\n`)).toThrow(/not a cosignature type/);
  });

  it('tlog-policy: the grammar, its refusals, and quorum evaluation (groups of groups, none)', () => {
    const k = (n: number) => witnessVkey(`w${n}.example`, new Uint8Array(1312).fill(n));
    const text = `# comment\n\nwitness A ${k(1)}\nwitness B ${k(2)} https://b.example/\nwitness C ${k(3)}\n\tgroup X 2 A B C\nwitness D ${k(4)}\ngroup Y any D\ngroup XY all X Y\nquorum XY\n`;
    const p = parseTlogPolicy(text);
    expect(quorumMet(p, new Set(['A', 'B', 'D']))).toBe(true);
    expect(quorumMet(p, new Set(['A', 'B']))).toBe(false);
    expect(quorumMet(p, new Set(['A', 'D']))).toBe(false);
    expect(quorumMet(parseTlogPolicy('quorum none\n'), new Set())).toBe(true);
    const bad: [string, RegExp][] = [
      [`witness A ${k(1)}\n`, /no quorum line/],
      [`witness A ${k(1)}\nquorum B\n`, /B is not defined/],
      [`group X 1 A\nwitness A ${k(1)}\nquorum X\n`, /A is not defined on an earlier line/],
      [`witness A ${k(1)}\nwitness B ${k(1)}\nquorum A\n`, /same key/],
      [`witness A ${k(1)}\ngroup X 2 A\nquorum X\n`, /threshold/],
      [`witness A ${k(1)}\ngroup X any A none\nquorum X\n`, /"none" is for the quorum only/],
      [`witness A ${k(1)}\nquorum A\nquorum A\n`, /second quorum/],
      [`witness none ${k(1)}\nquorum none\n`, /predefined/],
      [`log ${k(1)}\nquorum none\n`, /not a cosignature type/],
      ['frobnicate x\nquorum none\n', /unknown keyword/],
    ];
    for (const [t, re] of bad) expect(() => parseTlogPolicy(t), t).toThrow(re);
  });
});
