// `awre keygen --auditor [--out <dir>] [--json]`: an auditor's ML-KEM-768 key
// pair (made in the enclave) for escrows: auditor.pub.json and, mode 0600,
// auditor.key.json.
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ml_kem768 } from '../mlkem.js';
import { auditorKeyFiles } from '../../recorder/keys.js';
import { CliFailure, EXIT, makeDirs } from './io.js';

export interface KeygenResult { publicKey: string; secretKey: string }

export function runKeygen(o: { auditor?: boolean; out?: string }): KeygenResult {
  if (!o.auditor) throw new CliFailure(EXIT.usage, 'keygen: say which key: --auditor');
  const dir = o.out ?? '.';
  const pub = join(dir, 'auditor.pub.json'), key = join(dir, 'auditor.key.json');
  for (const f of [pub, key]) if (existsSync(f)) throw new CliFailure(EXIT.io, `keygen: ${f} exists; an auditor key pair is never overwritten`);
  const { publicKey, secretKey } = ml_kem768.keygen();
  const files = auditorKeyFiles(publicKey, secretKey);
  secretKey.fill(0);
  // Both files or neither: write beside, then rename into place.
  const tmpKey = `${key}.${process.pid}.tmp`, tmpPub = `${pub}.${process.pid}.tmp`;
  try {
    makeDirs(dir);
    writeFileSync(tmpKey, files.key, { mode: 0o600, flag: 'wx' });
    writeFileSync(tmpPub, files.pub, { flag: 'wx' });
    renameSync(tmpKey, key);
    renameSync(tmpPub, pub);
  } catch (e) {
    for (const f of [tmpKey, tmpPub]) rmSync(f, { force: true });
    throw new CliFailure(EXIT.io, `keygen: cannot write ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return { publicKey: pub, secretKey: key };
}

export function registerKeygen(program: Command, done: (code: number) => void): void {
  program.command('keygen')
    .description('make a key pair: --auditor makes the ML-KEM-768 key an escrow is encrypted to')
    .option('--auditor', 'the auditor\'s escrow key pair')
    .option('--out <dir>', 'where to write auditor.pub.json and auditor.key.json', '.')
    .option('--json', 'print the result as JSON')
    .action((o: { auditor?: boolean; out?: string; json?: boolean }) => {
      const r = runKeygen(o);
      console.log(o.json ? JSON.stringify(r) : `wrote ${r.publicKey} (give it to the node: awre run --auditor-key ${r.publicKey})\nwrote ${r.secretKey} (keep it: awre verify --auditor-key ${r.secretKey})`);
      done(EXIT.ok);
    });
}
