// Finding and reading the enclave modules. On Node the package layout puts
// build/enclave.wasm at the package root and the platform seam (#platform,
// host/platform/node.ts) reads it from disk on first use. A browser has no
// disk: the page hands the bytes over (setModule) or fetches them first
// (await init(), loadModule(); docs/browser.md). Modules given that way take
// precedence on Node too.
import { platform } from '#platform';
import { AwreError } from '../errors.js';

/** The module files the host knows: the plain enclave and its WAVEN-instrumented build. */
export type ModuleName = 'enclave.wasm' | 'enclave.waven.wasm' | (string & {});

const given = new Map<string, Uint8Array>();

/** Absolute path of build/<name> in the package this file belongs to (Node only; a browser throws MODULE_NOT_FOUND). */
export function modulePath(name: ModuleName = 'enclave.wasm'): string {
  return platform.buildPath(name);
}

/**
 * The bytes of build/<name>: those given by setModule()/init()/loadModule(),
 * else (Node) the file on disk. A browser that was given none throws
 * MODULE_NOT_FOUND.
 */
export function readModule(name: ModuleName = 'enclave.wasm'): Uint8Array {
  const bytes = given.get(name) ?? platform.readBuildFile(name);
  if (bytes === undefined) {
    throw new AwreError('MODULE_NOT_FOUND', `build/${name} not given: in a browser, \`await init()\` (or setModule(bytes, '${name}')) before the first call (docs/browser.md)`);
  }
  return bytes;
}

/**
 * Give the bytes of a module (default: build/enclave.wasm) for readModule()
 * and the default enclave. Set before the first API call: the default
 * enclave, once loaded, keeps its module.
 */
export function setModule(bytes: Uint8Array | ArrayBuffer, name: ModuleName = 'enclave.wasm'): void {
  const u8 = bytes instanceof Uint8Array ? bytes : bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : undefined;
  if (u8 === undefined) throw new TypeError(`"bytes" expected Uint8Array or ArrayBuffer, got type=${typeof bytes}`);
  given.set(name, u8.slice());
}

/** Where the module is fetched from by default: beside the bundle, or the package's build/ (Node: a file: URL). */
export function moduleUrl(name: ModuleName = 'enclave.wasm'): URL {
  return platform.buildUrl(name);
}

/** Fetch a module's bytes (default: moduleUrl(name)) and give them (setModule). */
export async function loadModule(name: ModuleName = 'enclave.wasm', from?: string | URL | Request): Promise<Uint8Array> {
  const source = from ?? platform.buildUrl(name);
  if (from === undefined && platform.name === 'node') {
    const bytes = readModule(name); // fetch() has no file: URLs in Node
    given.set(name, bytes);
    return bytes;
  }
  let res: Response;
  try {
    res = await fetch(source);
  } catch (cause) {
    throw new AwreError('MODULE_NOT_FOUND', `build/${name}: fetch failed: ${(cause as Error).message}`, { cause });
  }
  if (!res.ok) throw new AwreError('MODULE_NOT_FOUND', `build/${name}: HTTP ${res.status} ${res.statusText}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  given.set(name, bytes);
  return bytes;
}

export interface InitOptions {
  /** The plain module: bytes, or where to fetch it (default: moduleUrl('enclave.wasm')). */
  enclave?: Uint8Array | ArrayBuffer | string | URL;
  /** The WAVEN module: bytes, or where to fetch it (default: moduleUrl('enclave.waven.wasm')); false: do not load it. */
  waven?: Uint8Array | ArrayBuffer | string | URL | false;
}

/**
 * Make the synchronous API ready: give (or fetch) build/enclave.wasm and,
 * unless `waven: false`, build/enclave.waven.wasm (TenantPair, WAVEN mode).
 * Needed once in a browser before the first call; harmless on Node.
 */
export async function init(options: InitOptions = {}): Promise<void> {
  const one = async (name: ModuleName, v: Uint8Array | ArrayBuffer | string | URL | undefined) => {
    if (v instanceof Uint8Array || v instanceof ArrayBuffer) setModule(v, name);
    else await loadModule(name, v);
  };
  await Promise.all([
    one('enclave.wasm', options.enclave),
    options.waven === false ? undefined : one('enclave.waven.wasm', options.waven),
  ]);
}

/** SHA-256 of a module, hex: the module digest. */
export function moduleDigest(bytes: Uint8Array): string {
  return toHex(platform.sha256(bytes));
}

function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
