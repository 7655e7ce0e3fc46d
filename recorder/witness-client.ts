// Sending a run's checkpoints to witnesses (docs/witness.md): enroll the run
// (awre's /awre/enroll-run, with the run certificate), then each checkpoint
// in order through C2SP tlog-witness add-checkpoint, with the consistency
// proof from the size the witness last cosigned. A slow or dead witness is
// retried a bounded number of times, each request with a timeout, and then
// reported; it never holds the run up longer than attempts x timeout per
// request.
import { consistencyProof, type Hash } from './merkle.js';

export interface WitnessOutcome {
  url: string;
  /** Cosignature lines, by checkpoint size. */
  cosignatures: Map<number, string>;
  errors: string[];
}

export interface WitnessClientOptions {
  timeoutMs?: number;
  attempts?: number;
}

async function post(url: string, body: string, o: Required<WitnessClientOptions>): Promise<{ status: number; text: string; type: string }> {
  let last: unknown;
  for (let i = 0; i < o.attempts; i++) {
    try {
      const r = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'text/plain; charset=utf-8' }, signal: AbortSignal.timeout(o.timeoutMs) });
      return { status: r.status, text: await r.text(), type: r.headers.get('content-type') ?? '' };
    } catch (e) {
      last = e;
      if (i + 1 < o.attempts) await new Promise((r) => setTimeout(r, 100 * 3 ** i));
    }
  }
  throw new Error(`${url}: no answer after ${o.attempts} attempts (${(last as Error).message}${(last as { cause?: { code?: string } }).cause?.code ? `: ${(last as { cause: { code: string } }).cause.code}` : ''})`);
}

/** The add-checkpoint body: old, the proof lines, a blank line, the note. */
export function addCheckpointBody(old: number, proof: readonly Hash[], note: string): string {
  return `old ${old}\n${proof.map((h) => `${Buffer.from(h).toString('base64')}\n`).join('')}\n${note}`;
}

async function one(base: string, certificate: { cert: unknown; sig: string }, checkpoints: readonly { size: number; note: string }[], leaves: readonly Hash[], o: Required<WitnessClientOptions>): Promise<WitnessOutcome> {
  const out: WitnessOutcome = { url: base, cosignatures: new Map(), errors: [] };
  const url = base.replace(/\/+$/, '');
  try {
    const e = await post(`${url}/awre/enroll-run`, JSON.stringify(certificate), o);
    if (e.status !== 200) { out.errors.push(`enroll-run: ${e.status} ${e.text.trim()}`); return out; }
    let old = 0;
    for (const c of checkpoints) {
      const send = (from: number) => post(`${url}/add-checkpoint`, addCheckpointBody(from, from === 0 || from === c.size ? [] : consistencyProof(leaves, from, c.size), c.note), o);
      let r = await send(old);
      if (r.status === 409 && r.type.startsWith('text/x.tlog.size') && /^(0|[1-9][0-9]*)\n$/.test(r.text)) {
        // The witness knows a later size than we thought: once more, from its size (never past this checkpoint).
        const theirs = Number(r.text.trim());
        if (theirs <= c.size) { old = theirs; r = await send(old); }
      }
      if (r.status === 200) { out.cosignatures.set(c.size, r.text); old = c.size; }
      else out.errors.push(`checkpoint ${c.size}: ${r.status} ${r.text.trim()}`);
    }
  } catch (e) {
    out.errors.push((e as Error).message);
  }
  return out;
}

/** Every checkpoint to every witness, the witnesses side by side. */
export function witnessCheckpoints(
  urls: readonly string[], certificate: { cert: unknown; sig: string }, checkpoints: readonly { size: number; note: string }[], leaves: readonly Hash[],
  options: WitnessClientOptions = {},
): Promise<WitnessOutcome[]> {
  const o = { timeoutMs: options.timeoutMs ?? 3000, attempts: options.attempts ?? 3 };
  return Promise.all(urls.map((u) => one(u, certificate, checkpoints, leaves, o)));
}
