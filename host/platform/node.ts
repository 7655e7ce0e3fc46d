// The Node implementation of the platform seam (types.ts): node:crypto,
// node:fs, Buffer. Selected by package.json "imports" `#platform` everywhere
// but under the "browser" condition.
import { createCipheriv, createHash, hash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { AwreError } from '../errors.js';
import type { Platform } from './types.js';

/** Absolute path of build/<name> in the package this file belongs to, or undefined. */
function findBuild(name: string): string | undefined {
  // This file runs from host/platform/ (tests, through vitest) or dist/host/platform/ (the built package).
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'build', name);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}

function notFound(name: string): AwreError {
  return new AwreError('MODULE_NOT_FOUND', `build/${name} not found: run \`npm run build\` (npm ci runs it)`);
}

function digest(algorithm: string, parts: Uint8Array[]): Uint8Array {
  const h = createHash(algorithm);
  for (const p of parts) h.update(p);
  return h.digest(); // a fresh Buffer (a Uint8Array) the caller owns
}

export const platform: Platform = {
  name: 'node',
  // One part (a log line's leaf, millions of times): the one-shot crypto.hash, no Hash object.
  sha256: (...parts) => (parts.length === 1 ? hash('sha256', parts[0]!, 'buffer') : digest('sha256', parts)),
  sha256Hasher() {
    const h = createHash('sha256');
    return { update: (data) => { h.update(data); }, digest: () => h.digest() };
  },
  scanBuffer: (n) => Buffer.alloc(n),
  sha3_384: (...parts) => digest('sha3-384', parts),
  env: (name) => process.env[name],
  readBuildFile(name) {
    const path = findBuild(name);
    return path === undefined ? undefined : readFileSync(path);
  },
  buildPath(name) {
    const path = findBuild(name);
    if (path === undefined) throw notFound(name);
    return path;
  },
  buildUrl(name) {
    return pathToFileURL(this.buildPath(name));
  },
  resolvePath: (path) => resolve(path),
  readFile: async (path) => readFile(path),
  openFile: async (path) => {
    const fh = await open(path, 'r');
    return {
      read: (into, offset, length) => fh.read(into, offset, length, null),
      close: () => fh.close(),
    };
  },
  aes256ctr(key) {
    const stream = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
    return {
      read: async (n) => stream.update(Buffer.alloc(n)), // the caller owns (and wipes) it
      close: () => { stream.destroy(); },
    };
  },
};
