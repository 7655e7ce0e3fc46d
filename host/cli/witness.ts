// `awre witness serve --dir <dir> --node <identity.pub.json>... [--name <name>]
//  [--host <addr>] [--port <n>]`: a C2SP tlog-witness (host/witness/server.ts,
// docs/witness.md). Its ML-DSA-44 key is made on the first start and kept in
// <dir>/witness.key.json (mode 0600); its vkey, for tlog-policy files, is
// printed and written to <dir>/witness.vkey. It runs until killed.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { witnessVkey } from '../../recorder/cosign.js';
import { parseNodeIdentity } from '../../recorder/node.js';
import { ml_dsa44 } from '../mldsa.js';
import { Witness, type WitnessKey } from '../witness/server.js';
import { CliFailure, EXIT, parseWith, readText } from './io.js';
import { intIn } from './options.js';

const KeyFile = z.object({ kind: z.literal('awre-witness-key'), alg: z.literal('ML-DSA-44'), name: z.string().regex(/^[^\s+]+$/).max(255), publicKey: z.string(), secretKey: z.string() }).strict();

/** The witness key in `dir`, made on the first start under `name`. */
export function witnessKey(dir: string, name: string): WitnessKey {
  const path = join(dir, 'witness.key.json');
  if (existsSync(path)) {
    const k = parseWith(() => KeyFile.parse(JSON.parse(readFileSync(path, 'utf8'))), '--dir');
    if (k.name !== name) throw new CliFailure(EXIT.usage, `--name: this witness is ${k.name} (${path}); a witness keeps its name`);
    return { name: k.name, publicKey: new Uint8Array(Buffer.from(k.publicKey, 'base64')), secretKey: new Uint8Array(Buffer.from(k.secretKey, 'base64')) };
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { publicKey, secretKey } = ml_dsa44.keygen();
  writeFileSync(path, `${JSON.stringify({ kind: 'awre-witness-key', alg: 'ML-DSA-44', name, publicKey: Buffer.from(publicKey).toString('base64'), secretKey: Buffer.from(secretKey).toString('base64') }, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  writeFileSync(join(dir, 'witness.vkey'), `${witnessVkey(name, publicKey)}\n`);
  return { name, publicKey, secretKey };
}

export function registerWitness(program: Command, _done: (code: number) => void): void {
  const w = program.command('witness').description('a C2SP tlog-witness for awre logs');
  w.command('serve')
    .description('serve tlog-witness over HTTP: cosign (ML-DSA-44) the checkpoints of runs certified by the nodes given; refuse forks and rollbacks')
    .requiredOption('--dir <dir>', 'the witness\'s key and state (made on the first start)')
    .option('--node <file...>', 'a node identity (identity.pub.json) whose runs this witness accepts')
    .option('--name <name>', 'the witness\'s name in cosignatures', 'awre.local/witness')
    .option('--host <addr>', 'the address to listen on', '127.0.0.1')
    .option('--port <n>', 'the port (0: any free port)', intIn(0, 65535), 7380)
    .action(async (o: { dir: string; node?: string[]; name: string; host: string; port: number }) => {
      if (!o.node?.length) throw new CliFailure(EXIT.usage, '--node: name at least one node identity whose runs this witness accepts');
      const nodes = o.node.map((f) => parseWith(() => parseNodeIdentity(readText(f, 'node identity')), '--node'));
      const key = witnessKey(o.dir, o.name);
      const witness = new Witness({ dir: o.dir, key, nodes });
      const { port } = await witness.listen(o.port, o.host);
      // One line a supervisor (or a test) can read: where, and the key to put in a tlog-policy.
      console.log(`awre witness ${o.name} listening on http://${o.host}:${port} vkey ${witnessVkey(o.name, key.publicKey)}`);
    });
}
