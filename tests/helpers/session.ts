// A real recorded session for the recorder tests: two tenants, handshakes,
// frames both ways, an escrow to a fresh auditor key; its files in a temp dir.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ml_kem768, qrng } from '../../host/index.js';
import { attestationKeyFile, auditorKeyFiles } from '../../recorder/keys.js';
import { RecordedSession } from '../../recorder/session.js';
import { Prng } from './prng.js';

export interface RecordedFiles {
  dir: string;
  log: string;
  escrow: string;
  key: string;
  auditorKey: string;
  auditorPub: string;
  publicKey: Uint8Array;
  session: RecordedSession;
  halted: Awaited<ReturnType<RecordedSession['halt']>>;
}

export async function recordSession(opts: { handshakes?: number; frames?: number; checkpointEvery?: number; reseedAfter?: number; origin?: string } = {}): Promise<RecordedFiles> {
  const dir = mkdtempSync(join(tmpdir(), 'awre-rec-'));
  const files = { log: join(dir, 'abw34.log'), escrow: join(dir, 'abw34.escrow'), key: join(dir, 'attestation.pub.json'), auditorKey: join(dir, 'auditor.key.json'), auditorPub: join(dir, 'auditor.pub.json') };
  const auditor = ml_kem768.keygen(new Prng('rec/auditor').bytes(64));
  const kf = auditorKeyFiles(auditor.publicKey, auditor.secretKey);
  writeFileSync(files.auditorKey, kf.key);
  writeFileSync(files.auditorPub, kf.pub);
  const origin = opts.origin ?? 'awre.test/abw34';
  const feed = qrng.openFeed('sim:5e55');
  const session = await RecordedSession.start({
    record: { log: files.log, sync: 'always', escrow: { path: files.escrow, auditorPublicKey: auditor.publicKey } },
    provider: feed, feed, origin, checkpointEvery: opts.checkpointEvery ?? 12, reseedAfter: opts.reseedAfter ?? 3,
  });
  writeFileSync(files.key, attestationKeyFile(origin, session.signer.publicKey));
  const prng = new Prng('rec/frames');
  for (let i = 0; i < (opts.handshakes ?? 3); i++) {
    const h = await session.handshake(1_800_000_000_000 + i);
    for (let j = 0; j < (opts.frames ?? 3); j++) session.send(j % 2 === 0 ? 'initiator' : 'responder', h, prng.bytes(1 + j * 40));
    session.close(h);
  }
  // Table changes of every kind: a page mapped, made read-only, then dropped.
  const spaces = session.physical.spaces;
  spaces.map('responder', 400, 'rw');
  spaces.protect('responder', 400, 'ro');
  spaces.unmap('responder', 400);
  const halted = await session.halt();
  return { dir, ...files, publicKey: session.signer.publicKey, session, halted };
}
