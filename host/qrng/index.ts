// The QRNG feed (docs/qrng.md): sources, SP 800-90B health tests, conditioning,
// and the seeding of the enclave DRBG.
export { openSource, openFeed } from './open.js';
export type { EntropySource, SourceKind, SourceOptions } from './source.js';
export { QrngFeed } from './feed.js';
export type { FeedCounters, FeedEvent, FeedOptions, FeedState, SeedMaterial } from './feed.js';
export { HealthTests, rctCutoff, aptCutoff, APT_WINDOW, STARTUP_SAMPLES, ALPHA_LOG2 } from './health.js';
export type { HealthCounters, HealthFailure, HealthTestName } from './health.js';
export { condition, commitment, rawBytesPerSeed, SEED_BYTES, SEED_BITS, RAW_BITS_PER_SEED, OS_MIX_BYTES } from './condition.js';
export { DrbgSeeder, RESEED_HEADROOM, PERSONALIZATION } from './seeder.js';
export type { EscrowRecord, SeedEvent, SeedKind, SeedProvider, SeedReason, SeedRequest, SeederOptions } from './seeder.js';
export { ReplayProvider } from './sources/replay.js';
export type { EscrowReader, EscrowedSeed } from './sources/replay.js';
export { SimSource } from './sources/sim.js';
export { OsSource } from './sources/os.js';
export { FileSource } from './sources/file.js';
export { AnuSource, parseAnu } from './sources/anu.js';
