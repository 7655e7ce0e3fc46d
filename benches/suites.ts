// Every benchmark suite, one file each, loaded only when selected
// (benches/run.ts and `awre bench` share this list).
import type { Suite } from './lib/suite.js';

export const SUITES: Record<string, () => Promise<Suite>> = {
  mlkem: async () => (await import('./mlkem.js')).suite,
  mldsa: async () => (await import('./mldsa.js')).suite,
  gcm: async () => (await import('./gcm.js')).suite,
  waven: async () => (await import('./waven.js')).suite,
  qrng: async () => (await import('./qrng.js')).suite,
  recorder: async () => (await import('./recorder.js')).suite,
  pqc: async () => (await import('./pqc.js')).suite,
  trust: async () => (await import('./trust.js')).suite,
  verify: async () => (await import('./verify.js')).suite,
  platforms: async () => (await import('./platforms.js')).suite,
};

/** Run only when named: verify makes logs of up to 10 million tuples (minutes, gigabytes); platforms starts browsers. */
export const ON_REQUEST: readonly string[] = ['verify', 'platforms'];
