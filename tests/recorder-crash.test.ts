// Crash safety (docs/abw34.md, "Durability"): a recorder child process is
// killed (SIGKILL) at random points while appending, 50 times; each time the
// log verifies up to its last complete tuple, and the only findings are the
// ones a crash explains (no halt; a torn tail if the kill tore a line). The
// log writer itself: one writer per log, a dead writer's lock taken over, a
// torn tail reported and cut on open.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ml_dsa65 } from '../host/index.js';
import { parseAttestationKey } from '../recorder/keys.js';
import { LogWriter } from '../recorder/log.js';
import { verifyLog } from '../recorder/verify.js';
import { Prng } from './helpers/prng.js';
// Every attestation signature carries this FIPS 204 context (docs/abw34.md, docs/vault.md).
const ATTEST_CTX = new TextEncoder().encode('awre-attest-v1');

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'helpers', 'crash-child.mjs');
const KILLS = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function crashOnce(dir: string, i: number, delayMs: number): Promise<{ log: string; key: string }> {
  const log = join(dir, `crash-${i}.log`), key = join(dir, `crash-${i}.key.json`);
  const child = spawn(process.execPath, [CHILD, log, key], { stdio: 'ignore' });
  const exited = new Promise((r) => child.on('exit', r));
  for (let w = 0; w < 400 && !existsSync(key); w++) await sleep(10); // booted: the key is out
  await sleep(delayMs);
  child.kill('SIGKILL');
  await exited;
  return { log, key };
}

describe('crash safety', () => {
  it(`${KILLS} kills at random points: every log verifies up to its last complete tuple`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'awre-crash-'));
    const rng = new Prng('recorder/crash');
    let torn = 0, tuples = 0, checkpoints = 0;
    for (let i = 0; i < KILLS; i++) {
      const { log, key } = await crashOnce(dir, i, rng.int(400));
      const k = parseAttestationKey(readFileSync(key, 'utf8'));
      // Killed before the worker created the log: nothing was recorded (and nothing acknowledged).
      const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
      // The complete lines and the torn tail, counted here (not with recorder/log.ts's splitLog, which the verifier and the writer share).
      const complete = text.slice(0, text.lastIndexOf('\n') + 1).split('\n').slice(0, -1);
      const tail = text.length - (text.lastIndexOf('\n') + 1);
      const cpOnDisk = complete.filter((l) => l.includes('"kind":"checkpoint"')).length;
      const r = verifyLog(text, { key: k.publicKey, verify: (s, m, p) => ml_dsa65.verify(s, m, p, { context: ATTEST_CTX }) });
      // A crash explains: no halt, a torn tail, and (killed right after boot) no checkpoint on disk yet.
      const unexplained = r.findings.filter((f) => !['no-halt', 'torn-tail', 'no-checkpoint'].includes(f.event));
      expect(unexplained, `kill ${i}`).toEqual([]);
      const events = r.findings.map((f) => f.event);
      expect(events).toContain('no-halt');
      expect(events.includes('torn-tail'), `kill ${i}: torn tail`).toBe(tail > 0);
      expect(events.includes('no-checkpoint'), `kill ${i}: no checkpoint`).toBe(cpOnDisk === 0);
      expect([r.tuples, r.checkpoints], `kill ${i}`).toEqual([complete.length, cpOnDisk]);
      checkpoints += r.checkpoints;
      if (tail > 0) torn++;
      tuples += r.tuples;
      // A new writer takes over the dead writer's lock and cuts any torn tail.
      const w = new LogWriter(log);
      expect(w.existing).toEqual(complete);
      w.close();
      expect(readFileSync(log, 'utf8')).toBe(text.slice(0, text.length - tail));
    }
    expect(tuples).toBeGreaterThan(KILLS * 40);
    expect(checkpoints).toBeGreaterThan(KILLS);
    console.log(`crash safety: ${KILLS} kills, ${tuples} complete tuples and ${checkpoints} checkpoints in all, ${torn} torn tails`);
  });
});

describe('the log writer', () => {
  it('one writer per log: a live writer\'s lock is refused', () => {
    const log = join(mkdtempSync(join(tmpdir(), 'awre-lock-')), 'a.log');
    const w = new LogWriter(log);
    expect(() => new LogWriter(log)).toThrow(expect.objectContaining({ code: 'LOG_LOCKED' }));
    w.append('{"a":1}');
    w.close();
    const again = new LogWriter(log);
    expect(again.existing).toEqual(['{"a":1}']);
    again.close();
  });

  it('a torn tail is reported and cut on open, never taken as a line', () => {
    const log = join(mkdtempSync(join(tmpdir(), 'awre-torn-')), 'a.log');
    writeFileSync(log, '{"a":1}\n{"b":2}\n{"c":');
    const w = new LogWriter(log);
    expect(w.existing).toEqual(['{"a":1}', '{"b":2}']);
    expect(w.tornOnOpen).toEqual({ offset: 16, bytes: 5 });
    w.append('{"c":3}');
    w.close();
    expect(readFileSync(log, 'utf8')).toBe('{"a":1}\n{"b":2}\n{"c":3}\n');
  });

  it('group commit: appends are acknowledged once an fsync covers them', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'awre-group-')), 'a.log');
    const w = new LogWriter(log, 'group');
    for (let i = 0; i < 100; i++) w.append(`{"i":${i}}`);
    await w.durable();
    expect(readFileSync(log, 'utf8').split('\n')).toHaveLength(101);
    w.close();
  });
});
