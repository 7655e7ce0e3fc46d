// os: the operating system's CSPRNG (crypto.getRandomValues), labelled non-quantum.
import { claimedEntropy, type EntropySource, type SourceOptions } from '../source.js';

/** getRandomValues refuses more than 65,536 bytes per call. */
const MAX_CALL = 65536;

export class OsSource implements EntropySource {
  readonly kind = 'os';
  readonly label = 'os';
  readonly quantum = false;
  readonly minEntropy: number;

  constructor(options: SourceOptions = {}) {
    this.minEntropy = claimedEntropy(8, options);
  }

  async read(n: number): Promise<Uint8Array> {
    const out = new Uint8Array(n);
    for (let at = 0; at < n; at += MAX_CALL) globalThis.crypto.getRandomValues(out.subarray(at, Math.min(n, at + MAX_CALL)));
    return out;
  }

  async close(): Promise<void> {}
}
