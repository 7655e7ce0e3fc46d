// Generators for the verifier fuzz suite (tests/verify-fuzz.test.ts): ABW34
// logs and pieces of logs, from plain garbage to tuples that are canonical,
// chained and well-shaped but whose content is arbitrary. Every arbitrary
// produces a small *description* (ops, picks, values) and a pure function
// turns it into bytes, so a failing case prints short and replays exactly.
import { createHash } from 'node:crypto';
import fc from 'fast-check';

export const enc = new TextEncoder();
const GENESIS = '0'.repeat(64);
const KINDS = ['boot', 'seed', 'reseed', 'health', 'map', 'protect', 'share', 'unmap', 'call', 'fault', 'certificate', 'checkpoint', 'halt'];
const FIELDS = ['abw', 'v', 'seq', 't', 'kind', 'profile', 'prev', 'tenant', 'pt', 'exc', 'mmu', 'boot', 'qrng', 'call', 'fault', 'certificate', 'checkpoint', 'halt'];
const TENANTS = ['attest', 'initiator', 'responder'];

/** RFC 6962 leaf hash of a line (without its newline), hex. */
export function leafHex(line: string): string {
  return createHash('sha256').update(Uint8Array.of(0)).update(line, 'utf8').digest('hex');
}

/**
 * RFC 8785 form of a JSON value as JSON.stringify writes strings and numbers,
 * members sorted by code units. Unlike the canonicalize library it does not
 * refuse lone surrogates (it writes them as \ud800 escapes), so generated
 * lines can carry them.
 */
export function jcs(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : jcs(x))).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${jcs(o[k])}`).join(',')}}`;
}

export const concat = (parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));
export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Nested arrays `depth` deep ([[[...]]]) and nested objects ({"a":{"a":...}}), as text. */
export const deepArrayText = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
export const deepObjectText = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
const deepArray = (depth: number): unknown => { let v: unknown = []; for (let i = 1; i < depth; i++) v = [v]; return v; };
const deepObject = (depth: number): unknown => { let v: unknown = 1; for (let i = 0; i < depth; i++) v = { a: v }; return v; };

// ---- the base material: a real clean log -------------------------------------------------

export interface Base {
  bytes: Uint8Array;
  lines: string[];
  tuples: Record<string, unknown>[];
  /** Byte offset where each line starts. */
  offsets: number[];
  /** Values seen at each member name anywhere in the log (realistic material for generated tuples). */
  values: Map<string, unknown[]>;
}

export function loadBase(bytes: Uint8Array): Base {
  const text = Buffer.from(bytes).toString('utf8');
  const lines = text.slice(0, -1).split('\n');
  const tuples = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const offsets: number[] = [];
  let at = 0;
  for (const l of lines) { offsets.push(at); at += Buffer.byteLength(l) + 1; }
  const values = new Map<string, unknown[]>();
  const walk = (v: unknown) => {
    if (Array.isArray(v)) { v.forEach(walk); return; }
    if (v === null || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      const seen = values.get(k) ?? [];
      if (seen.length < 64 && !seen.some((s) => jcs(s) === jcs(x))) seen.push(x);
      values.set(k, seen);
      walk(x);
    }
  };
  tuples.forEach(walk);
  return { bytes, lines, tuples, offsets, values };
}

// ---- values: JSON values, raw JSON texts ------------------------------------------------

/** Strings a verifier may trip on: lone surrogates, NUL, separators, near-hex, names of other things. */
const weirdStrings = fc.constantFrom(
  '', '\ud800', '\udfff', '\udc00\ud800', 'a\ud800b', '\u0000', '\u2028\u2029', '\ufeff', '\ufffd', 'é', '𝄞', '\u0085',
  ...TENANTS, ...KINDS, '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'rw', 'ro', 'none', 'r', 'w', 'x',
  GENESIS, 'f'.repeat(64), 'F'.repeat(64), 'g'.repeat(64), '0'.repeat(63), '0'.repeat(65), ' '.repeat(64),
  'attest-keygen', 'dsa-keygen', 'handshake', 'send', 'close', 'AAAA', '====', 'A', '—', '\n', '\r\n', '\\', '"',
);

/** JSON values with the edge cases of JSON numbers and strings, and nesting around the depth limit. */
export const weirdValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<unknown>(0, -1, 1, 2, 34, 35, 1.5, -0, 0.1, 1e-7, 5e-324, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, 2 ** 64, 1e21, 1e300, -1e300, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 4095, 4096, 65535, 65536) },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 4, arbitrary: weirdStrings },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  { weight: 2, arbitrary: fc.constantFrom<unknown>(true, false, null, [], {}, [null], { '10': 1, '9': 2, '0': 3 }, { '': 1 }, { __proto__: null, x: 1 }) },
  // Objects that break String(x) and template literals: a toString or valueOf member that is not a function.
  { weight: 1, arbitrary: fc.constantFrom<unknown>({ toString: 1 }, { valueOf: {}, toString: 'x' }, { toJSON: 1 }, { toString: null, valueOf: null }, JSON.parse('{"__proto__":{"toString":1}}')) },
  { weight: 1, arbitrary: fc.constantFrom(14, 15, 16, 17, 18, 40).map((d) => deepArray(d)) },
  { weight: 1, arbitrary: fc.constantFrom(14, 15, 16, 17, 18, 40).map((d) => deepObject(d)) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' }) },
  { weight: 1, arbitrary: fc.integer({ min: 256, max: 4096 }).map((n) => 'x'.repeat(n)) },
);

/** Raw JSON number texts: JSON.parse turns some into Infinity, -0 or a rounded integer. */
const numberText = fc.oneof(
  fc.constantFrom('0', '-0', '1e999', '-1e999', '1e21', '1E2', '1.0', '0.0', '1e-400', '9007199254740993', '123456789012345678901234567890', '34.0', '3.4e1', '-1', '4294967296', '00', '01', '+1', '.5', '1.', '0x10', 'NaN', 'Infinity', '1e', '-'),
  fc.integer().map(String),
  fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }).map(String),
);

/** Raw JSON string texts, escapes included: lone surrogates written as \ud800 escapes. */
const stringText = fc.oneof(
  fc.constantFrom('"\\ud800"', '"\\udfff"', '"\\udc00\\ud800"', '"\\u0000"', '"\\u002f"', '"\\/"', '"\\uD800\\uDC00"', '"\\x41"', '"\\u12"', '"\t"', '"a\nb"', '"unterminated', '"\\"', "'single'"),
  fc.string({ unit: 'binary', maxLength: 24 }).map((s) => JSON.stringify(s)),
  weirdStrings.map((s) => JSON.stringify(s)),
);

/** JSON texts that are mostly valid, sometimes not: arrays, objects (integer-like and duplicate names), deep nesting. */
export const jsonText: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    numberText, stringText,
    fc.constantFrom('true', 'false', 'null', 'nul', 'tru', '[', ']', '{', '}', '', ' ', '[,]', '{,}', '[1,]', '{"a":1,}', '{"a"}'),
    fc.array(tie('value'), { maxLength: 4 }).map((xs) => `[${xs.join(',')}]`),
    fc.array(fc.tuple(fc.oneof(stringText, fc.constantFrom(...FIELDS, '0', '9', '10', '-1', '01', '4294967295', '__proto__', 'constructor', '').map((s) => JSON.stringify(s))), tie('value')), { maxLength: 4 })
      .map((ms) => `{${ms.map(([k, v]) => `${k}:${v}`).join(',')}}`),
    fc.constantFrom(15, 16, 17, 18, 100, 1000).map(deepArrayText),
    fc.constantFrom(15, 16, 17, 18, 100, 1000).map(deepObjectText),
  ),
})).value;

/** A line shaped like a tuple: the right member names, values right or wrong, in canonical order or not. */
export function tupleShapedLine(base: Base): fc.Arbitrary<string> {
  const plausible = (field: string): fc.Arbitrary<string> => {
    const seen = base.values.get(field) ?? [];
    return seen.length ? fc.constantFrom(...seen).map((v) => jcs(v)) : fc.constant('null');
  };
  const member = fc.constantFrom(...FIELDS).chain((k) => fc.tuple(
    fc.constant(k),
    fc.oneof({ weight: 5, arbitrary: plausible(k) }, { weight: 3, arbitrary: weirdValue.map((v) => jcs(v)) }, { weight: 2, arbitrary: jsonText }),
  ));
  const extra = fc.tuple(fc.constantFrom('0', '10', '9', 'zz', 'Kind', 'abw ', '__proto__', 'constructor', ''), jsonText);
  return fc.record({
    kind: fc.oneof(fc.constantFrom(...KINDS), fc.constantFrom('Boot', 'constructor', '__proto__', 'toString', '')),
    members: fc.uniqueArray(member, { selector: ([k]) => k, maxLength: 12 }),
    extra: fc.option(extra, { freq: 4 }),
    sorted: fc.boolean(),
    dup: fc.boolean(),
  }).map(({ kind, members, extra, sorted, dup }) => {
    const ms: [string, string][] = [['abw', '34'], ['v', '1'], ['kind', JSON.stringify(kind)], ...members.filter(([k]) => k !== 'kind' || dup)];
    if (extra) ms.push(extra);
    const uniq = dup ? ms : [...new Map(ms).entries()];
    if (sorted) uniq.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${uniq.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
  });
}

// ---- structured logs: canonical, chained tuples with arbitrary content ----------------------

/** One change to a parsed tuple at one of its paths. */
export type Edit =
  | { op: 'set'; at: number; path: number; value: unknown }
  | { op: 'delete'; at: number; path: number }
  | { op: 'add'; at: number; path: number; name: string; value: unknown }
  | { op: 'borrow'; at: number; path: number; from: number }
  | { op: 'nudge'; at: number; path: number; by: number }
  | { op: 'noteLine'; at: number; line: number; value: string }
  | { op: 'dup'; at: number }
  | { op: 'drop'; at: number }
  | { op: 'swap'; at: number; with: number };

export interface Structured {
  /** Indices of base tuples, in order (line 0, the log's boot, usually first). */
  pick: number[];
  edits: Edit[];
  /** Renumber seq and redo the prev chain after the edits (so the edits reach the content checks). */
  rechain: boolean;
  /** Fix every checkpoint's size to its position. */
  fixSizes: boolean;
}

type Path = (string | number)[];
function pathsOf(v: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (v === null || typeof v !== 'object') return out;
  for (const [k, x] of Object.entries(v)) {
    const p = [...prefix, Array.isArray(v) ? Number(k) : k];
    out.push(p);
    pathsOf(x, p, out);
  }
  return out;
}
/** The value at a path, through own members only (never an inherited toString or __proto__). */
function getAt(v: unknown, p: Path): unknown {
  return p.reduce<unknown>((o, k) => (o !== null && typeof o === 'object' && Object.hasOwn(o, k) ? (o as Record<string | number, unknown>)[k] : undefined), v);
}
function parentOf(v: unknown, p: Path): Record<string | number, unknown> | undefined {
  const parent = getAt(v, p.slice(0, -1));
  return parent !== null && typeof parent === 'object' ? (parent as Record<string | number, unknown>) : undefined;
}
const setOwn = (o: Record<string | number, unknown>, k: string | number, v: unknown) => Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });

/** The structured log's lines (each canonical JSON unless an edit made a value that has none). */
export function structuredLines(base: Base, s: Structured): string[] {
  let ts: unknown[] = s.pick.map((i) => structuredClone(base.tuples[i % base.tuples.length]));
  for (const e of s.edits) {
    if (ts.length === 0) break;
    const at = e.at % ts.length;
    if (e.op === 'dup') { ts.splice(at, 0, structuredClone(ts[at])); continue; }
    if (e.op === 'drop') { ts.splice(at, 1); continue; }
    if (e.op === 'swap') { const j = e.with % ts.length; [ts[at], ts[j]] = [ts[j], ts[at]]; continue; }
    if (e.op === 'noteLine') {
      // One line of a checkpoint's signed note rewritten: the size, the root, an extension or a signature line.
      const c = (ts[at] as { checkpoint?: { note?: unknown } } | null)?.checkpoint;
      if (c && typeof c.note === 'string') {
        const ls = c.note.split('\n');
        ls[e.line % ls.length] = e.value;
        c.note = ls.join('\n');
      }
      continue;
    }
    const paths = pathsOf(ts[at]);
    if (paths.length === 0) continue;
    const p = paths[e.path % paths.length]!;
    const parent = parentOf(ts[at], p);
    if (!parent) continue;
    const key = p[p.length - 1]!;
    // Values are cloned in: the arbitraries' constants are shared between runs.
    if (e.op === 'set') setOwn(parent, key, structuredClone(e.value));
    else if (e.op === 'delete') { if (Array.isArray(parent)) parent.splice(Number(key), 1); else delete parent[key]; }
    else if (e.op === 'add') { if (Array.isArray(parent)) parent.push(structuredClone(e.value)); else setOwn(parent, e.name, structuredClone(e.value)); }
    else if (e.op === 'borrow') {
      // The same member of another tuple: a value of the right type, usually, from the wrong place.
      const donor = base.tuples[e.from % base.tuples.length]!;
      const got = getAt(donor, p);
      setOwn(parent, key, structuredClone(got === undefined ? getAt(donor, [key]) ?? null : got));
    } else if (e.op === 'nudge') {
      const cur = parent[key];
      if (typeof cur === 'number') setOwn(parent, key, cur + e.by);
      else if (typeof cur === 'string' && cur.length > 0) {
        const i = Math.abs(e.by) % cur.length;
        const c = cur.charCodeAt(i);
        setOwn(parent, key, cur.slice(0, i) + String.fromCharCode(c === 0x30 ? 0x31 : c ^ 1) + cur.slice(i + 1));
      } else if (typeof cur === 'boolean') setOwn(parent, key, !cur);
    }
  }
  const lines: string[] = [];
  let prev = GENESIS;
  ts.forEach((t, i) => {
    if (t !== null && typeof t === 'object' && !Array.isArray(t)) {
      const o = t as Record<string, unknown>;
      if (s.rechain) { setOwn(o, 'seq', i); setOwn(o, 'prev', prev); }
      if (s.fixSizes && o['kind'] === 'checkpoint' && o['checkpoint'] && typeof o['checkpoint'] === 'object') setOwn(o['checkpoint'] as Record<string, unknown>, 'size', i);
    }
    const line = jcs(t);
    lines.push(line);
    prev = leafHex(line);
  });
  return lines;
}

/** Lines for a signed note: sizes too big for a double, roots of other lengths, extension and signature lines. */
export const noteLineText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', '0', '-1', '01', '1e3', ` 1`, '9007199254740993', '18446744073709551616', `1${'0'.repeat(400)}`, `9${'9'.repeat(20)}`,
    'awre-final', 'awre-t 0', 'awre-t -1', `awre-t 1${'0'.repeat(400)}`, 'awre-t 99999999999999999999', 'awre-tx 1',
    Buffer.alloc(32).toString('base64'), Buffer.alloc(31).toString('base64'), Buffer.alloc(33).toString('base64'), 'AAAA', '====',
    '\u2014 x AAAAAAAAAAAA', '\u2014  AAAAAAAAAAAA', '\u2014 x+y AAAAAAAAAAAA', '\u2014 x AAAAAAAAAAAA=', '\u2014 awre.local/run/x AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'),
  fc.bigInt({ min: 0n, max: 10n ** 30n }).map(String),
  fc.string({ maxLength: 30 }),
);

export function structured(base: Base, maxPick = 10): fc.Arbitrary<Structured> {
  const n = base.tuples.length;
  const idx = fc.nat({ max: n - 1 });
  const any = fc.nat();
  const edit: fc.Arbitrary<Edit> = fc.oneof(
    { weight: 6, arbitrary: fc.record({ op: fc.constant('set' as const), at: any, path: any, value: weirdValue }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), at: any, path: any }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('add' as const), at: any, path: any, name: fc.constantFrom(...FIELDS, '0', '10', '9', 'x', '__proto__'), value: weirdValue }) },
    { weight: 5, arbitrary: fc.record({ op: fc.constant('borrow' as const), at: any, path: any, from: idx }) },
    { weight: 5, arbitrary: fc.record({ op: fc.constant('nudge' as const), at: any, path: any, by: fc.oneof(fc.constantFrom(1, -1, 2, 12, 4096), fc.integer()) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('noteLine' as const), at: any, line: any, value: noteLineText }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('dup' as const), at: any }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('drop' as const), at: any }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('swap' as const), at: any, with: any }) },
  );
  return fc.record({
    // The log's boot first, usually, then a few others in log order (tenant boots, maps, seeds, calls, checkpoints).
    pick: fc.tuple(fc.boolean(), fc.subarray([...Array(n).keys()].slice(1), { maxLength: maxPick })).map(([boot, rest]) => (boot ? [0, ...rest] : rest)),
    edits: fc.array(edit, { maxLength: 4 }),
    rechain: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    fixSizes: fc.boolean(),
  });
}

// ---- synthetic logs: well-shaped tuples built from scratch ----------------------------------

/**
 * A well-shaped, chained log built from scratch: the log's boot with the
 * base's profile, then tenant boots, table changes, seeds and calls with
 * arbitrary (schema-valid) numbers and names. It reaches the page-table and
 * entropy checks with values no recorder writes.
 */
export function synthetic(base: Base, node: { fingerprint: string } = { fingerprint: GENESIS }): fc.Arbitrary<string[]> {
  const boot0 = base.tuples[0]!;
  const hex = fc.constantFrom(GENESIS, 'f'.repeat(64), ...((base.values.get('r') ?? []) as string[]).slice(0, 6), ...((base.values.get('commitment') ?? []) as string[]));
  const tenant = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...TENANTS) }, { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 8 }) }, { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', '0', '\ud800') });
  const int = fc.oneof({ weight: 6, arbitrary: fc.nat({ max: 20 }) }, { weight: 2, arbitrary: fc.constantFrom(255, 256, 299, 300, 301, 4095, 4096, 65535, 65536, 2 ** 31, 2 ** 32, Number.MAX_SAFE_INTEGER) }, { weight: 1, arbitrary: fc.nat() });
  const pt = fc.record({ r: hex, w: hex });
  const seedQ = (base.tuples.find((t) => t['kind'] === 'seed')?.['qrng'] ?? {}) as Record<string, unknown>;
  const origin = String((boot0['boot'] as { origin?: unknown }).origin);
  // The attestation signature line of the base's first checkpoint: the right name and key ID (a stub verify takes any signature).
  const firstNote = String((base.tuples.find((t) => t['kind'] === 'checkpoint')?.['checkpoint'] as { note?: unknown } | undefined)?.note ?? '');
  const sigLine = firstNote.split('\n').find((l) => l.startsWith('\u2014 ')) ?? '\u2014 x AAAAAAAA';
  const body: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('boot'), tenant, pt, boot: fc.record({ exception: int }) }) },
    { weight: 6, arbitrary: fc.record({
      kind: fc.constantFrom('map', 'protect', 'unmap', 'share'), tenant, pt,
      exc: fc.array(fc.record({ page: int, table: fc.constantFrom('r', 'w'), on: fc.boolean() }), { maxLength: 4 }),
      mmu: fc.record({ page: int, frame: int, rights: fc.constantFrom('rw', 'ro', 'none'), from: fc.record({ tenant, page: int }) }, { requiredKeys: ['page', 'frame', 'rights'] }),
    }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('seed', 'reseed'), tenant, pt, epoch: int, requests: int, commitment: hex }).map(({ epoch, requests, commitment, ...t }) => ({ ...t, qrng: { ...seedQ, epoch, requests, commitment } })) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('call'), tenant, pt, call: fc.record({ op: fc.constantFrom('attest-keygen', 'dsa-keygen', 'handshake', 'send', 'close', 'x'), in: hex, out: hex, status: fc.integer() }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('fault'), tenant, pt, fault: fc.record({ offset: int }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('health'), qrng: fc.dictionary(fc.oneof(fc.constantFrom('kind', 'test', 'sample', 'toString', 'valueOf', '__proto__'), fc.string({ maxLength: 6 })), weirdValue, { maxKeys: 3 }) }) },
    // A run certificate naming the node the verifier is given (usually), with fields right or odd.
    { weight: 1, arbitrary: fc.record({
      kind: fc.constant('certificate'),
      certificate: fc.record({
        cert: fc.record({
          kind: fc.constant('awre-run-certificate'), v: fc.constant(1), node: fc.oneof({ weight: 4, arbitrary: fc.constant(node.fingerprint) }, { weight: 1, arbitrary: hex }),
          origin: fc.oneof(fc.constant(String((boot0['boot'] as { origin?: unknown }).origin)), fc.constantFrom('\ud800', 'a\udc00', '\u00e9', 'x'.repeat(255), '\u{1F600}'.repeat(63))),
          module: fc.constant(String(((boot0['boot'] as { profile?: { module?: unknown } }).profile)?.module)), profile: fc.constant(String(boot0['profile'])),
          run: fc.oneof(fc.constant(1), fc.nat()), prev: fc.option(fc.record({ run: fc.integer({ min: 1, max: 9 }), note: hex }), { nil: null }),
          attestationKey: fc.constantFrom('AAAA', Buffer.alloc(1952, 2).toString('base64')), challenge: fc.constantFrom('00'.repeat(16), 'ab'.repeat(8)),
        }, { requiredKeys: ['kind', 'v', 'node', 'origin', 'module', 'profile', 'run', 'prev', 'attestationKey'] }),
        sig: fc.constantFrom('AAAA', Buffer.alloc(3309, 1).toString('base64')),
      }),
    }) },
    // A checkpoint: its size and note are set from its position below, then some of the note's lines changed.
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('checkpoint'), edits: fc.array(fc.tuple(fc.nat(), noteLineText), { maxLength: 2 }), sigs: fc.nat({ max: 3 }), root: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('halt'), halt: fc.record({ tuples: int }) }) },
  );
  return fc.record({ withBoot: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }), body: fc.array(body, { maxLength: 12 }), dt: fc.array(fc.nat({ max: 3 }), { minLength: 13, maxLength: 13 }) })
    .map(({ withBoot, body, dt }) => {
      const lines: string[] = [];
      let prev = GENESIS;
      let t = Number(boot0['t']);
      const all = withBoot ? [boot0, ...body] : body;
      all.forEach((b0_, i) => {
        t += dt[i % dt.length]!;
        let b = b0_;
        if (b['kind'] === 'checkpoint' && 'edits' in b) {
          const { edits, sigs, root } = b as unknown as { edits: [number, string][]; sigs: number; root: boolean };
          const r = root ? Buffer.alloc(32).toString('base64') : createHash('sha256').update(String(i)).digest('base64');
          const lines = [origin, String(i), r, `awre-t ${t}`, ...(i % 3 === 0 ? ['awre-final'] : []), '', ...Array.from({ length: sigs }, () => sigLine)];
          for (const [at, v] of edits) lines[at % lines.length] = v;
          b = { kind: 'checkpoint', checkpoint: { size: i, root: root ? GENESIS : createHash('sha256').update(String(i)).digest('hex'), note: `${lines.join('\n')}\n` } };
        }
        const tuple = { abw: 34, v: 1, profile: boot0['profile'], t, ...b, seq: i, prev };
        const line = jcs(tuple);
        lines.push(line);
        prev = leafHex(line);
      });
      return lines;
    });
}

// ---- byte-level mutations -------------------------------------------------------------------

/** Byte strings that are not strict UTF-8, or are the edge of it. */
export const INTERESTING_BYTES: number[][] = [
  [0xc0, 0x80], [0xc1, 0xbf], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80, 0x80, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xe0, 0x80, 0xaf], [0xe2, 0x80], [0xe2], [0x80], [0xbf], [0xfe], [0xff], [0xef, 0xbb, 0xbf], [0xef, 0xbf, 0xbd],
  [0xf0, 0x9f, 0x98, 0x80], [0xe2, 0x80, 0x94], [0x00], [0x0a], [0x0d], [0x0d, 0x0a], [0x0a, 0x0a], [0x20], [0x09], [0x22], [0x5c], [0x7b], [0x7d], [0x2c],
];

export type Mutation =
  | { op: 'flip'; pos: number; xor: number }
  | { op: 'set'; pos: number; byte: number }
  | { op: 'insert'; pos: number; bytes: number[] }
  | { op: 'delete'; pos: number; len: number }
  | { op: 'dupLine'; line: number }
  | { op: 'dropLine'; line: number }
  | { op: 'swapLines'; a: number; b: number }
  | { op: 'cutLine'; line: number; keep: number }
  | { op: 'joinLines'; line: number }
  | { op: 'truncate'; pos: number }
  | { op: 'crlf'; all: boolean; line: number }
  | { op: 'bom' }
  | { op: 'noFinalNewline' }
  | { op: 'tail'; bytes: number[] };

function lineSpans(b: Uint8Array): [number, number][] {
  const spans: [number, number][] = [];
  let start = 0;
  for (let i = 0; i < b.length; i++) if (b[i] === 0x0a) { spans.push([start, i + 1]); start = i + 1; }
  if (start < b.length) spans.push([start, b.length]);
  return spans;
}

export function applyMutation(b: Uint8Array, m: Mutation): Uint8Array {
  const at = (pos: number, n = b.length) => (n === 0 ? 0 : pos % n);
  const spans = () => lineSpans(b);
  switch (m.op) {
    case 'flip': case 'set': {
      if (b.length === 0) return b;
      const out = b.slice();
      const i = at(m.pos);
      out[i] = m.op === 'flip' ? out[i]! ^ (m.xor || 1) : m.byte;
      return out;
    }
    case 'insert': { const i = at(m.pos, b.length + 1); return concat([b.subarray(0, i), Uint8Array.from(m.bytes), b.subarray(i)]); }
    case 'delete': { const i = at(m.pos); return concat([b.subarray(0, i), b.subarray(i + m.len)]); }
    case 'truncate': return b.subarray(0, at(m.pos));
    case 'bom': return concat([Uint8Array.of(0xef, 0xbb, 0xbf), b]);
    case 'noFinalNewline': return b.length && b[b.length - 1] === 0x0a ? b.subarray(0, -1) : b;
    case 'tail': return concat([b, Uint8Array.from(m.bytes)]);
    default: break;
  }
  const s = spans();
  if (s.length === 0) return b;
  const line = (n: number) => s[n % s.length]!;
  const piece = ([x, y]: [number, number]) => b.subarray(x, y);
  switch (m.op) {
    case 'dupLine': { const l = line(m.line); return concat([b.subarray(0, l[1]), piece(l), b.subarray(l[1])]); }
    case 'dropLine': { const l = line(m.line); return concat([b.subarray(0, l[0]), b.subarray(l[1])]); }
    case 'swapLines': {
      const i = m.a % s.length; const j = m.b % s.length;
      const order = s.map((_, k) => (k === i ? j : k === j ? i : k));
      return concat(order.map((k) => piece(s[k]!)));
    }
    case 'cutLine': {
      // A line cut in the middle, its newline kept: a torn write followed by more lines.
      const [x, y] = line(m.line);
      const keep = x + (y - x > 1 ? m.keep % (y - x - 1) : 0);
      return concat([b.subarray(0, keep), b.subarray(y - 1)]);
    }
    case 'joinLines': { const [, y] = line(m.line); return y > 0 && b[y - 1] === 0x0a ? concat([b.subarray(0, y - 1), b.subarray(y)]) : b; }
    case 'crlf': {
      if (!m.all) { const [, y] = line(m.line); return b[y - 1] === 0x0a ? concat([b.subarray(0, y - 1), Uint8Array.of(0x0d, 0x0a), b.subarray(y)]) : b; }
      return new Uint8Array(Buffer.from(Buffer.from(b).toString('latin1').replaceAll('\n', '\r\n'), 'latin1'));
    }
    default: return b;
  }
}

export const mutation: fc.Arbitrary<Mutation> = (() => {
  const pos = fc.nat();
  const bytes = fc.oneof(fc.constantFrom(...INTERESTING_BYTES), fc.array(fc.nat({ max: 255 }), { minLength: 1, maxLength: 8 }));
  return fc.oneof(
    { weight: 8, arbitrary: fc.record({ op: fc.constant('flip' as const), pos, xor: fc.integer({ min: 1, max: 255 }) }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('set' as const), pos, byte: fc.constantFrom(0x00, 0x0a, 0x0d, 0x20, 0x22, 0x5c, 0x80, 0xc0, 0xed, 0xff, 0x7b, 0x7d, 0x30, 0x39) }) },
    { weight: 4, arbitrary: fc.record({ op: fc.constant('insert' as const), pos, bytes }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('delete' as const), pos, len: fc.integer({ min: 1, max: 64 }) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('dupLine' as const), line: pos }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('dropLine' as const), line: pos }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('swapLines' as const), a: pos, b: pos }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('cutLine' as const), line: pos, keep: pos }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('joinLines' as const), line: pos }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('truncate' as const), pos }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('crlf' as const), all: fc.boolean(), line: pos }) },
    { weight: 1, arbitrary: fc.constant({ op: 'bom' as const }) },
    { weight: 1, arbitrary: fc.constant({ op: 'noFinalNewline' as const }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('tail' as const), bytes }) },
  );
})();

export const mutate = (b: Uint8Array, ms: Mutation[]): Uint8Array => ms.reduce(applyMutation, b);

// ---- tiny logs --------------------------------------------------------------------------------

/** A tiny log of a few lines, each garbage, JSON, tuple-shaped or a real line; newline-terminated or not. */
export function tinyLog(base: Base): fc.Arbitrary<Uint8Array> {
  const line = fc.oneof(
    { weight: 3, arbitrary: tupleShapedLine(base).map((s) => enc.encode(s)) },
    { weight: 3, arbitrary: jsonText.map((s) => enc.encode(s)) },
    { weight: 1, arbitrary: fc.constantFrom(...base.lines.slice(0, 50)).map((s) => enc.encode(s)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.constantFrom(...INTERESTING_BYTES).map((b) => Uint8Array.from(b)) },
  );
  return fc.record({ lines: fc.array(line, { maxLength: 5 }), end: fc.constantFrom('\n', '\n', '\n', '', '\r\n', '\n\n') })
    .map(({ lines, end }) => concat(lines.flatMap((l, i) => [l, enc.encode(i < lines.length - 1 ? '\n' : end)])));
}
