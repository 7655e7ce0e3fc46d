#!/usr/bin/env node
// Builds build/enclave.wasm from assembly/ with the pinned asc and the options
// in asconfig.json, then prints the module's SHA-256 (the module digest that
// policies and the recorder name). Reproducible: the same sources and the same
// asc give the same bytes (tests/build.test.ts rebuilds and compares).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// --test builds build/enclave.test.wasm from assembly/index.test.ts: the same
// enclave plus the test-only exports (never in the production module).
const TEST = process.argv.includes('--test');
const args = process.argv.slice(2).filter((a) => a !== '--test');
const outFile = args[0] ?? join(root, 'build', TEST ? 'enclave.test.wasm' : 'enclave.wasm');
mkdirSync(dirname(outFile), { recursive: true });

// asc prints its diagnostics to our stderr as it goes.
const { error } = await asc.main(
  [...(TEST ? [join(root, 'assembly', 'index.test.ts')] : []), '--config', join(root, 'asconfig.json'), '--target', 'release', '--outFile', outFile],
  { stdout: process.stdout, stderr: process.stderr },
);
if (error) {
  console.error(`enclave build failed: ${error.message}`);
  process.exit(1);
}
const bytes = readFileSync(outFile);
const digest = createHash('sha256').update(bytes).digest('hex');
console.log(`${outFile.startsWith(root) ? outFile.slice(root.length + 1) : outFile}  ${bytes.length} bytes  sha256:${digest}`);
