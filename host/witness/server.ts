// `awre witness serve`: a witness that speaks C2SP tlog-witness over HTTP
// (docs/witness.md), cosigning with its own ML-DSA-44 key (tlog-cosignature
// type 0x06), for the logs of the nodes it is told to trust.
//
//   POST /add-checkpoint       C2SP tlog-witness: old N, proof lines, blank line, the signed checkpoint
//   GET  /<sha256(origin)>/checkpoint   the latest checkpoint it cosigned for that log
//   POST /awre/enroll-run      awre's extension: a run certificate (recorder/certificate.ts) that
//                              makes the run's origin a known log, with the attestation key it names
//
// awre's logs are one per run, each with its own attestation key, so a
// witness cannot be configured with them in advance (tlog-witness assumes a
// fixed list). It is configured with the node identities it trusts instead;
// a certificate signed by one of them enrolls one run's log. A node cannot
// enroll a run whose number is not above every run of it the witness saw
// (409): a rolled-back node is refused here too.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyAttestation, verifyIdentity } from '../../recorder/attest.js';
import { CertificateSchema, certificateMessage, type RunCertificate } from '../../recorder/certificate.js';
import { cosignatureLine, cosignedMessage, keyIdOf, COSIG_TYPE } from '../../recorder/cosign.js';
import { verifyConsistency } from '../../recorder/merkle.js';
import { fingerprint, type NodeIdentity } from '../../recorder/node.js';
import { createHash } from 'node:crypto';
import { keyId, parseCheckpoint, parseNote, verifyNote } from '../../recorder/note.js';
import { ml_dsa44 } from '../mldsa.js';
import { WitnessStore } from './store.js';

export interface WitnessKey { name: string; publicKey: Uint8Array; secretKey: Uint8Array }
export interface WitnessOptions {
  dir: string;
  key: WitnessKey;
  nodes: NodeIdentity[];
  /** Seconds since the epoch (tests set it). */
  clock?: () => bigint;
}

const MAX_BODY = 1 << 20;
const MAX_PROOF = 63;

class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly body?: string, readonly type = 'text/plain; charset=utf-8') { super(message); }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
      if (n > MAX_BODY) { reject(new HttpError(413, 'request body too large')); req.destroy(); return; }
      parts.push(c);
    });
    req.on('end', () => {
      try { resolve(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(parts))); } catch { reject(new HttpError(400, 'the body is not UTF-8')); }
    });
    req.on('error', reject);
  });
}

export class Witness {
  readonly store: WitnessStore;
  private readonly keyId: Uint8Array;
  private readonly trusted: Map<string, NodeIdentity>;
  private readonly clock: () => bigint;

  constructor(readonly options: WitnessOptions) {
    this.store = new WitnessStore(options.dir);
    this.keyId = keyIdOf(options.key.name, Uint8Array.from([COSIG_TYPE, ...options.key.publicKey]));
    this.trusted = new Map(options.nodes.map((n) => [fingerprint(n.publicKey), n]));
    this.clock = options.clock ?? (() => BigInt(Math.floor(Date.now() / 1000)));
  }

  /** awre's extension: a run certificate signed by a trusted node enrolls the run's log. */
  enrollRun(body: string): string {
    let parsed: { cert: RunCertificate; sig: string };
    try {
      const j = JSON.parse(body) as { cert?: unknown; sig?: unknown };
      const cert = CertificateSchema.parse(j.cert) as RunCertificate;
      if (typeof j.sig !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(j.sig)) throw new Error('sig');
      parsed = { cert, sig: j.sig };
    } catch {
      throw new HttpError(400, 'not a run certificate ({cert, sig})');
    }
    const { cert, sig } = parsed;
    const node = this.trusted.get(cert.node);
    if (!node) throw new HttpError(403, 'the certificate names a node this witness does not trust');
    if (!verifyIdentity(new Uint8Array(Buffer.from(sig, 'base64')), certificateMessage(cert), node.publicKey)) throw new HttpError(403, 'the certificate is not signed by the node');
    const known = this.store.log(cert.origin);
    if (known) {
      if (known.key === cert.attestationKey && known.node === cert.node && known.run === cert.run) return 'enrolled already\n';
      throw new HttpError(409, `origin ${cert.origin} is enrolled already, with another key or run`);
    }
    const n = this.store.node(cert.node);
    if (cert.run <= n.run) throw new HttpError(409, `run ${cert.run} of this node is not after run ${n.run}, the latest this witness saw (a replayed or rolled-back node)`);
    // The run must follow the last run this witness saw finish: a node cannot hide a finished run from the next one's history.
    const f = n.finished;
    if (f && (!cert.prev || cert.prev.run < f.run || (cert.prev.run === f.run && cert.prev.note !== f.note))) {
      throw new HttpError(409, `run ${cert.run} does not follow run ${f.run}, which this witness saw finish`);
    }
    this.store.enroll(cert.origin, cert.attestationKey, cert.node, cert.run);
    return 'enrolled\n';
  }

  /** C2SP tlog-witness add-checkpoint: the cosignature line, or an HttpError with the spec's status. */
  addCheckpoint(body: string): string {
    const cut = body.indexOf('\n\n');
    if (cut < 0) throw new HttpError(400, 'no blank line between the proof and the checkpoint');
    const head = body.slice(0, cut).split('\n');
    const m = /^old (0|[1-9][0-9]*)$/.exec(head[0]!);
    if (!m) throw new HttpError(400, 'the first line is not "old <size>"');
    const old = BigInt(m[1]!);
    const proofLines = head.slice(1);
    if (proofLines.length > MAX_PROOF) throw new HttpError(400, `more than ${MAX_PROOF} proof lines`);
    const proof = proofLines.map((l) => {
      const h = Buffer.from(l, 'base64');
      if (h.length !== 32 || h.toString('base64') !== l) throw new HttpError(400, 'a proof line is not a base64 SHA-256 hash');
      return new Uint8Array(h);
    });
    const noteText = body.slice(cut + 2);
    const note = parseNote(noteText);
    const cp = note ? parseCheckpoint(note.text) : undefined;
    if (!note || !cp) throw new HttpError(400, 'not a signed checkpoint');
    const log = this.store.log(cp.origin);
    if (!log) throw new HttpError(404, `unknown log ${cp.origin}`);
    if (!verifyNote(note, cp.origin, new Uint8Array(Buffer.from(log.key, 'base64')), verifyAttestation)) throw new HttpError(403, 'no valid signature by the log\'s key');
    // Sizes as C2SP has them (u64), and within what this witness proves consistency for (2^53).
    const size = BigInt(note.text.split('\n')[1]!);
    if (size > (1n << 53n)) throw new HttpError(400, 'a tree size above 2^53 is beyond this witness');
    if (old > size) throw new HttpError(400, `old ${old} is beyond the checkpoint's size ${size}`);
    // From here to the store's write nothing awaits: the check and the update are one step.
    const stored = BigInt(log.size);
    if (old !== stored) throw new HttpError(409, `old ${old} is not the latest size this witness cosigned`, `${stored}\n`, 'text/x.tlog.size');
    const root = Buffer.from(cp.root).toString('base64');
    if (size === 0n && root !== log.root) throw new HttpError(422, 'a size-0 checkpoint must have the empty tree\'s root');
    if (old === 0n && proof.length > 0) throw new HttpError(422, 'the empty tree needs no consistency proof');
    if (old === size && root !== log.root) throw new HttpError(422, 'the same size with another root: a fork');
    if (log.final && size > old) throw new HttpError(422, 'the log ended with a final checkpoint: nothing extends it');
    if (old > 0n && old < size && !verifyConsistency(Number(old), Number(size), proof, new Uint8Array(Buffer.from(log.root, 'base64')), cp.root)) {
      throw new HttpError(422, `the proof does not show size ${size} extends the cosigned size ${old}`);
    }
    const ts = this.clock();
    const sig = ml_dsa44.sign(cosignedMessage(this.options.key.name, ts, cp.origin, size, cp.root), this.options.key.secretKey);
    const line = cosignatureLine(this.options.key.name, this.keyId, ts, sig);
    // Keep (and serve) only what was verified: the text, the log's own signature lines, this cosignature.
    const logId = keyId(cp.origin, new Uint8Array(Buffer.from(log.key, 'base64')));
    const logLines = note.signatures.filter((x) => x.name === cp.origin && Buffer.from(x.keyId).equals(Buffer.from(logId)))
      .map((x) => `\u2014 ${x.name} ${Buffer.concat([x.keyId, x.sig]).toString('base64')}\n`).join('');
    const signed = `${note.text}\n${logLines}`;
    this.store.advance(cp.origin, size, root, `${signed}${line}`, cp.final ? { note: createHash('sha256').update(signed).digest('hex') } : undefined);
    return line;
  }

  handle = (req: IncomingMessage, res: ServerResponse): void => {
    const reply = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    const url = (req.url ?? '/').split('?')[0]!;
    const fail = (e: unknown) => {
      if (e instanceof HttpError) reply(e.status, e.body ?? `${e.message}\n`, e.body === undefined ? 'text/plain; charset=utf-8' : e.type);
      else reply(500, `internal error: ${(e as Error).message}\n`);
    };
    if (req.method === 'POST' && (url === '/add-checkpoint' || url === '/awre/enroll-run')) {
      readBody(req).then((body) => reply(200, url === '/add-checkpoint' ? this.addCheckpoint(body) : this.enrollRun(body))).catch(fail);
      return;
    }
    const g = /^\/([0-9a-f]{64})\/checkpoint$/.exec(url);
    if (req.method === 'GET' && g) {
      const s = this.store.byOriginHash(g[1]!);
      if (!s?.note) reply(404, 'no checkpoint cosigned for that log\n');
      else reply(200, s.note);
      return;
    }
    reply(404, 'not found\n');
  };

  /** Listen on host:port (port 0: any free port); resolves with the bound port. */
  listen(port: number, host = '127.0.0.1'): Promise<{ server: Server; port: number }> {
    const server = createServer({ keepAlive: true }, this.handle);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve({ server, port: (server.address() as AddressInfo).port }));
    });
  }
}
