// sim:<hex>: a deterministic stream for tests and demos, labelled non-quantum.
// The stream is AES-256-CTR (node:crypto) over zeros, keyed by
// SHA-256("awre-qrng-sim-v1" || seed): the same hex always gives the same
// bytes. The label carries a fingerprint of the seed, not the seed.
import { createCipheriv, createHash } from 'node:crypto';
import { AwreError } from '../../errors.js';
import { claimedEntropy, type EntropySource, type SourceOptions } from '../source.js';

export class SimSource implements EntropySource {
  readonly kind = 'sim';
  readonly quantum = false;
  readonly label: string;
  readonly minEntropy: number;
  private readonly stream: ReturnType<typeof createCipheriv>;

  constructor(hex: string, options: SourceOptions = {}) {
    if (!/^(?:[0-9a-fA-F]{2}){1,64}$/.test(hex)) {
      throw new AwreError('QRNG_CONFIG', `"sim:<hex>" expected 1 to 64 bytes of hex, got ${hex.length} characters`);
    }
    const seed = Buffer.from(hex, 'hex');
    const key = createHash('sha256').update('awre-qrng-sim-v1').update(seed).digest();
    this.label = `sim#${createHash('sha256').update('awre-qrng-sim-label-v1').update(seed).digest('hex').slice(0, 16)}`;
    this.minEntropy = claimedEntropy(8, options);
    this.stream = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
    key.fill(0);
    seed.fill(0);
  }

  async read(n: number): Promise<Uint8Array> {
    return this.stream.update(Buffer.alloc(n)); // the caller owns (and wipes) it
  }

  async close(): Promise<void> {
    this.stream.destroy();
  }
}
