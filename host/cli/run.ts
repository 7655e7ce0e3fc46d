// `awre run`: the main job. Boots the enclave under WAVEN (an attestation
// tenant and two peers on one physical memory), seeds every DRBG from the
// QRNG feed, runs PQC1 handshakes between the peers over shared frames,
// exchanges AES-GCM frames each way, records everything (ABW34), checkpoints
// and halts. It leaves the log, the attestation key, the checkpoint, the
// signed summary and (with --auditor-key) the escrow in --out, and prints the
// `awre verify` command that checks them.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { SingleBar } from 'cli-progress';
import { InvalidArgumentError, type Command } from 'commander';
import { openFeed } from '../qrng/open.js';
import { attestationKeyFile, parseAuditorPublicKey } from '../../recorder/keys.js';
import { liveWriter } from '../../recorder/log.js';
import { RecordedSession } from '../../recorder/session.js';
import { parseChallenge } from '../../recorder/certificate.js';
import type { Checkpoint } from '../../recorder/recorder.js';
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
  const feed = parseWith(() => openFeed(a.qrng, { ...(a.quantum ? { quantum: true } : {}), ...(a.minEntropy !== undefined ? { minEntropy: a.minEntropy } : {}) }), '--qrng');
  prepareOut(a.out, a.force ?? false);
  const files = {
    log: join(a.out, 'abw34.log'), key: join(a.out, 'attestation.pub.json'), checkpoint: join(a.out, 'checkpoint.txt'), checkpoints: join(a.out, 'checkpoints'),
    summary: join(a.out, 'summary.json'), dsse: join(a.out, 'summary.dsse.json'), escrow: auditor ? join(a.out, 'abw34.escrow') : null,
  };
  if (a.challenge !== undefined && a.node === undefined) throw new CliFailure(EXIT.usage, '--challenge: only a certified run (--node) carries a challenge');
  if (a.witness?.length && a.node === undefined) throw new CliFailure(EXIT.usage, '--witness: a witness takes the runs of nodes it trusts: give --node');
  for (const w of a.witness ?? []) if (!/^https?:\/\/[^\s]+$/.test(w)) throw new CliFailure(EXIT.usage, `--witness: expected an http(s) URL, got ${JSON.stringify(w)}`);
  const challenge = a.challenge === undefined ? undefined : parseWith(() => parseChallenge(a.challenge!), '--challenge');
  const origin = `awre.local/run/${Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(8))).toString('hex')}`;
  // Witnesses hear each checkpoint once it is durable, in the background; the ones made during start() wait here.
  const early: Checkpoint[] = [];
  let feeds: WitnessFeed[] | undefined;
  const onCheckpoints = (cps: Checkpoint[]) => { if (feeds) for (const f of feeds) f.push(cps); else early.push(...cps); };
  let session: RecordedSession;
  try {
    session = await RecordedSession.start({
      record: { log: files.log, ...(auditor ? { escrow: { path: files.escrow!, auditorPublicKey: auditor } } : {}) },
      provider: feed, feed, origin, checkpointEvery: a.checkpointEvery,
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
    const h = await session.handshake(Date.now());
    hs.push(performance.now() - t);
    for (let j = 0; j < a.frames; j++) {
      for (const from of ['initiator', 'responder'] as const) {
        const data = globalThis.crypto.getRandomValues(new Uint8Array(a.frameBytes));
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
  const final = halted.checkpoints[halted.checkpoints.length - 1]!;
  writeText(files.checkpoint, `${halted.checkpoint}${cosigned.get(final.size) ?? ''}`);
  // Every checkpoint as its own signed note (checkpoints/<size>.checkpoint), for `awre verify --since` later.
  makeDirs(files.checkpoints);
  for (const c of halted.checkpoints) writeText(join(files.checkpoints, `${c.size}.checkpoint`), `${c.note}${cosigned.get(c.size) ?? ''}`);
  writeText(files.dsse, `${JSON.stringify(halted.summary, null, 2)}\n`);
  writeText(files.summary, `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

/** A path as one POSIX shell word: single-quoted unless plainly safe; never starting with '-'. */
export function shellWord(p: string): string {
  const w = p.startsWith('-') ? `./${p}` : p;
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}

function verifyCommand(f: RunResult['files'], auditorKey: string | undefined, node: string | undefined, challenge: string | undefined): string {
  const rel = (p: string) => shellWord(relative(process.cwd(), p) || '.');
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
    .action(async (o: RunArgs) => {
      const bar = !o.json && process.stderr.isTTY && o.sessions > 1 ? new SingleBar({ format: 'handshakes [{bar}] {value}/{total} {eta}s left', stream: process.stderr, hideCursor: true }) : undefined;
      const r = await runRun(o, bar);
      console.log(o.json ? JSON.stringify(r, null, 2) : renderRun(r));
      done(EXIT.ok);
    });
}
