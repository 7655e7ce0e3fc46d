// `awre run --qrng sim:<hex> --deterministic` (docs/qrng.md, "Reproducible
// runs"), driven as a child process: two runs into different directories
// write the same bytes in every file; `awre verify` passes (with the honest
// attest-seed-unmixed warning); the escrow is reproducible too and its
// replay passes; another sim seed gives another log; the coins and the
// clock are the ones the doc describes (recomputed here from the doc's
// formulas, not from the code); a non-sim source or --node is a usage error
// (exit 2) that writes nothing; a run without the flag is unchanged.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = join(ROOT, 'dist', 'host', 'cli', 'main.js');
const awre = (cwd: string, ...args: string[]) => {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd, encoding: 'utf8', timeout: 240_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

const SEED = 'c0ffee00';
const RUN = ['--sessions', '2', '--frames', '8', '--frame-bytes', '64'];
const det = (cwd: string, out: string, seed: string, ...extra: string[]) => awre(cwd, 'run', '--out', out, '--qrng', `sim:${seed}`, '--deterministic', ...RUN, ...extra);

/** Every file under `dir`, by path relative to it, with its bytes. */
function tree(dir: string, at = ''): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const name of readdirSync(join(dir, at)).sort()) {
    const rel = at === '' ? name : `${at}/${name}`;
    if (statSync(join(dir, rel)).isDirectory()) for (const [k, v] of tree(dir, rel)) files.set(k, v);
    else files.set(rel, readFileSync(join(dir, rel)));
  }
  return files;
}

interface Tuple { seq: number; t: number; kind: string; tenant?: string; boot?: { origin?: string }; call?: { op: string; in: string }; qrng?: { osMixed?: boolean } }
const tuples = (log: string): Tuple[] => readFileSync(log, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Tuple);

// The doc's coin derivation, written out again: K = SHA3-256("awre-run-coins-v1" || 0x00 || seed),
// coins(label, n) = SHAKE256(K || label)[0, n).
function coins(seedHex: string, label: string, n: number): Buffer {
  const k = createHash('sha3-256').update('awre-run-coins-v1\0').update(Buffer.from(seedHex, 'hex')).digest();
  return createHash('shake256', { outputLength: n }).update(k).update(label).digest();
}
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let dir: string;
let first: ReturnType<typeof awre>;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'awre-det-'));
  first = det(dir, 'a', SEED, '--json');
  expect(first.status, first.stderr).toBe(0);
  const second = det(dir, 'b', SEED);
  expect(second.status, second.stderr).toBe(0);
});

describe('awre run --deterministic', () => {
  it('two runs into different directories write byte-identical files, all of them', () => {
    const a = tree(join(dir, 'a')), b = tree(join(dir, 'b'));
    for (const f of ['abw34.log', 'attestation.pub.json', 'checkpoint.txt', 'summary.json', 'summary.dsse.json']) expect(a.has(f), f).toBe(true);
    expect([...a.keys()].filter((f) => f.startsWith('checkpoints/')).length).toBeGreaterThanOrEqual(2); // boot and final
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [f, bytes] of a) expect(Buffer.compare(bytes, b.get(f)!), f).toBe(0);
  });

  it('says what it is: the log SHA-256 printed, no OS mix in any seed, no wall-clock figure or --out path in summary.json', () => {
    const j = JSON.parse(first.stdout) as { deterministic: { logSha256: string; osMixed: boolean; clock: { start: number; step: number } }; latencyMs: unknown };
    const log = readFileSync(join(dir, 'a', 'abw34.log'));
    expect(j.deterministic).toMatchObject({ osMixed: false, clock: { start: 0, step: 1 }, logSha256: sha256(log) });
    expect(j.latencyMs).not.toBeNull(); // the terminal still gets the timings
    const s = JSON.parse(readFileSync(join(dir, 'a', 'summary.json'), 'utf8')) as Record<string, unknown>;
    expect(s).toMatchObject({ out: '.', latencyMs: null, deterministic: { logSha256: sha256(log), osMixed: false } });
    expect((s['files'] as { log: string }).log).toBe('abw34.log');
    expect(s['verify']).toBe('npx awre verify abw34.log --key attestation.pub.json');
    const seeds = tuples(join(dir, 'a', 'abw34.log')).filter((t) => t.kind === 'seed' || t.kind === 'reseed');
    expect(seeds.map((t) => t.tenant).sort()).toEqual(['attest', 'initiator', 'responder']);
    for (const t of seeds) expect(t.qrng?.osMixed, t.tenant).toBe(false);
  });

  it('uses the documented clock and coins: origin, frame payloads and handshake times', () => {
    const ts = tuples(join(dir, 'a', 'abw34.log'));
    expect(ts[0]!.t).toBe(0);
    for (let i = 1; i < ts.length; i++) {
      expect(Number.isSafeInteger(ts[i]!.t)).toBe(true);
      expect(ts[i]!.t).toBeGreaterThanOrEqual(ts[i - 1]!.t);
    }
    expect(ts[0]!.boot?.origin).toBe(`awre.local/run/${coins(SEED, 'origin', 8).toString('hex')}`);
    const calls = ts.filter((t) => t.kind === 'call');
    const sends = calls.filter((t) => t.call!.op === 'send');
    expect(sends).toHaveLength(2 * 2 * 8);
    // The call input of a send is u8(from) || data; the first of session 1 is the initiator's frame 0.
    expect(sends[0]!.call!.in).toBe(sha256(Buffer.concat([Buffer.of(0), coins(SEED, 'frame/0/0/initiator', 64)])));
    expect(sends[1]!.call!.in).toBe(sha256(Buffer.concat([Buffer.of(1), coins(SEED, 'frame/0/0/responder', 64)])));
    expect(sends[16]!.call!.in).toBe(sha256(Buffer.concat([Buffer.of(0), coins(SEED, 'frame/1/0/initiator', 64)])));
    // The handshake's time is the logical clock's reading (here no event comes between it and the call tuple).
    for (const h of calls.filter((t) => t.call!.op === 'handshake')) {
      const le = Buffer.alloc(8);
      le.writeBigUInt64LE(BigInt(h.t));
      expect(h.call!.in, `handshake at seq ${h.seq}`).toBe(sha256(le));
    }
  });

  it('awre verify passes (exit 0), with the warning that the attestation key is reproducible', () => {
    const v = awre(join(dir, 'a'), 'verify', 'abw34.log', '--key', 'attestation.pub.json', '--json');
    expect(v.status, v.stdout + v.stderr).toBe(0);
    const r = JSON.parse(v.stdout) as { ok: boolean; findings: { event: string; severity: string }[] };
    expect(r.ok).toBe(true);
    expect(r.findings).toEqual([expect.objectContaining({ event: 'attest-seed-unmixed', severity: 'warning' })]);
  });

  it('another sim seed gives another log', () => {
    const c = det(dir, 'c', 'c0ffee01');
    expect(c.status, c.stderr).toBe(0);
    const a = readFileSync(join(dir, 'a', 'abw34.log')), other = readFileSync(join(dir, 'c', 'abw34.log'));
    expect(Buffer.compare(a, other)).not.toBe(0);
    expect(tuples(join(dir, 'c', 'abw34.log'))[0]!.boot?.origin).not.toBe(tuples(join(dir, 'a', 'abw34.log'))[0]!.boot?.origin);
  });

  it('with --auditor-key: the escrow is reproducible too, the log is the one without it, and the escrow replay passes', () => {
    expect(awre(dir, 'keygen', '--auditor').status).toBe(0);
    for (const out of ['e1', 'e2']) {
      const r = det(dir, out, SEED, '--auditor-key', 'auditor.pub.json');
      expect(r.status, r.stderr).toBe(0);
    }
    const e1 = tree(join(dir, 'e1')), e2 = tree(join(dir, 'e2'));
    expect(e1.has('abw34.escrow')).toBe(true);
    expect([...e2.keys()]).toEqual([...e1.keys()]);
    for (const [f, bytes] of e1) expect(Buffer.compare(bytes, e2.get(f)!), f).toBe(0);
    // Escrow copies take no tick of the logical clock: the same log as the run without an escrow.
    expect(Buffer.compare(e1.get('abw34.log')!, readFileSync(join(dir, 'a', 'abw34.log')))).toBe(0);
    const v = awre(dir, 'verify', 'e1/abw34.log', '--key', 'e1/attestation.pub.json', '--escrow', 'e1/abw34.escrow', '--auditor-key', 'auditor.key.json', '--json');
    expect(v.status, v.stdout + v.stderr).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, replayed: true });
  });

  it('refuses a source that is not sim:, and --node, as usage errors (exit 2) that write nothing', () => {
    for (const [args, want] of [
      [['--out', 'u1', '--deterministic'], /--deterministic: needs --qrng sim:<hex>, got a "os" source/],
      [['--out', 'u2', '--deterministic', '--qrng', 'file:/dev/urandom'], /--deterministic: needs --qrng sim:<hex>, got a "file" source/],
      [['--out', 'u3', '--deterministic', '--qrng', 'anu:https://example.invalid/api?key=secret'], /got a "anu" source/],
      [['--out', 'u4', '--deterministic', '--qrng', `sim:${SEED}`, '--node', 'n'], /--deterministic: not with --node/],
    ] as const) {
      const r = awre(dir, 'run', ...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(want);
      expect(r.stderr).not.toContain('secret');
      expect(existsSync(join(dir, args[1])), args[1]).toBe(false);
    }
  });

  it('a sim run without the flag is as before: OS entropy in the attestation seed, no deterministic member', () => {
    const r = awre(dir, 'run', '--out', 'plain', '--qrng', `sim:${SEED}`, '--frames', '1', '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).not.toHaveProperty('deterministic');
    const ts = tuples(join(dir, 'plain', 'abw34.log'));
    expect(ts.find((t) => t.kind === 'seed' && t.tenant === 'attest')?.qrng?.osMixed).toBe(true);
    expect(ts[0]!.t).toBeGreaterThan(0); // the wall clock
  });
});
