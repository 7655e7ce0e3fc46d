// `awre verify` and `awre keygen` as child processes on a real recorded
// session: exit 0 on the untouched log (with the escrow replay too), 1 on a
// tampered one, 2 on usage errors naming the option, 3 on I/O errors; the
// --json output parsed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ml_kem768 as nobleKem } from '@noble/post-quantum/ml-kem.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { recordSession, type RecordedFiles } from './helpers/session.js';
// Every attestation signature carries this FIPS 204 context (docs/abw34.md, docs/vault.md).
const ATTEST_CTX = new TextEncoder().encode('awre-attest-v1');

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'host', 'cli', 'main.js');
const awre = (...args: string[]) => {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

let rec: RecordedFiles;
beforeAll(async () => {
  rec = await recordSession({ handshakes: 2, frames: 2 });
});

describe('awre verify', () => {
  it('exits 0 on the untouched log, with and without the escrow replay; --json carries the same result', () => {
    const r = awre('verify', rec.log, '--key', rec.key);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/OK: every check holds/);
    const j = awre('verify', rec.log, '--key', rec.key, '--escrow', rec.escrow, '--auditor-key', rec.auditorKey, '--json');
    expect(j.status, j.stderr).toBe(0);
    const out = JSON.parse(j.stdout) as { ok: boolean; replayed: boolean; findings: unknown[]; tuples: number };
    expect(out).toMatchObject({ ok: true, replayed: true, findings: [] });
    expect(out.tuples).toBe(readFileSync(rec.log, 'utf8').trimEnd().split('\n').length);
  });

  it('exits 1 on a tampered log and names the finding', () => {
    const lines = readFileSync(rec.log, 'utf8').trimEnd().split('\n');
    const bad = join(rec.dir, 'tampered.log');
    writeFileSync(bad, `${[...lines.slice(0, 10), ...lines.slice(11)].join('\n')}\n`);
    const r = awre('verify', bad, '--key', rec.key, '--json');
    expect(r.status).toBe(1);
    const events = (JSON.parse(r.stdout) as { findings: { event: string; severity: string; seq: number }[] }).findings.map((f) => f.event);
    expect(events).toContain('seq-gap');
    const t = awre('verify', bad, '--key', rec.key);
    expect(t.status).toBe(1);
    expect(t.stdout).toMatch(/FAIL seq-gap @10/);
  });

  it('exits 1 when a policy excludes the module', () => {
    const pol = join(rec.dir, 'policy.json');
    writeFileSync(pol, JSON.stringify({ modules: ['0'.repeat(64)] }));
    expect(awre('verify', rec.log, '--key', rec.key, '--policy', pol).status).toBe(1);
  });

  it('exits 2 on usage errors, naming the option', () => {
    const r = awre('verify', rec.log);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--key/);
    const e = awre('verify', rec.log, '--key', rec.key, '--escrow', rec.escrow);
    expect(e.status).toBe(2);
    expect(e.stderr).toMatch(/--escrow and --auditor-key/);
    const pol = join(rec.dir, 'bad-policy.json');
    writeFileSync(pol, JSON.stringify({ mmu: 'paged' }));
    const p = awre('verify', rec.log, '--key', rec.key, '--policy', pol);
    expect(p.status).toBe(2);
    expect(p.stderr).toMatch(/--policy: policy: mmu/);
    const k = awre('verify', rec.log, '--key', rec.log);
    expect(k.status).toBe(2);
    expect(k.stderr).toMatch(/--key: attestation key/);
    expect(awre('verify', rec.log, '--key', rec.key, '--bogus').status).toBe(2);
    // Key files are parsed strictly: a member the format does not define is an error (issue 14).
    const extra = join(rec.dir, 'extra-member.json');
    writeFileSync(extra, JSON.stringify({ ...JSON.parse(readFileSync(rec.key, 'utf8')), trusted: true }));
    const x = awre('verify', rec.log, '--key', extra);
    expect(x.status).toBe(2);
    expect(x.stderr).toMatch(/--key: attestation key: .*trusted/);
  });

  it('exits 1 when the key file names another log, naming key-origin (issue 14)', () => {
    const renamed = join(rec.dir, 'renamed-key.json');
    writeFileSync(renamed, JSON.stringify({ ...JSON.parse(readFileSync(rec.key, 'utf8')), name: 'awre.example/elsewhere' }));
    const r = awre('verify', rec.log, '--key', renamed, '--json');
    expect(r.status).toBe(1);
    expect((JSON.parse(r.stdout) as { findings: { event: string }[] }).findings.map((f) => f.event)).toEqual(['key-origin']);
  });

  it('exits 3 on I/O errors', () => {
    const r = awre('verify', join(rec.dir, 'missing.log'), '--key', rec.key);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/cannot read log .*missing\.log: ENOENT/);
    expect(awre('verify', rec.log, '--key', join(rec.dir, 'nokey.json')).status).toBe(3);
  });
});

describe('awre prove', () => {
  it('exports a tlog-proof that verifies, and a consistency proof; usage errors exit 2', async () => {
    const { verifyInclusionProofFile, verifyConsistencyProofFile } = await import('../recorder/proofs.js');
    const { ml_dsa65 } = await import('../host/index.js');
    const verify = (s: Uint8Array, m: Uint8Array, k: Uint8Array) => ml_dsa65.verify(s, m, k, { context: ATTEST_CTX });
    const lines = readFileSync(rec.log, 'utf8').trimEnd().split('\n');
    const out = join(rec.dir, 'seven.tlog-proof');
    expect(awre('prove', rec.log, '--index', '7', '--out', out).status).toBe(0);
    expect(verifyInclusionProofFile(readFileSync(out, 'utf8'), lines[7]!, rec.publicKey, verify)).toEqual({ ok: true });
    const first = JSON.parse(lines.find((l) => l.includes('"kind":"checkpoint"'))!).checkpoint.note as string;
    const cp = join(rec.dir, 'first.checkpoint');
    writeFileSync(cp, first);
    const c = awre('prove', rec.log, '--since', cp);
    expect(c.status).toBe(0);
    expect(verifyConsistencyProofFile(c.stdout, rec.publicKey, verify)).toEqual({ ok: true });
    expect(awre('prove', rec.log).status).toBe(2);
    expect(awre('prove', rec.log, '--index', 'x').status).toBe(2);
    expect(awre('prove', rec.log, '--index', '99999').status).toBe(2);
  });
});

describe('awre keygen --auditor', () => {
  it('writes the key pair (the secret mode 0600), refuses to overwrite, and needs --auditor', () => {
    const dir = mkdtempSync(join(tmpdir(), 'awre-keygen-'));
    const r = awre('keygen', '--auditor', '--out', dir, '--json');
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { publicKey: string; secretKey: string };
    expect(existsSync(out.publicKey) && existsSync(out.secretKey)).toBe(true);
    expect(statSync(out.secretKey).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(out.publicKey, 'utf8'))).toMatchObject({ kind: 'awre-auditor-public-key', alg: 'ML-KEM-768' });
    // A real ML-KEM-768 pair (checked with noble): the secret key's embedded ek is the public key, and it decapsulates.
    const pk = Buffer.from((JSON.parse(readFileSync(out.publicKey, 'utf8')) as { publicKey: string }).publicKey, 'base64');
    const sk = Buffer.from((JSON.parse(readFileSync(out.secretKey, 'utf8')) as { kind: string; secretKey: string }).secretKey, 'base64');
    expect([pk.length, sk.length]).toEqual([1184, 2400]);
    expect(Buffer.from(nobleKem.getPublicKey(sk)).equals(pk)).toBe(true);
    const enc = nobleKem.encapsulate(pk);
    expect(Buffer.from(nobleKem.decapsulate(enc.cipherText, sk)).equals(Buffer.from(enc.sharedSecret))).toBe(true);
    expect(awre('keygen', '--auditor', '--out', dir).status).toBe(3);
    // Never half a pair: with one file gone, keygen refuses and writes nothing.
    rmSync(out.secretKey);
    const before = readFileSync(out.publicKey, 'utf8');
    expect(awre('keygen', '--auditor', '--out', dir).status).toBe(3);
    expect(existsSync(out.secretKey)).toBe(false);
    expect(readFileSync(out.publicKey, 'utf8')).toBe(before);
    expect(awre('keygen', '--out', dir).status).toBe(2);
    // --out is created when missing; a path that cannot be a directory (under a file) is an I/O error.
    expect(awre('keygen', '--auditor', '--out', join(dir, 'new', 'sub')).status).toBe(0);
    expect(existsSync(join(dir, 'new', 'sub', 'auditor.key.json'))).toBe(true);
    expect(awre('keygen', '--auditor', '--out', join(out.publicKey, 'sub')).status).toBe(3);
  });
});
