// The recorder's worker thread (pipeline.ts): builds the tuples of the
// events it receives, in order, writes and fsyncs the log and the escrow,
// and asks the harness thread for each checkpoint signature.
import { parentPort, workerData } from 'node:worker_threads';
import { EscrowWriter } from './escrow.js';
import { LogWriter } from './log.js';
import type { NoteSigner } from './note.js';
import { ANSWERED, ASKED, type PipelineOptions, type WireCall, type WireEvent } from './pipeline.js';
import { TupleBuilder, type RecorderEvent } from './recorder.js';

const { options, t0, channel, escrow } = workerData as {
  options: Omit<PipelineOptions, 'escrow'>; t0: number; channel: SharedArrayBuffer; escrow?: { path: string; key: Uint8Array };
};
const port = parentPort!;
const state = new Int32Array(channel, 0, 2);
const bytes = new Uint8Array(channel, 8);

/** Sign through the harness thread: leave the text, ask, wait for the answer. */
function remoteSigner(name: string, publicKey: Uint8Array): NoteSigner {
  return {
    name, publicKey,
    sign(message: Uint8Array): Uint8Array {
      if (message.length > bytes.length) throw new Error('checkpoint text too long for the signing channel');
      bytes.set(message);
      state[1] = message.length;
      Atomics.store(state, 0, ASKED);
      port.postMessage({ sign: true });
      while (Atomics.load(state, 0) !== ANSWERED) Atomics.wait(state, 0, ASKED, 1000);
      Atomics.store(state, 0, 0);
      if (state[1]! < 0) throw new Error('the attestation vault refused to sign');
      return bytes.slice(0, state[1]!);
    },
  };
}

function fromWire(w: WireCall, arena: Uint8Array): RecorderEvent {
  return {
    k: 'call', t: w.t, tenant: w.tenant, op: w.op, status: w.status,
    input: arena.subarray(w.off, w.off + w.inLen), output: arena.subarray(w.off + w.inLen, w.off + w.inLen + w.outLen),
  };
}

let failure: string | undefined;
let log: LogWriter;
let builder: TupleBuilder;
try {
  log = new LogWriter(options.log, options.sync ?? 'group');
  const esc = escrow ? new EscrowWriter(escrow.path, escrow.key, options.origin) : undefined;
  builder = new TupleBuilder(log, options, t0, remoteSigner, esc);
} catch (e) {
  failure = (e as Error).message;
}

port.on('message', (m: { events?: WireEvent[]; arena?: Uint8Array; request?: 'durable' | 'halt'; id?: number }) => {
  if (m.events) {
    if (failure) return;
    try {
      for (const ev of m.events) builder.apply(ev.k === 'wire-call' ? fromWire(ev, m.arena!) : ev);
      m.arena!.fill(0); // call inputs may be secret-adjacent: do not leave them in freed memory
    } catch (e) {
      failure = (e as Error).message;
    }
    return;
  }
  if (failure) { port.postMessage({ id: m.id, ok: false, error: failure }); return; }
  void log.durable().then(() => {
    if (m.request === 'halt') {
      log.close();
      port.postMessage({ id: m.id, ok: true, value: { tuples: builder.size, checkpoint: builder.checkpoints[builder.checkpoints.length - 1] } });
    } else {
      port.postMessage({ id: m.id, ok: true });
    }
  });
});
