// What the verifier gathers about a run besides its findings, for the HTML
// report (recorder/html.ts): bounded whatever the log's size, so a
// 10-million-tuple log costs the same few hundred kilobytes as a small one.

/** Buckets the timeline keeps at most; buckets merge pairwise (and double their width) when full. */
export const TIMELINE_BUCKETS = 256;
/** Seq lists (checkpoints, reseeds, faults, health events) keep at most this many entries each. */
export const MAX_MARKS = 1024;
/** Mapping intervals kept per tenant for the page-table map. */
export const MAX_INTERVALS = 2048;
/** Tenants drawn in the page-table map. */
export const MAX_MAP_TENANTS = 16;
/** Tuples quoted for findings (the first ones), each cut to MAX_EXCERPT characters. */
export const MAX_EXCERPTS = 200;
export const MAX_EXCERPT = 2000;
/** Distinct kind labels (and health event names) counted by name; any further one is counted as "other". */
export const MAX_KINDS = 32;

export interface Timeline {
  /** Tuples per bucket: bucket i holds the seqs [i * width, (i + 1) * width). */
  width: number;
  /** Per bucket, tuples by kind ('call' is split by op as 'call:<op>'). */
  buckets: Record<string, number>[];
}

/** One page of a tenant held with one set of rights from tuple `from` until tuple `to` (null: to the end of the log). */
export interface MapInterval {
  page: number;
  frame: number;
  rights: 'rw' | 'ro' | 'none';
  /** The frame is mapped by another tenant too at some time in this interval (a share). */
  shared: boolean;
  from: number;
  to: number | null;
}

export interface TenantMap {
  tenant: string;
  /** The seq of the tenant's boot tuple. */
  boot: number;
  intervals: MapInterval[];
  /** Intervals left out past MAX_INTERVALS. */
  dropped: number;
}

/** The last health report the log shows for a tenant's entropy (a seed or reseed tuple's qrng.health). */
export interface EntropyState {
  tenant: string;
  seq: number;
  source: string;
  quantum: boolean;
  epoch: number;
  /** The seed tuple's qrng.health counters as logged (docs/qrng.md). */
  health: Record<string, unknown>;
}

export interface RunStats {
  /** Bytes of the log read. */
  bytes: number;
  /** Tuples by kind over the whole log. */
  kinds: Record<string, number>;
  timeline: Timeline;
  /** Seqs of checkpoint tuples, reseeds, faults and health (feed failure) tuples; each list capped at MAX_MARKS, with the count past it. */
  marks: Record<'checkpoint' | 'reseed' | 'fault' | 'health', { seqs: number[]; dropped: number }>;
  /** Page tables over time, per tenant (the first MAX_MAP_TENANTS tenants). */
  tenants: TenantMap[];
  entropy: EntropyState[];
  /** Health failures and resets the feed reported (health tuples), by qrng.kind. */
  healthEvents: Record<string, number>;
  /** The tuples findings point at (first MAX_EXCERPTS), as written, each cut to MAX_EXCERPT characters. */
  excerpts: { seq: number; line: string }[];
}
