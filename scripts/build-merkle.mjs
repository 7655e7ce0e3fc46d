#!/usr/bin/env node
// Builds build/merkle.wasm, the verifier's Merkle frontier (assembly/merkle/),
// with the pinned asc. Not part of the enclave: the auditor's verifier loads
// it (recorder/merkle-wasm.ts). Reproducible like the enclave build.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outFile = join(root, 'build', 'merkle.wasm');
mkdirSync(dirname(outFile), { recursive: true });
const { error } = await asc.main(
  // An explicit, empty config: without it asc reads ./asconfig.json and
  // compiles the enclave's entry into this module too.
  [join(root, 'assembly', 'merkle', 'index.ts'), '--config', join(root, 'assembly', 'merkle', 'asconfig.json'), '--outFile', outFile, '--runtime', 'stub', '--noAssert', '--use', 'abort=',
    '-O3', '--converge', '--initialMemory', '16'],
  { stdout: process.stdout, stderr: process.stderr },
);
if (error) {
  console.error(`merkle build failed: ${error.message}`);
  process.exit(1);
}
const bytes = readFileSync(outFile);
console.log(`build/merkle.wasm  ${bytes.length} bytes  sha256:${createHash('sha256').update(bytes).digest('hex')}`);
