// The platform seam (docs/browser.md): everything the public API needs from
// its host environment, behind one interface with two implementations,
// chosen by the package.json "imports" entry `#platform`: the "browser"
// condition gives ./browser.js (no `node:` import, no Buffer, no process),
// every other resolver ./node.js. Both are synchronous where the API is.

/** A file opened for sequential reads (the QRNG `file:` source). */
export interface PlatformFile {
  read(into: Uint8Array, offset: number, length: number): Promise<{ bytesRead: number }>;
  close(): Promise<void>;
}

/** The AES-256-CTR keystream (the QRNG `sim:` source): counter block 0 first, bytes in order. */
export interface Keystream {
  read(n: number): Promise<Uint8Array>;
  close(): void;
}

/** An incremental SHA-256. */
export interface Sha256 {
  update(data: Uint8Array): void;
  digest(): Uint8Array;
}

export interface Platform {
  readonly name: 'node' | 'browser';
  /** SHA-256 of the concatenation of `parts` (a fresh array the caller owns). */
  sha256(...parts: Uint8Array[]): Uint8Array;
  /** An incremental SHA-256 (a line of a log too long to hold). */
  sha256Hasher(): Sha256;
  /**
   * A zeroed byte array of `n` bytes for scanning: its indexOf(byte, from)
   * is memchr-fast (Node: a Buffer, whose indexOf is; a plain Uint8Array's
   * is about 30x slower there). Use it as a Uint8Array only: never its slice().
   */
  scanBuffer(n: number): Uint8Array;
  /** SHA3-384 of the concatenation of `parts` (a fresh array the caller owns). */
  sha3_384(...parts: Uint8Array[]): Uint8Array;
  /** An environment variable (undefined where there is no environment: browsers). */
  env(name: string): string | undefined;
  /** The bytes of build/<name> found on disk, or undefined where there is no disk (browsers). */
  readBuildFile(name: string): Uint8Array | undefined;
  /** Absolute path of build/<name> (Node); a browser has none and throws MODULE_NOT_FOUND. */
  buildPath(name: string): string;
  /** The URL a browser fetches build/<name> from by default (Node: a file: URL). */
  buildUrl(name: string): URL;
  /** A path made absolute and normal (a browser leaves it as given). */
  resolvePath(path: string): string;
  /** A whole file's bytes (a browser rejects: no file system). */
  readFile(path: string): Promise<Uint8Array>;
  /** A file opened for reading (a browser rejects: no file system). */
  openFile(path: string): Promise<PlatformFile>;
  /** The AES-256-CTR keystream under `key` (32 bytes), from an all-zero counter block. */
  aes256ctr(key: Uint8Array): Keystream;
}
