// The entropy sources (host/qrng/sources/): sim, os, file and anu (from a
// file and from a local HTTP server on loopback). Every failure is a typed
// AwreError('QRNG_SOURCE' | 'QRNG_CONFIG') whose message names the source.
import { createServer, type Server } from 'node:http';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { qrng } from '../host/index.js';
import { DEFAULT_SEED, Prng } from './helpers/prng.js';
import { simLabelRef, simStreamRef } from './helpers/qrng-ref.js';

const dir = mkdtempSync(join(tmpdir(), 'awre-qrng-'));
const rng = new Prng(`${DEFAULT_SEED}/qrng-sources`);

async function refused(p: Promise<unknown> | (() => unknown), code: string, text: RegExp): Promise<Error> {
  let err: unknown;
  try { await (typeof p === 'function' ? p() : p); } catch (e) { err = e; }
  expect(err, `expected ${code}`).toBeInstanceOf(Error);
  expect((err as { code?: string }).code).toBe(code);
  expect((err as Error).message).toMatch(text);
  return err as Error;
}

/**
 * Run `fn` without root's permission override, so a mode-000 file really
 * refuses: as root, drop the effective uid/gid to nobody (65534) and restore
 * them after (the real uid stays 0, which is what allows the way back). Test
 * files run one per forked process (vitest.config.ts), so no other file shares
 * this switch; glibc applies it to every thread, libuv's fs pool included.
 */
async function withoutRoot(fn: () => Promise<void>): Promise<void> {
  if (process.geteuid?.() !== 0) return fn();
  process.setegid!(65534);
  process.seteuid!(65534);
  try {
    await fn();
  } finally {
    process.seteuid!(0);
    process.setegid!(0);
  }
}

describe('specs', () => {
  it('each kind opens with its label, quantum flag and claimed min-entropy', () => {
    const sim = qrng.openSource('sim:00ff');
    expect([sim.kind, sim.quantum, sim.minEntropy]).toEqual(['sim', false, 8]);
    expect(sim.label).toBe(simLabelRef('00ff'));
    expect(qrng.openSource('os')).toMatchObject({ kind: 'os', label: 'os', quantum: false, minEntropy: 8 });
    expect(qrng.openSource('file:/dev/hwrng')).toMatchObject({ label: 'file:/dev/hwrng', quantum: false, minEntropy: 7 });
    expect(qrng.openSource('file:/dev/qrandom0', { quantum: true, minEntropy: 6.5 })).toMatchObject({ quantum: true, minEntropy: 6.5 });
    const anu = qrng.openSource('anu:https://user:pw@qrng.example/API/jsonI.php?length=1024&type=uint8&key=SECRET');
    expect(anu).toMatchObject({ label: 'anu:https://qrng.example/API/jsonI.php', quantum: true, minEntropy: 8 });
    expect(JSON.stringify(anu)).not.toMatch(/SECRET|pw@/);
  });

  it('malformed specs and claims are QRNG_CONFIG errors naming what is wrong', async () => {
    await refused(() => qrng.openSource('nope:1'), 'QRNG_CONFIG', /unknown entropy source "nope"/);
    await refused(() => qrng.openSource('sim:'), 'QRNG_CONFIG', /"sim:" needs hex/);
    await refused(() => qrng.openSource('sim:xyz'), 'QRNG_CONFIG', /hex/);
    await refused(() => qrng.openSource('os:1'), 'QRNG_CONFIG', /takes no argument/);
    await refused(() => qrng.openSource('file:'), 'QRNG_CONFIG', /needs a path/);
    await refused(() => qrng.openSource('replay:escrow.bin'), 'QRNG_CONFIG', /ReplayProvider/);
    await refused(() => qrng.openSource('anu:http://qrng.example/x'), 'QRNG_CONFIG', /plain http/);
    await refused(() => qrng.openSource('os', { minEntropy: 9 }), 'QRNG_CONFIG', /minEntropy/);
    await refused(() => qrng.openSource('os', { minEntropy: 0 }), 'QRNG_CONFIG', /minEntropy/);
    expect(() => qrng.openSource(7 as unknown as string)).toThrow(TypeError);
  });
});

describe('sim and os', () => {
  it('sim is deterministic per seed, differs across seeds, and its label hides the seed', async () => {
    const a = await qrng.openSource('sim:c0ffee').read(5000);
    expect(Buffer.from(a).equals(simStreamRef('c0ffee', 5000)), 'the documented AES-256-CTR keystream').toBe(true);
    expect(qrng.openSource('sim:C0FFEE').label).toBe(simLabelRef('c0ffee'));
    const b = qrng.openSource('sim:c0ffee');
    const b1 = await b.read(1234);
    const b2 = await b.read(5000 - 1234);
    expect(Buffer.concat([b1, b2]).equals(Buffer.from(a))).toBe(true);
    expect(Buffer.from(await qrng.openSource('sim:c0ffef').read(5000)).equals(Buffer.from(a))).toBe(false);
    expect(qrng.openSource('sim:c0ffee').label).not.toContain('c0ffee');
  });

  it('os serves fresh bytes of any size', async () => {
    const os = qrng.openSource('os');
    const x = await os.read(200_000);
    expect(x.length).toBe(200_000);
    expect(Buffer.from(x.subarray(0, 64)).equals(Buffer.from(await os.read(64)))).toBe(false);
  });
});

describe('file', () => {
  it('reads sequentially across calls, then reports end of file as a short read', async () => {
    const data = rng.bytes(3000);
    writeFileSync(join(dir, 'cap.bin'), data);
    const f = qrng.openSource(`file:${join(dir, 'cap.bin')}`);
    expect(Buffer.from(await f.read(1000)).equals(Buffer.from(data.subarray(0, 1000)))).toBe(true);
    expect(Buffer.from(await f.read(1500)).equals(Buffer.from(data.subarray(1000, 2500)))).toBe(true);
    await refused(f.read(600), 'QRNG_SOURCE', /file:.*cap\.bin: end of file: a request for 600 bytes got 500/);
    await f.close();
  });

  it('reads a character device in bounded chunks', async () => {
    // Watch the FileHandle reads themselves: each asks for at most 64 KiB.
    const probe = await open('/dev/null');
    const spy = vi.spyOn(Object.getPrototypeOf(probe) as { read: (...a: unknown[]) => unknown }, 'read');
    await probe.close();
    try {
      const f = qrng.openSource('file:/dev/urandom');
      expect((await f.read(300_000)).length).toBe(300_000);
      await f.close();
      const asked = spy.mock.calls.map((c) => c[2] as number);
      expect(asked.length).toBeGreaterThanOrEqual(Math.ceil(300_000 / 65536));
      expect(Math.max(...asked)).toBe(65536);
    } finally {
      spy.mockRestore();
    }
  });

  it('a missing file, a directory and an unreadable file are clear errors', async () => {
    await refused(qrng.openSource(`file:${join(dir, 'absent')}`).read(1), 'QRNG_SOURCE', /cannot open: no such file or device/);
    await refused(qrng.openSource(`file:${dir}`).read(1), 'QRNG_SOURCE', /read failed after 0 bytes: EISDIR/);
    // A mode-000 file next to a readable one, in a directory anyone may enter
    // (mkdtemp makes it 0700): the readable one shows the refusal is the file's mode.
    const locked = join(dir, 'locked.bin');
    const readable = join(dir, 'readable.bin');
    writeFileSync(locked, rng.bytes(10));
    writeFileSync(readable, rng.bytes(10));
    chmodSync(locked, 0);
    chmodSync(readable, 0o644);
    chmodSync(dir, 0o755);
    await withoutRoot(async () => {
      const control = qrng.openSource(`file:${readable}`);
      expect((await control.read(10)).length, 'control: the directory is traversable').toBe(10);
      await control.close();
      const err = await refused(qrng.openSource(`file:${locked}`).read(1), 'QRNG_SOURCE', /cannot open: permission denied/);
      expect((err.cause as NodeJS.ErrnoException | undefined)?.code).toBe('EACCES');
    });
  });
});

const anuJson = (o: object) => JSON.stringify({ success: true, ...o });

describe('anu', () => {
  it('uint8, uint16 (big-endian pairs) and hex16 responses flatten to byte samples', () => {
    expect([...qrng.parseAnu(anuJson({ type: 'uint8', length: 3, data: [0, 7, 255] }), 'a')]).toEqual([0, 7, 255]);
    expect([...qrng.parseAnu(anuJson({ type: 'uint16', length: 2, data: [0x0102, 65535] }), 'a')]).toEqual([1, 2, 255, 255]);
    expect([...qrng.parseAnu(anuJson({ type: 'hex16', length: 2, size: 2, data: ['a0b1', 'C2d3'] }), 'a')]).toEqual([0xa0, 0xb1, 0xc2, 0xd3]);
  });

  it('malformed JSON, success:false, wrong types, lengths and values are clear errors', async () => {
    const cases: [string, RegExp][] = [
      ['{"success":true,', /malformed JSON/],
      ['{"success":true,"type":"uint8","length":3,"data":[201,17,93,x]}', /^anu:test: malformed JSON$/], // V8 quotes the input: not repeated
      [JSON.stringify({ success: false, type: 'uint8', length: 1, data: [1] }), /success:false/],
      [anuJson({ type: 'uint32', length: 1, data: [1] }), /not the ANU QRNG shape: type/],
      [anuJson({ type: 'uint8', length: 2, data: [1] }), /"length" says 2 but "data" holds 1/],
      [anuJson({ type: 'uint8', length: 1, data: [256] }), /data\.0/],
      [anuJson({ type: 'uint8', length: 1, data: [-1] }), /data\.0/],
      [anuJson({ type: 'uint8', length: 1, data: [1.5] }), /data\.0/],
      [anuJson({ type: 'uint16', length: 1, data: [65536] }), /data\.0/],
      [anuJson({ type: 'uint8', length: 1, data: ['1'] }), /data\.0/],
      [anuJson({ type: 'hex16', length: 1, data: ['abc'] }), /hex string of whole bytes/],
      [anuJson({ type: 'hex16', length: 2, size: 2, data: ['abcd', 'ab'] }), /hex16 block 1 has 1 bytes, expected 2/],
      [anuJson({ type: 'uint8', length: 0, data: [] }), /length/],
      [JSON.stringify([1, 2, 3]), /not the ANU QRNG shape/],
      [JSON.stringify({ type: 'uint8', length: 1, data: [1] }), /success/],
    ];
    for (const [text, want] of cases) await refused(() => qrng.parseAnu(text, 'anu:test'), 'QRNG_SOURCE', want);
  });

  it('from a file: serves the saved response once, then end of file', async () => {
    const data = [...rng.bytes(100)];
    writeFileSync(join(dir, 'anu.json'), anuJson({ type: 'uint8', length: 100, data }));
    const a = qrng.openSource(`anu:${join(dir, 'anu.json')}`);
    expect([...(await a.read(60))]).toEqual(data.slice(0, 60));
    expect([...(await a.read(40))]).toEqual(data.slice(60));
    await refused(a.read(1), 'QRNG_SOURCE', /used up/);
    await refused(qrng.openSource(`anu:${join(dir, 'none.json')}`).read(1), 'QRNG_SOURCE', /cannot read: ENOENT/);
  });

  describe('over HTTP on loopback', () => {
    let server: Server;
    let base = '';
    let served = 0;
    beforeAll(async () => {
      server = createServer((req, res) => {
        const url = new URL(req.url!, 'http://x');
        if (url.pathname === '/slow') return; // never answers
        if (url.pathname === '/down') { res.writeHead(503, 'Service Unavailable').end(); return; }
        if (url.pathname === '/bad') { res.end('{"success":false}'); return; }
        const n = Number(url.searchParams.get('length') ?? 16);
        served++;
        res.setHeader('content-type', 'application/json');
        res.end(anuJson({ type: 'uint16', length: n, data: Array.from({ length: n }, (_, i) => (served * 1000 + i) & 0xffff) }));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const addr = server.address() as { port: number };
      base = `http://127.0.0.1:${addr.port}`;
    });
    afterAll(() => { server.closeAllConnections(); server.close(); });

    it('fetches, flattens and refetches when a response runs out', async () => {
      const a = qrng.openSource(`anu:${base}/API/jsonI.php?length=4&type=uint16`);
      const before = served;
      const x = await a.read(20); // 8 bytes per response: three responses
      expect(served - before).toBe(3);
      const first = (before + 1) * 1000;
      expect([...x.subarray(0, 4)]).toEqual([first >> 8 & 0xff, first & 0xff, (first + 1) >> 8 & 0xff, (first + 1) & 0xff]);
    });

    it('a timeout, an HTTP error and success:false are clear errors', async () => {
      await refused(qrng.openSource(`anu:${base}/slow`, { timeoutMs: 200 }).read(1), 'QRNG_SOURCE', /no answer within 200 ms/);
      await refused(qrng.openSource(`anu:${base}/down`).read(1), 'QRNG_SOURCE', /HTTP 503/);
      await refused(qrng.openSource(`anu:${base}/bad`).read(1), 'QRNG_SOURCE', /success:false/);
      await refused(qrng.openSource('anu:http://127.0.0.1:1/x', { timeoutMs: 2000 }).read(1), 'QRNG_SOURCE', /request failed/);
    });
  });
});
