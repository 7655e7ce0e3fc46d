// The entropy sources of the QRNG feed (DESIGN.md, "QRNG feed"; docs/qrng.md).
// A source delivers raw byte samples; the feed health-tests and conditions
// them. Each source declares the min-entropy it claims per byte sample, and
// whether it is a quantum source; an operator can override the claim.
import { AwreError } from '../errors.js';

export type SourceKind = 'sim' | 'os' | 'file' | 'anu' | 'replay';

export interface EntropySource {
  readonly kind: SourceKind;
  /** What events and reports name: never a secret (no sim seed, no URL query or credentials). */
  readonly label: string;
  /** True only for a physical quantum process (ANU, or a device the operator declares quantum). */
  readonly quantum: boolean;
  /** Claimed min-entropy, bits per byte sample, in (0, 8]. */
  readonly minEntropy: number;
  /** Exactly `n` raw samples, or an AwreError('QRNG_SOURCE'). */
  read(n: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** Options common to every source. */
export interface SourceOptions {
  /** Override the source's claimed min-entropy (bits per byte sample, (0, 8]). */
  minEntropy?: number;
  /** `file:` only: the operator declares the device or capture a quantum source. */
  quantum?: boolean;
  /** `anu:` over HTTP(S): timeout per request, ms (default 10,000). */
  timeoutMs?: number;
}

/** The typed error of a failing source; the message names the source, never sample bytes. */
export function sourceError(label: string, message: string, cause?: unknown): AwreError {
  return new AwreError('QRNG_SOURCE', `${label}: ${message}`, cause === undefined ? {} : { cause });
}

/** The claimed min-entropy after an operator override, validated. */
export function claimedEntropy(defaultClaim: number, options: SourceOptions): number {
  const h = options.minEntropy ?? defaultClaim;
  if (!(typeof h === 'number' && h > 0 && h <= 8)) {
    throw new AwreError('QRNG_CONFIG', `"minEntropy" expected bits per byte sample in (0, 8], got ${String(h)}`);
  }
  return h;
}
