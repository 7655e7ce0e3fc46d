// Benchmark peers that are not the project's dependencies: @oqs/liboqs-js
// (liboqs compiled to wasm) declares Node >= 22, so a plain `npm ci` on Node
// 20.19+ (a supported line) would warn EBADENGINE if it were one. It lives
// in benches/peers/ with its own package-lock.json (pinned, integrity
// checked) and is installed there by `npm ci` the first time a suite needs
// it. It runs on Node 20 all the same (the benches have measured it there).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from './results.js';

/** The liboqs-js module's factories the suites use (src/types/index.d.ts of 0.15.1). */
export interface Liboqs {
  createMLKEM512(): Promise<OqsKem>;
  createMLKEM768(): Promise<OqsKem>;
  createMLKEM1024(): Promise<OqsKem>;
  createMLDSA44(): Promise<OqsDsa>;
  createMLDSA65(): Promise<OqsDsa>;
  createMLDSA87(): Promise<OqsDsa>;
}

/** The liboqs-js KEM API (src/types/algorithms.d.ts). */
export interface OqsKem {
  generateKeyPair(): { publicKey: Uint8Array; secretKey: Uint8Array };
  encapsulate(publicKey: Uint8Array): { ciphertext: Uint8Array; sharedSecret: Uint8Array };
  decapsulate(ciphertext: Uint8Array, secretKey: Uint8Array): Uint8Array;
  destroy(): void;
}

/** The liboqs-js signature API (src/types/algorithms.d.ts, class MLDSA65 etc.). */
export interface OqsDsa {
  generateKeyPair(): { publicKey: Uint8Array; secretKey: Uint8Array };
  sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array;
  verify(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean;
  destroy(): void;
}

const NAME = '@oqs/liboqs-js';

function peersDir(): string {
  return join(packageRoot(), 'benches', 'peers');
}

function installedDir(): string {
  return join(peersDir(), 'node_modules', ...NAME.split('/'));
}

/** Installs benches/peers from its lock file when it is not there yet (a clean `npm ci` there). */
function ensureInstalled(log: (m: string) => void): void {
  if (existsSync(join(installedDir(), 'package.json'))) return;
  log(`benches: installing ${NAME} into benches/peers (npm ci, its own lock file)`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: peersDir(), stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`benches: npm ci in benches/peers failed (exit ${r.status}); install ${NAME} there by hand to measure it`);
}

/** liboqs-js, installed on first use. */
export async function loadLiboqs(log: (m: string) => void = () => {}): Promise<Liboqs> {
  ensureInstalled(log);
  const pkg = JSON.parse(readFileSync(join(installedDir(), 'package.json'), 'utf8')) as { exports: Record<string, { import: string }> };
  return (await import(pathToFileURL(join(installedDir(), pkg.exports['.']!.import)).href)) as Liboqs;
}

/** The installed liboqs-js version (for the results file). */
export function liboqsVersion(): string {
  const p = join(installedDir(), 'package.json');
  return existsSync(p) ? String((JSON.parse(readFileSync(p, 'utf8')) as { version: string }).version) : 'not installed';
}
