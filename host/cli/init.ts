// `awre init [--node <dir>] [--name <name>] [--json]`: a node's long-lived
// identity (recorder/node.ts, docs/trust.md): an ML-DSA-65 key pair made in
// the vault, sealed to this machine's platform secret and the module, and its
// public half for the auditor to enroll. An existing node is never replaced.
import type { Command } from 'commander';
import { Enclave } from '../enclave/enclave.js';
import { moduleDigest, readModule } from '../enclave/module.js';
import { AwreError } from '../errors.js';
import { initNode, nodePaths } from '../../recorder/node.js';
import { CliFailure, EXIT } from './io.js';

export interface InitResult { dir: string; name: string; fingerprint: string; identity: string; module: string; publicKey: string }

export function runInit(o: { node: string; name: string }): InitResult {
  if (!/^[^\s+]+$/.test(o.name) || o.name.length > 255) throw new CliFailure(EXIT.usage, '--name: a key name has no spaces or "+" and at most 255 characters (C2SP signed-note)');
  const module = readModule('enclave.waven.wasm');
  const measurement = moduleDigest(module);
  const e = new Enclave(module, { mmu: 'waven', instance: 'init' });
  // The identity's key generation draws from the OS (the node's own boot, not a recorded run).
  e.put(0, globalThis.crypto.getRandomValues(new Uint8Array(48)));
  const st = e.exports.drbg_instantiate(e.io, 48, e.io, 0, e.io, 0);
  e.wipe(0, 48);
  if (st !== 0) throw new CliFailure(EXIT.failed, `init: drbg_instantiate returned ${st}`);
  try {
    const id = initNode(e, o.node, o.name, measurement);
    return { dir: o.node, name: id.name, fingerprint: id.fingerprint, identity: nodePaths(o.node).pub, module: measurement, publicKey: Buffer.from(id.publicKey).toString('base64') };
  } catch (err) {
    if (err instanceof AwreError && err.code === 'NODE_EXISTS') throw new CliFailure(EXIT.usage, `init: ${err.message}`);
    if ((err as NodeJS.ErrnoException).code !== undefined && !(err instanceof AwreError)) throw new CliFailure(EXIT.io, `init: cannot write ${o.node}: ${(err as NodeJS.ErrnoException).code}`);
    throw err;
  } finally {
    e.exports.drbg_uninstantiate();
  }
}

export function renderInit(r: InitResult): string {
  return [
    `node identity ${r.name} in ${r.dir}`,
    `  fingerprint  ${r.fingerprint}  (SHA-256 of the ML-DSA-65 public key)`,
    `  public key   ${r.identity}  (give this file to the auditor to enroll)`,
    `               ${r.publicKey.slice(0, 64)}… (ML-DSA-65, ${Buffer.from(r.publicKey, 'base64').length} bytes; whole in the file and in --json)`,
    `  sealed to    module ${r.module} and this machine's platform secret`,
    'runs: awre run --node <dir>; the auditor checks them with: awre verify <log> --node <identity.pub.json>',
  ].join('\n');
}

export function registerInit(program: Command, done: (code: number) => void): void {
  program.command('init')
    .description('create the node\'s long-lived identity: an ML-DSA-65 key made in the vault, stored only sealed; prints its fingerprint to enroll')
    .option('--node <dir>', 'the node directory (platform secret, sealed identity, public identity)', 'awre-node')
    .option('--name <name>', 'the node\'s name in certificates', 'awre.local/node')
    .option('--json', 'print the result as JSON')
    .action((o: { node: string; name: string; json?: boolean }) => {
      const r = runInit(o);
      console.log(o.json ? JSON.stringify(r) : renderInit(r));
      done(EXIT.ok);
    });
}
