// file:<path>: raw bytes from a capture file or a character device
// (/dev/hwrng, /dev/qrandom0). Reads are sequential (no byte is served
// twice) and bounded (at most 64 KiB per read call). Opening is lazy, so a
// missing file or a permission error surfaces, as a typed error, on the
// first read (the feed's start-up test). End of file before the request is
// filled is an error: a short capture must not be stretched.
import { platform } from '#platform';
import type { PlatformFile } from '../../platform/types.js';
import { claimedEntropy, sourceError, type EntropySource, type SourceOptions } from '../source.js';

const MAX_READ = 65536;

export class FileSource implements EntropySource {
  readonly kind = 'file';
  readonly label: string;
  readonly quantum: boolean;
  readonly minEntropy: number;
  private handle: PlatformFile | undefined;
  private served = 0;
  /** Once the file ends or fails, it stays failed: reopening would serve the same bytes again. */
  private dead: Error | undefined;

  constructor(readonly path: string, options: SourceOptions = {}) {
    // The absolute, normalised path: the form a policy matches (docs/abw34.md, "Entropy sources").
    this.label = `file:${platform.resolvePath(path)}`;
    this.quantum = options.quantum ?? false;
    // A capture of unknown quality: claim less than full entropy unless the operator says otherwise.
    this.minEntropy = claimedEntropy(options.minEntropy ?? 7, options);
  }

  async read(n: number): Promise<Uint8Array> {
    if (this.dead) throw this.dead;
    const fh = await this.opened();
    const out = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      let r: number;
      try {
        ({ bytesRead: r } = await fh.read(out, got, Math.min(MAX_READ, n - got)));
      } catch (cause) {
        out.fill(0);
        throw await this.die(sourceError(this.label, `read failed after ${this.served + got} bytes: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`, cause));
      }
      if (r === 0) {
        out.fill(0);
        throw await this.die(sourceError(this.label, `end of file: a request for ${n} bytes got ${got} (short read after ${this.served + got} bytes in all)`));
      }
      got += r;
    }
    this.served += n;
    return out;
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }

  private async die(err: Error): Promise<Error> {
    this.dead = err;
    await this.close();
    return err;
  }

  private async opened(): Promise<PlatformFile> {
    if (this.handle) return this.handle;
    try {
      this.handle = await platform.openFile(this.path);
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file or device' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code ?? (cause as Error).message;
      throw await this.die(sourceError(this.label, `cannot open: ${why}`, cause));
    }
    return this.handle;
  }
}
