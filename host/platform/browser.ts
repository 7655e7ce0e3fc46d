// The browser implementation of the platform seam (types.ts): no `node:`
// import, no Buffer, no process. Hashes are @noble/hashes (synchronous, as
// the API is); AES-CTR for the `sim:` QRNG source is WebCrypto; the enclave
// modules come from setModule()/init() (docs/browser.md), never from disk.
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { sha3_384 as nobleSha3_384 } from '@noble/hashes/sha3.js';
import { AwreError } from '../errors.js';
import type { Platform } from './types.js';

// Set by scripts/build-browser.mjs: where the bundle finds the .wasm files, relative to itself.
declare const __AWRE_WASM_BASE__: string | undefined;

function digest(h: typeof nobleSha256, parts: Uint8Array[]): Uint8Array {
  const ctx = h.create();
  for (const p of parts) ctx.update(p);
  return ctx.digest();
}

function noFs(what: string): Promise<never> {
  return Promise.reject(Object.assign(new Error(`${what}: no file system in a browser`), { code: 'ENOSYS' }));
}

function buildUrl(name: string): URL {
  // The bundle (build/browser/awre.js) has the .wasm files beside it; dist/host/platform/browser.js,
  // as a bundler sees it, finds them in the package's build/. Literal `new URL(…, import.meta.url)`
  // forms let bundlers that understand them (Vite, webpack 5) copy the assets.
  if (typeof __AWRE_WASM_BASE__ === 'string') return new URL(name, new URL(__AWRE_WASM_BASE__, import.meta.url));
  if (name === 'enclave.wasm') return new URL('../../../build/enclave.wasm', import.meta.url);
  if (name === 'enclave.waven.wasm') return new URL('../../../build/enclave.waven.wasm', import.meta.url);
  return new URL(name, new URL('../../../build/enclave.wasm', import.meta.url));
}

export const platform: Platform = {
  name: 'browser',
  sha256: (...parts) => digest(nobleSha256, parts),
  sha256Hasher() {
    const h = nobleSha256.create();
    return { update: (data) => { h.update(data); }, digest: () => h.digest() };
  },
  scanBuffer: (n) => new Uint8Array(n),
  sha3_384: (...parts) => digest(nobleSha3_384 as typeof nobleSha256, parts),
  env: () => undefined,
  readBuildFile: () => undefined,
  buildPath(name) {
    throw new AwreError('MODULE_NOT_FOUND', `build/${name}: a browser has no module path; fetch it (await init(), loadModule()) or pass its bytes (setModule())`);
  },
  buildUrl,
  resolvePath: (path) => path,
  readFile: (path) => noFs(`read ${path}`),
  openFile: (path) => noFs(`open ${path}`),
  aes256ctr(key) {
    // WebCrypto's AES-CTR is asynchronous: keep the position, and for each read
    // encrypt zeros from the block it falls in (a 128-bit big-endian counter).
    const raw = key.slice();
    let cryptoKey: Promise<CryptoKey> | undefined;
    let position = 0;
    let closed = false;
    return {
      async read(n) {
        if (closed) throw new Error('keystream closed');
        cryptoKey ??= crypto.subtle.importKey('raw', raw, { name: 'AES-CTR' }, false, ['encrypt']).finally(() => raw.fill(0));
        const start = position;
        position += n;
        const block = Math.floor(start / 16), skip = start % 16;
        const counter = new Uint8Array(16);
        new DataView(counter.buffer).setBigUint64(8, BigInt(block));
        const zeros = new Uint8Array(skip + n);
        const stream = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-CTR', counter, length: 128 }, await cryptoKey, zeros));
        const out = stream.slice(skip, skip + n);
        stream.fill(0);
        return out;
      },
      close() {
        closed = true;
        raw.fill(0);
      },
    };
  },
};
