// The streaming verifier (docs/verify.md): the call fast path gives the same
// findings as the general path; chunks split anywhere give the report of the
// whole; the limits are findings with their own events; RFC 8785 member
// order for integer-like names; the page-table encoding kept incrementally
// equals a full re-encoding; the frontier in build/merkle.wasm equals the
// RFC 6962 definition; worker threads give the same report.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import canonicalize from 'canonicalize';
import { beforeAll, describe, expect, it } from 'vitest';
import { LogVerifier, MAX_DEPTH, MAX_LINE, MAX_TENANTS, verifyLog, type VerifyOptions, type VerifyReport } from '../recorder/verify.js';
import { verifyFile } from '../recorder/verify-file.js';
import { parseAttestationKey } from '../recorder/keys.js';
import { verifyAttestation } from '../recorder/attest.js';
import { canonical, tupleLeaf } from '../recorder/tuple.js';
import { WasmTree } from '../recorder/merkle-wasm.js';
import { subtreeRoot } from '../recorder/merkle.js';
import { PageTables, SparseTables } from '../host/waven/tables.js';
import { FINDINGS_PER_EVENT } from '../recorder/verify-findings.js';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'host', 'cli', 'main.js');
let dir: string;
let log: Buffer;
let lines: string[];
let opts: VerifyOptions;
const events = (r: VerifyReport) => r.findings.map((f) => f.event);
const join_ = (ls: string[]) => `${ls.join('\n')}\n`;
/** The report without what depends on how the bytes arrived (nothing should). */
const core = (r: VerifyReport) => ({ ...r, stats: { ...r.stats, excerpts: r.stats.excerpts.length } });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'awre-stream-'));
  const run = spawnSync(process.execPath, [MAIN, 'run', '--out', join(dir, 'run'), '--sessions', '3', '--frames', '40', '--frame-bytes', '64', '--checkpoint-every', '100'], { encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  log = readFileSync(join(dir, 'run', 'abw34.log'));
  lines = log.toString('utf8').trimEnd().split('\n');
  const key = parseAttestationKey(readFileSync(join(dir, 'run', 'attestation.pub.json'), 'utf8'));
  opts = { key: key.publicKey, keyName: key.name, verify: verifyAttestation };
}, 60_000);

describe('streaming verifier', () => {
  it('a clean log verifies; the fast path and the general path agree on it', () => {
    const fast = verifyLog(log, opts);
    expect(fast.findings).toEqual([]);
    expect(fast.ok).toBe(true);
    expect(fast.bytes).toBe(log.length);
    expect(core(verifyLog(log, { ...opts, generalOnly: true }))).toEqual(core(fast));
  });

  it('the fast path and the general path give the same findings for every kind of damage to call tuples', () => {
    const calls = lines.map((l, i) => (l.includes('"kind":"call"') ? i : -1)).filter((i) => i > 0);
    const damage: ((l: string) => string)[] = [
      (l) => l.replace(/"seq":\d+/, '"seq":1'), (l) => l.replace(/"t":\d+/, '"t":1'), (l) => l.replace(/"prev":"./, '"prev":"0'),
      (l) => l.replace(/"profile":"./, '"profile":"f'), (l) => l.replace(/"r":"./, '"r":"a'), (l) => l.replace(/"w":"./, '"w":"A'),
      (l) => l.replace(/"tenant":"[a-z]+"/, '"tenant":"mallory"'), (l) => l.replace(/"in":"./, '"in":"G'), (l) => l.replace(/"status":0/, '"status":-0'),
      (l) => l.replace(/"status":0/, '"status":-1'), (l) => l.replace(/"op":"[a-z-]+"/, '"op":"x\\u0041"'), (l) => l.replace(/"seq":(\d+)/, '"seq":0$1'),
      (l) => l.replace('"v":1}', '"v":1,"x":1}'), (l) => l.replace('{"abw":34,', '{"abw":34, '),
    ];
    for (const d of damage) {
      for (const at of [calls[0]!, calls[Math.floor(calls.length / 2)]!, calls[calls.length - 1]!]) {
        const bad = lines.slice();
        bad[at] = d(bad[at]!);
        if (bad[at] === lines[at]) continue; // the damage happens to write what was there (a random hash's first digit)
        const text = join_(bad);
        const a = verifyLog(text, opts);
        const b = verifyLog(text, { ...opts, generalOnly: true });
        expect(a.ok, `${d.toString()} at ${at}`).toBe(false);
        expect(core(a), `${d.toString()} at ${at}`).toEqual(core(b));
      }
    }
  });

  it('chunks split anywhere (inside a line, inside a UTF-8 sequence, one byte at a time) give the whole log\'s report', () => {
    const whole = verifyLog(log, opts);
    for (const size of [1, 7, 64, 4093, 65536]) {
      const v = new LogVerifier(opts);
      for (let p = 0; p < log.length; p += size) v.push(log.subarray(p, p + size));
      expect(core(v.end())).toEqual(core(whole));
    }
    // A multi-byte character split across chunks, in a line that is not JSON.
    const text = Buffer.from(`${join_(lines)}\u00e9\u20ac\n`);
    const v = new LogVerifier(opts);
    for (let p = 0; p < text.length; p += 3) v.push(text.subarray(p, p + 3));
    expect(core(v.end())).toEqual(core(verifyLog(text, opts)));
  });

  it('worker threads give the same report as one thread', async () => {
    const path = join(dir, 'run', 'abw34.log');
    const one = await verifyFile(path, opts);
    for (const workers of [1, 2, 3]) expect(core(await verifyFile(path, { ...opts, workers }))).toEqual(core(one));
    const bad = join(dir, 'bad.log');
    writeFileSync(bad, Buffer.concat([log.subarray(0, 5000), Buffer.from([0xc0, 0x80]), log.subarray(5002), Buffer.from('{"torn":')]));
    const b1 = await verifyFile(bad, opts);
    expect(events(b1)).toEqual(expect.arrayContaining(['not-utf8', 'torn-tail']));
    expect(core(await verifyFile(bad, { ...opts, workers: 2 }))).toEqual(core(b1));
  });

  it('strict UTF-8 on the bytes: a line whose bytes changed but decode (lossily) the same fails', () => {
    // U+FFFD's own bytes in place of an invalid sequence: a lossy decoder sees the same text.
    const i = lines.findIndex((l) => l.includes('"kind":"call"'));
    const withRepl = Buffer.from(join_(lines.map((l, k) => (k === i ? l.replace('"op":"', '"op":"\ufffd') : l))));
    const invalid = Buffer.from(withRepl);
    const at = invalid.indexOf(Buffer.from('\ufffd'));
    invalid[at] = 0xff; invalid[at + 1] = 0xfe; invalid[at + 2] = 0xfd;
    expect(invalid.toString('utf8')).not.toBe(withRepl.toString('utf8') + 'x'); // both decode to U+FFFD runs
    const r = verifyLog(invalid, opts);
    expect(events(r)).toContain('not-utf8');
    expect(r.findings.find((f) => f.event === 'not-utf8')!.seq).toBe(i);
  });

  it('limits are findings with their own events, checked before parsing; findings are capped per event with a count of the rest', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(events(verifyLog(join_([...lines.slice(0, 5), deep, ...lines.slice(6)]), opts))).toContain('limit-depth');
    expect(events(verifyLog(join_([...lines.slice(0, 5), `{"a":${'['.repeat(MAX_DEPTH)}${']'.repeat(MAX_DEPTH)}}`, ...lines.slice(6)]), opts))).toContain('limit-depth');
    const long = `{"x":"${'a'.repeat(MAX_LINE + 10)}"}`;
    const r = verifyLog(join_([...lines.slice(0, 5), long, ...lines.slice(6)]), opts);
    expect(r.findings.find((f) => f.event === 'limit-line-length')).toMatchObject({ seq: 5, got: long.length });
    // The chain still holds around it: the next tuple's prev is checked against the long line's leaf.
    const prevOk = verifyLog(join_([...lines.slice(0, 5), long]), opts);
    expect(prevOk.tuples).toBe(6);
    const newlines = verifyLog(Buffer.alloc(2_000_000, 10), opts);
    expect(newlines.tuples).toBe(2_000_000);
    expect(newlines.findings.filter((f) => f.event === 'malformed-json')).toHaveLength(FINDINGS_PER_EVENT);
    expect(newlines.suppressed['malformed-json']).toBe(2_000_000 - FINDINGS_PER_EVENT);
    expect(JSON.stringify(newlines).length).toBeLessThan(1_000_000);
  });

  it('many tenants: past MAX_TENANTS each is one limit-tenants finding and costs nothing more', () => {
    const boot = JSON.parse(lines[1]!) as Record<string, unknown>;
    expect(boot['kind']).toBe('boot');
    const extra = Array.from({ length: MAX_TENANTS + 50 }, (_, k) => canonical({ ...boot, tenant: `t${k}` }));
    const r = verifyLog(join_([...lines.slice(0, 2), ...extra, ...lines.slice(2)]), opts);
    expect(r.findings.filter((f) => f.event === 'limit-tenants').length).toBeGreaterThan(0);
    expect(r.ok).toBe(false);
  });

  it('RFC 8785: integer-like member names sort as strings ("10" before "9"), as canonicalize does', () => {
    const v = { 9: 'a', 10: 'b', b: { 2: 1, 10: [{ 1: null, a: 1.5e300 }] }, '\u00e9': true, '': -0 };
    expect(canonical(v)).toBe(canonicalize(v));
    expect(canonical(v).startsWith('{"":0,"10":"b","9":"a"')).toBe(true);
    for (let k = 0; k < 500; k++) {
      const o: Record<string, unknown> = {};
      for (let j = 0; j < 6; j++) o[String(Math.floor(Math.random() * 1e6))] = Math.random() < 0.5 ? j : String.fromCharCode(Math.floor(Math.random() * 0xd7ff));
      expect(canonical(o)).toBe(canonicalize(o));
    }
    // A lone surrogate has no RFC 8785 form (canonicalize refuses it too); a pair is one code point.
    for (const bad of [{ a: '\ud800' }, { '\udc00x': 1 }, { a: ['x\ud83d'] }]) {
      expect(() => canonical(bad)).toThrow(/lone surrogate/);
      expect(() => canonicalize(bad)).toThrow();
    }
    expect(canonical({ a: '\ud83d\ude00' })).toBe(canonicalize({ a: '\ud83d\ude00' }));
  });

  it('page-table hashes kept incrementally equal a full re-encoding, dense and sparse, over random changes', () => {
    const dense = new PageTables();
    const sparse = new SparseTables();
    const rights = ['rw', 'ro', 'none'] as const;
    for (let k = 0; k < 3000; k++) {
      const page = k % 7 === 0 ? 65535 : Math.floor(Math.random() * 300);
      const r = rights[Math.floor(Math.random() * 3)]!;
      const frame = Math.floor(Math.random() * 1000);
      expect(sparse.set(page, frame, r)).toEqual(dense.set(page, frame, r));
      if (k % 50 === 0) {
        expect(Buffer.from(dense.encode('r'))).toEqual(Buffer.from(dense.encodeByScan('r')));
        expect(Buffer.from(dense.encode('w'))).toEqual(Buffer.from(dense.encodeByScan('w')));
        expect(sparse.hashes()).toEqual(dense.hashes());
      }
    }
  });

  it('the Merkle frontier in build/merkle.wasm gives RFC 6962 roots at every size', () => {
    const leaves = Array.from({ length: 9000 }, () => new Uint8Array(randomBytes(32)));
    const t = new WasmTree();
    const at = new Set([0, 1, 2, 3, 4, 5, 7, 8, 9, 255, 256, 257, 4095, 4096, 4097, 8191, 8192, 8193, 9000]);
    for (let n = 0; n <= leaves.length; n++) {
      if (at.has(n)) expect(Buffer.from(t.root()).toString('hex'), `size ${n}`).toBe(Buffer.from(subtreeRoot(leaves, 0, n)).toString('hex'));
      if (n < leaves.length) t.append(leaves[n]!);
    }
    expect(Buffer.from(tupleLeaf('x'))).toHaveLength(32);
  });
});
