// A recorder that never stops: boots a recorded session on argv[2] (the log),
// writes the attestation key to argv[3], then appends tuples until killed.
import { writeFileSync } from 'node:fs';
import { qrng } from '../../dist/host/index.js';
import { attestationKeyFile } from '../../dist/recorder/keys.js';
import { RecordedSession } from '../../dist/recorder/session.js';

const [log, key] = process.argv.slice(2);
const feed = qrng.openFeed('sim:c4a5');
const s = await RecordedSession.start({ record: { log, sync: 'always' }, provider: feed, feed, origin: 'awre.test/crash', checkpointEvery: 8, reseedAfter: 4 });
writeFileSync(key, attestationKeyFile('awre.test/crash', s.signer.publicKey));
for (let i = 0; ; i++) {
  const h = await s.handshake(i);
  for (let j = 0; j < 4; j++) s.send(j % 2 ? 'responder' : 'initiator', h, new Uint8Array(100 + j));
  s.close(h);
}
