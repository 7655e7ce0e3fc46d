// `publishLog(runDir, outDir)`: an ABW34 run as a static C2SP tlog-tiles log
// (docs/tiles.md). The entries are the lines the log's last checkpoint tuple
// covers; that tuple is not an entry, the reader rebuilds it from the
// served checkpoint (recorder/tiles.ts). The log is read in chunks, never
// whole: memory holds one entry bundle and one tile per level, so a log of
// many GB publishes in a few MB.
import { closeSync, copyFileSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AwreError } from '../host/errors.js';
import { writeFileAtomic } from './atomic.js';
import { leafHash } from './merkle.js';
import { parseNote } from './note.js';
import { MAX_ENTRY, TILE_WIDTH, TileHasher, TilesError, checkpointTupleLine, encodeBundle, entryProfile, readCheckpoint, tilePath, type PublishedCheckpoint, type Tile } from './tiles.js';

export interface PublishResult {
  runDir: string;
  outDir: string;
  origin: string;
  /** The tree size: the entries published (the checkpoint tuple's seq). */
  size: number;
  /** The root (hex) of the tree, equal to the checkpoint's. */
  root: string;
  /** The checkpoint served is the run's final one (awre-final). */
  final: boolean;
  /** Where `checkpoint` came from: checkpoint.txt (with its cosignatures) or the log's last checkpoint tuple. */
  checkpointFrom: 'checkpoint.txt' | 'log';
  /** Signature lines after the attestation line in the served checkpoint (witness cosignatures). */
  cosignatures: number;
  bundles: number;
  tiles: number;
  /** Bytes of the entries (without prefixes or newlines). */
  entryBytes: number;
  /** What the published tree does not cover: complete lines after the last checkpoint tuple, and a torn tail. */
  leftOut: { lines: number; tornBytes: number };
  /** The attestation key file copied beside the tiles (a convenience, not part of tlog-tiles), or null. */
  key: string | null;
}

const CHUNK = 1 << 20;
/** A line longer than this cannot be a tuple the recorder wrote; the backward scan refuses to assemble it. */
const MAX_LINE = 16 << 20;
const NL = 0x0a;

/** The log's last checkpoint tuple: where its line starts, its text, and what follows it. */
interface LastCheckpoint {
  start: number;
  line: string;
  seq: number;
  note: string;
  leftOutLines: number;
  tornBytes: number;
}

/**
 * Complete lines from the end of the file backwards, after counting the
 * torn tail (bytes after the last newline, never a line: docs/abw34.md
 * "Torn tails"). Only the line being assembled is held.
 */
function* linesBackward(fd: number, size: number, torn: { bytes: number }): Generator<{ start: number; line: Buffer }> {
  let pos = size; // file offset of buf[0]
  let buf = Buffer.alloc(0);
  let end = -1; // file offset of the newline ending the line being assembled; -1 while in the torn tail
  for (;;) {
    const limit = end < 0 ? buf.length : end - pos;
    const i = limit === 0 ? -1 : buf.lastIndexOf(NL, limit - 1);
    if (i >= 0) {
      if (end < 0) torn.bytes = size - (pos + i) - 1;
      else yield { start: pos + i + 1, line: buf.subarray(i + 1, limit) };
      end = pos + i;
      buf = buf.subarray(0, i);
      continue;
    }
    if (pos === 0) {
      if (end >= 0) yield { start: 0, line: buf.subarray(0, limit) };
      else torn.bytes = size;
      return;
    }
    if (end >= 0 && limit > MAX_LINE) throw new TilesError('log-inconsistent', `a line of more than ${MAX_LINE} bytes ends at offset ${end}: not an ABW34 log`);
    const n = Math.min(CHUNK, pos);
    const chunk = Buffer.allocUnsafe(n);
    readFully(fd, chunk, pos - n);
    pos -= n;
    // In the torn tail only the offsets matter, so its bytes are not kept.
    buf = Buffer.concat([chunk, end < 0 ? Buffer.alloc(0) : buf.subarray(0, limit)]);
  }
}

function readFully(fd: number, into: Buffer, position: number): void {
  let got = 0;
  while (got < into.length) {
    const n = readSync(fd, into, got, into.length - got, position + got);
    if (n === 0) throw new AwreError('LOG_IO', `the log ended early at offset ${position + got} (changed while publishing?)`);
    got += n;
  }
}

/** A checkpoint tuple's seq and note, when the line is one; other lines are not parsed in full. */
function asCheckpoint(line: Buffer): { seq: number; note: string } | undefined {
  if (line.indexOf('"kind":"checkpoint"') < 0) return undefined;
  try {
    const t = JSON.parse(line.toString('utf8')) as { kind?: unknown; seq?: unknown; checkpoint?: { note?: unknown } };
    if (t.kind !== 'checkpoint' || typeof t.seq !== 'number' || typeof t.checkpoint?.note !== 'string') return undefined;
    return { seq: t.seq, note: t.checkpoint.note };
  } catch {
    return undefined;
  }
}

/** Scan back from the end to the last checkpoint tuple: a crashed run is published up to it. */
function findLastCheckpoint(fd: number, size: number): LastCheckpoint {
  const torn = { bytes: 0 };
  let after = 0;
  for (const { start, line } of linesBackward(fd, size, torn)) {
    const cp = asCheckpoint(line);
    if (cp) return { start, line: line.toString('utf8'), ...cp, leftOutLines: after, tornBytes: torn.bytes };
    after++;
  }
  throw new TilesError('no-checkpoint', 'the log holds no checkpoint tuple: there is no signed tree to publish');
}

/** The checkpoint to serve: checkpoint.txt when it is this tuple's note (with cosignatures), else the tuple's note. */
function servedCheckpoint(runDir: string, tupleNote: string): { note: string; cp: PublishedCheckpoint; from: 'checkpoint.txt' | 'log' } {
  const mine = readCheckpoint(tupleNote);
  if (typeof mine === 'string') throw new TilesError('log-inconsistent', `the last checkpoint tuple's note: ${mine}`);
  const file = join(runDir, 'checkpoint.txt');
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8');
    const theirs = parseNote(text) ? readCheckpoint(text) : undefined;
    // The same text and the same attestation line: only cosignature lines may differ.
    if (theirs !== undefined && typeof theirs !== 'string' && theirs.text === mine.text && theirs.attestationLine === mine.attestationLine) {
      return { note: text, cp: theirs, from: 'checkpoint.txt' };
    }
  }
  return { note: tupleNote, cp: mine, from: 'log' };
}

/** Writes tiles and bundles under outDir, creating each directory once. */
class TileWriter {
  private readonly made = new Set<string>();
  tiles = 0;
  bundles = 0;
  constructor(private readonly outDir: string) {}

  private write(rel: string, bytes: Uint8Array): void {
    const path = join(this.outDir, rel);
    const dir = dirname(path);
    if (!this.made.has(dir)) { mkdirSync(dir, { recursive: true }); this.made.add(dir); }
    writeFileSync(path, bytes);
  }

  tile(t: Tile): void {
    this.write(tilePath(t.level, t.index, t.width), t.bytes);
    this.tiles++;
  }

  bundle(index: number, entries: Buffer[]): void {
    this.write(tilePath('entries', index, entries.length), encodeBundle(entries, index * TILE_WIDTH));
    this.bundles++;
  }
}

/** Feed the entries [0, end) of the log to `onEntry`, line by line, in chunks. */
function forEachEntry(fd: number, end: number, onEntry: (entry: Buffer, index: number) => void): number {
  const buf = Buffer.allocUnsafe(CHUNK);
  let carry = Buffer.alloc(0);
  let index = 0;
  for (let pos = 0; pos < end;) {
    const n = Math.min(CHUNK, end - pos);
    readFully(fd, buf.subarray(0, n), pos);
    pos += n;
    const data = carry.length ? Buffer.concat([carry, buf.subarray(0, n)]) : buf.subarray(0, n);
    let s = 0;
    for (let i = data.indexOf(NL, s); i >= 0; i = data.indexOf(NL, s)) {
      onEntry(data.subarray(s, i), index++);
      s = i + 1;
    }
    carry = Buffer.from(data.subarray(s)); // a copy: buf is reused
    if (carry.length > MAX_ENTRY) tooLarge(index, carry.length, true);
  }
  return index;
}

function tooLarge(index: number, bytes: number, atLeast = false): never {
  throw new TilesError('entry-too-large', `entry ${index} (log line ${index + 1}) is ${atLeast ? 'over ' : ''}${bytes} bytes: a tlog-tiles entry bundle carries at most ${MAX_ENTRY} bytes per entry (big-endian uint16 length)`, { got: bytes, expected: `<= ${MAX_ENTRY}` });
}

function requireEmptyDir(outDir: string): void {
  if (existsSync(outDir) && readdirSync(outDir).length > 0) {
    throw new TilesError('out-dir', `${outDir} is not empty: publish writes a fresh directory (tiles are immutable once served)`);
  }
  mkdirSync(outDir, { recursive: true });
}

/**
 * Publish `<runDir>/abw34.log` as C2SP tlog-tiles under outDir: the entry
 * bundles and hash tiles first, the checkpoint last, so a reader never finds
 * a checkpoint whose tiles are not there yet. On a refusal (TilesError) the
 * tiles written so far are removed and no checkpoint is written.
 */
export function publishLog(runDir: string, outDir: string): PublishResult {
  const logPath = join(runDir, 'abw34.log');
  let fd: number;
  try { fd = openSync(logPath, 'r'); } catch (e) { throw new AwreError('LOG_IO', `cannot read the log ${logPath}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e }); }
  try {
    const last = findLastCheckpoint(fd, fstatSync(fd).size);
    const served = servedCheckpoint(runDir, last.note);
    if (served.cp.size !== last.seq) throw new TilesError('log-inconsistent', `the last checkpoint tuple (seq ${last.seq}) signs a tree of size ${served.cp.size}: run awre verify`, { got: served.cp.size, expected: last.seq });
    requireEmptyDir(outDir);
    try {
      return writeTiles(fd, runDir, outDir, last, served);
    } catch (e) {
      rmSync(join(outDir, 'tile'), { recursive: true, force: true });
      throw e;
    }
  } finally {
    closeSync(fd);
  }
}

function writeTiles(fd: number, runDir: string, outDir: string, last: LastCheckpoint, served: ReturnType<typeof servedCheckpoint>): PublishResult {
  const hasher = new TileHasher();
  const out = new TileWriter(outDir);
  let bundle: Buffer[] = [];
  let lastEntry: { leaf: Uint8Array; profile: unknown } | undefined;
  let entryBytes = 0;
  const count = forEachEntry(fd, last.start, (entry, index) => {
    if (entry.length > MAX_ENTRY) tooLarge(index, entry.length);
    const leaf = leafHash(entry);
    for (const t of hasher.append(leaf)) out.tile(t);
    bundle.push(Buffer.from(entry));
    entryBytes += entry.length;
    if (bundle.length === TILE_WIDTH) { out.bundle(Math.floor(index / TILE_WIDTH), bundle); bundle = []; }
    if (index === last.seq - 1) lastEntry = { leaf, profile: entryProfile(entry) };
  });
  if (count !== last.seq) throw new TilesError('log-inconsistent', `the last checkpoint tuple has seq ${last.seq} but follows ${count} lines: run awre verify`, { got: count, expected: last.seq });
  if (bundle.length > 0) out.bundle(Math.floor(count / TILE_WIDTH), bundle);
  for (const t of hasher.partials()) out.tile(t);
  const root = Buffer.from(hasher.root());
  if (!root.equals(served.cp.root)) {
    throw new TilesError('log-inconsistent', 'the entries do not hash to the checkpoint\'s root: run awre verify', { got: root.toString('hex'), expected: Buffer.from(served.cp.root).toString('hex') });
  }
  // A reader must get the log's own last line back, byte for byte.
  const rebuilt = checkpointTupleLine(served.cp, lastEntry);
  if (rebuilt !== last.line) throw new TilesError('log-inconsistent', `the checkpoint tuple at seq ${last.seq} is not the one a reader rebuilds from the checkpoint (docs/tiles.md): run awre verify`, { got: rebuilt, expected: last.line });
  const keyFile = join(runDir, 'attestation.pub.json');
  const key = existsSync(keyFile) ? join(outDir, 'attestation.pub.json') : null;
  if (key) copyFileSync(keyFile, key);
  writeFileAtomic(join(outDir, 'checkpoint'), served.note, 0o644);
  return {
    runDir, outDir, origin: served.cp.origin, size: count, root: root.toString('hex'), final: served.cp.final,
    checkpointFrom: served.from, cosignatures: served.cp.extraSignatures, bundles: out.bundles, tiles: out.tiles, entryBytes,
    leftOut: { lines: last.leftOutLines, tornBytes: last.tornBytes }, key,
  };
}
