#!/usr/bin/env node
// Checks the built modules against the digests committed in
// module-digests.json and prints them. The build is reproducible only if the
// same sources give the same bytes on every machine, toolchain version and
// Node line we support: a rebuild that compares with itself proves only
// determinism on one machine, so the expected bytes are committed.
//
//   node scripts/pin-digests.mjs            check (exit 1 on any difference)
//   node scripts/pin-digests.mjs --update   rewrite module-digests.json
//   AWRE_PIN_UPDATE=1 npm run build         the same, during a build
//
// A commit that changes assembly/, asconfig.json, the WAVEN pass or the
// pinned compiler updates module-digests.json in the same commit.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PIN_FILE = join(root, 'module-digests.json');
// The modules `npm run build` writes, in build order: the core modules, then the component (docs/component.md).
export const MODULES = ['build/enclave.wasm', 'build/enclave.test.wasm', 'build/enclave.waven.wasm', 'build/enclave.component.wasm'];

function toolchain() {
  const require = createRequire(import.meta.url);
  const version = (pkg) => JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')).version;
  return { assemblyscript: version('assemblyscript'), binaryen: version('binaryen') };
}

function measure() {
  return Object.fromEntries(MODULES.map((m) => {
    const path = join(root, m);
    if (!existsSync(path)) throw new Error(`${m} is missing: run npm run build:wasm first`);
    const bytes = readFileSync(path);
    return [m, { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }];
  }));
}

const update = process.argv.includes('--update') || process.env.AWRE_PIN_UPDATE === '1';
const got = { toolchain: toolchain(), modules: measure() };
if (update) {
  const note = 'SHA-256 of each module npm run build writes; checked by the build and tests/build.test.ts. Update with `npm run pin` in the commit that changes the bytes.';
  writeFileSync(PIN_FILE, `${JSON.stringify({ note, ...got }, null, 2)}\n`);
  for (const [m, d] of Object.entries(got.modules)) console.log(`pinned   ${m}  ${d.bytes} bytes  sha256:${d.sha256}`);
  process.exit(0);
}

const pinned = JSON.parse(readFileSync(PIN_FILE, 'utf8'));
const problems = [];
for (const [m, d] of Object.entries(got.modules)) {
  const want = pinned.modules?.[m];
  const ok = want !== undefined && want.sha256 === d.sha256 && want.bytes === d.bytes;
  console.log(`${ok ? 'pinned ' : 'DIFFERS'}  ${m}  ${d.bytes} bytes  sha256:${d.sha256}`);
  if (!ok) problems.push(`${m}: built ${d.bytes} bytes sha256:${d.sha256}, pinned ${want ? `${want.bytes} bytes sha256:${want.sha256}` : 'nothing'}`);
}
for (const [pkg, v] of Object.entries(got.toolchain)) {
  if (pinned.toolchain?.[pkg] !== v) problems.push(`toolchain: ${pkg} ${v} installed, ${pinned.toolchain?.[pkg] ?? 'none'} pinned`);
}
if (problems.length > 0) {
  console.error(['module digests differ from module-digests.json:', ...problems.map((p) => `  ${p}`),
    `on Node ${process.version} ${process.platform}-${process.arch}.`,
    'If you changed assembly/, asconfig.json, scripts/waven-instrument.mjs or the compiler on purpose, run `npm run pin` and commit',
    'module-digests.json with the change; otherwise this toolchain or platform builds other bytes than ours: please report it.'].join('\n'));
  process.exit(1);
}
