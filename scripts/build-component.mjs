#!/usr/bin/env node
// Builds build/enclave.component.wasm, the enclave as a WebAssembly component
// of the world in abi/awre.wit (docs/component.md), and its JS transpilation
// under build/component/:
//   1. asc assembly/component.ts (the canonical-ABI wrappers; the options of
//      asconfig.json) -> a core module of its own (build/enclave.wasm is not
//      touched);
//   2. rename its exports to canonical-ABI names (only the export section
//      changes: <iface>__<func> -> awre:enclave/<iface>@2.0.0#<func>,
//      post__... -> cabi_post_...);
//   3. jco componentEmbed (the WIT text) + componentNew (no adapters: the
//      world imports nothing at run time);
//   4. append the WIT text as a custom section "awre.wit" (awre inspect prints it);
//   5. jco transpile (no WASI shim) into build/component/.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';
import { componentEmbed, componentNew, transpile } from '@bytecodealliance/jco';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PKG = 'awre:enclave';
const VER = '2.0.0';
const sha = (b) => createHash('sha256').update(b).digest('hex');

/** <iface>__<func> -> canonical export name; post__ -> cabi_post_; others unchanged. */
export function canonicalName(name) {
  const post = name.startsWith('post__');
  const n = post ? name.slice(6) : name;
  const i = n.indexOf('__');
  if (i < 0) return name;
  const kebab = (s) => s.replace(/_/g, '-');
  const c = `${PKG}/${kebab(n.slice(0, i))}@${VER}#${kebab(n.slice(i + 2))}`;
  return post ? `cabi_post_${c}` : c;
}

function readU32(b, o) { let r = 0, s = 0, x; do { x = b[o++]; r |= (x & 0x7f) << s; s += 7; } while (x & 0x80); return [r >>> 0, o]; }
function leb(n) { const out = []; do { let x = n & 0x7f; n >>>= 7; if (n) x |= 0x80; out.push(x); } while (n); return out; }

/** Rewrite the export section's names; every other byte is copied unchanged. */
export function renameExports(b, rename) {
  const out = [b.subarray(0, 8)];
  let o = 8;
  const seen = new Set();
  while (o < b.length) {
    const id = b[o];
    const [size, p] = readU32(b, o + 1);
    const end = p + size;
    if (id !== 7) { out.push(b.subarray(o, end)); o = end; continue; }
    let [count, q] = readU32(b, p);
    const body = [...leb(count)];
    for (let i = 0; i < count; i++) {
      let len; [len, q] = readU32(b, q);
      const name = new TextDecoder().decode(b.subarray(q, q + len)); q += len;
      const kind = b[q++]; let idx; [idx, q] = readU32(b, q);
      const nn = rename(name);
      if (seen.has(nn)) throw new Error(`duplicate export ${nn}`);
      seen.add(nn);
      const enc = new TextEncoder().encode(nn);
      body.push(...leb(enc.length), ...enc, kind, ...leb(idx));
    }
    out.push(Uint8Array.of(7, ...leb(body.length), ...body));
    o = end;
  }
  return Buffer.concat(out);
}

/** A custom section (id 0) holding `data` under `name`. */
function customSection(name, data) {
  const n = Buffer.from(name, 'utf8');
  const payload = Buffer.concat([Buffer.from(leb(n.length)), n, data]);
  return Buffer.concat([Buffer.from([0, ...leb(payload.length)]), payload]);
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const build = join(root, 'build');
  mkdirSync(build, { recursive: true });
  const coreFile = join(build, 'enclave.component-core.wasm');
  const opts = ['--runtime', 'stub', '--enable', 'simd', '--noAssert', '--use', 'abort=', '-O3', '--shrinkLevel', '0', '--converge'];
  // A config with no entries: asc would otherwise read asconfig.json and add assembly/index.ts's flat exports
  // to this core module (review finding), where a caller of the core module could reach them.
  const config = join(build, 'component.asconfig.json');
  writeFileSync(config, '{ "options": {} }\n');
  const { error } = await asc.main([join(root, 'assembly', 'component.ts'), '--config', config, ...opts, '--outFile', coreFile],
    { stdout: process.stdout, stderr: process.stderr });
  if (error) { console.error(`component core build failed: ${error.message}`); process.exit(1); }

  const core = renameExports(readFileSync(coreFile), canonicalName);
  writeFileSync(coreFile, core);
  const witSource = readFileSync(join(root, 'abi', 'awre.wit'), 'utf8');
  // witSource, not witPath: the vendored wasm-tools cannot read the host's files.
  const embedded = await componentEmbed({ binary: core, witSource, world: 'enclave', stringEncoding: 'utf8' });
  const component = Buffer.concat([Buffer.from(await componentNew(embedded, [])), customSection('awre.wit', Buffer.from(witSource, 'utf8'))]);
  const out = join(build, 'enclave.component.wasm');
  writeFileSync(out, component);

  const { files } = await transpile(component, { name: 'enclave', wasiShim: false, quiet: true });
  const dir = join(build, 'component');
  rmSync(dir, { recursive: true, force: true });
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), data);
  }
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  console.log(`build/enclave.component-core.wasm  ${core.length} bytes  sha256:${sha(core)}`);
  console.log(`build/enclave.component.wasm  ${component.length} bytes  sha256:${sha(component)}`);
}
