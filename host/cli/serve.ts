// `awre serve [--host <addr>] [--port <n>]`: serve the browser build
// (build/browser: the bundle, the two modules, and the page of web/ with its
// self-test and benchmark) over HTTP, for a person to open in a browser
// (docs/browser.md). Static files only, read-only, nothing outside that
// directory; it runs until interrupted.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import type { Command } from 'commander';
import { modulePath } from '../enclave/module.js';
import { CliFailure, EXIT } from './io.js';
import { intIn } from './options.js';

/** The content types of what build/browser holds; wasm must be application/wasm for streaming compilation. */
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm' };

/** build/browser of this package (made by `npm ci`, scripts/build-browser.mjs). */
export function browserDir(): string {
  const dir = join(modulePath('enclave.wasm'), '..', 'browser');
  if (!existsSync(join(dir, 'index.html')) || !existsSync(join(dir, 'awre.js'))) {
    throw new CliFailure(EXIT.io, `serve: ${dir} has no browser build: run \`npm run build\` (npm ci runs it)`);
  }
  return dir;
}

/** A static server of `dir`: GET and HEAD of its files only, no listing, no path out of it. */
export function staticServer(dir: string): Server {
  return createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') { res.writeHead(405, { allow: 'GET, HEAD' }).end(); return; }
    let rel: string;
    try { rel = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^[/\\]+/, ''); } catch { res.writeHead(400).end(); return; }
    if (rel === '' || rel === '.') rel = 'index.html';
    const file = join(dir, rel);
    const type = TYPES[extname(file)];
    if (rel.split(sep).includes('..') || type === undefined || !statSync(file, { throwIfNoEntry: false })?.isFile()) { res.writeHead(404).end(); return; }
    const body = readFileSync(file);
    res.writeHead(200, { 'content-type': type, 'content-length': body.length, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
}

export function registerServe(program: Command, _done: (code: number) => void): void {
  program.command('serve')
    .description('serve the browser build (the enclave, the API bundle, and a page with a self-test and a benchmark) over HTTP until interrupted')
    .option('--host <addr>', 'the address to listen on', '127.0.0.1')
    .option('--port <n>', 'the port (0: any free port)', intIn(0, 65535), 8034)
    .action(async (o: { host: string; port: number }) => {
      const dir = browserDir();
      const server = staticServer(dir);
      await new Promise<void>((ok, fail) => { server.once('error', fail); server.listen(o.port, o.host, ok); })
        .catch((e: NodeJS.ErrnoException) => { throw new CliFailure(EXIT.io, `serve: cannot listen on ${o.host}:${o.port}: ${e.code ?? e.message}`); });
      const { port } = server.address() as AddressInfo;
      // One line a person (or a test) can read.
      console.log(`awre serve: ${dir} on http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}/ (open it in a browser; Ctrl-C stops)`);
    });
}
