// `awre run`: the main job. Boots the enclave under WAVEN (an attestation
// tenant and two peers on one physical memory), seeds every DRBG from the
// QRNG feed, runs PQC1 handshakes between the peers over shared frames,
// exchanges AES-GCM frames each way, records everything (ABW34), checkpoints
// and halts. It leaves the log, the attestation key, the checkpoint, the
// signed summary and (with --auditor-key) the escrow in --out, and prints the
// `awre verify` command that checks them.
import { closeSync, existsSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, relative } from 'node:path';
import { SingleBar } from 'cli-progress';
import { InvalidArgumentError, type Command } from 'commander';
import { openFeed } from '../qrng/open.js';
import { attestationKeyFile, parseAuditorPublicKey } from '../../recorder/keys.js';
import { liveWriter } from '../../recorder/log.js';
import { RecordedSession } from '../../recorder/session.js';
import { parseChallenge } from '../../recorder/certificate.js';
import { LogicalClock, type Checkpoint } from '../../recorder/recorder.js';
import { LogLeaves, WitnessFeed } from '../../recorder/witness-client.js';
import { MAX_FRAME_BYTES } from '../tenants.js';
import type { Profile } from '../../recorder/tuple.js';
import { AwreError } from '../errors.js';
import { CliFailure, EXIT, makeDirs, parseWith, readText, writeText } from './io.js';
import { intIn, percentile } from './options.js';

export interface RunArgs {
  out: string;
  qrng: string;
  sessions: number;
  frames: number;
  frameBytes: number;
  checkpointEvery: number;
  auditorKey?: string;
  /** `file:` sources: the operator declares the device a quantum source. */
  quantum?: boolean;
  /** Override the source's claimed min-entropy (bits per byte, (0, 8]). */
  minEntropy?: number;
  force?: boolean;
  /** The node directory (awre init): its identity certifies the run. */
  node?: string;
  /** The auditor's challenge (hex), carried by the run certificate. */
  challenge?: string;
  /** Witnesses (C2SP tlog-witness URLs) to send every checkpoint to; needs --node. */
  witness?: string[];
  json?: boolean;
  /** With a sim: source: a logical clock and every coin from the sim seed, so two runs write identical files. */
  deterministic?: boolean;
}

export interface RunResult {
  out: string;
  files: { log: string; key: string; checkpoint: string; checkpoints: string; summary: string; dsse: string; escrow: string | null };
  profile: Profile;
  profileDigest: string;
  tuples: number;
  sessions: number;
  framesEachWay: number;
  tables: Record<string, { r: string; w: string }>;
  latencyMs: { handshake: { p50: number; p99: number; n: number }; frame: { p50: number; p99: number; n: number } };
  entropy: { source: string; quantum: boolean; rawBytesRead: number; rawBytesUsed: number; seeds: number; health: { rct: number; apt: number } };
  verify: string;
  /** With --node: the node's fingerprint, this run's number and the run it follows. */
  node: { fingerprint: string; run: number; prev: number | null; identity: string } | null;
  /** Per witness: how many of the checkpoints it cosigned, and what went wrong. */
  witnesses: { url: string; cosigned: number; of: number; errors: string[] }[];
  /** Only in a --deterministic run (absent otherwise): how it was made reproducible, and the log's SHA-256 to compare across machines. */
  deterministic?: { clock: { start: number; step: number }; coins: string; osMixed: false; logSha256: string };
}

/** A reproducible run's clock: the boot tuple at t = 0 (the Unix epoch), +1 per recorder event (recorder.ts LogicalClock). */
export const DETERMINISTIC_CLOCK = { start: 0, step: 1 } as const;

/**
 * The coins of a reproducible run (--deterministic), all derived from the sim seed (the bytes of
 * sim:<hex>) and none from the OS (docs/qrng.md, "Reproducible runs"):
 *   K              = SHA3-256("awre-run-coins-v1" || 0x00 || seed)
 *   coins(label, n) = the first n bytes of SHAKE256(K || UTF-8(label))
 * K has a fixed length, so each label is its own independent stream. They are separate from the
 * feed's own stream (AES-256-CTR under another key), so the DRBG seeds, and the feed's counters in
 * every seed tuple, are those of a plain sim run: only what the OS or the wall clock gave changes.
 */
export class RunCoins {
  private readonly key: Buffer;
  constructor(seed: Uint8Array) {
    this.key = createHash('sha3-256').update('awre-run-coins-v1\0').update(seed).digest();
  }
  bytes(label: string, n: number): Uint8Array {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`"n" expected an integer >= 0, got ${n}`);
    if (n === 0) return new Uint8Array(0); // SHAKE with outputLength 0 is not worth relying on
    return new Uint8Array(createHash('shake256', { outputLength: n }).update(this.key).update(label, 'utf8').digest());
  }
  wipe(): void {
    this.key.fill(0);
  }
}

/** SHA-256 of a file, read in 1 MiB pieces (a long run's log need not fit in memory). */
function fileSha256(path: string): string {
  const h = createHash('sha256'), buf = Buffer.alloc(1 << 20), fd = openSync(path, 'r');
  try {
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0;) h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

const FILES = ['abw34.log', 'abw34.log.lock', 'abw34.escrow', 'attestation.pub.json', 'checkpoint.txt', 'checkpoints', 'summary.json', 'summary.dsse.json'];

/** Prepare --out: create it; refuse to mix with an earlier run unless --force (which removes only awre's files). */
function prepareOut(out: string, force: boolean): void {
  if (out.trim() === '') throw new CliFailure(EXIT.usage, '--out: expected a directory, got an empty string');
  const pid = liveWriter(join(out, 'abw34.log'));
  if (pid !== undefined) throw new CliFailure(EXIT.usage, `--out: a run (process ${pid}) is writing to ${out} now; choose another --out`);
  if (existsSync(join(out, 'abw34.log'))) {
    if (!force) throw new CliFailure(EXIT.usage, `--out: ${out} holds an earlier run (abw34.log); choose another --out or pass --force to replace it`);
    for (const f of FILES) rmSync(join(out, f), { force: true, recursive: true });
  }
  try {
    makeDirs(out);
    const probe = join(out, `.awre-write-test-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (e) {
    throw new CliFailure(EXIT.io, `--out: cannot write to ${out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export async function runRun(a: RunArgs, progress?: SingleBar): Promise<RunResult> {
  const auditor = a.auditorKey === undefined ? undefined : parseWith(() => parseAuditorPublicKey(readText(a.auditorKey!, 'auditor public key')), '--auditor-key');
  if (a.quantum && !a.qrng.startsWith('file:')) throw new CliFailure(EXIT.usage, '--quantum: only a file: source can be declared quantum (anu: is quantum already; sim: and os are not)');
  if (a.deterministic) {
    // Only a sim: stream can be drawn again bit for bit on another machine; os, a device, a capture or
    // ANU cannot be (or, for a capture, would make a reproducible key out of what is meant as real entropy).
    // The source's kind only in the message: a spec may carry a path or an API key.
    if (!a.qrng.startsWith('sim:')) throw new CliFailure(EXIT.usage, `--deterministic: needs --qrng sim:<hex>, got a "${a.qrng.split(':')[0]}" source: only a simulated source can be drawn again bit for bit`);
    // A certified run vouches for an attestation key nobody else can rebuild; verify rejects an unmixed one there.
    if (a.node !== undefined) throw new CliFailure(EXIT.usage, '--deterministic: not with --node: a reproducible run\'s attestation key can be rebuilt by anyone with the sim seed, so no node identity may certify it');
  }
  const feed = parseWith(() => openFeed(a.qrng, {
    ...(a.quantum ? { quantum: true } : {}), ...(a.minEntropy !== undefined ? { minEntropy: a.minEntropy } : {}),
    ...(a.deterministic ? { mixOs: false } : {}), // sim's default already; said outright, since the run promises it
  }), '--qrng');
  // After openFeed, which checked the hex. The seed bytes stay here only as K (RunCoins).
  const coins = a.deterministic ? (() => { const s = Buffer.from(a.qrng.slice(4), 'hex'); try { return new RunCoins(s); } finally { s.fill(0); } })() : undefined;
  const clock = a.deterministic ? new LogicalClock(DETERMINISTIC_CLOCK.start, DETERMINISTIC_CLOCK.step) : undefined;
  prepareOut(a.out, a.force ?? false);
  const files = {
    log: join(a.out, 'abw34.log'), key: join(a.out, 'attestation.pub.json'), checkpoint: join(a.out, 'checkpoint.txt'), checkpoints: join(a.out, 'checkpoints'),
    summary: join(a.out, 'summary.json'), dsse: join(a.out, 'summary.dsse.json'), escrow: auditor ? join(a.out, 'abw34.escrow') : null,
  };
  if (a.challenge !== undefined && a.node === undefined) throw new CliFailure(EXIT.usage, '--challenge: only a certified run (--node) carries a challenge');
  if (a.witness?.length && a.node === undefined) throw new CliFailure(EXIT.usage, '--witness: a witness takes the runs of nodes it trusts: give --node');
  for (const w of a.witness ?? []) if (!/^https?:\/\/[^\s]+$/.test(w)) throw new CliFailure(EXIT.usage, `--witness: expected an http(s) URL, got ${JSON.stringify(w)}`);
  const challenge = a.challenge === undefined ? undefined : parseWith(() => parseChallenge(a.challenge!), '--challenge');
  const origin = `awre.local/run/${Buffer.from(coins ? coins.bytes('origin', 8) : globalThis.crypto.getRandomValues(new Uint8Array(8))).toString('hex')}`;
  // Witnesses hear each checkpoint once it is durable, in the background; the ones made during start() wait here.
  const early: Checkpoint[] = [];
  let feeds: WitnessFeed[] | undefined;
  const onCheckpoints = (cps: Checkpoint[]) => { if (feeds) for (const f of feeds) f.push(cps); else early.push(...cps); };
  let session: RecordedSession;
  try {
    session = await RecordedSession.start({
      record: {
        log: files.log, ...(clock ? { clock } : {}),
        ...(auditor ? { escrow: { path: files.escrow!, auditorPublicKey: auditor, ...(coins ? { coins: coins.bytes('escrow-kem', 32) } : {}) } } : {}),
      },
      provider: feed, feed, origin, checkpointEvery: a.checkpointEvery,
      ...(a.deterministic ? { attestOsMix: false } : {}),
      ...(a.node === undefined ? {} : { node: a.node }), ...(challenge === undefined ? {} : { challenge }),
      ...(a.witness?.length ? { onCheckpoints } : {}),
    });
  } catch (e) {
    if (e instanceof AwreError && (e.code === 'NODE_MISSING' || e.code === 'NODE_SEALED_INVALID' || e.code === 'NODE_BUSY')) throw new CliFailure(EXIT.failed, `--node: ${e.message}`);
    if (e instanceof AwreError && e.code.startsWith('QRNG')) throw new CliFailure(EXIT.failed, `entropy: ${e.message}`);
    if (e instanceof AwreError && (e.code === 'LOG_IO' || e.code === 'LOG_LOCKED')) throw new CliFailure(EXIT.io, e.message);
    throw e;
  }
  writeText(files.key, attestationKeyFile(origin, session.signer.publicKey));
  if (a.witness?.length) {
    const leaves = new LogLeaves(files.log);
    feeds = a.witness.map((u) => new WitnessFeed(u, { cert: session.certificate, sig: session.certificateSig! }, (n) => leaves.upTo(n)));
    for (const f of feeds) f.push(early);
  }
  const hs: number[] = [], fr: number[] = [];
  progress?.start(a.sessions, 0);
  for (let i = 0; i < a.sessions; i++) {
    let t = performance.now();
    // The handshake's clock (PQC1 tI, tR) is the recorder's: the logical time the next event will get.
    const h = await session.handshake(clock ? clock.peek() : Date.now());
    hs.push(performance.now() - t);
    for (let j = 0; j < a.frames; j++) {
      for (const from of ['initiator', 'responder'] as const) {
        const data = coins ? coins.bytes(`frame/${i}/${j}/${from}`, a.frameBytes) : globalThis.crypto.getRandomValues(new Uint8Array(a.frameBytes));
        t = performance.now();
        session.send(from, h, data);
        fr.push(performance.now() - t);
      }
    }
    session.close(h);
    progress?.increment();
  }
  progress?.stop();
  const halted = await session.halt();
  // Every checkpoint (boot, periodic, final) went to each witness as it was made; wait for the last answers
  // (each request is bounded). The cosignatures go beside the log, never into it.
  const cosigned = new Map<number, string>();
  const witnesses: RunResult['witnesses'] = [];
  if (feeds) {
    const outcomes = await Promise.all(feeds.map((f) => f.finish()));
    for (const o of outcomes) {
      for (const [size, line] of o.cosignatures) cosigned.set(size, (cosigned.get(size) ?? '') + line);
      witnesses.push({ url: o.url, cosigned: o.cosignatures.size, of: halted.checkpoints.length, errors: o.errors });
    }
  }
  const c = feed.counters();
  const result: RunResult = {
    out: a.out, files,
    profile: session.recorder.options.profile, profileDigest: session.recorder.profileDigest,
    tuples: halted.tuples, sessions: a.sessions, framesEachWay: a.frames,
    tables: Object.fromEntries(['attest', 'initiator', 'responder'].map((t) => [t, session.physical.spaces.tables(t).hashes()])),
    latencyMs: {
      handshake: { p50: percentile(hs, 50), p99: percentile(hs, 99), n: hs.length },
      frame: { p50: percentile(fr, 50), p99: percentile(fr, 99), n: fr.length },
    },
    entropy: { source: feed.source.label, quantum: feed.source.quantum, rawBytesRead: c.rawBytesRead, rawBytesUsed: c.rawBytesUsed, seeds: c.seeds, health: { rct: c.rct.alarms, apt: c.apt.alarms } },
    verify: verifyCommand(files, a.auditorKey, a.node, challenge),
    witnesses,
    node: session.certificate ? { fingerprint: session.certificate.node, run: session.certificate.run, prev: session.certificate.prev?.run ?? null, identity: join(a.node!, 'identity.pub.json') } : null,
  };
  await feed.close();
  coins?.wipe();
  // The log is closed (halt): its digest lets two machines compare a reproducible run in one line.
  if (a.deterministic) result.deterministic = { clock: { ...DETERMINISTIC_CLOCK }, coins: 'sim seed: SHAKE256 labels (docs/qrng.md)', osMixed: false, logSha256: fileSha256(files.log) };
  const final = halted.checkpoints[halted.checkpoints.length - 1]!;
  writeText(files.checkpoint, `${halted.checkpoint}${cosigned.get(final.size) ?? ''}`);
  // Every checkpoint as its own signed note (checkpoints/<size>.checkpoint), for `awre verify --since` later.
  makeDirs(files.checkpoints);
  for (const c of halted.checkpoints) writeText(join(files.checkpoints, `${c.size}.checkpoint`), `${c.note}${cosigned.get(c.size) ?? ''}`);
  writeText(files.dsse, `${JSON.stringify(halted.summary, null, 2)}\n`);
  writeText(files.summary, `${JSON.stringify(a.deterministic ? portable(result, a.out) : result, null, 2)}\n`);
  return result;
}

/**
 * summary.json of a reproducible run: what two machines would write differently is left out. Paths
 * are relative to --out (where summary.json sits) and the verify command is run from there; the
 * auditor's secret key is a placeholder (where it lives is the auditor's business); the latencies,
 * wall-clock measurements, stay on the terminal (latencyMs: null).
 */
function portable(r: RunResult, out: string): Omit<RunResult, 'latencyMs'> & { latencyMs: null } {
  const files = Object.fromEntries(Object.entries(r.files).map(([k, p]) => [k, p === null ? null : relative(out, p)])) as RunResult['files'];
  return { ...r, out: '.', files, latencyMs: null, verify: verifyCommand(r.files, undefined, undefined, undefined, out) };
}

/** A path as one POSIX shell word: single-quoted unless plainly safe; never starting with '-'. */
export function shellWord(p: string): string {
  const w = p.startsWith('-') ? `./${p}` : p;
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}

function verifyCommand(f: RunResult['files'], auditorKey: string | undefined, node: string | undefined, challenge: string | undefined, from = process.cwd()): string {
  const rel = (p: string) => shellWord(relative(from, p) || '.');
  // The auditor's secret key belongs to the auditor: name it only when it sits beside the public key given.
  const secret = auditorKey?.endsWith('.pub.json') ? auditorKey.replace(/\.pub\.json$/, '.key.json') : undefined;
  const keyArg = secret !== undefined && existsSync(secret) ? rel(secret) : '<auditor.key.json>';
  const escrow = f.escrow ? ` --escrow ${rel(f.escrow)} --auditor-key ${keyArg}` : '';
  // A certified run is checked against the enrolled identity, not against a key that sits beside the log.
  const who = node !== undefined ? `--node ${rel(join(node, 'identity.pub.json'))}${challenge ? ` --challenge ${challenge}` : ''}` : `--key ${rel(f.key)}`;
  return `npx awre verify ${rel(f.log)} ${who}${escrow}`;
}

export function renderRun(r: RunResult): string {
  const ms = (x: number) => (Number.isNaN(x) ? 'n/a' : x.toFixed(2));
  return [
    `awre run: ${r.sessions} PQC1 v2 handshake(s) (ephemeral ML-KEM-768, ML-DSA-65 identities) between two WAVEN tenants, ${r.framesEachWay} AES-256-GCM frame(s) each way per handshake`,
    `module   sha256 ${r.profile.module}`,
    `profile  ${r.profileDigest} (ABI ${r.profile.abi}, MMU ${r.profile.mmu}, awre ${r.profile.awre})`,
    `entropy  ${r.entropy.source}${r.entropy.quantum ? ' (quantum)' : ' (non-quantum)'}: ${r.entropy.seeds} seed(s), ${r.entropy.rawBytesRead} raw bytes read, ${r.entropy.rawBytesUsed} conditioned; health alarms ${r.entropy.health.rct + r.entropy.health.apt}`,
    `latency  handshake p50 ${ms(r.latencyMs.handshake.p50)} ms, p99 ${ms(r.latencyMs.handshake.p99)} ms (acknowledged: on disk); frame p50 ${ms(r.latencyMs.frame.p50)} ms, p99 ${ms(r.latencyMs.frame.p99)} ms`,
    `tables   ${Object.entries(r.tables).map(([t, h]) => `${t} r=${h.r.slice(0, 12)}… w=${h.w.slice(0, 12)}…`).join('; ')}`,
    ...r.witnesses.map((w) => `witness  ${w.url}: cosigned ${w.cosigned} of ${w.of} checkpoint(s)${w.errors.length ? `; ${w.errors.length} problem(s): ${w.errors[0]}` : ''}`),
    ...(r.deterministic ? [`repro    deterministic: logical clock (t from ${r.deterministic.clock.start}, +${r.deterministic.clock.step} per event), every coin from the sim seed, no OS entropy (anyone with the seed can rebuild the attestation key: a demo, not evidence); abw34.log sha256 ${r.deterministic.logSha256}`] : []),
    ...(r.node ? [`node     run ${r.node.run} of node ${r.node.fingerprint}${r.node.prev === null ? ' (no earlier finished run)' : ` (after run ${r.node.prev})`}, certified by ${r.node.identity}`] : []),
    `log      ${r.tuples} tuples in ${r.files.log}; checkpoint ${r.files.checkpoint} (all: ${r.files.checkpoints}/); key ${r.files.key}; summary ${r.files.summary}, ${r.files.dsse}${r.files.escrow ? `; escrow ${r.files.escrow}` : ''}`,
    '',
    'check it:',
    `  ${r.verify}`,
  ].join('\n');
}

export function registerRun(program: Command, done: (code: number) => void): void {
  program.command('run')
    .description('the main job: boot the enclave under WAVEN, seed it from the QRNG feed, run PQC1 handshakes and AES-GCM frames between two tenants, record it all (ABW34), and print the awre verify command')
    .option('--out <dir>', 'where the log, key, checkpoint, summary and escrow go', 'awre-run')
    .option('--qrng <spec>', 'entropy source: os, sim:<hex> (reproducible demo), file:<path>, anu:<url|file>', 'os')
    .option('--sessions <n>', 'handshakes to run', intIn(1, 1_000_000), 1)
    .option('--frames <n>', 'AES-GCM frames each way per handshake', intIn(0, 1_000_000), 16)
    .option('--frame-bytes <n>', 'plaintext bytes per frame', intIn(0, MAX_FRAME_BYTES), 256)
    .option('--checkpoint-every <n>', 'tuples between signed checkpoints', intIn(1, 1_000_000), 1000)
    .option('--quantum', 'declare a file: source (a QRNG device or capture) quantum')
    .option('--min-entropy <bits>', 'override the source\'s claimed min-entropy, bits per byte in (0, 8]', (v: string) => {
      const h = Number(v);
      if (!(h > 0 && h <= 8)) throw new InvalidArgumentError('expected bits per byte in (0, 8]');
      return h;
    })
    .option('--auditor-key <file>', 'an auditor public key (awre keygen --auditor): write the escrow for a replay')
    .option('--force', 'replace an earlier run in --out')
    .option('--node <dir>', 'the node directory (awre init): its identity certifies this run\'s attestation key')
    .option('--witness <url...>', 'a C2SP tlog-witness to send every checkpoint to (awre witness serve); with --node')
    .option('--challenge <hex>', 'an auditor\'s challenge (8-64 bytes of hex) for the run certificate to carry (with --node)')
    .option('--json', 'print the result as JSON')
    .option('--deterministic', 'with --qrng sim:<hex>: a logical clock and every coin from the sim seed, so two runs write byte-identical files (no OS entropy: anyone with the seed can rebuild the attestation key; docs/qrng.md)')
    .action(async (o: RunArgs) => {
      const bar = !o.json && process.stderr.isTTY && o.sessions > 1 ? new SingleBar({ format: 'handshakes [{bar}] {value}/{total} {eta}s left', stream: process.stderr, hideCursor: true }) : undefined;
      const r = await runRun(o, bar);
      console.log(o.json ? JSON.stringify(r, null, 2) : renderRun(r));
      done(EXIT.ok);
    });
}
