// Finding and reading the enclave module on disk. The package layout puts
// build/enclave.wasm at the package root; this file runs either from host/
// (tests, through vitest) or from dist/host/ (the built package), so it looks
// upward for the first build/<name> it finds.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AwreError } from '../errors.js';

/** Absolute path of build/<name> in the package this file belongs to. */
export function modulePath(name = 'enclave.wasm'): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'build', name);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new AwreError('MODULE_NOT_FOUND', `build/${name} not found: run \`npm run build\` (npm ci runs it)`);
}

/** The bytes of the default enclave module. */
export function readModule(name = 'enclave.wasm'): Uint8Array {
  return readFileSync(modulePath(name));
}

/** SHA-256 of a module, hex: the module digest. */
export function moduleDigest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
