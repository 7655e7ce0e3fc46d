// A deterministic byte generator for reproducible randomized tests:
// SHA-256(seed || counter) blocks from node:crypto, independent of the code
// under test. The seed is a string; set AWRE_TEST_SEED to replay another run.
import { createHash } from 'node:crypto';

export const DEFAULT_SEED = process.env.AWRE_TEST_SEED ?? 'awre-tests-v1';

export class Prng {
  readonly seed: string;
  private counter = 0;
  private pool = new Uint8Array(0);
  private at = 0;

  constructor(seed: string) {
    this.seed = seed;
  }

  private refill(): void {
    const blocks: Buffer[] = [];
    for (let i = 0; i < 64; i++) {
      blocks.push(createHash('sha256').update(this.seed).update(String(this.counter++)).digest());
    }
    this.pool = new Uint8Array(Buffer.concat(blocks));
    this.at = 0;
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let off = 0;
    while (off < n) {
      if (this.at === this.pool.length) this.refill();
      const take = Math.min(n - off, this.pool.length - this.at);
      out.set(this.pool.subarray(this.at, this.at + take), off);
      this.at += take;
      off += take;
    }
    return out;
  }

  /** Uniform-ish integer in [0, max) (max <= 2^32; bias is irrelevant here). */
  int(max: number): number {
    const b = this.bytes(4);
    const x = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
    return x % max;
  }

  /** A child generator for one labelled sub-test: failures print its seed. */
  fork(label: string | number): Prng {
    return new Prng(`${this.seed}/${label}`);
  }
}
