// C2SP tlog-tiles (c2sp.org/tlog-tiles) for ABW34 logs (docs/tiles.md):
// tile paths, entry bundles, the hash tiles of every level computed from the
// leaf hashes in one pass with bounded memory, and the reconstruction of the
// final checkpoint tuple, which is not an entry of the published tree. Pure:
// no I/O (recorder/tiles-publish.ts writes, recorder/remote.ts reads).
import { AwreError } from '../host/errors.js';
import { EMPTY_ROOT, nodeHash, type Hash } from './merkle.js';
import { parseCheckpoint, parseNote } from './note.js';
import { GENESIS_PREV, canonical } from './tuple.js';

/** tlog-tiles "Merkle Tree": a full tile holds 256 hashes (8,192 bytes). */
export const TILE_WIDTH = 256;
export const HASH_SIZE = 32;
/** tlog-tiles "Log entries": each entry has a big-endian uint16 length prefix. */
export const MAX_ENTRY = 0xffff;

/**
 * Why publishing or reconstructing refused. host/errors.ts has no code for
 * tiles yet, so the error carries the AwreError code `LOG_IO` (the log
 * cannot be written as tiles) and `problem` is the stable discriminator.
 */
export type TilesProblem =
  | 'entry-too-large' // an entry over 65,535 bytes: a uint16 prefix cannot carry it
  | 'no-checkpoint' // the log holds no checkpoint tuple: nothing to publish
  | 'log-inconsistent' // the checkpoint tuple does not describe the lines before it (run awre verify)
  | 'out-dir' // the output directory is not empty
  | 'bad-argument'; // an index, level or width outside the spec's ranges

export class TilesError extends AwreError {
  readonly problem: TilesProblem;
  constructor(problem: TilesProblem, message: string, extra: { expected?: unknown; got?: unknown } = {}) {
    super('LOG_IO', message, extra);
    this.name = 'TilesError';
    this.problem = problem;
  }
}

// ---- paths (tlog-tiles "Merkle Tree", "Log entries") --------------------------------

/**
 * `<N>` of a tile path: zero-padded 3-digit elements, every element but the
 * last prefixed with `x` (1234067 -> `x001/x234/067`).
 */
export function tileIndexPath(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new TilesError('bad-argument', `tile index ${n} is not a non-negative integer`);
  let out = String(n % 1000).padStart(3, '0');
  for (let rest = Math.floor(n / 1000); rest > 0; rest = Math.floor(rest / 1000)) {
    out = `x${String(rest % 1000).padStart(3, '0')}/${out}`;
  }
  return out;
}

/**
 * The path of a hash tile (`tile/<L>/<N>[.p/<W>]`) or of an entry bundle
 * (`tile/entries/<N>[.p/<W>]`); `.p/<W>` only for a partial tile (W < 256).
 */
export function tilePath(level: number | 'entries', n: number, width: number = TILE_WIDTH): string {
  if (level !== 'entries' && !(Number.isInteger(level) && level >= 0 && level <= 63)) throw new TilesError('bad-argument', `tile level ${level} is not in 0..63`);
  if (!(Number.isInteger(width) && width >= 1 && width <= TILE_WIDTH)) throw new TilesError('bad-argument', `tile width ${width} is not in 1..256`);
  return `tile/${level}/${tileIndexPath(n)}${width < TILE_WIDTH ? `.p/${width}` : ''}`;
}

/** tlog-tiles "Partial Tiles": the width of the partial tile at `level` for a tree of `size` (0: none). */
export function partialWidth(size: number, level: number): number {
  return Math.floor(size / TILE_WIDTH ** level) % TILE_WIDTH;
}

/** Every tile (level, index, width) a tree of `size` is served as, level 0 first. */
export function* treeTiles(size: number): Generator<{ level: number; index: number; width: number }> {
  for (let level = 0; TILE_WIDTH ** level <= size; level++) {
    const full = Math.floor(size / TILE_WIDTH ** (level + 1));
    for (let index = 0; index < full; index++) yield { level, index, width: TILE_WIDTH };
    const w = partialWidth(size, level);
    if (w > 0) yield { level, index: full, width: w };
  }
}

// ---- entry bundles (tlog-tiles "Log entries") -------------------------------------

/** An entry bundle: each entry as a big-endian uint16 length, then its bytes. */
export function encodeBundle(entries: readonly Uint8Array[], firstIndex = 0): Buffer {
  let total = 0;
  entries.forEach((e, i) => {
    if (e.length > MAX_ENTRY) {
      throw new TilesError('entry-too-large', `entry ${firstIndex + i} is ${e.length} bytes: tlog-tiles entry bundles carry at most ${MAX_ENTRY} bytes per entry`, { got: e.length, expected: `<= ${MAX_ENTRY}` });
    }
    total += 2 + e.length;
  });
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const e of entries) {
    out.writeUInt16BE(e.length, at);
    out.set(e, at + 2);
    at += 2 + e.length;
  }
  return out;
}

export type DecodedBundle = { ok: true; entries: Uint8Array[] } | { ok: false; problem: string; entries: Uint8Array[] };

/** Split an entry bundle; a prefix or an entry cut short is a problem, with the entries before it. */
export function decodeBundle(bytes: Uint8Array): DecodedBundle {
  const entries: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 2 > bytes.length) return { ok: false, problem: `a length prefix cut short at byte ${at} of ${bytes.length}`, entries };
    const len = (bytes[at]! << 8) | bytes[at + 1]!;
    if (at + 2 + len > bytes.length) return { ok: false, problem: `entry ${entries.length} (${len} bytes) cut short at byte ${bytes.length}`, entries };
    entries.push(bytes.subarray(at + 2, at + 2 + len));
    at += 2 + len;
  }
  return { ok: true, entries };
}

// ---- hash tiles of every level, streaming -------------------------------------------

/** A tile the hasher completed: its level, index and bytes (32 bytes per hash). */
export interface Tile {
  level: number;
  index: number;
  width: number;
  bytes: Buffer;
}

/** MTH of 2^k hashes (a perfect subtree): pairs folded level by level. */
function perfectRoot(hashes: Hash[]): Hash {
  let row = hashes;
  while (row.length > 1) {
    const next: Hash[] = [];
    for (let i = 0; i < row.length; i += 2) next.push(nodeHash(row[i]!, row[i + 1]!));
    row = next;
  }
  return row[0]!;
}

/**
 * The tiles of a tree, fed its leaf hashes in order. It keeps one tile per
 * level (at most 8 KiB each), so a tree of any size is tiled in memory
 * bounded by its height. A level-L hash is MTH of 256^L consecutive leaves
 * (tlog-tiles: the root of a full tile of the level below), so a full tile's
 * root goes up as the next hash of the level above; partial tiles are never
 * hashed upward.
 */
export class TileHasher {
  private readonly levels: Hash[][] = [[]];
  private readonly full: number[] = [0];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Append a leaf hash; returns the full tiles it completed (level 0 first, usually none). */
  append(leaf: Hash): Tile[] {
    if (leaf.length !== HASH_SIZE) throw new TilesError('bad-argument', `a leaf hash is ${HASH_SIZE} bytes, got ${leaf.length}`);
    this.count++;
    const done: Tile[] = [];
    let hash = leaf;
    for (let level = 0; ; level++) {
      if (this.levels.length === level) { this.levels.push([]); this.full.push(0); }
      const row = this.levels[level]!;
      row.push(hash);
      if (row.length < TILE_WIDTH) break;
      done.push({ level, index: this.full[level]!++, width: TILE_WIDTH, bytes: Buffer.concat(row) });
      hash = perfectRoot(row);
      this.levels[level] = [];
    }
    return done;
  }

  /** The right-edge partial tiles of the tree so far, one per level with hashes left over (level 0 first). */
  partials(): Tile[] {
    const out: Tile[] = [];
    this.levels.forEach((row, level) => {
      if (row.length > 0) out.push({ level, index: this.full[level]!, width: row.length, bytes: Buffer.concat(row) });
    });
    return out;
  }

  /**
   * MTH of the whole tree, from the tiles held: the leftover hashes, highest
   * level first, are perfect subtrees of non-increasing size; merging equal
   * neighbours gives the compact range of [0, size), folded right to left
   * (RFC 6962 2.1, as MerkleTree.root()).
   */
  root(): Hash {
    const stack: { size: number; hash: Hash }[] = [];
    for (let level = this.levels.length - 1; level >= 0; level--) {
      for (const h of this.levels[level]!) {
        let node = { size: TILE_WIDTH ** level, hash: h };
        while (stack.length > 0 && stack[stack.length - 1]!.size === node.size) {
          const left = stack.pop()!;
          node = { size: left.size * 2, hash: nodeHash(left.hash, node.hash) };
        }
        stack.push(node);
      }
    }
    if (stack.length === 0) return EMPTY_ROOT;
    let r = stack[stack.length - 1]!.hash;
    for (let i = stack.length - 2; i >= 0; i--) r = nodeHash(stack[i]!.hash, r);
    return r;
  }
}

// ---- the final checkpoint tuple -----------------------------------------------------

/** The published checkpoint, read: its note text, the attestation signature line, and the parsed body. */
export interface PublishedCheckpoint {
  /** The note text (origin, size, root, extension lines), ending in a newline. */
  text: string;
  /** The first signature line (the log's attestation signature), without its newline. */
  attestationLine: string;
  /** Signature lines after it (witness cosignatures). */
  extraSignatures: number;
  origin: string;
  size: number;
  root: Uint8Array;
  t: number;
  final: boolean;
}

/** Read a served checkpoint (signed note); a string saying why when it is not an awre checkpoint. */
export function readCheckpoint(note: string): PublishedCheckpoint | string {
  const parsed = parseNote(note);
  if (!parsed) return 'not a signed note (signed-note: text, a blank line, signature lines)';
  const body = parseCheckpoint(parsed.text);
  if (!body) return 'the note text is not a checkpoint (tlog-checkpoint: origin, size, base64 root, extension lines)';
  if (body.t === undefined) return 'the checkpoint has no awre-t extension line';
  if (!Number.isSafeInteger(body.size)) return `the tree size ${body.size} is not a safe integer`;
  const sigLines = note.slice(parsed.text.length + 1, -1).split('\n');
  return { text: parsed.text, attestationLine: sigLines[0]!, extraSignatures: sigLines.length - 1, origin: body.origin, size: body.size, root: body.root, t: body.t, final: body.final };
}

/**
 * The checkpoint tuple that ends the log, rebuilt from the served checkpoint
 * and the last entry: the note as the recorder wrote it (its text and the
 * attestation line only: cosignatures are never in the log, docs/witness.md),
 * the root and size from the note, `prev` the leaf hash of the last entry,
 * `profile` its profile, `seq` the size and `t` the note's awre-t. Returns
 * the line without its newline (RFC 8785, recorder/tuple.ts canonical).
 */
export function checkpointTupleLine(cp: PublishedCheckpoint, last: { leaf: Hash; profile: unknown } | undefined): string {
  return canonical({
    abw: 34,
    checkpoint: { note: `${cp.text}\n${cp.attestationLine}\n`, root: Buffer.from(cp.root).toString('hex'), size: cp.size },
    kind: 'checkpoint',
    prev: last ? Buffer.from(last.leaf).toString('hex') : GENESIS_PREV,
    ...(typeof last?.profile === 'string' ? { profile: last.profile } : {}),
    seq: cp.size,
    t: cp.t,
    v: 1,
  });
}

/** The `profile` member of an entry (a tuple line), or undefined when it has none. */
export function entryProfile(entry: Uint8Array): unknown {
  try {
    const v = JSON.parse(Buffer.from(entry.buffer, entry.byteOffset, entry.length).toString('utf8')) as unknown;
    return typeof v === 'object' && v !== null ? (v as { profile?: unknown }).profile : undefined;
  } catch {
    return undefined;
  }
}
