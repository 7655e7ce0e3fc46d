// The exact shape of each tuple kind (docs/abw34.md): the verifier checks a
// line against it before any content check, so no field can be added,
// dropped or given another type unnoticed, and no crafted value reaches the
// checks that follow.
import { z } from 'zod';
import { CertificateSchema } from './certificate.js';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const int = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const name = z.string().min(1).max(256);
const pt = z.object({ r: hex64, w: hex64 }).strict();
const rights = z.enum(['rw', 'ro', 'none']);
const profile = z.object({ module: hex64, abi: int, mmu: z.enum(['off', 'waven']), awre: z.string().min(1).max(64) }).strict();
const base = {
  abw: z.literal(34), v: z.literal(1), seq: int, t: int, profile: hex64, prev: hex64,
};
const counters = z.object({
  minEntropy: z.number().positive().max(8), samples: int,
  startup: z.object({ required: int, passed: z.boolean() }).strict(),
  rct: z.object({ cutoff: int, longestRun: int, alarms: int }).strict(),
  apt: z.object({ cutoff: int, window: int, windows: int, maxCount: int, alarms: int }).strict(),
  state: z.enum(['idle', 'ready', 'failed', 'closed']),
  rawBytesRead: int, rawBytesUsed: int, rawBytesDiscarded: int, seeds: int, resets: int,
}).strict();
const qrngSeed = z.object({
  reason: z.enum(['boot', 'interval', 'demand']), epoch: int, source: name, quantum: z.boolean(), bits: int, rawBytes: int,
  osMixed: z.boolean(), requests: int.optional(), health: counters, commitment: hex64,
}).strict();

const mmuTuple = (k: 'map' | 'protect' | 'share' | 'unmap') => z.object({
  ...base, kind: z.literal(k), tenant: name, pt,
  exc: z.array(z.object({ page: int, table: z.enum(['r', 'w']), on: z.boolean() }).strict()).max(4),
  mmu: z.object({ page: int, frame: int, rights, from: z.object({ tenant: name, page: int }).strict().optional() }).strict(),
}).strict();
const seedTuple = (k: 'seed' | 'reseed') => z.object({ ...base, kind: z.literal(k), tenant: name, pt, qrng: qrngSeed }).strict();

/** One schema per kind; `boot` is the log's own boot (seq 0) or a tenant's. */
const SCHEMAS: Record<string, z.ZodTypeAny> = {
  boot: z.union([
    z.object({ ...base, kind: z.literal('boot'), boot: z.object({ profile, origin: z.string().regex(/^[^\s+]+$/).max(256), checkpointEvery: int.min(1), reseedAfter: int.min(1).optional() }).strict() }).strict(),
    z.object({ ...base, kind: z.literal('boot'), tenant: name, pt, boot: z.object({ exception: int }).strict() }).strict(),
  ]),
  map: mmuTuple('map'), protect: mmuTuple('protect'), share: mmuTuple('share'), unmap: mmuTuple('unmap'),
  seed: seedTuple('seed'), reseed: seedTuple('reseed'),
  health: z.object({ ...base, kind: z.literal('health'), qrng: z.record(z.string(), z.unknown()) }).strict(),
  call: z.object({ ...base, kind: z.literal('call'), tenant: name, pt, call: z.object({ op: name, in: hex64, out: hex64, status: z.number().int() }).strict() }).strict(),
  fault: z.object({ ...base, kind: z.literal('fault'), tenant: name, pt, fault: z.object({ offset: int }).strict() }).strict(),
  certificate: z.object({ ...base, kind: z.literal('certificate'), certificate: z.object({ cert: CertificateSchema, sig: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/).max(8192) }).strict() }).strict(),
  checkpoint: z.object({ ...base, kind: z.literal('checkpoint'), checkpoint: z.object({ size: int, root: hex64, note: z.string().max(65536) }).strict() }).strict(),
  halt: z.object({ ...base, kind: z.literal('halt'), halt: z.object({ tuples: int }).strict() }).strict(),
};

/** The first problem with a parsed line's shape, or undefined when it is a well-formed tuple. */
export function shapeProblem(v: unknown): string | undefined {
  const kind = (v as { kind?: unknown }).kind;
  const schema = typeof kind === 'string' && Object.hasOwn(SCHEMAS, kind) ? SCHEMAS[kind]! : undefined;
  if (!schema) return `kind: unknown tuple kind ${JSON.stringify(kind)}`;
  const r = schema.safeParse(v);
  if (r.success) return undefined;
  const i = r.error.issues[0]!;
  return `${i.path.join('.') || '(root)'}: ${i.message}`;
}
