// The verify suite's child processes (benches/verify.ts), so that each
// measurement's peak RSS is its own and a server runs apart from its client:
//
//   node dist/benches/verify-child.js verify <abw34.log> <workers> <attestation.pub.json>
//     one JSON line: the time verifyFile took, what it found, and the
//     process's peak RSS (process.resourceUsage().maxRSS, KB) before and after
//   node dist/benches/verify-child.js naive <abw34.log>
//     the same line for the reference loop (lines, JSON.parse, createHash per line)
//   node dist/benches/verify-child.js remote <url> <attestation.pub.json>
//     the same line for a published log verified over HTTP (runVerifyRemote, as `awre verify <url>`)
//   node dist/benches/verify-child.js serve <dir>
//     a static HTTP server of <dir> on 127.0.0.1; prints its port, runs until killed
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize, sep } from 'node:path';
import { verifyAttestation } from '../recorder/attest.js';
import { parseAttestationKey } from '../recorder/keys.js';
import { verifyFile } from '../recorder/verify-file.js';

export interface ChildResult {
  seconds: number;
  tuples: number;
  bytes: number;
  ok: boolean;
  errors: number;
  /** Peak RSS (KB) of the process before verifying (Node, the modules) and at the end. */
  baseRssKB: number;
  maxRssKB: number;
  userS: number;
  systemS: number;
}

async function verify(path: string, workers: number, keyPath: string): Promise<void> {
  const key = parseAttestationKey(readFileSync(keyPath, 'utf8'));
  const baseRssKB = process.resourceUsage().maxRSS;
  const t0 = performance.now();
  const r = await verifyFile(path, { key: key.publicKey, keyName: key.name, verify: verifyAttestation, workers });
  const seconds = (performance.now() - t0) / 1000;
  const u = process.resourceUsage();
  const out: ChildResult = {
    seconds, tuples: r.tuples, bytes: r.bytes, ok: r.ok, errors: r.findings.filter((f) => f.severity === 'error').length,
    baseRssKB, maxRssKB: u.maxRSS, userS: u.userCPUTime / 1e6, systemS: u.systemCPUTime / 1e6,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

/**
 * The reference loop, timed on the same machine as the verifier: stream the log by lines,
 * JSON.parse each, SHA-256 its leaf with a fresh createHash. No checks; a yardstick for the machine's speed.
 */
async function naive(path: string): Promise<void> {
  const { createInterface } = await import('node:readline');
  const { createHash } = await import('node:crypto');
  const baseRssKB = process.resourceUsage().maxRSS;
  const t0 = performance.now();
  let tuples = 0;
  const zero = Buffer.of(0);
  for await (const l of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    JSON.parse(l);
    createHash('sha256').update(zero).update(l).digest();
    tuples++;
  }
  const seconds = (performance.now() - t0) / 1000;
  const u = process.resourceUsage();
  const out: ChildResult = { seconds, tuples, bytes: statSync(path).size, ok: true, errors: 0, baseRssKB, maxRssKB: u.maxRSS, userS: u.userCPUTime / 1e6, systemS: u.systemCPUTime / 1e6 };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

/** A published log verified over HTTP as `awre verify <url> --key <file>` does, timed in process. */
async function remote(url: string, keyPath: string): Promise<void> {
  const { runVerifyRemote } = await import('../host/cli/verify-remote.js');
  const baseRssKB = process.resourceUsage().maxRSS;
  const t0 = performance.now();
  const r = await runVerifyRemote(url, { key: keyPath });
  const seconds = (performance.now() - t0) / 1000;
  const u = process.resourceUsage();
  const out: ChildResult = {
    seconds, tuples: r.tuples, bytes: r.bytes, ok: r.ok, errors: r.findings.filter((f) => f.severity === 'error').length,
    baseRssKB, maxRssKB: u.maxRSS, userS: u.userCPUTime / 1e6, systemS: u.systemCPUTime / 1e6,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

/** Files under `root` by URL path; nothing outside it. */
function serve(root: string): void {
  const server = createServer((req, res) => {
    const rel = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^[/\\]+/, '');
    const file = join(root, rel);
    if (rel.split(sep).includes('..') || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-length': statSync(file).size });
    createReadStream(file).pipe(res);
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'verify' && args.length === 3) await verify(args[0]!, Number(args[1]), args[2]!);
else if (mode === 'naive' && args.length === 1) await naive(args[0]!);
else if (mode === 'remote' && args.length === 2) await remote(args[0]!, args[1]!);
else if (mode === 'serve' && args.length === 1) serve(args[0]!);
else throw new Error('usage: verify-child.js verify <log> <workers> <key.json> | naive <log> | remote <url> <key.json> | serve <dir>');
