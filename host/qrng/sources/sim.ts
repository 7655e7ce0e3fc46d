// sim:<hex>: a deterministic stream for tests and demos, labelled non-quantum.
// The stream is AES-256-CTR (node:crypto; WebCrypto in a browser) over zeros, keyed by
// SHA-256("awre-qrng-sim-v1" || seed): the same hex always gives the same
// bytes. The label carries a fingerprint of the seed, not the seed.
import { platform } from '#platform';
import type { Keystream } from '../../platform/types.js';
import { AwreError } from '../../errors.js';
import { claimedEntropy, type EntropySource, type SourceOptions } from '../source.js';

export class SimSource implements EntropySource {
  readonly kind = 'sim';
  readonly quantum = false;
  readonly label: string;
  readonly minEntropy: number;
  private readonly stream: Keystream;

  constructor(hex: string, options: SourceOptions = {}) {
    if (!/^(?:[0-9a-fA-F]{2}){1,64}$/.test(hex)) {
      throw new AwreError('QRNG_CONFIG', `"sim:<hex>" expected 1 to 64 bytes of hex, got ${hex.length} characters`);
    }
    const seed = new Uint8Array(hex.length / 2);
    for (let i = 0; i < seed.length; i++) seed[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    const utf8 = (text: string) => new TextEncoder().encode(text);
    const key = platform.sha256(utf8('awre-qrng-sim-v1'), seed);
    const fp = platform.sha256(utf8('awre-qrng-sim-label-v1'), seed).subarray(0, 8);
    this.label = `sim#${Array.from(fp, (b) => b.toString(16).padStart(2, '0')).join('')}`;
    this.minEntropy = claimedEntropy(8, options);
    this.stream = platform.aes256ctr(key);
    key.fill(0);
    seed.fill(0);
  }

  async read(n: number): Promise<Uint8Array> {
    return this.stream.read(n); // the caller owns (and wipes) it
  }

  async close(): Promise<void> {
    this.stream.close();
  }
}
