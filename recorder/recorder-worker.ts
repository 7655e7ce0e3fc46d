// The recorder's worker thread (pipeline.ts): builds the tuples of the
// events it receives, in order, writes and fsyncs the log and the escrow,
// and asks the harness thread for each checkpoint signature.
import { parentPort, workerData } from 'node:worker_threads';
import { EscrowWriter } from './escrow.js';
import { LogWriter } from './log.js';
import type { NoteSigner } from './note.js';
import { ANSWERED, ASKED, CALL_HEADER, type PipelineOptions, type WireEvent } from './pipeline.js';
import { TupleBuilder, halted, type RecorderEvent } from './recorder.js';

const { options, t0, channel, escrow } = workerData as {
  options: Omit<PipelineOptions, 'escrow'>; t0: number; channel: SharedArrayBuffer; escrow?: { path: string; key: Uint8Array; coins?: Uint8Array };
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

/** Reads the call records of a batch's arena in order (layout in pipeline.ts). */
class ArenaCalls {
  private off = 0;
  private readonly v: DataView;
  constructor(private readonly a: Uint8Array, private readonly names: string[]) {
    this.v = new DataView(a.buffer, a.byteOffset, a.byteLength);
  }
  next(): RecorderEvent {
    const o = this.off, v = this.v;
    const inLen = v.getUint32(o + 16, true), outLen = v.getUint32(o + 20, true);
    const at = o + CALL_HEADER;
    this.off = (at + inLen + outLen + 7) & ~7;
    return {
      k: 'call', t: v.getFloat64(o, true), status: v.getInt32(o + 8, true), tenant: this.names[v.getUint16(o + 12, true)]!, op: this.names[v.getUint16(o + 14, true)]!,
      input: this.a.subarray(at, at + inLen), output: this.a.subarray(at + inLen, at + inLen + outLen),
    };
  }
}

let failure: string | undefined;
let log: LogWriter;
let builder: TupleBuilder;
try {
  log = new LogWriter(options.log, options.sync ?? 'group');
  if (log.existing.length > 0 || log.tornOnOpen) {
    log.close();
    throw new Error(`${options.log} holds an earlier log: a recorder starts a new one (seq 0), it does not append to another`);
  }
  const esc = escrow ? new EscrowWriter(escrow.path, escrow.key, options.origin, escrow.coins) : undefined;
  escrow?.coins?.fill(0);
  builder = new TupleBuilder(log, options, t0, remoteSigner, esc);
} catch (e) {
  failure = (e as Error).message;
}

let sentCheckpoints = 0;

port.on('message', (m: { events?: WireEvent[]; arena?: Uint8Array; names?: string[]; request?: 'durable' | 'halt'; id?: number }) => {
  if (m.events) {
    if (failure) return;
    try {
      const calls = new ArenaCalls(m.arena!, m.names!);
      for (const ev of m.events) {
        if (ev.k === 'calls') for (let i = 0; i < ev.count; i++) builder.apply(calls.next());
        else builder.apply(ev);
      }
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
      port.postMessage({ id: m.id, ok: true, value: halted(builder) });
    } else {
      // The checkpoints made durable since the last answer (for witnesses, while the run goes on).
      port.postMessage({ id: m.id, ok: true, value: builder.checkpoints.slice(sentCheckpoints) });
      sentCheckpoints = builder.checkpoints.length;
    }
  });
});
