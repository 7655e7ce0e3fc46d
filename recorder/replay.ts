// Check 6 (docs/abw34.md): with the escrow, a fresh enclave replays the
// session from its escrowed seeds and call inputs, recording to memory with
// the logged clock, and must write the logged tuples bit for bit: every
// output digest, every table hash and every checkpoint root.
//
// The attestation tenant is not in the escrow (recorder/session.ts): the
// replay takes its seed tuple from the log and signs each checkpoint note
// with the signature the log holds for exactly that text, so a checkpoint
// whose replayed text differs gets no signature and is reported. Whether
// those signatures are valid, under the key given, is the verifier's check
// 2; the replay never makes a signature.
// No I/O: the log text, the escrow contents, the key and the module bytes come in.
import { splitLog } from './log.js';
import { ReplayProvider } from '../host/qrng/sources/replay.js';
import type { Handshake, TenantRole } from '../host/tenants.js';
import { MLDSA65_SIG_BYTES } from '../abi/lengths.js';
import type { SeedEvent } from '../host/qrng/seeder.js';
import type { EscrowContents } from './escrow.js';
import { parseNote, type NoteSigner } from './note.js';
import { MemorySink } from './recorder.js';
import { RecordedSession, type LoggedAttestation } from './session.js';
import { digest, type Tuple } from './tuple.js';
import type { Finding } from './verify.js';


const MAX_REPORTED = 20;
const MMU = new Set(['map', 'protect', 'share', 'unmap']);

function applyMmu(s: RecordedSession, t: Tuple): void {
  const sp = s.physical.spaces, m = t.mmu!, tenant = t.tenant!;
  if (t.kind === 'map') sp.map(tenant, m.page, m.rights as 'rw' | 'ro');
  else if (t.kind === 'protect') sp.protect(tenant, m.page, m.rights);
  else if (t.kind === 'unmap') sp.unmap(tenant, m.page);
  else if (m.from) sp.share(m.from.tenant, m.from.page, tenant, m.page, m.rights as 'rw' | 'ro');
}

/** The attestation tenant as the log recorded it: its seed tuple and its checkpoint signatures. */
function loggedAttestation(tuples: (Tuple | undefined)[], origin: string, publicKey: Uint8Array): LoggedAttestation | undefined {
  const seed = tuples.find((t) => t?.kind === 'seed' && t.tenant === 'attest');
  if (!seed?.qrng) return undefined;
  const signatures = new Map<string, Uint8Array>();
  for (const t of tuples) {
    const note = t?.kind === 'checkpoint' && typeof t.checkpoint?.note === 'string' ? parseNote(t.checkpoint.note) : undefined;
    const s = note?.signatures[0];
    if (note && s) signatures.set(note.text, s.sig);
  }
  const signer: NoteSigner = {
    name: origin,
    publicKey,
    // The logged signature of exactly this text, else one that verifies under no key.
    sign: (message) => Uint8Array.from(signatures.get(new TextDecoder().decode(message)) ?? new Uint8Array(MLDSA65_SIG_BYTES)),
  };
  const cert = tuples.find((t) => t?.kind === 'certificate')?.certificate;
  return { seed: { kind: 'seed', tenant: 'attest', ...seed.qrng } as unknown as SeedEvent, signer, ...(cert ? { certificate: cert } : {}) };
}

export interface ReplayOptions {
  /** The attestation public key (the one verify checked the log against). */
  key: Uint8Array;
  /** The module to replay with (default: build/enclave.waven.wasm). */
  module?: Uint8Array;
}

export async function replayLog(text: string, escrow: EscrowContents, opts: ReplayOptions): Promise<Finding[]> {
  const module = opts.module;
  const findings: Finding[] = [];
  const add = (event: string, seq: number | null, message: string, got?: unknown, expected?: unknown) =>
    findings.push({ event, severity: 'error', seq, message, ...(got === undefined ? {} : { got }), ...(expected === undefined ? {} : { expected }) });
  const { lines } = splitLog(text);
  const tuples = lines.map((l) => { try { return JSON.parse(l) as Tuple; } catch { return undefined; } });
  const boot = tuples[0]?.boot;
  if (!boot?.origin) { add('replay-failed', 0, 'no boot tuple to replay from'); return findings; }
  if (escrow.origin !== boot.origin) { add('escrow-origin', null, 'the escrow belongs to another log', escrow.origin, boot.origin); return findings; }
  const attest = loggedAttestation(tuples, boot.origin, opts.key);
  if (!attest) { add('replay-failed', null, 'the log has no seed tuple of the attestation tenant'); return findings; }
  const times = tuples.map((t) => (typeof t?.t === 'number' ? t.t : 0));
  const sink = new MemorySink();
  try {
    const s = await RecordedSession.start({
      record: { sink, clock: (seq: number) => times[seq] ?? times[times.length - 1] ?? 0 },
      provider: new ReplayProvider(escrow), origin: boot.origin, attestFromLog: attest, ...(module ? { module } : {}),
      ...(boot.checkpointEvery ? { checkpointEvery: boot.checkpointEvery } : {}), ...(boot.reseedAfter ? { reseedAfter: boot.reseedAfter } : {}),
    });
    let h: Handshake | undefined;
    for (let i = sink.lines.length; i < tuples.length; i++) {
      const t = tuples[i];
      if (i < sink.lines.length) continue; // produced already by an earlier step
      if (t && MMU.has(t.kind) && t.tenant && t.mmu) {
        // A table change the host made on its own (not inside a call): an input of the run, replayed as logged.
        applyMmu(s, t);
        continue;
      }
      if (t?.kind !== 'call' || !t.call) continue;
      const input = escrow.inputs.get(i);
      if (!input) { add('escrow-input-missing', i, 'the escrow has no input for this call'); break; }
      if (digest(input) !== t.call.in) { add('escrow-input-mismatch', i, 'the escrowed input does not match the call\'s input digest', digest(input), t.call.in); break; }
      const op = t.call.op;
      if (op === 'handshake') h = await s.handshake(Number(new DataView(input.buffer, input.byteOffset).getBigUint64(0, true)));
      else if (op === 'send' && h) s.send((input[0] === 0 ? 'initiator' : 'responder') as TenantRole, h, input.subarray(1));
      else if (op === 'close' && h) { s.close(h); h = undefined; }
      else { add('replay-unknown-op', i, `cannot replay the call "${op}"`); break; }
    }
    if (tuples.some((t) => t?.kind === 'halt')) await s.halt();
  } catch (e) {
    add('replay-failed', sink.lines.length, `the replay stopped: ${(e as Error).message}`);
  }
  compare(lines, tuples, sink.lines, add);
  return findings;
}

/** Tuple by tuple: the first differences, named by what differs. */
function compare(logged: string[], tuples: (Tuple | undefined)[], replayed: string[], add: (e: string, s: number | null, m: string, g?: unknown, x?: unknown) => void): void {
  let reported = 0;
  for (let i = 0; i < Math.max(logged.length, replayed.length) && reported < MAX_REPORTED; i++) {
    if (logged[i] === replayed[i]) continue;
    reported++;
    const a = tuples[i];
    let b: Tuple | undefined;
    try { b = replayed[i] === undefined ? undefined : JSON.parse(replayed[i]!) as Tuple; } catch { b = undefined; }
    if (!a || !b) add('replay-length', i, a ? 'the replay wrote fewer tuples' : 'the replay wrote more tuples', replayed.length, logged.length);
    else if (a.kind === 'call' && b.kind === 'call' && a.call?.out !== b.call?.out) add('replay-output', i, `the replayed ${a.call?.op} gives another output`, b.call?.out, a.call?.out);
    else if (JSON.stringify(a.pt) !== JSON.stringify(b.pt)) add('replay-pt', i, 'the replayed table hashes differ', b.pt, a.pt);
    else if (a.kind === 'checkpoint' && a.checkpoint?.root !== b.checkpoint?.root) add('replay-checkpoint', i, 'the replayed checkpoint root differs', b.checkpoint?.root, a.checkpoint?.root);
    else add('replay-mismatch', i, `the replayed ${b.kind} tuple differs`, replayed[i], logged[i]);
  }
}
