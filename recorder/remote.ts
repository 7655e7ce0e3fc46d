// The remote reader of a published ABW34 log (docs/tiles.md): it fetches a
// C2SP tlog-tiles log (`<url>/checkpoint`, the entry bundles, the hash tiles)
// and gives back the bytes of the original abw34.log, up to and including
// the final checkpoint tuple, as a stream, for the streaming verifier. It
// checks what only the tiles can show (every hash tile against the entries,
// the bundles' shapes and counts) and reports it as findings. Nothing the
// server sends makes it throw: a failure is a finding and the stream ends.
// Memory holds a few bundles in flight, one tile per level and the findings.
import { leafHash } from './merkle.js';
import { HASH_SIZE, MAX_ENTRY, TILE_WIDTH, TileHasher, checkpointTupleLine, decodeBundle, entryProfile, partialWidth, readCheckpoint, tilePath, type PublishedCheckpoint, type Tile } from './tiles.js';

/** The verifier's finding shape (recorder/verify.ts Finding). */
export interface RemoteFinding {
  event: string;
  severity: 'error' | 'warning';
  seq: number | null;
  got?: unknown;
  expected?: unknown;
  message: string;
}

export interface RemoteOptions {
  /** Per request, headers and body together (ms); default 10,000. */
  timeoutMs?: number;
  /** Retries after the first attempt, on network errors, timeouts and 5xx (never on 4xx); default 2. */
  retries?: number;
  /** Wait before each retry (ms); default [100, 400] (the last value repeats). */
  backoffMs?: readonly number[];
  /** Requests in flight ahead of the one being read; default 4. */
  window?: number;
  /** A fetch to use instead of the global one (tests). */
  fetch?: typeof fetch;
}

export interface RemoteLog {
  /** The log's URL prefix, without a trailing slash. */
  readonly url: string;
  /** The checkpoint as served (with any cosignatures), or undefined when it could not be read. */
  readonly checkpoint: string | undefined;
  /** The tree size the checkpoint signs (the number of entries), when it parsed. */
  readonly size: number | undefined;
  /** The log's bytes: each entry and a newline, then the rebuilt checkpoint tuple and a newline. Read once. */
  chunks(): AsyncIterable<Uint8Array>;
  /** The remote problems found (call after the chunks are consumed). */
  findings(): RemoteFinding[];
  /** Findings past FINDINGS_PER_EVENT of one event, counted by event (not listed), as in VerifyReport. */
  suppressed(): Record<string, number>;
  /** What was read: entries, bundles and tiles fetched, bytes yielded. */
  stats(): { entries: number; bundles: number; tiles: number; bytes: number };
}

/** Limits on what a response may carry: a checkpoint with 32 signature lines of ML-DSA-65 is about 150 KB. */
const MAX_CHECKPOINT = 1 << 20;
/** Findings kept per event (as recorder/verify-findings.ts keeps). */
export const FINDINGS_PER_EVENT = 100;
const DEFAULTS = { timeoutMs: 10_000, retries: 2, backoffMs: [100, 400], window: 4 } as const;

type Fetched = { ok: true; bytes: Uint8Array } | { ok: false; event: 'remote-unavailable' | 'remote-malformed'; message: string; got?: unknown };

class Unavailable extends Error {
  constructor(message: string, readonly retry: boolean, readonly status?: number) { super(message); }
}

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * GET with a deadline over the whole exchange (headers and body: a server
 * that stalls mid-body times out too), the body capped at `limit` bytes.
 * `stop` aborts everything in flight once the reader is done.
 */
async function getOnce(url: string, limit: number, o: ResolvedOptions, stop: AbortSignal): Promise<Uint8Array | 'too-large'> {
  // The deadline is a plain timer held by this call, not AbortSignal.timeout
  // inside AbortSignal.any: on Node 20 the timeout signal is held only
  // weakly by the composite, so a garbage collection during a stalled body
  // dropped it and the request hung for ever (nodejs/node#57736).
  const deadline = new AbortController();
  const signal = deadline.signal;
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; deadline.abort(); }, o.timeoutMs);
  const onStop = () => deadline.abort();
  if (stop.aborted) onStop(); else stop.addEventListener('abort', onStop, { once: true });
  let inBody = false;
  const late = () => (timedOut
    ? `no complete answer within ${o.timeoutMs} ms: ${inBody ? 'the body stalled' : 'no response headers'}` : 'aborted');
  const exchange = async (): Promise<Uint8Array | 'too-large'> => {
    let res: Response;
    try {
      res = await o.fetch(url, { signal, headers: { 'Accept-Encoding': 'gzip, identity' }, redirect: 'follow' });
    } catch (e) {
      // undici puts the socket's error in `cause` ("fetch failed" says nothing).
      const cause = e instanceof Error ? e.cause : undefined;
      throw new Unavailable(signal.aborted ? late() : `network error: ${cause instanceof Error ? cause.message : e instanceof Error ? e.message : String(e)}`, true);
    }
    if (res.status !== 200) {
      await res.body?.cancel().catch(() => {});
      throw new Unavailable(`HTTP ${res.status}`, res.status >= 500, res.status);
    }
    inBody = true;
    try {
      return await readCapped(res, limit);
    } catch {
      throw new Unavailable(signal.aborted ? late() : 'the connection broke during the body', true);
    }
  };
  // Backstop: a fetch that ignores its signal still loses this race when the deadline passes.
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new Unavailable(late(), true));
    if (signal.aborted) onAbort(); else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([exchange(), aborted]);
  } finally {
    clearTimeout(timer);
    stop.removeEventListener('abort', onStop);
    signal.removeEventListener('abort', onAbort);
  }
}

async function readCapped(res: Response, limit: number): Promise<Uint8Array | 'too-large'> {
  if (!res.body) return new Uint8Array(0);
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) { await reader.cancel().catch(() => {}); return 'too-large'; }
    parts.push(value);
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
}

/** GET with retries (network errors, timeouts, 5xx; backoff between attempts); never throws. */
async function get(url: string, limit: number, o: ResolvedOptions, stop: AbortSignal): Promise<Fetched> {
  let last = '';
  let status: number | undefined;
  for (let attempt = 0; attempt <= o.retries; attempt++) {
    if (attempt > 0) await sleep(o.backoffMs[Math.min(attempt - 1, o.backoffMs.length - 1)] ?? 0);
    if (stop.aborted) return { ok: false, event: 'remote-unavailable', message: `${url}: not fetched (the reader stopped)` };
    try {
      const bytes = await getOnce(url, limit, o, stop);
      if (bytes === 'too-large') return { ok: false, event: 'remote-malformed', message: `${url}: more than ${limit} bytes`, got: `> ${limit} bytes` };
      return { ok: true, bytes };
    } catch (e) {
      if (!(e instanceof Unavailable)) throw e; // a programming error
      last = e.message;
      status = e.status;
      if (!e.retry) return { ok: false, event: 'remote-unavailable', message: `${url}: ${e.message}`, got: e.status };
    }
  }
  return { ok: false, event: 'remote-unavailable', message: `${url}: ${last} (${o.retries + 1} attempts)`, got: status };
}

type ResolvedOptions = { timeoutMs: number; retries: number; backoffMs: readonly number[]; window: number; fetch: typeof fetch };

/** One resource to fetch, in the order it is read. */
type Resource =
  | { kind: 'bundle'; index: number; width: number }
  | { kind: 'tile'; level: number; index: number; width: number };

/**
 * The resources of a tree of `size`, in reading order: each entry bundle,
 * then the tiles its hashes complete (level 0, and a level-L tile once
 * 256^L level-0 tiles are done), then the right-edge partial tiles.
 */
function* resources(size: number): Generator<Resource> {
  const bundles = Math.floor(size / TILE_WIDTH);
  for (let b = 0; b < bundles; b++) {
    yield { kind: 'bundle', index: b, width: TILE_WIDTH };
    yield { kind: 'tile', level: 0, index: b, width: TILE_WIDTH };
    for (let m = b + 1, level = 1; m % TILE_WIDTH === 0; level++) {
      m /= TILE_WIDTH;
      yield { kind: 'tile', level, index: m - 1, width: TILE_WIDTH };
    }
  }
  const w0 = size % TILE_WIDTH;
  if (w0 > 0) yield { kind: 'bundle', index: bundles, width: w0 };
  for (let level = 0; TILE_WIDTH ** level <= size; level++) {
    const w = partialWidth(size, level);
    if (w > 0) yield { kind: 'tile', level, index: Math.floor(size / TILE_WIDTH ** (level + 1)), width: w };
  }
}

function resourcePath(r: Resource): string {
  return r.kind === 'bundle' ? tilePath('entries', r.index, r.width) : tilePath(r.level, r.index, r.width);
}

function resourceLimit(r: Resource): number {
  return r.kind === 'bundle' ? r.width * (2 + MAX_ENTRY) : r.width * HASH_SIZE;
}

/** Fetch the checkpoint, then open the log; never throws on what the server sends. */
export async function openRemoteLog(url: string, options: RemoteOptions = {}): Promise<RemoteLog> {
  const o: ResolvedOptions = { ...DEFAULTS, ...stripUndefined(options), fetch: options.fetch ?? globalThis.fetch };
  if (!(Number.isSafeInteger(o.timeoutMs) && o.timeoutMs > 0)) throw new RangeError(`timeoutMs: expected a positive integer, got ${o.timeoutMs}`);
  if (!(Number.isSafeInteger(o.retries) && o.retries >= 0)) throw new RangeError(`retries: expected a non-negative integer, got ${o.retries}`);
  if (!(Number.isSafeInteger(o.window) && o.window >= 1)) throw new RangeError(`window: expected a positive integer, got ${o.window}`);
  const prefix = parsePrefix(url);
  const reader = new Reader(prefix, o);
  await reader.open();
  return reader;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** tlog-tiles "Parameters": the prefix, an http(s) URL; trailing slashes dropped. */
function parsePrefix(url: string): string {
  let u: URL;
  try { u = new URL(url); } catch { throw new TypeError(`url: "${url}" is not a URL`); }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TypeError(`url: expected an http(s) URL, got "${url}"`);
  if (u.search || u.hash) throw new TypeError(`url: a log prefix has no query or fragment, got "${url}"`);
  return u.href.replace(/\/+$/, '');
}

class Reader implements RemoteLog {
  checkpoint: string | undefined;
  size: number | undefined;
  private cp: PublishedCheckpoint | undefined;
  private readonly found: RemoteFinding[] = [];
  private readonly perEvent = new Map<string, number>();
  private readonly dropped: Record<string, number> = {};
  private readonly counts = { entries: 0, bundles: 0, tiles: 0, bytes: 0 };
  private readonly stop = new AbortController();
  private started = false;

  constructor(readonly url: string, private readonly o: ResolvedOptions) {}

  findings(): RemoteFinding[] {
    return [...this.found];
  }

  stats(): { entries: number; bundles: number; tiles: number; bytes: number } {
    return { ...this.counts };
  }

  suppressed(): Record<string, number> {
    return { ...this.dropped };
  }

  /** A finding; past FINDINGS_PER_EVENT of one event (a tile wrong throughout a big log) only counted. */
  private add(event: string, seq: number | null, message: string, extra: { got?: unknown; expected?: unknown } = {}): void {
    const n = (this.perEvent.get(event) ?? 0) + 1;
    this.perEvent.set(event, n);
    if (n > FINDINGS_PER_EVENT) { this.dropped[event] = (this.dropped[event] ?? 0) + 1; return; }
    this.found.push({ event, severity: 'error', seq, message, ...('got' in extra && extra.got !== undefined ? { got: extra.got } : {}), ...('expected' in extra ? { expected: extra.expected } : {}) });
  }

  /** tlog-tiles "Checkpoints": `<prefix>/checkpoint`, a signed note. */
  async open(): Promise<void> {
    const at = `${this.url}/checkpoint`;
    const r = await get(at, MAX_CHECKPOINT, this.o, this.stop.signal);
    if (!r.ok) { this.add(r.event, null, r.message, { got: r.got }); return; }
    const text = Buffer.from(r.bytes).toString('utf8');
    if (!Buffer.from(text, 'utf8').equals(r.bytes)) { this.add('remote-malformed', null, `${at}: not UTF-8`); return; }
    const cp = readCheckpoint(text);
    if (typeof cp === 'string') { this.add('remote-malformed', null, `${at}: ${cp}`); return; }
    this.checkpoint = text;
    this.size = cp.size;
    this.cp = cp;
  }

  chunks(): AsyncIterable<Uint8Array> {
    if (this.started) throw new Error('RemoteLog.chunks(): the log is read once');
    this.started = true;
    return this.read();
  }

  private async *read(): AsyncGenerator<Uint8Array> {
    const cp = this.cp;
    if (!cp) return; // the checkpoint is already a finding
    const state = new ReadState();
    const queue: { r: Resource; p: Promise<Fetched> }[] = [];
    const list = resources(cp.size);
    const refill = () => {
      while (queue.length < this.o.window) {
        const n = list.next();
        if (n.done) return;
        queue.push({ r: n.value, p: get(`${this.url}/${resourcePath(n.value)}`, resourceLimit(n.value), this.o, this.stop.signal) });
      }
    };
    try {
      for (refill(); queue.length > 0; refill()) {
        const { r, p } = queue.shift()!;
        const got = await p;
        const url = `${this.url}/${resourcePath(r)}`;
        if (!got.ok) {
          this.add(got.event, r.kind === 'bundle' ? r.index * TILE_WIDTH : null, got.message, { got: got.got });
          // A bad hash tile does not stop the entries (their bytes do not depend on it); anything else does.
          if (r.kind === 'tile' && got.event === 'remote-malformed') continue;
          return;
        }
        if (r.kind === 'tile') { this.checkTile(r, got.bytes, state, url); continue; }
        const chunk = this.takeBundle(r, got.bytes, state, url);
        if (!chunk) return;
        this.counts.bytes += chunk.length;
        yield chunk;
      }
      const line = Buffer.from(`${checkpointTupleLine(cp, state.last)}\n`, 'utf8');
      this.counts.bytes += line.length;
      yield line;
    } finally {
      this.stop.abort(); // requests still in flight are not wanted any more
    }
  }

  /** An entry bundle: its shape, its count, its leaf hashes into the tiles; the log bytes of its entries. */
  private takeBundle(r: Resource & { kind: 'bundle' }, bytes: Uint8Array, state: ReadState, url: string): Buffer | undefined {
    const first = r.index * TILE_WIDTH;
    const d = decodeBundle(bytes);
    if (!d.ok) { this.add('remote-malformed', first + d.entries.length, `${url}: ${d.problem}`); return undefined; }
    if (d.entries.length !== r.width) {
      this.add('remote-size', first, `${url}: ${d.entries.length} entries where the checkpoint's size ${this.size} needs ${r.width}`, { got: d.entries.length, expected: r.width });
      return undefined;
    }
    const nl = d.entries.findIndex((e) => e.includes(0x0a));
    if (nl >= 0) { this.add('remote-malformed', first + nl, `${url}: entry ${first + nl} holds a newline: an ABW34 entry is one line without its newline`); return undefined; }
    this.counts.bundles++;
    const parts: Uint8Array[] = [];
    const NL = Buffer.from('\n');
    d.entries.forEach((e, i) => {
      const leaf = leafHash(e);
      for (const t of state.hasher.append(leaf)) state.computed.set(key(t), t);
      if (first + i === this.size! - 1) state.last = { leaf, profile: entryProfile(e) };
      parts.push(e, NL);
    });
    this.counts.entries += d.entries.length;
    return Buffer.concat(parts);
  }

  /** A hash tile: exactly W hashes, each the one computed from the entries read (tlog-tiles "Merkle Tree"). */
  private checkTile(r: Resource & { kind: 'tile' }, bytes: Uint8Array, state: ReadState, url: string): void {
    this.counts.tiles++;
    const k = key(r);
    // A full tile is computed when its last bundle is read; the partial ones once every bundle is.
    if (r.width < TILE_WIDTH && !state.partialsTaken) {
      for (const t of state.hasher.partials()) state.computed.set(key(t), t);
      state.partialsTaken = true;
    }
    const mine = state.computed.get(k);
    state.computed.delete(k);
    if (bytes.length !== r.width * HASH_SIZE) {
      this.add('remote-malformed', null, `${url}: ${bytes.length} bytes where a tile of ${r.width} hashes has ${r.width * HASH_SIZE} (truncated?)`, { got: bytes.length, expected: r.width * HASH_SIZE });
      return;
    }
    if (!mine) { this.add('tile-mismatch', null, `${url}: no such tile follows from the entries read`); return; }
    const i = firstDifference(bytes, mine.bytes);
    if (i < 0) return;
    const span = TILE_WIDTH ** r.level;
    const first = (r.index * TILE_WIDTH + i) * span;
    this.add('tile-mismatch', first, `${url}: hash ${i} (entries ${first}..${first + span - 1}) is not the one computed from the entry bundles: the tile or the bundle changed after publication`, {
      got: hex(bytes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE)), expected: hex(mine.bytes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE)),
    });
  }
}

/** The running state of one read: the tiles computed from the entries and not yet compared, and the last entry. */
class ReadState {
  readonly hasher = new TileHasher();
  readonly computed = new Map<string, Tile>();
  last: { leaf: Uint8Array; profile: unknown } | undefined;
  partialsTaken = false;
}

const key = (t: { level: number; index: number; width: number }) => `${t.level}/${t.index}/${t.width}`;

/** Index of the first hash that differs, or -1. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i * HASH_SIZE < a.length; i++) {
    if (Buffer.compare(a.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE), b.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE)) !== 0) return i;
  }
  return a.length === b.length ? -1 : Math.floor(Math.min(a.length, b.length) / HASH_SIZE);
}
