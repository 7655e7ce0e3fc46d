#!/usr/bin/env node
// The browser bundle (docs/browser.md): dist/host/index.js, resolved with the
// "browser" condition (package.json "imports" #platform -> the browser
// platform), bundled by esbuild into one ES module, build/browser/awre.js,
// with build/enclave.wasm and build/enclave.waven.wasm copied beside it
// (init() fetches them from there by default), and the page of web/
// (index.html, app.js: a self-test and a benchmark; `awre serve` serves it).
//
//   node scripts/build-browser.mjs                 (after `npm run build:ts`)
//   node scripts/build-browser.mjs --outdir <dir>  somewhere else (the browser test)
//
// Fails if anything on the browser path still needs Node: esbuild refuses a
// `node:` import on platform 'browser', and the output is searched for
// references to Buffer, process and require.
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const WASM = ['enclave.wasm', 'enclave.waven.wasm'];
/** The self-test and benchmark page (web/), copied beside the bundle. */
export const PAGE = ['index.html', 'app.js'];

/**
 * Uses of Node globals a browser lacks: Buffer.x, process.x, typeof Buffer,
 * require(…), __dirname (not ArrayBuffer, $ZodPreprocess or a method named process).
 */
const NODE_GLOBALS = /(?<![\w$.])(Buffer|process)\s*[.[]|\btypeof\s+(Buffer|process|require)\b|(?<![\w$.])(require)\s*\(|(?<![\w$.])(__dirname|__filename)(?![\w$])/g;

/** Strip string literals and comments well enough that the search sees code only. */
function codeOnly(src) {
  return src.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|`(?:\\[\s\S]|[^`\\])*`|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"/g, (m) => m.replace(/[^\n]/g, ' '));
}

export async function buildBrowser({ outdir = join(root, 'build', 'browser'), minify = false } = {}) {
  const entry = join(root, 'dist', 'host', 'index.js');
  if (!existsSync(entry)) throw new Error(`${relative(root, entry)} missing: run \`npm run build:ts\` first`);
  mkdirSync(outdir, { recursive: true });
  const outfile = join(outdir, 'awre.js');
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser', // conditions: browser, import, default; `node:` imports are errors
    target: 'es2022',
    minify,
    sourcemap: false,
    legalComments: 'none',
    metafile: true,
    logLevel: 'silent',
    define: { __AWRE_WASM_BASE__: '"./"' },
  });
  const problems = [];
  for (const [file, input] of Object.entries(result.metafile.inputs)) {
    for (const imp of input.imports) {
      if (imp.path.startsWith('node:') || imp.external) problems.push(`${file} imports ${imp.path}`);
    }
    if (file.endsWith('platform/node.js')) problems.push(`${file}: the Node platform is on the browser path`);
  }
  const code = codeOnly(readFileSync(outfile, 'utf8'));
  for (const m of code.matchAll(NODE_GLOBALS)) {
    const line = code.slice(0, m.index).split('\n').length;
    problems.push(`${relative(root, outfile)}:${line}: ${m[0].trim()}`);
  }
  if (problems.length > 0) throw new Error(`the browser bundle is not browser-safe:\n  ${problems.join('\n  ')}`);
  for (const name of WASM) copyFileSync(join(root, 'build', name), join(outdir, name));
  // The page a person opens (`awre serve`): a self-test and a benchmark on this bundle.
  for (const name of PAGE) copyFileSync(join(root, 'web', name), join(outdir, name));
  return { outfile, bytes: readFileSync(outfile).length, inputs: Object.keys(result.metafile.inputs).length };
}

if (resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--outdir');
  const outdir = at > 0 ? resolve(process.argv[at + 1] ?? '') : undefined;
  try {
    const r = await buildBrowser(outdir ? { outdir } : {});
    console.log(`${relative(process.cwd(), r.outfile)}: ${r.bytes} bytes from ${r.inputs} modules, + ${[...WASM, ...PAGE].join(', ')}`);
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
