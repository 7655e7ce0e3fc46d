// awre publish (C2SP tlog-tiles) and the remote reader that awre verify <url>
// uses (docs/tiles.md), on a real recorded run served by a static HTTP server
// on loopback: the spec's path and bundle examples, the exact log bytes read
// back, the tiles against recorder/merkle.ts and the checkpoint's root, and
// a server that serves a truncated or changed tile, a changed bundle, a
// missing file, a stalled body or a 503 first: findings in bounded time,
// never a throw.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MerkleTree, leafHash, subtreeRoot } from '../recorder/merkle.js';
import { checkpointBody, parseCheckpoint, parseNote } from '../recorder/note.js';
import { openRemoteLog, type RemoteLog, type RemoteOptions } from '../recorder/remote.js';
import { publishLog } from '../recorder/tiles-publish.js';
import {
  MAX_ENTRY, TileHasher, TilesError, checkpointTupleLine, decodeBundle, encodeBundle, entryProfile, partialWidth, readCheckpoint, tileIndexPath, tilePath, treeTiles,
} from '../recorder/tiles.js';
import { runVerifyRemote } from '../host/cli/verify-remote.js';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'host', 'cli', 'main.js');
const awre = (...args: string[]) => {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

/** The CLI run asynchronously: the static server lives in this process and must keep answering. */
const awreAsync = (...args: string[]) => new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  child.on('close', (status) => resolve({ status, stdout, stderr }));
});

// Short limits: every failure must end in well under a few seconds.
const FAST: RemoteOptions = { timeoutMs: 400, retries: 2, backoffMs: [50, 100] };

let tmp: string;
let run: string; // the run directory
let pub: string; // its published tiles
let logBytes: Buffer;
let lines: Buffer[]; // the log's lines, without newlines
let size: number; // the published tree size (the final checkpoint's seq)

// ---- a static server over `tmp`, with per-path behaviours for the failure tests ----
type Hook = (req: IncomingMessage, res: ServerResponse, file: string) => boolean;
let server: Server;
let base: string;
const hooks = new Map<string, Hook>();
const requests: string[] = [];

function serveFile(res: ServerResponse, file: string, gzip: boolean): void {
  let body = readFileSync(file);
  const headers: Record<string, string> = {
    'Content-Type': file.endsWith('/checkpoint') ? 'text/plain; charset=utf-8' : 'application/octet-stream',
  };
  // tlog-tiles "Log entries": a log MAY gzip entry bundles with no negotiation.
  if (gzip) { body = gzipSync(body); headers['Content-Encoding'] = 'gzip'; }
  headers['Content-Length'] = String(body.length);
  res.writeHead(200, headers);
  res.end(body);
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  requests.push(path);
  const file = normalize(join(tmp, path));
  const hook = hooks.get(path);
  if (hook && hook(req, res, file)) return;
  if (!file.startsWith(tmp) || !existsSync(file) || !statSync(file).isFile()) { res.writeHead(404).end('not found'); return; }
  serveFile(res, file, path.includes('/tile/entries/'));
}

/** A copy of the published directory under a name, to damage. */
function variant(name: string): string {
  const dir = join(tmp, name);
  cpSync(pub, dir, { recursive: true });
  return dir;
}

async function readAll(remote: RemoteLog): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of remote.chunks()) parts.push(c);
  return Buffer.concat(parts);
}

/** Open, read to the end and time a remote log; the reader must never throw. */
async function readRemote(name: string, opts: RemoteOptions = FAST) {
  const t0 = Date.now();
  const remote = await openRemoteLog(`${base}/${name}/`, opts);
  const bytes = await readAll(remote);
  return { remote, bytes, findings: remote.findings(), ms: Date.now() - t0 };
}

const events = (f: { event: string }[]) => f.map((x) => x.event);

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'awre-tiles-'));
  run = join(tmp, 'run');
  const r = awre('run', '--out', run, '--sessions', '3', '--frames', '40', '--frame-bytes', '64', '--checkpoint-every', '100', '--qrng', 'sim:7117');
  expect(r.status, r.stderr).toBe(0);
  pub = join(tmp, 'pub');
  const p = awre('publish', run, pub, '--json');
  expect(p.status, p.stderr).toBe(0);
  size = (JSON.parse(p.stdout) as { size: number }).size;
  logBytes = readFileSync(join(run, 'abw34.log'));
  const text = logBytes.toString('latin1');
  lines = text.slice(0, -1).split('\n').map((l) => Buffer.from(l, 'latin1'));
  server = createServer(handle);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});

afterAll(() => {
  server?.closeAllConnections();
  server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('tile paths and entry bundles (tlog-tiles)', () => {
  it('encodes indexes as x-prefixed 3-digit elements, partial tiles as .p/<W>', () => {
    expect(tileIndexPath(1234067)).toBe('x001/x234/067'); // the spec's example
    expect(tileIndexPath(0)).toBe('000');
    expect(tileIndexPath(999)).toBe('999');
    expect(tileIndexPath(1000)).toBe('x001/000');
    expect(tileIndexPath(1_000_000)).toBe('x001/x000/000');
    expect(tilePath(0, 1234067)).toBe('tile/0/x001/x234/067');
    expect(tilePath(2, 3, 17)).toBe('tile/2/003.p/17');
    expect(tilePath('entries', 1234067, 255)).toBe('tile/entries/x001/x234/067.p/255');
    expect(tilePath('entries', 5)).toBe('tile/entries/005');
    for (const bad of [() => tilePath(64, 0), () => tilePath(0, -1), () => tilePath(0, 0, 0), () => tilePath(0, 0, 257), () => tileIndexPath(1.5)]) {
      expect(bad).toThrow(TilesError);
    }
  });

  it('lists the tiles of the spec\'s examples: sizes 70,000 and 256', () => {
    const t = [...treeTiles(70_000)];
    const at = (level: number) => t.filter((x) => x.level === level);
    expect(at(0).filter((x) => x.width === 256)).toHaveLength(273);
    expect(at(0).filter((x) => x.width < 256)).toEqual([{ level: 0, index: 273, width: 112 }]);
    expect(at(1)).toEqual([{ level: 1, index: 0, width: 256 }, { level: 1, index: 1, width: 17 }]);
    expect(at(2)).toEqual([{ level: 2, index: 0, width: 1 }]);
    expect(t.filter((x) => x.level > 2)).toEqual([]);
    expect([...treeTiles(256)]).toEqual([{ level: 0, index: 0, width: 256 }, { level: 1, index: 0, width: 1 }]);
    expect([...treeTiles(0)]).toEqual([]);
    expect(partialWidth(70_000, 1)).toBe(17);
  });

  it('bundles entries with big-endian uint16 lengths and refuses an entry over 65,535 bytes', () => {
    const a = Buffer.from('{"a":1}'), b = Buffer.alloc(0), c = Buffer.alloc(MAX_ENTRY, 0x41);
    const bundle = encodeBundle([a, b, c]);
    expect([...bundle.subarray(0, 2)]).toEqual([0x00, 0x07]);
    expect([...bundle.subarray(9, 11)]).toEqual([0x00, 0x00]);
    expect([...bundle.subarray(11, 13)]).toEqual([0xff, 0xff]);
    const d = decodeBundle(bundle);
    expect(d.ok).toBe(true);
    expect(d.entries.map((e) => Buffer.from(e))).toEqual([a, b, c]);
    expect(decodeBundle(bundle.subarray(0, bundle.length - 1))).toMatchObject({ ok: false, entries: [a, b] });
    expect(decodeBundle(bundle.subarray(0, 8)).ok).toBe(false); // a prefix cut in half
    let err: unknown;
    try { encodeBundle([a, Buffer.alloc(MAX_ENTRY + 1)], 512); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(TilesError);
    expect(err).toMatchObject({ problem: 'entry-too-large', code: 'LOG_IO', got: MAX_ENTRY + 1 });
    expect((err as Error).message).toMatch(/entry 513/);
  });

  it('computes every level exactly per the spec on 70,000 leaves, and the root of any size', () => {
    const leaves = Array.from({ length: 70_000 }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));
    const h = new TileHasher();
    const full = leaves.flatMap((l) => h.append(l));
    const partials = h.partials();
    // MTH(D[(n * 256 + i) * 256**l : (n * 256 + i + 1) * 256**l]), i from 0 to width - 1.
    const expected = (level: number, index: number, width: number) => Buffer.concat(Array.from({ length: width }, (_, i) => {
      const span = 256 ** level;
      return subtreeRoot(leaves, (index * 256 + i) * span, (index * 256 + i + 1) * span);
    }));
    const names = (ts: { level: number; index: number; width: number }[]) => ts.map((t) => `${t.level}/${t.index}/${t.width}`).sort();
    expect(names(full)).toEqual(names([...treeTiles(70_000)].filter((t) => t.width === 256)));
    for (const t of [...full.filter((x) => x.level === 1 || x.index % 50 === 0), ...partials]) {
      expect(t.bytes.equals(expected(t.level, t.index, t.width)), `tile ${t.level}/${t.index}/${t.width}`).toBe(true);
    }
    expect(partials.map((t) => [t.level, t.index, t.width])).toEqual([[0, 273, 112], [1, 1, 17], [2, 0, 1]]);
    expect(Buffer.from(h.root()).equals(Buffer.from(subtreeRoot(leaves, 0, 70_000)))).toBe(true);
    // The root at sizes around tile edges, against the incremental tree of recorder/merkle.ts.
    const sizes = new Set([0, 1, 2, 255, 256, 257, 511, 512, 65_535, 65_536, 65_537]);
    const small = new TileHasher();
    const tree = new MerkleTree();
    for (let n = 0; n <= 65_537; n++) {
      if (sizes.has(n)) expect(Buffer.from(small.root()).equals(Buffer.from(tree.root())), `size ${n}`).toBe(true);
      small.append(leaves[n]!);
      tree.append(leaves[n]!);
    }
  });
});

describe('awre publish', () => {
  it('writes the tiles of the tree the final checkpoint signs, and they match recorder/merkle.ts and the checkpoint\'s root', () => {
    const last = JSON.parse(lines[lines.length - 1]!.toString()) as { kind: string; seq: number };
    expect(last.kind).toBe('checkpoint');
    expect(size).toBe(last.seq);
    expect(size).toBe(lines.length - 1);
    const leaves = lines.slice(0, size).map((l) => leafHash(l));
    const files = (dir: string): string[] => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(pub.length + 1)).sort();
    const expectedTiles = [...treeTiles(size)].map((t) => tilePath(t.level, t.index, t.width));
    const expectedBundles = [...treeTiles(size)].filter((t) => t.level === 0).map((t) => tilePath('entries', t.index, t.width));
    expect(files(pub)).toEqual(['attestation.pub.json', 'checkpoint', ...expectedTiles, ...expectedBundles].sort());
    for (const t of treeTiles(size)) {
      const bytes = readFileSync(join(pub, tilePath(t.level, t.index, t.width)));
      const span = 256 ** t.level;
      const want = Buffer.concat(Array.from({ length: t.width }, (_, i) => subtreeRoot(leaves, (t.index * 256 + i) * span, (t.index * 256 + i + 1) * span)));
      expect(bytes.equals(want), tilePath(t.level, t.index, t.width)).toBe(true);
      if (t.level === 0) {
        const d = decodeBundle(readFileSync(join(pub, tilePath('entries', t.index, t.width))));
        expect(d.entries.map((e) => Buffer.from(e))).toEqual(lines.slice(t.index * 256, t.index * 256 + t.width));
      }
    }
    const cp = parseCheckpoint(parseNote(readFileSync(join(pub, 'checkpoint'), 'utf8'))!.text)!;
    expect(cp.size).toBe(size);
    expect(Buffer.from(cp.root).equals(Buffer.from(subtreeRoot(leaves, 0, size)))).toBe(true);
    expect(readFileSync(join(pub, 'checkpoint'), 'utf8')).toBe(readFileSync(join(run, 'checkpoint.txt'), 'utf8'));
    expect(readFileSync(join(pub, 'attestation.pub.json'))).toEqual(readFileSync(join(run, 'attestation.pub.json')));
  });

  it('rebuilds the final checkpoint tuple byte for byte from the checkpoint and the last entry', () => {
    const cp = readCheckpoint(readFileSync(join(pub, 'checkpoint'), 'utf8'));
    if (typeof cp === 'string') throw new Error(cp);
    const lastEntry = lines[size - 1]!;
    expect(checkpointTupleLine(cp, { leaf: leafHash(lastEntry), profile: entryProfile(lastEntry) })).toBe(lines[size]!.toString('utf8'));
  });

  it('serves checkpoint.txt with its cosignature lines, and the rebuilt tuple keeps only the attestation line', async () => {
    const r2 = join(tmp, 'run-cosigned');
    cpSync(run, r2, { recursive: true });
    const witnessLine = `\u2014 witness.example/w1 ${Buffer.alloc(80, 7).toString('base64')}\n`;
    writeFileSync(join(r2, 'checkpoint.txt'), readFileSync(join(run, 'checkpoint.txt'), 'utf8') + witnessLine);
    const out = join(tmp, 'pub-cosigned');
    const res = publishLog(r2, out);
    expect(res).toMatchObject({ checkpointFrom: 'checkpoint.txt', cosignatures: 1, final: true, size });
    expect(readFileSync(join(out, 'checkpoint'), 'utf8').endsWith(witnessLine)).toBe(true);
    const { bytes, findings, remote } = await readRemote('pub-cosigned');
    expect(findings).toEqual([]);
    expect(bytes.equals(logBytes)).toBe(true);
    expect(remote.checkpoint!.endsWith(witnessLine)).toBe(true);
  });

  it('falls back to the log\'s note when checkpoint.txt is another checkpoint', () => {
    const r2 = join(tmp, 'run-othercp');
    cpSync(run, r2, { recursive: true });
    writeFileSync(join(r2, 'checkpoint.txt'), readFileSync(join(run, 'checkpoint.txt'), 'utf8').replace(/^awre-t \d+$/m, 'awre-t 1'));
    const res = publishLog(r2, join(tmp, 'pub-othercp'));
    expect(res.checkpointFrom).toBe('log');
    expect(readFileSync(join(tmp, 'pub-othercp', 'checkpoint'), 'utf8')).toBe((JSON.parse(lines[size]!.toString()) as { checkpoint: { note: string } }).checkpoint.note);
  });

  it('publishes a crashed run up to its last checkpoint tuple and says how much it left out', async () => {
    const r2 = join(tmp, 'run-crashed');
    cpSync(run, r2, { recursive: true });
    rmSync(join(r2, 'checkpoint.txt'));
    // Cut the halt and the final checkpoint, and leave a torn tail as a kill would.
    const cps = lines.map((l, i) => (l.includes('"kind":"checkpoint"') ? i : -1)).filter((i) => i >= 0);
    const lastPeriodic = cps[cps.length - 2]!;
    expect(lastPeriodic).toBeLessThan(size - 3);
    const kept = lines.slice(0, size - 3);
    writeFileSync(join(r2, 'abw34.log'), Buffer.concat([...kept.flatMap((l) => [l, Buffer.from('\n')]), Buffer.from('{"abw":34,"se')]));
    const res = publishLog(r2, join(tmp, 'pub-crashed'));
    expect(res).toMatchObject({ size: lastPeriodic, final: false, checkpointFrom: 'log', leftOut: { lines: kept.length - lastPeriodic - 1, tornBytes: 13 } });
    const { bytes, findings } = await readRemote('pub-crashed');
    expect(findings).toEqual([]);
    expect(bytes.equals(Buffer.concat(lines.slice(0, lastPeriodic + 1).flatMap((l) => [l, Buffer.from('\n')])))).toBe(true);
  });

  it('publishes and reads back a 70,000-entry log (the spec\'s example: three levels, chunk boundaries crossed)', async () => {
    const r2 = join(tmp, 'run-70k');
    mkdirSync(r2);
    const n = 70_000;
    const entries = Array.from({ length: n }, (_, i) => Buffer.from(`{"i":${i},"pad":"${'x'.repeat(i % 23)}","profile":"p${i % 3}"}`));
    const h = new TileHasher();
    for (const e of entries) h.append(leafHash(e));
    const text = checkpointBody('awre.test/70k', n, h.root(), 1234, true);
    const cp = readCheckpoint(`${text}\n\u2014 awre.test/70k ${Buffer.alloc(40, 1).toString('base64')}\n`);
    if (typeof cp === 'string') throw new Error(cp);
    const last = checkpointTupleLine(cp, { leaf: leafHash(entries[n - 1]!), profile: entryProfile(entries[n - 1]!) });
    const log = Buffer.concat([...entries.flatMap((e) => [e, Buffer.from('\n')]), Buffer.from(`${last}\n`)]);
    expect(log.length).toBeGreaterThan(2 << 20);
    writeFileSync(join(r2, 'abw34.log'), log);
    const res = publishLog(r2, join(tmp, 'pub-70k'));
    expect(res).toMatchObject({ size: n, bundles: 274, tiles: 277, final: true, key: null, checkpointFrom: 'log' });
    for (const f of ['tile/0/273.p/112', 'tile/1/000', 'tile/1/001.p/17', 'tile/2/000.p/1', 'tile/entries/273.p/112']) expect(existsSync(join(tmp, 'pub-70k', f)), f).toBe(true);
    const { bytes, findings } = await readRemote('pub-70k');
    expect(findings).toEqual([]);
    expect(bytes.equals(log)).toBe(true);
    // Every level-0 tile wrong: 100 findings listed, the rest counted.
    const bad = join(tmp, 'pub-70k-bad');
    cpSync(join(tmp, 'pub-70k'), bad, { recursive: true });
    for (const t of treeTiles(n)) {
      if (t.level !== 0) continue;
      const f = join(bad, tilePath(0, t.index, t.width));
      const b = readFileSync(f);
      b[0]! ^= 1;
      writeFileSync(f, b);
    }
    const worse = await readRemote('pub-70k-bad');
    expect(worse.findings).toHaveLength(100);
    expect(worse.remote.suppressed()).toEqual({ 'tile-mismatch': 274 - 100 });
    expect(worse.bytes.equals(log)).toBe(true);
  });

  it('refuses an entry over 65,535 bytes with a typed error, writing no checkpoint; the CLI exits 1', () => {
    const r2 = join(tmp, 'run-big');
    cpSync(run, r2, { recursive: true });
    const big = lines.map((l, i) => (i === 5 ? Buffer.from(`{"pad":"${'a'.repeat(70_000)}"}`) : l));
    writeFileSync(join(r2, 'abw34.log'), Buffer.concat(big.flatMap((l) => [l, Buffer.from('\n')])));
    const out = join(tmp, 'pub-big');
    let err: unknown;
    try { publishLog(r2, out); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(TilesError);
    expect(err).toMatchObject({ problem: 'entry-too-large', got: 70_010 });
    expect((err as Error).message).toMatch(/entry 5 /);
    expect(existsSync(join(out, 'checkpoint'))).toBe(false);
    expect(existsSync(join(out, 'tile'))).toBe(false);
    const c = awre('publish', r2, join(tmp, 'pub-big-cli'));
    expect(c.status).toBe(1);
    expect(c.stderr).toMatch(/entry 5 .*65535/);
  });

  it('refuses a log without a checkpoint (exit 1), a missing log (exit 3) and a non-empty out-dir (exit 2)', () => {
    const r2 = join(tmp, 'run-nocp');
    cpSync(run, r2, { recursive: true });
    writeFileSync(join(r2, 'abw34.log'), Buffer.concat(lines.slice(0, 3).flatMap((l) => [l, Buffer.from('\n')])));
    let err: unknown;
    try { publishLog(r2, join(tmp, 'pub-nocp')); } catch (e) { err = e; }
    expect(err).toMatchObject({ problem: 'no-checkpoint' });
    expect(existsSync(join(tmp, 'pub-nocp'))).toBe(false);
    expect(awre('publish', r2, join(tmp, 'pub-nocp-cli')).status).toBe(1);
    expect(awre('publish', join(tmp, 'nowhere'), join(tmp, 'pub-nowhere')).status).toBe(3);
    const again = awre('publish', run, pub);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/not empty/);
  });
});

describe('the remote reader', () => {
  it('reads back the exact bytes of the log, gzip-encoded bundles included', async () => {
    requests.length = 0;
    const { bytes, findings, remote } = await readRemote('pub');
    expect(findings).toEqual([]);
    expect(bytes.equals(logBytes)).toBe(true);
    expect(remote.size).toBe(size);
    expect(remote.stats()).toMatchObject({ entries: size, bundles: 2, tiles: [...treeTiles(size)].length, bytes: logBytes.length });
    expect(new Set(requests).size).toBe(requests.length); // each resource once
  });

  it('a truncated tile is remote-malformed; the entries still come through', async () => {
    const dir = variant('trunc-tile');
    const f = join(dir, tilePath(0, 0));
    writeFileSync(f, readFileSync(f).subarray(0, 8000));
    const { bytes, findings } = await readRemote('trunc-tile');
    expect(findings).toMatchObject([{ event: 'remote-malformed', severity: 'error', got: 8000, expected: 8192 }]);
    expect(findings[0]!.message).toContain(`${base}/trunc-tile/tile/0/000`);
    expect(bytes.equals(logBytes)).toBe(true);
  });

  it('a tile changed after publication (one hash byte flipped) is tile-mismatch with got/expected hex', async () => {
    const dir = variant('flip-tile');
    const f = join(dir, tilePath(0, 0));
    const t = readFileSync(f);
    t[3 * 32 + 5]! ^= 0x01;
    writeFileSync(f, t);
    const g = join(dir, tilePath(1, 0, 1));
    const t1 = readFileSync(g);
    t1[0]! ^= 0x80;
    writeFileSync(g, t1);
    const { bytes, findings } = await readRemote('flip-tile');
    expect(events(findings)).toEqual(['tile-mismatch', 'tile-mismatch']);
    const leaf3 = Buffer.from(leafHash(lines[3]!)).toString('hex');
    expect(findings[0]).toMatchObject({ seq: 3, expected: leaf3, got: t.subarray(96, 128).toString('hex') });
    expect(findings[1]).toMatchObject({ seq: 0, expected: Buffer.from(subtreeRoot(lines.slice(0, 256).map((l) => leafHash(l)), 0, 256)).toString('hex') });
    expect(bytes.equals(logBytes)).toBe(true);
  });

  it('an entry bundle changed after publication shows against its tiles (and in the bytes)', async () => {
    const dir = variant('bundle-changed');
    const f = join(dir, tilePath('entries', 0));
    const d = decodeBundle(readFileSync(f));
    const entries = d.entries.map((e) => Buffer.from(e));
    entries[7] = Buffer.from(entries[7]!.toString().replace(/"t":(\d)/, (_, x: string) => `"t":${(Number(x) + 1) % 10}`));
    writeFileSync(f, encodeBundle(entries));
    const { bytes, findings } = await readRemote('bundle-changed');
    expect(findings.filter((x) => x.event === 'tile-mismatch').map((x) => x.seq)).toEqual([7, 0]); // level 0 hash 7, level 1 hash 0
    expect(bytes.equals(logBytes)).toBe(false);
    expect(bytes.length).toBe(logBytes.length);
  });

  it('a truncated entry bundle is remote-malformed and one entry short is remote-size; the chunks end there', async () => {
    const cut = variant('bundle-cut');
    const f = join(cut, tilePath('entries', 1, size - 256));
    writeFileSync(f, readFileSync(f).subarray(0, readFileSync(f).length - 10));
    const a = await readRemote('bundle-cut');
    expect(events(a.findings)).toEqual(['remote-malformed']);
    expect(a.findings[0]!.seq).toBe(size - 1);
    expect(a.bytes.equals(logBytes.subarray(0, a.bytes.length))).toBe(true);
    expect(a.bytes.length).toBe(Buffer.concat(lines.slice(0, 256).flatMap((l) => [l, Buffer.from('\n')])).length);

    const short = variant('bundle-short');
    const g = join(short, tilePath('entries', 1, size - 256));
    writeFileSync(g, encodeBundle(decodeBundle(readFileSync(g)).entries.slice(0, -1)));
    const b = await readRemote('bundle-short');
    expect(b.findings).toMatchObject([{ event: 'remote-size', seq: 256, got: size - 257, expected: size - 256 }]);
  });

  it('a missing file (404) is remote-unavailable naming the URL, asked once (no retry)', async () => {
    const dir = variant('missing');
    rmSync(join(dir, tilePath('entries', 1, size - 256)));
    requests.length = 0;
    const { findings, bytes } = await readRemote('missing');
    const url = `${base}/missing/${tilePath('entries', 1, size - 256)}`;
    expect(findings).toMatchObject([{ event: 'remote-unavailable', severity: 'error', seq: 256, got: 404 }]);
    expect(findings[0]!.message).toContain(url);
    expect(requests.filter((r) => r === `/missing/${tilePath('entries', 1, size - 256)}`)).toHaveLength(1);
    expect(bytes.length).toBeLessThan(logBytes.length);
    const none = await readRemote('nowhere');
    expect(none.findings).toMatchObject([{ event: 'remote-unavailable', got: 404 }]);
    expect(none.findings[0]!.message).toContain(`${base}/nowhere/checkpoint`);
    expect(none.bytes.length).toBe(0);
  });

  it('a checkpoint that does not parse is remote-malformed, and nothing is read', async () => {
    const dir = variant('bad-checkpoint');
    writeFileSync(join(dir, 'checkpoint'), 'hello\n');
    const { findings, bytes, remote } = await readRemote('bad-checkpoint');
    expect(findings).toMatchObject([{ event: 'remote-malformed', seq: null }]);
    expect(bytes.length).toBe(0);
    expect(remote.checkpoint).toBeUndefined();
  });

  it('a server that stalls mid-body times out (remote-unavailable) in bounded time, retried', async () => {
    variant('stall');
    const stallPath = `/stall/${tilePath('entries', 0)}`;
    hooks.set(stallPath, (_req, res, file) => {
      const body = readFileSync(file);
      res.writeHead(200, { 'Content-Length': String(body.length), 'Content-Type': 'application/octet-stream' });
      res.write(body.subarray(0, 1000)); // then nothing
      return true;
    });
    requests.length = 0;
    const { findings, bytes, ms } = await readRemote('stall');
    hooks.delete(stallPath);
    expect(findings).toMatchObject([{ event: 'remote-unavailable', seq: 0 }]);
    expect(findings[0]!.message).toMatch(/no complete answer within 400 ms: the body stalled \(3 attempts\)/);
    expect(requests.filter((r) => r === stallPath)).toHaveLength(3);
    expect(bytes.length).toBe(0);
    expect(ms).toBeLessThan(4000);

    variant('stall-cp');
    hooks.set('/stall-cp/checkpoint', (_req, res) => { res.writeHead(200, { 'Content-Length': '5000' }); res.write('awre'); return true; });
    const c = await readRemote('stall-cp', { ...FAST, retries: 0 });
    hooks.delete('/stall-cp/checkpoint');
    expect(c.findings).toMatchObject([{ event: 'remote-unavailable', seq: null }]);
    expect(c.ms).toBeLessThan(2000);
  });

  it('the deadline holds when garbage collections run during the stall (a weakly held timeout signal once hung here)', async () => {
    // Node 20 lets a collection drop an AbortSignal.timeout held only by an
    // AbortSignal.any, and the stalled read then waited for ever
    // (nodejs/node#57736). Collect every 10 ms while the body stalls.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    variant('stall-gc');
    hooks.set('/stall-gc/checkpoint', (_req, res) => { res.writeHead(200, { 'Content-Length': '5000' }); res.write('awre'); return true; });
    const collect = setInterval(gc, 10);
    try {
      const c = await readRemote('stall-gc', { ...FAST, retries: 1 });
      expect(c.findings).toMatchObject([{ event: 'remote-unavailable', seq: null }]);
      expect(c.findings[0]!.message).toMatch(/the body stalled \(2 attempts\)/);
      expect(c.ms).toBeLessThan(3000);
    } finally {
      clearInterval(collect);
      hooks.delete('/stall-gc/checkpoint');
    }
  }, 20_000);

  it('a server that never answers the headers times out too', async () => {
    variant('silent');
    hooks.set('/silent/checkpoint', () => true); // accepts, says nothing
    const c = await readRemote('silent', { ...FAST, retries: 1 });
    hooks.delete('/silent/checkpoint');
    expect(c.findings).toMatchObject([{ event: 'remote-unavailable' }]);
    expect(c.findings[0]!.message).toMatch(/no complete answer within 400 ms: no response headers \(2 attempts\)/);
    expect(c.ms).toBeLessThan(2000);
  });

  it('recovers from a 503 on the first request of a resource', async () => {
    variant('flaky');
    const seen = new Set<string>();
    for (const p of ['/flaky/checkpoint', `/flaky/${tilePath('entries', 0)}`, `/flaky/${tilePath(0, 0)}`]) {
      hooks.set(p, (_req, res) => {
        if (seen.has(p)) return false;
        seen.add(p);
        res.writeHead(503).end('busy');
        return true;
      });
    }
    requests.length = 0;
    const { findings, bytes } = await readRemote('flaky');
    for (const p of seen) hooks.delete(p);
    expect(findings).toEqual([]);
    expect(bytes.equals(logBytes)).toBe(true);
    expect(requests.filter((r) => r === '/flaky/checkpoint')).toHaveLength(2);
    // And a resource that keeps failing with 5xx gives up after the attempts.
    hooks.set('/flaky/checkpoint', (_req, res) => { res.writeHead(502).end(); return true; });
    const down = await readRemote('flaky');
    hooks.delete('/flaky/checkpoint');
    expect(down.findings).toMatchObject([{ event: 'remote-unavailable' }]);
    expect(down.findings[0]!.message).toMatch(/HTTP 502 \(3 attempts\)/);
  });

  it('never throws, whatever the server sends', async () => {
    variant('chaos');
    let n = 0;
    const chaos: Hook = (req, res, file) => {
      if (!req.url?.startsWith('/chaos/')) return false;
      n++;
      const real = existsSync(file) ? readFileSync(file) : Buffer.alloc(0);
      const choice = n % 5;
      if (choice === 0) { res.writeHead(200).end(real.subarray(0, real.length >> 1)); return true; }
      if (choice === 1) { res.writeHead(200).end(Buffer.concat([real, Buffer.from([0, 9, 1, 2])])); return true; }
      if (choice === 2) { res.socket?.destroy(); return true; }
      return false;
    };
    for (const p of ['/chaos/checkpoint', ...[...treeTiles(size)].flatMap((t) => [`/chaos/${tilePath(t.level, t.index, t.width)}`, ...(t.level === 0 ? [`/chaos/${tilePath('entries', t.index, t.width)}`] : [])])]) hooks.set(p, chaos);
    for (let i = 0; i < 4; i++) {
      const r = await readRemote('chaos', { ...FAST, retries: i % 2 });
      expect(Array.isArray(r.findings)).toBe(true);
    }
    for (const k of [...hooks.keys()].filter((k) => k.startsWith('/chaos/'))) hooks.delete(k);
  });

  it('a fetch that ignores its signal still times out, and one that throws anything is a finding', async () => {
    const t0 = Date.now();
    const never = (() => new Promise<Response>(() => {})) as typeof fetch;
    const a = await openRemoteLog(`${base}/pub`, { ...FAST, retries: 1, fetch: never });
    expect(a.findings()).toMatchObject([{ event: 'remote-unavailable' }]);
    expect(a.findings()[0]!.message).toMatch(/no response headers \(2 attempts\)/);
    expect(Date.now() - t0).toBeLessThan(2000);
    const odd = (() => Promise.reject('boom')) as typeof fetch; // not even an Error
    const b = await openRemoteLog(`${base}/pub`, { ...FAST, fetch: odd });
    expect(b.findings()).toMatchObject([{ event: 'remote-unavailable' }]);
    expect(b.findings()[0]!.message).toMatch(/network error: boom \(3 attempts\)/);
  });

  it('refuses a URL that is not http(s) as a usage error (TypeError)', async () => {
    await expect(openRemoteLog('file:///etc', FAST)).rejects.toThrow(TypeError);
    await expect(openRemoteLog('not a url', FAST)).rejects.toThrow(TypeError);
  });
});

describe('verifying a published log (runVerifyRemote)', () => {
  it('a clean published log verifies with no finding', async () => {
    const r = await runVerifyRemote(`${base}/pub`, { key: join(run, 'attestation.pub.json'), timeoutMs: 400, retries: 2 });
    expect(r.findings).toEqual([]);
    expect(r).toMatchObject({ ok: true, log: `${base}/pub`, replayed: false, tuples: lines.length, verifiedSize: size });
  });

  it('a tampered tile fails with tile-mismatch; a changed bundle fails in the verifier too', async () => {
    const r = await runVerifyRemote(`${base}/flip-tile`, { key: join(run, 'attestation.pub.json'), timeoutMs: 400, retries: 2 });
    expect(r.ok).toBe(false);
    expect(events(r.findings)).toEqual(['tile-mismatch', 'tile-mismatch']);
    const b = await runVerifyRemote(`${base}/bundle-changed`, { key: join(run, 'attestation.pub.json'), timeoutMs: 400, retries: 2 });
    expect(b.ok).toBe(false);
    expect(events(b.findings)).toContain('tile-mismatch');
    expect(events(b.findings).some((e) => e !== 'tile-mismatch')).toBe(true);
  });

  it('an unavailable server fails with remote-unavailable beside what the verifier makes of nothing', async () => {
    const r = await runVerifyRemote(`${base}/nowhere`, { key: join(run, 'attestation.pub.json'), timeoutMs: 400, retries: 2 });
    expect(r.ok).toBe(false);
    expect(events(r.findings)).toContain('remote-unavailable');
  });
});

describe('awre verify <url> (the CLI)', () => {
  it('a clean published log: exit 0', async () => {
    const r = await awreAsync('verify', `${base}/pub`, '--key', join(run, 'attestation.pub.json'));
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain(`${base}/pub: ${lines.length} tuples`);
    expect(r.stdout).toMatch(/OK: every check holds/);
  });

  it('a tampered tile: exit 1, and --json prints a valid report naming tile-mismatch', async () => {
    const r = await awreAsync('verify', `${base}/flip-tile`, '--key', join(run, 'attestation.pub.json'), '--json');
    expect(r.status, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as { ok: boolean; log: string; findings: { event: string; severity: string; seq: number | null; got?: unknown; expected?: unknown }[]; tuples: number };
    expect(report).toMatchObject({ ok: false, log: `${base}/flip-tile`, tuples: lines.length });
    expect(report.findings.map((f) => f.event)).toEqual(['tile-mismatch', 'tile-mismatch']);
    expect(report.findings[0]).toMatchObject({ severity: 'error', seq: 3 });
    const t = await awreAsync('verify', `${base}/flip-tile`, '--key', join(run, 'attestation.pub.json'));
    expect(t.status).toBe(1);
    expect(t.stdout).toMatch(/FAIL tile-mismatch @3/);
  });

  it('a missing server: exit 1 with remote-unavailable; the escrow replay is a usage error (exit 2)', async () => {
    const r = await awreAsync('verify', `${base}/nowhere`, '--key', join(run, 'attestation.pub.json'), '--json', '--timeout', '500');
    expect(r.status, r.stderr).toBe(1);
    expect((JSON.parse(r.stdout) as { findings: { event: string }[] }).findings.map((f) => f.event)).toContain('remote-unavailable');
    const u = await awreAsync('verify', `${base}/pub`, '--key', join(run, 'attestation.pub.json'), '--escrow', join(run, 'x'), '--auditor-key', join(run, 'y'));
    expect(u.status).toBe(2);
    expect(u.stderr).toMatch(/--escrow: a replay needs the log on disk/);
  });
});
